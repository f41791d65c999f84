"""The scheduler's state: one row per scheduled task (wizard/jobs/scheduler.py)."""

from wizard.extensions import db


class ScheduledRun(db.Model):
    """When a task runs next, and who holds it now: a worker claims a run by moving
    `next_run_at` on and taking the lease, in one conditional UPDATE."""

    __tablename__ = "scheduled_runs"

    name = db.Column(db.String(40), primary_key=True)
    next_run_at = db.Column(db.DateTime, nullable=False)
    lease_until = db.Column(db.DateTime)
    last_run_at = db.Column(db.DateTime)
