"""Extensions, created unbound; `create_app` binds them to an application. Flask-Migrate
is not among them: it is bound for the `flask` commands only (wizard/database.py)."""
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

db = SQLAlchemy()
babel = Babel()
csrf = CSRFProtect()
htmx = HTMX()
compress = Compress()
limiter = Limiter(key_func=get_remote_address)
