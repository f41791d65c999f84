"""The phone step: the number, the channel, and the one-time code that proves it."""
import re
from datetime import timedelta

import pytest

from tests.conftest import Page, activated_account, newest_message, reconfigure
from wizard.accounts.models import Account
from wizard.codes.models import OneTimeCode
from wizard.core import clock
from wizard.messaging.models import OutboxMessage

EMAIL = "jean.martin@exemple.fr"
CODE, CONFIRMED = "/inscription/telephone/code", "/inscription/telephone/confirme"


@pytest.fixture
def activated(client):
    activated_account(client, EMAIL)
    return client


def later(monkeypatch, **delta):
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


def sms_code(app, phone="+33612345678") -> str:
    return newest_message(app, phone, "sms").body_text.split(" ", 1)[0]


def give_number(client, phone="06 12 34 56 78", channel="sms"):
    return client.post("/inscription/telephone", data={"phone": phone, "channel": channel})


def account(database) -> Account:
    return database(lambda s: s.query(Account).filter_by(email=EMAIL).one())


def test_activation_leads_to_the_phone_step(activated, client_request):
    page = client_request.get("/inscription/compte-active")
    assert page.select_one("a.button")["href"] == "/inscription/telephone"
    page = client_request.get("/inscription/telephone")
    assert page.text_of("h1") == "Étape 3 sur 4 : Votre téléphone portable"
    assert [li.get_text(" ", strip=True) for li in page.select(".done-list li")] == [
        "Vos informations enregistrées", "Adresse e-mail confirmée (j•••n@exemple.fr)"]
    field = page.select_one("#phone")
    assert field["autocomplete"] == "tel" and field["inputmode"] == "tel"
    assert "+33 6 12 34 56 78" in page.text_of("#phone-hint")
    assert page.select_one("#channel-0")["value"] == "sms" and page.select_one("#channel-0").has_attr("checked")


def test_the_phone_step_needs_an_activated_account(client_request):
    client_request.get("/inscription/telephone", status=303)
    client_request.get("/inscription/telephone/code", status=303)


@pytest.mark.parametrize(("typed", "stored"), [
    ("06 12 34 56 78", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033612345678", "+33612345678"),
    ("06.12.34.56.78", "+33612345678"),
    ("07 52 12 34 56", "+33752123456"),
    ("0690 12 34 56", "+590690123456"),   # Guadeloupe
    ("0692 12 34 56", "+262692123456"),   # La Réunion
    ("0696 12 34 56", "+596696123456"),   # Martinique
    ("0694 12 34 56", "+594694123456"),   # Guyane
])
def test_french_mobiles_are_stored_in_e164(activated, database, typed, stored):
    assert give_number(activated, typed).headers["Location"] == "/inscription/telephone/code"
    assert account(database).phone == stored
    assert newest_message(activated.application, stored, "sms") is not None


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Saisissez votre numéro de téléphone portable"),
    ("01 42 34 56 78", "Ce numéro est celui d’un téléphone fixe : saisissez un numéro de portable, "
                       "qui peut recevoir des SMS"),
    ("+44 7911 123456", "Saisissez un numéro de portable français (métropole ou outre-mer)"),
    ("+1 202 555 0143", "Saisissez un numéro de portable français (métropole ou outre-mer)"),
    ("06 12 34", "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78"),
    ("abcdefghij", "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78"),
    ("<script>alert(1)</script>", "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78"),
    ("6" * 40, "Ce numéro est trop long : saisissez 10 chiffres, par exemple 06 12 34 56 78"),
])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_numbers_refused_with_a_reason(activated, client_request, database, typed, message, htmx):
    page = client_request.post("/inscription/telephone", {"phone": typed, "channel": "sms"}, htmx=htmx)
    assert page.errors() == [message]
    assert page.select_one("#phone")["aria-invalid"] == "true"
    assert account(database).phone is None
    assert database(lambda s: s.query(OneTimeCode).count()) == 0


def test_the_sms(activated):
    give_number(activated)
    message = newest_message(activated.application, "+33612345678", "sms")
    code, warning, blank, origin = message.body_text.split("\n")
    assert re.fullmatch(r"\d{6} est votre code Sésame\.", code)
    assert warning == "Ne le communiquez jamais à personne, même à un conseiller."
    assert origin == f"@127.0.0.1 #{code[:6]}"


def test_the_sms_in_english(client, database):
    client.post("/langue", data={"lang": "en", "next": "/"})
    activated_account(client, EMAIL)
    give_number(client)
    text = newest_message(client.application, "+33612345678", "sms").body_text
    assert re.match(r"\d{6} is your Sésame code\.\nNever share it with anyone", text)


