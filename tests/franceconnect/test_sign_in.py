"""Signing in through FranceConnect, linking and unlinking from "Mon compte", signing out
of both: the app's views against the test provider, over real HTTP."""
import pytest

from tests.conftest import Page
from tests.franceconnect.support import ISABELLE, UserAgent, link_sub, path_of, through_franceconnect
from tests.views.sign_in_support import make_account, session_token, sign_in
from wizard.accounts.models import Account, AccountEvent
from wizard.extensions import db
from wizard.franceconnect.models import FranceConnectFlow
from wizard.sign_in.models import AccountSession


@pytest.fixture
def app(new_app, provider):
    return new_app(**provider.config())


def page(response) -> Page:
    return Page(response.get_data(as_text=True), "html.parser")


def test_the_button_shows_on_the_landing_and_sign_in_pages_only_when_configured(client_request, new_app):
    for url in ("/", "/connexion"):
        shown = client_request.get(url)
        button = shown.select_one("form[action='/franceconnect/connexion'][method=post] button.fr-connect")
        assert button is not None and " ".join(button.get_text().split()) == "S’identifier avec FranceConnect"
        assert shown.select_one(".fr-connect-separator").get_text() == "ou"
        what = shown.select_one(".fr-connect-group a[href='https://franceconnect.gouv.fr/']")
        assert what["target"] == "_blank" and "Qu’est-ce que FranceConnect ?" in what.get_text()
    plain = new_app().test_client()
    for url in ("/", "/connexion"):
        assert "fr-connect" not in plain.get(url).get_data(as_text=True)
    assert plain.post("/franceconnect/connexion").status_code == 404
    assert plain.get("/franceconnect/retour?state=x&code=y").status_code == 404


def test_the_provider_is_a_form_action_the_page_allows(client, provider):
    assert f"form-action 'self' {provider.issuer};" in client.get("/").headers["Content-Security-Policy"]


def test_a_linked_person_signs_in_without_a_second_factor(app, client, provider):
    account_id = make_account(app)
    link_sub(app, account_id, ISABELLE["sub"])
    response = through_franceconnect(client, provider, "isabelle")
    assert response.status_code == 303 and response.headers["Location"] == "/compte"
    overview = page(client.get("/compte"))
    assert overview.select_one("h1").get_text() == "Mon compte"
    assert "Connexion avec FranceConnect" in overview.select_one("ul[aria-labelledby=activity-heading]").get_text()
    assert "Délier FranceConnect" in overview.select_one("form[action='/franceconnect/delier']").get_text()
    with app.app_context():
        row = db.session.get(AccountSession, _key(session_token(client)))
        assert row.kind == "sign_in" and row.franceconnect_id_token.count(".") == 2
        assert db.session.query(FranceConnectFlow).count() == 0  # used up


def _key(token):
    from wizard.sign_in import sessions
    return sessions.key(token)


def test_an_unfinished_signup_goes_on_at_its_next_stage(app, client, provider):
    link_sub(app, make_account(app, eligible=False), ISABELLE["sub"])
    response = through_franceconnect(client, provider, "isabelle")
    assert response.headers["Location"] == "/inscription/eligibilite"
    with app.app_context():
        assert db.session.query(AccountSession).one().kind == "signup"


def test_an_account_whose_address_is_not_proven_does_not_open(app, client, provider):
    link_sub(app, make_account(app, status="pending", eligible=False), ISABELLE["sub"])
    shown = page(through_franceconnect(client, provider, "isabelle"))
    assert shown.select_one("h1").get_text() == "Votre compte n’est pas encore prêt"
    assert session_token(client) is None


def test_an_unknown_identity_whose_email_has_an_account_is_never_attached(app, client, provider):
    account_id = make_account(app, email=ISABELLE["email"])
    shown = page(through_franceconnect(client, provider, "isabelle"))
    assert shown.select_one("h1").get_text() == "Un compte existe déjà avec cette adresse e-mail"
    assert shown.select_one("a[href='/connexion']") is not None
    with app.app_context():
        assert db.session.get(Account, account_id).franceconnect_sub is None
    assert session_token(client) is None


def test_linking_from_my_account_then_signing_in_with_it(app, client, provider):
    account_id = make_account(app)
    sign_in(client)
    response = through_franceconnect(client, provider, "jean", start="/franceconnect/lier")
    assert response.headers["Location"] == "/compte"
    overview = page(client.get("/compte"))
    assert overview.select_one(".notice").get_text().strip() == "Votre compte est lié à FranceConnect."
    with app.app_context():
        assert db.session.get(Account, account_id).franceconnect_sub.startswith("a1f7c3e9")
        assert [e.kind for e in db.session.query(AccountEvent).filter_by(account_id=account_id)][-1] == \
            "franceconnect_linked"
    client.post("/deconnexion")
    assert through_franceconnect(client, provider, "jean").headers["Location"] == "/compte"


def test_an_identity_linked_to_another_account_is_not_linked_again(app, client, provider):
    link_sub(app, make_account(app, email="autre@exemple.fr"), ISABELLE["sub"])
    mine = make_account(app)
    sign_in(client)
    shown = page(through_franceconnect(client, provider, "isabelle", start="/franceconnect/lier"))
    assert shown.select_one("h1").get_text() == "Cette identité FranceConnect est déjà liée à un autre compte"
    with app.app_context():
        assert db.session.get(Account, mine).franceconnect_sub is None


