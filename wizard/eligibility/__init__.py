"""The last step of the signup: the insurer confirms the person is covered."""
from flask import Blueprint

bp = Blueprint("eligibility", __name__, url_prefix="/inscription")

from wizard.eligibility import views  # noqa: E402,F401
