"""The console's staff: made by a command, a password then a TOTP code (enrolled with a QR
code at the first sign-in), a wrong, a replayed code, a locked account, an idle session."""
import base64
from datetime import timedelta

import pytest

from tests.views.operator_support import STAFF_EMAIL, STAFF_PASSWORD, create_staff, signed_in_staff, totp_code
from wizard import settings
from wizard.core import clock
from wizard.operator import staff
from wizard.operator.models import StaffMember, StaffSession


@pytest.fixture
def staff_member(app):
    assert create_staff(app).exit_code == 0


def moved(monkeypatch, **delta):
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


def password_step(client_request, email=STAFF_EMAIL, password=STAFF_PASSWORD, **kwargs):
    return client_request.post("/operateur/connexion", {"email": email, "password": password}, **kwargs)


def password_accepted(client_request):
    password_step(client_request, expect_redirect="/operateur/connexion/code")


def test_the_command_creates_a_member_with_a_sealed_seed_and_refuses_weak_passwords_and_twins(app, database):
    result = create_staff(app)
    assert result.exit_code == 0 and "agnes.operatrice@mutuelle-demo.fr created" in result.output
    assert "already has a staff account" in create_staff(app).output
    assert "min_length" in create_staff(app, "autre@mutuelle-demo.fr", "Court-1!").output
    [member] = database(lambda session: session.query(StaffMember).all())
    assert member.password_hash.startswith("$argon2id$") and member.enrolled_at is None
    with app.test_request_context():
        seed = base64.b32decode(staff.secret_for_typing(member, settings.staff_settings()).replace(" ", ""))
    assert len(seed) == 20 and seed.hex() != member.totp_sealed  # kept sealed, not in clear


def test_the_console_is_for_signed_in_staff_only(client):
    for url in ("/operateur/", "/operateur/connexion/code"):
        response = client.get(url)
        assert response.status_code == 303 and response.headers["Location"] == "/operateur/connexion"


def test_the_first_sign_in_enrols_the_authenticator_with_a_qr_code(app, client_request, staff_member, database):
    password_accepted(client_request)
    page = client_request.get("/operateur/connexion/code")
    assert page.text_of("h1") == "Activez la double authentification"
    assert page.select_one(".enrolment-qr svg path") is not None
    assert len(page.text_of(".secret-key").replace(" ", "")) == 32
    client_request.post("/operateur/connexion/code", {"code": totp_code(app)}, expect_redirect="/operateur/")
    assert client_request.get("/operateur/").text_of(".console-member") == f"Connecté en tant que {STAFF_EMAIL}."
    assert database(lambda session: session.query(StaffMember).one().enrolled_at) is not None
    client_request.post("/operateur/deconnexion", expect_redirect="/operateur/connexion")
    assert client_request.client.get("/operateur/").status_code == 303
    assert database(lambda session: session.query(StaffSession).one().ended_at) is not None


def test_a_wrong_password_and_an_unknown_address_say_the_same(client_request, staff_member):
    for email, password in ((STAFF_EMAIL, "Pas-le-bon-1987!"), ("inconnu@mutuelle-demo.fr", STAFF_PASSWORD)):
        page = password_step(client_request, email, password)
        assert page.errors() == ["L’adresse e-mail ou le mot de passe est incorrect"]


@pytest.mark.parametrize(("data", "errors"), [
    ({}, ["Saisissez votre adresse e-mail", "Saisissez votre mot de passe"]),
    ({"email": "<script>@@", "password": "x" * 5000}, [
        "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr",
        "Ce mot de passe est trop long : vérifiez ce que vous avez saisi"]),
])
def test_malformed_sign_in_answers_are_told_next_to_the_field(client_request, staff_member, data, errors):
    page = client_request.post("/operateur/connexion", data)
    assert page.errors() == errors


def test_a_wrong_then_a_replayed_code_are_refused(app, client_request, staff_member, monkeypatch):
    password_accepted(client_request)
    page = client_request.post("/operateur/connexion/code", {"code": "000000" if totp_code(app) != "000000"
                                                             else "111111"})
    assert page.errors() == ["Ce code n’est pas le bon : saisissez celui que votre application affiche maintenant"]
    code = totp_code(app)
    client_request.post("/operateur/connexion/code", {"code": code}, expect_redirect="/operateur/")
    client_request.post("/operateur/deconnexion", expect_redirect="/operateur/connexion")
    password_accepted(client_request)
    page = client_request.post("/operateur/connexion/code", {"code": code})
    assert page.errors() == ["Ce code a déjà servi : attendez le suivant dans votre application"]
    moved(monkeypatch, seconds=60)
    client_request.post("/operateur/connexion/code", {"code": totp_code(app)}, expect_redirect="/operateur/")


