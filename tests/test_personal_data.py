"""Every column is declared once: personal (purpose, legal basis, retention) or not; the
purges read each table's periods from that declaration."""
import secrets
from datetime import datetime, timedelta

import pytest

from tests.conftest import ClientRequest, normalize_spaces, reconfigure
from wizard.accounts.models import Account, AccountEvent
from wizard.accounts.personal_data import (
    ACCOUNT_LIFE,
    NOT_PERSONAL,
    PERSONAL,
    TABLES,
    Period,
    Personal,
    kept,
    retention,
)
from wizard.codes.models import OneTimeCode
from wizard.core import clock
from wizard.extensions import db
from wizard.messaging.models import OutboxMessage
from wizard.password_reset.models import PasswordReset, ResetFollow
from wizard.sign_in.models import AccountSession, RememberedBrowser
from wizard.signup.models import Journey

NOW = datetime(2026, 11, 20, 12, 0)


def test_every_column_is_declared_exactly_once(app):
    columns = {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns}
    personal = {(table, column) for table, names in PERSONAL.items() for column in names}
    other = {(table, column) for table, names in NOT_PERSONAL.items() for column in names}
    assert not personal & other, sorted(personal & other)
    assert columns - personal - other == set(), f"undeclared: {sorted(columns - personal - other)}"
    assert personal | other <= columns, f"declared but gone: {sorted((personal | other) - columns)}"


def test_each_personal_column_says_why_on_what_basis_and_how_long(app):
    for names in PERSONAL.values():
        for declaration in names.values():
            assert isinstance(declaration, Personal)
            assert declaration.purpose and declaration.basis and declaration.retention and declaration.what



# --- the purges: each table's rows go when its declared period is over, and not before -------

def _account(session, **columns):
    fields = {"id": secrets.token_hex(16), "email": f"{secrets.token_hex(4)}@exemple.fr", "status": "active",
              "language": "fr", "answers": {}, "created_at": NOW - timedelta(days=900),
              "email_given_at": NOW - timedelta(days=900), "activated_at": NOW - timedelta(days=900),
              "eligible_at": NOW, "reminded_at": NOW - timedelta(days=900)}
    fields.update(columns)
    session.add(Account(**fields))
    session.flush()
    return fields["id"]


def _unconfirmed(session, at):
    account_id = _account(session, status="pending", activated_at=None, email_given_at=at)
    return Account, Account.id == account_id


def _incomplete(session, at):
    account_id = _account(session, activated_at=at, eligible_at=None)
    return Account, Account.id == account_id


def _owned(model, owner_column, **columns):
    """A row of `model` for a new account, with `columns` (a callable gets the time)."""
    def make(session, at):
        owner = _account(session)
        values = {name: value(at) if callable(value) else value for name, value in columns.items()}
        session.add(model(**{owner_column: owner}, **values))
        return model, getattr(model, owner_column) == owner
    return make


def _journey(session, at):
    token = secrets.token_hex(32)
    session.add(Journey(id=token, answers={"identity": {"last_name": "Dupont"}}, created_at=at, updated_at=at))
    return Journey, Journey.id == token


def _reset_follow(session, at):
    reset = PasswordReset(email_digest="0" * 64, account_id=_account(session), token_hash=secrets.token_hex(32),
                          code_hmac="0" * 64, created_at=at, expires_at=at)
    session.add(reset)
    session.flush()
    session.add(ResetFollow(id=secrets.token_hex(32), reset_id=reset.id, email="a@exemple.fr", created_at=at))
    return ResetFollow, ResetFollow.reset_id == reset.id


def at(at):
    return at


# A row whose clock (for its purge) reads the time given; how to find it again.
ROWS = {
    "unconfirmed": _unconfirmed,
    "incomplete": _incomplete,
    "account_events": _owned(AccountEvent, "account_id", kind="sign_in", device="Firefox", created_at=at),
    "account_sessions": _owned(AccountSession, "account_id", id=lambda _: secrets.token_hex(32), kind="full",
                               created_at=at, last_seen_at=at, ended_at=at),
    "remembered_browsers": _owned(RememberedBrowser, "account_id", id=lambda _: secrets.token_hex(16),
                                  token_hash="0" * 64, created_at=at, last_used_at=at, expires_at=at),
    "one_time_codes": _owned(OneTimeCode, "owner", purpose="sign_in", destination="+33612345678", channel="sms",
                             code_hmac="0" * 64, created_at=at, expires_at=lambda at: at + timedelta(minutes=3)),
    "outbox": _owned(OutboxMessage, "account_id", channel="email", kind="sign_in_code", recipient="a@exemple.fr",
                     body_text="", status="sent", next_attempt_at=at, created_at=at, sent_at=at),
    "journeys": _journey,
    "password_reset_follows": _reset_follow,
}


