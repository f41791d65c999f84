"""FranceConnect's OpenID Connect, from the client's side: the authorization URL, the code
exchanged for checked tokens and a checked identity, the end-session URL.

Authlib's OAuth client makes the requests (the authorization URL, the token request with
`client_secret_post`, the bearer call to UserInfo); joserfc checks every JWT. Nothing is
trusted unchecked: the ID token's signature, `iss`, `aud` (and `azp`), `exp`, `iat`,
`nonce` and `acr`; the UserInfo answer, which FranceConnect signs, verified in the same
way and for the same `sub`. The keys come from the provider's JWKS, fetched again once
when a token names a key we do not know (the provider rotated its keys). The discovery
document is cached an hour.

Nothing here knows of Flask: the views pass the settings, the state and the nonce.

Authlib, requests and joserfc are imported when a flow runs, not with the app: they weigh
about 20 MiB in every worker, and most deployments never turn FranceConnect on.
"""
from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from authlib.integrations.requests_client import OAuth2Session
    from joserfc.jwk import KeySet

ACR = "eidas1"
# FranceConnect's levels of assurance; anything else is below eidas1.
ACR_LEVELS = {"eidas1": 1, "eidas2": 2, "eidas3": 3}
ALGORITHMS = ["ES256", "RS256"]
LEEWAY_SECONDS = 60  # clocks of two machines differ a little
METADATA_SECONDS = 3600
# An unknown `kid` fetches the JWKS again, but not more often than this: a forger sending
# made-up kids must not make us hammer the provider.
JWKS_REFETCH_SECONDS = 30

# Why a flow failed (the views show a page for each).
PROVIDER_ERROR, UNREACHABLE, NONCE, ACR_TOO_LOW, SIGNATURE, CLAIMS = (
    "provider_error", "unreachable", "nonce", "acr", "signature", "claims")


class Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ClientSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    redirect_uri: str
    post_logout_redirect_uri: str
    timeout: float = 10


@dataclass(frozen=True)
class Identity:
    """What FranceConnect says of the person: `sub`, and only the claims asked for."""
    sub: str
    claims: dict
    id_token: str  # kept for the end-session request (id_token_hint)
    auth_time: float | None = None  # when the person last proved themselves to FranceConnect

    def proven_within(self, now: datetime, seconds: int) -> bool:
        """Whether FranceConnect says the person signed in (again) within `seconds` of `now`."""
        moment = now.timestamp() if now.tzinfo else (now - datetime(1970, 1, 1)).total_seconds()
        return self.auth_time is not None and moment - LEEWAY_SECONDS - seconds <= self.auth_time \
            <= moment + LEEWAY_SECONDS


_metadata: dict[str, tuple[float, dict]] = {}
_key_sets: dict[str, tuple[float, KeySet]] = {}


def forget_cache() -> None:
    _metadata.clear()
    _key_sets.clear()


def metadata(settings: ClientSettings) -> dict:
    """The provider's discovery document, cached METADATA_SECONDS."""
    cached = _metadata.get(settings.issuer)
    if cached and time.monotonic() - cached[0] < METADATA_SECONDS:
        return cached[1]
    document = _get_json(settings, settings.issuer.rstrip("/") + "/.well-known/openid-configuration")
    if document.get("issuer") != settings.issuer:
        raise Refused(CLAIMS)  # a document for another issuer: not the provider we trust
    _metadata[settings.issuer] = (time.monotonic(), document)
    return document


def authorization_url(settings: ClientSettings, state: str, nonce: str, max_age: int | None = None) -> str:
    """`max_age`: a fresh sign-in is asked for (prompt=login), not an open FranceConnect session."""
    fresh = {"prompt": "login", "max_age": max_age} if max_age is not None else {}
    url, _ = _session(settings).create_authorization_url(
        metadata(settings)["authorization_endpoint"], state=state, nonce=nonce, acr_values=ACR, **fresh)
    return url


