"""The identifier (a NIR when IDENTIFIER_KIND=nir) encrypted at rest in the answers kept by
`journeys` and `accounts`, so that a copy of the database, a backup or a log of its queries
does not hold it in clear.

`EncryptedAnswers` is the answers' column type: on the way in, the identity's identifier
becomes "enc:" + a Fernet token (AES-128-CBC and HMAC-SHA256, a random IV: two equal
identifiers look different); on the way out it is decrypted, so that the rest of the code
never sees the difference. Keys: IDENTIFIER_KEYS, a comma-separated list of Fernet keys
(`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`);
the first encrypts, all decrypt, so a new key is put first, `flask rotate-identifier-key`
re-encrypts every row with it, and the old one is then removed. Without IDENTIFIER_KEYS, one
key derived from SECRET_KEY. An identifier written before this (no "enc:") is read as is
and encrypted at its next write, or by the command.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator

PREFIX = "enc:"
_CIPHER = "sesame.identifier_cipher"


def cipher() -> MultiFernet:
    if _CIPHER not in current_app.extensions:
        config = current_app.config
        keys = list(config["IDENTIFIER_KEYS"]) or [base64.urlsafe_b64encode(
            hashlib.sha256(b"sesame.identifier-key:" + config["SECRET_KEY"].encode()).digest()).decode()]
        current_app.extensions[_CIPHER] = MultiFernet([Fernet(key) for key in keys])
    return current_app.extensions[_CIPHER]


def _with_identifier(answers, change):
    identity = answers.get("identity") if isinstance(answers, dict) else None
    value = identity.get("identifier") if isinstance(identity, dict) else None
    if not isinstance(value, str):
        return answers
    changed = change(value)
    return answers if changed == value else {**answers, "identity": {**identity, "identifier": changed}}


def _encrypt(value: str) -> str:
    return value if value.startswith(PREFIX) else PREFIX + cipher().encrypt(value.encode()).decode()


def _decrypt(value: str) -> str:
    return cipher().decrypt(value[len(PREFIX):].encode()).decode() if value.startswith(PREFIX) else value


class EncryptedAnswers(TypeDecorator):
    """JSON whose `identity.identifier` is encrypted (see the module's docstring)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return _with_identifier(value, _encrypt)

    def process_result_value(self, value, dialect):
        return _with_identifier(value, _decrypt)
