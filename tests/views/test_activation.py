"""After the credentials: the activation email over real SMTP (aiosmtpd), the link and the
code, each refusal with its own page, resends, a new address, the rate limits, the purge,
and the same answers whether or not the address already has an account."""
import re
from datetime import timedelta

import pytest

from app import create_app
from tests.conftest import ClientRequest, Page, at_step, normalize_spaces, reconfigure
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.messaging.models import OutboxMessage

pytest_plugins = ["tests.smtp_server"]  # its fixtures: smtp_server, smtp_down, mail_app
PASSWORD = "Tr3s-Sûr-Bateau"
CHECK = "/inscription/verifiez-vos-emails"


def sign_up(client, email="jean.martin@exemple.fr", language=None):
    at_step(client, "identifiants")
    if language:
        client.post("/langue", data={"lang": language, "next": "/"})
    return client.post("/inscription/identifiants", data={
        "email": email, "email_confirmation": email, "password": PASSWORD, "password_confirmation": PASSWORD})


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def link_of(message) -> str:
    """The activation link's path (the email holds it with PUBLIC_BASE_URL in front)."""
    url = re.search(r"http://127\.0\.0\.1:5000(/inscription/activation/\S+)", text_of(message))
    return url.group(1)


def code_of(message) -> str:
    return re.search(r"^(\d{6})$", text_of(message), re.M).group(1)


def later(monkeypatch, **delta):
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


@pytest.fixture
def signed_up(mail_app, smtp_server):
    client = mail_app.test_client()
    assert sign_up(client).headers["Location"] == CHECK
    return client


# --- the email ------------------------------------------------------------------------------

def test_the_email_in_french(signed_up, smtp_server):
    [message] = smtp_server.messages
    assert message["To"] == "jean.martin@exemple.fr"
    assert message["Subject"] == "Activez votre compte Sésame"
    text = text_of(message)
    assert "Pour activer votre compte Sésame, ouvrez ce lien :" in text
    assert "Le lien et le code sont valables 72 heures. Seul le dernier e-mail reçu fonctionne." in text
    html = Page(html_of(message), "html.parser")
    assert html.select_one("html")["lang"] == "fr"
    assert [a["href"] for a in html.select("a")][:1] == ["http://127.0.0.1:5000" + link_of(message)]
    assert code_of(message) in html.get_text()


def test_the_email_in_english(mail_app, smtp_server):
    sign_up(mail_app.test_client(), language="en")
    [message] = smtp_server.messages
    assert message["Subject"] == "Activate your Sésame account"
    assert "To activate your Sésame account, open this link:" in text_of(message)
    assert Page(html_of(message), "html.parser").select_one("html")["lang"] == "en"


# --- "check your email" --------------------------------------------------------------------

def test_check_your_email_page(signed_up, client_request, smtp_server):
    client_request.client = signed_up
    page = client_request.get(CHECK)
    assert page.text_of("h1") == "Consultez votre messagerie"
    assert "Nous avons envoyé un e-mail à jean.martin@exemple.fr à" in page.text_of(".panel")
    assert page.select_one("#code")["autocomplete"] == "one-time-code"
    assert page.select_one("form[action='/inscription/verifiez-vos-emails/renvoyer']")
    assert page.select_one("a[href='/inscription/adresse-email']").get_text() == "Modifier l’adresse e-mail"
    assert page.select_one("a[href='/inscription/email-non-recu']")
    assert "Vous pourrez demander un nouvel envoi dans" in page.text_of("#resend-hint")
    partial = client_request.get(CHECK, htmx=True)
    assert partial.select_one("html") is None
    assert partial.text_of("title") == "Consultez votre messagerie — Sésame — Mutuelle Démo"


def test_without_a_journey_the_page_asks_the_code_with_the_address(client_request):
    # tests/views/test_resume.py: the code typed in another browser
    assert client_request.get(CHECK).text_of("h1") == "Activer votre compte avec le code reçu"


def test_the_help_page(client_request):
    page = client_request.get("/inscription/email-non-recu")
    assert page.text_of("h1") == "Vous n’avez pas reçu l’e-mail d’activation ?"
    help_text = page.text_of(".help-list")
    for words in ("courriers indésirables (spam)", "faute de frappe", "le dernier e-mail reçu",
                  "antivirus", "72 heures", "21 jours"):
        assert words in help_text


# --- the link and the code -----------------------------------------------------------------

