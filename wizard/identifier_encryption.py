"""The identifiers (a NIR, a Vitale serial...) encrypted at rest in the answers kept by
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

from wizard.core.identity import IDENTIFIER_KINDS

PREFIX = "enc:"
_CIPHER = "sesame.identifier_cipher"


def cipher() -> MultiFernet:
    if _CIPHER not in current_app.extensions:
        config = current_app.config
        keys = list(config["IDENTIFIER_KEYS"]) or [base64.urlsafe_b64encode(
            hashlib.sha256(b"sesame.identifier-key:" + config["SECRET_KEY"].encode()).digest()).decode()]
        current_app.extensions[_CIPHER] = MultiFernet([Fernet(key) for key in keys])
    return current_app.extensions[_CIPHER]


# The answers that hold an identifier: the first's (`identifier`), the others' (their kind,
# IDENTIFIERS), and the subscriber's (SUBSCRIBER_IDENTIFIERS).
_IDENTIFIERS = ("identifier", *IDENTIFIER_KINDS)
_HOLDING = {"identity": _IDENTIFIERS, "subscriber": tuple("subscriber_" + name for name in _IDENTIFIERS)}


def _with_identifier(answers, change):
    if not isinstance(answers, dict):
        return answers
    changed = answers
    for step, names in _HOLDING.items():
        given = answers.get(step)
        if not isinstance(given, dict):
            continue
        values = {name: change(given[name]) for name in names if isinstance(given.get(name), str)}
        if any(values[name] != given[name] for name in values):
            changed = {**changed, step: {**given, **values}}
    return changed


def _encrypt(value: str) -> str:
    return value if value.startswith(PREFIX) else PREFIX + cipher().encrypt(value.encode()).decode()


def _decrypt(value: str) -> str:
    return cipher().decrypt(value[len(PREFIX):].encode()).decode() if value.startswith(PREFIX) else value


class EncryptedAnswers(TypeDecorator):
    """JSON whose identifiers are encrypted (see the module's docstring)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return _with_identifier(value, _encrypt)

    def process_result_value(self, value, dialect):
        return _with_identifier(value, _decrypt)
