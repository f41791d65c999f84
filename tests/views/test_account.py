"""Mon compte: details, remembered browsers and their revocation, recent activity, a new
password."""
import pytest

from tests.conftest import PASSWORD, newest_message
from tests.views.sign_in_support import EMAIL, FIREFOX, SAFARI_IPHONE, later, make_account, sign_in, type_password
from wizard.accounts.models import AccountEvent
from wizard.sign_in.models import AccountSession, RememberedBrowser

NEW_PASSWORD = "Girafe-Verte-2027?"


@pytest.fixture
def account_id(app):
    return make_account(app)


@pytest.fixture
def signed_in(account_id, client, monkeypatch):
    later(monkeypatch, seconds=0)
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    sign_in(client, remember=True)
    return client


def test_mon_compte_needs_a_full_sign_in(account_id, client_request):
    for url in ("/compte", "/compte/mot-de-passe", "/compte/mot-de-passe/modifie"):
        assert client_request.get(url, status=303).response.headers["Location"] == "/connexion"
    client_request.post("/compte/navigateurs/abc/oublier", {}, expect_redirect="/connexion")
    client_request.post("/compte/deconnexion-partout", {}, expect_redirect="/connexion")


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_details(signed_in, client_request, htmx):
    page = client_request.get("/compte", htmx=htmx)
    assert page.text_of("h1") == "Mon compte"
    rows = [(dt.get_text(), " ".join(dd.get_text().split())) for dt, dd in
            zip(page.select(".summary-list dt"), page.select(".summary-list dd"), strict=True)]
    assert rows == [("Nom", "Jean Dupont"), ("Numéro d’adhérent", "••••3050"), ("Adresse e-mail", EMAIL),
                    ("Téléphone portable", "06 •• •• •• 78"),
                    ("Numéro de contrat", "1020305056")]
    assert page.select_one("a[href='/compte/mot-de-passe']").get_text() == "Changer mon mot de passe"
    assert "15 minutes sans activité" in page.text_of("#wizard-step")
    assert page.response.headers["Cache-Control"] == "no-store"


def test_no_phone_is_said_so(app, client, client_request):
    make_account(app, phone=None)
    sign_in(client)
    assert "Aucun numéro confirmé" in client_request.get("/compte").text_of(".summary-list")


def test_remembered_browsers_are_listed_with_a_revoke_button(signed_in, app, client_request, monkeypatch):
    other = app.test_client()
    other.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    later(monkeypatch, seconds=61)
    sign_in(other, remember=True)
    page = client_request.get("/compte")
    items = page.select("ul[aria-labelledby=browsers-heading] li")
    titles = [item.select_one(".item-title").get_text(" ", strip=True) for item in items]
    assert titles == ["Safari sur iPhone", "Firefox sur Windows (ce navigateur)"]
    assert "le code y sera demandé à nouveau à partir du" in items[0].select_one(".hint").get_text()
    button = items[0].select_one("form button")
    assert button.get_text() == "Oublier ce navigateur"
    assert button["aria-describedby"] == items[0].select_one(".item-title")["id"]


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_revoking_a_browser(signed_in, app, client, client_request, database, monkeypatch):
    other = app.test_client()
    later(monkeypatch, seconds=61)
    sign_in(other, remember=True)
    other_id = database(lambda s: s.query(RememberedBrowser).order_by(RememberedBrowser.created_at.desc())
                        .first().id)
    client_request.post(f"/compte/navigateurs/{other_id}/oublier", {}, expect_redirect="/compte")
    page = client_request.get("/compte")
    assert page.text_of(".notice") == ("Le navigateur est oublié : le code de sécurité y sera demandé à la prochaine "
                                       "connexion.")
    assert len(page.select("ul[aria-labelledby=browsers-heading] li")) == 1
    other.post("/deconnexion")
    later(monkeypatch, seconds=61)
    assert type_password(other).headers["Location"] == "/connexion/verification"
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="browser_forgotten").count()) == 1


