"""Mon compte: a new mobile number, proven twice (the person, then the number), the owner told."""
import re
import secrets

import pytest

from tests.conftest import PASSWORD, ClientRequest, code_in, newest_message, normalize_spaces
from tests.views.sign_in_support import EMAIL, PHONE, later, make_account, sign_in, sms_code, wrong
from wizard.accounts.models import Account, AccountEvent
from wizard.core import clock
from wizard.messaging.models import OutboxMessage

NEW_PHONE = "+33752123456"
CHANGE, REAUTH, NEW = "/compte/telephone", "/compte/telephone/verification", "/compte/telephone/nouveau-numero"


@pytest.fixture
def signed_in(app, client, monkeypatch):
    make_account(app)
    later(monkeypatch, seconds=0)
    sign_in(client)
    later(monkeypatch, seconds=61)  # past the sign-in code's cool-down
    return client


def account(database) -> Account:
    return database(lambda s: s.query(Account).one())


def mails(database, kind):
    return database(lambda s: s.query(OutboxMessage).filter_by(kind=kind, channel="email").all())


def test_a_new_number_after_the_password_the_current_phone_and_the_new_one(signed_in, client_request, database):
    page = client_request.get("/compte")
    assert page.select_one("a[href='/compte/telephone']").get_text() == "Changer de téléphone portable"
    page = client_request.get(CHANGE)
    assert page.text_of("h1") == "Changer de téléphone portable"
    assert page.select_one("#current_password")["type"] == "password"
    client_request.post(CHANGE, {"current_password": PASSWORD, "phone": "07 52 12 34 56"}, expect_redirect=REAUTH)
    page = client_request.get(REAUTH)
    assert "par SMS à votre numéro actuel, 06 •• •• •• 78" in page.text_of(".panel")
    assert account(database).phone == PHONE  # nothing changes yet
    client_request.post(REAUTH, {"code": sms_code(signed_in.application)}, expect_redirect=NEW)
    page = client_request.get(NEW)
    assert "au nouveau numéro, 07 •• •• •• 56" in page.text_of(".panel")
    new_code = sms_code(signed_in.application, NEW_PHONE)
    assert client_request.post(NEW, {"code": wrong(new_code)}).errors() == \
        ["Ce code n’est pas le bon. Il vous reste 4 essais."]
    assert account(database).phone == PHONE
    client_request.post(NEW, {"code": new_code}, expect_redirect="/compte")
    changed = account(database)
    assert changed.phone == NEW_PHONE and changed.phone_verified_at is not None and changed.code_channel == "sms"
    page = client_request.get("/compte")
    assert page.text_of(".notice").startswith("Votre nouveau numéro est confirmé")
    assert "Téléphone portable confirmé" in page.text_of("#activity-heading + ul")
    [mail] = mails(database, "phone_changed")
    assert mail.recipient == EMAIL and mail.subject == "Le téléphone portable de votre compte Sésame a été changé"
    assert "désormais envoyés au 07 •• •• •• 56" in mail.body_text
    # From now on, the sign-in code goes to the new number.
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="phone_changed").count()) == 1


def test_the_owner_is_told_in_their_language(app, client, database, monkeypatch):
    make_account(app, language="en")
    sign_in(client)
    later(monkeypatch, seconds=61)
    client.post(CHANGE, data={"current_password": PASSWORD, "phone": "07 52 12 34 56"})
    client.post(REAUTH, data={"code": sms_code(app)})
    client.post(NEW, data={"code": sms_code(app, NEW_PHONE)})
    [mail] = mails(database, "phone_changed")
    assert mail.subject == "The mobile phone of your Sésame account has been changed"
    assert "sent to 07 •• •• •• 56" in mail.body_text


