"""The eligibility check: confirm, the live "vérification en cours", each outcome, the jobs."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.conftest import activated_account, confirmed_phone, newest_message, normalize_spaces, reconfigure
from tests.services.test_insurer import FakeInsurer
from wizard import jobs
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.eligibility import service as eligibility
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db
from wizard.messaging.models import OutboxMessage
from wizard.sign_in.models import AccountSession

EMAIL = "jean.martin@exemple.fr"
WAITING, STATUS = "/inscription/verification-en-cours", "/inscription/verification-en-cours/etat"


@pytest.fixture
def ready(client):
    confirmed_phone(client, EMAIL, role="beneficiary")  # Jean, beneficiary of Isabelle: in the directory
    return client


@pytest.fixture
def not_in_directory(client):
    confirmed_phone(client, EMAIL, role="subscriber")  # Jean says he is the subscriber: a mismatch
    return client


def later(monkeypatch, **delta):
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


def account(database) -> Account:
    return database(lambda s: s.query(Account).filter_by(email=EMAIL).one())


def checks(database) -> list[tuple]:
    return database(lambda s: [(c.status, c.stage)
                               for c in s.query(EligibilityCheck).order_by(EligibilityCheck.created_at)])


def queued_check(app) -> str:
    """A check started but not run, as when the worker has not picked it up yet."""
    with app.app_context():
        account = db.session.query(Account).filter_by(email=EMAIL).one()
        check = eligibility.start(db.session, account, eligibility.EligibilitySettings(), clock.now())
        db.session.commit()
        return check.id


def test_the_phone_step_leads_here(ready, client_request):
    page = client_request.get("/inscription/telephone/confirme")
    assert page.select_one("a.button[href='/inscription/eligibilite']")
    page = client_request.get("/inscription/eligibilite")
    assert page.text_of("h1") == "Étape 4 sur 4 : Confirmer l’éligibilité à nos services"
    assert [li.get_text(" ", strip=True) for li in page.select(".done-list li")] == [
        "Vos informations enregistrées", "Adresse e-mail confirmée (j•••n@exemple.fr)",
        "Réception des codes confirmée (06 •• •• •• 78)"]
    assert "Mutuelle Démo" in page.text_of("main") and "jusqu’à 2 minutes" in page.text_of("main")


def test_the_check_needs_a_confirmed_phone(client, client_request):
    client_request.post("/inscription/eligibilite", {}, expect_redirect="/connexion")  # no session: sign in
    activated_account(client)
    client_request.get("/inscription/eligibilite", status=303)
    client_request.post("/inscription/eligibilite", {}, expect_redirect="/inscription/telephone")


def test_an_eligible_person_sees_it_at_once(ready, client_request, database):
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    page = client_request.get(WAITING)
    assert "Authentification réussie !" in page.text_of("#eligibility-status")
    assert "Félicitations ! Votre compte a bien été créé." in page.text_of("#eligibility-status")
    assert page.select_one("#eligibility-status").get("data-hx-trigger") is None  # no polling: it is over
    assert "Votre numéro de contrat : 1020305056" in page.text_of("#eligibility-status .panel--success")
    created = account(database)
    assert created.eligible_at is not None and created.contract_number == "1020305056"
    mail = newest_message(ready.application, EMAIL)
    assert mail.kind == "eligibility_eligible" and "a confirmé votre couverture" in mail.body_text
    assert "Votre numéro de contrat : 1020305056" in mail.body_text
    assert "Votre numéro de contrat : 1020305056" in mail.body_html


def test_a_mismatch_says_what_to_check_and_how_many_tries_are_left(not_in_directory, client_request, database):
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    page = client_request.get(WAITING)
    text = page.text_of("#eligibility-status")
    assert "n’a pas retrouvé votre contrat" in text and "prénoms composés" in text
    assert page.select_one("a[href='/inscription/eligibilite/corriger']")
    assert account(database).eligible_at is None
    assert "Il vous reste 4 essais sur les 6 prochaines heures." in client_request.get(
        "/inscription/eligibilite").text_of(".notice")
    assert newest_message(not_in_directory.application, EMAIL).kind == "eligibility_not_eligible"


def test_a_refusal_says_how_to_reach_the_operators_advisors(app, not_in_directory, client_request):
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    assert client_request.get(WAITING).select(".advisors") == []  # none configured: nothing said
    reconfigure(app, ADVISORS_CONTACT="3646, du lundi au vendredi de 8 h 30 à 17 h 30",
                ADVISORS_URL="https://assure.exemple.fr/contact")
    page = client_request.get(WAITING)
    advisors = page.select_one("#eligibility-status .advisors")
    assert normalize_spaces(advisors.get_text()) == \
        "Besoin d’aide ? Nos conseillers : 3646, du lundi au vendredi de 8 h 30 à 17 h 30. Contacter un conseiller"
    assert advisors.select_one("a")["href"] == "https://assure.exemple.fr/contact"


def test_the_outcome_names_the_identifier_and_the_window_the_operator_configured(
        not_in_directory, app, client_request):
    """The words come from the settings, not from the template (two bugs found in review:
    "numéro d’adhérent" and "6 prochaines heures" whatever was configured)."""
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    lines = [item.get_text() for item in client_request.get(WAITING).select("#eligibility-status li")]
    assert "votre numéro d’adhérent ;" in lines
    reconfigure(app, IDENTIFIER_KIND="nir", ELIGIBILITY_WINDOW_HOURS=3)
    lines = [item.get_text() for item in client_request.get(WAITING).select("#eligibility-status li")]
    assert "votre numéro de sécurité sociale ;" in lines and "votre numéro d’adhérent ;" not in lines
    assert client_request.get("/inscription/eligibilite").text_of(".notice") == \
        "Il vous reste 4 essais sur les 3 prochaines heures."


def test_at_most_five_refusals_in_six_hours(not_in_directory, client_request):
    for _ in range(5):
        client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    page = client_request.post("/inscription/eligibilite", {}, status=429)
    assert re.search(r"réessayer à partir de \d\d:\d\d", page.text_of("main"))
    with not_in_directory.application.app_context():  # six hours later (the sign-in would have expired)
        for check in db.session.query(EligibilityCheck):
            check.finished_at -= timedelta(hours=6, minutes=1)
        db.session.commit()
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)


def test_correcting_the_answers_then_checking_again(client, client_request, database):
    confirmed_phone(client, EMAIL, role="beneficiary")
    with client.application.app_context():
        person = db.session.query(Account).filter_by(email=EMAIL).one()
        person.answers = {**person.answers, "identity": {**person.answers["identity"], "identifier": "10203051"}}
        db.session.commit()
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    assert checks(database)[-1][0] == "not_found"
    page = client_request.get("/inscription/eligibilite/corriger")
    assert page.select_one("#identifier").get("value", "") == ""  # never written back into a page
    assert "10203051" not in str(page) and "•••••051" in page.text_of("#identifier-hint")
    assert page.select_one("#subscriber_first_name")["value"] == "Isabelle"
    form = {"last_name": "DUPONT", "first_name": "jean", "birth_date-day": "06", "birth_date-month": "03",
            "birth_date-year": "1977", "identifier": "1020 3050", "subscriber_last_name": "Dupont",
            "subscriber_first_name": "Isabelle", "subscriber_birth_date-day": "21",
            "subscriber_birth_date-month": "12", "subscriber_birth_date-year": "1980"}
    client_request.post("/inscription/eligibilite/corriger", form, expect_redirect=WAITING)  # checked again at once
    assert checks(database)[-1][0] == "eligible"


CORRECTED = {"last_name": "Durand", "first_name": "Paul", "birth_date-day": "1", "birth_date-month": "1",
             "birth_date-year": "1990", "identifier": "99999999", "subscriber_last_name": "Durand",
             "subscriber_first_name": "Marie", "subscriber_birth_date-day": "2",
             "subscriber_birth_date-month": "2", "subscriber_birth_date-year": "1960"}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_identity_the_insurer_confirmed_cannot_be_rewritten(ready, client_request, database, language):
    """The attacker's case: the session left after activation rewrites an eligible identity."""
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    with ready.session_transaction() as session:
        session["lang"] = language
    before = account(database)
    assert before.eligible_at is not None
    page = client_request.get("/inscription/eligibilite/corriger", status=403)
    expected = {"fr": "Vos informations ne peuvent plus être modifiées ici",
                "en": "Your details can no longer be changed here"}[language]
    assert page.text_of("h1") == expected
    assert page.select_one("form") is None or page.select_one("input[name=last_name]") is None
    client_request.post("/inscription/eligibilite/corriger", CORRECTED, status=403)
    after = account(database)
    assert after.answers == before.answers and after.contract_number == before.contract_number


