"""Signing up through FranceConnect: no CAPTCHA, the identity from FranceConnect (shown,
not editable), the rest of the journey as usual, a password optional."""
import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import PASSWORD, Page
from tests.franceconnect.support import ISABELLE, through_franceconnect
from wizard.accounts.models import Account
from wizard.extensions import db
from wizard.signup.models import Journey


@pytest.fixture
def app(new_app, provider):
    return new_app(**provider.config())


def answer(client, slug, data, then):
    response = client.post(f"/inscription/{slug}", data=data)
    assert response.status_code == 303 and response.headers["Location"] == then, response.get_data(as_text=True)
    return response


def to_credentials(client, provider, identity_extra=None):
    response = through_franceconnect(client, provider, "isabelle")
    assert response.headers["Location"] == "/inscription/identite"  # no CAPTCHA
    answer(client, "identite", {"identifier": "10203040", **(identity_extra or {})}, "/inscription/qualite")
    answer(client, "qualite", {"role": "subscriber"}, "/inscription/recapitulatif")
    answer(client, "recapitulatif", {"accept_terms": "y"}, "/inscription/identifiants")


def test_the_identity_step_shows_franceconnect_s_identity_and_asks_only_the_card_number(client_request, provider):
    through_franceconnect(client_request.client, provider, "isabelle")
    shown = client_request.get("/inscription/identite")
    given = [" ".join(row.get_text(" ").split()) for row in shown.select(".from-franceconnect .summary-row")]
    assert given == ["Nom de naissance DUPONT", "Prénom(s) Isabelle", "Date de naissance 21 décembre 1980"]
    assert "Transmis par FranceConnect" in shown.text_of(".from-franceconnect h2")
    assert [field["name"] for field in shown.select("form input:not([type=hidden])")] == ["identifier"]
    assert "Étape 2 sur" in shown.text_of("h1")


def test_a_person_signs_up_without_a_password(app, client, provider):
    to_credentials(client, provider)
    form = Page(client.get("/inscription/identifiants").get_data(as_text=True), "html.parser")
    assert form.select_one("input[name=email]")["value"] == ISABELLE["email"]
    assert form.select_one("input[name=email_confirmation]")["value"] == ISABELLE["email"]
    assert "Mot de passe (facultatif)" in form.text_of("label[for=password]")
    answer(client, "identifiants", {"email": ISABELLE["email"], "email_confirmation": ISABELLE["email"]},
           "/inscription/verifiez-vos-emails")
    with app.app_context():
        account = db.session.query(Account).one()
        assert account.status == "pending"  # the activation email still proves the address
        assert account.password_hash is None and account.franceconnect_sub == ISABELLE["sub"]
        assert account.answers["identity"] == {"last_name": "DUPONT", "first_name": "Isabelle",
                                               "birth_date": "1980-12-21", "identifier": "10203040"}


def test_a_password_may_be_chosen_and_obeys_the_rules(app, client, provider):
    to_credentials(client, provider)
    email = {"email": ISABELLE["email"], "email_confirmation": ISABELLE["email"]}
    refused = Page(client.post("/inscription/identifiants", data={**email, "password": "court",
                                                                   "password_confirmation": "court"})
                   .get_data(as_text=True), "html.parser")
    assert "Le mot de passe doit comporter au moins 12 caractères" in refused.errors()
    answer(client, "identifiants", {**email, "password": PASSWORD, "password_confirmation": PASSWORD},
           "/inscription/verifiez-vos-emails")
    with app.app_context():
        assert db.session.query(Account).one().password_hash.startswith("$argon2id$")


def test_the_identity_from_franceconnect_cannot_be_changed_by_the_form(app, client, provider):
    to_credentials(client, provider, identity_extra={"last_name": "MALLORY", "first_name": "Eve",
                                                     "birth_date-day": "1", "birth_date-month": "1",
                                                     "birth_date-year": "2000"})
    with app.app_context():
        identity = db.session.query(Journey).one().answers["identity"]
    assert (identity["last_name"], identity["first_name"], identity["birth_date"]) == \
        ("DUPONT", "Isabelle", "1980-12-21")


