"""Signing in: the password, the pause after failures, the second factor (email or SMS),
the remembered browser and address, the renewal of the session, signing out."""
import re

import pytest

from tests.conftest import PASSWORD, Page, activated_account, code_in, confirmed_phone, newest_message, reconfigure
from tests.views.sign_in_support import (
    EMAIL,
    FIREFOX,
    PHONE,
    email_code,
    later,
    make_account,
    session_cookie,
    session_token,
    sign_in,
    sms_code,
    type_password,
    wrong,
)
from wizard.accounts.models import AccountEvent
from wizard.extensions import db, limiter
from wizard.messaging.models import OutboxMessage
from wizard.sign_in.models import AccountSession, RememberedBrowser, SignInThrottle

WRONG_CREDENTIALS = ("L’adresse e-mail ou le mot de passe est incorrect. Vérifiez-les, ou choisissez "
                     "« Mot de passe oublié ? » pour en choisir un nouveau")


@pytest.fixture
def account_id(app):
    return make_account(app)


# --- the way in -------------------------------------------------------------------------------

def test_the_landing_page_leads_to_sign_in(client_request):
    page = client_request.get("/")
    link = page.select_one("a[href='/connexion']")
    assert link is not None and link.get_text() == "J’ai déjà un compte : me connecter"


def test_a_used_activation_link_leads_to_sign_in(client, client_request, database):
    activated_account(client, EMAIL)
    page = client_request.get("/inscription/verifiez-vos-emails")
    assert page.select_one("a.button")["href"] == "/connexion"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_sign_in_page(client_request, htmx):
    page = client_request.get("/connexion", htmx=htmx)
    assert page.text_of("h1") == "Se connecter"
    assert page.select_one("#email")["autocomplete"] == "email"
    assert page.select_one("#password")["autocomplete"] == "current-password"
    assert page.select_one("#password")["type"] == "password"
    assert page.text_of("label[for=remember_email]") == "Se souvenir de mon adresse e-mail sur cet appareil"
    assert page.select_one("a[href='/mot-de-passe-oublie']").get_text() == "Mot de passe oublié ?"
    assert page.select_one("a[href='/inscription/']").get_text() == "Créer mon compte"


def test_a_person_whose_signup_completed_signs_in_with_an_sms_code(client, app, client_request, database):
    confirmed_phone(client, EMAIL, role="beneficiary")
    assert client.post("/inscription/eligibilite").headers["Location"] == "/inscription/verification-en-cours"
    client.post("/deconnexion")
    assert client.get("/compte").headers["Location"] == "/connexion"
    sign_in(client, channel="sms")
    page = client_request.get("/compte")
    assert page.text_of("h1") == "Mon compte"
    kinds = database(lambda s: [e.kind for e in s.query(AccountEvent).order_by(AccountEvent.id)])
    assert kinds == ["phone_changed", "sign_in"]


def test_a_person_whose_signup_completed_signs_in_with_an_email_code(client, client_request):
    activated_account(client, EMAIL, role="beneficiary")
    client.post("/inscription/telephone", data={"phone": "06 12 34 56 78", "channel": "email"})
    client.post("/inscription/telephone/code", data={"code": email_code(client.application)})
    client.post("/inscription/eligibilite")
    client.post("/deconnexion")
    response = type_password(client)
    assert response.headers["Location"] == "/connexion/code"
    client_request.post("/connexion/code", {"code": email_code(client.application)}, expect_redirect="/compte")


# --- the password -------------------------------------------------------------------------------

def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(account_id, client, client_request):
    wrong_password = client_request.post("/connexion", {"email": EMAIL, "password": "Mauvais-1!"})
    unknown = client_request.post("/connexion", {"email": "personne@exemple.fr", "password": PASSWORD})
    assert wrong_password.errors() == unknown.errors() == [WRONG_CREDENTIALS]
    assert wrong_password.text_of("#password-error") == unknown.text_of("#password-error") == \
        f"Erreur : {WRONG_CREDENTIALS}"
    assert wrong_password.select_one("#email")["value"] == EMAIL


def test_a_pending_account_cannot_sign_in(app, client_request):
    make_account(app, email="attente@exemple.fr", status="pending")
    page = client_request.post("/connexion", {"email": "attente@exemple.fr", "password": PASSWORD})
    assert page.errors() == [WRONG_CREDENTIALS]


