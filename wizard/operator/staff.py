"""The operator's staff: a password, then a TOTP code (RFC 6238, pyotp), then a session
as strict as a citizen's (the same idle and absolute limits).

- After `max_failures` wrong passwords or codes in a row, the member is locked for
  `lock`; while locked, even the right password is refused.
- A code is accepted once: the time step of the last accepted code is kept, and a code of
  that step or an earlier one is refused as replayed (RFC 6238 §5.2).
- The seed must be read back to check a code, so it cannot be hashed: it is kept XOR a
  pad derived from SECRET_KEY and a nonce of its own (HMAC-SHA256 as the pad's PRF), so
  that a copy of the table, without the key, produces no code.
"""
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import func, select, update

from wizard.core import passwords
from wizard.operator.models import StaffMember, StaffSession
from wizard.sign_in import sessions

OK, WRONG, LOCKED, REPLAYED = "ok", "wrong", "locked", "replayed"
SEED_BYTES = 20  # 160 bits, RFC 4226's recommendation
KIND = "staff"


@dataclass(frozen=True)
class StaffSettings:
    secret_key: str
    hashing: passwords.Hashing
    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)
    issuer: str = "Sésame"


@dataclass(frozen=True)
class Attempt:
    outcome: str
    member: StaffMember | None = None
    locked_until: datetime | None = None


class AlreadyExists(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _pad(secret_key: str, nonce: str) -> bytes:
    return hmac.new(secret_key.encode(), f"staff-totp:{nonce}".encode(), hashlib.sha256).digest()[:SEED_BYTES]


def _seal(seed: bytes, secret_key: str, nonce: str) -> str:
    return bytes(a ^ b for a, b in zip(seed, _pad(secret_key, nonce), strict=True)).hex()


def _totp(member: StaffMember, settings: StaffSettings) -> pyotp.TOTP:
    seed = bytes.fromhex(_seal(bytes.fromhex(member.totp_sealed), settings.secret_key, member.totp_nonce))
    return pyotp.TOTP(base64.b32encode(seed).decode(), name=member.email, issuer=settings.issuer)


def create(db_session, email: str, password: str, settings: StaffSettings, now: datetime) -> StaffMember:
    email = normalise_email(email)
    if find(db_session, email) is not None:
        raise AlreadyExists(email)
    nonce = secrets.token_hex(16)
    member = StaffMember(id=secrets.token_hex(16), email=email,
                         password_hash=passwords.hash_password(password, settings.hashing),
                         totp_sealed=_seal(secrets.token_bytes(SEED_BYTES), settings.secret_key, nonce),
                         totp_nonce=nonce, last_code_step=0, failures=0, created_at=now)
    db_session.add(member)
    return member


def find(db_session, email: str) -> StaffMember | None:
    return db_session.scalar(select(StaffMember).where(StaffMember.email == normalise_email(email)))


def reset_second_factor(db_session, member: StaffMember, settings: StaffSettings, now: datetime) -> None:
    """A lost authenticator: a new seed, enrolled at the next sign-in; every session ends."""
    member.totp_nonce = secrets.token_hex(16)
    member.totp_sealed = _seal(secrets.token_bytes(SEED_BYTES), settings.secret_key, member.totp_nonce)
    member.enrolled_at, member.last_code_step, member.failures, member.locked_until = None, 0, 0, None
    db_session.execute(update(StaffSession).where(StaffSession.staff_id == member.id,
                                                  StaffSession.ended_at.is_(None)).values(ended_at=now))


def remove(db_session, member: StaffMember) -> None:
    """With their sessions (SQLite does not enforce the foreign key's cascade)."""
    db_session.query(StaffSession).filter(StaffSession.staff_id == member.id).delete(synchronize_session=False)
    db_session.delete(member)


def provisioning_uri(member: StaffMember, settings: StaffSettings) -> str:
    """What the enrolment QR code holds (otpauth://totp/...)."""
    return _totp(member, settings).provisioning_uri()


def secret_for_typing(member: StaffMember, settings: StaffSettings) -> str:
    """The seed in groups of four, for an authenticator that cannot scan."""
    secret = _totp(member, settings).secret
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _locked(member: StaffMember, now: datetime) -> bool:
    return member.locked_until is not None and member.locked_until > now


def _fail(member: StaffMember, settings: StaffSettings, now: datetime) -> Attempt:
    member.failures += 1
    if member.failures >= settings.max_failures:
        member.failures, member.locked_until = 0, now + settings.lock
        return Attempt(LOCKED, member, member.locked_until)
    return Attempt(WRONG, member)


def check_password(db_session, email: str, password: str, settings: StaffSettings, now: datetime) -> Attempt:
    """An unknown address costs a hash too, and answers as a wrong password does."""
    member = find(db_session, email)
    if member is None:
        passwords.verify(passwords.hash_password("decoy", settings.hashing), password, settings.hashing)
        return Attempt(WRONG)
    if _locked(member, now):
        return Attempt(LOCKED, member, member.locked_until)
    matches, new_hash = passwords.verify(member.password_hash, password, settings.hashing)
    if not matches:
        return _fail(member, settings, now)
    if new_hash:
        member.password_hash = new_hash
    return Attempt(OK, member)


def check_code(db_session, member: StaffMember, code: str, settings: StaffSettings, now: datetime) -> Attempt:
    """The code of the current 30-second step, or of the one before or after (clocks
    drift); never one already used. The first accepted code completes the enrolment."""
    if _locked(member, now):
        return Attempt(LOCKED, member, member.locked_until)
    totp, typed = _totp(member, settings), "".join(code.split())
    step = int(now.replace(tzinfo=UTC).timestamp()) // totp.interval  # naive UTC, as everywhere
    matched = next((s for s in (step, step - 1, step + 1)
                    if hmac.compare_digest(totp.generate_otp(s), typed)), None)
    if matched is None:
        return _fail(member, settings, now)
    # One UPDATE that only succeeds for a newer step: two requests racing with the same
    # code cannot both win.
    won = db_session.execute(update(StaffMember).where(
        StaffMember.id == member.id, StaffMember.last_code_step < matched).values(
        last_code_step=matched, failures=0, enrolled_at=func.coalesce(StaffMember.enrolled_at, now))
        .execution_options(synchronize_session=False)).rowcount
    db_session.refresh(member)
    if won != 1:
        failed = _fail(member, settings, now)
        return Attempt(REPLAYED if failed.outcome == WRONG else LOCKED, member, failed.locked_until)
    return Attempt(OK, member)


def begin_session(db_session, member: StaffMember, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    db_session.add(StaffSession(id=sessions.key(token), staff_id=member.id, kind=KIND, created_at=now,
                                last_seen_at=now))
    return token


def find_session(db_session, token: str | None, policy: sessions.SessionPolicy, now: datetime,
                 touch: bool = True) -> StaffSession | None:
    """The live session of this token; `touch`: as activity (an idle one is ended)."""
    found = sessions.find(db_session, token, lambda kind: policy, now, end=touch, model=StaffSession).session
    if found is not None and touch:
        sessions.touch(found, policy, now)
    return found


def end_session(db_session, token: str | None, now: datetime) -> None:
    if token and isinstance(token, str):
        db_session.execute(update(StaffSession).where(StaffSession.id == sessions.key(token),
                                                      StaffSession.ended_at.is_(None)).values(ended_at=now))
