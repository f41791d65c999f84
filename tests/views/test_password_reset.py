"""Forgotten password: the same answers whether or not the address has an account, the
link and the code (30 minutes, single use, newest only), the new password and what it
revokes, the email that confirms it."""
import re

import pytest

from tests.conftest import PASSWORD, ClientRequest, newest_message, reconfigure
from tests.views.sign_in_support import (
    EMAIL,
    later,
    make_account,
    reset_link,
    session_cookie,
    sign_in,
    type_password,
    wrong,
)
from wizard.accounts.models import Account, AccountEvent
from wizard.messaging.models import OutboxMessage
from wizard.password_reset.models import PasswordReset, ResetFollow
from wizard.sign_in.models import AccountSession, RememberedBrowser

NEW_PASSWORD = "Girafe-Verte-2027?"
CHECK = "/mot-de-passe-oublie/code"
NEW = "/mot-de-passe-oublie/nouveau"


@pytest.fixture
def account_id(app):
    return make_account(app)


def ask(client, email=EMAIL):
    return client.post("/mot-de-passe-oublie", data={"email": email})


def reset_code(app, email=EMAIL) -> str:
    return re.search(r"^(\d{6})$", newest_message(app, email).body_text, re.M).group(1)


def choose(client_request, password=NEW_PASSWORD, confirmation=None, **kwargs):
    return client_request.post(NEW, {"password": password, "password_confirmation": confirmation or password},
                               **kwargs)


def visible(page) -> str:
    return page.text_of("#wizard-step")


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_forgotten_password_page(client_request, htmx):
    page = client_request.get("/mot-de-passe-oublie", htmx=htmx)
    assert page.text_of("h1") == "Mot de passe oublié"
    assert page.select_one("#email")["autocomplete"] == "email"
    assert client_request.get("/connexion").select_one("a[href='/mot-de-passe-oublie']") is not None


def test_an_address_with_or_without_an_account_gets_the_same_answers(account_id, app, client, database):
    make_account(app, email="attente@exemple.fr", status="pending")
    reconfigure(app, RATELIMIT_ACTIVATION_CODE="100 per minute")  # three people behind one address
    pages = {}
    for email in (EMAIL, "personne@exemple.fr", "attente@exemple.fr"):
        visitor_request = ClientRequest(app.test_client())
        response = visitor_request.post("/mot-de-passe-oublie", {"email": email}, expect_redirect=CHECK)
        page = visitor_request.get(CHECK)
        answers = [visitor_request.post(CHECK, {"code": "000000" if n % 2 else "999999"}).errors() for n in range(6)]
        pages[email] = (response.status_code, visible(page).replace(email, "@"), answers)
    assert pages[EMAIL] == pages["personne@exemple.fr"] == pages["attente@exemple.fr"]
    assert "Si un compte existe avec l’adresse @, nous venons de lui envoyer un e-mail." in pages[EMAIL][1]
    assert pages[EMAIL][2][:4] == [[f"Ce code n’est pas le bon. Il vous reste {n} essai{'s' if n > 1 else ''}."]
                                   for n in (4, 3, 2, 1)]
    assert pages[EMAIL][2][4:] == [["Trop d’essais pour ce code : demandez un nouvel e-mail"]] * 2
    sent = database(lambda s: [m.recipient for m in s.query(OutboxMessage).filter_by(kind="password_reset")])
    assert sent == [EMAIL]
    rows = database(lambda s: s.query(PasswordReset).count())
    assert rows == 3  # a request is written for every address, so the limits are the same too


def test_the_email(account_id, client):
    ask(client)
    mail = newest_message(client.application, EMAIL)
    assert mail.subject == "Choisissez un nouveau mot de passe Sésame"
    assert "valables 30 minutes et ne servent qu’une fois. Seul le dernier e-mail reçu fonctionne." in mail.body_text
    assert "Si vous n’avez rien demandé, ignorez cet e-mail" in mail.body_text
    assert re.search(r"^http://127\.0\.0\.1:5000/mot-de-passe-oublie/lien/\S{40,}$", mail.body_text, re.M)