def identity(settings: ClientSettings, code: str, nonce: str, now: datetime) -> Identity:
    """The code exchanged for tokens; the ID token and the UserInfo JWT checked."""
    import requests
    from authlib.integrations.base_client import OAuthError

    document, oauth = metadata(settings), _session(settings)
    try:
        token = oauth.fetch_token(document["token_endpoint"], code=code, grant_type="authorization_code")
        answer = oauth.get(document["userinfo_endpoint"], timeout=settings.timeout)
    except OAuthError:
        raise Refused(PROVIDER_ERROR) from None
    except requests.RequestException:
        raise Refused(UNREACHABLE) from None
    id_claims = checked_id_token(settings, token.get("id_token", ""), nonce, now)
    if answer.status_code != 200 or not answer.headers.get("Content-Type", "").startswith("application/jwt"):
        raise Refused(SIGNATURE)  # FranceConnect signs UserInfo: an unsigned answer is not its
    userinfo = verified_claims(settings, answer.text.strip())
    audience = userinfo.get("aud", settings.client_id)
    if (userinfo.get("sub") != id_claims["sub"] or userinfo.get("iss", settings.issuer) != settings.issuer
            or settings.client_id not in (audience if isinstance(audience, list) else [audience])):
        raise Refused(CLAIMS)
    asked = set(settings.scopes)
    auth_time = id_claims.get("auth_time")
    return Identity(sub=id_claims["sub"], claims={name: value for name, value in userinfo.items() if name in asked},
                    id_token=token["id_token"],
                    auth_time=float(auth_time) if isinstance(auth_time, (int, float)) else None)


def checked_id_token(settings: ClientSettings, raw: str, nonce: str, now: datetime) -> dict:
    claims = verified_claims(settings, raw)
    moment = now.timestamp() if now.tzinfo else (now - datetime(1970, 1, 1)).total_seconds()
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    in_time = (_number(claims.get("exp")) > moment - LEEWAY_SECONDS
               and _number(claims.get("iat")) <= moment + LEEWAY_SECONDS)
    if not (claims.get("iss") == settings.issuer and settings.client_id in audiences and in_time
            and (len(audiences) == 1 or claims.get("azp") == settings.client_id)
            and isinstance(claims.get("sub"), str) and claims["sub"]):
        raise Refused(CLAIMS)
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise Refused(NONCE)
    if ACR_LEVELS.get(claims.get("acr"), 0) < ACR_LEVELS[ACR]:
        raise Refused(ACR_TOO_LOW)
    return claims


def verified_claims(settings: ClientSettings, raw: str) -> dict:
    """The claims of a JWT signed by one of the provider's keys, or Refused(SIGNATURE)."""
    from joserfc import jws, jwt
    from joserfc.errors import JoseError

    try:
        kid = jws.extract_compact(raw.encode()).headers().get("kid")
    except (JoseError, ValueError):
        raise Refused(SIGNATURE) from None
    keys = _keys(settings)
    if not _holds(keys, kid):
        keys = _keys(settings, refetch=True)
    try:
        return jwt.decode(raw, keys, algorithms=ALGORITHMS).claims
    except (JoseError, ValueError):
        raise Refused(SIGNATURE) from None


def logout_url(settings: ClientSettings, id_token: str, state: str) -> str:
    query = urlencode({"id_token_hint": id_token, "state": state,
                       "post_logout_redirect_uri": settings.post_logout_redirect_uri})
    return f"{metadata(settings)['end_session_endpoint']}?{query}"


# --- helpers ---------------------------------------------------------------------------------

def _session(settings: ClientSettings) -> OAuth2Session:
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(settings.client_id, settings.client_secret, token_endpoint_auth_method="client_secret_post",
                         scope=" ".join(settings.scopes), redirect_uri=settings.redirect_uri,
                         default_timeout=settings.timeout)


def _keys(settings: ClientSettings, refetch: bool = False) -> KeySet:
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    uri = metadata(settings)["jwks_uri"]
    cached = _key_sets.get(uri)
    if cached and (not refetch or time.monotonic() - cached[0] < JWKS_REFETCH_SECONDS):
        return cached[1]
    try:
        keys = KeySet.import_key_set(_get_json(settings, uri))
    except (JoseError, ValueError, KeyError):
        raise Refused(SIGNATURE) from None
    _key_sets[uri] = (time.monotonic(), keys)
    return keys


def _holds(keys: KeySet, kid) -> bool:
    from joserfc.errors import JoseError

    try:
        return kid is not None and keys.get_by_kid(kid) is not None
    except JoseError:
        return False


def _get_json(settings: ClientSettings, url: str) -> dict:
    import requests

    try:
        response = requests.get(url, timeout=settings.timeout)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError):
        raise Refused(UNREACHABLE) from None


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else float("nan")