def test_the_address_is_compared_as_stored(account_id, client):
    assert type_password(client, email="  Jean.Martin@EXEMPLE.fr ").headers["Location"] == "/connexion/verification"


@pytest.mark.parametrize(("data", "errors"), [
    ({}, ["Saisissez votre adresse e-mail", "Saisissez votre mot de passe"]),
    ({"email": "jean.martin", "password": "x"}, ["L’adresse e-mail doit comporter un @, par exemple nom@exemple.fr"]),
    ({"email": "<script>alert(1)</script>@x", "password": "x"},
     ["Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"]),
    ({"email": "' OR 1=1 --@exemple.fr", "password": "' OR 1=1 --"},
     ["Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"]),
    ({"email": "a" * 300 + "@exemple.fr", "password": "x"},
     ["L’adresse e-mail doit comporter 254 caractères au maximum"]),
    ({"email": EMAIL, "password": "x" * 5000}, ["Ce mot de passe est trop long : vérifiez ce que vous avez saisi"]),
    ({"email": "jean\x00\x1f@exemple.fr", "password": ""}, ["Saisissez votre mot de passe"]),
    ({"email": ["a@exemple.fr", "b@exemple.fr"], "password": "   "}, ["Saisissez votre mot de passe"]),
])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_malformed_sign_ins_are_refused_and_not_counted(account_id, client_request, database, data, errors, htmx):
    page = client_request.post("/connexion", data, htmx=htmx)
    assert page.errors() == errors
    assert database(lambda s: s.query(SignInThrottle).count()) == 0


@pytest.mark.parametrize("password", [PASSWORD + " ", PASSWORD.lower(), "Tournesol‑Bleu‑2026!", "\x00" + PASSWORD,
                                      "é" * 1024])
def test_a_password_is_compared_exactly(account_id, client_request, password):
    assert client_request.post("/connexion", {"email": EMAIL, "password": password}).errors() == [WRONG_CREDENTIALS]


def paused_message(page) -> str:
    return page.errors()[0]


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_ten_failures_in_a_row_pause_the_sign_in_for_fifteen_minutes(account_id, client_request, database,
                                                                     monkeypatch):
    for _ in range(9):
        assert client_request.post("/connexion", {"email": EMAIL, "password": "Mauvais-1!"}).errors() == \
            [WRONG_CREDENTIALS]
    page = client_request.post("/connexion", {"email": EMAIL, "password": "Mauvais-1!"})
    message = paused_message(page)
    assert re.fullmatch(r"Après plusieurs essais infructueux, la connexion avec cette adresse e-mail est suspendue "
                        r"jusqu’à \d\d:\d\d pour protéger le compte\. .*nouveau mot de passe", message)
    # Even the right password waits, and the owner is told once.
    assert paused_message(client_request.post("/connexion", {"email": EMAIL, "password": PASSWORD})) == message
    mails = database(lambda s: s.query(OutboxMessage).filter_by(kind="sign_in_paused").all())
    assert len(mails) == 1 and mails[0].recipient == EMAIL
    assert "10 fois de suite" in mails[0].body_text and "/mot-de-passe-oublie" in mails[0].body_text
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="sign_in_paused").count()) == 1
    later(monkeypatch, minutes=14, seconds=59)
    assert paused_message(client_request.post("/connexion", {"email": EMAIL, "password": PASSWORD})) == message
    later(monkeypatch, seconds=1)
    client_request.post("/connexion", {"email": EMAIL, "password": PASSWORD}, expect_redirect="/connexion/verification")


def test_an_unknown_address_pauses_the_same_and_nobody_is_mailed(account_id, client_request, database):
    answers = [client_request.post("/connexion", {"email": "personne@exemple.fr", "password": "Mauvais-1!"}).errors()
               for _ in range(10)]
    assert answers[:9] == [[WRONG_CREDENTIALS]] * 9
    assert answers[9][0].startswith("Après plusieurs essais infructueux")
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="sign_in_paused").count()) == 0


def test_a_success_starts_the_count_again(account_id, client, database):
    for _ in range(9):
        type_password(client, password="Mauvais-1!")
    assert type_password(client).status_code == 303
    assert database(lambda s: s.query(SignInThrottle).count()) == 0
    for _ in range(9):
        type_password(client, password="Mauvais-1!")
    assert type_password(client).status_code == 303


