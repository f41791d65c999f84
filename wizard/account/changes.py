"""Changes to an account's second factor, each proven twice: the person (the password,
then a code to the current phone, or to the email when the phone is out of reach), then
the new number (a code sent to it). The number changes only with that last code; the
owner is told by email.

The new number waits in its code's row (`destination`): nothing else holds it.
"""
from datetime import datetime
from typing import Protocol

from wizard.accounts import activity
from wizard.accounts.models import Account
from wizard.codes import delivery as code_delivery
from wizard.codes import one_time_codes
from wizard.codes.delivery import CodeSettings
from wizard.codes.one_time_codes import Check
from wizard.core import phones
from wizard.messaging import outbox
from wizard.sign_in import service as sign_in

REAUTH, NEW_PHONE = "reauth", "new_phone"


class Composer(Protocol):
    def phone_changed(self, language: str, recipient: str, masked_phone: str, when: datetime) -> outbox.Email: ...


def send_reauth_code(db_session, account: Account, settings: CodeSettings, now: datetime, by_email: bool):
    """To the current phone when there is one (unless out of reach), else to the email.
    Raises one_time_codes.SendLimited."""
    channel = "sms" if sign_in.has_phone_factor(account) and not by_email else "email"
    return code_delivery.send(db_session, account, REAUTH, settings, now, channel=channel)


def check_reauth_code(db_session, account: Account, typed: str, settings: CodeSettings, now: datetime) -> Check:
    return one_time_codes.check(db_session, settings.policy, settings.secret, REAUTH, account.id, typed, now)


def new_phone_limit(db_session, account: Account, phone: str, settings: CodeSettings, now: datetime):
    return one_time_codes.send_limit(db_session, settings.policy, NEW_PHONE, account.id, phone, now)


def send_new_phone_code(db_session, account: Account, phone: str, settings: CodeSettings, now: datetime) -> None:
    """Raises one_time_codes.SendLimited."""
    code, _row = one_time_codes.issue(db_session, settings.policy, settings.secret, NEW_PHONE, account.id, phone,
                                      "sms", now)
    outbox.queue_sms(db_session, phone, settings.sms_text(account.language, code), "new_phone_code", account.id, now)


def pending_number(db_session, account: Account) -> str | None:
    row = one_time_codes.current(db_session, NEW_PHONE, account.id)
    return row.destination if row is not None and row.used_at is None else None


def confirm_new_phone(db_session, account: Account, typed: str, settings: CodeSettings, composer: Composer,
                      device: str, now: datetime) -> Check:
    number = pending_number(db_session, account)
    result = one_time_codes.check(db_session, settings.policy, settings.secret, NEW_PHONE, account.id, typed, now)
    if result.outcome != "ok" or number is None:
        return result
    account.phone, account.code_channel = number, "sms"
    account.phone_verified_at = account.code_channel_confirmed_at = now
    account.phone_code_required_since = None
    activity.record(db_session, account.id, activity.PHONE_CHANGED, device, now)
    mail = composer.phone_changed(account.language, account.email, phones.masked(number), now)
    outbox.queue_email(db_session, mail, "phone_changed", account.id, now)
    return result
