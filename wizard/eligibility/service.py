"""The eligibility check: asking the insurer, in the background, whether a person is covered.

The `eligibility_checks` row is the job's whole state, so any backend can run the job and
any web worker can show where it stands. A run:
1. claims the row with a lease (a conditional UPDATE: two workers never both run it);
2. records each stage as it is reached ("contacting", "identifying"), committed at once,
   so that the waiting screen shows it;
3. records the insurer's answer, and queues the email of the outcome in the same
   transaction, or, when the insurer cannot be reached, plans the next try with a
   growing delay: that costs the person nothing.
A run whose worker died leaves a lease that runs out; `stale` finds those for a sweeper.
"""
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update

from wizard.accounts.models import Account
from wizard.core.applicant import Applicant
from wizard.eligibility.insurer import ELIGIBLE, InsurerUnavailable, Verdict
from wizard.eligibility.models import EligibilityCheck
from wizard.operator import events

QUEUED, RUNNING, RETRYING, FAILED = "queued", "running", "retrying", "failed"
REFUSED = ("not_found", "mismatch")
FINISHED = (ELIGIBLE, *REFUSED, FAILED)
CONTACTING, IDENTIFYING, ANSWERED = 1, 2, 3


@dataclass(frozen=True)
class EligibilitySettings:
    max_refusals: int = 5
    refusal_window: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(seconds=60)
    # After the 1st, 2nd... time the insurer could not be reached; the last one repeats.
    retry_delays: tuple[timedelta, ...] = tuple(timedelta(seconds=s) for s in (5, 15, 30, 60, 120, 300, 600, 1800))
    # Past this, an unreachable insurer is a final outcome: the person is told to try later.
    give_up_after: timedelta = timedelta(hours=24)


class TooManyAttempts(Exception):
    def __init__(self, until: datetime):
        super().__init__("too many refused checks")
        self.until = until


def refusals(db_session, account: Account, settings: EligibilitySettings, now: datetime) -> list[datetime]:
    return [row.finished_at for row in db_session.query(EligibilityCheck.finished_at).filter(
        EligibilityCheck.account_id == account.id, EligibilityCheck.status.in_(REFUSED),
        EligibilityCheck.finished_at > now - settings.refusal_window).order_by(EligibilityCheck.finished_at)]


def attempts_left(db_session, account: Account, settings: EligibilitySettings, now: datetime) -> int:
    return max(0, settings.max_refusals - len(refusals(db_session, account, settings, now)))


# What the status poll shows of a check (polled every 2 s by everyone waiting): the row's
# columns, without the ORM's object and its identity map (0.1 ms less a poll).
_PROGRESS = select(EligibilityCheck.id, EligibilityCheck.account_id, EligibilityCheck.status,
                   EligibilityCheck.stage, EligibilityCheck.created_at).where(EligibilityCheck.id == bindparam("id"))


def progress(db_session, check_id: str):
    """A check's id, account_id, status, stage and created_at, or None."""
    return db_session.execute(_PROGRESS, {"id": check_id}).first()


def latest(db_session, account: Account) -> EligibilityCheck | None:
    return db_session.query(EligibilityCheck).filter_by(account_id=account.id) \
        .order_by(EligibilityCheck.created_at.desc(), EligibilityCheck.id).first()


def start(db_session, account: Account, settings: EligibilitySettings, now: datetime) -> EligibilityCheck:
    """A new check, or the one under way or already eligible. Raises TooManyAttempts."""
    current = latest(db_session, account)
    if current is not None and (current.status not in FINISHED or current.status == ELIGIBLE):
        return current  # under way, or already answered yes: never asked (and emailed) twice
    refused = refusals(db_session, account, settings, now)
    if len(refused) >= settings.max_refusals:
        events.count(db_session, events.LOCKED, now, detail="eligibility")
        raise TooManyAttempts(refused[-settings.max_refusals] + settings.refusal_window)
    check = EligibilityCheck(id=secrets.token_urlsafe(16), account_id=account.id, status=QUEUED, stage=0,
                             unreachable=0, runs=0, created_at=now, updated_at=now)
    db_session.add(check)
    return check


