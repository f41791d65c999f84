"""Security events for the operator's log: failed sign-ins, pauses, codes locked, password
resets, changes of factor. Never personal data: no address, number, name or code; the
account is named by a short reference derived from its random id (enough to follow one
account's events, useless outside this log)."""
import hashlib
import logging

log = logging.getLogger("wizard.security")

# Events that may be an attack: a warning; the others (a reset asked, a phone changed): info.
WARNINGS = {"sign_in_failed", "sign_in_paused", "code_locked", "activation_code_locked", "reset_code_locked"}


def account_ref(account_id: str | None) -> str | None:
    return hashlib.sha256(f"sesame.account-ref:{account_id}".encode()).hexdigest()[:12] if account_id else None


def record(event: str, account_id: str | None = None, **fields) -> None:
    level = logging.WARNING if event in WARNINGS else logging.INFO
    log.log(level, "security event", extra={"event": event, "account": account_ref(account_id), **fields})