def test_a_wrong_password_changes_nothing_and_sends_nothing(signed_in, client_request, database):
    page = client_request.post(CHANGE, {"current_password": "Mauvais-1!", "phone": "07 52 12 34 56"})
    assert page.errors() == ["Le mot de passe actuel est incorrect"]
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="reauth_code").count()) == 0
    client_request.get(REAUTH, status=303)
    client_request.post(NEW, {"code": "123456"}, expect_redirect=CHANGE)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Saisissez votre numéro de téléphone portable"),
    ("01 23 45 67 89", "Ce numéro est celui d’un téléphone fixe : saisissez un numéro de portable, "
                       "qui peut recevoir des SMS"),
    ("<script>alert(1)</script>", "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78"),
    ("9" * 300, "Ce numéro est trop long : saisissez 10 chiffres, par exemple 06 12 34 56 78"),
])
def test_a_number_refused_with_a_reason(signed_in, client_request, database, typed, message):
    assert client_request.post(CHANGE, {"current_password": PASSWORD, "phone": typed}).errors() == [message]
    assert account(database).phone == PHONE


def test_without_the_current_phone_the_first_code_comes_by_email(signed_in, client_request, database, monkeypatch):
    client_request.post(CHANGE, {"current_password": PASSWORD, "phone": "07 52 12 34 56"}, expect_redirect=REAUTH)
    later(monkeypatch, seconds=61)
    client_request.post("/compte/telephone/verification/par-email", {}, expect_redirect=REAUTH)
    page = client_request.get(REAUTH)
    assert "par e-mail à j•••n@exemple.fr" in page.text_of(".panel")
    assert page.select_one("form[action='/compte/telephone/verification/par-email']") is None
    client_request.post(REAUTH, {"code": code_in(newest_message(signed_in.application, EMAIL))}, expect_redirect=NEW)
    client_request.post(NEW, {"code": sms_code(signed_in.application, NEW_PHONE)}, expect_redirect="/compte")
    assert account(database).phone == NEW_PHONE


def test_inside_the_cool_down_no_code_is_announced(signed_in, client_request, database):
    client_request.post(CHANGE, {"current_password": PASSWORD, "phone": "07 52 12 34 56"}, expect_redirect=REAUTH)
    page = client_request.post(CHANGE, {"current_password": PASSWORD, "phone": "07 52 12 34 57"})
    assert re.fullmatch(r"Un code vient déjà d’être envoyé : vous pourrez en demander un autre à partir de "
                        r"\d\d:\d\d:\d\d\.", page.errors()[0])
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="reauth_code").count()) == 1


@pytest.mark.parametrize("step", [REAUTH, NEW])
def test_a_missing_or_expired_code_changes_no_number(signed_in, app, client_request, database, monkeypatch, step):
    client_request.post(CHANGE, {"current_password": PASSWORD, "phone": "07 52 12 34 56"}, expect_redirect=REAUTH)
    if step == NEW:
        client_request.post(REAUTH, {"code": sms_code(app)}, expect_redirect=NEW)
    code = sms_code(app, PHONE if step == REAUTH else NEW_PHONE)
    assert len(client_request.post(step, {"code": ""}).errors()) == 1
    later(monkeypatch, minutes=app.config["SIGN_IN_CODE_MINUTES"], seconds=1)
    assert client_request.post(step, {"code": code}).errors() == ["Ce code a expiré : demandez-en un nouveau"]
    assert account(database).phone == PHONE and mails(database, "phone_changed") == []


@pytest.mark.parametrize("typed", ["' OR 1=1 --", "１２３４５６", "<b>1</b>"])
def test_malformed_codes(signed_in, client_request, typed):
    client_request.post(CHANGE, {"current_password": PASSWORD, "phone": "07 52 12 34 56"}, expect_redirect=REAUTH)
    assert client_request.post(REAUTH, {"code": typed}).errors() == ["Le code comporte 6 chiffres, par exemple 123456"]


def test_the_change_needs_a_full_sign_in(app, client_request):
    make_account(app)
    for url in (CHANGE, REAUTH, NEW):
        assert client_request.get(url, status=303).response.headers["Location"] == "/connexion"


# --- a new address ---------------------------------------------------------------------------

NEW_EMAIL = "jean.nouveau@exemple.fr"
EMAIL_CHANGE, EMAIL_CODE = "/compte/adresse", "/compte/adresse/code"


def ask_new_email(client_request, email=NEW_EMAIL, password=PASSWORD, **expect):
    return client_request.post(EMAIL_CHANGE, {"current_password": password, "email": email,
                                              "email_confirmation": email}, **expect)


