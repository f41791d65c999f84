"""Accounts: signup, activation by link or code, anti-enumeration, the purge
(wizard/accounts/service.py), without HTTP."""
from datetime import datetime, timedelta

import pytest

from wizard.accounts import service as accounts
from wizard.accounts.models import Account, Consent, EmailActivation
from wizard.core import clock, passwords, tokens
from wizard.core.identity import Refused
from wizard.messaging.models import OutboxMessage
from wizard.messaging.outbox import Email

NOW = datetime(2026, 11, 22, 10, 0, 0)
ANSWERS = {
    "captcha": {"passed_at": "2026-11-22T09:50:00"},
    "identity": {"last_name": "Dupont", "first_name": "Jean", "birth_date": "1977-03-06", "identifier": "10203050"},
    "role": {"role": "subscriber"},
    "summary": {"accepted_at": "2026-11-22T09:58:00", "terms_version": "2026-11-01", "privacy_version": "2026-10-01"},
}
CHEAP = passwords.Hashing(time_cost=1, memory_kib=64, parallelism=1)


class Composer:
    """Writes what the templates would, in a form the tests can read."""

    def activation(self, language, recipient, link, code, hours):
        return Email(recipient, f"activation {language}", f"{link} {code} {hours}", "")

    def address_taken(self, language, recipient):
        return Email(recipient, f"address_taken {language}", "someone tried", "")


SETTINGS = accounts.ActivationSettings(
    secret_key="test-secret-key", link_hours=72, resend_seconds=60, code_attempts=3,
    link_for=lambda token: f"https://sesame.test/inscription/activation/{token}", composer=Composer(),
)


def signup(email="jean@exemple.fr", language="fr", marketing=None):
    return accounts.Signup(email=email, password="Tr3s-Sûr-Bateau", language=language, answers=ANSWERS,
                           marketing=marketing or {"marketing_sms": True}, marketing_version="2026-11-01")


def register(session, when=NOW, **kwargs) -> Account:
    account = accounts.register(session, signup(**kwargs), CHEAP, SETTINGS, when)
    session.commit()
    return account


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """Links are signed at the clock's time: at NOW, as every date in these tests, not at
    the wall clock's (a test then depended on the hour it ran at)."""
    monkeypatch.setattr(clock, "now", lambda: NOW)


def link_token(account) -> str:
    return tokens.activation_link_token(SETTINGS.secret_key, account.id, account.activation.generation)


def code(account) -> str:
    return tokens.activation_code(SETTINGS.secret_key, account.id, account.activation.generation)


def messages(session):
    return [(m.kind, m.recipient, m.subject) for m in session.query(OutboxMessage).order_by(OutboxMessage.id)]


@pytest.mark.parametrize(("typed", "stored"), [
    ("Jean.Dupont@Exemple.FR", "jean.dupont@exemple.fr"),
    ("jean@exemple.fr", "jean@exemple.fr"),
    ("élodie@exemple.fr", "élodie@exemple.fr"),
])
def test_addresses_are_stored_normalised(typed, stored):
    assert accounts.normalise_email(typed) == stored


@pytest.mark.parametrize(("typed", "reason"), [
    ("jean.exemple.fr", "no_at"), ("jean@", "invalid"), ("jean@exemple", "invalid"), ("a b@exemple.fr", "invalid"),
    ("jean@@exemple.fr", "invalid"), ("x" * 250 + "@exemple.fr", "too_long"), ("<script>@exemple.fr", "invalid"),
])
def test_malformed_addresses_are_refused_with_a_reason(typed, reason):
    with pytest.raises(Refused) as refusal:
        accounts.normalise_email(typed)
    assert refusal.value.reason == reason


def test_signup_creates_a_pending_account_and_queues_its_email(database):
    def check(session):
        account = register(session)
        assert account.status == "pending" and account.email == "jean@exemple.fr" and account.language == "fr"
        assert account.password_hash.startswith("$argon2id$")
        assert passwords.verify(account.password_hash, "Tr3s-Sûr-Bateau", CHEAP)[0]
        assert set(account.answers) == {"identity", "role"}  # not the CAPTCHA, not the terms
        assert account.activation.generation == 1 and account.activation.sent_at == NOW
        consents = {c.purpose: (c.granted, c.wording_version, c.recorded_at) for c in account.consents}
        assert consents == {
            "terms": (True, "2026-11-01", datetime(2026, 11, 22, 9, 58)),
            "privacy": (True, "2026-10-01", datetime(2026, 11, 22, 9, 58)),
            "marketing_email": (False, "2026-11-01", NOW),
            "marketing_sms": (True, "2026-11-01", NOW),
            "marketing_phone": (False, "2026-11-01", NOW),
        }
        [message] = session.query(OutboxMessage).all()
        assert (message.kind, message.recipient, message.account_id) == ("activation", "jean@exemple.fr", account.id)
        assert link_token(account) in message.body_text and code(account) in message.body_text
    database(check)


def test_an_address_with_an_account_gets_a_warning_and_nobody_learns_it(database):
    def check(session):
        owner = register(session, language="en")
        assert accounts.activate_with_link(session, link_token(owner), SETTINGS, NOW).outcome == accounts.ACTIVATED
        session.commit()
        newcomer = register(session, when=NOW + timedelta(hours=1), language="fr")
        # The newcomer gets an account row like anyone (same work, same pages)...
        assert newcomer.status == "pending" and newcomer.activation.generation == 1
        # ...and the owner, not the newcomer, gets an email, in the owner's language.
        assert messages(session)[-1] == ("address_taken", "jean@exemple.fr", "address_taken en")
        assert session.query(OutboxMessage).filter_by(account_id=newcomer.id).count() == 0
        # A code typed by the newcomer is wrong like any wrong code; even the right one cannot activate.
        assert accounts.activate_with_code(session, newcomer, "000000", SETTINGS, NOW) == accounts.WRONG_CODE
        assert accounts.activate_with_code(session, newcomer, code(newcomer), SETTINGS, NOW) == accounts.USED
        assert newcomer.status == "pending"
    database(check)


