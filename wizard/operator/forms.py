"""The console's forms: signing in (password, then the TOTP code), the period and split
of a report."""
from flask_babel import format_time, gettext
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from wizard.operator import staff
from wizard.sign_in.forms import _Checked, code_field, current_password_field
from wizard.web import validators as v
from wizard.web.forms import EMAIL_MESSAGES


def refusal(attempt: staff.Attempt, wrong) -> str | None:
    """What a refused password or code says; `wrong`: for a plain wrong one."""
    if attempt.outcome == staff.OK:
        return None
    if attempt.outcome == staff.LOCKED:
        return gettext("Après plusieurs essais infructueux, ce compte est bloqué jusqu’à %(time)s",
                       time=format_time(attempt.locked_until, "HH:mm"))
    if attempt.outcome == staff.REPLAYED:
        return gettext("Ce code a déjà servi : attendez le suivant dans votre application")
    return str(wrong)


class StaffSignInForm(_Checked):
    email = StringField(_l("Adresse e-mail"), validators=[
        v.Required(_l("Saisissez votre adresse e-mail")), v.EmailAddress(EMAIL_MESSAGES)])
    password = current_password_field(_l("Mot de passe"), _l("Saisissez votre mot de passe"))


WRONG_PASSWORD = _l("L’adresse e-mail ou le mot de passe est incorrect")
WRONG_CODE = _l("Ce code n’est pas le bon : saisissez celui que votre application affiche maintenant")


class StaffCodeForm(_Checked):
    code = code_field(_l("Code à 6 chiffres de votre application d’authentification"))
