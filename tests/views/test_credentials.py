"""The credentials step: the address typed twice, the password with its rules, the
marketing opt-ins; what a person sees for every mistake, with and without JavaScript."""
import pytest

from tests.conftest import at_step, normalize_spaces, pass_captcha, reconfigure
from wizard.accounts.models import Account, Consent
from wizard.messaging.models import OutboxMessage
from wizard.signup.models import Journey

URL = "/inscription/identifiants"
PASSWORD = "Tr3s-Sûr-Bateau"
VALID = {"email": "jean.martin@exemple.fr", "email_confirmation": "jean.martin@exemple.fr",
         "password": PASSWORD, "password_confirmation": PASSWORD}


# These tests show every rule an operator may set, so they set the classic composition rules
# (test_the_default_rules_are_nists shows the defaults).
COMPOSITION = {"PASSWORD_MIN_LENGTH": 8, "PASSWORD_REQUIRED_CLASSES": ("lower", "upper", "digit", "special")}


@pytest.fixture(autouse=True)
def composition_rules(app):
    reconfigure(app, **COMPOSITION)


@pytest.fixture
def at_credentials(client):
    at_step(client, "identifiants")
    return client


def test_the_page(at_credentials, client_request):
    page = client_request.get(URL)
    assert page.text_of("h1") == "Étape 6 sur 6 : Votre adresse e-mail et votre mot de passe"
    assert page.select_one("#email")["autocomplete"] == "email"
    assert page.select_one("#email_confirmation")["autocomplete"] == "email"
    for field in ("password", "password_confirmation"):
        password = page.select_one(f"#{field}")
        assert password["type"] == "password" and password["autocomplete"] == "new-password"
        assert password["value"] == ""
        toggle = page.select_one(f"button[data-password-toggle={field}]")
        assert toggle.has_attr("hidden") and toggle["type"] == "button" and toggle["aria-controls"] == field
    assert page.select_one("button[data-password-toggle=password]")["aria-label"] == "Afficher le mot de passe"
    assert page.select_one("label[for=password]").get_text() == "Mot de passe"
    assert "password-rules" in page.select_one("#password")["aria-describedby"].split()


def test_without_javascript_the_rules_are_plain_text(at_credentials, client_request):
    page = client_request.get(URL)
    assert page.text_of(".password-rules-title") == "Votre mot de passe doit respecter ces règles :"
    assert [normalize_spaces(li.get_text()) for li in page.select("#password-rules-list li")] == [
        "Au moins 8 caractères", "Au moins une lettre minuscule", "Au moins une lettre majuscule",
        "Au moins un chiffre", "Au moins un caractère spécial, par exemple ! ? @ # * $",
        "128 caractères au maximum",
        "Aucune information personnelle : nom, prénom, date de naissance, début de l’adresse e-mail",
        "Pas un mot de passe courant, comme Azerty123! ou Motdepasse1",
    ]
    assert page.select(".password-rule--met, .password-rule--unmet") == []


def test_the_default_rules_are_nists(app, at_credentials, client_request):
    """NIST SP 800-63B: length first (12 here, see the README), no composition rule, a
    blocklist of common passwords; personal data refused too."""
    reconfigure(app, PASSWORD_MIN_LENGTH=12, PASSWORD_REQUIRED_CLASSES=())
    page = client_request.get(URL)
    assert [normalize_spaces(li.get_text()) for li in page.select("#password-rules-list li")] == [
        "Au moins 12 caractères", "128 caractères au maximum",
        "Aucune information personnelle : nom, prénom, date de naissance, début de l’adresse e-mail",
        "Pas un mot de passe courant, comme Azerty123! ou Motdepasse1",
    ]
    page = client_request.post(URL, {**VALID, "password": "motdepasse12", "password_confirmation": "motdepasse12"})
    assert page.errors() == ["Ce mot de passe est trop courant : choisissez-en un plus difficile à deviner"]
    client_request.post(URL, {**VALID, "password": "tartine à la confiture", "password_confirmation":
                              "tartine à la confiture"}, expect_redirect="/inscription/verifiez-vos-emails")


