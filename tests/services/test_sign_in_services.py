"""The sign-in services on their own: rough devices, masked addresses, sessions, remembered
browsers, and the purge of what is no longer needed."""
from datetime import datetime, timedelta

import pytest

from tests.views.sign_in_support import make_account
from wizard.accounts.models import AccountEvent
from wizard.codes.models import OneTimeCode
from wizard.password_reset.models import PasswordReset
from wizard.sign_in import devices, remembered_browsers, sessions
from wizard.sign_in import service as sign_in
from wizard.sign_in.models import AccountSession, RememberedBrowser, SignInThrottle

NOW = datetime(2027, 3, 1, 12, 0)
POLICY = sessions.SessionPolicy(idle=timedelta(minutes=15), absolute=timedelta(hours=12))


@pytest.mark.parametrize(("user_agent", "device"), [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox|Windows"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
     "Edg/126.0", "Edge|Windows"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile "
     "Safari/537.36", "Chrome|Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "Safari|iPhone"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Safari/605.1.15", "Safari|macOS"),
    ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/25.0 Chrome/121.0 Mobile Safari/537.36", "Samsung Internet|Android"),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
     "Safari/537.36", "Chrome|ChromeOS"),
    ("curl/8.5.0", "|"),
    ("", "|"),
    (None, "|"),
    ("<script>" * 10000, "|"),
])
def test_a_rough_device_keeps_the_browser_and_the_system_only(user_agent, device):
    assert devices.rough(user_agent) == device


@pytest.mark.parametrize(("email", "masked"), [
    ("jean.martin@exemple.fr", "j•••n@exemple.fr"),
    ("ab@exemple.fr", "a•••@exemple.fr"),
    ("a@exemple.fr", "a•••@exemple.fr"),
])
def test_a_masked_address(email, masked):
    assert sign_in.mask_email(email) == masked


def test_a_session_is_found_by_its_token_only(app, database):
    account_id = make_account(app)
    token, row = database(lambda s: _begin(s, account_id))
    assert row.id == sessions.key(token) and token not in row.id
    found = database(lambda s: sessions.find(s, token, lambda kind: POLICY, NOW + timedelta(minutes=14)))
    assert found.outcome == "ok"
    for junk in (None, "", "nope", 12, ["x"]):
        assert database(lambda s, junk=junk: sessions.find(s, junk, lambda kind: POLICY, NOW).outcome) == "none"


def _begin(db_session, account_id):
    token, row = sessions.begin(db_session, account_id, sessions.SIGN_IN, "Firefox|Windows", NOW)
    db_session.commit()
    db_session.refresh(row)
    db_session.expunge(row)
    return token, row


def test_idle_and_absolute_limits(app, database):
    account_id = make_account(app)
    token, _row = database(lambda s: _begin(s, account_id))

    def find(moment):
        def run(db_session):
            found = sessions.find(db_session, token, lambda kind: POLICY, moment)
            if found.session is not None:
                sessions.touch(found.session, POLICY, moment)
            db_session.commit()
            return found.outcome
        return database(run)

    moment = NOW
    for _ in range(60):  # 14 minutes apart: idle never, absolute after 12 hours
        moment += timedelta(minutes=14)
        if find(moment) != "ok":
            break
    assert moment - NOW >= timedelta(hours=12) and find(moment) == "ended"
    token2, _row = database(lambda s: _begin(s, account_id))
    assert database(lambda s: sessions.find(s, token2, lambda kind: POLICY, NOW + timedelta(minutes=15)).outcome) \
        == "idle"


def test_touching_is_written_at_most_every_so_often(app, database):
    account_id = make_account(app)
    _token, row = database(lambda s: _begin(s, account_id))
    assert not sessions.touch(row, POLICY, NOW + timedelta(seconds=29))
    assert sessions.touch(row, POLICY, NOW + timedelta(seconds=30))
    short = sessions.SessionPolicy(idle=timedelta(seconds=20), absolute=timedelta(hours=1))
    assert sessions.touch(row, short, row.last_seen_at + timedelta(seconds=2))


def test_a_remembered_browser_cookie_is_signed_and_bound_to_its_account(app, database):
    account_id, other = make_account(app), make_account(app, email="autre@exemple.fr")

    def run(db_session):
        cookie, row = remembered_browsers.remember(db_session, "secret", account_id, "|", timedelta(days=90), NOW)
        db_session.commit()
        later = NOW + timedelta(days=89)
        return (cookie, remembered_browsers.recognise(db_session, "secret", cookie, account_id, later) is row,
                remembered_browsers.recognise(db_session, "secret", cookie, other, later),
                remembered_browsers.recognise(db_session, "another secret", cookie, account_id, later),
                remembered_browsers.recognise(db_session, "secret", cookie, account_id, NOW + timedelta(days=90)))
    cookie, mine, theirs, forged, expired = database(run)
    assert mine and theirs is None and forged is None and expired is None


def test_the_purge_command(app, database, monkeypatch):
    account_id = make_account(app)
    old = NOW - timedelta(days=400)

    def seed(db_session):
        db_session.add_all([
            AccountSession(id="a" * 64, account_id=account_id, kind="sign_in", created_at=old, last_seen_at=old),
            AccountSession(id="b" * 64, account_id=account_id, kind="sign_in", created_at=NOW, last_seen_at=NOW),
            RememberedBrowser(id="c" * 32, account_id=account_id, token_hash="0" * 64, created_at=old,
                              last_used_at=old, expires_at=old + timedelta(days=90)),
            PasswordReset(email_digest="d" * 64, token_hash="1" * 64, code_hmac="2" * 64, created_at=old,
                          expires_at=old + timedelta(minutes=30)),
            SignInThrottle(email_digest="e" * 64, failures=3, last_failure_at=old),
            AccountEvent(account_id=account_id, kind="sign_in", created_at=old),
            AccountEvent(account_id=account_id, kind="sign_in", created_at=NOW),
            OneTimeCode(purpose="sign_in", owner=account_id, destination="+33612345678", channel="sms",
                        code_hmac="3" * 64, created_at=old, expires_at=old + timedelta(minutes=3)),
            OneTimeCode(purpose="sign_in", owner=account_id, destination="+33612345678", channel="sms",
                        code_hmac="4" * 64, created_at=NOW, expires_at=NOW + timedelta(minutes=3)),
        ])
        db_session.commit()
    database(seed)
    from wizard.core import clock
    monkeypatch.setattr(clock, "now", lambda: NOW)
    result = app.test_cli_runner().invoke(args=["purge-sign-in"])
    assert result.output.strip() == ("1 sessions, 1 remembered browsers, 1 password resets, 1 codes, "
                                     "1 sign-in pauses, 1 events deleted")
    counts = database(lambda s: [s.query(model).count() for model in
                                 (AccountSession, RememberedBrowser, PasswordReset, SignInThrottle, AccountEvent)])
    assert counts == [1, 0, 0, 0, 1]
