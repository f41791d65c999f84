"""After activation: the mobile number, and the code that proves it (or an email code)."""
from flask import Blueprint

bp = Blueprint("phone", __name__, url_prefix="/inscription")

from wizard.phone import views  # noqa: E402,F401
