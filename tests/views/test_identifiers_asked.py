"""The identity step, the subscriber step, the summary and the refusal page when an operator
asks several identifiers (IDENTIFIERS, SUBSCRIBER_IDENTIFIERS): each its own field, words,
check and "Où trouver ?" help, in the order configured."""
import pytest
from sqlalchemy import text

from tests.conftest import IDENTITY, SUBSCRIBER, at_step, confirmed_phone, newest_message, normalize_spaces, reconfigure
from wizard.accounts.models import Account
from wizard.extensions import db

NIR, POSTAL_CODE = "2 85 03 75 123 456 88", "75 011"
AMELI_LIKE = {"IDENTIFIERS": ("nir", "postal_code")}
AMELI_IDENTITY = {**IDENTITY, "identifier": NIR, "postal_code": POSTAL_CODE}


@pytest.fixture
def ameli_like(app, client):
    reconfigure(app, **AMELI_LIKE)
    at_step(client, "identite")
    yield client
    reconfigure(app, IDENTIFIERS=())


def labels(page) -> list[str]:
    return [normalize_spaces(label.get_text()) for label in page.select("#wizard-step form label.label")]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_each_identifier_has_its_field_in_the_order_configured(ameli_like, client_request, htmx):
    page = client_request.get("/inscription/identite", htmx=htmx)
    assert labels(page)[-2:] == ["Numéro de sécurité sociale", "Code postal"]
    assert page.select_one("#postal_code")["autocomplete"] == "postal-code"
    assert page.select_one("#postal_code")["inputmode"] == "numeric"
    assert not page.select_one("#identifier").has_attr("inputmode")  # 2A, 2B
    assert "Il nous reste" not in page.text_of("#wizard-step")


def test_each_identifier_says_where_to_find_it_with_a_picture(ameli_like, client_request):
    page = client_request.get("/inscription/identite")
    helps = page.select("details.where-to-find")
    assert [normalize_spaces(h.select_one("summary").get_text()) for h in helps] == [
        "Où trouver mon numéro de sécurité sociale ?", "Où trouver mon code postal ?"]
    for details, field in zip(helps, ("identifier", "postal_code"), strict=True):
        picture = details.select_one("svg")
        assert picture["role"] == "img"
        assert picture["aria-labelledby"] == f"{field}-where"
        assert details.select_one(f"#{field}-where").get_text().startswith("Sur ")
    assert "carte Vitale" in page.text_of("#identifier-where")


def test_the_answers_are_kept_by_field_compact(ameli_like, client_request, journey_answers):
    client_request.post("/inscription/identite", AMELI_IDENTITY, expect_redirect="/inscription/qualite")
    identity = journey_answers()["identity"]
    assert (identity["identifier"], identity["postal_code"]) == ("285037512345688", "75011")


def test_every_identifier_missing_is_listed_in_the_page_order(ameli_like, client_request):
    page = client_request.post("/inscription/identite", {**IDENTITY, "identifier": "", "postal_code": ""})
    assert page.errors() == ["Saisissez votre numéro de sécurité sociale", "Saisissez votre code postal"]
    assert [a["href"] for a in page.select(".error-summary a")] == ["#identifier", "#postal_code"]


NIR_LENGTH = "Le numéro de sécurité sociale doit comporter 15 chiffres, clé comprise"
POSTAL_CHARACTERS = "Le code postal ne doit comporter que des chiffres"
TOO_LONG = "Ce numéro est trop long : recopiez-le tel qu’il figure sur la carte"
# (typed, the NIR's refusal, the postal code's)
HOSTILE = [
    ("<script>alert(1)</script>", NIR_LENGTH, POSTAL_CHARACTERS),
    ("' OR 1=1 --", NIR_LENGTH, POSTAL_CHARACTERS),
    ("7501\u202e1", NIR_LENGTH, POSTAL_CHARACTERS),  # a direction override
    ("٧٥٠١١", NIR_LENGTH, POSTAL_CHARACTERS),  # Arabic-Indic digits, digits to str.isdigit
    ("2850375123456٨٨",
     "Le numéro de sécurité sociale ne doit comporter que des chiffres (ou 2A, 2B pour la Corse)",
     POSTAL_CHARACTERS),
    ("7" * 41, TOO_LONG, TOO_LONG),
    ("75\x000111", NIR_LENGTH, "Le code postal doit comporter 5 chiffres"),  # the NUL is dropped, 6 digits left
]


@pytest.mark.parametrize("field", ["identifier", "postal_code"])
@pytest.mark.parametrize(("value", "nir_message", "postal_message"), HOSTILE)
def test_hostile_input_in_each_identifier_is_refused_and_never_kept(ameli_like, client_request, journey_answers,
                                                                    field, value, nir_message, postal_message):
    page = client_request.post("/inscription/identite", {**AMELI_IDENTITY, field: value})
    assert page.errors() == [nir_message if field == "identifier" else postal_message]
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert "identity" not in journey_answers()


