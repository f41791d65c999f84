"""`flask` commands for the operator, and the scheduled tasks (for cron, and for the app's own
scheduler)."""
from datetime import timedelta
from functools import wraps

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm.attributes import flag_modified

from wizard import settings as app_settings
from wizard.accounts import activity, incomplete, personal_data
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.codes import one_time_codes
from wizard.config import ROOT, settings_table
from wizard.core import clock, passwords
from wizard.database import unit_of_work
from wizard.eligibility import checks
from wizard.extensions import db
from wizard.franceconnect import service as franceconnect
from wizard.jobs import job_context, scheduler
from wizard.kiosk import start_codes
from wizard.messaging import delivery, outbox
from wizard.operator import events, staff
from wizard.password_reset import service as password_resets
from wizard.sign_in import remembered_browsers, sessions
from wizard.sign_in import service as sign_in
from wizard.signup import captcha, journeys
from wizard.signup.models import Journey

README_SETTINGS = ("<!-- settings:", "<!-- /settings -->")  # where README.md holds the table


# Every task of the scheduler, in order: a `flask` command for cron, and a run of the app's
# own scheduler (wizard/jobs/scheduler.py), one unit of work each.
SCHEDULE: list[scheduler.Task] = []
_TASK_COMMANDS: list[click.Command] = []


def init_app(app):
    for command in (*_TASK_COMMANDS, print_settings, staff_group, rotate_identifier_key):
        app.cli.add_command(command)
    scheduler.init_app(app, tuple(SCHEDULE))


def _scheduled(name: str, every: timedelta):
    """`function()` does the task and says what it did, for the command's output; the name
    is the command's (the scheduler keeps the function)."""
    def register(function):
        SCHEDULE.append(scheduler.Task(name, every, function))

        @click.command(name)
        @with_appcontext
        @wraps(function)
        def in_unit_of_work():
            # As a job: emails are composed with links on PUBLIC_BASE_URL, and no request.
            with job_context(current_app._get_current_object()), unit_of_work():
                click.echo(function())
        _TASK_COMMANDS.append(in_unit_of_work)
        return in_unit_of_work
    return register


@_scheduled("purge-journeys", timedelta(minutes=15))
def purge_journeys() -> str:
    """Delete journeys left idle past JOURNEY_IDLE_MINUTES, FranceConnect flows never come
    back from within FRANCECONNECT_FLOW_MINUTES, spent start codes and CAPTCHAs (cron: */15 * * * *)."""
    now, config = clock.now(), current_app.config
    flows = timedelta(minutes=config["FRANCECONNECT_FLOW_MINUTES"])
    deleted = journeys.purge_idle(db.session, now, personal_data.kept(config, "journeys"))
    codes = start_codes.purge(db.session, now)
    spent = captcha.purge_spent(db.session, now - timedelta(minutes=current_app.config["CAPTCHA_MINUTES"]))
    return (f"{deleted} journey(s) deleted, {franceconnect.purge(db.session, now - flows)} FranceConnect "
            f"flow(s), {codes} start code(s), {spent} spent CAPTCHA(s)")


@_scheduled("purge-unconfirmed", timedelta(days=1))
def purge_unconfirmed() -> str:
    """Forget pending accounts whose address was never confirmed within UNCONFIRMED_EMAIL_DAYS,
    with their answers, consents and emails; and emails sent that long ago (the periods are
    declared in wizard/accounts/personal_data.py). Cron, once a day: 30 3 * * *  flask --app app purge-unconfirmed"""
    config, now = current_app.config, clock.now()
    forgotten = accounts.purge_unconfirmed(db.session, now - personal_data.kept(config, "accounts", "unconfirmed"))
    old_messages = outbox.purge_sent(db.session, now - personal_data.kept(config, "outbox"))
    return f"{forgotten} unconfirmed account(s) deleted, {old_messages} old email(s) deleted"


@_scheduled("purge-incomplete", timedelta(hours=1))
def purge_incomplete() -> str:
    """Remind the owners of accounts activated but never finished, INCOMPLETE_REMINDER_DAYS
    before they are forgotten; forget those past INCOMPLETE_ACCOUNT_DAYS after activation,
    with everything that refers to them. Cron, hourly: 5 * * * *"""
    settings_, now = app_settings.incomplete_accounts(), clock.now()
    reminded = incomplete.remind(db.session, settings_, now)
    forgotten = incomplete.purge(db.session, settings_, now)
    return f"{reminded} reminder(s) sent, {forgotten} unfinished account(s) deleted"


@_scheduled("deliver-outbox", timedelta(minutes=1))
def deliver_outbox() -> str:
    """Deliver the outbox messages that are due. The web process delivers as soon as a
    message is queued; this catches what a restart left behind.
    Cron, every minute: * * * * *  flask --app app deliver-outbox"""
    report = delivery.current().deliver_once()
    return f"{report.sent} sent, {report.failed} failed, next due: {report.next_due or 'none'}"


