"""The kiosk's form: a typed start code."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from wizard.web import validators as v
from wizard.web.forms import BaseForm


class StartCodeForm(BaseForm):
    code = StringField(_l("Code affiché sur la borne ou l’écran"), validators=[
        v.Required(_l("Saisissez le code de 6 caractères affiché")),
        v.MaxLength(20, _l("Le code comporte 6 caractères")),
    ])


# --- credentials and activation ------------------------------------------------------------
