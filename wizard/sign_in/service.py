"""Signing in with an email address and a password, and the pause after failures.

Who may sign in: `can_sign_in(account)` (a finished signup: "Mon compte"), or
`can_continue_signup(account)` (activated, but the phone or the eligibility check is still
to come: signing in takes the person back to that step, from any browser).

One answer for a wrong address and a wrong password. An address without an active
account is checked against a decoy hash, so that both cost one Argon2id verification,
and its failures are counted like any other (`SignInThrottle` is keyed by the address
typed): after MAX_FAILURES in a row, sign-in with that address pauses for PAUSE, whether
or not it has an account. Only an account's owner gets the email that says so.

Nothing here reads a request; the views pass plain values and commit.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wizard.accounts import activity
from wizard.accounts.models import Account
from wizard.core import passwords, security_events
from wizard.messaging import outbox
from wizard.operator import events
from wizard.sign_in.models import SignInThrottle

OK, WRONG, PAUSED, UNFINISHED = "ok", "wrong", "paused", "unfinished"
NEW_PASSWORD_REQUIRED = "new_password_required"  # after "ce n'était pas moi"
# Failures further apart than this do not add up: "in a row" means within a day.
FAILURE_MEMORY = timedelta(days=1)
DIGEST_SALT = b"sesame.email-digest.v1:"


class Composer(Protocol):
    def sign_in_paused(self, language: str, recipient: str, until: datetime, failures: int) -> outbox.Email: ...
    def email_code_without_phone(self, language: str, recipient: str, when: datetime) -> outbox.Email: ...
    def new_browser(self, language: str, recipient: str, device: str, when: datetime,
                    not_me: str | None = None) -> outbox.Email: ...
    def not_me_link(self, account_id: str, kind: str, old_email: str | None = None) -> str | None: ...


@dataclass(frozen=True)
class SignInSettings:
    secret_key: str
    hashing: passwords.Hashing
    max_failures: int
    pause: timedelta
    composer: Composer


@dataclass(frozen=True)
class Attempt:
    outcome: str
    account: Account | None = None
    paused_until: datetime | None = None


def can_sign_in(account: Account | None) -> bool:
    """Whether this account may sign in at all (its password aside): its signup is over,
    the insurer having confirmed the person is covered."""
    return account is not None and account.status == "active" and account.eligible_at is not None


def can_continue_signup(account: Account | None) -> bool:
    """Activated but not finished: the phone or the eligibility check is still to come
    (not yet confirmed, refused within the attempts allowed, or the insurer unreachable)."""
    return account is not None and account.status == "active" and account.eligible_at is None


def may_sign_in(account: Account | None) -> bool:
    return can_sign_in(account) or can_continue_signup(account)


def has_phone_factor(account: Account) -> bool:
    """A confirmed phone: the sign-in code goes there."""
    return bool(account.phone and account.phone_verified_at)


def email_code_refused(account: Account, fallback_allowed: bool) -> bool:
    """Whether the email code is refused to a person who says their phone is out of reach:
    by the operator's setting, or since a password reset (which proved the mailbox only)."""
    return not fallback_allowed or account.phone_code_required_since is not None


def warn_email_code_without_phone(db_session, account: Account, settings: SignInSettings, sms_text: str,
                                  device: str, now: datetime) -> None:
    """The owner is told both ways, so that a thief of the mailbox cannot go unseen."""
    mail = settings.composer.email_code_without_phone(account.language, account.email, now)
    outbox.queue_email(db_session, mail, "email_code_no_phone", account.id, now)
    outbox.queue_sms(db_session, account.phone, sms_text, "email_code_no_phone", account.id, now)
    activity.record(db_session, account.id, activity.EMAIL_CODE_WITHOUT_PHONE, device, now)


def tell_new_browser(db_session, account: Account, settings: SignInSettings, device: str, now: datetime) -> None:
    """A browser remembered for the first time: its owner is told, with "ce n'était pas moi"."""
    mail = settings.composer.new_browser(account.language, account.email, device, now,
                                         not_me=settings.composer.not_me_link(account.id, "new_browser"))
    outbox.queue_email(db_session, mail, "new_browser", account.id, now)


def second_factor_passed(account: Account, channel: str) -> None:
    if channel == "sms":
        account.phone_code_required_since = None


def email_digest(secret_key: str, email: str) -> str:
    """The address as the throttle and the reset requests know it: an HMAC, not the address."""
    return hmac.new(secret_key.encode(), DIGEST_SALT + email.encode(), hashlib.sha256).hexdigest()


