"""The identity step: what people type, forgiven where it can be, explained where it cannot."""
import pytest

from tests.conftest import IDENTITY, at_step, normalize_spaces, reconfigure


@pytest.fixture
def at_identity(client):
    at_step(client, "identite")
    return client


def test_identity_page(at_identity, client_request):
    page = client_request.get("/inscription/identite")
    assert page.text_of("h1") == "Étape 2 sur 5 : Votre identité"
    assert page.select_one("#last_name")["autocomplete"] == "family-name"
    assert page.select_one("#first_name")["autocomplete"] == "given-name"
    assert [i["autocomplete"] for i in page.select(".date-inputs input")] == ["bday-day", "bday-month", "bday-year"]
    assert page.text_of("fieldset legend") == "Date de naissance"
    assert page.select_one("label[for=identifier]").get_text() == "Numéro d’adhérent"
    assert page.select_one("#identifier")["aria-describedby"] == "identifier-hint"
    assert "carte de tiers payant" in page.text_of(".callout")


def test_identity_is_kept_normalised(at_identity, client_request, journey_answers):
    data = {**IDENTITY, "last_name": "  de   la  Fontaine ", "first_name": "Jean-Étienne",
            "identifier": "1020.30 50"}
    client_request.post("/inscription/identite", data, expect_redirect="/inscription/qualite")
    assert journey_answers()["identity"] == {"last_name": "de la Fontaine", "first_name": "Jean-Étienne",
                                             "birth_date": "1977-03-06", "identifier": "10203050"}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"last_name": ""}, "last_name", "Saisissez votre nom de famille"),
    ({"last_name": "   "}, "last_name", "Saisissez votre nom de famille"),
    ({"first_name": ""}, "first_name", "Saisissez votre prénom"),
    ({"last_name": "Dupont3"}, "last_name",
     "Le nom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"),
    ({"first_name": "<script>alert(1)</script>"}, "first_name",
     "Le prénom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"),
    ({"last_name": "A" * 101}, "last_name", "Le nom doit comporter 100 caractères au maximum"),
    ({"last_name": "Robert'); DROP TABLE journeys;--"}, "last_name",
     "Le nom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"),
    ({"birth_date-day": "", "birth_date-month": "", "birth_date-year": ""}, "birth_date-day",
     "Saisissez la date de naissance"),
    ({"birth_date-day": ""}, "birth_date-day", "La date de naissance doit comporter un jour"),
    ({"birth_date-month": ""}, "birth_date-day", "La date de naissance doit comporter un mois"),
    ({"birth_date-year": ""}, "birth_date-day", "La date de naissance doit comporter une année"),
    ({"birth_date-day": "31", "birth_date-month": "2"}, "birth_date-day",
     "La date de naissance doit être une date réelle"),
    ({"birth_date-month": "13"}, "birth_date-day", "La date de naissance doit être une date réelle"),
    ({"birth_date-year": "77"}, "birth_date-day", "L’année de naissance doit comporter 4 chiffres, par exemple 1985"),
    ({"birth_date-day": "six"}, "birth_date-day",
     "La date de naissance ne doit comporter que des chiffres, par exemple 27 3 1985"),
    ({"birth_date-year": "2999"}, "birth_date-day", "La date de naissance doit être dans le passé"),
    ({"birth_date-year": "1850"}, "birth_date-day", "La date de naissance doit être postérieure à il y a 120 ans"),
    ({"identifier": ""}, "identifier", "Saisissez votre numéro d’adhérent"),
    ({"identifier": "1234567"}, "identifier", "Le numéro d’adhérent doit comporter 8 chiffres"),
    ({"identifier": "1234567A"}, "identifier", "Le numéro d’adhérent ne doit comporter que des chiffres"),
    ({"identifier": "9" * 500}, "identifier",
     "Ce numéro est trop long : recopiez-le tel qu’il figure sur la carte"),
])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_identity_errors_are_shown_next_to_the_field_and_in_the_summary(
        at_identity, client_request, journey_answers, changes, field, message, htmx):
    page = client_request.post("/inscription/identite", {**IDENTITY, **changes}, htmx=htmx)
    assert page.errors() == [message]
    assert page.select_one(".error-summary a")["href"] == f"#{field}"
    field_id = field.removesuffix("-day")
    assert normalize_spaces(page.select_one(f"#{field_id}-error").get_text()) == f"Erreur : {message}"
    described = page.select_one(f"#{field}")["aria-describedby"] if field == field_id else \
        page.select_one("fieldset")["aria-describedby"]
    assert f"{field_id}-error" in described.split()
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.text_of("title").startswith("Erreur : Étape 2 sur 5")
    assert "identity" not in journey_answers()
    if htmx:
        assert page.select_one("html") is None  # a partial, not a page
        assert page.text_of("#wizard-status") == "Il y a 1 problème à corriger"