# Each declared period, the task whose purge reads it, and the row that tells.
PURGES = {
    ("accounts", "unconfirmed"): ("purge-unconfirmed", "unconfirmed"),
    ("accounts", "incomplete"): ("purge-incomplete", "incomplete"),
    ("account_events", "period"): ("purge-sign-in", "account_events"),
    ("account_sessions", "period"): ("purge-sign-in", "account_sessions"),
    ("remembered_browsers", "period"): ("purge-sign-in", "remembered_browsers"),
    ("one_time_codes", "period"): ("purge-sign-in", "one_time_codes"),
    ("outbox", "period"): ("purge-unconfirmed", "outbox"),
    ("journeys", "period"): ("purge-journeys", "journeys"),
    ("password_reset_follows", "period"): ("purge-sign-in", "password_reset_follows"),
}


def test_every_declared_period_has_its_purge():
    # A table kept for the account's life (consents) goes with it: the account's purges cover it.
    declared = {(table, name) for table in PERSONAL for name in retention(table).periods
                if retention(table) is not ACCOUNT_LIFE or table == "accounts"}
    assert declared == set(PURGES)


def test_a_tables_columns_share_one_retention():
    for table, columns in PERSONAL.items():
        assert len({id(column.retention) for column in columns.values()}) == 1, table


def _purge_around(app, monkeypatch, declared, period_length):
    task, kind = PURGES[declared]
    monkeypatch.setattr(clock, "now", lambda: NOW)
    with app.app_context():
        past = ROWS[kind](db.session, NOW - period_length - timedelta(minutes=1))
        kept_ = ROWS[kind](db.session, NOW - period_length + timedelta(minutes=1))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=[task])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return [db.session.query(model).filter(where).count() for model, where in (past, kept_)]


@pytest.mark.parametrize("declared", sorted(PURGES))
def test_a_row_past_its_declared_retention_is_purged_and_one_before_is_kept(app, monkeypatch, declared):
    length = kept(app.config, *declared)
    assert _purge_around(app, monkeypatch, declared, length) == [0, 1]


@pytest.mark.parametrize("declared", [("account_events", "period"), ("journeys", "period"),
                                      ("accounts", "incomplete")])
def test_a_retention_changed_in_the_declaration_changes_the_purge(app, monkeypatch, declared):
    table, name = declared
    monkeypatch.setitem(retention(table).periods, name, Period(10, "days"))
    reconfigure(app)  # the settings objects read the declaration again
    assert kept(app.config, *declared) == timedelta(days=10)
    assert _purge_around(app, monkeypatch, declared, timedelta(days=10)) == [0, 1]


# --- the privacy notice's table ---------------------------------------------------------------

@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ("Votre compte", "votre adresse e-mail", "l’exécution du contrat (RGPD, art. 6.1.b)",
            "jusqu’à la fermeture du compte ; 9 jours si l’adresse n’est jamais confirmée ; 1 jour après "
            "l’activation si l’inscription n’est jamais terminée")),
    ("en", ("Your account", "your email address", "performance of the contract (GDPR, art. 6.1.b)",
            "until the account is closed; 9 days if the address is never confirmed; 1 day after activation if "
            "the signup is never finished")),
])
def test_the_privacy_notice_shows_each_declared_table_with_its_periods(app, client, language, expected):
    reconfigure(app, UNCONFIRMED_EMAIL_DAYS=9, INCOMPLETE_ACCOUNT_DAYS=1, JOURNEY_IDLE_MINUTES=60)
    client.post("/langue", data={"lang": language})
    page = ClientRequest(client).get("/confidentialite")
    rows = page.select("table.personal-data tbody tr")
    assert len(rows) == len(PERSONAL)
    if language == "fr":
        assert [normalize_spaces(row.select_one("th").get_text()) for row in rows] == [TABLES[t] for t in PERSONAL]
    account = [normalize_spaces(cell.get_text(" ")) for cell in rows[0].select("th, td")]
    assert account[0] == expected[0] and expected[1] in account[1] and account[3] == expected[2]
    assert account[4] == expected[3]
    journeys = normalize_spaces(rows[list(PERSONAL).index("journeys")].select("td")[-1].get_text())
    assert journeys == {"fr": "1 heure après la dernière réponse", "en": "1 hour after the last answer"}[language]
