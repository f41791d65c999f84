"""Every way a FranceConnect flow fails: each ends on a page that says what happened in plain
words, with the usual ways in (FranceConnect again, the email sign-in, the signup), and
nothing of the person is kept."""
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import Page, check_page
from tests.franceconnect.support import UserAgent, path_of, through_franceconnect
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.extensions import db
from wizard.franceconnect.models import FranceConnectFlow
from wizard.sign_in.models import AccountSession
from wizard.signup.models import Journey

UNCHECKED = "La réponse de FranceConnect n’a pas pu être vérifiée"
NO_LONGER_VALID = "Cette connexion avec FranceConnect n’est plus valable"


@pytest.fixture
def app(new_app, provider):
    return new_app(**provider.config())


def failure_page(response, heading: str) -> Page:
    """The failure's page: its heading, and the usual ways in."""
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    page = Page(response.get_data(as_text=True), "html.parser")
    check_page(page, partial=False)
    assert page.text_of("h1") == heading
    assert page.select_one("form[action='/franceconnect/connexion'] button.fr-connect") is not None
    assert page.select_one("a[href='/connexion']") is not None
    assert page.select_one("a[href='/inscription/']") is not None
    return page


def nothing_kept(app) -> None:
    with app.app_context():
        assert db.session.query(FranceConnectFlow).count() == 0
        assert not [j for j in db.session.query(Journey) if "franceconnect" in j.answers]
        assert db.session.query(Account).count() == 0
        assert db.session.query(AccountSession).count() == 0


def way_back(client, provider, user="isabelle", **scenario) -> str:
    """The address FranceConnect sends the browser back to, not yet followed."""
    provider.scenario(user=user, **scenario)
    return path_of(UserAgent(provider).follow(client.post("/franceconnect/connexion").headers["Location"]))


def test_consent_refused(app, client, provider):
    response = through_franceconnect(client, provider, error="access_denied",
                                     error_description="L'usager a refusé")
    failure_page(response, "Vous n’avez pas autorisé la connexion avec FranceConnect")
    nothing_kept(app)


def test_a_provider_error_says_so_with_its_description(app, client, provider):
    response = through_franceconnect(client, provider, error="temporarily_unavailable",
                                     error_description="<b>Maintenance</b> " + "x" * 300)
    page = failure_page(response, "FranceConnect n’a pas pu vous identifier")
    hint = page.text_of("p.hint")
    assert hint.startswith("Message de FranceConnect : « <b>Maintenance</b> xxx") and len(hint) < 260
    assert page.select_one("p.hint b") is None  # escaped, not markup
    nothing_kept(app)


def test_a_forged_state_is_ignored(app, client, provider):
    back = way_back(client, provider)
    query = {name: values[0] for name, values in parse_qs(urlsplit(back).query).items()}
    forged = "/franceconnect/retour?" + urlencode({**query, "state": "forged-" + query["state"][7:]})
    failure_page(client.get(forged), NO_LONGER_VALID)
    failure_page(client.get(back), NO_LONGER_VALID)  # the flow is used up by the forged try
    nothing_kept(app)


def test_a_replayed_way_back_is_refused(app, client, provider):
    back = way_back(client, provider)
    assert client.get(back).headers["Location"] == "/inscription/identite"
    failure_page(client.get(back), NO_LONGER_VALID)


def test_the_way_back_works_only_in_the_browser_that_left(app, client, provider):
    back = way_back(client, provider)
    failure_page(app.test_client().get(back), NO_LONGER_VALID)
    failure_page(client.get("/franceconnect/retour?code=made-up&state=made-up"), NO_LONGER_VALID)
    nothing_kept(app)


def test_an_expired_flow(app, client, provider, monkeypatch):
    back = way_back(client, provider)
    moment = clock.now() + timedelta(minutes=app.config["FRANCECONNECT_FLOW_MINUTES"], seconds=1)
    monkeypatch.setattr(clock, "now", lambda: moment)
    page = failure_page(client.get(back), "La connexion avec FranceConnect a pris trop de temps")
    assert "Plus de 10 minutes" in page.text_of("h1 + p")
    nothing_kept(app)


@pytest.mark.parametrize("scenario", [{"nonce": "wrong"}, {"foreign_key": "userinfo"}, {"foreign_key": "id_token"}],
                         ids=["wrong nonce", "userinfo by an unknown key", "id token by an unknown key"])
