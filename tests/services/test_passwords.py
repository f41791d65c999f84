"""The password policy and Argon2id storage (wizard/core/passwords.py)."""
from datetime import date

import pytest

from wizard.core import passwords
from wizard.core.passwords import Hashing, PersonalData, Policy, broken_rules

# Every rule at once, as an operator may ask (the defaults are NIST's: test_the_defaults_are_nists).
POLICY = Policy(8, 128, passwords.CHARACTER_CLASSES)
JEAN = PersonalData(first_name="Jean-Éric", last_name="Le Goff", birth_date=date(1977, 3, 6),
                    nir="177037512345678", email="jean.legoff@exemple.fr")
CHEAP = Hashing(time_cost=1, memory_kib=64, parallelism=1)


@pytest.mark.parametrize(("password", "broken"), [
    ("", ["min_length", "lower", "upper", "digit", "special"]),
    ("Ab1!", ["min_length"]),
    ("bateau-vert1", ["upper"]),
    ("BATEAU-VERT1", ["lower"]),
    ("Abcdefgh!", ["digit"]),
    ("Abcdefgh1", ["special"]),
    ("Abc1! " + "x" * 123, ["max_length"]),
    ("Tr3s-Sûr-Bateau", []),
    ("Zèbre vert 42", []),  # spaces are special characters; accents are letters
    ("ÉLAN-ROUGE-7x", []),
])
def test_each_rule_is_its_own(password, broken):
    assert broken_rules(password, POLICY, PersonalData()) == broken


@pytest.mark.parametrize(("password", "rule"), [
    ("Xy!1770375123456", "nir"),      # the 13 digits
    ("Nir=177037512345678z", "nir"),  # the whole number
    ("Xy!06031977", "birth_date"),
    ("Xy!06/03/1977", "birth_date"),
    ("Xy!6-3-1977a", "birth_date"),
    ("Xy!060377q", "birth_date"),
    ("Xy!19770306", "birth_date"),
    ("Xy!1977.03.06", "birth_date"),
    ("Jean!Rouge42", "name"),
    ("ÉRIC!rouge42", "name"),          # a part of a compound first name, accents and case ignored
    ("Goff!Rouge42", "name"),
    ("Xy!LeGoff42", "name"),
    ("Xy!Jean.Legoff9", "email"),
])
def test_personal_data_is_refused(password, rule):
    assert rule in broken_rules(password, POLICY, JEAN)


def test_short_name_parts_and_a_birth_year_alone_are_allowed():
    # "Le" (2 letters) would refuse half the dictionary; a year alone is not a birth date.
    assert broken_rules("Lepic!rouge1977", POLICY, JEAN) == []


def test_the_nir_is_checked_only_when_the_operator_asks_for_it():
    assert broken_rules("Xy!1770375123456", POLICY, PersonalData()) == []


@pytest.mark.parametrize("password", [
    "Azerty123!", "Motdepasse1!", "P@ssw0rd", "Soleil#1975", "MARSEILLE13", "Iloveyou1!", "Doudou2024*",
    "Qwerty123!", "Football1!",
])
def test_commonly_used_passwords_are_refused_with_their_decorations(password):
    assert "common" in broken_rules(password, POLICY, PersonalData())


def test_the_lists_hold_french_and_international_passwords():
    common = passwords.common_passwords()
    assert {"azerty", "motdepasse", "doudou", "marseille", "password", "letmein"} <= common
    assert len(common) > 10000


def test_the_policy_is_configurable():
    lenient = Policy(min_length=12, max_length=64, required_classes=())
    assert broken_rules("cheval agrafe batterie", lenient, PersonalData()) == []
    assert broken_rules("court", lenient, PersonalData()) == ["min_length"]
    with pytest.raises(ValueError):
        Policy(required_classes=("emoji",))


# ameli's rules: 8 to 50 characters, lower and upper case, a digit *or* a special character,
# only some special characters, and no part of the birth date.
AMELI = Policy(8, 50, ("lower", "upper"), ("digit", "special"), 1, "!#$%&*+-=?@_", ("year", "day_month"))


