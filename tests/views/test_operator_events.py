"""What the console counts: exact funnel counts after scripted journeys, the dimensions,
and no personal data anywhere in the events tables."""
from datetime import timedelta

from tests.views.operator_journeys import PERSON, SUBSCRIBER, all_rows, email_of, funnel, phone_of, walk
from tests.views.test_kiosk import scan_link, shown_code
from wizard.commands import purge_operator_events
from wizard.core import clock
from wizard.extensions import db
from wizard.operator import events
from wizard.web.funnel import STEP_NAMES


def test_the_funnel_counts_each_step_reached_and_completed_exactly(app, database):
    # One journey stops at each step (the subscriber's only for a beneficiary), and two go to the end.
    stops = [*STEP_NAMES, None, None]
    for number, stop in enumerate(stops):
        walk(app.test_client(), number, stop_at=stop)
    reached, completed = funnel(database, events.STEP_REACHED), funnel(database, events.STEP_COMPLETED)
    for position, step in enumerate(STEP_NAMES):
        assert reached[step] == len(stops) - position, step
        assert completed[step] == len(stops) - position - 1, step


def test_a_reload_a_wrong_answer_and_going_back_count_nothing_more(app, client, database):
    client.get("/inscription/verification")
    client.get("/inscription/verification")
    client.post("/inscription/verification", data={"code": "000000"})  # wrong: the screen again
    assert funnel(database, events.STEP_REACHED)["captcha"] == 1
    assert funnel(database, events.STEP_COMPLETED)["captcha"] == 0


def test_a_journey_started_again_after_its_end_is_counted_from_the_captcha_again(app, client, database):
    """The journey is written when the CAPTCHA is passed: the marks of its screen, made
    before, are its own then; those of a journey gone count nothing for the next one."""
    from tests.conftest import pass_captcha
    from wizard.signup.models import Journey
    pass_captcha(client)
    database(lambda session: (session.query(Journey).delete(), session.commit()))  # gone (idle, purged)
    pass_captcha(client)
    timed = [row for row in all_rows(database) if row.get("event") == events.STEP_TIME]
    assert funnel(database, events.STEP_REACHED)["captcha"] == 2
    assert funnel(database, events.STEP_COMPLETED)["captcha"] == 2
    assert sum(row["count"] for row in timed if row["step"] == "captcha") == 2


def test_a_step_shown_again_leaves_the_cookie_as_it_was(app, client, database):
    assert "Set-Cookie" in client.get("/inscription/verification").headers  # the journey, the step reached
    again = client.get("/inscription/verification")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    swapped = client.get("/inscription/verification", headers={"HX-Request": "true"})  # JavaScript seen: counted
    assert "Set-Cookie" in swapped.headers and funnel(database, events.STEP_REACHED)["captcha"] == 1


def test_the_dimensions_are_coarse_facts_about_the_browser(app, database):
    phone = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 "
                                "Mobile Safari/537.36", "HTTP_ACCEPT_LANGUAGE": "en"}
    walk(app.test_client(), 1, stop_at="identity", headers=phone)
    rows = [row for row in all_rows(database) if row.get("event") == events.STEP_REACHED]
    assert {(row["step"], row["language"], row["device"], row["js"], row["provider"]) for row in rows} == {
        ("captcha", "en", "mobile", "off", "sesame"), ("identity", "en", "mobile", "off", "sesame")}


def reached_by_js(database) -> dict:
    return {(row["step"], row["js"]): row["count"] for row in all_rows(database)
            if row.get("event") == events.STEP_REACHED}


def test_javascript_counts_once_the_browser_has_made_an_htmx_request(app, client, database):
    client.get("/inscription/verification", headers={"HX-Request": "true"})
    [row] = [row for row in all_rows(database) if row.get("event") == events.STEP_REACHED]
    assert row["js"] == "on" and row["device"] == "desktop"


def test_a_first_screen_loaded_whole_moves_to_javascript_on_with_the_first_htmx_request(app, client, database):
    from tests.conftest import current_captcha_code
    client.get("/inscription/verification")  # a whole page: JavaScript unknown, counted off
    assert reached_by_js(database) == {("captcha", "off"): 1}
    client.post("/inscription/verification", data={"code": current_captcha_code(client)},
                headers={"HX-Request": "true"})
    client.get("/inscription/identite", headers={"HX-Request": "true"})
    assert reached_by_js(database) == {("captcha", "off"): 0, ("captcha", "on"): 1, ("identity", "on"): 1}
    completed = [row for row in all_rows(database) if row.get("event") == events.STEP_COMPLETED]
    assert [(row["step"], row["js"]) for row in completed] == [("captcha", "on")]


def test_without_javascript_every_screen_stays_off(app, database):
    walk(app.test_client(), 1, stop_at="role")
    assert reached_by_js(database) == {("captcha", "off"): 1, ("identity", "off"): 1, ("role", "off"): 1}