def test_only_the_claims_asked_for_are_kept_in_the_journey(app, client, provider):
    through_franceconnect(client, provider, "isabelle")
    with app.app_context():
        answers = db.session.query(Journey).one().answers
    assert answers["franceconnect"] == ISABELLE  # no gender, no birthplace: not asked for
    assert answers["captcha"]["by"] == "franceconnect"


def test_a_journey_in_progress_is_replaced_not_kept(app, client, provider):
    client.get("/inscription/verification")
    through_franceconnect(client, provider, "isabelle")
    with app.app_context():
        assert db.session.query(Journey).count() == 1


def test_once_signed_up_the_identity_waits_for_the_activation(app, client, provider):
    to_credentials(client, provider)
    answer(client, "identifiants", {"email": ISABELLE["email"], "email_confirmation": ISABELLE["email"]},
           "/inscription/verifiez-vos-emails")
    other = app.test_client()
    response = through_franceconnect(other, provider, "isabelle")
    assert response.status_code == 403
    shown = Page(response.get_data(as_text=True), "html.parser")
    assert shown.text_of("h1") == "Votre compte n’est pas encore prêt"
    with app.app_context():
        assert db.session.query(Account).count() == 1


def test_compound_and_accented_names_from_franceconnect_reach_the_account(app, client, provider):
    response = through_franceconnect(client, provider, "jean")
    assert response.headers["Location"] == "/inscription/identite"
    answer(client, "identite", {"identifier": "20304050"}, "/inscription/qualite")
    answer(client, "qualite", {"role": "subscriber"}, "/inscription/recapitulatif")
    answer(client, "recapitulatif", {"accept_terms": "y"}, "/inscription/identifiants")
    answer(client, "identifiants", {"email": "jean.martin@exemple.fr", "email_confirmation": "jean.martin@exemple.fr"},
           "/inscription/verifiez-vos-emails")
    with app.app_context():
        identity = db.session.query(Account).one().answers["identity"]
    assert (identity["last_name"], identity["first_name"]) == ("MARTIN-LEFÈVRE", "Jean-Étienne")


def test_the_button_is_not_shown_on_a_kiosk(client, provider):
    assert "fr-connect" in client.get("/connexion").get_data(as_text=True)
    assert client.post("/borne/commencer", data={"kiosque": "agence-demo"}).status_code == 303
    on_kiosk = Page(client.get("/connexion").get_data(as_text=True), "html.parser")
    assert on_kiosk.select_one("form[action='/connexion']") is not None and on_kiosk.select_one(".fr-connect") is None


def test_what_franceconnect_says_is_never_logged(client, provider, caplog):
    caplog.set_level(logging.DEBUG)
    through_franceconnect(client, provider, "isabelle")
    logged = "\n".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert "127.0.0.1" in logged  # the HTTP client's own debug lines are caught: the check can fail
    for secret in (ISABELLE["sub"], ISABELLE["family_name"], ISABELLE["email"], ISABELLE["birthdate"], "id_token"):
        assert secret not in logged


def test_each_flow_has_its_own_state_and_nonce_of_at_least_32_characters(client, provider):
    seen = set()
    for _ in range(2):
        query = parse_qs(urlsplit(client.post("/franceconnect/connexion").headers["Location"]).query)
        state, nonce = query["state"][0], query["nonce"][0]
        assert len(state) >= 32 and len(nonce) >= 32 and state != nonce
        seen |= {state, nonce}
    assert len(seen) == 4


def test_without_the_birth_date_from_franceconnect_the_identity_is_typed_as_usual(new_app, provider):
    app = new_app(**provider.config(), FRANCECONNECT_SCOPES="openid given_name family_name email")
    client = app.test_client()
    assert through_franceconnect(client, provider, "isabelle").headers["Location"] == "/inscription/identite"
    shown = Page(client.get("/inscription/identite").get_data(as_text=True), "html.parser")
    assert shown.select_one(".from-franceconnect") is None
    assert shown.select_one("input[name=last_name]") is not None and shown.select_one("input[name=birth_date-day]")
    answer(client, "identite", {"last_name": "Dupont", "first_name": "Isabelle", "birth_date-day": "21",
                                "birth_date-month": "12", "birth_date-year": "1980", "identifier": "10203040"},
           "/inscription/qualite")
