"""Accounts: signup, the activation email, activation by link or by code, and the purge.

Anti-enumeration. Whether or not the address already belongs to an active account, the
person signing up gets the same account row (pending), the same pages and the same work
(one password hash). What differs is only the email, which goes to the address's owner:
an activation email when the address is free, a warning ("someone tried to create an
account with your address") when it is taken. The code typed on the "check your email"
page is checked before the owner is looked up, so a wrong code looks the same in both
cases.

Nothing here reads a request: views pass plain values and a database session, and
commit. Emails are composed by the `Composer` they pass in (templates live outside).
"""
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from wizard.accounts.models import Account, Consent, EmailActivation
from wizard.codes.models import OneTimeCode
from wizard.core import passwords, security_events, tokens
from wizard.core.applicant import Applicant
from wizard.core.identity import Refused
from wizard.messaging import outbox

EMAIL_MAX_LENGTH = 254
MARKETING_PURPOSES = ("marketing_email", "marketing_sms", "marketing_phone")
# The journey's answers an account keeps; the CAPTCHA and the terms are kept otherwise.
ANSWERS_KEPT = ("identity", "role", "subscriber")

# What became of an activation attempt, by link or by code.
ACTIVATED = "activated"
VALID = "valid"  # a link that would activate, before the person confirms
INVALID = "invalid"
EXPIRED = "expired"
USED = "used"
SUPERSEDED = "superseded"
ADDRESS_CHANGED = "address_changed"
WRONG_CODE = "wrong_code"
TOO_MANY_CODES = "too_many_codes"


class Composer(Protocol):
    def activation(self, language: str, recipient: str, link: str, code: str, hours: int) -> outbox.Email: ...

    def address_taken(self, language: str, recipient: str) -> outbox.Email: ...


@dataclass(frozen=True)
class ActivationSettings:
    secret_key: str
    link_hours: int
    resend_seconds: int
    code_attempts: int
    link_for: Callable[[str], str]  # a link token -> the absolute URL to put in the email
    composer: Composer
    # Counts an email to this address; False past its limit: then none is sent, silently.
    may_email: Callable[[str], bool] = lambda address: True

    @property
    def link_max_age_seconds(self) -> int:
        return self.link_hours * 3600


@dataclass(frozen=True)
class Signup:
    email: str  # normalised
    password: str | None  # None: FranceConnect only
    language: str
    answers: dict  # the journey's
    marketing: dict[str, bool]
    marketing_version: str
    franceconnect_sub: str | None = None  # a signup through FranceConnect: linked from the start


@dataclass(frozen=True)
class LinkCheck:
    outcome: str
    account: Account | None = None


