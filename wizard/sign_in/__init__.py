"""Signing in: email and password, the second factor (a code by email or SMS, or a
remembered browser), signing out; and what every page needs to know of it (the idle
warning, the cookies the request decided on, the rough device of a browser)."""
from datetime import timedelta

import click
from flask import Blueprint
from flask_babel import gettext

from wizard.services import devices

bp = Blueprint("sign_in", __name__, cli_group=None)


@bp.app_template_filter("device")
def device_label(device: str | None) -> str:
    """"Firefox|Windows" -> "Firefox sur Windows"; names are the same in every language."""
    browser, system = devices.parts(device)
    if browser and system:
        return gettext("%(browser)s sur %(system)s", browser=browser, system=system)
    return browser or system or gettext("Appareil inconnu")


@bp.app_context_processor
def _session_timeout():
    return state.timeout_context()


bp.after_app_request(lambda response: state.apply_cookies(response))


@bp.cli.command("purge-sign-in")
def purge_sign_in():
    """Delete what signing in no longer needs: sessions ended or idle for 30 days, remembered
    browsers expired or revoked 30 days ago, reset requests expired a day ago, pauses and
    failures older than a day, activity older than a year. Cron, daily: 45 3 * * *"""
    from wizard.extensions import db
    from wizard.models_sign_in import SignInThrottle
    from wizard.services import activity, clock, password_resets, remembered_browsers, sessions
    now = clock.now()
    counts = {
        "sessions": sessions.purge(db.session, now - timedelta(days=30)),
        "remembered browsers": remembered_browsers.purge(db.session, now - timedelta(days=30)),
        "password resets": password_resets.purge(db.session, now - timedelta(days=1)),
        "sign-in pauses": db.session.query(SignInThrottle).filter(
            SignInThrottle.last_failure_at < now - timedelta(days=1)).delete(synchronize_session=False),
        "events": activity.purge(db.session, now - timedelta(days=365)),
    }
    db.session.commit()
    click.echo(", ".join(f"{count} {name}" for name, count in counts.items()) + " deleted")


from wizard.sign_in import state, views  # noqa: E402,F401
