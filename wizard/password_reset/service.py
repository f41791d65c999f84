"""Forgotten password: an email with a link and a code, then a new password; and what
every change of password does (`replace_password`).

Nothing tells whether an address has an account. A request writes a `PasswordReset` row
in every case, composes the email in every case, and queues it only when the address is
an active account's; an address without one gets a code that can never match (the HMAC
of a random value, not of six digits). So the pages, the limits and the countdown of
wrong codes are the same for both.

- The link and the code live LIFETIME (30 minutes); a new request supersedes the older
  ones (only the newest works); each serves once (`used_at`).
- Opening the link or typing the code verifies the request; the new password must then
  be chosen within the lifetime, or within VERIFIED_GRACE of the verification if later.
- A new password ends every session and forgets every remembered browser (but the ones
  the caller keeps: the person changing it from "Mon compte" stays signed in), lifts a
  sign-in pause, and sends an email that says what to do if it was not them.
"""
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select, update

from wizard.accounts import activity
from wizard.accounts.models import Account
from wizard.codes.one_time_codes import Check, normalise
from wizard.core import passwords, security_events
from wizard.messaging import outbox
from wizard.password_reset.models import PasswordReset, ResetFollow
from wizard.sign_in import remembered_browsers, sessions
from wizard.sign_in import service as sign_in

VERIFIED_GRACE = timedelta(minutes=15)
# What became of a link.
VALID, INVALID, EXPIRED, USED, SUPERSEDED = "valid", "invalid", "expired", "used", "superseded"


class Composer(Protocol):
    def password_reset(self, language: str, recipient: str, link: str, code: str, minutes: int,
                       not_me: str | None = None) -> outbox.Email: ...

    def password_changed(self, language: str, recipient: str, when: datetime,
                         not_me: str | None = None) -> outbox.Email: ...

    def not_me_link(self, account_id: str, kind: str, old_email: str | None = None) -> str | None: ...


@dataclass(frozen=True)
class ResetSettings:
    secret_key: str
    hashing: passwords.Hashing
    lifetime: timedelta
    max_attempts: int
    cooldown: timedelta  # between two requests for one address
    per_hour: int  # requests per address
    per_day: int  # requests per address in 24 hours (rows are purged a day after they expire)
    link_for: Callable[[str], str]  # a link token -> the absolute URL to put in the email
    composer: Composer

    @property
    def minutes(self) -> int:
        return int(self.lifetime.total_seconds() // 60)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_hmac(secret_key: str, token_hash: str, code: str) -> str:
    message = f"sesame.reset-code.v1:{token_hash}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


# --- the request -----------------------------------------------------------------------------

def request(db_session, email: str, language: str, settings: ResetSettings, now: datetime) -> PasswordReset:
    """The request to follow for this address: a new one, or the newest when the address
    asked too recently or too often (no email then)."""
    digest = sign_in.email_digest(settings.secret_key, email)
    newest = _newest(db_session, digest)
    if newest is not None and _limited(db_session, digest, newest, settings, now):
        return newest
    account = sign_in.active_account(db_session, email)
    db_session.execute(update(PasswordReset).where(
        PasswordReset.email_digest == digest, PasswordReset.superseded_at.is_(None),
        PasswordReset.used_at.is_(None)).values(superseded_at=now))
    token, code = secrets.token_urlsafe(32), f"{secrets.randbelow(10**6):06d}"
    token_hash = _token_hash(token)
    matching = code if account is not None else secrets.token_hex(16)  # never six digits
    row = PasswordReset(email_digest=digest, account_id=account.id if account else None, token_hash=token_hash,
                        code_hmac=_code_hmac(settings.secret_key, token_hash, matching), attempts=0,
                        created_at=now, expires_at=now + settings.lifetime)
    db_session.add(row)
    security_events.record("password_reset_requested", account.id if account else None)
    mail = settings.composer.password_reset(
        account.language if account else language, email, settings.link_for(token), code, settings.minutes,
        not_me=settings.composer.not_me_link(account.id, "reset_requested") if account else None)
    if account is not None:
        outbox.queue_email(db_session, mail, "password_reset", account.id, now)
    db_session.flush()
    return row


def _newest(db_session, digest: str) -> PasswordReset | None:
    return db_session.scalar(select(PasswordReset).where(PasswordReset.email_digest == digest)
                             .order_by(PasswordReset.created_at.desc(), PasswordReset.id.desc()).limit(1))


def _limited(db_session, digest: str, newest: PasswordReset, settings: ResetSettings, now: datetime) -> bool:
    if newest.created_at + settings.cooldown > now:
        return True
    def since(delta):
        return db_session.scalar(select(func.count()).select_from(PasswordReset).where(
            PasswordReset.email_digest == digest, PasswordReset.created_at > now - delta))
    return since(timedelta(hours=1)) >= settings.per_hour or since(timedelta(days=1)) >= settings.per_day


# --- proving the mailbox: the code or the link ------------------------------------------------

def check_code(db_session, reset_id: int | None, typed: str, settings: ResetSettings, now: datetime) -> Check:
    """Like wizard/services/one_time_codes.check, for the code of a reset email."""
    row = db_session.get(PasswordReset, reset_id) if isinstance(reset_id, int) else None
    if row is None or row.used_at is not None or row.superseded_at is not None:
        return Check("missing")
    if row.attempts >= settings.max_attempts:
        return Check("locked")
    if row.expires_at <= now:
        return Check("expired")
    db_session.execute(update(PasswordReset).where(PasswordReset.id == row.id).values(
        attempts=PasswordReset.attempts + 1))
    db_session.refresh(row)
    if row.attempts > settings.max_attempts:
        return Check("locked")
    if hmac.compare_digest(row.code_hmac, _code_hmac(settings.secret_key, row.token_hash, normalise(typed))):
        row.verified_at = now
        return Check("ok")
    left = settings.max_attempts - row.attempts
    if left > 0:
        return Check("wrong", left)
    security_events.record("reset_code_locked", row.account_id)
    return Check("locked")


def open_link(db_session, token: str, now: datetime) -> tuple[str, PasswordReset | None]:
    """What a link is worth; a valid one verifies its request (it is used only when the
    new password is set: a mail scanner that opens it uses nothing up)."""
    row = db_session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token or "")))
    if row is None or row.account_id is None:
        return INVALID, None
    if row.used_at is not None:
        return USED, None
    if row.superseded_at is not None:
        return SUPERSEDED, None
    if row.expires_at <= now:
        return EXPIRED, None
    row.verified_at = row.verified_at or now
    return VALID, row