def test_the_time_of_a_step_is_counted_in_a_bucket(app, client, database, monkeypatch):
    start = clock.now()
    client.get("/inscription/verification")
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=47))
    from tests.conftest import current_captcha_code
    client.post("/inscription/verification", data={"code": current_captcha_code(client)})
    [completed] = [row for row in all_rows(database) if row.get("event") == events.STEP_COMPLETED]
    [timed] = [row for row in all_rows(database) if row.get("event") == events.STEP_TIME]
    assert completed["bucket"] == 0 and completed["language"] == "fr" and completed["count"] == 1
    # The time by step and bucket only, without the browser's dimensions.
    assert (timed["step"], timed["bucket"], timed["language"], timed["count"]) == ("captcha", 60, "", 1)


def test_a_kiosk_scan_and_its_journey_carry_the_kiosk(app, client_request, database):
    page = client_request.get("/borne?kiosque=agence-nord")
    phone = app.test_client()
    assert phone.get(scan_link(app, shown_code(page))).status_code == 303
    phone.get("/inscription/verification")
    kiosks = {(row["event"], row["kiosk"]) for row in all_rows(database) if row.get("kiosk")}
    assert kiosks == {(events.KIOSK_SCAN, "agence-nord"), (events.STEP_REACHED, "agence-nord")}


def test_a_limit_hit_is_counted_by_route(app, client, database):
    from tests.conftest import reconfigure
    reconfigure(app, RATELIMIT_CAPTCHA="1 per minute")
    client.get("/inscription/verification")
    for _ in range(2):
        client.post("/inscription/verification", data={"code": "000000"})
    hits = [row for row in all_rows(database) if row.get("event") == events.LIMIT_HIT]
    assert [(row["detail"], row["count"]) for row in hits] == [("signup.captcha_step", 1)]


def test_no_value_typed_by_the_person_appears_in_any_events_table(app, database):
    for number, role in ((1, "beneficiary"), (2, "subscriber")):
        walk(app.test_client(), number, role=role)
    rows = all_rows(database)
    assert funnel(database, events.STEP_COMPLETED)["eligibility"] == 2  # the whole journeys were walked
    assert any(row.get("event") == events.ELIGIBILITY_OUTCOME for row in rows)
    typed = {*PERSON.values(), *SUBSCRIBER.values(), *phone_of(1), *phone_of(2), "0671829301", email_of(1),
             email_of(2), "quimperle", "zoraide", "1958-09-17", "17/09/1958", "1952-02-29"}
    typed = {value.lower() for value in typed if len(value) > 2}  # a day or a month alone is no one's
    typed |= {"10.0.0.", "mozilla", "werkzeug"}  # nor the address nor the User-Agent of the browser
    cells = {str(value).lower() for row in rows for value in row.values()}
    assert not {(value, cell) for value in typed for cell in cells if value in cell}


def test_counts_rolled_back_are_never_written(app, database):
    with app.app_context():
        events.count(db.session, events.STEP_REACHED, clock.now(), step="captcha")
        db.session.rollback()
        events.count(db.session, events.STEP_REACHED, clock.now(), step="identity")
        events.count(db.session, events.STEP_REACHED, clock.now(), step="identity")
        db.session.commit()
    assert [(row["step"], row["count"]) for row in all_rows(database)] == [("identity", 2)]


def test_the_purge_keeps_13_months_of_days_and_two_days_of_minutes(app, database):
    now = clock.now()
    with app.app_context():
        for age in (timedelta(days=395), timedelta(days=397), timedelta(hours=47), timedelta(hours=49)):
            events.count(db.session, events.INSURER_CALL, now - age, detail="ok")
        db.session.commit()
    result = app.test_cli_runner().invoke(purge_operator_events)
    # Insurer calls are counted by day and by minute: the oldest day goes, and every minute
    # but the one 47 hours old.
    assert "1 daily count(s), 3 per-minute count(s) deleted" in result.output, result.output
    kept = all_rows(database)
    days = [row for row in kept if "day" in row]
    assert sum(row["count"] for row in days) == 3 and max((now.date() - row["day"]).days for row in days) == 395
    assert [now - row["minute"] < timedelta(hours=48) for row in kept if "minute" in row] == [True]


def test_a_step_is_not_counted_again_after_a_full_sign_in_on_the_same_browser(app, database):
    from tests.conftest import in_browser
    from wizard.accounts.models import Account
    from wizard.sign_in import sessions
    from wizard.web import account_session
    client = app.test_client()
    walk(client, 1, stop_at="phone")
    with in_browser(client):
        account_session.begin(db.session.query(Account).one().id, sessions.SIGN_IN)  # drops the journey
    assert client.get("/inscription/telephone").status_code == 200
    assert funnel(database, events.STEP_REACHED)["phone"] == 1