def active_account(db_session, email: str) -> Account | None:
    return db_session.scalar(select(Account).where(Account.email == email, Account.status == "active"))


def mask_email(email: str) -> str:
    """"jean.martin@exemple.fr" -> "j•••n@exemple.fr": enough to recognise one's own."""
    local, _, domain = email.rpartition("@")
    shown = local[0] + "•••" + (local[-1] if len(local) > 2 else "") if local else "•••"
    return f"{shown}@{domain}"


@cache
def _decoy_hash(hashing: passwords.Hashing) -> str:
    return passwords.hash_password(secrets.token_urlsafe(16), hashing)


def check_credentials(db_session, email: str, password: str, settings: SignInSettings, device: str,
                      now: datetime) -> Attempt:
    """`email` normalised (wizard/accounts/service.py::normalise_email)."""
    digest = email_digest(settings.secret_key, email)
    paused_until = _paused_until(db_session, digest, now)
    if paused_until:
        return Attempt(PAUSED, paused_until=paused_until)
    account = active_account(db_session, email)
    # No password (an account opened only through FranceConnect): the decoy, so it fails alike.
    stored = account.password_hash if account and account.password_hash else _decoy_hash(settings.hashing)
    matches, new_hash = passwords.verify(stored, password, settings.hashing)
    if account is None or not matches:
        return _failed(db_session, digest, account, settings, device, now)
    if new_hash:
        account.password_hash = new_hash  # made with older cost settings
    _forget_failures(db_session, digest)
    if account.password_reset_required_at is not None:
        return Attempt(NEW_PASSWORD_REQUIRED, account)
    return Attempt(OK if can_sign_in(account) else UNFINISHED, account)


def check_password(db_session, account: Account, password: str, settings: SignInSettings, device: str,
                   now: datetime) -> Attempt:
    """The current password of a signed-in person (to change it): counted like a sign-in."""
    return check_credentials(db_session, account.email, password, settings, device, now)


def forget_failures(db_session, secret_key: str, email: str) -> None:
    """After a new password: the count starts again, and a pause is lifted."""
    _forget_failures(db_session, email_digest(secret_key, email))


def _paused_until(db_session, digest: str, now: datetime) -> datetime | None:
    row = db_session.get(SignInThrottle, digest)
    return row.paused_until if row is not None and row.paused_until and row.paused_until > now else None


def _forget_failures(db_session, digest: str) -> None:
    db_session.query(SignInThrottle).filter(SignInThrottle.email_digest == digest).delete(
        synchronize_session=False)


def _failed(db_session, digest: str, account: Account | None, settings: SignInSettings, device: str,
            now: datetime) -> Attempt:
    row = _count_failure(db_session, digest, now)
    security_events.record("sign_in_failed", account.id if account else None)
    if row.failures < settings.max_failures:
        return Attempt(WRONG)
    row.failures, row.paused_until = 0, now + settings.pause
    events.count(db_session, events.LOCKED, now, detail="sign_in")
    if account is not None:
        mail = settings.composer.sign_in_paused(account.language, account.email, row.paused_until,
                                                settings.max_failures)
        outbox.queue_email(db_session, mail, "sign_in_paused", account.id, now)
        activity.record(db_session, account.id, activity.SIGN_IN_PAUSED, device, now)
    return Attempt(PAUSED, paused_until=row.paused_until)


def _count_failure(db_session, digest: str, now: datetime) -> SignInThrottle:
    """One more failure, counted in one UPDATE so that parallel attempts all count."""
    row = db_session.get(SignInThrottle, digest)
    if row is not None and row.last_failure_at < now - FAILURE_MEMORY:
        row.failures = 0
        db_session.flush()
    increment = update(SignInThrottle).where(SignInThrottle.email_digest == digest).values(
        failures=SignInThrottle.failures + 1, last_failure_at=now)
    if db_session.execute(increment).rowcount == 0:
        try:
            with db_session.begin_nested():
                db_session.add(SignInThrottle(email_digest=digest, failures=1, last_failure_at=now))
        except IntegrityError:  # another request wrote the first failure a moment before
            db_session.execute(increment)
    return db_session.get(SignInThrottle, digest, populate_existing=True)


def purge_throttles(db_session, before: datetime) -> int:
    """Pauses and failures whose last failure is older than `before`."""
    return db_session.query(SignInThrottle).filter(SignInThrottle.last_failure_at < before).delete(
        synchronize_session=False)
