"""An unfinished signup taken up again later, from any browser: signing in leads to the next
stage (the phone, the eligibility check), with its "Étape X sur N" and what is done."""
import re

import pytest

from tests.conftest import (
    PASSWORD,
    ClientRequest,
    Page,
    activated_account,
    at_step,
    confirmed_phone,
    newest_message,
    reconfigure,
)
from tests.views.sign_in_support import email_code, later, sms_code, type_password, wrong
from wizard.accounts.models import Account, EmailActivation
from wizard.eligibility.models import EligibilityCheck
from wizard.sign_in.forms import WRONG_CREDENTIALS

EMAIL = "jean.martin@exemple.fr"


def done_list(page) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.select(".done-list li")]


def second_factor(client, expected_location: str, channel: str = "email"):
    """After the password: the code (by email before a phone is proven), then the next stage."""
    if channel == "sms":
        client.post("/connexion/verification", data={"channel": "sms"})
        code = sms_code(client.application)
    else:
        code = email_code(client.application)
    response = client.post("/connexion/code", data={"code": code})
    assert response.status_code == 303 and response.headers["Location"] == expected_location
    return response


@pytest.fixture
def elsewhere(app):
    """Another browser, with nothing in its cookie."""
    return app.test_client()


def test_an_activated_account_signs_in_from_another_browser_and_gives_its_phone(client, elsewhere, app):
    activated_account(client, EMAIL)
    # Before a phone is proven, the second factor is a code sent to the proven address.
    response = type_password(elsewhere)
    assert response.headers["Location"] == "/connexion/code"
    assert newest_message(app, EMAIL).kind == "sign_in_code"
    second_factor(elsewhere, "/inscription/telephone")
    page = Page(elsewhere.get("/inscription/telephone").get_data(as_text=True), "html.parser")
    assert page.text_of("h1") == "Étape 3 sur 4 : Votre téléphone portable"
    assert done_list(page) == ["Vos informations enregistrées", "Adresse e-mail confirmée (j•••n@exemple.fr)"]
    # The first browser's session goes on: each browser has its own.
    assert client.get("/inscription/telephone").status_code == 200


def test_with_a_proven_phone_the_usual_second_factor_leads_to_the_check(client, elsewhere, client_request):
    confirmed_phone(client, EMAIL)
    response = type_password(elsewhere)
    assert response.headers["Location"] == "/connexion/verification"  # SMS or email, as usual
    second_factor(elsewhere, "/inscription/eligibilite", channel="sms")
    page = elsewhere.get("/inscription/eligibilite").get_data(as_text=True)
    assert "Étape 4 sur 4" in page and "Réception des codes confirmée (06 •• •• •• 78)" in page


def test_a_refused_check_is_taken_up_again_within_its_attempts(not_found_client, elsewhere, database):
    type_password(elsewhere)
    second_factor(elsewhere, "/inscription/eligibilite", channel="sms")
    page = Page(elsewhere.get("/inscription/eligibilite").get_data(as_text=True), "html.parser")
    assert "Il vous reste 4 essais" in page.text_of(".notice")
    assert page.select_one("a[href='/inscription/eligibilite/corriger']").get_text() == "Corriger mes informations"


@pytest.fixture
def not_found_client(client):
    confirmed_phone(client, EMAIL, role="subscriber")  # Jean says he is the subscriber: a mismatch
    client.post("/inscription/eligibilite")
    return client


def test_the_outcome_email_leads_to_signing_in(not_found_client, app, database):
    mail = newest_message(app, EMAIL)
    assert mail.kind == "eligibility_not_eligible"
    assert "http://127.0.0.1:5000/connexion\n" in mail.body_text
    assert database(lambda s: s.query(EligibilityCheck).one().status) == "mismatch"


def test_once_eligible_a_signup_taken_up_by_signing_in_reaches_mon_compte(client, elsewhere, database):
    confirmed_phone(client, EMAIL, role="beneficiary")  # in the directory
    type_password(elsewhere)
    second_factor(elsewhere, "/inscription/eligibilite", channel="sms")
    assert elsewhere.post("/inscription/eligibilite").headers["Location"] == "/inscription/verification-en-cours"
    assert database(lambda s: s.query(Account).one().eligible_at) is not None
    # "Me connecter": the password and the code were given on this browser a moment ago.
    response = elsewhere.get("/connexion")
    assert response.headers["Location"] == "/compte"
    assert elsewhere.get("/compte").status_code == 200
    # The browser that activated by link proved the address only: it signs in as usual.
    assert client.get("/connexion").status_code == 200


