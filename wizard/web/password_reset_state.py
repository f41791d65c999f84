"""The forgotten-password request this browser follows, and whether this browser proved
the mailbox (typed the code or opened the link). The only code that touches that key."""

from flask import session

RESET_KEY = "password_reset"


def follow_reset(reset_id: int, email: str, proven: bool = False) -> None:
    session[RESET_KEY] = {"id": reset_id, "email": email, "proven": proven}


def reset_followed() -> dict:
    """{"id", "email", "proven"} of the request this browser follows, or {}."""
    followed = session.get(RESET_KEY)
    return followed if isinstance(followed, dict) and isinstance(followed.get("id"), int) else {}


def reset_proven() -> None:
    session[RESET_KEY] = {**session[RESET_KEY], "proven": True}


def forget_reset() -> None:
    session.pop(RESET_KEY, None)
