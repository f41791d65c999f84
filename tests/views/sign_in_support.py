"""What the tests of signing in, the forgotten password and "Mon compte" share: accounts
made directly in the database, the steps of a sign-in, and a movable clock."""
import re
import secrets
from datetime import timedelta

from tests.conftest import PASSWORD, code_in, newest_message
from wizard.accounts.models import Account
from wizard.core import clock, passwords
from wizard.extensions import db

EMAIL = "jean.martin@exemple.fr"
PHONE = "+33612345678"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
IDENTITY = {"first_name": "Jean", "last_name": "Dupont", "birth_date": "1977-03-06", "identifier": "10203050"}


def make_account(app, email=EMAIL, phone=PHONE, password=PASSWORD, status="active", language="fr",
                 eligible=True) -> str:
    """An account whose signup is complete: address proven, phone proven (unless None),
    coverage confirmed by the insurer (unless `eligible` is false)."""
    now = clock.now()
    with app.app_context():
        hashing = passwords.Hashing(app.config["PASSWORD_HASH_TIME_COST"], app.config["PASSWORD_HASH_MEMORY_KIB"],
                                    app.config["PASSWORD_HASH_PARALLELISM"])
        account = Account(id=secrets.token_hex(16), email=email, status=status,
                          password_hash=passwords.hash_password(password, hashing), language=language,
                          answers={"identity": IDENTITY, "role": {"role": "subscriber"}}, created_at=now,
                          email_given_at=now, activated_at=now if status == "active" else None,
                          phone=phone, phone_verified_at=now if phone else None,
                          code_channel="sms" if phone else "email", code_channel_confirmed_at=now,
                          eligible_at=now if eligible else None, contract_number="1020305056" if eligible else None)
        db.session.add(account)
        db.session.commit()
        return account.id


def later(monkeypatch, **delta):
    """Moves the clock forward, from wherever earlier calls left it."""
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


def type_password(client, email=EMAIL, password=PASSWORD, **extra):
    return client.post("/connexion", data={"email": email, "password": password, **extra})


def sms_code(app, phone=PHONE) -> str:
    return newest_message(app, phone, "sms").body_text.split(" ", 1)[0]


def email_code(app, email=EMAIL) -> str:
    return code_in(newest_message(app, email))


def sign_in(client, email=EMAIL, channel=None, remember=False, password=PASSWORD):
    """Password, channel, code: a full sign-in; returns the last response (303 to /compte).
    `channel`: the one the page offers (SMS with a confirmed phone, else email) unless told."""
    response = type_password(client, email, password)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    if response.headers["Location"] == "/connexion/verification":
        if channel is None:
            offered = re.search(r'name="channel"[^>]*value="(\w+)"|value="(\w+)"[^>]*name="channel"',
                                client.get("/connexion/verification").get_data(as_text=True))
            channel = offered.group(1) or offered.group(2)
        response = client.post("/connexion/verification", data={"channel": channel})
        assert response.headers["Location"] == "/connexion/code"
    elif response.headers["Location"] == "/compte":
        return response  # a remembered browser
    code = sms_code(client.application) if channel == "sms" else email_code(client.application, email)
    response = client.post("/connexion/code", data={"code": code, **({"remember": "y"} if remember else {})})
    assert response.headers["Location"] == "/compte", response.get_data(as_text=True)[:2000]
    return response


def session_cookie(client) -> str:
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value


def session_token(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("account_session")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def reset_link(app, email=EMAIL) -> str:
    text = newest_message(app, email).body_text
    return re.search(r"https?://[^/\s]+(/mot-de-passe-oublie/lien/\S+)", text).group(1)
