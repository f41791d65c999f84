"""Everything held about a person ("Mes données"), and closing their account.

The download lists each table that refers to the account; the closure deletes the same
rows (wizard/accounts/service.py::forget walks every foreign key to accounts.id), and the
rows that name the person without that key: messages to their address or number, the
sign-in throttle and reset requests keyed by their address's HMAC. What stays is counted
without personal data (event_counts). The account's address is free again at once.
"""
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import delete, or_, select

from wizard.accounts import service as accounts
from wizard.accounts.models import Account, AccountEvent
from wizard.eligibility.models import EligibilityCheck
from wizard.messaging import outbox
from wizard.messaging.models import OutboxMessage
from wizard.password_reset.models import PasswordReset, ResetFollow
from wizard.sign_in import service as sign_in
from wizard.sign_in.models import AccountSession, RememberedBrowser, SignInThrottle


class Composer(Protocol):
    def account_closed(self, language: str, recipient: str, when: datetime) -> outbox.Email: ...


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _rows(db_session, model, *columns, where):
    """`columns` of the rows of `model` matching `where`, oldest first (the first column is a time)."""
    rows = db_session.scalars(select(model).where(where).order_by(getattr(model, columns[0])))
    return [{column: _plain(getattr(row, column)) for column in columns} for row in rows]


def everything(db_session, account: Account) -> dict:
    """Plain data (JSON-ready): the account, the signup's answers, consents and their history,
    activity, eligibility checks, sessions, remembered browsers and the messages sent."""
    return {
        "account": {column: _plain(getattr(account, column)) for column in (
            "email", "language", "created_at", "activated_at", "phone", "phone_verified_at", "code_channel",
            "eligible_at", "contract_number")},
        "answers": account.answers,
        "consents": [{"purpose": c.purpose, "granted": c.granted, "wording_version": c.wording_version,
                      "recorded_at": _plain(c.recorded_at)} for c in account.consents],
        "activity": _rows(db_session, AccountEvent, "created_at", "kind", "device",
                          where=AccountEvent.account_id == account.id),
        "eligibility_checks": _rows(db_session, EligibilityCheck, "created_at", "status", "finished_at",
                                    where=EligibilityCheck.account_id == account.id),
        "sessions": _rows(db_session, AccountSession, "created_at", "device", "ended_at",
                          where=AccountSession.account_id == account.id),
        "remembered_browsers": _rows(db_session, RememberedBrowser, "created_at", "device", "last_used_at",
                                     "revoked_at", where=RememberedBrowser.account_id == account.id),
        "messages": _rows(db_session, OutboxMessage, "created_at", "channel", "kind", "recipient", "status",
                          where=_messages_of(account)),
    }


def _messages_of(account: Account):
    recipients = [account.email] + ([account.phone] if account.phone else [])
    return or_(OutboxMessage.account_id == account.id, OutboxMessage.recipient.in_(recipients))


def close(db_session, account: Account, secret_key: str, composer: Composer, now: datetime) -> None:
    """Deletes everything personal at once, then tells the address (a message of no account)."""
    email, language = account.email, account.language
    digest = sign_in.email_digest(secret_key, email)
    db_session.execute(delete(OutboxMessage).where(_messages_of(account)))
    resets = select(PasswordReset.id).where(PasswordReset.email_digest == digest)
    db_session.execute(delete(ResetFollow).where(ResetFollow.reset_id.in_(resets)))  # SQLite: no cascade
    db_session.execute(delete(PasswordReset).where(PasswordReset.email_digest == digest))
    db_session.execute(delete(SignInThrottle).where(SignInThrottle.email_digest == digest))
    accounts.forget(db_session, [account.id])
    db_session.expunge(account)
    outbox.queue_email(db_session, composer.account_closed(language, email, now), "account_closed", None, now)