def test_the_code_page(activated, client_request):
    give_number(activated)
    page = client_request.get("/inscription/telephone/code")
    assert "06 •• •• •• 78" in page.text_of(".panel")
    assert re.search(r"valable jusqu’à \d\d:\d\d", page.text_of(".panel"))
    field = page.select_one("#code")
    assert (field["autocomplete"], field["inputmode"]) == ("one-time-code", "numeric")
    assert "Vous pourrez demander un nouveau code dans" in page.text_of("#resend-hint")
    assert page.select_one("#resend-hint")["data-countdown"] in {"59", "60"}


@pytest.mark.parametrize("spacing", ["{}", "{} ", "{:.3} {}", "{:.3}-{}"])
def test_the_right_code_confirms_the_phone(activated, client_request, database, spacing):
    give_number(activated)
    code = sms_code(activated.application)
    typed = spacing.format(code, code[3:]) if "{:.3}" in spacing else spacing.format(code)
    client_request.post("/inscription/telephone/code", {"code": typed},
                        expect_redirect="/inscription/telephone/confirme")
    confirmed = account(database)
    assert confirmed.phone_verified_at is not None and confirmed.code_channel_confirmed_at is not None
    assert "06 •• •• •• 78" in client_request.get("/inscription/telephone/confirme").text_of(".panel")


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_a_code_serves_once(activated, client_request, database):
    from wizard.accounts.models import AccountEvent
    from wizard.codes import one_time_codes
    give_number(activated)
    code = sms_code(activated.application)
    client_request.post(CODE, {"code": code}, expect_redirect=CONFIRMED)
    client_request.post(CODE, {"code": code}, expect_redirect=CONFIRMED)  # the phone is proven: nothing to do
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="phone_changed").count()) == 1
    owner = account(database).id
    assert database(lambda s: one_time_codes.check(s, one_time_codes.CodePolicy(), "test-secret-key", "phone",
                                                   owner, code, clock.now()).outcome) == "missing"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_wrong_codes_count_down_then_lock_even_the_right_one(activated, client_request, database):
    give_number(activated)
    code = sms_code(activated.application)
    messages = [client_request.post("/inscription/telephone/code", {"code": wrong(code)}).errors()[0]
                for _ in range(5)]
    assert messages[:4] == [f"Ce code n’est pas le bon. Il vous reste {n} essai{'s' if n > 1 else ''}."
                            for n in (4, 3, 2, 1)]
    assert messages[4] == "Trop d’essais pour ce code : demandez-en un nouveau"
    page = client_request.post("/inscription/telephone/code", {"code": code})
    assert page.errors() == ["Trop d’essais pour ce code : demandez-en un nouveau"]
    assert account(database).phone_verified_at is None


def test_an_expired_code(activated, client_request, monkeypatch):
    give_number(activated)
    code = sms_code(activated.application)
    later(monkeypatch, minutes=5, seconds=1)
    assert client_request.post("/inscription/telephone/code", {"code": code}).errors() == \
        ["Ce code a expiré : demandez-en un nouveau"]


def test_a_new_code_kills_the_old_one(activated, client_request, database, monkeypatch):
    give_number(activated)
    old = sms_code(activated.application)
    later(monkeypatch, seconds=61)
    client_request.post("/inscription/telephone/code/renvoyer", {}, expect_redirect="/inscription/telephone/code")
    new = sms_code(activated.application)
    first, second = database(lambda s: [r.superseded_at for r in s.query(OneTimeCode).order_by(OneTimeCode.id)])
    assert first is not None and second is None
    if new != old:  # the same six digits twice: one chance in a million
        assert client_request.post("/inscription/telephone/code", {"code": old}).errors() == \
            ["Ce code n’est pas le bon. Il vous reste 4 essais."]
    client_request.post(CODE, {"code": new}, expect_redirect=CONFIRMED)


def test_a_resend_waits_for_the_cool_down(activated, client_request, database):
    give_number(activated)
    client_request.post("/inscription/telephone/code/renvoyer", {}, expect_redirect="/inscription/telephone/code")
    page = client_request.get("/inscription/telephone/code")
    assert re.fullmatch(r"Un code vient déjà d’être envoyé : vous pourrez en demander un autre à partir de "
                        r"\d\d:\d\d:\d\d\.", page.text_of(".notice"))
    assert database(lambda s: s.query(OutboxMessage).filter_by(channel="sms").count()) == 1


def test_at_most_five_codes_an_hour(app, activated, client_request, monkeypatch, database):
    reconfigure(app, ADVISORS_URL="https://assure.exemple.fr/contact")
    give_number(activated)
    for _ in range(4):
        later(monkeypatch, seconds=61)
        client_request.post("/inscription/telephone/code/renvoyer", {}, expect_redirect="/inscription/telephone/code")
    later(monkeypatch, seconds=61)
    page = client_request.post("/inscription/telephone/code/renvoyer", {}, status=429)
    assert page.text_of("h1") == "Trop de codes demandés"
    assert re.search(r"à partir de \d\d:\d\d", page.text_of("main"))
    assert "Votre numéro 06 •• •• •• 78 est enregistré" in page.text_of("main")
    contact = page.select_one(".advisors a[href='https://assure.exemple.fr/contact']")
    assert contact.get_text() == "Contacter un conseiller"
    assert database(lambda s: s.query(OutboxMessage).filter_by(channel="sms").count()) == 5
    assert "beaucoup de codes" in client_request.get("/inscription/telephone/code").text_of("main")


