"""The transactional outbox: every message is a row written with the change that causes it.

`queue_email` only adds a row to the caller's session; the caller's commit makes the
change and its message happen together, or neither. `deliver_due` then delivers:

1. it claims a due row with a conditional UPDATE that also sets a lease, and commits,
   so that two senders (two threads, two workers, cron) never hold the same row;
2. it hands the message to the transport (SMTP);
3. it marks the row sent, or, when the transport failed, sets the next attempt after a
   growing delay (RETRY_DELAYS) and lets the lease go.

A row is delivered once. The one gap a database outbox cannot close: a process that dies,
or a send that times out, after the server took the message and before the row is marked
sent, sends it again (at least once, not exactly once). Each message carries the same
reference every time (OutboxMessage.reference): the SMS gateway's idempotency key, which
makes the repeat harmless, and the email's Message-ID, which lets mail systems recognise
it (SMTP itself has no such key: for mail, timeouts that outlast a loaded server's answer
and a lease that outlasts a send are what keep repeats rare).
"""
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, or_, select, update

from wizard.messaging.models import OutboxMessage
from wizard.operator import events

log = logging.getLogger(__name__)

# After the 1st, 2nd... failed attempt; the last delay repeats. About a day of tries in all
# (MAX_ATTEMPTS), longer than most SMTP outages, shorter than an activation link's life.
# The first tries come soon: most outages are short (a restart), and the person is
# waiting at "check your email" (bench/faults.py: SMTP down 30 s).
RETRY_DELAYS = tuple(timedelta(seconds=s) for s in (10, 20, 30, 60, 120, 300, 600, 1200, 2400, 3600))
MAX_ATTEMPTS = 30
# Longer than a send can take, so that a sender still working never loses its row; short
# enough that the row of a sender that died (its worker killed) is sent a little later, not
# minutes later. A transport says how long a send can take (its `lease`); this is for one
# that does not.
LEASE = timedelta(minutes=5)
BATCH = 50


@dataclass(frozen=True)
class Email:
    recipient: str
    subject: str
    text: str
    html: str


class Transport(Protocol):
    lease: timedelta  # the longest a send can take (optional: LEASE otherwise)

    def send(self, message: OutboxMessage) -> None:
        """Delivers or raises."""


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int
    # When the earliest row still pending is due: when to run again.
    next_due: datetime | None


QUEUED_FLAG = "outbox_queued"


def queue_email(db_session, email: Email, kind: str, account_id: str | None, now: datetime) -> OutboxMessage:
    message = OutboxMessage(
        channel="email", kind=kind, recipient=email.recipient, subject=email.subject,
        body_text=email.text, body_html=email.html, account_id=account_id, status="pending",
        attempts=0, next_attempt_at=now, created_at=now,
    )
    db_session.add(message)
    events.count(db_session, events.MESSAGE_QUEUED, now, channel="email", detail=kind)
    # Read after the commit, to start delivery without waiting for cron (wizard/messaging/delivery.py).
    db_session.info[QUEUED_FLAG] = True
    return message


def queue_sms(db_session, recipient: str, text: str, kind: str, account_id: str | None,
              now: datetime) -> OutboxMessage:
    message = OutboxMessage(channel="sms", kind=kind, recipient=recipient, body_text=text,
                            account_id=account_id, status="pending", attempts=0, next_attempt_at=now,
                            created_at=now)
    db_session.add(message)
    events.count(db_session, events.MESSAGE_QUEUED, now, channel="sms", detail=kind)
    db_session.info[QUEUED_FLAG] = True
    return message


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def deliver_due(db_session, transport: Transport, now: datetime, channel: str = "email") -> DeliveryReport:
    """Delivers the due messages of one channel (email or sms) through its transport."""
    sent = failed = 0
    due = db_session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == "pending", OutboxMessage.channel == channel,
                                       OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(BATCH)
    ).all()
    lease = getattr(transport, "lease", LEASE)
    started = time.monotonic()
    for message_id in due:
        # Each lease runs from its own claim: from the batch's start, the rows after a few
        # slow sends would be claimed with a lease already run out, and sent by two workers.
        at = now + timedelta(seconds=time.monotonic() - started)
        message = _claim(db_session, message_id, at, lease)
        if message is None:
            continue  # another sender has it
        if _attempt(db_session, message, transport, at):
            sent += 1
        else:
            failed += 1
    return DeliveryReport(sent, failed, next_due(db_session, channel))


def _claim(db_session, message_id: int, now: datetime, lease: timedelta = LEASE) -> OutboxMessage | None:
    claimed = db_session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending",
               OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now))
        .values(locked_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db_session.commit()
    if claimed != 1:
        return None
    message = db_session.get(OutboxMessage, message_id, populate_existing=True)
    # Held by no transaction while the transport sends (up to its whole lease): 64 job
    # threads sending mail must not hold the pool's 15 connections (bench/faults.py saw
    # "QueuePool limit reached" in the job workers).
    db_session.expunge(message)
    db_session.commit()
    return message


def _attempt(db_session, message: OutboxMessage, transport: Transport, now: datetime) -> bool:
    try:
        transport.send(message)
    except Exception as error:  # whatever the transport raised, the message stays to retry
        message = db_session.merge(message)
        _failed(message, error, now)
        events.count(db_session, events.MESSAGE_FAILED if message.status == "failed" else events.MESSAGE_RETRIED,
                     now, channel=message.channel, detail=events.error_reason(error))
        db_session.commit()
        return False
    message = db_session.merge(message)
    message.status, message.sent_at, message.locked_until, message.last_error = "sent", now, None, None
    events.count(db_session, events.MESSAGE_DELIVERED, now, channel=message.channel, detail=message.kind,
                 duration=now - message.created_at)
    _clear_body(message)
    db_session.commit()
    log.info("outbox %s (%s) sent after %s attempt(s)", message.id, message.kind, message.attempts)
    return True


def _failed(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    message.locked_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        _clear_body(message)
        log.error("outbox %s (%s) given up after %s attempts: %s", message.id, message.kind,
                  message.attempts, type(error).__name__)
        return
    message.next_attempt_at = now + retry_delay(message.attempts)
    # The error's class only: an SMTP refusal's text names the recipient (it is in last_error).
    log.warning("outbox %s (%s) attempt %s failed, next at %s: %s", message.id, message.kind,
                message.attempts, message.next_attempt_at, type(error).__name__)


def _clear_body(message: OutboxMessage) -> None:
    """Once delivered (or given up), a message's text is no longer needed, and it holds
    links and codes: only what it was (kind, recipient, dates, attempts) is kept."""
    message.body_text, message.body_html = "", None


def next_due(db_session, channel: str = "email") -> datetime | None:
    return db_session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                             .where(OutboxMessage.status == "pending", OutboxMessage.channel == channel))


def recent(db_session, limit: int = 100) -> list[OutboxMessage]:
    """The newest messages first, for the development page."""
    return list(db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))


def purge_done(db_session, before: datetime) -> int:
    """Messages delivered, or given up, before `before`: they still name their recipient."""
    return db_session.query(OutboxMessage).filter(or_(
        (OutboxMessage.status == "sent") & (OutboxMessage.sent_at < before),
        (OutboxMessage.status == "failed") & (OutboxMessage.created_at < before),
    )).delete(synchronize_session=False)
