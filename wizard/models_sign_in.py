"""The tables of signing in: sessions, remembered browsers, password resets, the pause
after failures, and the activity a person sees in "Mon compte".

Kept beside wizard/models.py rather than in it (it could join it later); the services in
wizard/services/ import it, so the tables are known whenever the app is.

Secrets are never stored: a session or a remembered browser is found by the SHA-256 of
the random token its cookie holds, a reset link by the SHA-256 of its token, a reset code
by an HMAC. No IP address is stored, and of the User-Agent only a rough device
("Firefox|Windows": wizard/services/devices.py).
"""
from wizard.extensions import db
from wizard.services import clock


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


class PasswordReset(db.Model):
    """A "mot de passe oublié" request: a link and a code, valid 30 minutes, newest only.

    A row is written whether or not the address has an account (`account_id` is then
    empty and the code can never match): the pages, the limits and the counting of
    wrong codes are the same, so nothing tells whether the address has an account.
    """

    __tablename__ = "password_resets"

    id = db.Column(db.Integer, primary_key=True)
    email_digest = db.Column(db.String(64), nullable=False)  # HMAC of the normalised address
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    code_hmac = db.Column(db.String(64), nullable=False)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False)
    expires_at = db.Column(db.DateTime, nullable=False)
    verified_at = db.Column(db.DateTime)  # the link was opened or the code typed
    used_at = db.Column(db.DateTime)  # the new password was set
    superseded_at = db.Column(db.DateTime)

    __table_args__ = (db.Index("ix_password_resets_email_digest", "email_digest", "created_at"),)


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


class AccountEvent(db.Model):
    """What "Mon compte" lists under "Activité récente"."""

    __tablename__ = "account_events"

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    # sign_in, new_browser, browser_forgotten, password_changed, phone_changed,
    # signed_out_everywhere, sign_in_paused
    kind = db.Column(db.String(24), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False)
    device = db.Column(db.String(60), nullable=False, default="")

    __table_args__ = (db.Index("ix_account_events_account", "account_id", "created_at"),)
