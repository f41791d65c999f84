"""Every column of every table, declared once: personal (what it is, why it is held, on what
legal basis, for how long) or not. tests/test_personal_data.py fails when a model gains a
column that is declared neither way, so that the declaration cannot drift from the schema.

Derived from it: the purges (wizard/commands.py reads each table's periods with `kept`),
"Mes données" and the closure (wizard/account/my_data.py: every personal column of the
person's rows), and the privacy notice's table (`notice`, templates/pages/_personal_data_table.html).

The wording is French, translated like every other string; the periods are fixed here or
read from a setting of wizard/config.toml, so that changing one changes the purge and the notice.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


@dataclass(frozen=True)
class Period:
    """A length of time: `amount` of `unit` (days, minutes), or the value of `setting` in that unit."""
    amount: int = 0
    unit: str = "days"
    setting: str | None = None

    def length(self, config) -> timedelta:
        return timedelta(**{self.unit: config[self.setting] if self.setting else self.amount})


@dataclass(frozen=True)
class Retention:
    """How long a table's rows are kept. `wording` names each of `periods` as %(name)s; the
    purges read the same periods. A row is kept or deleted whole, so one table, one retention."""
    wording: str
    periods: dict[str, Period] = field(default_factory=dict, hash=False)

    def describe(self, config) -> str:
        return str(self.wording) % {name: say(period.length(config)) for name, period in self.periods.items()}


@dataclass(frozen=True)
class Personal:
    purpose: str
    basis: str  # RGPD art. 6
    retention: Retention
    what: str = ""  # the datum, as the privacy notice and "Mes données" name it
    secret: bool = False  # held, but "Mes données" says so instead of showing it (a hash, a token)


CONTRACT = _l("l’exécution du contrat (RGPD, art. 6.1.b)")
CONSENT = _l("votre consentement (RGPD, art. 6.1.a)")
LEGITIMATE = _l("l’intérêt légitime de sécuriser les comptes (RGPD, art. 6.1.f)")

ACCOUNT_LIFE = Retention(
    _l("jusqu’à la fermeture du compte ; %(unconfirmed)s si l’adresse n’est jamais confirmée ; %(incomplete)s "
       "après l’activation si l’inscription n’est jamais terminée"),
    {"unconfirmed": Period(setting="UNCONFIRMED_EMAIL_DAYS"), "incomplete": Period(setting="INCOMPLETE_ACCOUNT_DAYS")})
ACTIVITY = Retention(_l("%(period)s, et jamais après la fermeture du compte"), {"period": Period(365)})
SESSIONS = Retention(_l("%(period)s après la fin de la session"), {"period": Period(30)})
BROWSERS = Retention(_l("%(period)s après son expiration ou son oubli"), {"period": Period(30)})
CODES = Retention(_l("%(period)s après l’envoi du code"), {"period": Period(1)})
MESSAGES = Retention(_l("le contenu jusqu’à l’envoi ; l’envoi lui-même, %(period)s"),
                     {"period": Period(setting="UNCONFIRMED_EMAIL_DAYS")})
JOURNEY = Retention(_l("%(period)s après la dernière réponse"),
                    {"period": Period(unit="minutes", setting="JOURNEY_IDLE_MINUTES")})
RESET = Retention(_l("%(period)s après l’expiration de la demande"), {"period": Period(1)})
STAFF_LIFE = Retention(_l("tant que le membre de l’équipe a un compte"))

SIGN_IN = _l("vous connecter, avec un second facteur")
SECURITY = _l("la sécurité de votre compte, montrée dans Mon compte")
DELIVERY = _l("vous envoyer un message")


def _sign_in(what, **more):
    return Personal(SIGN_IN, CONTRACT, ACCOUNT_LIFE, what, **more)


PERSONAL = {
    "accounts": {
        "email": _sign_in(_l("votre adresse e-mail")),
        "password_hash": _sign_in(_l("l’empreinte de votre mot de passe (Argon2id)"), secret=True),
        "phone": _sign_in(_l("votre numéro de téléphone portable")),
        "franceconnect_sub": _sign_in(_l("votre identifiant FranceConnect pour ce service")),
        "answers": Personal(_l("vérifier votre couverture auprès de votre complémentaire santé"), CONTRACT,
                            ACCOUNT_LIFE, _l("votre identité et vos réponses à l’inscription")),
        "contract_number": Personal(_l("vous montrer votre contrat"), CONTRACT, ACCOUNT_LIFE,
                                    _l("votre numéro de contrat")),
        "language": Personal(_l("vous écrire dans votre langue"), CONTRACT, ACCOUNT_LIFE, _l("votre langue")),
    },
    "consents": {"granted": Personal(_l("prouver votre consentement (RGPD, art. 7.1)"), CONSENT, ACCOUNT_LIFE,
                                     _l("vos choix de communications, avec leur date et leur version"))},
    "account_events": {
        "kind": Personal(SECURITY, LEGITIMATE, ACTIVITY, _l("ce qui s’est passé sur votre compte")),
        "device": Personal(SECURITY, LEGITIMATE, ACTIVITY, _l("le navigateur et le système utilisés")),
        "created_at": Personal(SECURITY, LEGITIMATE, ACTIVITY, _l("la date de chaque événement")),
    },
    "account_sessions": {
        "device": Personal(SECURITY, LEGITIMATE, SESSIONS, _l("le navigateur de chaque session")),
        "franceconnect_id_token": Personal(_l("vous déconnecter aussi de FranceConnect"), CONTRACT, SESSIONS,
                                           _l("le jeton FranceConnect de la session"), secret=True),
    },
    "remembered_browsers": {"device": Personal(SECURITY, LEGITIMATE, BROWSERS, _l("les navigateurs mémorisés"))},
    "one_time_codes": {"destination": Personal(_l("limiter les codes envoyés à un même numéro ou une même adresse"),
                                               LEGITIMATE, CODES, _l("où chaque code a été envoyé"))},
    "outbox": {
        "recipient": Personal(DELIVERY, CONTRACT, MESSAGES, _l("le destinataire de chaque message")),
        "subject": Personal(DELIVERY, CONTRACT, MESSAGES, _l("l’objet de chaque e-mail")),
        "body_text": Personal(DELIVERY, CONTRACT, MESSAGES, _l("le texte de chaque message")),
        "body_html": Personal(DELIVERY, CONTRACT, MESSAGES, _l("le texte de chaque e-mail, en HTML")),
        # A server's refusal often quotes the address it refused.
        "last_error": Personal(DELIVERY, CONTRACT, MESSAGES,
                               _l("l’erreur d’un envoi échoué, qui peut citer le destinataire")),
    },
    "journeys": {"answers": Personal(_l("continuer une inscription commencée"), CONTRACT, JOURNEY,
                                     _l("les réponses d’une inscription en cours"))},
    "password_reset_follows": {"email": Personal(_l("rappeler l’adresse d’une demande de nouveau mot de passe"),
                                                 CONTRACT, RESET, _l("l’adresse saisie pour un mot de passe oublié"))},
    "staff_members": {column: Personal(_l("connecter l’équipe de l’opérateur à sa console"), LEGITIMATE, STAFF_LIFE,
                                       what, secret=column != "email")
                      for column, what in (("email", _l("l’adresse e-mail d’un membre de l’équipe")),
                                           ("password_hash", _l("l’empreinte de son mot de passe")),
                                           ("totp_sealed", _l("son second facteur (TOTP), chiffré")),
                                           ("totp_nonce", _l("son second facteur (TOTP), chiffré")))},
}

# Columns that hold nothing about a person: ids, states, times of technical events, HMACs
# of secrets, counts without dimensions that identify anyone.
NOT_PERSONAL = {
    "accounts": ("id", "status", "created_at", "email_given_at", "activated_at", "phone_verified_at", "code_channel",
                 "code_channel_confirmed_at", "eligible_at", "reminded_at", "phone_code_required_since",
                 "password_reset_required_at"),
    "event_counts": ("day", "event", "step", "channel", "detail", "bucket", "language", "js", "device", "kiosk",
                     "provider", "count"),
    "event_minutes": ("minute", "event", "detail", "count"),
    "journeys": ("id", "kiosk_id", "created_at", "updated_at"),
    "one_time_codes": ("id", "purpose", "owner", "channel", "code_hmac", "attempts", "created_at", "expires_at",
                       "used_at", "superseded_at"),
    "scheduled_runs": ("name", "next_run_at", "lease_until", "last_run_at"),
    "sign_in_throttles": ("email_digest", "failures", "last_failure_at", "paused_until"),
    "spent_captchas": ("signature", "spent_at"),
    "staff_members": ("id", "enrolled_at", "last_code_step", "failures", "locked_until", "created_at"),
    "start_codes": ("code", "purpose", "kiosk_id", "journey_id", "created_at", "expires_at", "used_at"),
    "account_events": ("id", "account_id"),
    "account_sessions": ("id", "account_id", "kind", "created_at", "last_seen_at", "ended_at"),
    "consents": ("id", "account_id", "purpose", "wording_version", "recorded_at"),
    "eligibility_checks": ("id", "account_id", "status", "stage", "unreachable", "runs", "next_try_at", "lease_until",
                           "created_at", "updated_at", "finished_at", "notified_at"),
    "email_activations": ("account_id", "generation", "address_generation", "sent_at", "used_at", "code_failures"),
    "franceconnect_flows": ("id", "state", "nonce", "purpose", "account_id", "created_at"),
    "outbox": ("id", "channel", "kind", "account_id", "status", "attempts", "next_attempt_at", "locked_until",
               "created_at", "sent_at"),
    "password_reset_follows": ("id", "reset_id", "proven", "created_at"),
    "password_resets": ("id", "email_digest", "account_id", "token_hash", "code_hmac", "attempts", "created_at",
                        "expires_at", "verified_at", "used_at", "superseded_at"),
    "remembered_browsers": ("id", "account_id", "token_hash", "created_at", "last_used_at", "expires_at",
                            "revoked_at"),
    "staff_sessions": ("id", "staff_id", "kind", "created_at", "last_seen_at", "ended_at"),
}

# What each table is, for the privacy notice and "Mes données".
TABLES = {
    "accounts": _l("Votre compte"),
    "consents": _l("Vos consentements"),
    "account_events": _l("L’activité de votre compte"),
    "account_sessions": _l("Vos sessions"),
    "remembered_browsers": _l("Vos navigateurs mémorisés"),
    "one_time_codes": _l("Les codes envoyés"),
    "outbox": _l("Les messages envoyés"),
    "journeys": _l("Une inscription en cours"),
    "password_reset_follows": _l("L’adresse de chaque demande de nouveau mot de passe"),
    "password_resets": _l("Vos demandes de nouveau mot de passe"),
    "sign_in_throttles": _l("Les mots de passe erronés"),
    "franceconnect_flows": _l("Les connexions FranceConnect en cours"),
    "staff_members": _l("L’équipe de l’opérateur"),
    "eligibility_checks": _l("Les vérifications auprès de votre complémentaire santé"),
    "email_activations": _l("La confirmation de votre adresse"),
}


def retention(table: str) -> Retention:
    """The one retention of a table's personal columns (tests check that they agree)."""
    return next(iter(PERSONAL[table].values())).retention


