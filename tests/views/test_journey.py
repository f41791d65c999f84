"""The journey as a whole: order, guards, changes from the summary, state on the server."""
from datetime import timedelta

import pytest

from tests.conftest import IDENTITY, SUBSCRIBER, at_step, current_captcha_code, pass_captcha, reconfigure, walk_to
from wizard.core import clock
from wizard.signup.models import Journey


def test_a_beneficiary_goes_through_every_step(client, client_request, journey_answers):
    """The one walk over HTTP, CAPTCHA included; the other tests start at a step (at_step)."""
    walk_to(client, "recapitulatif", role="beneficiary")
    page = client_request.get("/inscription/recapitulatif")
    assert page.text_of("h1") == "Étape 5 sur 6 : Vérifiez vos réponses"
    rows = {r.select_one("dt").get_text(): r.select("dd")[0].get_text() for r in page.select(".summary-row")}
    assert rows == {"Nom de famille": "Dupont", "Prénom(s)": "Jean", "Date de naissance": "6 mars 1977",
                    "Numéro d’adhérent": "10203050",
                    "Souscripteur du contrat": "Une autre personne : je suis bénéficiaire de son contrat "
                                               "(conjoint, enfant…)",
                    "Nom de famille du souscripteur": "Dupont", "Prénom(s) du souscripteur": "Isabelle",
                    "Date de naissance du souscripteur": "21 décembre 1980"}
    assert [a["href"] for a in page.select(".summary-action a")] == \
        ["/inscription/identite"] * 4 + ["/inscription/qualite"] + ["/inscription/souscripteur"] * 3
    client_request.post("/inscription/recapitulatif", {"accept_terms": "y"},
                        expect_redirect="/inscription/identifiants")
    summary = journey_answers()["summary"]
    assert summary["terms_version"] == "2026-11-01" and summary["privacy_version"] == "2026-11-01"
    assert summary["accepted_at"].startswith(clock.now().date().isoformat())
    assert client_request.get("/inscription/identifiants").text_of("h1") == \
        "Étape 6 sur 6 : Votre adresse e-mail et votre mot de passe"


def test_a_subscriber_skips_the_subscriber_step(client, client_request):
    at_step(client, "qualite")
    client_request.post("/inscription/qualite", {"role": "subscriber"}, expect_redirect="/inscription/recapitulatif")
    assert client_request.get("/inscription/recapitulatif").text_of("h1") == "Étape 4 sur 5 : Vérifiez vos réponses"
    client_request.get("/inscription/souscripteur", status=303)


def test_terms_must_be_accepted(client, client_request, journey_answers):
    at_step(client, "recapitulatif")
    page = client_request.post("/inscription/recapitulatif", {})
    assert page.errors() == ["Pour continuer, acceptez les conditions générales d’utilisation"]
    assert "summary" not in journey_answers()


@pytest.mark.parametrize("slug", ["identite", "qualite", "souscripteur", "recapitulatif", "identifiants"])
def test_a_step_out_of_order_sends_the_person_to_their_step(client, slug):
    at_step(client, "identite")
    response = client.get(f"/inscription/{slug}")
    if slug == "identite":
        assert response.status_code == 200
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/inscription/identite"


def test_posting_a_later_step_early_changes_nothing(client, journey_answers):
    at_step(client, "identite")
    response = client.post("/inscription/recapitulatif", data={"accept_terms": "y"})
    assert response.headers["Location"] == "/inscription/identite"
    assert "summary" not in journey_answers()


def test_unknown_step_is_not_found(client_request):
    client_request.get("/inscription/etape-inconnue", status=404)


def test_a_change_from_the_summary_returns_to_the_summary(client, client_request, journey_answers):
    at_step(client, "identifiants")
    client_request.get("/inscription/identite")
    client_request.post("/inscription/identite", {**IDENTITY, "first_name": "Jean Pierre"},
                        expect_redirect="/inscription/recapitulatif")
    answers = journey_answers()
    assert "summary" not in answers and answers["subscriber"]["subscriber_first_name"] == "Isabelle"
    assert client_request.get("/inscription/recapitulatif").select_one("input#accept_terms").get("checked") is None


