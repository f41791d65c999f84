"""Scripted journeys over HTTP, for the console's tests: every step of the funnel, each
reached (its screen shown) and then completed, or stopped at a chosen step."""
from tests.conftest import PASSWORD, current_captcha_code, first_code, newest_message
from wizard.operator.models import EventCount, EventMinute
from wizard.web.funnel import STEP_NAMES

# A person of the directory's kind, but in no directory: every value distinctive, so that
# the no-personal-data test can look for each of them in the events tables.
PERSON = {"last_name": "Quimperlé-Zoraïde", "first_name": "Ysolde", "birth_date-day": "17",
          "birth_date-month": "9", "birth_date-year": "1958", "identifier": "97531864"}
SUBSCRIBER = {"subscriber_last_name": "Kerfourn", "subscriber_first_name": "Théodebert",
              "subscriber_birth_date-day": "29", "subscriber_birth_date-month": "2",
              "subscriber_birth_date-year": "1952"}


def email_of(number: int) -> str:
    return f"ysolde.quimperle{number}@zoraide-exemple.fr"


def phone_of(number: int) -> tuple[str, str]:
    """As typed, and as stored (E.164)."""
    return f"06 71 82 93 {number:02d}", f"+336718293{number:02d}"


def _screen(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))


def _answer(client, url, data, then=None):
    response = client.post(url, data=data)
    assert response.status_code == 303, (url, response.get_data(as_text=True)[:2000])
    if then:
        assert response.headers["Location"] == then, response.headers["Location"]


def _steps(client, number: int, role: str):
    """(step, show its screen, answer it) for each step of the funnel, in order."""
    app, email, (phone_typed, phone) = client.application, email_of(number), phone_of(number)
    signup = [
        ("captcha", "verification", lambda: {"code": current_captcha_code(client)}),
        ("identity", "identite", lambda: PERSON),
        ("role", "qualite", lambda: {"role": role}),
        ("subscriber", "souscripteur", lambda: SUBSCRIBER),
        ("summary", "recapitulatif", lambda: {"accept_terms": "y"}),
        ("credentials", "identifiants", lambda: {"email": email, "email_confirmation": email,
                                                 "password": PASSWORD, "password_confirmation": PASSWORD}),
    ]
    for name, slug, typed in signup:
        if name == "subscriber" and role != "beneficiary":
            continue
        url = f"/inscription/{slug}"
        yield name, lambda url=url: _screen(client, url), lambda url=url, typed=typed: _answer(client, url, typed())

    def activate():
        _answer(client, "/inscription/verifiez-vos-emails", {"code": first_code(newest_message(app, email).body_text)},
                then="/inscription/compte-active")
        _screen(client, "/inscription/compte-active")

    def prove_phone():
        _answer(client, "/inscription/telephone", {"phone": phone_typed, "channel": "sms"},
                then="/inscription/telephone/code")
        _answer(client, "/inscription/telephone/code", {"code": newest_message(app, phone, "sms").body_text[:6]},
                then="/inscription/telephone/confirme")
        _screen(client, "/inscription/telephone/confirme")

    def check():
        _answer(client, "/inscription/eligibilite", {}, then="/inscription/verification-en-cours")
        _screen(client, "/inscription/verification-en-cours")

    yield "email", lambda: _screen(client, "/inscription/verifiez-vos-emails"), activate
    yield "phone", lambda: _screen(client, "/inscription/telephone"), prove_phone
    yield "eligibility", lambda: _screen(client, "/inscription/eligibilite"), check


def walk(client, number: int, role: str = "beneficiary", stop_at: str | None = None, headers=None) -> None:
    """Reaches and completes every step; `stop_at`: reaches that one and leaves. Each
    journey from an address of its own, as people are: the rate limits are per address."""
    client.environ_base.update({"REMOTE_ADDR": f"10.0.0.{number}", **(headers or {})})
    for name, show, answer in _steps(client, number, role):
        show()
        if name == stop_at:
            return
        answer()


def all_rows(database) -> list[dict]:
    """Every row of every events table, as plain values."""
    def read(session):
        return [{column.name: getattr(row, column.key) for column in model.__table__.columns}
                for model in (EventCount, EventMinute) for row in session.query(model)]
    return database(read)


def funnel(database, event: str) -> dict[str, int]:
    counts = dict.fromkeys(STEP_NAMES, 0)
    for row in all_rows(database):
        if row.get("event") == event and "day" in row:
            counts[row["step"]] += row["count"]
    return counts