def test_the_link_activates_and_signs_in_the_browser_that_opens_it(mail_app, signed_up, smtp_server, database):
    link = link_of(smtp_server.messages[0])
    other_browser = mail_app.test_client()
    page = Page(other_browser.get(link).get_data(as_text=True), "html.parser")
    assert normalize_spaces(page.select_one("h1").get_text()) == "Activez votre compte"
    assert database(lambda session: session.query(Account).one().status) == "pending", "a GET changes nothing"
    response = other_browser.post(link)
    assert response.status_code == 303 and response.headers["Location"] == "/inscription/compte-active"
    activated = Page(other_browser.get("/inscription/compte-active").get_data(as_text=True), "html.parser")
    assert normalize_spaces(activated.select_one("h1").get_text()) == "Votre compte est activé"
    assert database(lambda session: session.query(Account).one().status) == "active"
    # The browser that signed up is not signed in by someone else's click; it is told.
    assert signed_up.get("/inscription/compte-active").headers["Location"] == "/connexion"
    assert "Votre compte est déjà activé" in signed_up.get(CHECK).get_data(as_text=True)


def test_the_code_activates(signed_up, smtp_server, client_request):
    client_request.client = signed_up
    code = code_of(smtp_server.messages[0])
    client_request.post(CHECK, {"code": f"{code[:3]} {code[3:]}"}, expect_redirect="/inscription/compte-active")
    assert client_request.get("/inscription/compte-active").text_of("h1") == "Votre compte est activé"


@pytest.mark.parametrize(("code", "message"), [
    ("", "Saisissez le code à 6 chiffres reçu par e-mail"),
    ("12345", "Le code comporte 6 chiffres, par exemple 123456"),
    ("1234567", "Le code comporte 6 chiffres, par exemple 123456"),
    ("12a456", "Le code comporte 6 chiffres, par exemple 123456"),
    ("١٢٣٤٥٦", "Le code comporte 6 chiffres, par exemple 123456"),  # Arabic-Indic digits
    ("<b>1</b>", "Le code comporte 6 chiffres, par exemple 123456"),
    ("x" * 5000, "Le code comporte 6 chiffres, par exemple 123456"),
])
def test_a_malformed_code(signed_up, client_request, code, message):
    client_request.client = signed_up
    page = client_request.post(CHECK, {"code": code})
    assert page.errors() == [message]
    assert page.text_of("title").startswith("Erreur : Consultez votre messagerie")


def test_a_wrong_code_then_too_many(app, signed_up, smtp_server, client_request):
    reconfigure(app, ACTIVATION_CODE_ATTEMPTS=2)
    client_request.client = signed_up
    wrong = "000000" if code_of(smtp_server.messages[0]) != "000000" else "111111"
    page = client_request.post(CHECK, {"code": wrong}, htmx=True)
    assert page.errors() == ["Ce code ne correspond pas : recopiez le code du dernier e-mail reçu"]
    assert page.text_of("#wizard-status") == "Il y a 1 problème à corriger"
    page = client_request.post(CHECK, {"code": wrong})
    assert page.errors() == ["Trop de codes erronés : pour votre sécurité, utilisez le lien reçu par e-mail"]
    page = client_request.post(CHECK, {"code": code_of(smtp_server.messages[0])})
    assert page.errors() == ["Trop de codes erronés : pour votre sécurité, utilisez le lien reçu par e-mail"]


# --- each refusal has its own page ---------------------------------------------------------

def heading(response) -> str:
    return normalize_spaces(Page(response.get_data(as_text=True), "html.parser").select_one("h1").get_text())


def test_a_tampered_link(signed_up, smtp_server):
    link = link_of(smtp_server.messages[0])
    for tampered in (link[:-3] + "xyz", link.replace(".", "x", 1), "/inscription/activation/n-importe-quoi"):
        response = signed_up.get(tampered)
        assert response.status_code == 400 and heading(response) == "Ce lien d’activation n’est pas valide"
        assert response.headers["Cache-Control"] == "no-store"
        assert signed_up.post(tampered).status_code == 400
    page = Page(signed_up.get(tampered).get_data(as_text=True), "html.parser")
    assert page.select_one("a[href='/inscription/']").get_text() == "Recommencer l’inscription"


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_a_replayed_link(signed_up, smtp_server, database):
    link = link_of(smtp_server.messages[0])
    assert signed_up.post(link).status_code == 303
    activated_at = database(lambda s: s.query(Account).one().activated_at)
    browser = ClientRequest(signed_up)
    for page in (browser.get(link), browser.post(link)):
        assert page.text_of("h1") == "Votre compte est déjà activé"
        assert page.text_of("#wizard-step h1 + p") == (
            "Ce lien a déjà servi : un compte est activé avec cette adresse e-mail. "
            "Connectez-vous avec votre adresse e-mail et votre mot de passe : si votre inscription n’est pas "
            "terminée, vous la reprendrez là où vous l’avez laissée.")
        assert page.text_of("#wizard-step a.button[href='/connexion']") == "Se connecter"
    assert database(lambda s: s.query(Account).one().activated_at) == activated_at  # activated once


