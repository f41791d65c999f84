"""One-time codes delivered to an account: by SMS to its phone, or by email.

Used to prove the phone at signup and, later, as the second factor at sign-in. The code
goes into the outbox in the same transaction as its row: both happen or neither.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wizard.accounts.models import Account
from wizard.codes import one_time_codes
from wizard.codes.models import OneTimeCode
from wizard.codes.one_time_codes import Check, CodePolicy
from wizard.messaging import outbox

PHONE, SIGN_IN = "phone", "sign_in"


@dataclass(frozen=True)
class CodeSettings:
    policy: CodePolicy
    secret: str
    # (language, code) -> the text of the SMS; (language, recipient, code, minutes) -> the Email.
    sms_text: Callable[[str, str], str]
    email: Callable[[str, str, str, int], outbox.Email]


def choose_phone(account: Account, phone: str, channel: str) -> None:
    """A new number, or a new channel, must be proven again."""
    if (account.phone, account.code_channel) != (phone, channel):
        account.phone, account.code_channel = phone, channel
        account.phone_verified_at = account.code_channel_confirmed_at = None


def send(db_session, account: Account, purpose: str, settings: CodeSettings, now: datetime,
         channel: str | None = None) -> OneTimeCode:
    """Raises one_time_codes.SendLimited when the cool-down or a cap holds. `channel`: "sms"
    or "email" for this code only (at sign-in the person chooses); else the account's."""
    channel = channel or account.code_channel
    by_sms = channel == "sms"
    destination = account.phone if by_sms else account.email
    code, row = one_time_codes.issue(db_session, settings.policy, settings.secret, purpose, account.id,
                                     destination, channel, now)
    if by_sms:
        outbox.queue_sms(db_session, account.phone, settings.sms_text(account.language, code),
                         f"{purpose}_code", account.id, now)
    else:
        minutes = int(settings.policy.lifetime.total_seconds() // 60)
        outbox.queue_email(db_session, settings.email(account.language, account.email, code, minutes),
                           f"{purpose}_code", account.id, now)
    return row


def confirm(db_session, account: Account, purpose: str, typed: str, settings: CodeSettings,
            now: datetime) -> Check:
    result = one_time_codes.check(db_session, settings.policy, settings.secret, purpose, account.id, typed, now)
    if result.outcome == "ok" and purpose == PHONE:
        account.code_channel_confirmed_at = now
        if account.code_channel == "sms":
            account.phone_verified_at = now
    return result


def current_code(db_session, account: Account, purpose: str) -> OneTimeCode | None:
    return one_time_codes.current(db_session, purpose, account.id)