@pytest.mark.parametrize(("password", "broken"), [
    ("Bateauvert", ["some_classes"]),
    ("Bateauvert7", []), ("Bateau-vert", []),          # a digit or a special: either will do
    ("Bateau vert7", ["allowed"]),                     # a space is not among the allowed specials
    ("Bateau/vert7", ["allowed"]), ("Bâteau€vert", ["allowed"]),
    ("Élan-Rouge", []),                                # accented letters are letters
    ("Tortue-Bleue-1977", ["birth_date"]), ("Tortue-Bleue-0603", ["birth_date"]), ("Tortue-Bleue-63x", ["birth_date"]),
    ("Tortue-Bleue-1978", []),
])
def test_at_least_some_classes_allowed_characters_and_parts_of_the_birth_date(password, broken):
    assert broken_rules(password, AMELI, PersonalData(birth_date=date(1977, 3, 6))) == broken


def test_the_defaults_are_nists():
    """NIST SP 800-63B: length first, at least 64 allowed, no composition rule, a blocklist."""
    policy = Policy()
    assert (policy.min_length, policy.max_length, policy.required_classes, policy.some_classes) == (12, 128, (), ())
    assert broken_rules("tartine à la confiture", policy, PersonalData()) == []
    assert broken_rules("x" * 64, policy, PersonalData()) == ["common"]  # a run of one character
    assert broken_rules("Short1!", policy, PersonalData()) == ["min_length"]


@pytest.mark.parametrize("password", ["123456789012", "abcdefghijkl", "zzzzzzzzzzzz", "987654321098"])
def test_runs_of_characters_are_common(password):
    assert broken_rules(password, Policy(), PersonalData()) == ["common"]


def test_two_of_three_classes():
    policy = Policy(8, required_classes=(), some_classes=("upper", "digit", "special"), some_count=2)
    assert broken_rules("bateauvert7", policy, PersonalData()) == ["some_classes"]
    assert broken_rules("bateauVert7", policy, PersonalData()) == []


@pytest.mark.parametrize("wrong", [
    {"some_classes": ("digit",), "some_count": 2}, {"some_classes": ("digit",), "some_count": 0},
    {"birth_date_parts": ("month",)}, {"min_length": 20, "max_length": 10}, {"min_length": 0},
])
def test_a_policy_that_cannot_be_met_is_refused(wrong):
    with pytest.raises(ValueError):
        Policy(**wrong)


def test_a_hash_is_argon2id_with_the_chosen_parameters():
    stored = passwords.hash_password("Tr3s-Sûr-Bateau", Hashing())
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=1$")


def test_verification_accepts_the_password_only():
    stored = passwords.hash_password("Tr3s-Sûr-Bateau", CHEAP)
    assert passwords.verify(stored, "Tr3s-Sûr-Bateau", CHEAP) == (True, None)
    assert passwords.verify(stored, "tr3s-sûr-bateau", CHEAP) == (False, None)
    assert passwords.verify("not a hash", "Tr3s-Sûr-Bateau", CHEAP) == (False, None)


def test_a_password_typed_with_decomposed_accents_still_matches():
    composed, decomposed = "Tr3s-S\u00fbr-Bateau", "Tr3s-Su\u0302r-Bateau"
    stored = passwords.hash_password(composed, CHEAP)
    assert passwords.verify(stored, decomposed, CHEAP)[0]


def test_verification_rehashes_when_the_parameters_change():
    old = passwords.hash_password("Tr3s-Sûr-Bateau", CHEAP)
    stronger = Hashing(time_cost=2, memory_kib=128, parallelism=1)
    ok, new_hash = passwords.verify(old, "Tr3s-Sûr-Bateau", stronger)
    assert ok and new_hash.startswith("$argon2id$v=19$m=128,t=2,p=1$")
    assert passwords.verify(new_hash, "Tr3s-Sûr-Bateau", stronger) == (True, None)
    assert passwords.verify(old, "wrong", stronger) == (False, None)
