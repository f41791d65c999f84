"""No dead end and no redirect loop: every GET route, with a journey or an account in each
state a person can be in, answers a page, or a redirect that ends on one within 3 hops."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests.conftest import activated_account, at_step, confirmed_phone
from tests.views.sign_in_support import sign_in
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.eligibility.models import EligibilityCheck
from wizard.signup import steps

EMAIL = "jean.martin@exemple.fr"
PASSWORD_FIELDS = {"password": "Tournesol-Bleu-2026!", "password_confirmation": "Tournesol-Bleu-2026!"}
# What a route's variable part is given: a value that is not ours (a token, a browser).
SAMPLE_VALUES = {"token": "pas-un-jeton", "browser_id": "0" * 32, "filename": "pas-un-fichier.png",
                 "page": "pas-une-page", "slug": "pas-un-tableau"}


def _checked(client):
    client.post("/inscription/eligibilite")


def _unavailable(client, database):
    _checked(client)
    database(lambda s: (s.query(EligibilityCheck).update({"status": "failed"}), s.commit()))


def _expired(client, monkeypatch):
    activated_account(client, EMAIL)
    moment = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: moment)


def _deleted(client, database):
    account_id = activated_account(client, EMAIL)
    database(lambda s: (accounts.forget(s, [account_id]), s.commit()))


def _pending_deleted(client, database):
    STATES["pending"](client, database, None)
    database(lambda s: (accounts.forget(s, [s.query(Account.id).scalar()]), s.commit()))


def _signed_in(client, database):
    confirmed_phone(client, EMAIL, role="beneficiary")
    _checked(client)
    assert database(lambda s: s.query(Account).one().eligible_at) is not None
    sign_in(client)


STATES = {
    "fresh": lambda client, database, monkeypatch: None,
    "journey": lambda client, database, monkeypatch: at_step(client, "qualite"),
    "pending": lambda client, database, monkeypatch: (at_step(client, "identifiants"), client.post(
        "/inscription/identifiants", data={"email": EMAIL, "email_confirmation": EMAIL, **PASSWORD_FIELDS})),
    "activated": lambda client, database, monkeypatch: activated_account(client, EMAIL),
    "phone confirmed": lambda client, database, monkeypatch: confirmed_phone(client, EMAIL),
    "eligible": lambda client, database, monkeypatch: (confirmed_phone(client, EMAIL, role="beneficiary"),
                                                       _checked(client)),
    "refused": lambda client, database, monkeypatch: (confirmed_phone(client, EMAIL, role="subscriber"),
                                                      _checked(client)),
    "unavailable": lambda client, database, monkeypatch: (confirmed_phone(client, EMAIL, role="subscriber"),
                                                          _unavailable(client, database)),
    "expired": lambda client, database, monkeypatch: _expired(client, monkeypatch),
    "deleted": lambda client, database, monkeypatch: _deleted(client, database),
    "pending, deleted": lambda client, database, monkeypatch: _pending_deleted(client, database),
    "signed in": lambda client, database, monkeypatch: _signed_in(client, database),
}


def get_urls(app) -> list[str]:
    """Every GET route, its variables filled (each step's slug for the steps)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.endpoint == "signup.step":
            urls += [rule.build({"slug": step.slug})[1] for step in steps.STEPS]
            continue
        urls.append(rule.build({name: SAMPLE_VALUES[name] for name in rule.arguments})[1])
    return sorted(set(urls))


def follow(client, url: str, hops: int = 3) -> tuple[int, list[str]]:
    """The final status, and the addresses met on the way (a loop or a 4th hop fails)."""
    trail = [url]
    for _ in range(hops + 1):
        response = client.get(trail[-1])
        if response.status_code not in (301, 302, 303, 307, 308):
            return response.status_code, trail
        target = urlsplit(response.headers["Location"])
        trail.append(target.path + (f"?{target.query}" if target.query else ""))
        assert trail[-1] not in trail[:-1], f"a redirect loop: {trail}"
    raise AssertionError(f"more than {hops} redirects: {trail}")


@pytest.mark.parametrize("state", list(STATES))
def test_every_get_route_ends_on_a_page(app, client, database, monkeypatch, state):
    STATES[state](client, database, monkeypatch)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    kept = client.get_cookie(cookie_name)
    urls = get_urls(app)
    assert len(urls) > 40, urls
    for url in urls:
        # Each route from the same state: what one GET does to the cookie does not carry over.
        if kept is not None:
            client.set_cookie(cookie_name, kept.value)
        status, trail = follow(client, url)
        assert status < 500, (state, trail, status)
        assert status in (200, 204, 400, 403, 404, 410, 429), (state, trail, status)
