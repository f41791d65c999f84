"""Changes to an account's contacts. The second factor, proven twice: the person (the password,
then a code to the current phone, or to the email when the phone is out of reach), then
the new number (a code sent to it). The number changes only with that last code; the
owner is told by email.

The address: the password, then a code sent to the new address, which alone changes it;
the old address is told, with "ce n'était pas moi" (wizard/account/not_me.py) to undo it.

The new number or address waits in its code's row (`destination`): nothing else holds it.
"""
from datetime import datetime
from typing import Protocol

from wizard.accounts import activity
from wizard.accounts.models import Account, Consent
from wizard.accounts.service import MARKETING_PURPOSES
from wizard.codes import delivery as code_delivery
from wizard.codes import one_time_codes
from wizard.codes.delivery import CodeSettings
from wizard.codes.one_time_codes import Check
from wizard.core import phones
from wizard.messaging import outbox
from wizard.sign_in import service as sign_in

REAUTH, NEW_PHONE, NEW_EMAIL = "reauth", "new_phone", "new_email"


class Composer(Protocol):
    def phone_changed(self, language: str, recipient: str, masked_phone: str, when: datetime,
                      not_me: str | None = None) -> outbox.Email: ...
    def email_changed(self, language: str, recipient: str, new_email: str, when: datetime,
                      not_me: str | None = None) -> outbox.Email: ...
    def address_taken(self, language: str, recipient: str) -> outbox.Email: ...
    def not_me_link(self, account_id: str, kind: str, old_email: str | None = None) -> str | None: ...


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
    mail = composer.phone_changed(account.language, account.email, phones.masked(number), now,
                                  not_me=composer.not_me_link(account.id, "phone_changed"))
    outbox.queue_email(db_session, mail, "phone_changed", account.id, now)
    return result


def send_new_email_code(db_session, account: Account, new_email: str, settings: CodeSettings, composer: Composer,
                        now: datetime) -> None:
    """A code to the new address; if another account holds it, that one's owner is told
    instead (the person sees the same page: no address is confirmed to belong to anyone).
    Raises one_time_codes.SendLimited."""
    code, _row = one_time_codes.issue(db_session, settings.policy, settings.secret, NEW_EMAIL, account.id,
                                      new_email, "email", now)
    if sign_in.active_account(db_session, new_email) is not None:
        outbox.queue_email(db_session, composer.address_taken(account.language, new_email), "address_taken",
                           None, now)
        return
    minutes = int(settings.policy.lifetime.total_seconds() // 60)
    outbox.queue_email(db_session, settings.email(account.language, new_email, code, minutes), "new_email_code",
                       account.id, now)


def confirm_new_email(db_session, account: Account, typed: str, settings: CodeSettings, composer: Composer,
                      device: str, now: datetime) -> Check:
    row = one_time_codes.current(db_session, NEW_EMAIL, account.id)
    result = one_time_codes.check(db_session, settings.policy, settings.secret, NEW_EMAIL, account.id, typed, now)
    if result.outcome != "ok" or row is None or sign_in.active_account(db_session, row.destination) is not None:
        return result if result.outcome != "ok" else Check("missing")
    old, account.email = account.email, row.destination
    activity.record(db_session, account.id, activity.EMAIL_CHANGED, device, now)
    mail = composer.email_changed(account.language, old, row.destination, now,
                                  not_me=composer.not_me_link(account.id, "email_changed", old))
    outbox.queue_email(db_session, mail, "email_changed", account.id, now)
    return result


# --- marketing consents ------------------------------------------------------------------------

def marketing_choices(account: Account) -> dict[str, Consent | None]:
    """The latest answer to each marketing question (answers are added, never updated)."""
    latest = {purpose: None for purpose in MARKETING_PURPOSES}
    for consent in account.consents:  # in the order they were given
        if consent.purpose in latest:
            latest[consent.purpose] = consent
    return latest


def record_marketing(account: Account, chosen: dict[str, bool], wording_version: str, now: datetime) -> int:
    """A new answer for each choice that changed, with the wording's version; how many."""
    changed = [purpose for purpose, consent in marketing_choices(account).items()
               if bool(chosen.get(purpose)) != bool(consent and consent.granted)]
    for purpose in changed:
        account.consents.append(Consent(purpose=purpose, granted=bool(chosen.get(purpose)),
                                        wording_version=wording_version, recorded_at=now))
    return len(changed)
