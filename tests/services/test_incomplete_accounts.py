"""Unfinished signups are not kept forever: a reminder 7 days before, then forgotten 30 days
after activation, the address free again; and the app's scheduler that runs the purges by
itself, one run at a time however many workers tick. On PostgreSQL (tests/conftest.py)."""
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from tests.conftest import activated_account, confirmed_phone, newest_message, reconfigure
from wizard import commands
from wizard.accounts.models import Account
from wizard.codes.models import OneTimeCode
from wizard.core import clock
from wizard.extensions import db
from wizard.jobs import scheduler
from wizard.jobs.models import ScheduledRun
from wizard.messaging.models import OutboxMessage

START = datetime(2026, 3, 2, 9, 0)
EMAIL = "jean.martin@exemple.fr"


class Clock:
    def __init__(self, monkeypatch):
        self.now = START
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def at(self, **delta):
        self.now = START + timedelta(**delta)


@pytest.fixture
def moved(monkeypatch):
    return Clock(monkeypatch)


def purge(app) -> str:
    result = app.test_cli_runner().invoke(args=["purge-incomplete"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def kinds(database, email=EMAIL) -> list[str]:
    return database(lambda s: [m.kind for m in s.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id))])


def rows_referring_to(database, account_id) -> dict[str, int]:
    """Every table with an account_id (or a code's owner) that still holds this account."""
    def count(session):
        found = {}
        for table in db.metadata.sorted_tables:
            column = table.c.get("account_id") if "account_id" in table.c else table.c.get("owner")
            if column is not None and table.name != "accounts":
                n = session.execute(select(column).where(column == account_id)).all()
                if n:
                    found[table.name] = len(n)
        found.update({"accounts": 1} if session.get(Account, account_id) else {})
        return found
    return database(count)


def test_a_reminder_seven_days_before_then_forgotten_after_thirty(app, database, moved):
    account_id = confirmed_phone(app.test_client(), EMAIL)  # a phone, but no eligibility
    assert rows_referring_to(database, account_id)["one_time_codes"] == 1
    moved.at(days=22, hours=23)
    assert purge(app) == "0 reminder(s) sent, 0 unfinished account(s) deleted"
    moved.at(days=23)
    assert purge(app) == "1 reminder(s) sent, 0 unfinished account(s) deleted"
    mail = newest_message(app, EMAIL)
    assert mail.kind == "incomplete_reminder" and mail.subject == "Terminez votre inscription à Sésame"
    assert "seront effacés le 1 avril 2026" in mail.body_text
    assert "http://127.0.0.1:5000/connexion\n" in mail.body_text
    moved.at(days=29, hours=23)
    assert purge(app) == "0 reminder(s) sent, 0 unfinished account(s) deleted"  # reminded once
    moved.at(days=30)
    assert purge(app) == "0 reminder(s) sent, 1 unfinished account(s) deleted"
    assert rows_referring_to(database, account_id) == {}
    assert database(lambda s: s.scalars(select(OneTimeCode.destination)).all()) == []


def test_the_address_is_free_again(app, database, moved):
    activated_account(app.test_client(), EMAIL)
    moved.at(days=23)
    purge(app)
    moved.at(days=30)
    purge(app)
    activated_account(app.test_client(), EMAIL)  # signs up again: the activation email comes, not "taken"
    assert kinds(database)[-1] == "activation"
    assert database(lambda s: s.query(Account).one().status) == "active"


def test_the_reminder_is_in_the_persons_language(app, moved):
    client = app.test_client()
    client.post("/langue", data={"lang": "en", "next": "/"})
    activated_account(client, EMAIL)
    moved.at(days=23)
    purge(app)
    mail = newest_message(app, EMAIL)
    assert mail.subject == "Finish signing up to Sésame"
    assert "will be deleted on April 1, 2026" in mail.body_text


def test_a_late_reminder_still_gives_the_whole_notice(app, database, moved):
    """The scheduler was down for weeks: the reminder goes late, the purge waits 7 days more."""
    account_id = activated_account(app.test_client(), EMAIL)
    moved.at(days=40)
    assert purge(app) == "1 reminder(s) sent, 0 unfinished account(s) deleted"
    assert "seront effacés le 18 avril 2026" in newest_message(app, EMAIL).body_text
    moved.at(days=46, hours=23)
    purge(app)
    assert database(lambda s: s.get(Account, account_id)) is not None
    moved.at(days=47)
    assert purge(app).endswith("1 unfinished account(s) deleted")


