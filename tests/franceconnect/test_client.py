"""The OpenID Connect client against a real provider (oidc-provider, configured like
FranceConnect): every check of the ID token and of the UserInfo JWT, each shown to refuse."""
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import ECKey, KeySet

from tests.franceconnect.support import CLIENT_ID, CLIENT_SECRET, ISABELLE, UserAgent
from wizard.core import clock
from wizard.franceconnect import client

SCOPES = ("openid", "given_name", "family_name", "birthdate", "email")


@pytest.fixture
def settings(provider):
    return client.ClientSettings(
        issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, scopes=SCOPES,
        redirect_uri="http://127.0.0.1:5000/franceconnect/retour",
        post_logout_redirect_uri="http://127.0.0.1:5000/franceconnect/deconnexion")


def authorize(provider, settings, **scenario):
    """Through the provider as a person would; returns the callback's query, the state and nonce."""
    provider.scenario(**({"user": "isabelle"} | scenario))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    back = UserAgent(provider).follow(client.authorization_url(settings, state, nonce))
    assert back.startswith(settings.redirect_uri)
    return {name: values[0] for name, values in parse_qs(urlsplit(back).query).items()}, state, nonce


def test_the_authorization_request_asks_for_eidas1_with_state_and_nonce(settings):
    url = client.authorization_url(settings, "s" * 43, "n" * 43)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(settings.issuer + "/auth?")
    assert query["acr_values"] == ["eidas1"] and query["state"] == ["s" * 43] and query["nonce"] == ["n" * 43]
    assert query["scope"] == [" ".join(SCOPES)] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [settings.redirect_uri] and query["client_id"] == [CLIENT_ID]


def test_a_signed_in_person_comes_back_with_their_identity_checked(provider, settings):
    answer, state, nonce = authorize(provider, settings)
    assert answer["state"] == state
    identity = client.identity(settings, answer["code"], nonce, clock.now())
    assert identity.sub == ISABELLE["sub"]
    assert identity.claims == {name: value for name, value in ISABELLE.items() if name != "sub"}  # no gender...
    checked = client.checked_id_token(settings, identity.id_token, nonce, clock.now())
    assert checked["acr"] == "eidas1" and checked["aud"] == CLIENT_ID


def test_the_claims_asked_for_are_the_only_ones_kept(provider, settings):
    wider = client.ClientSettings(**{**settings.__dict__, "scopes": SCOPES + ("gender", "birthplace")})
    answer, _, nonce = authorize(provider, wider)
    claims = client.identity(wider, answer["code"], nonce, clock.now()).claims
    assert claims["gender"] == "female" and claims["birthplace"] == "75107" and "birthcountry" not in claims


def test_a_wrong_nonce_is_refused(provider, settings):
    answer, _, nonce = authorize(provider, settings, nonce="wrong")
    with pytest.raises(client.Refused) as refused:
        client.identity(settings, answer["code"], nonce, clock.now())
    assert refused.value.reason == client.NONCE


def test_the_nonce_of_another_flow_is_refused(provider, settings):
    answer, _, _ = authorize(provider, settings)
    with pytest.raises(client.Refused) as refused:
        client.identity(settings, answer["code"], secrets.token_urlsafe(32), clock.now())
    assert refused.value.reason == client.NONCE


@pytest.mark.parametrize("acr", ["eidas0", "basic"])
def test_an_acr_below_eidas1_is_refused(provider, settings, acr):
    answer, _, nonce = authorize(provider, settings, acr=acr)
    with pytest.raises(client.Refused) as refused:
        client.identity(settings, answer["code"], nonce, clock.now())
    assert refused.value.reason == client.ACR_TOO_LOW


def test_a_higher_acr_is_accepted(provider, settings):
    answer, _, nonce = authorize(provider, settings, acr="eidas2")
    assert client.identity(settings, answer["code"], nonce, clock.now()).sub == ISABELLE["sub"]


@pytest.mark.parametrize("jwt", ["id_token", "userinfo"])
def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(provider, settings, jwt):
    answer, _, nonce = authorize(provider, settings, foreign_key=jwt)
    with pytest.raises(client.Refused) as refused:
        client.identity(settings, answer["code"], nonce, clock.now())
    assert refused.value.reason == client.SIGNATURE