def test_becoming_the_subscriber_clears_the_subscriber_answers(client, client_request, journey_answers):
    at_step(client, "identifiants")
    client_request.post("/inscription/qualite", {"role": "subscriber"}, expect_redirect="/inscription/recapitulatif")
    assert "subscriber" not in journey_answers()
    client_request.post("/inscription/qualite", {"role": "beneficiary"}, expect_redirect="/inscription/souscripteur")
    page = client_request.get("/inscription/souscripteur")
    assert page.select_one("#subscriber_last_name")["value"] == ""


def test_answers_are_shown_again_when_going_back(client, client_request):
    at_step(client, "recapitulatif")
    page = client_request.get("/inscription/souscripteur")
    assert page.select_one("#subscriber_first_name")["value"] == SUBSCRIBER["subscriber_first_name"]
    assert page.select_one("a.back-link")["href"] == "/inscription/qualite"
    assert client_request.get("/inscription/qualite").select_one("#role-1").has_attr("checked")


def test_htmx_gets_the_partial_with_its_title_status_and_url(client, client_request):
    at_step(client, "qualite")
    page = client_request.get("/inscription/qualite", htmx=True)
    assert page.select_one("html, header, footer") is None
    assert page.text_of("title") == "Étape 3 sur 5 : Votre lien avec le contrat — Sésame — Mutuelle Démo"
    assert page.select_one("section#wizard-step")
    assert page.select_one("#wizard-status")["data-hx-swap-oob"] == "innerHTML"
    assert page.text_of("#wizard-status") == "Étape 3 sur 5 : Votre lien avec le contrat"
    assert page.response.headers["HX-Push-Url"] == "/inscription/qualite"
    assert "HX-Request" in page.response.headers["Vary"]
    # HTMX is set up once, on the frame: its form (and links) are boosted, and the answer
    # replaces the frame; the form itself carries only what HTML needs.
    frame = page.select_one("section#wizard-step")
    assert (frame["data-hx-boost"], frame["data-hx-target"], frame["data-hx-swap"]) == ("true", "this", "outerHTML")
    form = frame.select_one("form")
    assert form["action"] == "/inscription/qualite" and form["method"] == "post"
    assert [name for name in form.attrs if name.startswith("data-hx-")] == []
    # Focus goes to the new heading once swapped in (HTMX honours autofocus).
    assert page.select("[autofocus]") == page.select("h1#step-heading[tabindex='-1']")


def test_a_history_restore_gets_the_whole_page(client, client_request):
    at_step(client, "qualite")
    response = client.get("/inscription/qualite",
                          headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)
    assert "HX-Push-Url" not in response.headers