def kept(config, table: str, period: str = "period") -> timedelta:
    """How long the purge keeps `table`'s rows: the declared period, read from its setting if it has one."""
    return retention(table).periods[period].length(config)


def say(length: timedelta) -> str:
    """"7 jours", "1 an", "60 minutes": a period in whole units, in the reader's language."""
    days, minutes = length.days, int(length.total_seconds() // 60)
    if days and days % 365 == 0 and not length.seconds:
        return ngettext("%(num)d an", "%(num)d ans", days // 365)
    if days and not length.seconds:
        return ngettext("%(num)d jour", "%(num)d jours", days)
    if minutes % 60 == 0:
        return ngettext("%(num)d heure", "%(num)d heures", minutes // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


@dataclass(frozen=True)
class NoticeRow:
    table: str
    data: list[str]
    purposes: list[str]
    bases: list[str]
    retention: str


def notice(config) -> list[NoticeRow]:
    """The privacy notice's table: one row per table, what it holds, why, on what basis, how long."""
    def unique(values):
        return list(dict.fromkeys(str(value) for value in values))
    return [NoticeRow(str(TABLES[table]), unique(c.what for c in columns.values()),
                      unique(c.purpose for c in columns.values()), unique(c.basis for c in columns.values()),
                      retention(table).describe(config))
            for table, columns in PERSONAL.items()]