def test_the_code_then_a_new_password(account_id, app, client, client_request, database):
    ask(client)
    client_request.post(CHECK, {"code": reset_code(app)}, expect_redirect=NEW)
    page = client_request.get(NEW)
    assert page.text_of("h1") == "Choisissez un nouveau mot de passe"
    assert page.select_one("#password")["autocomplete"] == "new-password"
    choose(client_request, expect_redirect="/mot-de-passe-oublie/termine")
    assert client_request.get("/mot-de-passe-oublie/termine").text_of("h1") == "Votre mot de passe est modifié"
    assert type_password(client).status_code == 200  # the old one is refused
    assert type_password(client, password=NEW_PASSWORD).headers["Location"] == "/connexion/verification"
    mail = newest_message(app, EMAIL)
    assert mail.kind == "password_changed" and mail.subject == "Votre mot de passe Sésame a été modifié"
    assert "Si ce n’était pas vous :" in mail.body_text
    assert "/mot-de-passe-oublie" in mail.body_text and "/compte" in mail.body_text
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="password_changed").count()) == 1


def test_the_link_then_a_new_password_revokes_every_session_and_browser(account_id, app, client, client_request,
                                                                         database, monkeypatch):
    laptop = app.test_client()
    later(monkeypatch, seconds=0)
    sign_in(laptop, remember=True)
    ask(client)
    link = reset_link(app)
    opened = client_request.get(link, status=303)
    assert opened.response.headers["Location"] == NEW  # the token leaves the address bar
    choose(client_request, expect_redirect="/mot-de-passe-oublie/termine")
    assert laptop.get("/compte").headers["Location"] == "/connexion"
    assert database(lambda s: s.query(AccountSession).filter(AccountSession.ended_at.is_(None)).count()) == 0
    assert database(lambda s: s.query(RememberedBrowser).filter(RememberedBrowser.revoked_at.is_(None)).count()) == 0
    # The remembered laptop asks for the code again.
    later(monkeypatch, seconds=61)
    assert type_password(laptop, password=NEW_PASSWORD).headers["Location"] == "/connexion/verification"
    # A link serves once.
    page = client_request.get(link, status=410)
    assert page.text_of("h1") == "Ce lien a déjà servi"


def test_a_mail_scanner_opening_the_link_lets_nobody_skip_the_code(account_id, app, client, client_request):
    ask(client)
    app.test_client().get(reset_link(app))  # the scanner's own browser
    client_request.get(NEW, status=303)
    assert client.get(NEW).headers["Location"] == "/mot-de-passe-oublie"


def test_the_link_and_the_code_live_thirty_minutes(account_id, app, client, client_request, monkeypatch):
    later(monkeypatch, seconds=0)
    ask(client)
    code, link = reset_code(app), reset_link(app)
    later(monkeypatch, minutes=30)
    assert client_request.post(CHECK, {"code": code}).errors() == ["Ce code a expiré : demandez un nouvel e-mail"]
    page = app.test_client().get(link)
    assert page.status_code == 410 and "Ce lien a expiré" in page.get_data(as_text=True)


def test_once_proven_the_new_password_may_wait_a_little(account_id, app, client, client_request, monkeypatch):
    later(monkeypatch, seconds=0)
    ask(client)
    later(monkeypatch, minutes=29)
    client_request.post(CHECK, {"code": reset_code(app)}, expect_redirect=NEW)
    later(monkeypatch, minutes=14)
    client_request.get(NEW)
    later(monkeypatch, minutes=2)
    client_request.get(NEW, status=303)


