"""What is wrong now: the alerts of the console's first page and the gauges of /metrics,
from the same readings, so that both always say the same.

- outbox backlog: a message waiting for longer than BACKLOG_AGE on a channel that has
  somewhere to go (without MAIL_SERVER, mails stay in the outbox on purpose);
- insurer errors: over the last INSURER_WINDOW, more than INSURER_ERROR_RATE of the calls
  failed or timed out, out of at least INSURER_MIN_CALLS (a few calls prove nothing);
- a job worker silent: work has waited for a worker (jobs queued, checks or messages
  overdue) and no job has finished for WORKER_SILENCE.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from wizard.eligibility import service as eligibility
from wizard.eligibility.models import EligibilityCheck
from wizard.messaging.models import OutboxMessage
from wizard.operator import events
from wizard.operator.models import EventMinute

BACKLOG_AGE = timedelta(minutes=10)
INSURER_WINDOW, INSURER_ERROR_RATE, INSURER_MIN_CALLS = timedelta(minutes=15), 0.20, 10
WORKER_SILENCE, OVERDUE = timedelta(minutes=5), timedelta(minutes=2)
ALERTS = ("outbox_backlog", "insurer_errors", "worker_silent")


@dataclass(frozen=True)
class Readings:
    backlog: dict[str, int]  # pending messages, by channel
    oldest: dict[str, float]  # seconds since the oldest pending message was queued, by channel
    delivering: tuple[str, ...]  # the channels with a transport
    in_flight: int  # eligibility checks not finished
    calls: dict[str, int]  # insurer calls in INSURER_WINDOW, by outcome
    queue_depth: int
    overdue_work: int
    last_job_seconds: float | None  # since the last job finished (within two days), None: none

    @property
    def oldest_delivering(self) -> float:
        """Seconds the oldest message of a channel with a transport has waited."""
        return max((self.oldest.get(channel, 0) for channel in self.delivering), default=0)

    @property
    def waiting_delivering(self) -> int:
        return sum(self.backlog.get(channel, 0) for channel in self.delivering)

    @property
    def insurer_error_rate(self) -> float:
        total = sum(self.calls.values())
        return (total - self.calls.get("ok", 0)) / total if total else 0.0

    def active(self) -> dict[str, bool]:
        calls = sum(self.calls.values())
        silent = self.last_job_seconds is None or self.last_job_seconds > WORKER_SILENCE.total_seconds()
        return {
            "outbox_backlog": self.oldest_delivering > BACKLOG_AGE.total_seconds(),
            "insurer_errors": calls >= INSURER_MIN_CALLS and self.insurer_error_rate > INSURER_ERROR_RATE,
            "worker_silent": (self.queue_depth + self.overdue_work) > 0 and silent,
        }


def read(db_session, now: datetime, delivering: tuple[str, ...], queue_depth: int) -> Readings:
    pending = db_session.execute(select(OutboxMessage.channel, func.count(), func.min(OutboxMessage.created_at))
                                 .where(OutboxMessage.status == "pending").group_by(OutboxMessage.channel)).all()
    overdue_messages = db_session.scalar(select(func.count()).where(
        OutboxMessage.status == "pending", OutboxMessage.channel.in_(delivering),
        OutboxMessage.next_attempt_at < now - OVERDUE)) or 0
    in_flight = db_session.scalar(select(func.count()).where(EligibilityCheck.status.not_in(eligibility.FINISHED)))
    calls = dict(db_session.execute(select(EventMinute.detail, func.sum(EventMinute.count)).where(
        EventMinute.event == events.INSURER_CALL, EventMinute.minute >= now - INSURER_WINDOW)
        .group_by(EventMinute.detail)).all())
    last_job = db_session.scalar(select(func.max(EventMinute.minute)).where(EventMinute.event == events.JOB_DONE))
    return Readings(
        backlog={channel: count for channel, count, _ in pending},
        oldest={channel: (now - oldest).total_seconds() for channel, _, oldest in pending},
        delivering=delivering, in_flight=in_flight or 0, calls={k: int(v) for k, v in calls.items()},
        queue_depth=queue_depth,
        overdue_work=overdue_messages + len(eligibility.stale(db_session, now, grace=OVERDUE)),
        # A minute's count is stamped at the start of its minute: the last job may be up to 59 s later.
        last_job_seconds=max(0.0, (now - last_job).total_seconds() - 60) if last_job else None)
