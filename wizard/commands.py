"""`flask` commands for the operator and the scheduler."""
from datetime import timedelta
from functools import wraps

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm.attributes import flag_modified

from wizard.accounts import activity
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.database import unit_of_work
from wizard.eligibility import checks
from wizard.extensions import db
from wizard.kiosk import start_codes
from wizard.messaging import delivery, outbox
from wizard.password_reset import service as password_resets
from wizard.sign_in import remembered_browsers, sessions
from wizard.sign_in import service as sign_in
from wizard.signup import captcha, journeys
from wizard.signup.models import Journey


def init_app(app):
    app.cli.add_command(purge_journeys)
    app.cli.add_command(purge_unconfirmed)
    app.cli.add_command(deliver_outbox)
    app.cli.add_command(sweep_eligibility)
    app.cli.add_command(purge_sign_in)
    app.cli.add_command(rotate_identifier_key)


def _command(name: str):
    """A `flask` command with the app's context, as one unit of work (committed at its end)."""
    def register(function):
        @click.command(name)
        @with_appcontext
        @wraps(function)
        def in_unit_of_work():
            with unit_of_work():
                function()
        return in_unit_of_work
    return register


@_command("purge-journeys")
def purge_journeys():
    """Delete journeys left idle past JOURNEY_IDLE_MINUTES (cron: */15 * * * *)."""
    idle, now = timedelta(minutes=current_app.config["JOURNEY_IDLE_MINUTES"]), clock.now()
    deleted = journeys.purge_idle(db.session, now, idle)
    codes = start_codes.purge(db.session, now)
    spent = captcha.purge_spent(db.session, now - timedelta(minutes=current_app.config["CAPTCHA_MINUTES"]))
    click.echo(f"{deleted} journey(s) deleted, {codes} start code(s), {spent} spent CAPTCHA(s)")


@_command("purge-unconfirmed")
def purge_unconfirmed():
    """Forget pending accounts whose address was never confirmed within UNCONFIRMED_EMAIL_DAYS,
    with their answers, consents and emails; and emails sent that long ago.
    Cron, once a day: 30 3 * * *  flask --app app purge-unconfirmed"""
    days, now = current_app.config["UNCONFIRMED_EMAIL_DAYS"], clock.now()
    forgotten = accounts.purge_unconfirmed(db.session, now, days)
    old_messages = outbox.purge_sent(db.session, now - timedelta(days=days))
    click.echo(f"{forgotten} unconfirmed account(s) deleted, {old_messages} old email(s) deleted")


@_command("deliver-outbox")
def deliver_outbox():
    """Deliver the outbox messages that are due. The web process delivers as soon as a
    message is queued; this catches what a restart left behind.
    Cron, every minute: * * * * *  flask --app app deliver-outbox"""
    report = delivery.current().deliver_once()
    click.echo(f"{report.sent} sent, {report.failed} failed, next due: {report.next_due or 'none'}")


@_command("sweep-eligibility")
def sweep_eligibility():
    """Restart eligibility checks whose worker died or whose job was lost (cron: * * * * *)."""
    click.echo(f"{checks.sweep()} check(s) restarted")


@_command("purge-sign-in")
def purge_sign_in():
    """Delete what signing in no longer needs: sessions ended or idle for 30 days, remembered
    browsers expired or revoked 30 days ago, reset requests expired a day ago, pauses and
    failures older than a day, activity older than a year. Cron, daily: 45 3 * * *"""
    now = clock.now()
    counts = {
        "sessions": sessions.purge(db.session, now - timedelta(days=30)),
        "remembered browsers": remembered_browsers.purge(db.session, now - timedelta(days=30)),
        "password resets": password_resets.purge(db.session, now - timedelta(days=1)),
        "sign-in pauses": sign_in.purge_throttles(db.session, now - timedelta(days=1)),
        "events": activity.purge(db.session, now - timedelta(days=365)),
    }
    click.echo(", ".join(f"{count} {name}" for name, count in counts.items()) + " deleted")


@_command("rotate-identifier-key")
def rotate_identifier_key():
    """Encrypt every stored identifier again with the first of IDENTIFIER_KEYS: put a new key
    first, run this, then remove the old key (wizard/identifier_encryption.py)."""
    rows = 0
    for model in (Journey, Account):
        for row in db.session.query(model).yield_per(500):
            flag_modified(row, "answers")  # read decrypted, written with the first key
            rows += 1
    click.echo(f"{rows} row(s) encrypted with the first key")