def test_at_most_twenty_codes_a_day_whatever_the_number(activated, client_request, monkeypatch, database):
    for sent in range(20):
        later(monkeypatch, minutes=13)
        give_number(activated, "06 12 34 56 78" if sent % 2 else "07 52 12 34 56")
    later(monkeypatch, minutes=13)
    response = give_number(activated, "06 99 88 77 66")
    assert response.status_code == 429
    assert database(lambda s: s.query(OneTimeCode).count()) == 20
    page = Page(response.get_data(as_text=True), "html.parser")
    assert "Le numéro saisi n’est pas enregistré" in page.text_of("main")
    assert account(database).phone != "+33699887766"


def test_the_code_by_email(activated, client_request, database):
    give_number(activated, channel="email")
    message = newest_message(activated.application, EMAIL)
    assert message.subject == "Votre code Sésame"
    code = re.search(r"^(\d{6})$", message.body_text, re.M).group(1)
    assert "par e-mail à jean.martin@exemple.fr" in client_request.get("/inscription/telephone/code").text_of(".panel")
    client_request.post(CODE, {"code": code}, expect_redirect=CONFIRMED)
    confirmed = account(database)
    assert confirmed.code_channel == "email" and confirmed.code_channel_confirmed_at is not None
    assert confirmed.phone_verified_at is None  # an email code proves the address, not the phone


def test_a_new_number_replaces_one_not_yet_proven(activated, client_request, database, monkeypatch):
    give_number(activated)
    later(monkeypatch, seconds=61)
    give_number(activated, "07 52 12 34 56")
    assert account(database).phone == "+33752123456"
    assert client_request.get("/inscription/telephone").select_one("#phone")["value"] == "07 52 12 34 56"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_inside_the_cool_down_a_new_number_is_not_saved(activated, client_request, database, language):
    """The attacker's case: a POST inside the cool-down saved the number though no code went to it."""
    with activated.session_transaction() as session:
        session["lang"] = language
    give_number(activated)
    page = client_request.post("/inscription/telephone", {"phone": "07 52 12 34 56", "channel": "sms"})
    expected = {"fr": r"Un code vient déjà d’être envoyé : vous pourrez en demander un autre à partir de "
                      r"\d\d:\d\d:\d\d\.",
                "en": r"A code has just been sent: you can ask for another one from \d\d:\d\d:\d\d\."}[language]
    assert len(page.errors()) == 1 and re.fullmatch(expected, page.errors()[0])
    assert page.select_one("#phone-error") is not None
    assert account(database).phone == "+33612345678"
    assert database(lambda s: s.query(OutboxMessage).filter_by(recipient="+33752123456").count()) == 0


def test_a_confirmed_phone_cannot_be_replaced_from_the_signup(activated, client_request, database, monkeypatch):
    """The attacker's case: the session left after activation (it proves only the mailbox)
    replaced the second factor. Changing it is for "Mon compte", after signing in again."""
    give_number(activated)
    client_request.post(CODE, {"code": sms_code(activated.application)}, expect_redirect=CONFIRMED)
    later(monkeypatch, seconds=61)
    client_request.post("/inscription/telephone", {"phone": "07 52 12 34 56", "channel": "sms"},
                        expect_redirect=CONFIRMED)
    client_request.get("/inscription/telephone", status=303)
    client_request.post("/inscription/telephone/code/renvoyer", {}, expect_redirect="/inscription/telephone")
    confirmed = account(database)
    assert confirmed.phone == "+33612345678" and confirmed.phone_verified_at is not None
    assert database(lambda s: s.query(OutboxMessage).filter_by(recipient="+33752123456").count()) == 0


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Saisissez le code à 6 chiffres que vous avez reçu"),
    ("12345", "Le code comporte 6 chiffres, par exemple 123456"),
    ("abcdef", "Le code comporte 6 chiffres, par exemple 123456"),
    ("１２３４５６", "Le code comporte 6 chiffres, par exemple 123456"),
    ("' OR 1=1 --", "Le code comporte 6 chiffres, par exemple 123456"),
])
def test_malformed_codes_use_no_attempt(activated, client_request, database, typed, message):
    give_number(activated)
    assert client_request.post("/inscription/telephone/code", {"code": typed}).errors() == [message]
    assert database(lambda s: s.query(OneTimeCode).one().attempts) == 0


def test_the_development_page_shows_the_sms(activated, client_request):
    give_number(activated)
    page = client_request.get("/dev/courriels")
    assert "SMS au +33612345678" in [h.get_text() for h in page.select("article h2")]
