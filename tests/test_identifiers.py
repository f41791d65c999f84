"""Each identifier's check (wizard/core/identity.py) and the identifiers an operator lists
(IDENTIFIERS and its companions, wizard/signup/identifiers.py), refused at start-up with
the setting named."""
import pytest

from tests.conftest import build_app
from wizard.config import SettingError
from wizard.core.identity import Refused, parse_identifier


@pytest.mark.parametrize(("raw", "kept"), [
    ("2 85 03 75 123 456 88", "285037512345688"),  # key 88: 97 - (2850375123456 mod 97)
    ("2.53.07.2A.073.004.43", "253072A07300443"),  # Corsica: 2A counts as 19
    ("2 53 07 2a 073 004 43", "253072A07300443"),  # typed in lower case
])
def test_a_nir_with_its_key_is_kept_compact(raw, kept):
    assert parse_identifier("nir", raw) == kept


def test_a_nir_of_upper_corsica():
    """2B counts as 18 in the key (2A as 19): the key of a 2B number is its own."""
    number = "25307" + "2B" + "073004"
    key = 97 - int("25307" + "18" + "073004") % 97
    assert parse_identifier("nir", f"{number}{key:02d}") == f"{number}{key:02d}"
    with pytest.raises(Refused) as refused:
        parse_identifier("nir", f"{number}{(key % 97) + 1:02d}")
    assert refused.value.reason == "checksum"


@pytest.mark.parametrize(("kind", "raw", "reason"), [
    ("nir", "2 85 03 75 123 456 78", "checksum"),
    ("nir", "5 85 03 75 123 456 88", "sex_digit"),
    ("nir", "2850375123456", "length"),
    ("nir", "28503751234567Z", "characters"),
    ("nir", "٢٨٥٠٣٧٥١٢٣٤٥٦٧٨", "characters"),  # Arabic-Indic digits are digits to str.isdigit
    ("vitale", "0102457612", "length"),
    ("vitale", "0102457612X", "characters"),
    ("vitale", "0102457612²", "characters"),
    ("postal_code", "7501", "length"),
    ("postal_code", "00100", "unknown"),
    ("postal_code", "96000", "unknown"),
    ("postal_code", "7501A", "characters"),
    ("member_number", "1020304", "length"),
    ("member_number", "1020304A", "characters"),
    ("contract_number", "ABC12", "length"),
    ("contract_number", "A" * 21, "length"),
    ("contract_number", "MS/2024/42", "characters"),
    ("contract_number", "MSÉ2024042", "characters"),
])
def test_each_identifier_refuses_with_its_reason(kind, raw, reason):
    with pytest.raises(Refused) as refused:
        parse_identifier(kind, raw)
    assert refused.value.reason == reason


@pytest.mark.parametrize(("kind", "raw", "kept"), [
    ("vitale", "0102457612 4", "01024576124"),
    ("postal_code", "20 000", "20000"),  # Corsica's postal codes are digits (20xxx)
    ("postal_code", "97 411", "97411"),  # overseas
    ("contract_number", "ms-2024-000042", "MS2024000042"),
    ("contract_number", "12.34.56", "123456"),
    ("member_number", "1020 3040", "10203040"),
])
def test_each_identifier_is_kept_without_its_separators(kind, raw, kept):
    assert parse_identifier(kind, raw) == kept


def test_an_operator_length_replaces_the_default():
    assert parse_identifier("member_number", "123456789", (9, 9)) == "123456789"
    with pytest.raises(Refused):
        parse_identifier("member_number", "12345678", (9, 9))
    assert parse_identifier("contract_number", "C1234567", (8, 12)) == "C1234567"


# --- the settings, at start-up ----------------------------------------------------------------

@pytest.mark.parametrize(("settings", "message"), [
    ({"IDENTIFIERS": ("nir", "postcode")},
     "IDENTIFIERS: 'postcode' is not an identifier; choose among member_number, nir, vitale, postal_code, "
     "contract_number"),
    ({"IDENTIFIERS": ("nir", "nir")}, "IDENTIFIERS: 'nir' is listed twice"),
    ({"IDENTIFIER_KIND": "passport"}, "IDENTIFIER_KIND: 'passport' is not an identifier"),
    ({"IDENTIFIERS": ("nir",), "SUBSCRIBER_IDENTIFIERS": ("vitale",)},
     "SUBSCRIBER_IDENTIFIERS: 'vitale' is not among the identifiers asked (nir)"),
    ({"IDENTIFIER_LENGTHS": ("nir=13",)}, "IDENTIFIER_LENGTHS: the length of 'nir' is fixed"),
    ({"IDENTIFIER_LENGTHS": ("member_number=8-9",)}, "IDENTIFIER_LENGTHS: member_number='8-9' should be N"),
    ({"IDENTIFIER_LENGTHS": ("contract_number=12-6",)}, "contract_number='12-6' should be N or N-M"),
    ({"IDENTIFIER_LENGTHS": ("contract_number",)}, "IDENTIFIER_LENGTHS: 'contract_number' should be kind=value"),
    ({"IDENTIFIER_PICTURES": ("nir=carte.svg",)},
     "IDENTIFIER_PICTURES: the pictures are files of BRAND_FOLDER, which is not set"),
])
def test_a_wrong_identifier_setting_stops_the_start_with_it_named(settings, message):
    with pytest.raises(SettingError) as refused:
        build_app(**settings)
    assert message in str(refused.value)


SVG_OK = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Notre carte : le numéro en haut'
          '</title><rect width="10" height="10"/></svg>')


@pytest.mark.parametrize(("content", "message"), [
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "needs a <title>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><title>x</title><script>alert(1)</script></svg>', "holds <script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><title>x</title><rect onclick="alert(1)"/></svg>', "holds <rect>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><title>x</title>'
     '<image x:href="https://tracker.example/p.png"/></svg>', "holds <image>"),
    ("<svg><title>not closed</svg>", "is not well-formed SVG"),
    ('<html xmlns="http://www.w3.org/1999/xhtml"><title>x</title></html>', "is not an SVG picture"),
])
def test_an_operator_picture_that_is_not_plain_svg_is_refused(tmp_path, content, message):
    (tmp_path / "carte.svg").write_text(content, "utf-8")
    with pytest.raises(SettingError) as refused:
        build_app(BRAND_FOLDER=str(tmp_path), IDENTIFIER_PICTURES=("member_number=carte.svg",))
    assert message in str(refused.value)
    assert "IDENTIFIER_PICTURES: member_number='carte.svg'" in str(refused.value)


def test_an_operator_picture_is_shown_inline_with_its_title_as_its_alternative(tmp_path):
    (tmp_path / "carte.svg").write_text(SVG_OK, "utf-8")
    app = build_app(BRAND_FOLDER=str(tmp_path), IDENTIFIER_PICTURES=("member_number=carte.svg",))
    with app.app_context():
        from wizard import settings
        picture = str(settings.identifier().picture)
    assert picture.startswith("<svg ")
    assert 'role="img"' in picture and 'aria-label="Notre carte : le numéro en haut"' in picture


def test_the_insurers_api_is_told_the_identifiers_asked():
    from wizard.eligibility import checks
    app = build_app(INSURER_API_URL="http://127.0.0.1:9/eligibilite", IDENTIFIERS=("nir", "postal_code"))
    with app.app_context():
        assert checks.insurer().kinds == ("nir", "postal_code")
