"""The forgotten-password request this browser follows, and whether this browser proved
the mailbox (typed the code or opened the link). Kept on the server (password_reset_follows),
keyed by the SHA-256 of a random token in the cookie: the cookie holds neither the typed
address nor the request's id. The only code that touches that key."""
import hashlib
import secrets

from flask import session

from wizard.core import clock
from wizard.extensions import db
from wizard.password_reset.models import ResetFollow

RESET_KEY = "password_reset"


def _key(token) -> str | None:
    return hashlib.sha256(token.encode()).hexdigest() if isinstance(token, str) and token else None


def _row() -> ResetFollow | None:
    key = _key(session.get(RESET_KEY))
    return db.session.get(ResetFollow, key) if key else None


def follow_reset(reset_id: int, email: str, proven: bool = False) -> None:
    forget_reset()
    token = secrets.token_urlsafe(32)
    db.session.add(ResetFollow(id=_key(token), reset_id=reset_id, email=email, proven=proven, created_at=clock.now()))
    session[RESET_KEY] = token


def reset_followed() -> dict:
    """{"id", "email", "proven"} of the request this browser follows, or {}."""
    row = _row()
    return {"id": row.reset_id, "email": row.email, "proven": row.proven} if row else {}


def reset_proven() -> None:
    row = _row()
    if row is not None:
        row.proven = True


def forget_reset() -> None:
    row = _row()
    if row is not None:
        db.session.delete(row)
    session.pop(RESET_KEY, None)