def test_with_javascript_the_checklist_is_ticked_by_the_server(at_credentials, client_request):
    password = client_request.get(URL).select_one("#password")
    assert password["data-hx-post"] == "/inscription/identifiants/regles"
    assert password["data-hx-trigger"] == "input changed delay:400ms"
    assert password["data-hx-target"] == "#password-rules-list" and password["data-hx-include"] == "closest form"
    response = at_credentials.post("/inscription/identifiants/regles",
                                   data={"email": "jean@exemple.fr", "password": "jean"},
                                   headers={"HX-Request": "true"})
    assert response.status_code == 200
    from tests.conftest import Page
    fragment = Page(response.get_data(as_text=True), "html.parser")
    states = {li["data-rule"]: li["class"][-1] for li in fragment.select("li")}
    assert states == {"min_length": "password-rule--unmet", "lower": "password-rule--met",
                      "upper": "password-rule--unmet", "digit": "password-rule--unmet",
                      "special": "password-rule--unmet", "max_length": "password-rule--met",
                      "personal": "password-rule--unmet", "common": "password-rule--met"}
    assert normalize_spaces(fragment.select_one("li[data-rule=lower]").get_text()) == \
        "Règle respectée : Au moins une lettre minuscule"
    status = fragment.select_one("#password-rules-status")
    assert status["data-hx-swap-oob"] == "innerHTML" and status.get_text() == "Il reste 5 règles à respecter."
    good = at_credentials.post("/inscription/identifiants/regles", data={"email": "", "password": PASSWORD})
    assert "Toutes les règles du mot de passe sont respectées." in good.get_data(as_text=True)


AMELI_RULES = {"PASSWORD_MAX_LENGTH": 50, "PASSWORD_REQUIRED_CLASSES": ("lower", "upper"),
               "PASSWORD_SOME_CLASSES": ("digit", "special"), "PASSWORD_ALLOWED_SPECIALS": "!#$%&*+-=?@_",
               "PASSWORD_BIRTH_DATE_PARTS": ("year", "day_month")}


def test_the_checklist_shows_exactly_the_operators_rules(app, at_credentials, client_request):
    reconfigure(app, **AMELI_RULES)
    page = client_request.get(URL)
    assert [normalize_spaces(li.get_text()) for li in page.select("#password-rules-list li")] == [
        "Au moins 8 caractères", "Au moins une lettre minuscule", "Au moins une lettre majuscule",
        "Au moins 1 de ces types : chiffre, caractère spécial",
        "Seulement des lettres, des chiffres et ces caractères spéciaux : ! # $ % & * + - = ? @ _",
        "50 caractères au maximum",
        "Aucune information personnelle : nom, prénom, date de naissance, début de l’adresse e-mail",
        "Pas un mot de passe courant, comme Azerty123! ou Motdepasse1",
    ]
    # The demo beneficiary was born in 1977: the year alone is refused too.
    page = client_request.post(URL, {**VALID, "password": "Bateau vert1977", "password_confirmation": "x"})
    assert [normalize_spaces(li.get_text()) for li in page.select("#password-error li")] == [
        "Le mot de passe ne peut contenir que des lettres, des chiffres et ces caractères spéciaux : "
        "! # $ % & * + - = ? @ _",
        "Le mot de passe ne doit pas contenir votre date de naissance",
    ]
    client_request.post(URL, {**VALID, "password": "Bateau-vert", "password_confirmation": "Bateau-vert"},
                        expect_redirect="/inscription/verifiez-vos-emails")


def test_the_live_check_is_only_for_the_credentials_step(client):
    pass_captcha(client)
    assert client.post("/inscription/identifiants/regles", data={"password": "x"}).status_code == 404


def test_signing_up_creates_the_account_and_goes_to_check_your_email(at_credentials, client_request, database):
    client_request.post(URL, {**VALID, "email": "Jean.Martin@Exemple.FR", "marketing_sms": "y"},
                        expect_redirect="/inscription/verifiez-vos-emails")

    def check(session):
        account = session.query(Account).one()
        journey = session.query(Journey).one()
        assert journey.answers["credentials"] == {"account_id": account.id}
        assert PASSWORD not in str(journey.answers) and PASSWORD not in account.password_hash
        assert account.email == "jean.martin@exemple.fr" and account.status == "pending"
        marketing = {c.purpose: c.granted for c in session.query(Consent) if c.purpose.startswith("marketing")}
        assert marketing == {"marketing_email": False, "marketing_sms": True, "marketing_phone": False}
        assert session.query(OutboxMessage).one().recipient == "jean.martin@exemple.fr"
    database(check)


def test_no_step_can_be_changed_once_the_account_exists(at_credentials, client_request, database):
    client_request.post(URL, VALID, expect_redirect="/inscription/verifiez-vos-emails")
    for slug in ("identifiants", "identite", "recapitulatif"):
        response = at_credentials.get(f"/inscription/{slug}")
        assert response.status_code == 303 and response.headers["Location"] == "/inscription/verifiez-vos-emails"
    client_request.post(URL, {**VALID, "email": "autre@exemple.fr", "email_confirmation": "autre@exemple.fr"},
                        expect_redirect="/inscription/verifiez-vos-emails")
    assert database(lambda session: session.query(Account).count()) == 1