def test_failures_a_day_apart_do_not_add_up(account_id, client, client_request, monkeypatch):
    for _ in range(9):
        type_password(client, password="Mauvais-1!")
    later(monkeypatch, days=1, seconds=1)
    assert client_request.post("/connexion", {"email": EMAIL, "password": "Mauvais-1!"}).errors() == \
        [WRONG_CREDENTIALS]


def test_sign_in_attempts_are_limited_per_address_of_the_client(app, account_id, client):
    reconfigure(app, RATELIMIT_SIGN_IN="3 per minute")
    limiter.reset()
    for _ in range(3):
        type_password(client, password="Mauvais-1!")
    assert type_password(client).status_code == 429


# --- the second factor ---------------------------------------------------------------------------

def test_with_a_confirmed_phone_the_code_goes_by_sms(account_id, client, client_request, database):
    type_password(client)
    page = client_request.get("/connexion/verification")
    assert page.text_of("h1") == "Sécurisez votre connexion"
    assert [label.get_text() for label in page.select("label[for^=channel-]")] == ["Par SMS, au 06 •• •• •• 78"]
    assert page.select_one("a[href='/connexion/sans-telephone']").get_text() == "Je n’ai plus accès à mon téléphone"
    # The email is no choice of its own: only through "je n'ai plus accès à mon téléphone".
    assert client_request.post("/connexion/verification", {"channel": "email"}).errors() == \
        ["Choisissez comment recevoir votre code de sécurité"]
    assert database(lambda s: s.query(OutboxMessage).filter_by(recipient=EMAIL).count()) == 0
    client_request.post("/connexion/verification", {"channel": "sms"}, expect_redirect="/connexion/code")
    assert re.fullmatch(r"\d{6} est votre code Sésame\.",
                        newest_message(client.application, PHONE, "sms").body_text.split("\n")[0])
    page = client_request.get("/connexion/code")
    assert "par SMS au 06 •• •• •• 78" in page.text_of(".panel")
    assert page.select_one("input[name=channel][value=email]") is None
    # A resend asking for the email gets the SMS (the cool-down aside).
    assert client_request.post("/connexion/code/renvoyer", {"channel": "email"}).select_one(".notice") is not None
    assert database(lambda s: s.query(OutboxMessage).filter_by(recipient=EMAIL).count()) == 0


@pytest.mark.parametrize("channel", ["", "fax", "<b>sms</b>", "sms' --"])
def test_an_unknown_channel_is_refused(account_id, client, client_request, database, channel):
    type_password(client)
    page = client_request.post("/connexion/verification", {"channel": channel})
    assert page.errors() == ["Choisissez comment recevoir votre code de sécurité"]
    assert database(lambda s: s.query(OutboxMessage).filter_by(channel="sms").count()) == 0


def test_no_sms_without_a_proven_phone(app, client, client_request, database):
    make_account(app, phone=None)
    assert type_password(client).headers["Location"] == "/connexion/code"
    type_password(client)
    client_request.get("/connexion/verification")  # still reachable, with the one choice
    assert client_request.post("/connexion/verification", {"channel": "sms"}).errors() == \
        ["Choisissez comment recevoir votre code de sécurité"]


def test_the_code_page_says_how_long_the_code_lives(account_id, client, client_request):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    page = client_request.get("/connexion/code")
    assert page.text_of("h1") == "Saisissez votre code de sécurité"
    assert "par SMS au 06 •• •• •• 78" in page.text_of(".panel")
    assert re.search(r"Ce code est valable 3 minutes, jusqu’à \d\d:\d\d\.", page.text_of(".panel"))
    left = page.select_one("#code-time-left")
    assert int(left["data-countdown"]) in (179, 180)
    assert page.text_of("#code-time-left") in ("Temps restant pour saisir ce code : 3:00.",
                                               "Temps restant pour saisir ce code : 2:59.")
    field = page.select_one("#code")
    assert (field["autocomplete"], field["inputmode"]) == ("one-time-code", "numeric")
    assert page.select_one("#wizard-step button[name]") is None  # the channel travels in a hidden field
    assert page.select_one("form[action='/connexion/code/renvoyer'] input[name=channel][value=sms]") is not None


