"""The forgotten-password requests."""

from wizard.extensions import db


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


class ResetFollow(db.Model):
    """The reset request a browser follows, on the server: the cookie holds only a random
    token, whose SHA-256 is the id. The address it typed (shown on the code page) and
    whether this browser proved the mailbox (typed the code or opened the link here)."""

    __tablename__ = "password_reset_follows"

    id = db.Column(db.String(64), primary_key=True)
    reset_id = db.Column(db.Integer, db.ForeignKey("password_resets.id", ondelete="CASCADE"), nullable=False,
                         index=True)
    email = db.Column(db.String(254), nullable=False, default="")
    proven = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, index=True)
