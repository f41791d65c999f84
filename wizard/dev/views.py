import re

from flask import Blueprint
from markupsafe import Markup, escape

from wizard.extensions import db
from wizard.messaging import outbox
from wizard.web.rendering import render_page

bp = Blueprint("dev", __name__, url_prefix="/dev")

_URL = re.compile(r"https?://[^\s<>\"']+")


@bp.get("/courriels")
def outbox_page():
    return render_page("dev/outbox.html", messages=outbox.recent(db.session))


@bp.app_template_filter("linkify")
def linkify(text: str) -> Markup:
    """Plain text with its web addresses made clickable; everything else escaped."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts += [escape(text[last:match.start()]),
                  Markup('<a href="{0}">{0}</a>').format(match.group())]
        last = match.end()
    return Markup("").join([*parts, escape(text[last:])])
