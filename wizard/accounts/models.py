"""The tables of an account: the account itself, the proof of its address, the consents
and the activity a person sees in "Mon compte".

Secrets are never stored: no IP address is kept, and of the User-Agent only a rough device
("Firefox|Windows": wizard/sign_in/devices.py)."""

from wizard.core.applicant import Applicant
from wizard.extensions import db
from wizard.identifier_encryption import EncryptedAnswers


class Account(db.Model):
    """A person's account: pending until the address is proven, then active.

    The journey's answers are copied here at signup because journeys are deleted after
    a short idle time; a pending account waits up to UNCONFIRMED_EMAIL_DAYS.

    `email` is normalised (see wizard/accounts/service.py). It is unique among active
    accounts only: a pending account proves nothing, so two people who type the same
    address cannot block each other, and whoever proves it first owns it.
    """

    __tablename__ = "accounts"

    # Random, not a counter: it travels in signed links and cookies, which are readable.
    id = db.Column(db.String(32), primary_key=True)
    email = db.Column(db.String(254), nullable=False)
    status = db.Column(db.String(10), nullable=False)  # pending | active
    # None: the account signs in only through FranceConnect (a choice at signup).
    password_hash = db.Column(db.String(255))
    # FranceConnect's identifier of the person for this service, once linked (never shown).
    franceconnect_sub = db.Column(db.String(128))
    language = db.Column(db.String(8), nullable=False)
    answers = db.Column(EncryptedAnswers, nullable=False)  # its identifier encrypted
    created_at = db.Column(db.DateTime, nullable=False)
    # When the current address was given: the clock of the purge of unconfirmed addresses.
    email_given_at = db.Column(db.DateTime, nullable=False)
    activated_at = db.Column(db.DateTime)
    # The mobile number (E.164), and when a code sent to it was typed back.
    phone = db.Column(db.String(16))
    phone_verified_at = db.Column(db.DateTime)
    # How the person chose to receive codes ("sms" or "email"), and when they typed one
    # back: from then on, that is their second factor.
    code_channel = db.Column(db.String(5), nullable=False, default="sms", server_default="sms")
    code_channel_confirmed_at = db.Column(db.DateTime)
    # When the insurer confirmed the person is covered: from then on, the account is usable.
    eligible_at = db.Column(db.DateTime)
    contract_number = db.Column(db.String(40))
    # An unfinished signup is forgotten INCOMPLETE_ACCOUNT_DAYS after activation; the
    # person is told a few days before (wizard/accounts/incomplete.py).
    reminded_at = db.Column(db.DateTime)
    # Set by a password reset (it proves the mailbox only) on an account with a confirmed
    # phone: until a sign-in passes the SMS code, the email code is not offered instead.
    phone_code_required_since = db.Column(db.DateTime)
    # "Ce n'était pas moi": the password may be known to someone else; signing in with it is
    # refused until a new one is chosen (the forgotten password).
    password_reset_required_at = db.Column(db.DateTime)

    @property
    def applicant(self) -> Applicant | None:
        """The answers the account was created with, parsed (wizard/core/applicant.py)."""
        return Applicant.from_answers(self.answers or {})

    activation = db.relationship("EmailActivation", uselist=False, back_populates="account",
                                 cascade="all, delete-orphan", passive_deletes=True)
    consents = db.relationship("Consent", back_populates="account", cascade="all, delete-orphan",
                               passive_deletes=True, order_by="Consent.id")

    __table_args__ = (
        db.Index("uq_accounts_active_email", "email", unique=True,
                 sqlite_where=db.text("status = 'active'"), postgresql_where=db.text("status = 'active'")),
        db.Index("ix_accounts_email", "email"),
        db.Index("ix_accounts_status_email_given_at", "status", "email_given_at"),
        db.Index("ix_accounts_status_activated_at", "status", "activated_at"),
        db.UniqueConstraint("franceconnect_sub", name="uq_accounts_franceconnect_sub"),
    )


class EmailActivation(db.Model):
    """Where an account stands in proving its address.

    Links and codes are not stored: both are derived from (account, generation) with the
    secret key. Sending a new email bumps `generation`, so only the newest one works.
    """

    __tablename__ = "email_activations"

    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    generation = db.Column(db.Integer, nullable=False, default=0)
    # The first generation sent to the current address: older links went to another one.
    address_generation = db.Column(db.Integer, nullable=False, default=0)
    sent_at = db.Column(db.DateTime)
    used_at = db.Column(db.DateTime)
    # Wrong short codes, all generations together: a code is short, so tries are few.
    code_failures = db.Column(db.Integer, nullable=False, default=0)

    account = db.relationship("Account", back_populates="activation")


class Consent(db.Model):
    """One answer to one question, with its time and the version of its wording.

    Answers are added, never updated, so the history of a person's choices is kept.
    """

    __tablename__ = "consents"

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    # terms, privacy, marketing_email, marketing_sms, marketing_phone
    purpose = db.Column(db.String(32), nullable=False)
    granted = db.Column(db.Boolean, nullable=False)
    wording_version = db.Column(db.String(32), nullable=False)
    recorded_at = db.Column(db.DateTime, nullable=False)

    account = db.relationship("Account", back_populates="consents")


class AccountEvent(db.Model):
    """What "Mon compte" lists under "Activité récente"."""

    __tablename__ = "account_events"

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    # sign_in, new_browser, browser_forgotten, password_changed, phone_changed,
    # signed_out_everywhere, sign_in_paused, franceconnect_linked, franceconnect_unlinked
    kind = db.Column(db.String(24), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False)
    device = db.Column(db.String(60), nullable=False, default="")

    __table_args__ = (db.Index("ix_account_events_account", "account_id", "created_at"),)