def test_an_error_met_by_a_boosted_link_keeps_the_address(client):
    """HTMX pushes a boosted link's address unless told not to; an error page is no screen
    to come back to (of the errors, HTMX swaps only a 429 in; a 404 stands for them)."""
    boosted = client.get("/inscription/etape-inconnue", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 404 and "<html" not in boosted.get_data(as_text=True)
    assert boosted.headers["HX-Push-Url"] == "false"
    polled = client.get("/inscription/etape-inconnue", headers={"HX-Request": "true"})
    assert "HX-Push-Url" not in polled.headers


def test_a_plain_request_gets_the_whole_page(client, client_request):
    at_step(client, "qualite")
    page = client_request.get("/inscription/qualite")
    assert page.select_one("html")["lang"] == "fr"
    assert page.select_one("#wizard-status[role=status]").get_text() == ""
    assert page.select_one("a.skip-link")["href"] == "#main"
    assert page.select("[autofocus]") == []  # a page load starts at the top, skip link first


def test_a_tampered_cookie_starts_a_fresh_journey(app, client):
    at_step(client, "qualite")
    client.set_cookie("sesame", "eyJqb3VybmV5IjoiZm9yZ2VkIn0.forged.signature")
    response = client.get("/inscription/qualite")
    assert response.headers["Location"] == "/inscription/verification"


def test_a_cookie_for_a_journey_that_does_not_exist_starts_afresh(database, client):
    at_step(client, "qualite")
    database(lambda session: (session.query(Journey).delete(), session.commit()))
    assert client.get("/inscription/qualite").headers["Location"] == "/inscription/verification"


def test_an_idle_journey_expires(client, client_request, monkeypatch):
    at_step(client, "qualite")
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.get("/inscription/qualite")
    assert response.headers["Location"] == "/inscription/verification"
    page = client_request.get("/inscription/verification")
    assert "Votre session a expiré" in page.text_of(".notice")


def test_the_purge_command_deletes_idle_journeys(app, database, client, monkeypatch):
    at_step(client, "qualite")
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    result = app.test_cli_runner().invoke(args=["purge-journeys"])
    assert result.output.strip() == "1 journey(s) deleted, 0 FranceConnect flow(s), 0 start code(s), 0 spent CAPTCHA(s)"
    assert database(lambda session: session.query(Journey).count()) == 0


def test_two_people_have_two_journeys(app, database, client):
    at_step(client, "qualite")
    other = app.test_client()
    assert other.get("/inscription/qualite").headers["Location"] == "/inscription/verification"
    pass_captcha(other)
    assert database(lambda session: session.query(Journey).count()) == 2


def test_language_switch_keeps_the_step_and_the_answers(client, client_request):
    at_step(client, "recapitulatif")
    client_request.post("/langue", {"lang": "en", "next": "/inscription/recapitulatif"},
                        expect_redirect="/inscription/recapitulatif")
    page = client_request.get("/inscription/recapitulatif")
    assert page.select_one("html")["lang"] == "en"
    assert page.text_of("h1") == "Step 5 of 6: Check your answers"
    assert "Dupont" in page.text_of(".summary-list")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_language_switch_never_leaves_the_site(client_request, target):
    client_request.post("/langue", {"lang": "en", "next": target}, expect_redirect="/")


def test_an_unknown_language_is_ignored(client_request):
    client_request.post("/langue", {"lang": "xx", "next": "/"}, expect_redirect="/")
    assert client_request.get("/").select_one("html")["lang"] == "fr"


def test_the_steps_warn_before_the_journey_expires(client, client_request):
    at_step(client, "qualite")
    dialog = client_request.get("/inscription/qualite").select_one("dialog#session-timeout")
    assert (dialog["data-idle-seconds"], dialog["data-warning-seconds"]) == ("1800", "120")
    assert dialog["data-status-url"] == "/inscription/session" and dialog["data-expired-url"] == "/inscription/"
    assert dialog.select_one("h2").get_text() == "Votre inscription va expirer"
    assert dialog.select_one("form[action='/inscription/session'] button").get_text() == "Continuer mon inscription"
    assert "Votre inscription expirera dans 2 minutes." in dialog["data-announcements"]


def test_reading_the_time_left_is_not_activity_staying_is(client, database, monkeypatch):
    at_step(client, "qualite")
    before = database(lambda s: s.query(Journey).one().updated_at)
    later = clock.now() + timedelta(minutes=20)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert 590 <= client.get("/inscription/session").get_json()["seconds_left"] <= 600
    assert database(lambda s: s.query(Journey).one().updated_at) == before
    stayed = client.post("/inscription/session", headers={"Accept": "application/json"}).get_json()
    assert stayed["seconds_left"] == 1800
    assert client.post("/inscription/session").headers["Location"] == "/inscription/qualite"  # without JS


def test_no_journey_warning_on_a_kiosk_or_outside_the_steps(client, client_request):
    at_step(client, "qualite")
    assert client_request.get("/").select_one("#session-timeout") is None
    client.post("/borne/commencer", data={"kiosque": "agence-paris-11"})
    at_step(client, "qualite")
    assert client_request.get("/inscription/qualite").select_one("#session-timeout") is None


def test_journeys_are_written_up_to_a_limit_per_ip(app, database):
    """A journey is written when its CAPTCHA is passed: a script passing it again and again is stopped."""
    reconfigure(app, RATELIMIT_NEW_JOURNEY="3 per minute")
    for _ in range(3):
        pass_captcha(app.test_client())
    refused = app.test_client()
    refused.get("/inscription/verification")
    response = refused.post("/inscription/verification", data={"code": current_captcha_code(refused)})
    assert response.status_code == 429 and "réessayer dans" in response.get_data(as_text=True)
    assert database(lambda session: session.query(Journey).count()) == 3