def test_a_signed_in_person_cannot_rewrite_a_confirmed_identity(client, client_request, database):
    from tests.views.sign_in_support import make_account, sign_in
    make_account(client.application)
    sign_in(client, channel="sms")
    before = account(database).answers
    client_request.post("/inscription/eligibilite/corriger", CORRECTED, status=403)
    assert account(database).answers == before


def test_no_correction_while_the_insurer_is_asked(ready, client_request, database):
    queued_check(ready.application)
    before = account(database).answers
    client_request.post("/inscription/eligibilite/corriger", CORRECTED, expect_redirect=WAITING)
    assert account(database).answers == before


@pytest.mark.parametrize(("changes", "message"), [
    ({"identifier": "12"}, "Le numéro d’adhérent doit comporter 8 chiffres"),
    ({"first_name": "<b>Jean</b>"},
     "Le prénom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"),
    ({"birth_date-day": "31", "birth_date-month": "2"}, "La date de naissance doit être une date réelle"),
])
def test_a_correction_with_a_mistake(not_in_directory, client_request, database, changes, message):
    before = account(database).answers
    form = {"last_name": "Dupont", "first_name": "Jean", "birth_date-day": "6", "birth_date-month": "3",
            "birth_date-year": "1977", "identifier": "10203050", **changes}
    assert client_request.post("/inscription/eligibilite/corriger", form).errors() == [message]
    assert account(database).answers == before