def test_finished_and_pending_accounts_are_not_this_purges(app, database, moved):
    finished = confirmed_phone(app.test_client(), "fini@exemple.fr")
    database(lambda s: (setattr(s.get(Account, finished), "eligible_at", START), s.commit()))
    client = app.test_client()
    activated_account(client, EMAIL)
    database(lambda s: (setattr(s.query(Account).filter_by(email=EMAIL).one(), "status", "pending"), s.commit()))
    reconfigure(app, UNCONFIRMED_EMAIL_DAYS=365)  # not the other purge's either
    moved.at(days=100)
    assert purge(app) == "0 reminder(s) sent, 0 unfinished account(s) deleted"
    assert database(lambda s: s.query(Account).count()) == 2


def test_the_settings_change_the_times(app, moved):
    reconfigure(app, INCOMPLETE_ACCOUNT_DAYS=10, INCOMPLETE_REMINDER_DAYS=2)
    activated_account(app.test_client(), EMAIL)
    moved.at(days=8)
    assert purge(app).startswith("1 reminder(s) sent")
    moved.at(days=10)
    assert purge(app).endswith("1 unfinished account(s) deleted")


# --- the scheduler ------------------------------------------------------------------------------

def counting_task(name="count", every=timedelta(minutes=15)):
    runs = []
    return scheduler.Task(name, every, lambda: runs.append(clock.now())), runs


def test_a_tick_runs_what_is_due_once_until_its_next_time(app, database, moved):
    task, runs = counting_task()
    assert scheduler.tick(app, (task,)) == ["count"]
    assert scheduler.tick(app, (task,)) == []
    moved.at(minutes=14, seconds=59)
    assert scheduler.tick(app, (task,)) == []
    moved.at(minutes=15)
    assert scheduler.tick(app, (task,)) == ["count"]
    assert runs == [START, START + timedelta(minutes=15)]
    row = database(lambda s: s.get(ScheduledRun, "count"))
    assert row.lease_until is None and row.next_run_at == START + timedelta(minutes=30)


def test_the_app_schedules_every_cron_command(app):
    names = {task.name for task in commands.SCHEDULE}
    assert names == {"purge-journeys", "purge-unconfirmed", "purge-incomplete", "deliver-outbox",
                     "sweep-eligibility", "purge-sign-in", "purge-operator-events"}
    assert names <= set(app.cli.list_commands(None))


def test_the_scheduler_runs_the_purge_by_itself(app, database, moved):
    activated_account(app.test_client(), EMAIL)
    moved.at(days=23)
    ran = scheduler.tick(app, tuple(commands.SCHEDULE))
    assert "purge-incomplete" in ran and kinds(database)[-1] == "incomplete_reminder"


def test_a_failing_task_is_logged_and_tried_again_at_its_time(app, moved, monkeypatch):
    logged = []
    monkeypatch.setattr(scheduler.log, "exception", lambda message, *args: logged.append(message % args))

    def broken():
        raise RuntimeError("the disk is full")
    task = scheduler.Task("broken", timedelta(minutes=1), broken)
    other, runs = counting_task()
    assert scheduler.tick(app, (task, other)) == ["count"]  # the others still run
    assert logged == ["scheduled task broken failed"]
    moved.at(minutes=1)
    assert scheduler.tick(app, (task,)) == []  # failed again, and released: not stuck on its lease


def test_a_lease_held_by_a_dead_worker_runs_out(app, database, moved):
    task, runs = counting_task(every=timedelta(minutes=1))
    with app.app_context():
        assert scheduler.claim(db.session, task, clock.now())  # this worker dies before running it
        db.session.commit()
    moved.at(minutes=5)
    assert scheduler.tick(app, (task,)) == []  # its lease (10 minutes) holds
    moved.at(minutes=10, seconds=1)
    assert scheduler.tick(app, (task,)) == ["count"]


def test_workers_ticking_at_once_run_a_task_once(new_app, moved):
    """Several processes (here threads, each with its own connection) on one database."""
    app = new_app()
    task, runs = counting_task()
    with app.app_context():
        assert inspect(db.engine).dialect.name == "postgresql"
    barrier = threading.Barrier(6)
    results = []

    def worker():
        barrier.wait()
        results.append(scheduler.tick(app, (task,)))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(runs) == 1 and sorted(map(len, results)) == [0, 0, 0, 0, 0, 1]


def test_the_ticker_starts_with_the_first_request_only(new_app, monkeypatch):
    started = []
    monkeypatch.setattr(scheduler, "_tick_forever", lambda app, tasks: started.append(tasks))
    app = new_app(SCHEDULER=True)
    app.test_cli_runner().invoke(args=["purge-journeys"])
    assert started == []  # a command never starts it
    client = app.test_client()
    client.get("/")
    client.get("/")
    for thread in threading.enumerate():
        if thread.name == "sesame-scheduler":
            thread.join(5)
    assert len(started) == 1 and {task.name for task in started[0]} >= {"purge-incomplete"}