def test_marketing_is_optional_and_unticked(at_credentials, client_request):
    page = client_request.get(URL)
    boxes = page.select("input[type=checkbox]")
    assert [box["name"] for box in boxes] == ["marketing_email", "marketing_sms", "marketing_phone"]
    assert not any(box.has_attr("checked") or box.has_attr("required") for box in boxes)
    assert "(facultatif)" in page.text_of("fieldset legend")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": ""}, "email", "Saisissez votre adresse e-mail"),
    ({"email": "jean.exemple.fr"}, "email", "L’adresse e-mail doit comporter un @, par exemple nom@exemple.fr"),
    ({"email": "jean@exemple"}, "email", "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"),
    ({"email": "<script>alert(1)</script>@exemple.fr"}, "email",
     "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"),
    ({"email": "jean@exemple.fr'; DROP TABLE accounts;--"}, "email",
     "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"),
    ({"email": "j" * 250 + "@exemple.fr"}, "email", "L’adresse e-mail doit comporter 254 caractères au maximum"),
    ({"email_confirmation": ""}, "email_confirmation", "Saisissez à nouveau votre adresse e-mail pour la confirmer"),
    ({"email_confirmation": "jean.martn@exemple.fr"}, "email_confirmation",
     "Les deux adresses e-mail ne sont pas identiques"),
    ({"password": ""}, "password", "Saisissez un mot de passe"),
    ({"password": "   "}, "password", "Saisissez un mot de passe"),
    ({"password": "Ab1!"}, "password", "Le mot de passe doit comporter au moins 8 caractères"),
    ({"password": "Bateau-ivre"}, "password", "Le mot de passe doit comporter au moins un chiffre"),
    ({"password": "bateau-ivre-1"}, "password", "Le mot de passe doit comporter au moins une lettre majuscule"),
    ({"password": "BATEAU-IVRE-1"}, "password", "Le mot de passe doit comporter au moins une lettre minuscule"),
    ({"password": "BateauIvre1"}, "password",
     "Le mot de passe doit comporter au moins un caractère spécial, par exemple ! ? @ # * $"),
    ({"password": "Bateau-Ivre-1" + "x" * 120}, "password",
     "Le mot de passe doit comporter 128 caractères au maximum"),
    ({"password": "Azerty123!"}, "password",
     "Ce mot de passe est trop courant : choisissez-en un plus difficile à deviner"),
    ({"password": "Dupont-2024!"}, "password", "Le mot de passe ne doit pas contenir votre nom ou votre prénom"),
    ({"password": "Bateau!06031977"}, "password", "Le mot de passe ne doit pas contenir votre date de naissance"),
    ({"email": "grand.bleu@exemple.fr", "email_confirmation": "grand.bleu@exemple.fr", "password": "Grand.Bleu!42"},
     "password", "Le mot de passe ne doit pas contenir le début de votre adresse e-mail (avant le @)"),
    ({"password_confirmation": ""}, "password_confirmation",
     "Saisissez à nouveau le mot de passe pour le confirmer"),
    ({"password_confirmation": PASSWORD.lower()}, "password_confirmation",
     "Les deux mots de passe ne sont pas identiques"),
])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_mistake_has_its_message(at_credentials, client_request, database, changes, field, message, htmx):
    page = client_request.post(URL, {**VALID, **changes}, htmx=htmx)
    assert page.errors()[0] == message
    assert page.select_one(f".error-summary a[href='#{field}']")
    assert message in normalize_spaces(page.select_one(f"#{field}-error").get_text())
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.text_of("title").startswith("Erreur : Étape 6 sur 6")
    assert page.select_one("#password")["value"] == ""  # a password is never sent back
    assert database(lambda session: session.query(Account).count()) == 0


def test_every_broken_rule_is_listed_at_once(at_credentials, client_request):
    page = client_request.post(URL, {**VALID, "password": "abc", "password_confirmation": "abc"})
    assert [normalize_spaces(li.get_text()) for li in page.select("#password-error li")] == [
        "Le mot de passe doit comporter au moins 8 caractères",
        "Le mot de passe doit comporter au moins une lettre majuscule",
        "Le mot de passe doit comporter au moins un chiffre",
        "Le mot de passe doit comporter au moins un caractère spécial, par exemple ! ? @ # * $",
    ]
    # Without JavaScript, the checklist shows the rules as they stand after the submit.
    assert page.select_one("li[data-rule=lower]")["class"][-1] == "password-rule--met"
    assert page.select_one("li[data-rule=digit]")["class"][-1] == "password-rule--unmet"
    assert "password_confirmation" not in [a["href"][1:] for a in page.select(".error-summary a")]


def test_control_characters_are_dropped_from_the_address(at_credentials, client_request, database):
    client_request.post(URL, {**VALID, "email": "jean.martin\x00@exemple.fr"},
                        expect_redirect="/inscription/verifiez-vos-emails")
    assert database(lambda session: session.query(Account).one().email) == "jean.martin@exemple.fr"