def test_the_waiting_screen_polls_and_announces_each_stage_once(ready, client_request):
    check_id = queued_check(ready.application)
    page = client_request.get(WAITING)
    status = page.select_one("#eligibility-status")
    assert status["data-hx-trigger"] == "every 2s" and status["data-hx-swap"] == "outerHTML"
    assert status["data-hx-get"] == f"{STATUS}?verification={check_id}&vu=0"
    assert page.select_one("a[href='/inscription/verification-en-cours']").get_text() == "Mettre à jour"
    assert page.select_one("meta[http-equiv=refresh]") is None
    same = client_request.get(f"{STATUS}?verification={check_id}&vu=0", htmx=True)
    assert same.select_one("#wizard-status") is None  # nothing new: nothing said
    with ready.application.app_context():
        db.session.get(EligibilityCheck, check_id).stage = eligibility.CONTACTING
        db.session.commit()
    moved = client_request.get(f"{STATUS}?verification={check_id}&vu=0", htmx=True)
    assert moved.text_of("#wizard-status") == "Mise en relation avec votre complémentaire santé"
    assert "En cours : Mise en relation" in moved.text_of(".stage--current")


def test_everyone_at_the_same_stage_polls_their_own_check(ready, app, client_request):
    """The fragment of a check in progress is made once per stage and language, then filled
    in: each poll still names its own check, and a stage's change shows at once."""
    first = queued_check(app)
    with app.app_context():
        row = db.session.get(EligibilityCheck, first)
        second = EligibilityCheck(id="second-check_0", account_id=row.account_id, status=row.status,
                                  stage=row.stage, unreachable=0, runs=0, created_at=row.created_at,
                                  updated_at=row.updated_at)
        db.session.add(second)
        db.session.commit()
    for check_id in (first, "second-check_0", first):
        fragment = client_request.get(f"{STATUS}?verification={check_id}&vu=0", htmx=True)
        assert fragment.select_one("#eligibility-status")["data-hx-get"] == f"{STATUS}?verification={check_id}&vu=0"
    assert fragment.text_of("#eligibility-refresh") == "Mettre à jour"
    ready.post("/langue", data={"lang": "en", "next": WAITING})
    english = client_request.get(f"{STATUS}?verification={first}&vu=0", htmx=True)
    assert english.text_of("#eligibility-refresh") == "Update"


