""""Ce n'était pas moi": the link every security email carries. Valid NOT_ME_DAYS, signed
with the secret key (nothing stored). Following it ends every session, forgets every
remembered browser, asks for a new password at the next sign-in and, after a change of
address, gives the old address back.
"""
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from wizard.accounts import activity
from wizard.accounts.models import Account
from wizard.sign_in import remembered_browsers, sessions

NOT_ME_DAYS = 10
SALT = "sesame.not-me.v1"
# What the email was about: kept in the token, shown on the page.
KINDS = ("new_browser", "password_changed", "phone_changed", "email_changed", "reset_requested")


def token(secret_key: str, account_id: str, kind: str, now: datetime, old_email: str | None = None) -> str:
    payload = {"a": account_id, "k": kind, "t": now.isoformat(timespec="seconds")}
    if old_email:
        payload["e"] = old_email
    return URLSafeSerializer(secret_key, salt=SALT).dumps(payload)


def read(secret_key: str, value: str, now: datetime) -> dict | None:
    """The token's payload, or None when it is forged, damaged or older than NOT_ME_DAYS."""
    try:
        payload = URLSafeSerializer(secret_key, salt=SALT).loads(value[:2000])
        issued = datetime.fromisoformat(payload["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if payload.get("k") not in KINDS or now - issued > timedelta(days=NOT_ME_DAYS) or issued > now:
        return None
    return payload


def undo(db_session, payload: dict, device: str, now: datetime) -> Account | None:
    """Everything ended; a new password asked for. None if the account is gone."""
    account = db_session.get(Account, payload["a"])
    if account is None or account.status != "active":
        return None
    sessions.end_all(db_session, account.id, now)
    remembered_browsers.revoke_all(db_session, account.id, now)
    account.password_reset_required_at = now
    old = payload.get("e")
    if old and old != account.email and db_session.scalar(
            select(Account.id).where(Account.email == old, Account.status == "active")) is None:
        account.email = old
    activity.record(db_session, account.id, activity.NOT_ME, device, now)
    return account
