"""The console's forms: signing in (password, then the TOTP code), the period and split
of a report."""
from datetime import date, datetime, timedelta

from flask_babel import format_time, gettext
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice

from wizard.operator import events, reports, staff
from wizard.sign_in.forms import _Checked, current_password_field
from wizard.web import validators as v
from wizard.web.forms import EMAIL_MESSAGES, BaseForm


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
    code = StringField(_l("Code à 6 chiffres de votre application d’authentification"), validators=[
        v.Required(_l("Saisissez le code à 6 chiffres que votre application affiche")),
        v.Digits(6, _l("Le code comporte 6 chiffres, par exemple 123456"))],
        filters=[lambda typed: "".join(typed.split()) if isinstance(typed, str) else typed])  # "123 456"


def _parse_day(text: str) -> date | None:
    """2026-11-30 (a date input) or 30/11/2026 (typed)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime((text or "").strip(), pattern).date()
        except ValueError:
            continue
    return None


class DayField(StringField):
    """A day, shown as 30/11/2026 whether it came typed so or from the address (ISO)."""

    def _value(self):
        day = _parse_day(self.data) if isinstance(self.data, str) else None
        return day.strftime("%d/%m/%Y") if day else super()._value()


class _Day:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        field.day = _parse_day(field.data)
        if field.day is None:
            raise v.StopValidation(self.message)


DEFAULT_DAYS = 30


class PeriodForm(BaseForm):
    """The period of a report and the dimension it is split by; posted, then redirected
    to the report's address with these as its query (a link to a report is its figures)."""

    du = DayField(_l("Du"), validators=[
        v.Required(_l("Saisissez le premier jour de la période")),
        _Day(_l("Saisissez le premier jour sous la forme 30/11/2026"))])
    au = DayField(_l("Au"), validators=[
        v.Required(_l("Saisissez le dernier jour de la période")),
        _Day(_l("Saisissez le dernier jour sous la forme 30/11/2026"))])
    par = RadioField(_l("Répartir par"), default="", validate_choice=False,
                     choices=[SelectChoice("", _l("rien"))] + [SelectChoice(name, label)
                                                             for name, (label, _) in reports.DIMENSIONS.items()])

    def __init__(self, *args, today: date, **kwargs):
        kwargs.setdefault("data", {"du": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
                                   "au": today.isoformat(), "par": ""})
        super().__init__(*args, **kwargs)
        self.today = today

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.par.data not in {choice.value for choice in self.par.choices}:
            self.par.errors.append(str(_l("Choisissez une des répartitions proposées")))
        elif self.du.day > self.au.day:
            self.au.errors.append(str(_l("Le dernier jour doit venir après le premier")))
        elif (self.au.day - self.du.day).days > events.KEPT_DAYS:
            self.du.errors.append(str(_l("Les chiffres sont gardés 13 mois : choisissez une période plus courte")))
        return not self.errors

    def period(self) -> reports.Period:
        """The period chosen, or, while the form has errors, the last 30 days."""
        if self.errors or not getattr(self.du, "day", None):
            return reports.Period(self.today - timedelta(days=DEFAULT_DAYS - 1), self.today)
        return reports.Period(self.du.day, self.au.day)

    def split(self) -> str | None:
        return None if self.errors else (self.par.data or None)

    def query(self) -> dict:
        period = self.period()
        return {"du": period.first.isoformat(), "au": period.last.isoformat(), **({"par": s} if (s := self.split())
                                                                                 else {})}