@pytest.mark.parametrize("claim", ["sub", "aud", "iss"])
def test_a_userinfo_about_someone_else_or_for_another_client_is_refused(provider, settings, claim):
    answer, _, nonce = authorize(provider, settings, **{f"userinfo_{claim}": "someone-else"})
    with pytest.raises(client.Refused) as refused:
        client.identity(settings, answer["code"], nonce, clock.now())
    assert refused.value.reason == client.CLAIMS


def test_an_expired_id_token_is_refused(provider, settings):
    answer, _, nonce = authorize(provider, settings)
    identity = client.identity(settings, answer["code"], nonce, clock.now())
    with pytest.raises(client.Refused) as refused:
        client.checked_id_token(settings, identity.id_token, nonce, clock.now() + timedelta(hours=2))
    assert refused.value.reason == client.CLAIMS


def test_an_id_token_for_another_client_or_issuer_is_refused(provider, settings):
    answer, _, nonce = authorize(provider, settings)
    token = client.identity(settings, answer["code"], nonce, clock.now()).id_token
    for other in ({"client_id": "another-client"}, {"issuer": settings.issuer + "/"}):
        changed = client.ClientSettings(**{**settings.__dict__, **other})
        client._metadata[changed.issuer] = client._metadata[settings.issuer]
        with pytest.raises(client.Refused) as refused:
            client.checked_id_token(changed, token, nonce, clock.now())
        assert refused.value.reason == client.CLAIMS


def test_a_code_is_good_once(provider, settings):
    answer, _, nonce = authorize(provider, settings)
    client.identity(settings, answer["code"], nonce, clock.now())
    with pytest.raises(client.Refused) as refused:
        client.identity(settings, answer["code"], nonce, clock.now())
    assert refused.value.reason == client.PROVIDER_ERROR


def test_an_unknown_key_fetches_the_jwks_once_more(provider, settings, monkeypatch):
    """The provider rotated its keys since we fetched them: one new fetch, and it works."""
    answer, _, nonce = authorize(provider, settings)
    jwks_uri = client.metadata(settings)["jwks_uri"]
    stale = KeySet([ECKey.generate_key("P-256", parameters={"kid": "rotated-out"})])
    monkeypatch.setattr(client, "JWKS_REFETCH_SECONDS", 0)
    client._key_sets[jwks_uri] = (0.0, stale)
    assert client.identity(settings, answer["code"], nonce, clock.now()).sub == ISABELLE["sub"]
    assert client._key_sets[jwks_uri][1] is not stale


def test_the_discovery_document_is_cached(provider, settings, monkeypatch):
    client.metadata(settings)
    monkeypatch.setattr(client, "_get_json", lambda *args: pytest.fail("fetched again"))
    assert client.metadata(settings)["issuer"] == settings.issuer


def test_an_unreachable_provider_is_said_so(settings):
    gone = client.ClientSettings(**{**settings.__dict__, "issuer": "http://127.0.0.1:9", "timeout": 2})
    with pytest.raises(client.Refused) as refused:
        client.authorization_url(gone, "s" * 43, "n" * 43)
    assert refused.value.reason == client.UNREACHABLE


def test_the_end_session_url_carries_the_hint_the_state_and_the_way_back(provider, settings):
    answer, _, nonce = authorize(provider, settings)
    identity = client.identity(settings, answer["code"], nonce, clock.now())
    url = client.logout_url(settings, identity.id_token, "l" * 43)
    query = parse_qs(urlsplit(url).query)
    assert query == {"id_token_hint": [identity.id_token], "state": ["l" * 43],
                     "post_logout_redirect_uri": [settings.post_logout_redirect_uri]}
    back = UserAgent(provider).follow(url)
    assert back == settings.post_logout_redirect_uri + "?state=" + "l" * 43


def test_consent_refused_comes_back_as_access_denied(provider, settings):
    answer, state, _ = authorize(provider, settings, error="access_denied", error_description="refus")
    assert answer == {"error": "access_denied", "error_description": "refus", "state": state,
                      "iss": settings.issuer}