@_scheduled("sweep-eligibility", timedelta(minutes=1))
def sweep_eligibility() -> str:
    """Restart eligibility checks whose worker died or whose job was lost (cron: * * * * *)."""
    return f"{checks.sweep()} check(s) restarted"


@_scheduled("purge-sign-in", timedelta(days=1))
def purge_sign_in() -> str:
    """Delete what signing in no longer needs: sessions ended or idle for 30 days, remembered
    browsers expired or revoked 30 days ago, reset requests expired a day ago, codes sent a day
    ago, pauses and failures older than a day, activity older than a year: each as declared in
    wizard/accounts/personal_data.py. Cron, daily: 45 3 * * *"""
    now, config = clock.now(), current_app.config
    counts = {
        "sessions": sessions.purge(db.session, now - personal_data.kept(config, "account_sessions")),
        "remembered browsers": remembered_browsers.purge(db.session,
                                                         now - personal_data.kept(config, "remembered_browsers")),
        "password resets": password_resets.purge(db.session,
                                                 now - personal_data.kept(config, "password_reset_follows")),
        "codes": one_time_codes.purge(db.session, now - personal_data.kept(config, "one_time_codes")),
        "sign-in pauses": sign_in.purge_throttles(db.session, now - timedelta(days=1)),
        "events": activity.purge(db.session, now - personal_data.kept(config, "account_events")),
    }
    return ", ".join(f"{count} {name}" for name, count in counts.items()) + " deleted"


@_scheduled("purge-operator-events", timedelta(days=1))
def purge_operator_events() -> str:
    """Delete the console's daily counts older than 13 months and its per-minute counts
    older than two days. Cron, daily: 50 3 * * *"""
    days, minutes = events.purge(db.session, clock.now())
    return f"{days} daily count(s), {minutes} per-minute count(s) deleted"


@click.command("settings")
@click.option("--readme", is_flag=True, help="write the table into README.md instead")
def print_settings(readme):
    """Prints every setting an operator may give, its default and what it does (Markdown)."""
    if not readme:
        click.echo(settings_table(), nl=False)
        return
    path = ROOT / "README.md"
    text = path.read_text("utf-8")
    start = text.index("\n", text.index(README_SETTINGS[0])) + 1
    end = text.index(README_SETTINGS[1])
    path.write_text(text[:start] + settings_table() + text[end:], "utf-8")


@click.group("staff")
def staff_group():
    """The operator's staff, who read the console at /operateur."""


@staff_group.command("create")
@click.argument("email")
@click.password_option(help="asked for when not given (typed twice, not shown)")
@with_appcontext
def create_staff(email, password):
    """Create a staff member; their first sign-in enrols their authenticator app (TOTP)."""
    policy = app_settings.staff_password_policy()
    broken = passwords.broken_rules(password, policy, passwords.PersonalData(email=email))
    if broken:
        raise click.UsageError(f"the password breaks these rules: {', '.join(broken)}")
    with unit_of_work():
        try:
            staff.create(db.session, email, password, app_settings.staff_settings(), clock.now())
        except staff.AlreadyExists:
            raise click.UsageError(f"{email} already has a staff account") from None
    click.echo(f"{staff.normalise_email(email)} created: sign in at /operateur to enrol the second factor")


@staff_group.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_staff_second_factor(email):
    """A lost authenticator: the next sign-in enrols a new one; the member's sessions end."""
    with unit_of_work():
        member = staff.find(db.session, email) or _no_such_staff(email)
        staff.reset_second_factor(db.session, member, app_settings.staff_settings(), clock.now())
    click.echo(f"{member.email}: sign in at /operateur to enrol a new authenticator")


@staff_group.command("remove")
@click.argument("email")
@with_appcontext
def remove_staff(email):
    """The member can no longer sign in; their sessions go with them."""
    with unit_of_work():
        staff.remove(db.session, staff.find(db.session, email) or _no_such_staff(email))
    click.echo(f"{staff.normalise_email(email)} removed")


def _no_such_staff(email):
    raise click.UsageError(f"{email} has no staff account")


@click.command("rotate-identifier-key")
@with_appcontext
def rotate_identifier_key():
    """Encrypt every stored identifier again with the first of IDENTIFIER_KEYS: put a new key
    first, run this, then remove the old key (wizard/identifier_encryption.py)."""
    rows = 0
    with unit_of_work():
        for model in (Journey, Account):
            for row in db.session.query(model).yield_per(500):
                flag_modified(row, "answers")  # read decrypted, written with the first key
                rows += 1
    click.echo(f"{rows} row(s) encrypted with the first key")