def test_failures_in_a_row_lock_the_account_even_for_the_right_password(app, client_request, staff_member,
                                                                      monkeypatch):
    for _ in range(4):
        password_step(client_request, password="Pas-le-bon-1987!")
    page = password_step(client_request, password="Pas-le-bon-1987!")
    [error] = page.errors()
    assert error.startswith("Après plusieurs essais infructueux, ce compte est bloqué jusqu’à")
    assert password_step(client_request).errors() == [error]
    moved(monkeypatch, minutes=16)
    password_accepted(client_request)


def test_wrong_codes_lock_too(app, client_request, staff_member):
    password_accepted(client_request)
    wrong = "000000" if totp_code(app) != "000000" else "111111"
    for _ in range(4):
        client_request.post("/operateur/connexion/code", {"code": wrong})
    assert client_request.post("/operateur/connexion/code", {"code": wrong}).errors()[0].startswith(
        "Après plusieurs essais infructueux")
    assert client_request.post("/operateur/connexion/code", {"code": totp_code(app)}).errors()[0].startswith(
        "Après plusieurs essais infructueux")


def test_a_session_left_idle_ends_as_strictly_as_a_citizens(app, client, client_request, monkeypatch):
    signed_in_staff(app, client)
    moved(monkeypatch, minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    response = client.get("/operateur/")
    assert response.status_code == 303 and response.headers["Location"] == "/operateur/connexion"
    assert client_request.get("/operateur/connexion").text_of(".notice").startswith(
        "Vous avez été déconnecté après 15 minutes sans activité.")


def test_the_console_is_never_cached(app, client):
    signed_in_staff(app, client)
    assert client.get("/operateur/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("code", "error"), [
    ("", "Saisissez le code à 6 chiffres que votre application affiche"),
    ("12a456", "Le code comporte 6 chiffres, par exemple 123456"),
    ("1" * 5000, "Le code comporte 6 chiffres, par exemple 123456"),
])
def test_a_malformed_code_is_told_and_costs_no_attempt(app, client_request, staff_member, database, code, error):
    password_accepted(client_request)
    assert client_request.post("/operateur/connexion/code", {"code": code}).errors() == [error]
    assert database(lambda session: session.query(StaffMember).one().failures) == 0


def test_the_console_warns_before_the_session_ends_and_its_poll_is_not_activity(app, client, client_request,
                                                                              monkeypatch):
    signed_in_staff(app, client)
    dialog = client_request.get("/operateur/").select_one("dialog#session-timeout")
    assert dialog["data-status-url"] == "/operateur/session" and dialog["data-expired-url"] == "/operateur/connexion"
    assert [form["action"] for form in dialog.select("form")] == ["/operateur/session", "/operateur/deconnexion"]
    moved(monkeypatch, minutes=14)
    assert 55 <= client.get("/operateur/session").get_json()["seconds_left"] <= 60
    moved(monkeypatch, minutes=1, seconds=1)  # polled, not kept alive: over
    assert client.get("/operateur/session").get_json()["seconds_left"] == 0
    assert client.get("/operateur/").headers["Location"] == "/operateur/connexion"


def test_staying_signed_in_counts_from_now_again(app, client, monkeypatch):
    signed_in_staff(app, client)
    moved(monkeypatch, minutes=14)
    stayed = client.post("/operateur/session", headers={"Accept": "application/json"}).get_json()
    assert stayed["seconds_left"] == 15 * 60
    moved(monkeypatch, minutes=14)
    assert client.get("/operateur/").status_code == 200
    assert client.post("/operateur/session").headers["Location"] == "/operateur/"  # without JavaScript


def test_a_lost_authenticator_is_reset_by_a_command_and_enrolled_again(app, client, client_request, database):
    signed_in_staff(app, client)
    old_seed = database(lambda session: session.query(StaffMember).one().totp_sealed)
    result = app.test_cli_runner().invoke(args=["staff", "reset-second-factor", STAFF_EMAIL.upper()])
    assert result.exit_code == 0, result.output
    assert client.get("/operateur/").headers["Location"] == "/operateur/connexion"  # its sessions ended
    password_accepted(client_request)
    assert client_request.get("/operateur/connexion/code").text_of("h1") == "Activez la double authentification"
    assert database(lambda session: session.query(StaffMember).one().totp_sealed) != old_seed  # a new seed
    client_request.post("/operateur/connexion/code", {"code": totp_code(app)}, expect_redirect="/operateur/")


def test_a_removed_member_can_no_longer_sign_in(app, client, client_request, database):
    signed_in_staff(app, client)
    assert app.test_cli_runner().invoke(args=["staff", "remove", STAFF_EMAIL]).exit_code == 0
    assert database(lambda session: (session.query(StaffMember).count(), session.query(StaffSession).count())) \
        == (0, 0)
    assert client.get("/operateur/").headers["Location"] == "/operateur/connexion"
    assert password_step(client_request).errors() == ["L’adresse e-mail ou le mot de passe est incorrect"]
    assert "has no staff account" in app.test_cli_runner().invoke(args=["staff", "remove", STAFF_EMAIL]).output
