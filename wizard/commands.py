"""`flask` commands for the operator and the scheduler."""
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from wizard.extensions import db
from wizard.services import clock, journeys


def init_app(app):
    app.cli.add_command(purge_journeys)


@click.command("purge-journeys")
@with_appcontext
def purge_journeys():
    """Delete journeys left idle past JOURNEY_IDLE_MINUTES (cron: */15 * * * *)."""
    idle = timedelta(minutes=current_app.config["JOURNEY_IDLE_MINUTES"])
    click.echo(f"{journeys.purge_idle(db.session, clock.now(), idle)} journey(s) deleted")
