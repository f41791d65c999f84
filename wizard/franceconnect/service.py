"""FranceConnect on our side: the flows in progress, and accounts linked by `sub`.

An identity is linked to an account only by `sub`, FranceConnect's own identifier of the
person for this service, and only by an explicit act: a signup through FranceConnect, or
"Lier FranceConnect" in "Mon compte" after a full sign-in. An email address FranceConnect
gives is never a reason to attach an identity to the account that holds it.

Nothing here reads a request; the views pass plain values, and the request commits.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from wizard.accounts import activity
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.core.identity import NameKeys, Refused
from wizard.franceconnect.models import FranceConnectFlow
from wizard.sign_in import service as sign_in

SIGN_IN, LINK, REAUTH = "sign_in", "link", "reauth"
# A re-authentication (for a guarded action of "Mon compte"): FranceConnect must say the
# person signed in again within this many seconds (max_age), as the linked identity.
REAUTH_SECONDS = 300
# Why a way back is refused before FranceConnect's tokens are even asked for.
NO_FLOW, EXPIRED = "state", "expired"
# What linking gives.
LINKED, TAKEN = "linked", "taken"


@dataclass(frozen=True)
class Started:
    token: str  # for the browser's cookie
    state: str
    nonce: str


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db_session, purpose: str, now: datetime, account_id: str | None = None) -> Started:
    """A new flow: `state` and `nonce` of 43 characters each, from `secrets`."""
    started = Started(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(32))
    db_session.add(FranceConnectFlow(id=_key(started.token), state=started.state, nonce=started.nonce,
                                     purpose=purpose, account_id=account_id, created_at=now))
    return started


def take(db_session, token: str | None, state: str, now: datetime,
         lifetime: timedelta) -> tuple[FranceConnectFlow | None, str | None]:
    """The flow this browser started, used up whatever comes back: (flow, None) when the
    way back is its own, else (None, why): no flow here, another state (a forged or replayed
    answer), or too late."""
    flow = db_session.get(FranceConnectFlow, _key(token)) if isinstance(token, str) and token else None
    if flow is None:
        return None, NO_FLOW
    db_session.delete(flow)
    if not hmac.compare_digest(flow.state.encode(), (state or "").encode()):
        return None, NO_FLOW
    if now - flow.created_at > lifetime:
        return None, EXPIRED
    return flow, None


def purge(db_session, before: datetime) -> int:
    """Flows abandoned before `before` (the person never came back)."""
    return db_session.query(FranceConnectFlow).filter(FranceConnectFlow.created_at < before).delete(
        synchronize_session=False)


def linked_account(db_session, sub: str) -> Account | None:
    return db_session.scalar(select(Account).where(Account.franceconnect_sub == sub))


def address_taken(db_session, email: str | None) -> bool:
    """Whether an active account holds this address (given by FranceConnect, not typed)."""
    try:
        return bool(email) and sign_in.active_account(db_session, accounts.normalise_email(email)) is not None
    except Refused:
        return False


def same_person(account: Account, claims: dict) -> bool:
    """Whether the identity FranceConnect gave is the account's: the names matched as the
    insurer matches its card's (NameKeys: case, accents, hyphens and spaces do not count,
    some of the given names in order are enough), FranceConnect's civil-status names
    playing the card's part; and the same birth date, when the operator asks for it. The
    family name is the birth name, or the usage name (`preferred_username`) when the
    operator asks for it and FranceConnect has one: an account opened under a married name."""
    applicant = account.applicant
    family_name, given_names, born = (claims.get(name) for name in ("family_name", "given_name", "birthdate"))
    if applicant is None or not (isinstance(family_name, str) and isinstance(given_names, str)):
        return False  # nothing to compare: never linked on trust
    person = applicant.person
    usage_name = claims.get("preferred_username")
    names = [family_name] + ([usage_name] if isinstance(usage_name, str) and usage_name.strip() else [])
    return (any(person.name_keys.matches_card(NameKeys.of(name, given_names)) for name in names)
            and ("birthdate" not in claims or born == person.birth_date.isoformat()))


def link(db_session, account: Account, sub: str, device: str, now: datetime) -> str:
    owner = linked_account(db_session, sub)
    if owner is not None and owner.id != account.id:
        return TAKEN  # that FranceConnect identity opens another account
    account.franceconnect_sub = sub
    activity.record(db_session, account.id, activity.FRANCECONNECT_LINKED, device, now)
    return LINKED


def is_the_linked_one(account: Account, identity_sub: str) -> bool:
    return account.franceconnect_sub is not None and hmac.compare_digest(account.franceconnect_sub.encode(),
                                                                         identity_sub.encode())


def can_unlink(account: Account) -> bool:
    """Only with a password: else the account could no longer be opened at all."""
    return account.password_hash is not None


def unlink(db_session, account: Account, device: str, now: datetime) -> bool:
    if not can_unlink(account) or account.franceconnect_sub is None:
        return False
    account.franceconnect_sub = None
    activity.record(db_session, account.id, activity.FRANCECONNECT_UNLINKED, device, now)
    return True
