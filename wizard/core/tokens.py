"""Signed tokens, with one salt per purpose: a token made for one use is refused for another.

Activation links carry (account id, generation), signed with itsdangerous and timestamped.
Nothing is stored for them: the account's current generation says whether a link is the
newest, and its `used_at` whether it was used. The short code that the "check your
email" page accepts is derived from the same pair with an HMAC, so it needs no storage
either, and changes whenever a new email is sent.
"""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from wizard.core import clock

ACTIVATION_LINK_SALT = "sesame.activation-link.v1"
ACTIVATION_CODE_SALT = b"sesame.activation-code.v1"
ACTIVATION_CODE_DIGITS = 6


class InvalidToken(Exception):
    """Not signed by us, damaged, or made for another purpose."""


class ClockTimestampSigner(TimestampSigner):
    """Reads the time from wizard.core.clock, so that tests can move it."""

    def get_timestamp(self) -> int:
        return int(clock.now().replace(tzinfo=UTC).timestamp())


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt, signer=ClockTimestampSigner)


@dataclass(frozen=True)
class ActivationClaim:
    account_id: str
    generation: int
    expired: bool


def activation_link_token(secret_key: str, account_id: str, generation: int) -> str:
    return _serializer(secret_key, ACTIVATION_LINK_SALT).dumps({"a": account_id, "g": generation})


def read_activation_link_token(secret_key: str, token: str, max_age_seconds: int) -> ActivationClaim:
    """What a link says, and whether it is past its age; InvalidToken if it is not ours.

    An expired link is still read (its signature is checked first), so that the page can
    say which account it was for and offer a new link.
    """
    serializer = _serializer(secret_key, ACTIVATION_LINK_SALT)
    expired = False
    try:
        payload = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        expired = True
        payload = _load_expired(serializer, error)
    except BadData:
        raise InvalidToken from None
    try:
        return ActivationClaim(str(payload["a"]), int(payload["g"]), expired)
    except (KeyError, TypeError, ValueError):
        raise InvalidToken from None


def _load_expired(serializer: URLSafeTimedSerializer, error: SignatureExpired):
    try:
        return serializer.load_payload(error.payload)
    except BadData:
        raise InvalidToken from None


def activation_code(secret_key: str, account_id: str, generation: int) -> str:
    """Six digits, the same for the same email, different for every new one."""
    message = ACTIVATION_CODE_SALT + f":{account_id}:{generation}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") % 10**ACTIVATION_CODE_DIGITS
    return f"{number:0{ACTIVATION_CODE_DIGITS}d}"


def codes_match(typed: str, expected: str) -> bool:
    return hmac.compare_digest(typed.encode(), expected.encode())


# --- the link that confirms a new address (Mon compte) ------------------------------------------

NEW_EMAIL_LINK_SALT = "sesame.new-email-link.v1"


def new_email_link_token(secret_key: str, account_id: str, code_id: int) -> str:
    """For the code row that holds the new address: that row says whether the link is the
    newest, unused and in time (nothing else is stored)."""
    return _serializer(secret_key, NEW_EMAIL_LINK_SALT).dumps({"a": account_id, "c": code_id})


def read_new_email_link_token(secret_key: str, token: str, max_age_seconds: int) -> tuple[str, int] | None:
    """(account id, code row id), or None: forged, damaged, for another purpose, or too old."""
    try:
        payload = _serializer(secret_key, NEW_EMAIL_LINK_SALT).loads(token[:500], max_age=max_age_seconds)
        return str(payload["a"]), int(payload["c"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
