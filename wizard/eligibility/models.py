"""The eligibility check: one row per question asked to the insurer, the job's whole state."""

from wizard.extensions import db


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