def test_only_the_newest_email_works(account_id, app, client, client_request, monkeypatch):
    later(monkeypatch, seconds=0)
    ask(client)
    old_code, old_link = reset_code(app), reset_link(app)
    later(monkeypatch, seconds=61)
    ask(client)
    assert reset_link(app) != old_link
    page = app.test_client().get(old_link)
    assert page.status_code == 410 and "Ce lien a été remplacé" in page.get_data(as_text=True)
    if old_code != reset_code(app):
        assert client_request.post(CHECK, {"code": old_code}).errors()[0].startswith("Ce code n’est pas le bon")
    client_request.post(CHECK, {"code": reset_code(app)}, expect_redirect=NEW)


def test_requests_are_limited_per_address_without_saying_so(account_id, app, client, database, monkeypatch):
    later(monkeypatch, seconds=0)
    for _ in range(3):
        assert ask(client).headers["Location"] == CHECK
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="password_reset").count()) == 1
    for _ in range(6):
        later(monkeypatch, seconds=61)
        assert ask(client).headers["Location"] == CHECK
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="password_reset").count()) == 5
    # The code of the newest email still works in the browser that asked.
    client.post(CHECK, data={"code": reset_code(app)})
    assert client.get(NEW).status_code == 200


def test_at_most_ten_requests_a_day_per_address(account_id, app, client, database, monkeypatch):
    """Five an hour, hour after hour, would be 120 emails a day: the day's cap stops them."""
    reconfigure(app, RATELIMIT_PASSWORD_RESET="100 per minute")  # the per-IP limit counts real time
    for _hour in range(3):
        for _ in range(5):
            later(monkeypatch, seconds=61)
            assert ask(client).headers["Location"] == CHECK
        later(monkeypatch, hours=1)
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="password_reset").count()) == 10
    later(monkeypatch, hours=21)  # a day after the first ones: the cap counts the last 24 hours
    ask(client)
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="password_reset").count()) == 11


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_wrong_codes_count_down_then_lock_even_the_right_one(account_id, app, client, client_request):
    ask(client)
    code = reset_code(app)
    for _ in range(5):
        client_request.post(CHECK, {"code": wrong(code)})
    assert client_request.post(CHECK, {"code": code}).errors() == \
        ["Trop d’essais pour ce code : demandez un nouvel e-mail"]


@pytest.mark.parametrize("token", ["x", "A" * 43, "' OR 1=1 --", "%00", "a" * 3000])
def test_a_link_that_is_not_ours(client_request, token):
    page = client_request.get(f"/mot-de-passe-oublie/lien/{token}", status=400)
    assert page.text_of("h1") == "Ce lien n’est pas valable"
    assert page.response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("email", "message"), [
    ("", "Saisissez l’adresse e-mail de votre compte"),
    ("jean.martin", "L’adresse e-mail doit comporter un @, par exemple nom@exemple.fr"),
    ("<img src=x onerror=alert(1)>@x", "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"),
    ("a" * 300 + "@exemple.fr", "L’adresse e-mail doit comporter 254 caractères au maximum"),
])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_malformed_addresses(client_request, database, email, message, htmx):
    assert client_request.post("/mot-de-passe-oublie", {"email": email}, htmx=htmx).errors() == [message]
    assert database(lambda s: s.query(PasswordReset).count()) == 0


@pytest.mark.parametrize(("password", "confirmation", "errors"), [
    ("", "", ["Saisissez un nouveau mot de passe", "Saisissez à nouveau le nouveau mot de passe pour le confirmer"]),
    ("abc", "abc", ["Le mot de passe doit comporter au moins 12 caractères"]),
    ("Jean-Dupont-2026!", "Jean-Dupont-2026!", ["Le mot de passe ne doit pas contenir votre nom ou votre prénom"]),
    ("Azerty123!", "Azerty123!", ["Le mot de passe doit comporter au moins 12 caractères"]),
    (NEW_PASSWORD, NEW_PASSWORD + "x", ["Les deux mots de passe ne sont pas identiques"]),
    ("123456789012", "123456789012", ["Ce mot de passe est trop courant : choisissez-en un plus difficile à deviner"]),
])
def test_the_new_password_follows_the_policy(account_id, app, client, client_request, password, confirmation,
                                              errors):
    ask(client)
    client.post(CHECK, data={"code": reset_code(app)})
    page = choose(client_request, password, confirmation)
    assert page.errors() == errors
    assert page.select_one("#password")["value"] == ""