def test_what_was_typed_comes_back_with_the_errors(at_identity, client_request):
    page = client_request.post("/inscription/identite", {**IDENTITY, "identifier": "12", "last_name": "Dupont"})
    assert page.select_one("#last_name")["value"] == "Dupont"
    assert page.select_one("#birth_date-year")["value"] == "1977"
    assert page.select_one("#identifier")["value"] == "12"


NAME_CHARACTERS = "Le prénom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"


@pytest.mark.parametrize("value", ["Jean\x00", "\x07Jean", "Je\x1ban\x7f", "Jean\r\n"],
                         ids=["nul", "bell", "escape-delete", "line-end"])
def test_control_characters_are_dropped_before_the_name_is_kept(at_identity, client_request, journey_answers,
                                                                 value):
    client_request.post("/inscription/identite", {**IDENTITY, "first_name": value},
                        expect_redirect="/inscription/qualite")
    assert journey_answers()["identity"]["first_name"] == "Jean"


def test_a_direction_override_is_refused_and_never_kept(at_identity, client_request, journey_answers):
    """U+202E (right-to-left override) is not a control character to drop: it is refused."""
    page = client_request.post("/inscription/identite", {**IDENTITY, "first_name": "Je\u202ean"})
    assert page.errors() == [NAME_CHARACTERS]
    assert page.select_one("#first_name")["aria-invalid"] == "true"
    assert "identity" not in journey_answers()


def test_nothing_posted_at_all(at_identity, client_request):
    page = client_request.post("/inscription/identite", {})
    assert len(page.errors()) == 4


@pytest.mark.parametrize(("kind", "value", "stored"), [
    ("nir", "2 53 07 2A 073 004 43", "253072A07300443"),
    ("vitale", "0102457612 4", "01024576124"),
    ("postal_code", "75 011", "75011"),
])
def test_identifier_kinds(app, at_identity, client_request, journey_answers, kind, value, stored):
    reconfigure(app, IDENTIFIER_KIND=kind)
    client_request.post("/inscription/identite", {**IDENTITY, "identifier": value},
                        expect_redirect="/inscription/qualite")
    assert journey_answers()["identity"]["identifier"] == stored


def test_a_nir_with_a_wrong_key_is_refused_and_never_kept(app, at_identity, client_request, journey_answers):
    reconfigure(app, IDENTIFIER_KIND="nir")
    page = client_request.post("/inscription/identite", {**IDENTITY, "identifier": "1.85.03.75.123.456.78"})
    assert page.errors() == ["Ce numéro de sécurité sociale n’est pas valide : vérifiez chaque chiffre et la clé"]
    assert page.select_one("label[for=identifier]").get_text() == "Numéro de sécurité sociale"
    assert page.select_one("#identifier")["value"] == "1.85.03.75.123.456.78"
    assert page.select_one("#identifier")["aria-invalid"] == "true"
    assert "identity" not in journey_answers()


@pytest.mark.parametrize(("value", "message"), [
    ("2530723A07300443", "Le numéro de sécurité sociale doit comporter 15 chiffres, clé comprise"),
    ("253072A07300444", "Ce numéro de sécurité sociale n’est pas valide : vérifiez chaque chiffre et la clé"),
    ("553072A07300443", "Le numéro de sécurité sociale doit commencer par 1, 2, 3, 4, 7 ou 8"),
    ("25307XX07300443", "Le numéro de sécurité sociale ne doit comporter que des chiffres (ou 2A, 2B pour la Corse)"),
])
def test_nir_refusals(app, at_identity, client_request, value, message):
    reconfigure(app, IDENTIFIER_KIND="nir")
    page = client_request.post("/inscription/identite", {**IDENTITY, "identifier": value})
    assert page.errors() == [message]
    assert page.select_one("label[for=identifier]").get_text() == "Numéro de sécurité sociale"


def test_postal_code_that_cannot_exist(app, at_identity, client_request):
    reconfigure(app, IDENTIFIER_KIND="postal_code")
    page = client_request.post("/inscription/identite", {**IDENTITY, "identifier": "00100"})
    assert page.errors() == ["Ce code postal n’existe pas"]
    assert page.select_one("#identifier")["autocomplete"] == "postal-code"
