"""One person's signup, walked as a browser would: every step of wizard/signup/steps.py in the
order the server redirects to, then the pages after the steps: activation by the mailed
link, the phone (the SMS code read from the outbox), the eligibility check and its
waiting page, polled as htmx polls it until the outcome shows.

The walk follows the server's redirects, so it grows with the journey: a new step needs
its answers in ANSWERS, a new page after the steps a handler in AFTER_STEPS. Until it has
them the walk stops there and says why (`Walk.stopped`), and every figure that needs the
missing part is reported as "not measured yet".
"""
import re
import time
import zlib
from dataclasses import dataclass, field

from bench.clients import HTMX_HEADERS, Reply

IDENTITY = {"last_name": "Dupont", "first_name": "Jean", "birth_date-day": "6",
            "birth_date-month": "3", "birth_date-year": "1977", "identifier": "10203050"}
SUBSCRIBER = {"subscriber_last_name": "Dupont", "subscriber_first_name": "Isabelle",
              "subscriber_birth_date-day": "21", "subscriber_birth_date-month": "12",
              "subscriber_birth_date-year": "1980"}
# Meets the policy: no name, birth date or address in it, not a common password.
PASSWORD = "Violette-Tortue-42!"

# The answers a person gives at each step (the beneficiary of the demo directory, so that
# every step applies). The CAPTCHA is answered with the spoken code (see Journey._captcha).
ANSWERS = {
    "identity": lambda journey: IDENTITY,
    "role": lambda journey: {"role": "beneficiary"},
    "subscriber": lambda journey: SUBSCRIBER,
    "summary": lambda journey: {"accept_terms": "y"},
    "credentials": lambda journey: {"email": journey.email, "email_confirmation": journey.email,
                                    "password": PASSWORD, "password_confirmation": PASSWORD},
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BUTTON_LINK = re.compile(r'<a class="button" href="([^"]+)"')
STATUS_POLL = re.compile(r'data-hx-get="([^"]*/verification-en-cours/etat[^"]*)"')
ELIGIBLE = "Félicitations"  # the outcome page of an eligible person (French: the browser asks for fr-FR)
# The waiting page polls every 2 s; a walk polls as often, and gives up after this many.
POLL_EVERY_S, MAX_POLLS = 2.0, 30


def phone_number(number: int, run_id: str) -> str:
    """A distinct French mobile number per journey, as the person types it: the caps on
    codes sent to one number (CODE_SENDS_PER_HOUR, CODE_SENDS_PER_DAY) stay the app's."""
    digits = f"{(zlib.crc32(run_id.encode()) * 7919 + number) % 10**7:07d}"
    return f"06 1{digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:7]}"


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


class Stopped(Exception):
    """The walk cannot go on: a part it needs does not exist yet, or answered wrongly."""


@dataclass
class Walk:
    timings: list[tuple[str, Reply]] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)  # the stages passed, in order
    stopped: str | None = None  # why the walk ended before the end of the journey
    end: str | None = None  # the last page, when the walk reached the end
    status_path: str | None = None  # the eligibility status URL, when the waiting page polled it