def test_a_browser_already_on_its_way_goes_on_from_the_sign_in_page(client):
    activated_account(client, EMAIL)
    assert client.get("/connexion").headers["Location"] == "/inscription/telephone"


def test_a_signup_session_left_idle_says_how_to_take_it_up_again(client, client_request, monkeypatch):
    activated_account(client, EMAIL)
    later(monkeypatch, minutes=31)
    client_request.get("/inscription/telephone", status=303)
    page = client_request.get("/connexion")
    assert "connectez-vous pour reprendre votre inscription là où vous l’avez laissée" in page.text_of(".notice")
    assert "30 minutes" in page.text_of(".notice")


def test_a_wrong_password_of_an_unfinished_account_is_refused_as_any(client, elsewhere):
    activated_account(client, EMAIL)
    page = Page(type_password(elsewhere, password=PASSWORD + "x").get_data(as_text=True), "html.parser")
    assert page.errors() == [str(WRONG_CREDENTIALS)]


# --- the activation code, typed in another browser -------------------------------------------

def sign_up(client, email=EMAIL):
    at_step(client, "identifiants")
    response = client.post("/inscription/identifiants", data={
        "email": email, "email_confirmation": email, "password": PASSWORD, "password_confirmation": PASSWORD})
    assert response.headers["Location"] == CHECK


CHECK = "/inscription/verifiez-vos-emails"


def activation_code(app, email=EMAIL) -> str:
    return re.search(r"^(\d{6})$", newest_message(app, email).body_text, re.M).group(1)


def test_the_email_says_where_to_type_the_code_on_another_device(client, app):
    sign_up(client)
    text = newest_message(app, EMAIL).body_text
    assert "Sur un autre appareil, saisissez-le avec votre adresse e-mail à cette adresse :\n" \
           "http://127.0.0.1:5000/inscription/verifiez-vos-emails\n" in text


def test_the_code_typed_in_another_browser_with_the_address_activates_it(client, elsewhere, app, database):
    sign_up(client)
    page = Page(elsewhere.get(CHECK).get_data(as_text=True), "html.parser")
    assert page.text_of("h1") == "Activer votre compte avec le code reçu"
    assert page.select_one("form #email")["autocomplete"] == "email" and page.select_one("form #code")
    response = elsewhere.post(CHECK, data={"email": " Jean.Martin@Exemple.FR ", "code": activation_code(app)})
    assert response.headers["Location"] == "/inscription/compte-active"
    assert database(lambda s: s.query(Account).one().status) == "active"
    assert elsewhere.get("/inscription/telephone").status_code == 200  # this browser goes on
    # The browser that signed up sees it activated too.
    assert "Votre compte est déjà activé" in client.get(CHECK).get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_wrong_code_or_address_elsewhere_says_so_by_the_field(client, elsewhere, app, htmx):
    sign_up(client)
    browser = ClientRequest(elsewhere)
    page = browser.post(CHECK, {"email": EMAIL, "code": wrong(activation_code(app))}, htmx=htmx)
    assert page.errors() == ["Ce code ne correspond pas : recopiez le code du dernier e-mail reçu"]
    unknown = browser.post(CHECK, {"email": "personne@exemple.fr", "code": activation_code(app)}, htmx=htmx)
    assert unknown.errors() == page.errors()  # an address without an account answers the same
    empty = browser.post(CHECK, {"email": "pas-une-adresse", "code": "12ab"}, htmx=htmx)
    assert len(empty.errors()) == 2 and empty.select_one("#email-error") and empty.select_one("#code-error")
    hostile = browser.post(CHECK, {"email": "a@b.fr\x00<script>", "code": "1" * 5000}, htmx=htmx)
    assert len(hostile.errors()) == 2