def not_me_link(mail) -> str:
    return re.search(r"https?://[^/\s]+(/compte/ce-n-etait-pas-moi/\S+)", mail.body_text).group(1)


def test_a_new_address_changes_only_with_its_code_and_the_old_one_is_told(signed_in, client_request, database):
    assert client_request.get("/compte").select_one("a[href='/compte/adresse']").get_text() == \
        "Changer d’adresse e-mail"
    ask_new_email(client_request, "  Jean.Nouveau@EXEMPLE.fr ", expect_redirect=EMAIL_CODE)
    assert "à jean.nouveau@exemple.fr" in client_request.get(EMAIL_CODE).text_of(".panel")
    assert account(database).email == EMAIL  # not yet
    code = code_in(newest_message(signed_in.application, NEW_EMAIL))
    assert client_request.post(EMAIL_CODE, {"code": wrong(code)}).errors() == \
        ["Ce code n’est pas le bon. Il vous reste 4 essais."]
    client_request.post(EMAIL_CODE, {"code": code}, expect_redirect="/compte")
    assert account(database).email == NEW_EMAIL
    assert client_request.get("/compte").text_of(".notice").startswith("Votre nouvelle adresse e-mail est confirmée")
    [mail] = mails(database, "email_changed")
    assert mail.recipient == EMAIL and "a été changée pour jean.nouveau@exemple.fr" in mail.body_text
    assert "/compte/ce-n-etait-pas-moi/" in mail.body_text


def test_a_wrong_password_or_a_bad_address_changes_nothing(signed_in, client_request, database):
    assert ask_new_email(client_request, password="Mauvais-1!").errors() == ["Le mot de passe actuel est incorrect"]
    page = client_request.post(EMAIL_CHANGE, {"current_password": PASSWORD, "email": "pas<une>adresse",
                                              "email_confirmation": "autre@exemple.fr"})
    assert page.errors() == ["L’adresse e-mail doit comporter un @, par exemple nom@exemple.fr"]
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="new_email_code").count()) == 0
    client_request.get(EMAIL_CODE, status=303)


def test_a_missing_or_expired_code_changes_no_address(signed_in, app, client_request, database, monkeypatch):
    ask_new_email(client_request, expect_redirect=EMAIL_CODE)
    code = code_in(newest_message(app, NEW_EMAIL))
    assert len(client_request.post(EMAIL_CODE, {"code": ""}).errors()) == 1
    later(monkeypatch, minutes=app.config["SIGN_IN_CODE_MINUTES"], seconds=1)
    assert client_request.post(EMAIL_CODE, {"code": code}).errors() == ["Ce code a expiré : demandez-en un nouveau"]
    assert account(database).email == EMAIL and mails(database, "email_changed") == []


def test_an_address_of_another_account_is_not_given_away(signed_in, app, client_request, database):
    make_account(app, email=NEW_EMAIL, phone="+33611111111")
    ask_new_email(client_request, expect_redirect=EMAIL_CODE)  # the same page: nothing is confirmed
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="new_email_code").count()) == 0
    assert database(lambda s: s.query(OutboxMessage).filter_by(kind="address_taken", recipient=NEW_EMAIL).count()) == 1
    assert client_request.post(EMAIL_CODE, {"code": "123456"}).errors()
    assert database(lambda s: s.query(Account).filter_by(email=NEW_EMAIL).count()) == 1


