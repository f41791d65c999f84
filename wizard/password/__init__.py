"""Forgotten password: the address, the email's code or link, the new password."""
from flask import Blueprint

bp = Blueprint("password", __name__, url_prefix="/mot-de-passe-oublie")

from wizard.password import views  # noqa: E402,F401
