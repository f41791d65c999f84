"""Changes to an account's contacts. The second factor, proven twice: the person (the password,
then a code to the current phone, or to the email when the phone is out of reach), then
the new number (a code sent to it). The number changes only with that last code; the
owner is told by email.

The address: the password, then a code and a link sent to the new address (the link works
from any browser, once, while the code is valid), which alone change it; the old address is
told, with "ce n'était pas moi" (wizard/account/not_me.py) to undo it.

The new number or address waits in its code's row (`destination`): nothing else holds it.
"""
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from wizard.accounts import activity
from wizard.accounts.models import Account, Consent
from wizard.accounts.service import MARKETING_PURPOSES
from wizard.codes import delivery as code_delivery
from wizard.codes import one_time_codes
from wizard.codes.delivery import CodeSettings
from wizard.codes.one_time_codes import Check
from wizard.core import phones, tokens
from wizard.messaging import outbox
from wizard.sign_in import service as sign_in

REAUTH, NEW_PHONE, NEW_EMAIL = "reauth", "new_phone", "new_email"


class Composer(Protocol):
    def phone_changed(self, language: str, recipient: str, masked_phone: str, when: datetime,
                      not_me: str | None = None) -> outbox.Email: ...
    def email_changed(self, language: str, recipient: str, new_email: str, when: datetime,
                      not_me: str | None = None) -> outbox.Email: ...
    def address_taken(self, language: str, recipient: str) -> outbox.Email: ...
    def new_email(self, language: str, recipient: str, link: str, code: str, minutes: int) -> outbox.Email: ...
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
                        link_for: Callable[[str], str], now: datetime) -> None:
    """A code and a link to the new address (the link confirms from any browser); if another
    account holds it, that one's owner is told instead (the person sees the same page: no
    address is confirmed to belong to anyone). Raises one_time_codes.SendLimited."""
    code, row = one_time_codes.issue(db_session, settings.policy, settings.secret, NEW_EMAIL, account.id,
                                     new_email, "email", now)
    if sign_in.active_account(db_session, new_email) is not None:
        outbox.queue_email(db_session, composer.address_taken(account.language, new_email), "address_taken",
                           None, now)
        return
    db_session.flush()  # the row's id is in the link
    link = link_for(tokens.new_email_link_token(settings.secret, account.id, row.id))
    minutes = int(settings.policy.lifetime.total_seconds() // 60)
    outbox.queue_email(db_session, composer.new_email(account.language, new_email, link, code, minutes),
                       "new_email_code", account.id, now)


def confirm_new_email(db_session, account: Account, typed: str, settings: CodeSettings, composer: Composer,
                      device: str, now: datetime) -> Check:
    row = one_time_codes.current(db_session, NEW_EMAIL, account.id)
    result = one_time_codes.check(db_session, settings.policy, settings.secret, NEW_EMAIL, account.id, typed, now)
    if result.outcome != "ok" or row is None or not _change_email(db_session, account, row.destination, composer,
                                                                  device, now):
        return result if result.outcome != "ok" else Check("missing")
    return result


def link_account(db_session, token: str, settings: CodeSettings) -> Account | None:
    """The account a new-address link is for, if it is ours and in time (it may be used up)."""
    read = tokens.read_new_email_link_token(settings.secret, token, int(settings.policy.lifetime.total_seconds()))
    return db_session.get(Account, read[0]) if read is not None else None


def confirm_new_email_by_link(db_session, token: str, settings: CodeSettings, composer: Composer, device: str,
                              now: datetime) -> Account | None:
    """The link of the newest request, unused, in time, its code not locked by wrong guesses:
    the address changes (once: the row is marked used by one UPDATE). None otherwise."""
    read = tokens.read_new_email_link_token(settings.secret, token, int(settings.policy.lifetime.total_seconds()))
    account = db_session.get(Account, read[0]) if read is not None else None
    row = one_time_codes.current(db_session, NEW_EMAIL, account.id) if account is not None else None
    if row is None or row.id != read[1] or row.expires_at <= now or row.attempts >= settings.policy.max_attempts:
        return None
    if not one_time_codes.use(db_session, row, now):
        return None  # used already, or by a request a moment before
    return account if _change_email(db_session, account, row.destination, composer, device, now) else None


def _change_email(db_session, account: Account, new_email: str, composer: Composer, device: str,
                  now: datetime) -> bool:
    """The new address, unless an account took it meanwhile; the old one told, with the way back."""
    if sign_in.active_account(db_session, new_email) is not None:
        return False
    old, account.email = account.email, new_email
    activity.record(db_session, account.id, activity.EMAIL_CHANGED, device, now)
    mail = composer.email_changed(account.language, old, new_email, now,
                                  not_me=composer.not_me_link(account.id, "email_changed", old))
    outbox.queue_email(db_session, mail, "email_changed", account.id, now)
    return True


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