def test_revoking_this_browser_forgets_its_cookie(signed_in, client, database):
    this_id = database(lambda s: s.query(RememberedBrowser).one().id)
    response = client.post(f"/compte/navigateurs/{this_id}/oublier")
    assert any(h.startswith("sesame_navigateur=;") for h in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("sesame_navigateur") is None


@pytest.mark.parametrize("browser_id", ["someone-elses", "' OR 1=1 --", "x" * 500, "%3Cscript%3E"])
def test_nobody_revokes_someone_elses_browser(signed_in, app, database, browser_id, monkeypatch):
    make_account(app, email="autre@exemple.fr", phone=None)
    stranger = app.test_client()
    later(monkeypatch, seconds=61)
    sign_in(stranger, email="autre@exemple.fr")
    mine = database(lambda s: s.query(RememberedBrowser).one().id)
    for target in (mine, browser_id):
        assert stranger.post(f"/compte/navigateurs/{target}/oublier").headers["Location"] == "/compte"
    assert database(lambda s: s.query(RememberedBrowser).one().revoked_at) is None


def test_recent_activity(signed_in, client_request):
    page = client_request.get("/compte")
    items = page.select("ul[aria-labelledby=activity-heading] li")
    assert [item.select_one(".item-title").get_text() for item in items] == ["Navigateur mémorisé", "Connexion"]
    assert all(item.select_one(".hint").get_text().endswith("— Firefox sur Windows") for item in items)
    assert items[0].select_one(".hint").get_text().startswith("Le ")


def test_change_the_password(signed_in, app, client, client_request, database, monkeypatch):
    laptop = app.test_client()
    later(monkeypatch, seconds=61)
    sign_in(laptop, remember=True)
    page = client_request.get("/compte/mot-de-passe")
    assert page.text_of("h1") == "Changer mon mot de passe"
    assert page.select_one("#current_password")["autocomplete"] == "current-password"
    assert page.select_one("#password")["autocomplete"] == "new-password"
    client_request.post("/compte/mot-de-passe", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                 "password_confirmation": NEW_PASSWORD},
                        expect_redirect="/compte/mot-de-passe/modifie")
    assert client_request.get("/compte/mot-de-passe/modifie").text_of("h1") == "Votre mot de passe est modifié"
    # This browser stays signed in and remembered; the laptop is signed out and forgotten.
    assert client.get("/compte").status_code == 200
    assert laptop.get("/compte").headers["Location"] == "/connexion"
    live = database(lambda s: s.query(RememberedBrowser).filter(RememberedBrowser.revoked_at.is_(None)).count())
    assert live == 1
    assert database(lambda s: s.query(AccountSession).filter(AccountSession.ended_at.is_(None)).count()) == 1
    mail = newest_message(app, EMAIL)
    assert mail.kind == "password_changed" and "Si ce n’était pas vous :" in mail.body_text
    assert "Mot de passe modifié" in client_request.get("/compte").text_of("ul[aria-labelledby=activity-heading]")
    client.post("/deconnexion")
    assert type_password(client, password=NEW_PASSWORD).headers["Location"] == "/compte"  # still remembered


@pytest.mark.parametrize(("data", "errors"), [
    ({}, ["Saisissez votre mot de passe actuel", "Saisissez un nouveau mot de passe",
          "Saisissez à nouveau le nouveau mot de passe pour le confirmer"]),
    ({"current_password": "Mauvais-1!", "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
     ["Le mot de passe actuel est incorrect"]),
    ({"current_password": PASSWORD, "password": "abc", "password_confirmation": "abc"},
     ["Le mot de passe doit comporter au moins 12 caractères"]),
    ({"current_password": PASSWORD, "password": "Jean.Martin-2027", "password_confirmation": "Jean.Martin-2027"},
     ["Le mot de passe ne doit pas contenir votre nom ou votre prénom"]),
    ({"current_password": "x" * 2000, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
     ["Ce mot de passe est trop long : vérifiez ce que vous avez saisi"]),
    ({"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirmation": "<script>"},
     ["Les deux mots de passe ne sont pas identiques"]),
])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_new_password_refused(signed_in, client_request, data, errors, htmx):
    page = client_request.post("/compte/mot-de-passe", data, htmx=htmx)
    assert page.errors() == errors
    assert page.select_one("#current_password")["value"] == ""


def test_wrong_current_passwords_pause_like_sign_ins(signed_in, client_request):
    data = {"current_password": "Mauvais-1!", "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    for _ in range(9):
        client_request.post("/compte/mot-de-passe", data)
    assert client_request.post("/compte/mot-de-passe", data).errors()[0].startswith("Après plusieurs essais")
    data["current_password"] = PASSWORD
    assert client_request.post("/compte/mot-de-passe", data).errors()[0].startswith("Après plusieurs essais")


def test_the_checklist_of_the_new_password(signed_in, client):
    html = client.post("/compte/mot-de-passe/regles", data={"password": "Jean"}).get_data(as_text=True)
    assert 'data-rule="max_length"' in html and "password-rule--met" in html
