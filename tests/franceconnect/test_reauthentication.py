"""An account without a password (opened through FranceConnect) proves the person before the
guarded actions of "Mon compte" by a fresh sign-in at FranceConnect (prompt=login, max_age),
as the identity linked to it: against the test provider, over real HTTP."""
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ClientRequest, Page
from tests.franceconnect.support import ISABELLE, UserAgent, link_sub, path_of, through_franceconnect
from tests.views.sign_in_support import PHONE, later, make_account, sign_in
from wizard.accounts.models import Account, AccountEvent
from wizard.extensions import db
from wizard.messaging.models import OutboxMessage

NEW_EMAIL = "isabelle.nouvelle@exemple.fr"


@pytest.fixture
def app(new_app, provider):
    return new_app(**provider.config())


@pytest.fixture
def signed_in(app, client, provider):
    """Isabelle's account, opened with FranceConnect, no password; signed in with it."""
    account_id = make_account(app)
    link_sub(app, account_id, ISABELLE["sub"])
    with app.app_context():
        db.session.get(Account, account_id).password_hash = None
        db.session.commit()
    assert through_franceconnect(client, provider, "isabelle").headers["Location"] == "/compte"
    return client


def reauthenticate(client, provider, what, user="isabelle", **scenario):
    """The page's "Confirmer avec FranceConnect"; FranceConnect passed through; the app's answer."""
    provider.scenario(user=user, **scenario)
    response = client.post("/franceconnect/reconfirmer", data={"what": what})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    asked = parse_qs(urlsplit(response.headers["Location"]).query)
    assert asked["prompt"] == ["login"] and asked["max_age"] == ["300"]  # a fresh sign-in, not the open session
    return client.get(path_of(UserAgent(provider).follow(response.headers["Location"])))


def account(app) -> Account:
    with app.app_context():
        found = db.session.query(Account).one_or_none()
        db.session.expunge_all()
        return found


@pytest.mark.parametrize(("path", "what"), [("/compte/mes-donnees", "data"), ("/compte/fermer", "close"),
                                            ("/compte/adresse", "email"), ("/compte/telephone", "phone")])
def test_each_guarded_page_offers_franceconnect_instead_of_a_password(signed_in, path, what):
    page = ClientRequest(signed_in).get(path)
    form = page.select_one("form[action='/franceconnect/reconfirmer']")
    assert form.select_one("input[name=what]")["value"] == what
    assert form.select_one("button").get_text() == "Confirmer avec FranceConnect"
    assert page.select_one("input[type=password]") is None
    # Without it, a password (there is none) proves nothing.
    assert signed_in.post(path, data={"current_password": "N'importe-quoi-1"}).status_code == 200
    assert signed_in.get("/compte/mes-donnees/consulter").headers["Location"] == "/compte/mes-donnees"


def test_my_data_after_a_fresh_sign_in_at_franceconnect(signed_in, provider):
    response = reauthenticate(signed_in, provider, "data")
    assert response.headers["Location"] == "/compte/mes-donnees/consulter"
    page = ClientRequest(signed_in).get("/compte/mes-donnees/consulter")
    assert page.text_of("h1") == "Mes données"
    data = signed_in.get("/compte/mes-donnees/telecharger").get_json()
    assert data["accounts"][0]["franceconnect_sub"] == ISABELLE["sub"] and data["accounts"][0]["password_hash"] is None


def test_closing_after_a_fresh_sign_in_at_franceconnect(app, signed_in, provider):
    assert reauthenticate(signed_in, provider, "close").headers["Location"] == "/compte/fermer"
    page = ClientRequest(signed_in).get("/compte/fermer")
    assert page.select_one("input[type=password]") is None
    assert page.select_one("form[action='/compte/fermer'] button").get_text() == "Fermer définitivement mon compte"
    ClientRequest(signed_in).post("/compte/fermer", {}, expect_redirect="/compte/ferme")
    assert account(app) is None


def test_a_new_address_after_a_fresh_sign_in_at_franceconnect(app, signed_in, provider):
    assert reauthenticate(signed_in, provider, "email").headers["Location"] == "/compte/adresse"
    ClientRequest(signed_in).post("/compte/adresse", {"email": NEW_EMAIL, "email_confirmation": NEW_EMAIL},
                                  expect_redirect="/compte/adresse/code")
    with app.app_context():
        assert db.session.query(OutboxMessage).filter_by(recipient=NEW_EMAIL, kind="new_email_code").count() == 1


def test_a_new_number_after_a_fresh_sign_in_then_a_code_to_the_current_phone(app, signed_in, provider, monkeypatch):
    assert reauthenticate(signed_in, provider, "phone").headers["Location"] == "/compte/telephone"
    later(monkeypatch, seconds=61)
    ClientRequest(signed_in).post("/compte/telephone", {"phone": "07 52 12 34 56"},
                                  expect_redirect="/compte/telephone/verification")
    with app.app_context():  # the code that proves the person goes to the current phone
        assert db.session.query(OutboxMessage).filter_by(channel="sms", recipient=PHONE).count() == 1
    assert account(app).phone == PHONE  # not before the codes


def test_another_identity_at_franceconnect_proves_nothing(app, signed_in, provider):
    response = reauthenticate(signed_in, provider, "data", user="jean")
    assert response.status_code == 403
    assert Page(response.get_data(as_text=True), "html.parser").select_one("h1").get_text() == \
        "Ce n’est pas l’identité FranceConnect de votre compte"
    assert signed_in.get("/compte/mes-donnees/consulter").headers["Location"] == "/compte/mes-donnees"


def test_a_sign_in_at_franceconnect_of_long_ago_proves_nothing(app, signed_in, provider):
    response = reauthenticate(signed_in, provider, "close", auth_time=str(int(time.time()) - 3600))
    assert response.status_code == 403
    assert Page(response.get_data(as_text=True), "html.parser").select_one("h1").get_text() == \
        "FranceConnect n’a pas redemandé votre identification"
    assert ClientRequest(signed_in).get("/compte/fermer").select_one("form[action='/franceconnect/reconfirmer']")
    assert account(app) is not None


@pytest.mark.parametrize("what", ["", "password", "<script>", "x" * 5000, "data\x00"])
def test_a_hostile_action_starts_nothing(signed_in, what):
    response = signed_in.post("/franceconnect/reconfirmer", data={"what": what})
    assert response.headers["Location"] == "/compte"


def test_an_account_with_a_password_keeps_the_password(app, client):
    make_account(app)
    sign_in(client)
    page = ClientRequest(client).get("/compte/mes-donnees")
    assert page.select_one("input[type=password]") and not page.select_one("form[action='/franceconnect/reconfirmer']")
    assert client.post("/franceconnect/reconfirmer", data={"what": "data"}).headers["Location"] == "/compte"
    with app.app_context():
        assert db.session.query(AccountEvent).filter_by(kind="franceconnect_sign_in").count() == 0


def test_in_english(signed_in, provider):
    signed_in.post("/langue", data={"lang": "en"})
    page = ClientRequest(signed_in).get("/compte/fermer")
    button = page.select_one("form[action='/franceconnect/reconfirmer'] button")
    assert button.get_text() == "Confirm with FranceConnect"
    assert page.text_of("#wizard-step p:has(+ form[action='/franceconnect/reconfirmer'])").startswith(
        "Your account has no password")
    refused = reauthenticate(signed_in, provider, "close", user="jean")
    assert Page(refused.get_data(as_text=True), "html.parser").select_one("h1").get_text() == \
        "This is not your account's FranceConnect identity"
