"""Signed activation links and their codes (wizard/core/tokens.py)."""
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from wizard.core import clock, tokens

SECRET = "test-secret-key"
DAY = 24 * 3600


def test_a_link_says_which_account_and_which_email():
    token = tokens.activation_link_token(SECRET, "abc123", 4)
    assert tokens.read_activation_link_token(SECRET, token, DAY) == tokens.ActivationClaim("abc123", 4, False)


def test_an_old_link_is_read_but_marked_expired(monkeypatch):
    token = tokens.activation_link_token(SECRET, "abc123", 1)
    later = clock.now() + timedelta(days=1, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert tokens.read_activation_link_token(SECRET, token, DAY) == tokens.ActivationClaim("abc123", 1, True)


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature
    lambda t: "eyJhIjoiZXZpbCIsImciOjF9" + t[t.index("."):],       # payload of another account
    lambda t: t[:20],                                               # cut by a mail program
    lambda t: "",
    lambda t: "%00<script>",
])
def test_a_tampered_link_is_invalid(tamper):
    token = tokens.activation_link_token(SECRET, "abc123", 1)
    with pytest.raises(tokens.InvalidToken):
        tokens.read_activation_link_token(SECRET, tamper(token), DAY)


def test_a_token_signed_for_another_purpose_or_key_is_invalid():
    other_purpose = URLSafeTimedSerializer(SECRET, salt="sesame.password-reset.v1").dumps({"a": "abc123", "g": 1})
    with pytest.raises(tokens.InvalidToken):
        tokens.read_activation_link_token(SECRET, other_purpose, DAY)
    other_key = tokens.activation_link_token("another-key", "abc123", 1)
    with pytest.raises(tokens.InvalidToken):
        tokens.read_activation_link_token(SECRET, other_key, DAY)


def test_a_well_signed_but_malformed_payload_is_invalid():
    odd = URLSafeTimedSerializer(SECRET, salt=tokens.ACTIVATION_LINK_SALT).dumps(["not", "a", "claim"])
    with pytest.raises(tokens.InvalidToken):
        tokens.read_activation_link_token(SECRET, odd, DAY)


def test_the_code_is_six_digits_and_changes_with_each_email():
    first = tokens.activation_code(SECRET, "abc123", 1)
    assert len(first) == 6 and first.isdigit()
    assert first == tokens.activation_code(SECRET, "abc123", 1)
    assert first != tokens.activation_code(SECRET, "abc123", 2)
    assert first != tokens.activation_code("another-key", "abc123", 1)
