"""The transactional outbox: every email and SMS, written with the change that causes it."""

from wizard.extensions import db


class OutboxMessage(db.Model):
    """A message to deliver, written in the same transaction as the change that causes it.

    The sender (wizard/messaging/outbox.py) claims due rows with a lease, delivers them,
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

    @property
    def reference(self) -> str:
        """The same on every attempt, and another for another message (its creation time
        keeps an id reused by a fresh database from meaning an old message): the email's
        Message-ID and the SMS gateway's idempotency key, so that a repeat is recognised."""
        return f"outbox-{self.id}-{self.created_at:%Y%m%d%H%M%S}"