def new_email_link(app) -> str:
    mail = newest_message(app, NEW_EMAIL)
    assert mail.kind == "new_email_code"
    links = re.findall(r"https?://[^/\s\"]+(/compte/adresse/lien/[^\s\"<]+)", mail.body_text + mail.body_html)
    assert len(set(links)) == 1, links  # the same link in the text and the HTML
    return links[0]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_new_address_email_carries_a_link_that_confirms_from_any_browser(app, client, database, monkeypatch,
                                                                             language):
    make_account(app, language=language)
    later(monkeypatch, seconds=0)
    sign_in(client)
    ask_new_email(ClientRequest(client), expect_redirect=EMAIL_CODE)
    mail = newest_message(app, NEW_EMAIL)
    assert mail.subject == {"fr": "Confirmez votre nouvelle adresse e-mail Sésame",
                            "en": "Confirm your new Sésame email address"}[language]
    link = new_email_link(app)
    elsewhere = ClientRequest(app.test_client())  # another browser, signed in nowhere
    page = elsewhere.get(link)
    assert page.text_of("h1") == "Confirmer ma nouvelle adresse"
    assert account(database).email == EMAIL  # opening the link (a mail scanner) changes nothing
    page = elsewhere.post(link, {})
    assert page.text_of("h1") == "Votre adresse e-mail est changée"
    assert NEW_EMAIL in page.text_of("main")
    assert account(database).email == NEW_EMAIL
    [told] = mails(database, "email_changed")
    assert told.recipient == EMAIL and "/compte/ce-n-etait-pas-moi/" in told.body_text
    assert told.subject == {"fr": "L’adresse e-mail de votre compte Sésame a été changée",
                            "en": "The email address of your Sésame account has been changed"}[language]
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="email_changed").count()) == 1
    # Single use: the link, and the code of the same email, are spent.
    assert elsewhere.post(link, {}, status=410).text_of("h1") == "Ce lien ne fonctionne plus"
    assert ClientRequest(client).post(EMAIL_CODE, {"code": code_in(mail)}).errors()
    assert len(mails(database, "email_changed")) == 1


def test_a_new_address_link_refused_when_expired_replaced_or_forged(signed_in, app, client_request, database,
                                                                    monkeypatch):
    ask_new_email(client_request, expect_redirect=EMAIL_CODE)
    first = new_email_link(app)
    later(monkeypatch, seconds=61)
    ask_new_email(client_request, expect_redirect=EMAIL_CODE)
    second = new_email_link(app)
    elsewhere = ClientRequest(app.test_client())
    assert elsewhere.post(first, {}, status=410).text_of("h1") == "Ce lien ne fonctionne plus"  # replaced
    for forged in (second[:-3] + "abc", "/compte/adresse/lien/" + "A" * 3000, "/compte/adresse/lien/%00'--",
                   second.replace("/lien/", "/lien/x")):
        assert elsewhere.post(forged, {}, status=410).text_of("h1") == "Ce lien ne fonctionne plus"
    later(monkeypatch, minutes=app.config["SIGN_IN_CODE_MINUTES"], seconds=1)
    assert elsewhere.get(second, status=410).text_of("h1") == "Ce lien ne fonctionne plus"
    assert elsewhere.post(second, {}, status=410)
    assert account(database).email == EMAIL


def test_a_new_address_link_never_takes_an_address_another_account_got_meanwhile(signed_in, app, client_request,
                                                                                 database):
    ask_new_email(client_request, expect_redirect=EMAIL_CODE)
    link = new_email_link(app)
    make_account(app, email=NEW_EMAIL, phone="+33611111111")
    assert ClientRequest(app.test_client()).post(link, {}, status=410)
    assert account_of(database, EMAIL) is not None


def account_of(database, email):
    return database(lambda s: s.query(Account).filter_by(email=email).one_or_none())


# --- "ce n'était pas moi" ----------------------------------------------------------------------

def test_not_me_reverts_the_address_ends_every_session_and_asks_a_new_password(signed_in, app, client_request,
                                                                              database):
    from wizard.sign_in.models import AccountSession, RememberedBrowser
    ask_new_email(client_request, expect_redirect=EMAIL_CODE)
    client_request.post(EMAIL_CODE, {"code": code_in(newest_message(app, NEW_EMAIL))}, expect_redirect="/compte")
    [mail] = mails(database, "email_changed")
    owner = app.test_client()  # the owner, from the old mailbox, in another browser
    page = ClientRequest(owner).get(not_me_link(mail))
    assert page.text_of("h1") == "Ce n’était pas vous ?"
    assert account(database).email == NEW_EMAIL  # opening the link (a mail scanner) changes nothing
    ClientRequest(owner).post(not_me_link(mail), {})
    protected = account(database)
    assert protected.email == EMAIL and protected.password_reset_required_at is not None
    assert database(lambda s: s.query(AccountSession).filter(AccountSession.ended_at.is_(None)).count()) == 0
    assert database(lambda s: s.query(RememberedBrowser).filter(RememberedBrowser.revoked_at.is_(None)).count()) == 0
    assert signed_in.get("/compte").headers["Location"] == "/connexion"
    assert database(lambda s: s.query(AccountEvent).filter_by(kind="not_me").one().device) is not None
    page = ClientRequest(owner).post("/connexion", {"email": EMAIL, "password": PASSWORD})
    assert page.errors()[0].startswith("Pour protéger votre compte après votre signalement")