def test_an_expired_link_offers_a_new_one(signed_up, smtp_server, monkeypatch):
    link = link_of(smtp_server.messages[0])
    later(monkeypatch, hours=72, seconds=1)
    response = signed_up.get(link)
    assert response.status_code == 410 and heading(response) == "Ce lien d’activation a expiré"
    assert signed_up.post(link).status_code == 410
    page = Page(response.get_data(as_text=True), "html.parser")
    assert page.select_one("form[action$='/nouveau-lien']")["action"] == link + "/nouveau-lien"
    response = signed_up.post(link + "/nouveau-lien", data={"email": ""})
    assert response.headers["Location"] == "/inscription/nouveau-lien-envoye"
    assert len(smtp_server.messages) == 2 and smtp_server.messages[1]["To"] == "jean.martin@exemple.fr"
    assert signed_up.post(link_of(smtp_server.messages[1])).status_code == 303


def test_an_expired_link_can_send_to_another_address(signed_up, smtp_server, monkeypatch):
    link = link_of(smtp_server.messages[0])
    later(monkeypatch, hours=73)
    bad = signed_up.post(link + "/nouveau-lien", data={"email": "pas-une-adresse"})
    assert bad.status_code == 410 and "L’adresse e-mail doit comporter un @" in bad.get_data(as_text=True)
    signed_up.post(link + "/nouveau-lien", data={"email": "Jean@Ailleurs.fr"})
    assert smtp_server.messages[-1]["To"] == "jean@ailleurs.fr"
    assert heading(signed_up.get(link)) == "Ce lien a été envoyé à une ancienne adresse"


def test_a_superseded_link(signed_up, smtp_server, monkeypatch):
    first = link_of(smtp_server.messages[0])
    later(monkeypatch, seconds=61)
    assert signed_up.post(f"{CHECK}/renvoyer").headers["Location"] == CHECK
    response = signed_up.get(first)
    assert response.status_code == 410 and heading(response) == "Ce lien a été remplacé par un plus récent"
    assert signed_up.post(first).status_code == 410
    assert signed_up.post(link_of(smtp_server.messages[1])).status_code == 303


def test_a_link_after_an_email_change(signed_up, smtp_server, client_request):
    client_request.client = signed_up
    old = link_of(smtp_server.messages[0])
    page = client_request.get("/inscription/adresse-email")
    assert page.text_of("h1") == "Modifier votre adresse e-mail"
    assert "Adresse actuelle : jean.martin@exemple.fr." in page.text_of("#wizard-step")
    client_request.post("/inscription/adresse-email",
                        {"email": "jean@nouveau.fr", "email_confirmation": "jean@nouveau.fr"}, expect_redirect=CHECK)
    assert smtp_server.messages[-1]["To"] == "jean@nouveau.fr"
    assert "jean@nouveau.fr" in client_request.get(CHECK).text_of(".panel")
    response = signed_up.get(old)
    assert response.status_code == 410 and heading(response) == "Ce lien a été envoyé à une ancienne adresse"
    assert signed_up.post(link_of(smtp_server.messages[-1])).status_code == 303


@pytest.mark.parametrize(("data", "message"), [
    ({"email": "", "email_confirmation": ""}, "Saisissez votre nouvelle adresse e-mail"),
    ({"email": "jean@nouveau", "email_confirmation": "jean@nouveau"},
     "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"),
    ({"email": "jean@nouveau.fr", "email_confirmation": "jean@nouvea.fr"},
     "Les deux adresses e-mail ne sont pas identiques"),
    ({"email": "jean@nouveau.fr"}, "Saisissez à nouveau la nouvelle adresse pour la confirmer"),
])
def test_a_new_address_with_a_mistake(signed_up, smtp_server, client_request, data, message):
    client_request.client = signed_up
    page = client_request.post("/inscription/adresse-email", data)
    assert page.errors()[0] == message
    assert len(smtp_server.messages) == 1


# --- resends and rate limits ---------------------------------------------------------------

def test_a_resend_waits_for_the_cool_down(signed_up, smtp_server, client_request, monkeypatch):
    client_request.client = signed_up
    page = client_request.post(f"{CHECK}/renvoyer")
    assert page.response.status_code == 200
    assert re.fullmatch(r"Patientez encore \d+ secondes avant de demander un nouvel e-mail\.",
                        page.text_of(".notice[role=alert]"))
    assert len(smtp_server.messages) == 1
    later(monkeypatch, seconds=61)
    client_request.post(f"{CHECK}/renvoyer", expect_redirect=CHECK)
    assert len(smtp_server.messages) == 2