def test_the_email_code_says_how_long_it_lives(app, client):
    make_account(app, phone=None)
    type_password(client)
    mail = newest_message(client.application, EMAIL)
    assert mail.subject == "Votre code Sésame" and "valable 3 minutes" in mail.body_text


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_wrong_codes_count_down_then_lock_even_the_right_one(account_id, client, client_request):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    code = sms_code(client.application)
    messages = [client_request.post("/connexion/code", {"code": wrong(code)}).errors()[0] for _ in range(5)]
    assert messages[:4] == [f"Ce code n’est pas le bon. Il vous reste {n} essai{'s' if n > 1 else ''}."
                            for n in (4, 3, 2, 1)]
    assert messages[4] == "Trop d’essais pour ce code : demandez-en un nouveau"
    assert client_request.post("/connexion/code", {"code": code}).errors() == \
        ["Trop d’essais pour ce code : demandez-en un nouveau"]
    assert client.get("/compte").headers["Location"] == "/connexion"


def test_a_code_expires_after_three_minutes(account_id, client, client_request, monkeypatch):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    code = sms_code(client.application)
    later(monkeypatch, minutes=3, seconds=1)
    page = client_request.post("/connexion/code", {"code": code})
    assert page.errors() == ["Ce code a expiré : demandez-en un nouveau"]
    assert page.text_of("#code-time-left") == "Ce code a expiré : demandez-en un nouveau."
    later(monkeypatch, seconds=60)
    client_request.post("/connexion/code/renvoyer", {"channel": "sms"}, expect_redirect="/connexion/code")
    client_request.post("/connexion/code", {"code": sms_code(client.application)}, expect_redirect="/compte")


NOTHING_SENT = (r"Aucun nouveau code n’a été envoyé : un code vient déjà d’être demandé\. "
                r"Vous pourrez en demander un autre à partir de \d\d:\d\d:\d\d\.")


def test_a_new_code_waits_for_the_cool_down_and_kills_the_old_one(account_id, client, client_request, monkeypatch):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    old = sms_code(client.application)
    page = client_request.post("/connexion/code/renvoyer", {"channel": "sms"})
    assert re.fullmatch(NOTHING_SENT, page.text_of(".notice"))
    assert "Vous pourrez demander un nouveau code dans" in page.text_of("#resend-hint")
    later(monkeypatch, seconds=61)
    client_request.post("/connexion/code/renvoyer", {"channel": "sms"}, expect_redirect="/connexion/code")
    new = sms_code(client.application)
    if new != old:
        assert client_request.post("/connexion/code", {"code": old}).errors()[0].startswith("Ce code n’est pas le bon")
    client_request.post("/connexion/code", {"code": new}, expect_redirect="/compte")


def test_a_page_never_says_a_code_was_sent_when_none_was(account_id, client, client_request, database):
    """The attacker's case: asking the other channel inside the cool-down said "Nous avons envoyé
    un code… par e-mail" although nothing was sent. Now it says where the last one went, and when."""
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    page = client_request.post("/connexion/sans-telephone", {"channel": "email"})
    assert re.fullmatch(NOTHING_SENT, page.text_of(".notice"))
    assert "par SMS au 06 •• •• •• 78" in page.text_of(".panel") and "e-mail" not in page.text_of(".panel")
    assert database(lambda s: s.query(OutboxMessage).filter_by(recipient=EMAIL).count()) == 0


def test_a_sign_in_inside_the_cool_down_of_another_says_so(account_id, app, client, client_request):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    other = app.test_client()
    type_password(other)
    page = other.post("/connexion/verification", data={"channel": "sms"})
    page = Page(page.get_data(as_text=True), "html.parser")
    assert re.fullmatch(NOTHING_SENT, page.text_of(".notice"))
    assert "par SMS au 06 •• •• •• 78" in page.text_of(".panel")  # that code, sent a moment ago, works here


# --- "je n'ai plus accès à mon téléphone" ----------------------------------------------------