def usable(db_session, reset_id: int | None, now: datetime) -> PasswordReset | None:
    """The verified request whose new password may be chosen now."""
    row = db_session.get(PasswordReset, reset_id) if isinstance(reset_id, int) else None
    if row is None or row.account_id is None or row.verified_at is None:
        return None
    if row.used_at is not None or row.superseded_at is not None:
        return None
    if now >= max(row.expires_at, row.verified_at + VERIFIED_GRACE):
        return None
    return row


# --- the new password ------------------------------------------------------------------------

def complete(db_session, reset: PasswordReset, new_password: str, settings: ResetSettings, device: str,
             now: datetime) -> Account:
    reset.used_at = now
    account = db_session.get(Account, reset.account_id)
    replace_password(db_session, account, new_password, settings, device, now)
    if account.phone and account.phone_verified_at:  # the mailbox alone does not sign in next time
        account.phone_code_required_since = now
    return account


def replace_password(db_session, account: Account, new_password: str, settings: ResetSettings, device: str,
                     now: datetime, keep_session: str | None = None, keep_browser: str | None = None) -> None:
    """The new password, and what comes with it: every other session ended, every other
    remembered browser forgotten, the sign-in pause lifted, an event, an email."""
    account.password_hash = passwords.hash_password(new_password, settings.hashing)
    account.password_reset_required_at = None
    sessions.end_all(db_session, account.id, now, keep=keep_session)
    remembered_browsers.revoke_all(db_session, account.id, now, keep=keep_browser)
    sign_in.forget_failures(db_session, settings.secret_key, account.email)
    activity.record(db_session, account.id, activity.PASSWORD_CHANGED, device, now)
    mail = settings.composer.password_changed(account.language, account.email, now,
                                              not_me=settings.composer.not_me_link(account.id, "password_changed"))
    outbox.queue_email(db_session, mail, "password_changed", account.id, now)


def purge(db_session, before: datetime) -> int:
    """Requests expired before `before`, and what browsers kept of them (a bulk delete
    does not cascade on SQLite)."""
    expired = select(PasswordReset.id).where(PasswordReset.expires_at < before)
    db_session.query(ResetFollow).filter(ResetFollow.reset_id.in_(expired)).delete(synchronize_session=False)
    return db_session.query(PasswordReset).filter(PasswordReset.expires_at < before).delete(
        synchronize_session=False)
