"""The eligibility check's waiting screen, live, in Chromium.

The person comes through the signup over HTTP (support.phone_confirmed: the screens on the
way are the walk's), then the browser takes over their session. The check is a row the
test writes and moves on itself, stage by stage, as a worker would: nothing else runs it
(the live app's jobs are inline), so every step of the screen is seen, deterministically.
axe-core, reflow and the Nu checker on these screens are in the shared walk (support.SCREENS).
"""
import re
import uuid

from playwright.sync_api import expect

from tests.browser.support import account_id, carry_session, new_email, new_phone, phone_confirmed
from wizard.core import clock
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db

WAITING = "/inscription/verification-en-cours"
STAGE_1, STAGE_2 = "Mise en relation avec votre complémentaire santé", "Identification en cours"
ELIGIBLE = "Félicitations ! Votre compte a bien été créé."
POLL_MS = 2000

# What the page's live region says, each time it changes; the polls sent, and swapped in.
RECORDER = """() => {
    const live = document.getElementById('wizard-status');
    live.__original = true;
    window.__said = [];
    new MutationObserver(() => window.__said.push(live.textContent.trim()))
        .observe(live, {childList: true, characterData: true, subtree: true});
    window.__requests = window.__polls = 0;
    document.addEventListener('htmx:beforeRequest', event => {
        if (event.target.id === 'eligibility-status') window.__requests += 1;
    });
    document.addEventListener('htmx:afterSettle', event => {
        if (event.target.id === 'eligibility-status') window.__polls += 1;
    });
}"""


def running_check(app, email):
    """A check a worker has claimed: stage 1, "contacting the insurer"."""
    now = clock.now()
    check_id = uuid.uuid4().hex
    with app.app_context():
        db.session.add(EligibilityCheck(id=check_id, account_id=account_id(app, email), status="running", stage=1,
                                        unreachable=0, runs=1, created_at=now, updated_at=now,
                                        lease_until=now.replace(year=now.year + 1)))
        db.session.commit()
    return check_id


def move_check(app, check_id, **values):
    with app.app_context():
        check = db.session.get(EligibilityCheck, check_id)
        for name, value in {**values, "updated_at": clock.now()}.items():
            setattr(check, name, value)
        if check.status in ("eligible", "mismatch", "not_found", "failed"):
            check.finished_at, check.lease_until = clock.now(), None
        db.session.commit()


def person_waiting(open_page, app, base_url, clocks=None, **context_args):
    """A page on the waiting screen of a person whose check is running; with `clocks`, the
    page's clock is Playwright's: the next poll comes when the test moves time on (time
    flows as usual otherwise: HTMX settles a swap on a timer)."""
    email = new_email("attente")
    visitor = phone_confirmed(app, email, new_phone())
    check_id = running_check(app, email)
    page = open_page(**context_args)
    if clocks:
        clocks.install(page)
    carry_session(visitor, page.context, base_url)
    page.goto(WAITING)
    expect(page.locator("h1")).to_have_text("Vérification de l’éligibilité auprès de votre complémentaire")
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # nothing reloads by itself (F41)
    return page, check_id


def stage(page, label):
    return page.locator("#eligibility-status .stage").filter(has_text=label)


def next_poll(page, clocks):
    """The poll's 2 seconds, then until a poll sent since has been answered and swapped in
    (and all before it)."""
    sent = page.evaluate("window.__requests")
    clocks.run_for(page, POLL_MS / 1000)
    page.wait_for_function("n => window.__requests > n && window.__polls >= window.__requests", arg=sent)


def test_the_waiting_screen_polls_says_each_stage_once_and_leaves_the_focus_alone(open_page, live_app, base_url,
                                                                                  clocks):
    page, check_id = person_waiting(open_page, live_app, base_url, clocks)
    status = page.locator("#eligibility-status")
    expect(status).to_have_attribute("data-hx-trigger", "every 2s")
    expect(stage(page, STAGE_1)).to_have_class(re.compile(r"\bstage--current\b"))
    page.wait_for_load_state()
    page.evaluate(RECORDER)

    # A keyboard user waits on "Mettre à jour", inside the fragment that each poll replaces.
    refresh = status.get_by_role("link", name="Mettre à jour", exact=True)
    refresh.focus()
    page.evaluate("document.activeElement.__focusedByTheTest = true")
    next_poll(page, clocks)
    assert page.evaluate("document.activeElement.__focusedByTheTest") is None, "no poll replaced the fragment"
    expect(refresh).to_be_focused()  # the new link, in the same place: focus did not move
    assert page.evaluate("window.__said") == []  # the same stage: nothing to say

    move_check(live_app, check_id, stage=2)
    next_poll(page, clocks)
    assert page.evaluate("window.__said") == [STAGE_2]
    expect(stage(page, STAGE_2)).to_have_class(re.compile(r"\bstage--current\b"))
    expect(stage(page, STAGE_1)).to_have_text(f"Terminé : {STAGE_1}")
    next_poll(page, clocks)  # one more poll at the same stage...
    assert page.evaluate("window.__said") == [STAGE_2]  # ...and the stage was said once
    expect(status).to_have_attribute("data-hx-trigger", "every 2s")
    expect(refresh).to_be_focused()
    assert page.evaluate("document.getElementById('wizard-status').__original") is True  # the same live region

    move_check(live_app, check_id, status="eligible", stage=3)
    next_poll(page, clocks)
    assert page.evaluate("window.__said") == [STAGE_2, ELIGIBLE]
    expect(page.get_by_role("status")).to_have_text(ELIGIBLE)
    expect(status.locator(".panel--success")).to_contain_text(ELIGIBLE)
    assert status.get_attribute("data-hx-trigger") is None  # the outcome: polling stops
    requests = page.evaluate("window.__requests")
    clocks.run_for(page, 10 * POLL_MS / 1000)  # ten polls' time
    assert page.evaluate("window.__requests") == requests
    assert page.evaluate("window.__said") == [STAGE_2, ELIGIBLE]
    expect(page).to_have_url(re.compile(WAITING + "$"))  # polls never touch the address


def test_without_javascript_update_shows_the_stage_reached(open_page, live_app, base_url):
    page, check_id = person_waiting(open_page, live_app, base_url, java_script_enabled=False)
    expect(stage(page, STAGE_1)).to_have_class(re.compile(r"\bstage--current\b"))
    update = page.get_by_role("link", name="Mettre à jour", exact=True)
    expect(update).to_be_visible()

    move_check(live_app, check_id, stage=2)
    page.wait_for_timeout(300)
    expect(stage(page, STAGE_1)).to_have_class(re.compile(r"\bstage--current\b"))  # nothing moves by itself
    update.click()
    expect(stage(page, STAGE_2)).to_have_class(re.compile(r"\bstage--current\b"))
    expect(stage(page, STAGE_1)).to_have_text(f"Terminé : {STAGE_1}")
    expect(page).to_have_url(re.compile(WAITING + "$"))
    assert page.locator("meta[http-equiv=refresh]").count() == 0

    move_check(live_app, check_id, status="mismatch", stage=3)
    update.click()
    expect(page.locator("#eligibility-status")).to_contain_text(
        "Votre complémentaire santé n’a pas retrouvé votre contrat avec ces informations.")
    expect(page.get_by_role("link", name="Corriger mes informations")).to_have_attribute(
        "href", "/inscription/eligibilite/corriger")
    expect(update).to_have_count(0)