def test_without_the_phone_the_code_comes_by_email_and_the_owner_is_warned(account_id, client, client_request,
                                                                           database, monkeypatch):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    later(monkeypatch, seconds=61)
    page = client_request.get("/connexion/sans-telephone")
    assert page.text_of("h1") == "Je n’ai plus accès à mon téléphone"
    assert "par SMS au 06 •• •• •• 78 et par e-mail" in page.text_of(".callout")
    client_request.post("/connexion/sans-telephone", {"channel": "email"}, expect_redirect="/connexion/code")
    assert "par e-mail à j•••n@exemple.fr" in client_request.get("/connexion/code").text_of(".panel")
    warning = newest_message(client.application, PHONE, "sms")
    assert "un code de connexion a été demandé par e-mail" in warning.body_text
    kinds = database(lambda s: sorted(m.kind for m in s.query(OutboxMessage).filter_by(recipient=EMAIL)))
    assert kinds == ["email_code_no_phone", "sign_in_code"]
    code = database(lambda s: code_in(s.query(OutboxMessage).filter_by(kind="sign_in_code", recipient=EMAIL).one()))
    client_request.post("/connexion/code", {"code": code}, expect_redirect="/compte")
    events = database(lambda s: [e.kind for e in s.query(AccountEvent).order_by(AccountEvent.id)])
    assert events == ["email_code_no_phone", "sign_in"]
    page = client_request.get("/compte")
    assert "Code de connexion demandé par e-mail, sans le téléphone" in page.text_of("#activity-heading + ul")


def test_the_warnings_are_in_the_owners_language(app, client, database, monkeypatch):
    make_account(app, language="en")
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    later(monkeypatch, seconds=61)
    client.post("/connexion/sans-telephone", data={"channel": "email"})
    assert "a sign-in code was asked for by email" in newest_message(app, PHONE, "sms").body_text
    mail = database(lambda s: s.query(OutboxMessage).filter_by(kind="email_code_no_phone", channel="email").one())
    assert mail.subject == "Sésame sign-in code asked for by email, without the phone"
    assert "saying they no longer have access to your mobile phone" in mail.body_text


def test_without_the_phone_is_rate_limited(account_id, app, client, client_request, database, monkeypatch):
    reconfigure(app, RATELIMIT_SIGN_IN_FALLBACK="2 per hour")
    limiter.reset()
    type_password(client)
    for _ in range(2):
        later(monkeypatch, seconds=61)
        client_request.post("/connexion/sans-telephone", {"channel": "email"}, expect_redirect="/connexion/code")
    later(monkeypatch, seconds=61)
    client_request.post("/connexion/sans-telephone", {"channel": "email"}, status=429)
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="sign_in_code").count()) == 2


def test_an_operator_may_forbid_the_email_code(account_id, app, client, client_request, database):
    reconfigure(app, SIGN_IN_EMAIL_FALLBACK=False, ADVISORS_CONTACT="09 69 32 10 10")
    type_password(client)
    page = client_request.get("/connexion/sans-telephone")
    assert "n’est envoyé que par SMS au 06 •• •• •• 78" in page.text_of("main")
    assert "Conseillers : 09 69 32 10 10" in page.text_of("main")
    assert page.select_one("form[action='/connexion/sans-telephone']") is None
    client_request.post("/connexion/sans-telephone", {"channel": "email"})
    assert database(lambda s: s.query(OutboxMessage).filter_by(recipient=EMAIL).count()) == 0


def test_without_a_phone_there_is_no_such_path(app, client, client_request):
    make_account(app, phone=None)
    type_password(client)
    client_request.get("/connexion/sans-telephone", status=303)
    assert client_request.get("/connexion/code").select_one("a[href='/connexion/sans-telephone']") is None


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Saisissez le code à 6 chiffres que vous avez reçu"),
    ("12345", "Le code comporte 6 chiffres, par exemple 123456"),
    ("１２３４５６", "Le code comporte 6 chiffres, par exemple 123456"),
    ("<script>", "Le code comporte 6 chiffres, par exemple 123456"),
    ("' OR 1=1 --", "Le code comporte 6 chiffres, par exemple 123456"),
    ("9" * 500, "Le code comporte 6 chiffres, par exemple 123456"),
])
def test_malformed_codes_use_no_attempt(account_id, client, client_request, database, typed, message):
    from wizard.codes.models import OneTimeCode
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    assert client_request.post("/connexion/code", {"code": typed}).errors() == [message]
    assert database(lambda s: s.query(OneTimeCode).one().attempts) == 0


def test_the_code_pages_need_the_password_first(account_id, client_request):
    client_request.post("/connexion/code", {"code": "123456"}, expect_redirect="/connexion")
    client_request.get("/connexion/verification", status=303)
    client_request.post("/connexion/code/renvoyer", {"channel": "sms"}, expect_redirect="/connexion")


def test_a_sign_in_half_done_is_forgotten_after_ten_minutes(account_id, client, monkeypatch):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    later(monkeypatch, minutes=10, seconds=1)
    assert client.get("/connexion/code").headers["Location"] == "/connexion"


