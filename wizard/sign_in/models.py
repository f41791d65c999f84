"""The tables of signing in: sessions, remembered browsers and the pause after failures.

Secrets are never stored: a session or a remembered browser is found by the SHA-256 of
the random token its cookie holds."""

from wizard.core import clock
from wizard.extensions import db


class AccountSession(db.Model):
    """A browser signed in to an account, until it signs out, is revoked, or sits idle.

    `kind`: "signup" after the activation of a new account (it only continues the
    signup: phone, eligibility), "sign_in" after the password and the second factor.
    """

    __tablename__ = "account_sessions"

    id = db.Column(db.String(64), primary_key=True)  # SHA-256 of the cookie's token
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(8), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    last_seen_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    ended_at = db.Column(db.DateTime)  # signed out, revoked or found idle
    device = db.Column(db.String(60), nullable=False, default="")
    # A sign-in through FranceConnect: its ID token, the hint of the end-session request
    # that signs the person out of FranceConnect too.
    franceconnect_id_token = db.Column(db.Text)

    __table_args__ = (db.Index("ix_account_sessions_account", "account_id", "ended_at"),)


class RememberedBrowser(db.Model):
    """"Se souvenir de moi": this browser skips the code until `expires_at` (90 days).

    The browser holds a signed cookie with `id` and a random token; only the token's
    SHA-256 is kept. Revoked from "Mon compte", or all at once when the password changes.
    """

    __tablename__ = "remembered_browsers"

    id = db.Column(db.String(32), primary_key=True)  # random, shown in the revoke button's URL
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False)
    last_used_at = db.Column(db.DateTime, nullable=False)
    expires_at = db.Column(db.DateTime, nullable=False, index=True)
    revoked_at = db.Column(db.DateTime)
    device = db.Column(db.String(60), nullable=False, default="")


class SignInThrottle(db.Model):
    """Failed sign-ins in a row for one address, and the pause they caused.

    Keyed by the address typed (its HMAC), not by the account: an address without an
    account is paused in the same way, so the pause tells nothing either.
    """

    __tablename__ = "sign_in_throttles"

    email_digest = db.Column(db.String(64), primary_key=True)
    failures = db.Column(db.Integer, nullable=False, default=0)
    last_failure_at = db.Column(db.DateTime, nullable=False, index=True)
    paused_until = db.Column(db.DateTime)