def test_the_status_endpoint_only_reads(ready, client, app):
    check_id = queued_check(app)
    client.get(WAITING)
    writes = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(f"{STATUS}?verification={check_id}&vu=0", headers={"HX-Request": "true"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert writes == [] and "Set-Cookie" not in response.headers


def test_nobody_reads_someone_elses_check(ready, app):
    check_id = queued_check(app)
    assert app.test_client().get(f"{STATUS}?verification={check_id}").status_code == 404
    assert app.test_client().get(f"{STATUS}?verification=guess").status_code == 404


def test_a_session_ended_or_left_idle_reads_no_check(ready, app, monkeypatch):
    check_id = queued_check(app)
    poll = f"{STATUS}?verification={check_id}&vu=0"
    assert ready.get(poll, headers={"HX-Request": "true"}).status_code == 200
    later(monkeypatch, hours=13)  # past the session's idle and absolute limits
    assert ready.get(poll, headers={"HX-Request": "true"}).status_code == 404
    monkeypatch.undo()
    with app.app_context():
        db.session.query(AccountSession).update({"ended_at": clock.now()})  # signed out elsewhere
        db.session.commit()
    assert ready.get(poll, headers={"HX-Request": "true"}).status_code == 404


def test_after_two_minutes_polling_stops_and_the_email_is_promised(ready, client_request, monkeypatch):
    check_id = queued_check(ready.application)
    later(monkeypatch, minutes=2, seconds=1)
    fragment = client_request.get(f"{STATUS}?verification={check_id}&vu=0", htmx=True)
    assert fragment.select_one("#eligibility-status").get("data-hx-trigger") is None
    assert "plus de temps que d’habitude" in fragment.text_of("#eligibility-status")
    assert fragment.select_one("a[href='/inscription/verification-en-cours']").get_text() == "Vérifier à nouveau"


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_a_worker_that_died_is_replaced(ready, app, client_request, database, monkeypatch):
    check_id = queued_check(app)
    with app.app_context():
        assert eligibility.claim(db.session, check_id, clock.now(), eligibility.EligibilitySettings())
    assert checks(database) == [("running", 1)]  # ... and the worker dies here
    with app.app_context():
        assert jobs.function("sweep_eligibility")() == 0  # its lease still holds
    later(monkeypatch, seconds=61)
    result = app.test_cli_runner().invoke(args=["sweep-eligibility"])
    assert result.output.strip() == "1 check(s) restarted"
    assert checks(database) == [("eligible", 3)]


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_a_job_that_comes_too_late_does_nothing(ready, app, client_request, database):
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    [(status, _)] = checks(database)
    check_id = database(lambda s: s.query(EligibilityCheck.id).scalar())
    with app.app_context():
        assert jobs.function("check_eligibility")(check_id) is None
    assert checks(database) == [(status, 3)]


@pytest.fixture
def insurer_api(app):
    from http.server import ThreadingHTTPServer
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeInsurer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeInsurer.received.clear()
    reconfigure(app, INSURER_API_URL=f"http://127.0.0.1:{server.server_port}/", INSURER_API_TOKEN="t",
                      INSURER_TIMEOUT_SECONDS=1)
    app.extensions.pop("sesame.insurer", None)
    yield FakeInsurer
    server.shutdown()


def test_an_unreachable_insurer_costs_nothing_and_is_retried(ready, app, insurer_api, client_request, database):
    insurer_api.script = {"code": 503}
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    assert checks(database) == [("retrying", 2)]
    page = client_request.get(WAITING)
    assert "Service temporairement indisponible" in page.text_of("#eligibility-status")
    runner = app.extensions[jobs.EXTENSION].runner
    assert [delay for delay, _ in runner.scheduled] == [5.0]
    insurer_api.script = {"answer": {"status": "eligible", "contract_number": "C-9"}}
    with app.app_context():
        db.session.get(EligibilityCheck, database(lambda s: s.query(EligibilityCheck.id).scalar())).next_try_at = \
            clock.now()
        db.session.commit()
    runner.run_scheduled()
    assert checks(database) == [("eligible", 3)]
    assert account(database).contract_number == "C-9"
    # The waiting screen's poll gets the outcome, with the number the insurer gave.
    status = page.select_one("#eligibility-status")["data-hx-get"]
    assert "Votre numéro de contrat : C-9" in client_request.get(status, htmx=True).text_of(".panel--success")


def test_an_insurer_down_for_a_day_is_a_clear_outcome(ready, app, insurer_api, client_request, database):
    insurer_api.script = {"delay": 1.5, "answer": {"status": "eligible"}}  # times out
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    with app.app_context():  # a day of retries later
        check = db.session.query(EligibilityCheck).one()
        check.created_at -= timedelta(hours=25)
        check.next_try_at = clock.now()
        db.session.commit()
    app.extensions[jobs.EXTENSION].runner.run_scheduled()
    assert checks(database)[0][0] == "failed"
    assert newest_message(app, EMAIL).kind == "eligibility_insurer_unavailable"
    page = client_request.get(WAITING)
    assert "Aucun essai ne vous a été décompté" in page.text_of("#eligibility-status")
    assert "Il vous reste" not in client_request.get("/inscription/eligibilite").text_of("main")


def test_confirming_again_after_a_yes_asks_nothing_more(ready, client_request, database):
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)
    client_request.post("/inscription/eligibilite", {}, expect_redirect=WAITING)  # Back, then the button
    assert checks(database) == [("eligible", 3)]
    mails = database(lambda s: s.query(OutboxMessage).filter_by(kind="eligibility_eligible").count())
    assert mails == 1


@pytest.mark.postgres  # two runs of one check at the same moment: on PostgreSQL
def test_a_run_overtaken_while_the_insurer_answers_writes_and_sends_nothing(ready, app, database):
    """Its lease runs out while the insurer thinks; a sweeper gives the check to another
    run, which answers; the first one's answer then comes back: it is dropped."""
    from wizard import settings
    from wizard.eligibility import checks as check_jobs
    check_id = queued_check(app)
    outcomes = []

    def overtaken_then_answer(applicant):
        def other_run():
            with app.app_context(), app.test_request_context("/"):
                later = lambda: clock.now() + timedelta(minutes=5)  # noqa: E731 (the first lease is over)
                deps = eligibility.Run(ask=check_jobs.insurer().check, now=later,
                                       tell_outcome=check_jobs._tell_outcome, again_in=lambda *_: None)
                outcomes.append(eligibility.run(db.session, check_id, settings.eligibility_settings(), deps))
        thread = threading.Thread(target=other_run)
        thread.start()
        thread.join()
        return check_jobs.insurer().check(applicant)

    with app.app_context(), app.test_request_context("/"):
        deps = eligibility.Run(ask=overtaken_then_answer, now=clock.now, tell_outcome=check_jobs._tell_outcome,
                               again_in=lambda *_: None)
        first = eligibility.run(db.session, check_id, settings.eligibility_settings(), deps)
    assert (first, outcomes) == (None, ["eligible"])
    assert [status for status, _runs in checks(database)] == ["eligible"]
    assert database(lambda s: s.query(OutboxMessage).filter(OutboxMessage.kind.like("eligibility_%")).count()) == 1


def test_a_correction_that_leaves_the_identifier_empty_keeps_it(not_in_directory, client_request, database):
    before = account(database).answers["identity"]["identifier"]
    form = {"last_name": "Durand", "first_name": "Jean", "birth_date-day": "6", "birth_date-month": "3",
            "birth_date-year": "1977", "identifier": ""}
    # A correction runs the check again (issue 14): straight to the waiting screen.
    client_request.post("/inscription/eligibilite/corriger", form, expect_redirect="/inscription/verification-en-cours")
    identity = account(database).answers["identity"]
    assert (identity["identifier"], identity["last_name"]) == (before, "Durand")