class Journey:
    """`swaps`: ask for pages as htmx does (HX-Request), and record those GETs as "(swap)"."""

    def __init__(self, browser, reader, number: int, swaps: bool = False, run_id: str = "bench"):
        self.browser, self.reader, self.swaps = browser, reader, swaps
        self.email = f"personne{number}.{run_id}@example.org"
        self.phone = phone_number(number, run_id)
        self.walk = Walk()

    def run(self, max_requests: int = 40) -> Walk:
        from wizard.signup import steps
        try:
            location = self._request("GET", "/inscription/", "GET start").location
            for _ in range(max_requests):
                if not location:
                    return self.walk
                slug = location.removeprefix("/inscription/")
                step = steps.BY_SLUG.get(slug) if location.startswith("/inscription/") else None
                if step is not None:
                    location = self._step(step, location)
                elif location in AFTER_STEPS:
                    location = getattr(self, AFTER_STEPS[location])(location)
                else:
                    self._get(location, "GET end")
                    self.walk.end = location
                    return self.walk
            raise Stopped(f"more than {max_requests} pages: the walk goes round in circles")
        except Stopped as stop:
            self.walk.stopped = str(stop)
        return self.walk

    # --- the steps -------------------------------------------------------------------------

    def _step(self, step, path: str) -> str:
        page = self._get(path, f"GET {step.name}")
        if step.name == "captcha":
            data = {"code": self.reader.spoken_code(self.browser)}
        elif step.name in ANSWERS:
            data = ANSWERS[step.name](self)
        else:
            raise Stopped(f"the step '{step.name}' exists but bench/journey.py has no answers for it")
        reply = self._request("POST", path, f"POST {step.name}", {**data, "csrf_token": csrf_token(page.text)})
        self.walk.reached.append(step.name)
        return reply.location

    # --- after the steps -------------------------------------------------------------------

    def _activation(self, path: str) -> str:
        self._get(path, "GET check_email")
        link = self.reader.activation_path(self.email)
        if link is None:
            raise Stopped(f"no activation link mailed to {self.email} in the outbox")
        page = self._get(link, "GET activation_link")
        reply = self._request("POST", link, "POST activation_link", {"csrf_token": csrf_token(page.text)})
        self.walk.reached.append("activation")
        return reply.location

    def _activated(self, path: str) -> str:
        """"Your account is activated": its button leads on to the phone."""
        return self._button(self._get(path, "GET account_activated"), path)

    def _phone(self, path: str) -> str:
        page = self._get(path, "GET phone")
        reply = self._request("POST", path, "POST phone", {"phone": self.phone, "channel": "sms",
                                                           "csrf_token": csrf_token(page.text)})
        return reply.location

    def _phone_code(self, path: str) -> str:
        page = self._get(path, "GET phone_code")
        code = self.reader.sms_code(self.phone)
        if code is None:
            raise Stopped(f"no SMS code sent to {self.phone} in the outbox")
        reply = self._request("POST", path, "POST phone_code", {"code": code, "csrf_token": csrf_token(page.text)})
        self.walk.reached.append("phone")
        return reply.location

    def _phone_confirmed(self, path: str) -> str:
        return self._button(self._get(path, "GET phone_confirmed"), path)

    def _eligibility(self, path: str) -> str:
        """The confirmation: its POST waits a little for the insurer's answer
        (ELIGIBILITY_QUICK_ANSWER_SECONDS), then shows the waiting page."""
        page = self._get(path, "GET eligibility")
        reply = self._request("POST", path, "POST eligibility", {"csrf_token": csrf_token(page.text)})
        return reply.location

    def _waiting(self, path: str) -> None:
        """"Vérification en cours": polled as htmx polls it, until the outcome shows."""
        page = self._get(path, "GET eligibility_waiting")
        text = page.text
        for _ in range(MAX_POLLS):
            found = STATUS_POLL.search(text)
            if not found:
                break
            self.walk.status_path = found.group(1).replace("&amp;", "&")
            time.sleep(POLL_EVERY_S)
            text = self._poll(self.walk.status_path).text
        else:
            raise Stopped(f"the eligibility check was not over after {MAX_POLLS} polls")
        if ELIGIBLE not in text:
            outcome = re.search(r"<strong>([^<]+)</strong>", text)
            raise Stopped("the eligibility check did not answer eligible: "
                          + (outcome.group(1) if outcome else "no outcome shown"))
        self.walk.reached.append("eligibility")
        self.walk.end = path

    def _button(self, page: Reply, path: str) -> str:
        found = BUTTON_LINK.search(page.text)
        if not found:
            raise Stopped(f"{path} shows no button to go on")
        return found.group(1)

    # --- requests --------------------------------------------------------------------------

    def _get(self, path: str, label: str) -> Reply:
        headers = HTMX_HEADERS if self.swaps else None
        reply = self.browser.get(path, headers=headers)
        self.walk.timings.append((label + (" (swap)" if self.swaps else ""), reply))
        if reply.status != 200:
            raise Stopped(f"GET {path} answered {reply.status} {reply.location}")
        return reply

    def _poll(self, path: str) -> Reply:
        reply = self.browser.get(path, headers=HTMX_HEADERS)
        self.walk.timings.append(("GET eligibility_status (poll)", reply))
        if reply.status != 200:
            raise Stopped(f"GET {path} answered {reply.status}")
        return reply

    def _request(self, method: str, path: str, label: str, data: dict | None = None) -> Reply:
        headers = HTMX_HEADERS if self.swaps else None
        reply = self.browser.request(method, path, data=data, headers=headers)
        if reply.status == 204 and "hx-redirect" in reply.headers:  # htmx told to load a whole page
            reply.status, reply.headers["location"] = 303, reply.headers["hx-redirect"]
        self.walk.timings.append((label, reply))
        if reply.status != 303:
            errors = re.findall(r'<a href="#[^"]*">([^<]+)</a>', reply.text) if reply.status == 200 else []
            raise Stopped(f"{method} {path} answered {reply.status} instead of a redirect"
                          + (f": {'; '.join(errors[:3])}" if errors else ""))
        return reply


# The pages that follow the steps, by path: the method of Journey that does what the person
# does there (by name, so that a subclass, such as transfer.MeasuringJourney, can add to it).
AFTER_STEPS = {
    "/inscription/verifiez-vos-emails": "_activation",
    "/inscription/compte-active": "_activated",
    "/inscription/telephone": "_phone",
    "/inscription/telephone/code": "_phone_code",
    "/inscription/telephone/confirme": "_phone_confirmed",
    "/inscription/eligibilite": "_eligibility",
    "/inscription/verification-en-cours": "_waiting",
}