def test_wrong_codes_elsewhere_count_against_the_account(client, elsewhere, app, database):
    reconfigure(app, ACTIVATION_CODE_ATTEMPTS=3)
    sign_up(client)
    code = activation_code(app)
    for _ in range(2):
        elsewhere.post(CHECK, data={"email": EMAIL, "code": wrong(code)})
    client.post(CHECK, data={"code": wrong(code)})  # the signup's browser: the same count
    assert database(lambda s: s.query(Account).one().activation.code_failures) == 3
    page = ClientRequest(elsewhere).post(CHECK, {"email": EMAIL, "code": code})
    assert page.errors() == ["Trop de codes erronés : pour votre sécurité, utilisez le lien reçu par e-mail"]
    assert database(lambda s: s.query(Account).one().status) == "pending"


def test_two_people_with_one_address_each_have_their_own_code(app, database):
    first, second, elsewhere = app.test_client(), app.test_client(), app.test_client()
    sign_up(first)
    first_code = activation_code(app)
    sign_up(second)
    second_code = activation_code(app)
    assert first_code != second_code
    assert elsewhere.post(CHECK, data={"email": EMAIL, "code": first_code}).headers["Location"] == \
        "/inscription/compte-active"
    statuses = database(lambda s: sorted(a.status for a in s.query(Account)))
    assert statuses == ["active", "pending"]


def test_a_journey_whose_account_was_forgotten_does_not_loop(client, client_request, database, monkeypatch):
    sign_up(client)
    database(lambda s: (s.query(EmailActivation).delete(), s.query(Account).delete(), s.commit()))
    response = client.get(CHECK)
    assert response.status_code == 200  # not a redirect to itself
    page = Page(response.get_data(as_text=True), "html.parser")
    assert "Cette inscription n’existe plus" in page.text_of(".notice")
    assert client_request.get(CHECK).select_one(".notice") is None  # said once; a new journey starts


# --- a limit on every wait is announced ---------------------------------------------------------

def warning(page):
    return page.select_one("dialog#session-timeout")


def test_check_your_email_warns_before_the_journey_expires(client, client_request):
    sign_up(client)
    for url in (CHECK, "/inscription/adresse-email"):
        page = client_request.get(url)
        dialog = warning(page)
        assert dialog["data-status-url"] == "/inscription/session" and dialog["data-idle-seconds"] == "1800"
        assert dialog["data-expired-url"] == CHECK  # which says the journey expired, and takes the code
        assert dialog.select_one("form[action='/inscription/session'] button").get_text() == "Continuer mon inscription"
        assert page.text_of(".timeout-limit") == \
            "Pour protéger vos données, cette page expire après 30 minutes sans activité."


@pytest.mark.parametrize("url", ["/inscription/compte-active", "/inscription/telephone/confirme",
                                 "/inscription/eligibilite", "/inscription/verification-en-cours",
                                 "/inscription/eligibilite/corriger"])
def test_the_signup_pages_warn_before_the_session_ends(not_found_client, client_request, url):
    page = client_request.get(url)
    dialog = warning(page)
    assert dialog is not None, url
    assert (dialog["data-idle-seconds"], dialog["data-warning-seconds"]) == ("1800", "120")
    assert dialog["data-status-url"] == "/compte/session" and dialog["data-expired-url"] == "/connexion"
    assert dialog.select_one("h2").get_text() == "Vous allez être déconnecté"
    assert dialog.select_one("form[action='/compte/session'] button").get_text() == "Continuer"
    assert len(dialog.select("form")) == 1  # no "Me déconnecter": nothing to sign out of yet
    assert "30 minutes sans activité" in page.text_of(".timeout-limit")


def test_continuer_keeps_the_signup_session(client, monkeypatch):
    activated_account(client, EMAIL)
    later(monkeypatch, minutes=29)
    assert client.get("/compte/session").get_json() == {"seconds_left": 60}
    stayed = client.post("/compte/session", headers={"Accept": "application/json"}).get_json()
    assert stayed == {"seconds_left": 1800}
    later(monkeypatch, minutes=29)
    # Without JavaScript, the button posts a form and the signup goes on where it was.
    assert client.post("/compte/session").headers["Location"] == "/inscription/telephone"
    later(monkeypatch, minutes=29)
    assert client.get("/inscription/telephone").status_code == 200