@pytest.mark.parametrize("kind", ["password_changed", "reset_requested"])
def test_every_security_email_carries_the_link(signed_in, app, client_request, database, kind, monkeypatch):
    if kind == "password_changed":
        client_request.post("/compte/mot-de-passe", {"current_password": PASSWORD, "password": "Girafe-Verte-2027?",
                                                     "password_confirmation": "Girafe-Verte-2027?"},
                            expect_redirect="/compte/mot-de-passe/modifie")
    else:
        app.test_client().post("/mot-de-passe-oublie", data={"email": EMAIL})
    mail = newest_message(app, EMAIL)
    assert "Ce n’était pas vous ? Ce lien, valable 10 jours" in mail.body_text
    later(monkeypatch, days=10, minutes=1)
    page = ClientRequest(app.test_client()).get(not_me_link(mail), status=410)
    assert page.text_of("h1") == "Ce lien ne fonctionne plus"


def test_a_forged_not_me_link_is_refused(app, client_request):
    make_account(app)
    assert client_request.get("/compte/ce-n-etait-pas-moi/abc.def", status=410).text_of("h1") == \
        "Ce lien ne fonctionne plus"
    client_request.post("/compte/ce-n-etait-pas-moi/<script>", {}, status=410)


def test_the_phone_changed_email_carries_the_link_in_english(app, client, database, monkeypatch):
    make_account(app, language="en")
    sign_in(client)
    later(monkeypatch, seconds=61)
    client.post(CHANGE, data={"current_password": PASSWORD, "phone": "07 52 12 34 56"})
    client.post(REAUTH, data={"code": sms_code(app)})
    client.post(NEW, data={"code": sms_code(app, NEW_PHONE)})
    [mail] = mails(database, "phone_changed")
    assert "Was this not you? This link, valid for 10 days" in mail.body_text
    assert "/compte/ce-n-etait-pas-moi/" in mail.body_text


# --- marketing consents ------------------------------------------------------------------------

def test_marketing_consents_are_given_and_withdrawn_with_their_version_and_date(signed_in, app, client_request,
                                                                                database, monkeypatch):
    from wizard.accounts.models import Consent
    page = client_request.get("/compte/consentements")
    assert page.text_of("h1") == "Informations commerciales : mes choix"
    assert not page.select_one("#marketing_email").has_attr("checked")
    client_request.post("/compte/consentements", {"marketing_email": "y", "marketing_sms": "y"},
                        expect_redirect="/compte")
    assert client_request.get("/compte").text_of(".notice") == "Vos choix sont enregistrés."
    later(monkeypatch, minutes=5)
    client_request.post("/compte/consentements", {"marketing_sms": "y"}, expect_redirect="/compte")
    rows = database(lambda s: [(c.purpose, c.granted, c.wording_version) for c in
                               s.query(Consent).filter(Consent.purpose.like("marketing%")).order_by(Consent.id)])
    assert rows == [("marketing_email", True, "2026-11-01"), ("marketing_sms", True, "2026-11-01"),
                    ("marketing_email", False, "2026-11-01")]
    page = client_request.get("/compte/consentements")
    assert page.select_one("#marketing_sms").has_attr("checked")
    assert not page.select_one("#marketing_email").has_attr("checked")
    assert page.select(".item-title")[0].get_text() == "Informations commerciales par e-mail : refusé"


