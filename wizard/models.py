"""Database tables. The schema is managed by Flask-Migrate (see migrations/)."""
from sqlalchemy import JSON
from sqlalchemy.ext.mutable import MutableDict

from wizard.extensions import db
from wizard.services import clock


class Journey(db.Model):
    """A signup in progress: the answers so far, kept on the server.

    `id` is the SHA-256 of the random token held in the signed session cookie, so a
    copy of this table does not let anyone resume somebody else's journey.
    """

    __tablename__ = "journeys"

    id = db.Column(db.String(64), primary_key=True)
    answers = db.Column(MutableDict.as_mutable(JSON), nullable=False, default=dict)
    # The no-JavaScript CAPTCHA: a short-lived challenge shown as an image and read aloud.
    # It is not a credential: it must be rendered, so it is kept in clear until used.
    captcha_code = db.Column(db.String(12))
    captcha_code_expires_at = db.Column(db.DateTime)
    # The kiosk whose QR code started this journey, for the operator's funnel.
    kiosk_id = db.Column(db.String(40))
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)


class SpentCaptcha(db.Model):
    """Solved ALTCHA challenges, so that one solution opens one journey only."""

    __tablename__ = "spent_captchas"

    signature = db.Column(db.String(128), primary_key=True)
    spent_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)


class StartCode(db.Model):
    """A short-lived, single-use code that starts or hands over a journey.

    `kiosk` codes are shown as a QR code on a kiosk's screen and start a fresh journey;
    `handoff` codes carry a journey in progress to another device. Neither holds
    personal data: a hand-off names the journey by its key only.
    """

    __tablename__ = "start_codes"

    code = db.Column(db.String(6), primary_key=True)
    purpose = db.Column(db.String(10), nullable=False)
    kiosk_id = db.Column(db.String(40))
    journey_id = db.Column(db.String(64), index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    expires_at = db.Column(db.DateTime, nullable=False, index=True)
    used_at = db.Column(db.DateTime)


class Account(db.Model):
    """A person's account: pending until the address is proven, then active.

    The journey's answers are copied here at signup because journeys are deleted after
    a short idle time; a pending account waits up to UNCONFIRMED_EMAIL_DAYS.

    `email` is normalised (see wizard/services/accounts.py). It is unique among active
    accounts only: a pending account proves nothing, so two people who type the same
    address cannot block each other, and whoever proves it first owns it.
    """

    __tablename__ = "accounts"

    # Random, not a counter: it travels in signed links and cookies, which are readable.
    id = db.Column(db.String(32), primary_key=True)
    email = db.Column(db.String(254), nullable=False)
    status = db.Column(db.String(10), nullable=False)  # pending | active
    password_hash = db.Column(db.String(255), nullable=False)
    language = db.Column(db.String(8), nullable=False)
    answers = db.Column(JSON, nullable=False)
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

    activation = db.relationship("EmailActivation", uselist=False, back_populates="account",
                                 cascade="all, delete-orphan", passive_deletes=True)
    consents = db.relationship("Consent", back_populates="account", cascade="all, delete-orphan",
                               passive_deletes=True, order_by="Consent.id")

    __table_args__ = (
        db.Index("uq_accounts_active_email", "email", unique=True,
                 sqlite_where=db.text("status = 'active'"), postgresql_where=db.text("status = 'active'")),
        db.Index("ix_accounts_email", "email"),
        db.Index("ix_accounts_status_email_given_at", "status", "email_given_at"),
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


class OutboxMessage(db.Model):
    """A message to deliver, written in the same transaction as the change that causes it.

    The sender (wizard/services/outbox.py) claims due rows with a lease, delivers them,
    and marks them sent, or sets the next attempt further away.
    """

    __tablename__ = "outbox"

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(8), nullable=False)  # email (sms later)
    kind = db.Column(db.String(32), nullable=False)  # activation, address_taken: for people reading logs
    recipient = db.Column(db.String(254), nullable=False)
    subject = db.Column(db.String(255))
    body_text = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text)
    # The account the recipient owns or claims: purging it takes its messages along.
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    status = db.Column(db.String(8), nullable=False, default="pending")  # pending | sent | failed
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False)
    # While a sender holds the row; a sender that died lets it go when this passes.
    locked_until = db.Column(db.DateTime)
    last_error = db.Column(db.String(500))
    created_at = db.Column(db.DateTime, nullable=False)
    sent_at = db.Column(db.DateTime)

    __table_args__ = (db.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)


class OneTimeCode(db.Model):
    """A 6-digit code sent by SMS or email; only its HMAC is kept.

    `attempts` belongs to this code: a new code starts again from zero, and the old one
    can no longer be used (`superseded_at`).
    """

    __tablename__ = "one_time_codes"

    id = db.Column(db.Integer, primary_key=True)
    purpose = db.Column(db.String(16), nullable=False)  # phone | sign_in
    owner = db.Column(db.String(32), nullable=False)  # the account
    destination = db.Column(db.String(254), nullable=False)  # the number or address it went to
    channel = db.Column(db.String(5), nullable=False)  # sms | email
    code_hmac = db.Column(db.String(64), nullable=False)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False)
    expires_at = db.Column(db.DateTime, nullable=False)
    used_at = db.Column(db.DateTime)
    superseded_at = db.Column(db.DateTime)

    __table_args__ = (
        db.Index("ix_one_time_codes_owner", "purpose", "owner", "created_at"),
        db.Index("ix_one_time_codes_destination", "purpose", "destination", "created_at"),
    )


class EligibilityCheck(db.Model):
    """Asking the insurer whether the person is covered, as a background job.

    The row is the job's state, whatever backend runs it: the waiting screen reads it,
    and a sweeper restarts a check whose worker died (`lease_until` passed).
    `stage`: 0 queued, 1 contacting the insurer, 2 identifying, 3 answered.
    """

    __tablename__ = "eligibility_checks"

    id = db.Column(db.String(32), primary_key=True)  # random: it is in the polling URL
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    # queued | running | retrying | eligible | not_found | mismatch | failed
    status = db.Column(db.String(10), nullable=False)
    stage = db.Column(db.Integer, nullable=False, default=0)
    # Times the insurer could not be reached: they do not count against the person.
    unreachable = db.Column(db.Integer, nullable=False, default=0)
    runs = db.Column(db.Integer, nullable=False, default=0)
    next_try_at = db.Column(db.DateTime)
    lease_until = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False)
    finished_at = db.Column(db.DateTime)
    notified_at = db.Column(db.DateTime)

    __table_args__ = (db.Index("ix_eligibility_checks_status_lease", "status", "lease_until"),)