class TooSoon(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


# --- addresses ------------------------------------------------------------------------------

def normalise_email(raw: str) -> str:
    """The address as stored: checked for syntax only (no DNS), domain and local part in
    lower case (every mainstream provider ignores case), or Refused with a reason."""
    if len(raw) > EMAIL_MAX_LENGTH:
        raise Refused("too_long")
    if "@" not in raw:
        raise Refused("no_at")
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise Refused("invalid") from None
    return checked.normalized.lower()


def address_owner(db_session, account: Account) -> Account | None:
    """The active account, other than this one, that already owns this account's address."""
    return db_session.scalar(select(Account).where(
        Account.email == account.email, Account.status == "active", Account.id != account.id))


def personal_data(applicant: Applicant | None, email: str, identifiers) -> passwords.PersonalData:
    """What a password must not contain: the person's names, birth date, NIR, address.
    `identifiers`: the identifiers asked (wizard.signup.identifiers), which say where the NIR is."""
    if applicant is None:
        return passwords.PersonalData(email=email)
    person = applicant.person
    return passwords.PersonalData(
        first_name=person.first_name, last_name=person.last_name, birth_date=person.birth_date,
        nir=identifiers.value(person, "nir"), email=email,
    )


# --- signup and activation emails -----------------------------------------------------------

def register(db_session, signup: Signup, hashing: passwords.Hashing, settings: ActivationSettings,
             now: datetime) -> Account:
    """Creates the pending account and queues its email, in the caller's transaction."""
    account = Account(
        id=secrets.token_hex(16), email=signup.email, status="pending",
        password_hash=passwords.hash_password(signup.password, hashing) if signup.password else None,
        franceconnect_sub=signup.franceconnect_sub, language=signup.language,
        answers={name: signup.answers[name] for name in ANSWERS_KEPT if name in signup.answers},
        created_at=now, email_given_at=now,
        activation=EmailActivation(generation=0, address_generation=1, code_failures=0),
        consents=_consents(signup, now),
    )
    db_session.add(account)
    send_activation(db_session, account, settings, now)
    return account


def _consents(signup: Signup, now: datetime) -> list[Consent]:
    summary = signup.answers.get("summary") or {}
    accepted_at = datetime.fromisoformat(summary["accepted_at"]) if summary.get("accepted_at") else now
    consents = [Consent(purpose=purpose, granted=True, wording_version=summary.get(f"{purpose}_version", "?"),
                        recorded_at=accepted_at) for purpose in ("terms", "privacy")]
    return consents + [Consent(purpose=purpose, granted=bool(signup.marketing.get(purpose)),
                               wording_version=signup.marketing_version, recorded_at=now)
                       for purpose in MARKETING_PURPOSES]


def send_activation(db_session, account: Account, settings: ActivationSettings, now: datetime) -> None:
    """A new generation: every earlier link and code stops working. Past the address's
    limit nothing changes and nothing is sent, and the person is told the same as usual
    (so that the limit cannot be read, nor an address's earlier links be broken)."""
    owner = address_owner(db_session, account)
    if not settings.may_email(owner.email if owner else account.email):
        return
    activation = account.activation
    activation.generation += 1
    activation.sent_at = now
    if owner is not None:
        warning = settings.composer.address_taken(owner.language, owner.email)
        outbox.queue_email(db_session, warning, "address_taken", owner.id, now)
        return
    token = tokens.activation_link_token(settings.secret_key, account.id, activation.generation)
    code = tokens.activation_code(settings.secret_key, account.id, activation.generation)
    email = settings.composer.activation(account.language, account.email, settings.link_for(token), code,
                                         settings.link_hours)
    outbox.queue_email(db_session, email, "activation", account.id, now)


def seconds_before_resend(account: Account, settings: ActivationSettings, now: datetime) -> int:
    sent_at = account.activation.sent_at
    if sent_at is None:
        return 0
    return max(0, math.ceil((sent_at + timedelta(seconds=settings.resend_seconds) - now).total_seconds()))


def resend(db_session, account: Account, language: str, settings: ActivationSettings, now: datetime) -> None:
    """Sends the email again (a new generation), in the language the person uses now."""
    wait = seconds_before_resend(account, settings, now)
    if wait:
        raise TooSoon(wait)
    account.language = language
    send_activation(db_session, account, settings, now)


def change_email(db_session, account: Account, new_email: str, language: str, settings: ActivationSettings,
                 now: datetime) -> None:
    """A new address: links sent to the old one stop working, and the purge clock restarts."""
    account.email, account.email_given_at, account.language = new_email, now, language
    account.activation.address_generation = account.activation.generation + 1
    send_activation(db_session, account, settings, now)


# --- activation ------------------------------------------------------------------------------

def check_link(db_session, token: str, settings: ActivationSettings) -> LinkCheck:
    """What an activation link is worth now, without using it."""
    try:
        claim = tokens.read_activation_link_token(settings.secret_key, token, settings.link_max_age_seconds)
    except tokens.InvalidToken:
        return LinkCheck(INVALID)
    account = db_session.get(Account, claim.account_id)
    if account is None or not 1 <= claim.generation <= account.activation.generation:
        return LinkCheck(INVALID)  # never ours, or its account was purged
    if account.status == "active" or address_owner(db_session, account):
        return LinkCheck(USED, account)
    if claim.generation < account.activation.address_generation:
        return LinkCheck(ADDRESS_CHANGED, account)
    if claim.generation < account.activation.generation:
        return LinkCheck(SUPERSEDED, account)
    return LinkCheck(EXPIRED if claim.expired else VALID, account)


def activate_with_link(db_session, token: str, settings: ActivationSettings, now: datetime) -> LinkCheck:
    check = check_link(db_session, token, settings)
    if check.outcome != VALID:
        return check
    return LinkCheck(_activate(db_session, check.account, now), check.account)


def renew_link(db_session, token: str, new_email: str | None, language: str, settings: ActivationSettings,
               now: datetime) -> LinkCheck:
    """From an expired or replaced link: a new one, to the same address or another.

    Holding a link of the current address shows that the person reads its mailbox.
    """
    check = check_link(db_session, token, settings)
    if check.outcome not in (EXPIRED, SUPERSEDED):
        return check
    if new_email and new_email != check.account.email:
        change_email(db_session, check.account, new_email, language, settings, now)
    else:
        check.account.language = language
        send_activation(db_session, check.account, settings, now)
    return check


def activate_with_code(db_session, account: Account, typed: str, settings: ActivationSettings,
                       now: datetime) -> str:
    activation = account.activation
    if account.status == "active":
        return USED
    if activation.code_failures >= settings.code_attempts:
        return TOO_MANY_CODES
    if activation.sent_at is None or now > activation.sent_at + timedelta(hours=settings.link_hours):
        return EXPIRED
    if not _is_current_code(account, typed, settings):
        activation.code_failures += 1
        if activation.code_failures < settings.code_attempts:
            return WRONG_CODE
        security_events.record("activation_code_locked", account.id)
        return TOO_MANY_CODES
    if address_owner(db_session, account):
        return USED  # only reachable by guessing: no code is ever sent for a taken address
    return _activate(db_session, account, now)


def activate_with_email_and_code(db_session, email: str, typed: str, settings: ActivationSettings,
                                 now: datetime) -> tuple[str, Account | None]:
    """The code typed in another browser than the signup's: the address (normalised) says
    whose it is. Two people may have typed the same address, each with a code of their own:
    the account whose code it is is activated; a code of none counts as a wrong code against
    each account of the address still pending, so that the limit stays per account. An
    address without an account gets the same answer as a wrong code."""
    of_address = list(db_session.scalars(select(Account).where(Account.email == email)))
    owner = next((account for account in of_address if account.activation is not None
                  and _is_current_code(account, typed, settings)), None)
    if owner is not None:
        return activate_with_code(db_session, owner, typed, settings, now), owner
    outcomes = [activate_with_code(db_session, account, typed, settings, now)
                for account in of_address if account.status == "pending"]
    return (TOO_MANY_CODES if TOO_MANY_CODES in outcomes else WRONG_CODE), None


def _is_current_code(account: Account, typed: str, settings: ActivationSettings) -> bool:
    expected = tokens.activation_code(settings.secret_key, account.id, account.activation.generation)
    return tokens.codes_match("".join(typed.split()), expected)


def _activate(db_session, account: Account, now: datetime) -> str:
    try:
        with db_session.begin_nested():
            account.status, account.activated_at = "active", now
            account.activation.used_at = now
    except IntegrityError:
        return USED  # another pending account with this address was activated a moment before
    return ACTIVATED


# --- the purge -------------------------------------------------------------------------------

def purge_unconfirmed(db_session, before: datetime) -> int:
    """Forgets the pending accounts whose address was given before `before`: the account, its
    answers and consents, its activation state and its emails. Returns how many."""
    ids = list(db_session.scalars(select(Account.id).where(
        Account.status == "pending", Account.email_given_at < before)))
    forget(db_session, ids)
    return len(ids)


def forget(db_session, ids: list[str]) -> None:
    """Deletes these accounts and every row that refers to them (any table with a foreign
    key to accounts.id, and the one-time codes they were sent): explicit deletes, child
    tables first, since SQLite does not enforce ON DELETE CASCADE."""
    if not ids:
        return
    accounts_id = Account.__table__.c.id
    for table in reversed(Account.metadata.sorted_tables):
        for column in table.columns:
            if any(key.column is accounts_id for key in column.foreign_keys):
                db_session.execute(table.delete().where(column.in_(ids)))
    db_session.execute(delete(OneTimeCode).where(OneTimeCode.owner.in_(ids)))
    db_session.execute(delete(Account).where(Account.id.in_(ids)))