def test_hostile_consent_input_is_only_a_box_ticked(signed_in, client_request, database):
    from wizard.accounts.models import Consent
    client_request.post("/compte/consentements", {"marketing_email": "<script>", "purpose": "terms",
                                                  "marketing_fax": "y"}, expect_redirect="/compte")
    purposes = database(lambda s: [c.purpose for c in s.query(Consent).filter(Consent.purpose.like("marketing%"))])
    assert purposes == ["marketing_email"]


def test_the_consents_page_in_english(signed_in, client_request):
    with signed_in.session_transaction() as session:
        session["lang"] = "en"
    page = client_request.get("/compte/consentements")
    assert page.text_of("h1") == "Marketing information: my choices"
    assert page.text_of("label[for=marketing_sms]") == "By text message"


# --- my data, closing the account ---------------------------------------------------------------

def test_my_data_after_the_password_as_a_page_and_as_json(signed_in, client_request):
    client_request.get("/compte/mes-donnees/consulter", status=303)
    assert signed_in.get("/compte/mes-donnees/telecharger").headers["Location"] == "/compte/mes-donnees"
    page = client_request.post("/compte/mes-donnees", {"current_password": "Mauvais-1!"})
    assert page.errors() == ["Le mot de passe actuel est incorrect"]
    client_request.post("/compte/mes-donnees", {"current_password": PASSWORD},
                        expect_redirect="/compte/mes-donnees/consulter")
    page = client_request.get("/compte/mes-donnees/consulter")
    assert page.text_of("h1") == "Mes données"
    assert page.text_of("#data-accounts") == "Votre compte"
    shown = dict(zip(*([normalize_spaces(e.get_text()) for e in page.select(f"#data-accounts + dl {tag}")]
                       for tag in ("dt", "dd")), strict=True))
    assert shown["votre adresse e-mail"] == EMAIL and shown["votre numéro de téléphone portable"] == PHONE
    assert shown["l’empreinte de votre mot de passe (Argon2id)"] == "conservé, mais pas montré"
    assert '"last_name": "Dupont"' in shown["votre identité et vos réponses à l’inscription"]
    response = signed_in.get("/compte/mes-donnees/telecharger")
    assert response.headers["Content-Disposition"] == "attachment; filename=mes-donnees.json"
    data = response.get_json()
    [mine] = data["accounts"]
    assert mine["email"] == EMAIL and mine["phone"] == PHONE and mine["password_hash"] == "conservé, mais pas montré"
    assert mine["answers"]["identity"]["last_name"] == "Dupont" and mine["contract_number"] == "1020305056"
    assert [e["kind"] for e in data["account_events"]] == ["sign_in"]
    assert data["account_sessions"] and data["outbox"][0]["kind"] == "sign_in_code"
    assert data["one_time_codes"][0]["destination"] == PHONE


def with_a_row_in_every_table(app, client, monkeypatch, language="fr") -> str:
    """An account with rows everywhere it can have some: consents, a reset request and its
    follow, a failed password, a remembered browser, sessions, codes, messages, an eligibility check."""
    from wizard.accounts.models import Consent
    from wizard.eligibility.models import EligibilityCheck
    from wizard.extensions import db
    account_id = make_account(app, language=language)
    with app.app_context():
        db.session.add(Consent(account_id=account_id, purpose="marketing_email", granted=True,
                               wording_version="2026-11-01", recorded_at=clock.now()))
        db.session.add(EligibilityCheck(id=secrets.token_hex(16), account_id=account_id, status="eligible",
                                        stage="done", created_at=clock.now(), updated_at=clock.now(),
                                        finished_at=clock.now()))
        db.session.commit()
    client.post("/mot-de-passe-oublie", data={"email": EMAIL})
    client.post("/connexion", data={"email": EMAIL, "password": "Mauvais-1!"})
    later(monkeypatch, seconds=61)
    sign_in(client, remember=True)
    with client.session_transaction() as session:
        session["lang"] = language
    return account_id


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_download_holds_every_declared_personal_column_of_the_persons_rows(app, client, monkeypatch,
                                                                                language):
    from wizard.account.my_data import NOT_ABOUT_ACCOUNTS
    from wizard.accounts.personal_data import PERSONAL
    with_a_row_in_every_table(app, client, monkeypatch, language)
    client.post("/compte/mes-donnees", data={"current_password": PASSWORD})
    data = client.get("/compte/mes-donnees/telecharger").get_json()
    for table, columns in PERSONAL.items():
        if table in NOT_ABOUT_ACCOUNTS:
            continue
        assert data.get(table), f"none of the person's rows of {table} in the download"
        for row in data[table]:
            assert set(columns) <= set(row), f"{table}: {sorted(set(columns) - set(row))} missing"
    assert data["password_reset_follows"][0]["email"] == EMAIL
    assert data["eligibility_checks"][0]["status"] == "eligible"
    held = {"fr": "conservé, mais pas montré", "en": "held, but not shown"}[language]
    assert data["accounts"][0]["password_hash"] == held
    page = ClientRequest(client).get("/compte/mes-donnees/consulter")
    assert page.text_of("#data-consents") == {"fr": "Vos consentements", "en": "Your consents"}[language]
    for table in data:  # every table of the download has its section on the page
        assert page.select_one(f"#data-{table} + dl"), table


