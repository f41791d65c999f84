"""Every column of every table, declared once: personal (why it is held, on what legal
basis, for how long) or not. tests/test_personal_data.py fails when a model gains a column
that is declared neither way, so that the declaration cannot drift from the schema.

Not yet derived from it (see issue #14): the "Mes données" download, the closure and the
privacy notice's table, which still name their columns in wizard/account/my_data.py.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Personal:
    purpose: str
    basis: str  # RGPD art. 6: contract, consent, legal obligation, legitimate interest
    retention: str


CONTRACT, CONSENT, LEGITIMATE = "contract (art. 6.1.b)", "consent (art. 6.1.a)", "legitimate interest (art. 6.1.f)"
ACCOUNT_LIFE = "until the account is closed (unfinished: INCOMPLETE_ACCOUNT_DAYS; unconfirmed: UNCONFIRMED_EMAIL_DAYS)"
SIGN_IN = Personal("signing in, and the second factor", CONTRACT, ACCOUNT_LIFE)
SECURITY = Personal("the account's security, shown in Mon compte", LEGITIMATE, "13 months, or until closure")
JOURNEY = Personal("a signup under way", CONTRACT, "JOURNEY_IDLE_MINUTES after the last answer")
STAFF = Personal("the operator's staff signing in", LEGITIMATE, "while the staff member has an account")

PERSONAL = {
    "accounts": {
        "email": SIGN_IN, "password_hash": SIGN_IN, "phone": SIGN_IN, "franceconnect_sub": SIGN_IN,
        "answers": Personal("the identity checked with the insurer: names, birth date, the identifiers of "
                            "IDENTIFIERS (encrypted)", CONTRACT, ACCOUNT_LIFE),
        "contract_number": Personal("the insurer's contract, shown to the person", CONTRACT, ACCOUNT_LIFE),
        "language": Personal("messages in the person's language", CONTRACT, ACCOUNT_LIFE),
    },
    "consents": {"granted": Personal("proof of consent (art. 7.1)", CONSENT, ACCOUNT_LIFE)},
    "account_events": {"device": SECURITY, "kind": SECURITY, "created_at": SECURITY},
    "account_sessions": {"device": SECURITY, "franceconnect_id_token": SIGN_IN},
    "remembered_browsers": {"device": SECURITY},
    "one_time_codes": {"destination": Personal("where a code was sent (caps per number)", CONTRACT, "1 day")},
    "outbox": {
        "recipient": Personal("delivering a message", CONTRACT, "until delivered, bodies cleared then"),
        "subject": Personal("delivering a message", CONTRACT, "until delivered"),
        "body_text": Personal("delivering a message", CONTRACT, "until delivered"),
        "body_html": Personal("delivering a message", CONTRACT, "until delivered"),
    },
    "journeys": {"answers": JOURNEY},
    "password_reset_follows": {"email": Personal("the address a reset was asked for, shown on its code page",
                                                 CONTRACT, "PASSWORD_RESET_MINUTES")},
    "staff_members": {"email": STAFF, "password_hash": STAFF, "totp_sealed": STAFF, "totp_nonce": STAFF},
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
    "journeys": ("id", "captcha_code", "captcha_code_expires_at", "kiosk_id", "created_at", "updated_at"),
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
               "last_error", "created_at", "sent_at"),
    "password_reset_follows": ("id", "reset_id", "proven", "created_at"),
    "password_resets": ("id", "email_digest", "account_id", "token_hash", "code_hmac", "attempts", "created_at",
                        "expires_at", "verified_at", "used_at", "superseded_at"),
    "remembered_browsers": ("id", "account_id", "token_hash", "created_at", "last_used_at", "expires_at",
                            "revoked_at"),
    "staff_sessions": ("id", "staff_id", "kind", "created_at", "last_seen_at", "ended_at"),
}