def claim(db_session, check_id: str, now: datetime, settings: EligibilitySettings) -> EligibilityCheck | None:
    claimed = db_session.execute(
        update(EligibilityCheck)
        .where(EligibilityCheck.id == check_id,
               or_(EligibilityCheck.status.in_((QUEUED, RETRYING)),
                   (EligibilityCheck.status == RUNNING) & (EligibilityCheck.lease_until < now)),
               or_(EligibilityCheck.next_try_at.is_(None), EligibilityCheck.next_try_at <= now))
        .values(status=RUNNING, stage=CONTACTING, lease_until=now + settings.lease, updated_at=now,
                runs=EligibilityCheck.runs + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db_session.commit()
    return db_session.get(EligibilityCheck, check_id, populate_existing=True) if claimed == 1 else None


@dataclass(frozen=True)
class Run:
    """What a run needs from outside: the insurer, the clock, and what to do at the end."""
    ask: Callable[[Applicant], Verdict]
    now: Callable[[], datetime]
    # (db_session, account, check): queue the email of the outcome.
    tell_outcome: Callable[..., None]
    # (check_id, delay_seconds): run again later.
    again_in: Callable[[str, float], None]


def run(db_session, check_id: str, settings: EligibilitySettings, deps: Run) -> str | None:
    """One run of a check; returns the status it left, or None when there was nothing to do."""
    check = claim(db_session, check_id, deps.now(), settings)
    if check is None:
        return None
    this_run = check.runs
    account = db_session.get(Account, check.account_id)
    # Read before the commit, so that no transaction, and no pooled connection, is held
    # while the insurer thinks: the pool has 15 connections, the job threads are 64.
    applicant = account.applicant
    check.stage, check.updated_at = IDENTIFYING, deps.now()
    db_session.commit()
    asked_at = deps.now()
    try:
        verdict = deps.ask(applicant)
    except InsurerUnavailable as error:
        _count_call(db_session, "timeout" if "Timeout" in str(error) else "error", asked_at, deps.now())
        return _unreachable(db_session, check, this_run, account, settings, deps)
    now = deps.now()
    _count_call(db_session, "ok", asked_at, now)
    events.count(db_session, events.ELIGIBILITY_OUTCOME, now, detail=verdict.status, duration=now - check.created_at)
    check.status, check.stage, check.finished_at, check.updated_at, check.lease_until = \
        verdict.status, ANSWERED, now, now, None
    if verdict.status == ELIGIBLE:
        account.eligible_at, account.contract_number = now, verdict.contract_number
    with db_session.no_autoflush:  # no write (SQLite: no lock) while the email is composed
        deps.tell_outcome(db_session, account, check)
    check.notified_at = now
    return verdict.status if _commit_if_still_ours(db_session, check_id, this_run) else None


def _count_call(db_session, outcome: str, asked_at: datetime, answered_at: datetime) -> None:
    """One call to the insurer: ok, error or timeout, and how long it took (counted only if
    this run's answer is committed)."""
    events.count(db_session, events.INSURER_CALL, answered_at, detail=outcome, duration=answered_at - asked_at)


def _commit_if_still_ours(db_session, check_id: str, this_run: int) -> bool:
    """Commits this run's answer, unless its lease ran out while the insurer answered and
    another run claimed the check (`runs` went up): that run answers, this one writes and
    sends nothing (rolled back), so no check is done twice. The answer is flushed first,
    so the row (the database, on SQLite) is held from this test to the commit: no claim
    slips in between, and the lock is held for that moment only."""
    db_session.flush()
    ours = db_session.execute(
        update(EligibilityCheck).where(EligibilityCheck.id == check_id, EligibilityCheck.runs == this_run)
        .values(runs=this_run).execution_options(synchronize_session=False)
    ).rowcount == 1
    if ours:
        db_session.commit()
    else:
        db_session.rollback()
    return ours


def _unreachable(db_session, check, this_run: int, account, settings: EligibilitySettings, deps: Run) -> str | None:
    now = deps.now()
    check.unreachable += 1
    check.lease_until, check.updated_at = None, now
    if now - check.created_at >= settings.give_up_after:
        check.status, check.finished_at, check.stage = FAILED, now, ANSWERED
        events.count(db_session, events.ELIGIBILITY_OUTCOME, now, detail=FAILED, duration=now - check.created_at)
        with db_session.no_autoflush:
            deps.tell_outcome(db_session, account, check)
        check.notified_at = now
        return FAILED if _commit_if_still_ours(db_session, check.id, this_run) else None
    delay = settings.retry_delays[min(check.unreachable, len(settings.retry_delays)) - 1]
    check.status, check.next_try_at = RETRYING, now + delay
    if not _commit_if_still_ours(db_session, check.id, this_run):
        return None
    deps.again_in(check.id, delay.total_seconds())
    return RETRYING


# A retry is due at its time; one not taken within this was lost (a web process restarted
# with its thread pool, Redis restarted with its delayed jobs). Queuing it again is harmless:
# a run claims the check first, so a second job finds nothing to do.
RETRY_GRACE = timedelta(seconds=15)


def stale(db_session, now: datetime, grace: timedelta = timedelta(minutes=2)) -> list[str]:
    """Checks that no worker holds any more: a dead worker's lease ran out, or a queued or
    retrying job was lost (a web process restarted with its thread pool, Redis restarted)."""
    return [row.id for row in db_session.query(EligibilityCheck.id).filter(or_(
        (EligibilityCheck.status == RUNNING) & (EligibilityCheck.lease_until < now),
        (EligibilityCheck.status == QUEUED) & (EligibilityCheck.created_at < now - grace),
        (EligibilityCheck.status == RETRYING) & (EligibilityCheck.next_try_at < now - min(grace, RETRY_GRACE)),
    ))]
