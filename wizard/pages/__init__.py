"""Pages around the journey: landing, legal texts, language switch, health check."""
from flask import Blueprint

bp = Blueprint("pages", __name__)

from wizard.pages import views  # noqa: E402,F401