def test_a_new_password_voids_a_sign_in_half_done(account_id, app, client, monkeypatch):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    other = app.test_client()
    later(monkeypatch, seconds=61)  # the cool-down between two codes holds per account
    sign_in(other)
    other.post("/compte/mot-de-passe", data={"current_password": PASSWORD, "password": "Girafe-Verte-2027?",
                                             "password_confirmation": "Girafe-Verte-2027?"})
    response = client.post("/connexion/code", data={"code": sms_code(app)})
    assert response.headers["Location"] == "/connexion"


def test_signing_in_through_htmx_reloads_the_whole_page(account_id, client):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    response = client.post("/connexion/code", data={"code": sms_code(client.application)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/compte"


# --- the session ---------------------------------------------------------------------------------

def test_the_session_is_renewed_at_sign_in(app, client, database):
    activated_account(client, EMAIL, role="beneficiary")  # signed in to continue the signup
    before_token, before_cookie = session_token(client), session_cookie(client)
    client.post("/inscription/telephone", data={"phone": "06 12 34 56 78", "channel": "sms"})
    client.post("/inscription/telephone/code", data={"code": sms_code(app)})
    client.post("/inscription/eligibilite")
    with client.session_transaction() as session:
        assert "journey" in session
    sign_in(client, channel="sms")
    after = session_token(client)
    assert after and after != before_token
    with client.session_transaction() as session:
        assert set(session) <= {"account_session", "csrf_token", "lang"}  # the journey and the rest dropped
    kinds = database(lambda s: sorted((r.kind, r.ended_at is None) for r in s.query(AccountSession)))
    # The sign-in half done (password typed, before the code) ended when it was done.
    assert kinds == [("pending", False), ("sign_in", True), ("signup", False)]
    # The cookie from before signing in opens nothing, not even the signup's pages.
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], before_cookie)
    assert thief.get("/compte").headers["Location"] == "/connexion"
    assert thief.get("/inscription/telephone").status_code == 303


def test_signing_out_ends_the_session_on_the_server(account_id, app, client, client_request):
    sign_in(client)
    stolen = session_cookie(client)
    client_request.post("/deconnexion", {}, expect_redirect="/deconnexion")
    page = client_request.get("/deconnexion")
    assert page.text_of("h1") == "Vous êtes déconnecté"
    assert client.get("/compte").headers["Location"] == "/connexion"
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert thief.get("/compte").headers["Location"] == "/connexion"


def test_the_session_ends_after_fifteen_idle_minutes(account_id, client, client_request, monkeypatch):
    sign_in(client)
    later(monkeypatch, minutes=14, seconds=50)
    client_request.get("/compte")  # activity: fifteen minutes from now again
    later(monkeypatch, minutes=14, seconds=50)
    client_request.get("/compte")
    later(monkeypatch, minutes=15)
    client_request.get("/compte", status=303)
    page = client_request.get("/connexion")
    assert page.text_of(".notice") == ("Vous avez été déconnecté après 15 minutes sans activité, pour protéger vos "
                                       "données. Connectez-vous à nouveau.")
    assert client_request.get("/connexion").select_one(".notice") is None  # said once


def test_the_session_ends_after_twelve_hours_whatever_the_activity(account_id, client, monkeypatch):
    later(monkeypatch, seconds=0)
    sign_in(client)
    statuses = []
    for _ in range(52):  # a request every 14 minutes: the 51st at 11 h 54 min, the 52nd at 12 h 08 min
        later(monkeypatch, minutes=14)
        statuses.append(client.get("/compte").status_code)
    assert statuses == [200] * 51 + [303]


def test_the_idle_time_left_can_be_read_without_extending_it(account_id, client, monkeypatch):
    later(monkeypatch, seconds=0)
    sign_in(client)
    later(monkeypatch, minutes=13)
    assert client.get("/compte/session").get_json() == {"seconds_left": 120}
    later(monkeypatch, minutes=1)
    response = client.get("/compte/session")
    assert response.get_json() == {"seconds_left": 60} and response.headers["Cache-Control"] == "no-store"
    stayed = client.post("/compte/session", headers={"Accept": "application/json"})
    assert stayed.get_json() == {"seconds_left": 900}
    later(monkeypatch, minutes=14)
    assert client.get("/compte").status_code == 200
    assert client.post("/compte/session").headers["Location"] == "/compte"  # without JavaScript


