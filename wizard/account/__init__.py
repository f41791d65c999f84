"""Mon compte: the person's details, remembered browsers, recent activity, a new
password, signing out everywhere, and the idle warning's "stay signed in"."""
from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/compte")

from wizard.account import views  # noqa: E402,F401