def test_a_reload_after_the_limit_explains(client, client_request, monkeypatch):
    sign_up(client)
    later(monkeypatch, minutes=31)
    page = client_request.get(CHECK)  # the journey expired: the code can still be typed, with the address
    assert "a expiré après 30 minutes sans activité" in page.text_of(".notice")
    activated_account(client, "autre@exemple.fr")
    later(monkeypatch, minutes=31)
    for url in ("/inscription/compte-active", "/inscription/telephone"):
        response = client.get(url)
        assert response.headers["Location"] == "/connexion"
    assert "reprendre votre inscription" in client_request.get("/connexion").text_of(".notice")


def test_the_signed_in_warning_is_unchanged_and_states_no_limit_on_account_pages(app, client, client_request):
    from tests.views.sign_in_support import make_account, sign_in
    make_account(app, email="fini@exemple.fr")
    sign_in(client, email="fini@exemple.fr")
    page = client_request.get("/compte")
    assert warning(page).select_one("h2").get_text() == "Vous allez être déconnecté"
    assert len(warning(page).select("form")) == 2 and page.select_one(".timeout-limit") is None


# --- "Quelle adresse ai-je utilisée ?" and the forgotten password --------------------------------

@pytest.mark.parametrize("htmx", [False, True])
def test_the_sign_in_page_links_to_which_address_did_i_use(client_request, htmx):
    page = client_request.get("/connexion")
    link = page.select_one("a[href='/connexion/quelle-adresse']")
    assert link.get_text() == "Quelle adresse e-mail ai-je utilisée ?"
    help_page = client_request.get("/connexion/quelle-adresse", htmx=htmx)
    assert help_page.text_of("h1") == "Quelle adresse e-mail ai-je utilisée ?"
    text = help_page.text_of("#wizard-step")
    assert "votre identifiant est l’adresse e-mail donnée à l’inscription" in text
    assert "Ce n’est pas votre « Numéro d’adhérent »" in text
    assert "« Activez votre compte Sésame »" in text and "courriers indésirables (spam)" in text
    assert help_page.select_one("a[href='/mot-de-passe-oublie']")
    assert "conseillers" not in text  # no contact configured: nothing said of one
    assert "après 21 jours" in text and "après 30 jours" in text


def test_the_advisors_contact_is_a_setting(app, client_request):
    reconfigure(app, ADVISORS_CONTACT="09 69 32 10 10, du lundi au vendredi de 8 h à 17 h")
    text = client_request.get("/connexion/quelle-adresse").text_of("#wizard-step")
    assert "Besoin d’aide ? Nos conseillers : 09 69 32 10 10, du lundi au vendredi de 8 h à 17 h." in text
    assert client_request.get("/mot-de-passe-oublie").select_one("a[href='/connexion/quelle-adresse']")


def test_the_help_page_in_english(client, client_request):
    client.post("/langue", data={"lang": "en", "next": "/"})
    page = client_request.get("/connexion/quelle-adresse")
    assert page.text_of("h1") == "Which email address did I use?"
    assert "your identifier is the email address you gave when signing up" in page.text_of("#wizard-step")


def test_a_forgotten_password_of_an_unfinished_signup(client, elsewhere, app, client_request):
    from tests.views.sign_in_support import reset_link
    activated_account(client, EMAIL)
    ClientRequest(elsewhere).post("/mot-de-passe-oublie", {"email": EMAIL}, status=303)
    assert newest_message(app, EMAIL).kind == "password_reset"
    assert elsewhere.get(reset_link(app)).headers["Location"] == "/mot-de-passe-oublie/nouveau"
    new_password = "Girafe-Verte-2027?"
    response = elsewhere.post("/mot-de-passe-oublie/nouveau",
                              data={"password": new_password, "password_confirmation": new_password})
    assert response.headers["Location"] == "/mot-de-passe-oublie/termine"
    assert client.get("/inscription/telephone").headers["Location"] == "/connexion"  # its sessions end
    type_password(elsewhere, password=new_password)
    second_factor(elsewhere, "/inscription/telephone")  # and the signup goes on