@pytest.mark.parametrize("language", ["fr", "en"])
def test_closing_the_account_leaves_nothing_of_the_person(app, client, client_request, database, monkeypatch,
                                                          language):
    from wizard.account.my_data import rows_of
    from wizard.accounts.personal_data import PERSONAL
    from wizard.extensions import db
    account_id = with_a_row_in_every_table(app, client, monkeypatch, language)
    page = client_request.get("/compte/fermer")
    assert page.text_of("h1") == {"fr": "Fermer mon compte", "en": "Close my account"}[language]
    assert client_request.post("/compte/fermer", {"current_password": "Mauvais-1!"}).errors()
    assert account(database) is not None
    client_request.post("/compte/fermer", {"current_password": PASSWORD}, expect_redirect="/compte/ferme")
    assert client_request.get("/compte/ferme").text_of("h1") == \
        {"fr": "Votre compte est fermé", "en": "Your account is closed"}[language]
    assert client.get("/compte").headers["Location"] == "/connexion"

    def leftovers(session):
        """Every table, by the rows that pick the person, and every declared personal column
        (and every other column) by what it says."""
        gone = Account(id=account_id, email=EMAIL, phone=PHONE)
        found = {name: session.execute(db.metadata.tables[name].select().where(where)).mappings().all()
                 for name, where in rows_of(gone, app.config["SECRET_KEY"]).items()}
        found = {name: [dict(row) for row in rows] for name, rows in found.items() if rows}
        for table in db.metadata.sorted_tables:
            declared = PERSONAL.get(table.name, {})
            for row in session.execute(table.select()).mappings():
                personal = " ".join(str(row[column]) for column in declared)
                text = " ".join(str(value) for value in row.values())
                told = any(mark in text for mark in (account_id, EMAIL, PHONE)) or "Dupont" in personal
                if told and dict(row) not in found.get(table.name, []):
                    found.setdefault(table.name, []).append(dict(row))
        return found
    left = database(leftovers)
    assert set(left) == {"outbox"}, left  # only the closure's email, tied to no account
    [closure] = left["outbox"]
    assert closure["kind"] == "account_closed" and closure["account_id"] is None
    assert closure["subject"] == \
        {"fr": "Votre compte Sésame est fermé", "en": "Your Sésame account is closed"}[language]
    make_account(app)  # the address is free again


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_new_remembered_browser_is_told_with_the_link(app, client, database, language):
    from tests.views.sign_in_support import FIREFOX
    make_account(app, language=language)
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    sign_in(client, remember=True)
    [mail] = mails(database, "new_browser")
    expected = {"fr": ("Nouvelle connexion à votre compte Sésame", "depuis Firefox sur Windows"),
                "en": ("New sign-in to your Sésame account", "from Firefox on Windows")}[language]
    assert mail.subject == expected[0] and expected[1] in mail.body_text
    assert "/compte/ce-n-etait-pas-moi/" in mail.body_text
    page = ClientRequest(app.test_client()).get(not_me_link(mail))
    assert page.select_one("#wizard-step form button").get_text() == "Ce n’était pas moi : protéger mon compte"