def test_a_contract_number_is_asked_after_the_member_number(app, client, client_request, journey_answers):
    reconfigure(app, IDENTIFIERS=("member_number", "contract_number"), IDENTIFIER_LENGTHS=("contract_number=8-12",))
    at_step(client, "identite")
    page = client_request.get("/inscription/identite")
    assert labels(page)[-2:] == ["Numéro d’adhérent", "Numéro de contrat"]
    assert page.text_of("#contract_number-hint") == "De 8 à 12 lettres ou chiffres, sur la carte de tiers payant"
    page = client_request.post("/inscription/identite", {**IDENTITY, "contract_number": "ms-2024"})
    assert page.errors() == ["Le numéro de contrat doit comporter de 8 à 12 lettres ou chiffres"]
    client_request.post("/inscription/identite", {**IDENTITY, "contract_number": "ms-2024-042"},
                        expect_redirect="/inscription/qualite")
    assert journey_answers()["identity"]["contract_number"] == "MS2024042"
    reconfigure(app, IDENTIFIERS=(), IDENTIFIER_LENGTHS=())


def test_the_subscriber_is_asked_the_identifiers_the_operator_says(app, ameli_like, client_request,
                                                                  journey_answers):
    reconfigure(app, SUBSCRIBER_IDENTIFIERS=("nir",))
    client_request.post("/inscription/identite", AMELI_IDENTITY, expect_redirect="/inscription/qualite")
    client_request.post("/inscription/qualite", {"role": "beneficiary"}, expect_redirect="/inscription/souscripteur")
    page = client_request.get("/inscription/souscripteur")
    assert labels(page)[-1] == "Numéro de sécurité sociale du souscripteur"
    assert page.text_of("details.where-to-find summary") == "Où trouver le numéro de sécurité sociale du souscripteur ?"
    page = client_request.post("/inscription/souscripteur", SUBSCRIBER)
    assert page.errors() == ["Saisissez le numéro de sécurité sociale du souscripteur"]
    client_request.post("/inscription/souscripteur", {**SUBSCRIBER, "subscriber_identifier": "2 53 07 2A 073 004 43"},
                        expect_redirect="/inscription/recapitulatif")
    assert journey_answers()["subscriber"]["subscriber_identifier"] == "253072A07300443"
    summary = client_request.get("/inscription/recapitulatif")
    rows = {normalize_spaces(row.select_one("dt").get_text()): normalize_spaces(row.select_one("dd").get_text())
            for row in summary.select(".summary-row")}
    assert rows["Numéro de sécurité sociale"] == "285037512345688"
    assert rows["Code postal"] == "75011"
    assert rows["Numéro de sécurité sociale du souscripteur"] == "253072A07300443"
    reconfigure(app, SUBSCRIBER_IDENTIFIERS=())


def test_identifiers_are_encrypted_at_rest(ameli_like, client_request, database):
    client_request.post("/inscription/identite", AMELI_IDENTITY, expect_redirect="/inscription/qualite")
    stored = database(lambda session: session.execute(text("SELECT answers FROM journeys")).scalar_one())
    assert "285037512345688" not in stored and "75011" not in stored


def test_a_refusal_and_its_correction_name_every_identifier(app, client, client_request, database):
    """A mutuelle asking the member and contract numbers: the outcome page and its email list
    both; the correction page asks both again, empty, and keeps what is left empty."""
    email = "jean.martin@exemple.fr"
    confirmed_phone(client, email, role="subscriber")  # Jean says he is the subscriber: a mismatch
    reconfigure(app, IDENTIFIERS=("member_number", "contract_number"))
    with app.app_context():
        person = db.session.query(Account).filter_by(email=email).one()
        person.answers = {**person.answers, "identity": {**person.answers["identity"], "contract_number": "C1020305"}}
        db.session.commit()
    client_request.post("/inscription/eligibilite", {}, expect_redirect="/inscription/verification-en-cours")
    lines = [item.get_text() for item in client_request.get("/inscription/verification-en-cours")
             .select("#eligibility-status li")]
    assert "votre numéro d’adhérent ;" in lines and "votre numéro de contrat ;" in lines
    mail = newest_message(app, email).body_text
    assert "- votre numéro d’adhérent ;" in mail and "- votre numéro de contrat ;" in mail
    page = client_request.get("/inscription/eligibilite/corriger")
    assert [field.get("value", "") for field in page.select("#identifier, #contract_number")] == ["", ""]
    assert "C1020305" not in str(page) and "•••••305" in page.text_of("#contract_number-hint")
    form = {"last_name": "Dupont", "first_name": "Jean", "birth_date-day": "6", "birth_date-month": "3",
            "birth_date-year": "1977", "identifier": "", "contract_number": ""}
    client_request.post("/inscription/eligibilite/corriger", form, expect_redirect="/inscription/verification-en-cours")
    identity = database(lambda s: s.query(Account).filter_by(email=email).one().answers["identity"])
    assert (identity["identifier"], identity["contract_number"]) == ("10203050", "C1020305")
    reconfigure(app, IDENTIFIERS=())


def test_an_operators_own_picture_replaces_the_drawing(app, client, client_request, tmp_path):
    (tmp_path / "carte.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Notre carte : le numéro en haut à droite'
        '</title><rect width="10" height="10" fill="#065f46"/></svg>', "utf-8")
    reconfigure(app, BRAND_FOLDER=str(tmp_path), IDENTIFIER_PICTURES=("member_number=carte.svg",))
    at_step(client, "identite")
    help_ = client_request.get("/inscription/identite").select_one("details.where-to-find")
    picture = help_.select_one("svg")
    assert picture["role"] == "img" and picture["aria-label"] == "Notre carte : le numéro en haut à droite"
    assert picture.select_one("rect")["fill"] == "#065f46"
    assert len(help_.select("svg")) == 1  # instead of ours
    reconfigure(app, BRAND_FOLDER=None, IDENTIFIER_PICTURES=())
