"""The signup journey: /inscription/<étape>, one URL per step declared in wizard.steps."""
from flask import Blueprint

bp = Blueprint("signup", __name__, url_prefix="/inscription")

from wizard.signup import views  # noqa: E402,F401  (registers the routes)
from wizard.signup.state import journey_timeout  # noqa: E402

bp.app_context_processor(journey_timeout)