def test_linking_needs_a_full_sign_in(client, provider):
    response = client.post("/franceconnect/lier")
    assert response.headers["Location"] == "/connexion"


def test_unlinking_needs_a_password_on_the_account(app, client, provider):
    account_id = make_account(app)
    link_sub(app, account_id, ISABELLE["sub"])
    with app.app_context():
        db.session.get(Account, account_id).password_hash = None
        db.session.commit()
    through_franceconnect(client, provider, "isabelle")
    overview = page(client.get("/compte"))
    assert overview.select_one("form[action='/franceconnect/delier']") is None
    assert "choisissez d’abord un mot de passe" in overview.text
    client.post("/franceconnect/delier")
    with app.app_context():
        assert db.session.get(Account, account_id).franceconnect_sub == ISABELLE["sub"]


def test_unlinking(app, client, provider):
    account_id = make_account(app)
    link_sub(app, account_id, ISABELLE["sub"])
    through_franceconnect(client, provider, "isabelle")
    assert client.post("/franceconnect/delier").headers["Location"] == "/compte"
    assert "FranceConnect est délié" in page(client.get("/compte")).select_one(".notice").get_text()
    with app.app_context():
        assert db.session.get(Account, account_id).franceconnect_sub is None


def test_signing_out_ends_the_franceconnect_session_too(app, client, provider):
    link_sub(app, make_account(app), ISABELLE["sub"])
    through_franceconnect(client, provider, "isabelle")
    with app.app_context():
        id_token = db.session.query(AccountSession).one().franceconnect_id_token
    response = client.post("/deconnexion")
    assert response.headers["Location"].startswith(f"{provider.issuer}/session/end?id_token_hint={id_token}&state=")
    assert "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Ffranceconnect%2Fdeconnexion" in \
        response.headers["Location"]
    back = UserAgent(provider).follow(response.headers["Location"])
    landing = client.get(path_of(back))
    assert landing.headers["Location"] == "/"
    shown = page(client.get("/"))
    assert "Vous êtes déconnecté de votre compte et de FranceConnect." in shown.select_one(".notice").get_text()
    assert client.get("/compte").headers["Location"] == "/connexion"


def test_a_sign_in_with_a_password_signs_out_as_before(app, client, provider):
    make_account(app)
    sign_in(client)
    assert client.post("/deconnexion").headers["Location"] == "/deconnexion"


def test_a_forged_way_back_from_the_sign_out_says_nothing(client, provider):
    assert client.get("/franceconnect/deconnexion?state=forged").headers["Location"] == "/"
    assert page(client.get("/")).select_one(".notice") is None


def test_an_account_without_a_password_cannot_be_opened_with_one(app, client, provider):
    account_id = make_account(app)
    with app.app_context():
        db.session.get(Account, account_id).password_hash = None
        db.session.commit()
    refused = page(client.post("/connexion", data={"email": "jean.martin@exemple.fr", "password": ""}))
    assert refused.select_one(".error-summary") is not None
    refused = page(client.post("/connexion", data={"email": "jean.martin@exemple.fr", "password": "x" * 12}))
    assert refused.select_one(".error-summary") is not None and session_token(client) is None


def test_an_account_without_a_password_chooses_one_by_the_forgotten_password_then_may_unlink(app, client, provider):
    import re

    from tests.conftest import PASSWORD, newest_message
    account_id = make_account(app)
    link_sub(app, account_id, ISABELLE["sub"])
    with app.app_context():
        db.session.get(Account, account_id).password_hash = None
        db.session.commit()
    client.post("/mot-de-passe-oublie", data={"email": "jean.martin@exemple.fr"})
    code = re.search(r"^(\d{6})$", newest_message(app, "jean.martin@exemple.fr").body_text, re.M).group(1)
    assert client.post("/mot-de-passe-oublie/code", data={"code": code}).headers["Location"] == \
        "/mot-de-passe-oublie/nouveau"
    done = client.post("/mot-de-passe-oublie/nouveau", data={"password": PASSWORD, "password_confirmation": PASSWORD})
    assert done.headers["Location"] == "/mot-de-passe-oublie/termine"
    through_franceconnect(client, provider, "isabelle")
    assert page(client.get("/compte")).select_one("form[action='/franceconnect/delier']") is not None
    client.post("/deconnexion")
    assert sign_in(client).headers["Location"] == "/compte"  # and the password works, with its code


def test_signing_out_everywhere_ends_the_franceconnect_session_of_this_browser_too(app, client, provider):
    link_sub(app, make_account(app), ISABELLE["sub"])
    through_franceconnect(client, provider, "isabelle")
    response = client.post("/compte/deconnexion-partout")
    assert response.headers["Location"].startswith(f"{provider.issuer}/session/end?id_token_hint=")
    assert client.get(path_of(UserAgent(provider).follow(response.headers["Location"]))).headers["Location"] == "/"
    assert "déconnecté de tous vos appareils et de FranceConnect" in page(client.get("/")).select_one(".notice").text
    with app.app_context():
        assert db.session.query(AccountSession).filter(AccountSession.ended_at.is_(None)).count() == 0
