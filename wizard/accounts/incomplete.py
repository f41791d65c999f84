"""Signups activated but never finished (no phone confirmed, or no eligibility confirmed)
are not kept forever: an account is forgotten `days` after its activation, with everything
that refers to it, and its address is free again. `reminder_days` before, the person gets
an email, in their language, that says when and how to finish (signing in, from any
browser). An account is never forgotten less than `reminder_days` after its reminder: a
reminder sent late (the scheduler was down) still gives the whole notice.

Nothing here reads a request; the scheduler or `flask purge-incomplete` commits."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import select

from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.messaging import outbox


class Composer(Protocol):
    def incomplete_reminder(self, language: str, recipient: str, forgotten_on: date) -> outbox.Email: ...


@dataclass(frozen=True)
class IncompleteSettings:
    days: int
    reminder_days: int
    composer: Composer


def _unfinished():
    return (Account.status == "active") & Account.eligible_at.is_(None)


def forgotten_on(account: Account, settings: IncompleteSettings, now: datetime) -> date:
    """The day the account will be forgotten, as its reminder says."""
    notice_ends = (account.reminded_at or now) + timedelta(days=settings.reminder_days)
    return max(account.activated_at + timedelta(days=settings.days), notice_ends).date()


def remind(db_session, settings: IncompleteSettings, now: datetime) -> int:
    """Emails the people whose unfinished account will be forgotten in `reminder_days`."""
    due = now - timedelta(days=settings.days - settings.reminder_days)
    reminded = list(db_session.scalars(select(Account).where(
        _unfinished(), Account.activated_at <= due, Account.reminded_at.is_(None))))
    for account in reminded:
        mail = settings.composer.incomplete_reminder(account.language, account.email,
                                                     forgotten_on(account, settings, now))
        outbox.queue_email(db_session, mail, "incomplete_reminder", account.id, now)
        account.reminded_at = now
    return len(reminded)


def purge(db_session, settings: IncompleteSettings, now: datetime) -> int:
    """Forgets the unfinished accounts past their time, and reminded long enough ago."""
    ids = list(db_session.scalars(select(Account.id).where(
        _unfinished(), Account.activated_at <= now - timedelta(days=settings.days),
        Account.reminded_at <= now - timedelta(days=settings.reminder_days))))
    accounts.forget(db_session, ids)
    return len(ids)
