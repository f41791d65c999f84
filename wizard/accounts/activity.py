"""The account's recent activity: sign-ins, new browsers, password and phone changes.

Written in the caller's transaction; listed in "Mon compte" with the time and the rough
device (wizard/sign_in/devices.py).
"""
from datetime import datetime

from sqlalchemy import select

from wizard.accounts.models import AccountEvent
from wizard.core import security_events

SIGN_IN = "sign_in"
NEW_BROWSER = "new_browser"
BROWSER_FORGOTTEN = "browser_forgotten"
PASSWORD_CHANGED = "password_changed"
PHONE_CHANGED = "phone_changed"
SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
SIGN_IN_PAUSED = "sign_in_paused"
EMAIL_CODE_WITHOUT_PHONE = "email_code_no_phone"
EMAIL_CHANGED = "email_changed"
NOT_ME = "not_me"  # "ce n'était pas moi", from a security email
FRANCECONNECT_SIGN_IN = "franceconnect_sign_in"
FRANCECONNECT_LINKED = "franceconnect_linked"
FRANCECONNECT_UNLINKED = "franceconnect_unlinked"
KINDS = (SIGN_IN, NEW_BROWSER, BROWSER_FORGOTTEN, PASSWORD_CHANGED, PHONE_CHANGED, SIGNED_OUT_EVERYWHERE,
         SIGN_IN_PAUSED, EMAIL_CODE_WITHOUT_PHONE, EMAIL_CHANGED, NOT_ME, FRANCECONNECT_SIGN_IN,
         FRANCECONNECT_LINKED, FRANCECONNECT_UNLINKED)


def record(db_session, account_id: str, kind: str, device: str, now: datetime) -> AccountEvent:
    if kind not in KINDS:
        raise ValueError(f"unknown event: {kind}")
    event = AccountEvent(account_id=account_id, kind=kind, device=device or "", created_at=now)
    db_session.add(event)
    security_events.record(kind, account_id)
    return event


def recent(db_session, account_id: str, limit: int = 20) -> list[AccountEvent]:
    return list(db_session.scalars(
        select(AccountEvent).where(AccountEvent.account_id == account_id)
        .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc()).limit(limit)))


def purge(db_session, before: datetime) -> int:
    return db_session.query(AccountEvent).filter(AccountEvent.created_at < before).delete(
        synchronize_session=False)
