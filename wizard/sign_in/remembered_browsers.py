"""Remembered browsers: "se souvenir de moi" skips the second factor for 90 days.

The browser keeps a signed cookie holding the row's id and a random token; the row keeps
the token's SHA-256, the account, when it was made, last used, when it expires, whether it
was revoked, and the rough device. The cookie alone is not enough (the row must be live),
and the row alone is not enough (the token is not stored). The 90 days run from the
moment the box was ticked: using the browser does not extend them.

The cookie is signed here, with itsdangerous and a salt of its own, so that a damaged or
forged cookie is refused before any database look-up.
"""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select, update

from wizard.sign_in.models import RememberedBrowser

COOKIE_SALT = "sesame.remembered-browser.v1"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=COOKIE_SALT)


def remember(db_session, secret_key: str, account_id: str, device: str, lifetime: timedelta,
             now: datetime) -> tuple[str, RememberedBrowser]:
    """A new remembered browser: returns the cookie's value, and the row."""
    token = secrets.token_urlsafe(32)
    row = RememberedBrowser(id=secrets.token_hex(16), account_id=account_id, token_hash=_hash(token),
                            created_at=now, last_used_at=now, expires_at=now + lifetime, device=device or "")
    db_session.add(row)
    return _serializer(secret_key).dumps({"i": row.id, "t": token}), row


def recognise(db_session, secret_key: str, cookie: str | None, account_id: str,
              now: datetime) -> RememberedBrowser | None:
    """The live row this cookie stands for, if it belongs to `account_id`; marks it used."""
    row = find(db_session, secret_key, cookie, now)
    if row is None or row.account_id != account_id:
        return None
    row.last_used_at = now
    return row


def find(db_session, secret_key: str, cookie: str | None, now: datetime) -> RememberedBrowser | None:
    """The live row of this cookie, whoever it belongs to; None if damaged, revoked or expired."""
    if not cookie or len(cookie) > 400:
        return None
    try:
        claim = _serializer(secret_key).loads(cookie)
        row_id, token = str(claim["i"]), str(claim["t"])
    except (BadData, KeyError, TypeError):
        return None
    row = db_session.get(RememberedBrowser, row_id)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not hmac.compare_digest(row.token_hash, _hash(token)):
        return None
    return row


def live(db_session, account_id: str, now: datetime) -> list[RememberedBrowser]:
    return list(db_session.scalars(
        select(RememberedBrowser).where(RememberedBrowser.account_id == account_id,
                                        RememberedBrowser.revoked_at.is_(None),
                                        RememberedBrowser.expires_at > now)
        .order_by(RememberedBrowser.created_at.desc())))


def revoke(db_session, account_id: str, browser_id: str, now: datetime) -> bool:
    """False when the account has no such live browser (someone else's id, or already gone)."""
    return db_session.execute(update(RememberedBrowser).where(
        RememberedBrowser.id == browser_id, RememberedBrowser.account_id == account_id,
        RememberedBrowser.revoked_at.is_(None)).values(revoked_at=now)).rowcount == 1


def revoke_all(db_session, account_id: str, now: datetime, keep: str | None = None) -> int:
    query = update(RememberedBrowser).where(RememberedBrowser.account_id == account_id,
                                            RememberedBrowser.revoked_at.is_(None))
    if keep:
        query = query.where(RememberedBrowser.id != keep)
    return db_session.execute(query.values(revoked_at=now)).rowcount


def purge(db_session, before: datetime) -> int:
    """Rows expired or revoked before `before`."""
    return db_session.query(RememberedBrowser).filter(
        (RememberedBrowser.expires_at < before) | (RememberedBrowser.revoked_at < before)).delete(
        synchronize_session=False)
