from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request
from sqlalchemy import text

from wizard.accounts import personal_data
from wizard.extensions import db
from wizard.kiosk import start_codes
from wizard.pages import rgaa
from wizard.web import locale
from wizard.web.kiosk_mode import note_kiosk

bp = Blueprint("pages", __name__)


@bp.get("/")
def landing():
    kiosk_id = request.args.get("kiosque")  # from a kiosk's poster
    if start_codes.is_kiosk(kiosk_id, current_app.config["KIOSKS"]):
        note_kiosk(kiosk_id)
    return render_template("pages/landing.html")


# The legal texts: one template each, nothing to compute.
for _path, _name in (("/conditions-generales", "terms"), ("/confidentialite", "privacy"),
                     ("/accessibilite", "accessibility")):
    bp.add_url_rule(_path, _name, lambda template=f"pages/{_name}.html": render_template(template, grid=rgaa.grid()))


@bp.app_context_processor
def audit_grid():
    """The footer says the level of conformity the audit grid reaches, on every page."""
    return {"rgaa_grid": rgaa.grid}


@bp.app_context_processor
def personal_data_table():
    """The privacy notice's table of data and retention periods, from the declaration."""
    return {"personal_data_table": lambda: personal_data.notice(current_app.config)}


@bp.get("/accessibilite/audit")
def accessibility_audit():
    return render_template("pages/accessibility_audit.html", grid=rgaa.grid(), themes=rgaa.THEMES)


@bp.post("/langue")
def switch_language():
    """Keeps the journey (it lives on the server) and returns to the same screen."""
    locale.choose(request.form.get("lang", ""))
    return redirect(_local_path(request.form.get("next")), 303)


def _local_path(target: str | None) -> str:
    parts = urlsplit(target or "/")
    # Only a path on this site: no scheme, no host, no protocol-relative //.
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", whatever its class
        return {"status": "database unreachable"}, 503
    return {"status": "ok"}
