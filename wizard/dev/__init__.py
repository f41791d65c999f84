"""Development pages: registered only when DEVELOPMENT_PAGES is true, so they answer 404
in production. /dev/courriels lists the outbox: in the embedded default, mails stay there."""
from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")

from wizard.dev import views  # noqa: E402,F401