def test_the_idle_warning_is_on_signed_in_pages_only(account_id, app, client, client_request):
    assert client_request.get("/connexion").select_one("#session-timeout") is None
    activated_account(app.test_client(), "autre@exemple.fr")
    sign_in(client)
    page = client_request.get("/compte")
    dialog = page.select_one("dialog#session-timeout")
    assert dialog["aria-labelledby"] == "session-timeout-title"
    assert dialog["aria-describedby"] == "session-timeout-text"
    assert (dialog["data-idle-seconds"], dialog["data-warning-seconds"]) == ("900", "120")
    assert dialog["data-status-url"] == "/compte/session" and dialog["data-expired-url"] == "/deconnexion"
    assert 895 <= int(dialog["data-seconds-left"]) <= 900
    import json
    assert json.loads(dialog["data-announcements"]) == {
        "120": "Vous serez déconnecté dans 2 minutes.", "90": "Vous serez déconnecté dans 1 min 30 s.",
        "60": "Vous serez déconnecté dans 1 minute.", "30": "Vous serez déconnecté dans 30 secondes."}
    assert dialog.select_one("[data-timeout-announce]")["aria-live"] == "assertive"
    assert dialog.select_one("form[action='/compte/session'] button").get_text() == "Rester connecté"
    assert "js/session-timeout.js" in str(page.select_one("head"))
    # Other screens of the signed-in person have it too; the landing page says nothing else.
    assert client_request.get("/").select_one("#session-timeout") is not None


def test_the_signup_session_has_no_account_page(client, client_request):
    activated_account(client, EMAIL)  # its idle warning: tests/views/test_resume.py
    assert client.get("/compte").headers["Location"] == "/connexion"


def test_signing_out_everywhere_ends_every_session(account_id, app, client, client_request, database,
                                                    monkeypatch):
    phone, laptop = app.test_client(), client
    sign_in(phone)
    later(monkeypatch, seconds=61)
    sign_in(laptop)
    client_request.post("/compte/deconnexion-partout", {}, expect_redirect="/deconnexion")
    assert client_request.get("/deconnexion").text_of("h1") == "Vous êtes déconnecté de tous vos appareils"
    assert phone.get("/compte").headers["Location"] == "/connexion"
    assert laptop.get("/compte").headers["Location"] == "/connexion"
    assert database(lambda s: s.query(AccountSession).filter(AccountSession.ended_at.is_(None)).count()) == 0
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="signed_out_everywhere").count()) == 1


def test_a_signed_in_person_going_to_sign_in_lands_on_the_account(account_id, client):
    sign_in(client)
    assert client.get("/connexion").headers["Location"] == "/compte"
    assert client.get("/deconnexion").headers["Location"] == "/compte"


# --- remembered browsers and addresses ---------------------------------------------------------------

def browser_cookie(client):
    return client.get_cookie("sesame_navigateur")


def test_remember_me_skips_the_code_for_ninety_days(account_id, app, client, database, monkeypatch):
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    response = sign_in(client, remember=True)
    cookie = browser_cookie(client)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("sesame_navigateur="))
    assert "Max-Age=7776000" in header and "HttpOnly" in header and "SameSite=Lax" in header
    row = database(lambda s: s.query(RememberedBrowser).one())
    assert row.device == "Firefox|Windows" and cookie.value.split(".")[0] not in row.token_hash
    client.post("/deconnexion")
    later(monkeypatch, days=89, hours=23)
    assert type_password(client).headers["Location"] == "/compte"  # no code
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="sign_in_code").count()) == 1
    client.post("/deconnexion")
    later(monkeypatch, hours=1)
    assert type_password(client).headers["Location"] == "/connexion/verification"


def test_the_remembered_browser_still_needs_the_password(account_id, client, client_request):
    sign_in(client, remember=True)
    client.post("/deconnexion")
    assert client_request.post("/connexion", {"email": EMAIL, "password": "Mauvais-1!"}).errors() == \
        [WRONG_CREDENTIALS]