def test_an_answer_that_does_not_check_out(app, client, provider, scenario):
    failure_page(through_franceconnect(client, provider, **scenario), UNCHECKED)
    nothing_kept(app)


def test_an_acr_below_eidas1(app, client, provider):
    failure_page(through_franceconnect(client, provider, acr="eidas0"),
                 "Le niveau de sécurité de cette connexion ne suffit pas")
    nothing_kept(app)


def test_an_unreachable_provider(new_app):
    client = new_app(FRANCECONNECT_ISSUER="http://127.0.0.1:9", FRANCECONNECT_CLIENT_ID="x",
                     FRANCECONNECT_CLIENT_SECRET="y", FRANCECONNECT_TIMEOUT_SECONDS=2).test_client()
    failure_page(client.post("/franceconnect/connexion"), "FranceConnect ne répond pas pour le moment")


def test_failure_pages_are_english_for_an_english_browser(app, provider):
    client = app.test_client()
    client.post("/langue", data={"lang": "en"})
    response = through_franceconnect(client, provider, error="access_denied")
    page = Page(response.get_data(as_text=True), "html.parser")
    assert page.text_of("h1") == "You did not allow the sign-in with FranceConnect"
    assert page.text_of("button.fr-connect") == "Sign in with FranceConnect"


def test_a_failed_link_leaves_the_account_as_it_was(app, client, provider):
    from tests.views.sign_in_support import make_account, sign_in
    account_id = make_account(app)
    sign_in(client)
    page = Page(through_franceconnect(client, provider, start="/franceconnect/lier", nonce="wrong")
                .get_data(as_text=True), "html.parser")
    assert page.text_of("h1") == UNCHECKED
    with app.app_context():
        assert db.session.get(Account, account_id).franceconnect_sub is None
        assert db.session.query(FranceConnectFlow).count() == 0


def test_flows_never_come_back_from_are_purged(app, client, provider, monkeypatch):
    client.post("/franceconnect/connexion")  # and the person never comes back
    moment = clock.now() + timedelta(minutes=app.config["FRANCECONNECT_FLOW_MINUTES"] + 1)
    monkeypatch.setattr(clock, "now", lambda: moment)
    result = app.test_cli_runner().invoke(args=["purge-journeys"])
    assert result.output.strip() == "0 journey(s) deleted, 1 FranceConnect flow(s), 0 start code(s), 0 spent CAPTCHA(s)"
    nothing_kept(app)


@pytest.mark.parametrize("query", [
    "", "?state=", "?code=", "?error=access_denied", "?state=" + "é" * 5000 + "&code=" + "x" * 5000,
    "?state=a&state=b&code=c", "?error=%00&error_description=%00%01",
], ids=["nothing", "empty state", "no state", "error without state", "huge", "twice", "control characters"])
def test_a_hostile_way_back_is_a_page_not_an_error(app, client, provider, query):
    failure_page(client.get("/franceconnect/retour" + query), NO_LONGER_VALID)
    nothing_kept(app)


def test_a_way_back_without_a_code_is_refused_after_the_state(app, client, provider):
    back = way_back(client, provider)
    without_code = back.split("?")[0] + "?" + "&".join(p for p in back.split("?")[1].split("&")
                                                       if not p.startswith("code="))
    failure_page(client.get(without_code), "FranceConnect n’a pas pu vous identifier")
    nothing_kept(app)


def test_the_button_without_its_csrf_token_goes_nowhere(new_app, provider):
    client = new_app(WTF_CSRF_ENABLED=True, **provider.config()).test_client()
    response = client.post("/franceconnect/connexion")
    assert response.status_code in (303, 400)
    assert not response.headers.get("Location", "").startswith(provider.issuer)


def test_how_flows_end_is_counted_for_the_operator_without_who(app, client, provider):
    from wizard.operator.models import EventCount
    through_franceconnect(client, provider, error="access_denied")
    through_franceconnect(client, provider, nonce="wrong")
    through_franceconnect(client, provider)
    with app.app_context():
        counted = {row.detail: row.count for row in db.session.query(EventCount).filter_by(event="franceconnect")}
    assert counted == {"refused": 1, "nonce": 1, "signed_up": 1}