def test_the_checklist_ticks_the_new_password(account_id, app, client):
    ask(client)
    client.post(CHECK, data={"code": reset_code(app)})
    html = client.post("/mot-de-passe-oublie/regles", data={"password": "abc"}).get_data(as_text=True)
    assert 'data-rule="max_length"' in html and "password-rule--met" in html
    assert client.post("/mot-de-passe-oublie/regles", data={"password": "x"}, headers={}).status_code == 200


def test_the_pages_after_the_address_need_a_request(client_request):
    client_request.get(CHECK, status=303)
    client_request.get(NEW, status=303)
    client_request.post(NEW, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
                        expect_redirect="/mot-de-passe-oublie")


def test_a_new_password_lifts_a_pause(account_id, app, client, client_request):
    for _ in range(10):
        type_password(client, password="Mauvais-1!")
    assert client_request.post("/connexion", {"email": EMAIL, "password": PASSWORD}).errors()[0].startswith("Après")
    ask(client)
    client.post(CHECK, data={"code": reset_code(app)})
    choose(client_request, expect_redirect="/mot-de-passe-oublie/termine")
    assert type_password(client, password=NEW_PASSWORD).headers["Location"] == "/connexion/verification"


def test_a_signed_in_person_who_resets_is_signed_out(account_id, app, client, client_request):
    sign_in(client)
    before = session_cookie(client)
    ask(client)
    client.post(CHECK, data={"code": reset_code(app)})
    choose(client_request, expect_redirect="/mot-de-passe-oublie/termine")
    assert client.get("/compte").headers["Location"] == "/connexion"
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    assert thief.get("/compte").headers["Location"] == "/connexion"


def test_the_cookie_holds_neither_the_typed_address_nor_the_request(account_id, app, client, database):
    ask(client)
    with client.session_transaction() as cookie:
        held = str(dict(cookie))
    reset_id = database(lambda s: s.query(PasswordReset.id).scalar())
    assert EMAIL not in held and f"'id': {reset_id}" not in held
    assert database(lambda s: s.query(ResetFollow.email).scalar()) == EMAIL  # on the server
    assert EMAIL in client.get(CHECK).get_data(as_text=True)  # "we sent an email to ..."


@pytest.mark.parametrize("language", ["fr", "en"])
def test_after_a_reset_the_next_sign_in_needs_the_phone_code(app, client, client_request, database, monkeypatch,
                                                           language):
    """The attacker's case: the mailbox alone reset the password and signed in with an email code."""
    make_account(app, language=language)
    with client.session_transaction() as session:
        session["lang"] = language
    ask(client)
    client_request.get(reset_link(app), status=303)
    choose(client_request, expect_redirect="/mot-de-passe-oublie/termine")
    later(monkeypatch, seconds=61)
    type_password(client, password=NEW_PASSWORD)
    page = client_request.get("/connexion/sans-telephone")
    expected = {"fr": "la prochaine connexion demande le code envoyé par SMS au 06 •• •• •• 78",
                "en": "the next sign-in asks for the code sent by text message to 06 •• •• •• 78"}[language]
    assert expected in page.text_of("main")
    assert page.select_one("form[action='/connexion/sans-telephone']") is None
    client_request.post("/connexion/sans-telephone", {"channel": "email"})
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="sign_in_code").count()) == 0
    sign_in(client, password=NEW_PASSWORD)  # by SMS: from then on, the usual sign-in
    assert database(lambda s: s.query(Account).one().phone_code_required_since) is None