def test_a_damaged_or_foreign_cookie_remembers_nothing(account_id, app, client):
    make_account(app, email="autre@exemple.fr", phone=None)
    sign_in(client, remember=True)
    value = browser_cookie(client).value
    client.post("/deconnexion")
    client.set_cookie("sesame_navigateur", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert type_password(client).headers["Location"] == "/connexion/verification"
    client.set_cookie("sesame_navigateur", value)
    assert type_password(client, email="autre@exemple.fr").headers["Location"] == "/connexion/code"
    for junk in ("", "x" * 3900, "<script>", "e30.invalid"):
        client.set_cookie("sesame_navigateur", junk)
        assert type_password(client).headers["Location"] == "/connexion/verification"


def test_remember_me_unticked_remembers_nothing(account_id, client, database):
    sign_in(client, remember=False)
    assert browser_cookie(client) is None
    assert database(lambda s: s.query(RememberedBrowser).count()) == 0


def test_remember_my_address(account_id, client, client_request):
    type_password(client, remember_email="y")
    page = client_request.get("/connexion")
    assert page.select_one("#email")["value"] == EMAIL
    assert page.select_one("#remember_email").has_attr("checked")
    header = next(h for h in type_password(client, remember_email="y").headers.getlist("Set-Cookie")
                  if h.startswith("sesame_email="))
    assert "HttpOnly" in header and "Max-Age=2592000" in header  # 30 days, not 13 months
    type_password(client)  # unticked: forgotten
    page = client_request.get("/connexion")
    assert page.select_one("#email")["value"] == "" and not page.select_one("#remember_email").has_attr("checked")


def test_a_forged_address_cookie_is_ignored(client, client_request):
    client.set_cookie("sesame_email", '"><script>alert(1)</script>')
    assert client_request.get("/connexion").select_one("#email")["value"] == ""


def test_a_wrong_password_remembers_no_address(account_id, client, client_request):
    type_password(client, password="Mauvais-1!", remember_email="y")
    assert client.get_cookie("sesame_email") is None


def kiosk(client):
    client.post("/borne/commencer?kiosque=agence-lyon")


def test_on_a_kiosk_nothing_is_remembered(account_id, client, client_request, database):
    kiosk(client)
    page = client_request.get("/connexion")
    assert page.select_one("#remember_email") is None
    type_password(client, remember_email="y")
    assert client.get_cookie("sesame_email") is None
    client.post("/connexion/verification", data={"channel": "sms"})
    page = client_request.get("/connexion/code")
    assert page.select_one("#remember") is None and page.select_one("details") is None
    client_request.post("/connexion/code", {"code": sms_code(client.application), "remember": "y"},
                        expect_redirect="/compte")
    assert browser_cookie(client) is None
    assert database(lambda s: s.query(RememberedBrowser).count()) == 0


def test_on_a_kiosk_a_remembered_browser_still_asks_for_the_code(account_id, client):
    sign_in(client, remember=True)
    client.post("/deconnexion")
    kiosk(client)
    assert type_password(client).headers["Location"] == "/connexion/verification"


def test_the_remember_me_explanation(account_id, client, client_request):
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    page = client_request.get("/connexion/code")
    assert page.select_one("#remember")["aria-describedby"] == "remember-hint"
    assert page.text_of("#remember-hint").startswith(
        "En cochant cette case, vous n’aurez pas à saisir de code pendant 90 jours sur cet appareil et ce navigateur "
        "(sauf si vous effacez les cookies ou naviguez en mode privé).")
    assert page.text_of("details summary") == "Quand le code me sera-t-il demandé à nouveau ?"
    assert "navigation privée" in page.text_of("details")


def test_a_pending_sign_in_copied_before_sign_out_opens_nothing_after(app, account_id, client):
    """The cookie of a sign-in half done (password typed, code not yet) is copied; the person
    finishes, then signs out: the copy neither opens the code page nor sends a code."""
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})  # a phone is confirmed: the SMS
    copied = session_cookie(client)
    client.post("/connexion/code", data={"code": sms_code(app)})
    client.post("/deconnexion")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert thief.get("/connexion/code").headers["Location"] == "/connexion"
    sent = len(_codes_sent(app))
    thief.post("/connexion/code/renvoyer", data={"channel": "sms"})
    assert len(_codes_sent(app)) == sent


def test_the_cookie_of_a_pending_sign_in_does_not_name_the_account(app, account_id, client):
    type_password(client)
    with client.session_transaction() as cookie:
        assert account_id not in str(dict(cookie))


def _codes_sent(app):
    with app.app_context():
        return db.session.query(OutboxMessage).filter_by(kind="sign_in_code").all()