def test_a_password_keeps_its_spaces_and_accents(at_credentials, client_request, database):
    password = "  Zèbre vert à 42 pattes  "
    client_request.post(URL, {**VALID, "password": password, "password_confirmation": password},
                        expect_redirect="/inscription/verifiez-vos-emails")
    from wizard.core import passwords
    stored = database(lambda session: session.query(Account).one().password_hash)
    cheap = passwords.Hashing(1, 64, 1)
    assert passwords.verify(stored, password, cheap)[0] and not passwords.verify(stored, password.strip(), cheap)[0]


def test_the_nir_is_refused_when_the_operator_asks_for_it(app, client, client_request):
    reconfigure(app, IDENTIFIER_KIND="nir")
    pass_captcha(client)
    client_request.post("/inscription/identite", {
        "last_name": "Martin", "first_name": "Léa", "birth_date-day": "12", "birth_date-month": "7",
        "birth_date-year": "1953", "identifier": "2 53 07 2A 073 004 43"}, expect_redirect="/inscription/qualite")
    client_request.post("/inscription/qualite", {"role": "subscriber"}, expect_redirect="/inscription/recapitulatif")
    client_request.post("/inscription/recapitulatif", {"accept_terms": "y"}, expect_redirect=URL)
    page = client_request.post(URL, {**VALID, "password": "Xy!253072a073004", "password_confirmation": "x"})
    assert page.errors() == ["Le mot de passe ne doit pas contenir votre numéro de sécurité sociale"]
    assert "numéro de sécurité sociale" in page.text_of("li[data-rule=personal_nir]")


def test_the_address_rate_limit_counts_only_emails_sent(app, at_credentials, client_request):
    reconfigure(app, RATELIMIT_ACTIVATION_EMAIL="1 per hour")
    for _ in range(3):  # mistakes send nothing, so they do not count
        client_request.post(URL, {**VALID, "password": "x"})
    client_request.post(URL, VALID, expect_redirect="/inscription/verifiez-vos-emails")


def test_in_english(at_credentials, client_request):
    client_request.post("/langue", {"lang": "en", "next": URL}, expect_redirect=URL)
    page = client_request.post(URL, {**VALID, "password": "abc", "password_confirmation": "abc"})
    assert page.text_of("h1") == "Step 6 of 6: Your email address and password"
    assert page.errors()[0] == "Password must be at least 8 characters"
    assert page.text_of("li[data-rule=common]").endswith("Not a common password, like Azerty123! or Password1")
    assert page.select_one("button[data-password-toggle=password]")["aria-label"] == "Show password"


@pytest.mark.parametrize(("step", "tampered", "back_to"), [
    ("identity", {"birth_date": "2999-01-01"}, "/inscription/identite"),
    ("identity", {"identifier": "ABC"}, "/inscription/identite"),
    ("identity", {"last_name": "<script>"}, "/inscription/identite"),
    ("role", {"role": "owner"}, "/inscription/qualite"),
    ("subscriber", {"subscriber_first_name": ""}, "/inscription/souscripteur"),
    ("summary", {"terms_version": "2020-01-01"}, "/inscription/recapitulatif"),
])
def test_stored_answers_are_checked_again_before_the_account_is_created(
        at_credentials, client_request, database, step, tampered, back_to):
    """Answers live in the database between steps: one changed there (or by a bug) is
    refused at the last step as it would have been when typed; the person gives it again."""
    def tamper(session):
        journey = session.query(Journey).one()
        journey.answers = {**journey.answers, step: {**journey.answers[step], **tampered}}
        session.commit()
    database(tamper)
    client_request.post(URL, VALID, expect_redirect=back_to)
    assert database(lambda s: s.query(Account).count()) == 0
    assert database(lambda s: step not in s.query(Journey).one().answers)
    assert database(lambda s: s.query(OutboxMessage).count()) == 0


def test_past_the_address_limit_the_email_is_silently_not_sent(app, at_credentials, client_request, database):
    """Another person, from another network, gives the same address: the page is the usual
    one, no email goes, and no header tells the address's count."""
    reconfigure(app, RATELIMIT_ACTIVATION_EMAIL="1 per hour")
    client_request.post(URL, VALID, expect_redirect="/inscription/verifiez-vos-emails")
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    at_step(other, "identifiants")
    response = other.post(URL, data=VALID)
    assert response.headers["Location"] == "/inscription/verifiez-vos-emails"
    assert response.headers["X-RateLimit-Limit"] == "20"  # the step's per-IP limit, not the address's 1
    assert database(lambda s: s.query(Account).count()) == 2
    assert database(lambda s: s.query(OutboxMessage).filter_by(recipient=VALID["email"]).count()) == 1