def test_only_the_newest_link_works(database):
    def check(session):
        account = register(session)
        first = link_token(account)
        accounts.resend(session, account, "fr", SETTINGS, NOW + timedelta(minutes=2))
        assert accounts.check_link(session, first, SETTINGS).outcome == accounts.SUPERSEDED
        assert accounts.check_link(session, link_token(account), SETTINGS).outcome == accounts.VALID
    database(check)


def test_a_resend_waits_for_the_cool_down(database):
    def check(session):
        account = register(session)
        with pytest.raises(accounts.TooSoon) as too_soon:
            accounts.resend(session, account, "fr", SETTINGS, NOW + timedelta(seconds=15))
        assert too_soon.value.seconds == 45
        accounts.resend(session, account, "en", SETTINGS, NOW + timedelta(seconds=60))
        assert account.activation.generation == 2 and messages(session)[-1][2] == "activation en"
    database(check)


def test_a_new_address_kills_the_links_sent_to_the_old_one(database):
    def check(session):
        account = register(session)
        old = link_token(account)
        accounts.change_email(session, account, "jean.dupont@exemple.fr", "fr", SETTINGS, NOW + timedelta(hours=1))
        assert accounts.check_link(session, old, SETTINGS).outcome == accounts.ADDRESS_CHANGED
        assert account.email_given_at == NOW + timedelta(hours=1)
        assert messages(session)[-1][:2] == ("activation", "jean.dupont@exemple.fr")
        accounts.resend(session, account, "fr", SETTINGS, NOW + timedelta(hours=2))
        assert accounts.check_link(session, old, SETTINGS).outcome == accounts.ADDRESS_CHANGED
    database(check)


def test_a_link_is_used_once(database):
    def check(session):
        account = register(session)
        token = link_token(account)
        assert accounts.activate_with_link(session, token, SETTINGS, NOW).outcome == accounts.ACTIVATED
        assert account.status == "active" and account.activated_at == NOW and account.activation.used_at == NOW
        assert accounts.activate_with_link(session, token, SETTINGS, NOW).outcome == accounts.USED
    database(check)


def test_an_expired_link_can_bring_a_new_one_to_another_address(database, monkeypatch):
    def check(session):
        account = register(session)
        token = link_token(account)
        later = NOW + timedelta(hours=73)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert accounts.check_link(session, token, SETTINGS).outcome == accounts.EXPIRED
        renewed = accounts.renew_link(session, token, "autre@exemple.fr", "fr", SETTINGS, later)
        assert renewed.outcome == accounts.EXPIRED and account.email == "autre@exemple.fr"
        assert accounts.check_link(session, link_token(account), SETTINGS).outcome == accounts.VALID
        # The old link cannot be used twice to renew, nor to send to yet another address.
        again = accounts.renew_link(session, token, "troisieme@exemple.fr", "fr", SETTINGS, later)
        assert again.outcome == accounts.ADDRESS_CHANGED and account.email == "autre@exemple.fr"
    database(check)


def test_a_code_has_few_tries_and_the_link_still_works_after(database):
    def check(session):
        account = register(session)
        outcomes = [accounts.activate_with_code(session, account, "000000", SETTINGS, NOW) for _ in range(3)]
        assert outcomes == [accounts.WRONG_CODE, accounts.WRONG_CODE, accounts.TOO_MANY_CODES]
        assert accounts.activate_with_code(session, account, code(account), SETTINGS, NOW) == accounts.TOO_MANY_CODES
        assert accounts.activate_with_link(session, link_token(account), SETTINGS, NOW).outcome == accounts.ACTIVATED
    database(check)


def test_a_code_expires_with_its_email(database):
    def check(session):
        account = register(session)
        late = NOW + timedelta(hours=72, seconds=1)
        assert accounts.activate_with_code(session, account, code(account), SETTINGS, late) == accounts.EXPIRED
        assert accounts.activate_with_code(session, account, f" {code(account)[:3]} {code(account)[3:]} ",
                                           SETTINGS, NOW) == accounts.ACTIVATED
    database(check)


def test_two_pending_signups_of_one_address_the_first_proven_wins(database):
    def check(session):
        first, second = register(session), register(session)
        assert accounts.activate_with_link(session, link_token(second), SETTINGS, NOW).outcome == accounts.ACTIVATED
        session.commit()
        assert accounts.activate_with_link(session, link_token(first), SETTINGS, NOW).outcome == accounts.USED
        assert first.status == "pending"
    database(check)


def test_the_purge_forgets_unconfirmed_addresses_only(database):
    def check(session):
        old = register(session, when=NOW - timedelta(days=22))
        changed = register(session, when=NOW - timedelta(days=22))
        accounts.change_email(session, changed, "nouvelle@exemple.fr", "fr", SETTINGS, NOW - timedelta(days=2))
        active = register(session, when=NOW - timedelta(days=30), email="actif@exemple.fr")
        accounts.activate_with_link(session, link_token(active), SETTINGS, NOW - timedelta(days=29))
        recent = register(session, when=NOW - timedelta(days=20))
        session.commit()
        old_id = old.id
        assert accounts.purge_unconfirmed(session, NOW - timedelta(days=21)) == 1
        session.commit()
        remaining = {a.id for a in session.query(Account)}
        assert remaining == {changed.id, active.id, recent.id}
        for model in (EmailActivation, Consent, OutboxMessage):
            assert session.query(model).filter_by(account_id=old_id).count() == 0
    database(check)