def test_at_most_five_emails_an_hour_per_address(signed_up, smtp_server, monkeypatch):
    for n in range(4):  # the signup was the first
        later(monkeypatch, seconds=61)
        response = signed_up.post(f"{CHECK}/renvoyer", environ_overrides={"REMOTE_ADDR": f"10.0.0.{n + 2}"})
        assert response.status_code == 303
    later(monkeypatch, seconds=61)
    # The sixth is not sent, and the page does not say so: the limit is not for reading.
    silent = signed_up.post(f"{CHECK}/renvoyer", environ_overrides={"REMOTE_ADDR": "10.0.0.99"})
    assert silent.status_code == 303
    assert len(smtp_server.messages) == 5


def test_at_most_five_emails_an_hour_per_ip(signed_up, smtp_server):
    for n in range(4):  # a new address each time: only the IP repeats
        address = f"jean{n}@exemple.fr"
        response = signed_up.post("/inscription/adresse-email", data={"email": address, "email_confirmation": address})
        assert response.status_code == 303
    refused = signed_up.post("/inscription/adresse-email",
                             data={"email": "jean9@exemple.fr", "email_confirmation": "jean9@exemple.fr"})
    assert refused.status_code == 429
    assert len(smtp_server.messages) == 5


# --- anti-enumeration ----------------------------------------------------------------------

def comparable(response) -> str:
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))
    return html


def test_a_known_and_an_unknown_address_get_the_same_answers(mail_app, smtp_server, monkeypatch):
    """Two people type the same address: one in a fresh service, one where it has an account."""
    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda: moment)
    owner = mail_app.test_client()
    sign_up(owner, email="connu@exemple.fr", language="en")
    owner.post(link_of(smtp_server.messages[0]))
    fresh_app = create_app("test", **{k: mail_app.config[k] for k in (
        "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_TIMEOUT_SECONDS", "MAIL_DEFAULT_SENDER")})
    from wizard.extensions import db
    with fresh_app.app_context():
        db.create_all()

    answers = {}
    for case, app in (("known", mail_app), ("unknown", fresh_app)):
        client = app.test_client()
        signup = sign_up(client, email="connu@exemple.fr")
        check = client.get(CHECK)
        too_soon = client.post(f"{CHECK}/renvoyer")
        wrong_code = client.post(CHECK, data={"code": "000000"})
        answers[case] = [(r.status_code, r.headers.get("Location"), sorted(r.headers.keys()), comparable(r))
                         for r in (signup, check, too_soon, wrong_code)]
    assert answers["known"] == answers["unknown"]

    # Behind the same pages: the owner was warned, in the owner's language; the newcomer got no link.
    warning = smtp_server.messages[-2]
    assert warning["To"] == "connu@exemple.fr"
    assert warning["Subject"] == "Someone tried to create an account with your email address"
    assert "/inscription/activation/" not in text_of(warning)


def test_the_warning_in_french(mail_app, smtp_server):
    owner = mail_app.test_client()
    sign_up(owner, email="connu@exemple.fr")
    owner.post(link_of(smtp_server.messages[0]))
    sign_up(mail_app.test_client(), email="Connu@Exemple.fr")
    warning = smtp_server.messages[-1]
    assert warning["Subject"] == "Tentative de création de compte avec votre adresse e-mail"
    assert "Quelqu’un vient de demander la création d’un compte Sésame avec votre adresse e-mail." in \
        text_of(warning)


# --- the purge, the development page --------------------------------------------------------

def test_an_address_never_confirmed_is_forgotten(mail_app, signed_up, smtp_server, database, monkeypatch):
    link = link_of(smtp_server.messages[0])
    later(monkeypatch, days=20)
    runner = mail_app.test_cli_runner()
    assert runner.invoke(args=["purge-unconfirmed"]).output.startswith("0 unconfirmed account(s) deleted")
    later(monkeypatch, days=1, seconds=1)
    assert runner.invoke(args=["purge-unconfirmed"]).output.startswith("1 unconfirmed account(s) deleted")
    assert database(lambda session: (session.query(Account).count(), session.query(OutboxMessage).count())) == (0, 0)
    assert heading(signed_up.get(link)) == "Ce lien d’activation n’est pas valide"


def test_the_development_outbox_lists_mails_with_their_links(client, client_request):
    sign_up(client)
    page = client_request.get("/dev/courriels")
    assert page.text_of("h1") == "Courriels et SMS envoyés (développement)"
    assert page.text_of("h2") == "Activez votre compte Sésame"
    link = page.select_one(".dev-body a")["href"]
    assert link.startswith("http://127.0.0.1:5000/inscription/activation/")
    assert client.get(link.replace("http://127.0.0.1:5000", "")).status_code == 200


def test_the_development_outbox_does_not_exist_in_production():
    app = create_app("production", SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.test_client().get("/dev/courriels").status_code == 404
