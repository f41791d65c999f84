"""The CAPTCHA gate: three ways to show that a person, not a script, is there.

- ALTCHA (the default): a proof of work solved by the browser, self-hosted, offline.
- hCaptcha, when the operator sets its keys: checked by our own siteverify call
  (the `hcaptcha` package is async-only, has no timeout and logs the secret).
- A spoken code, for everyone without JavaScript: six digits shown as an image and
  read aloud in the person's language, valid a few minutes, renewable. The digits are an
  HMAC of a random token (kept, with its expiry, in the session cookie: no row until the
  person passes), and each token is spent on its first try.

Each check answers True or False and fails closed: a network error is a refusal.
"""
import functools
import hashlib
import hmac
import io
import ipaddress
import json
import logging
import math
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import altcha
from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha
from sqlalchemy.exc import IntegrityError

from wizard.signup.models import SpentCaptcha

log = logging.getLogger(__name__)

HCAPTCHA_TEST_SITEKEY = "10000000-ffff-ffff-ffff-000000000001"
HCAPTCHA_TEST_HOSTNAME = "dummy-key-pass"
ALTCHA_ALGORITHM = "PBKDF2/SHA-256"
# A real solution is about 300 characters; a nested JSON payload of a few KB already
# recurses past Python's limit.
ALTCHA_PAYLOAD_MAX = 2000
VOICES = Path(__file__).resolve().parent.parent / "voices"


@dataclass(frozen=True)
class HCaptchaSettings:
    sitekey: str
    secret: str
    verify_url: str
    timeout: float


# --- ALTCHA ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AltchaCost:
    """The proof of work's cost for one network, from how many challenges it asked for
    lately: `base` up to `free` of them, then doubled each time their number doubles, up
    to `ceiling`. A person asks for one or two; a script that asks for thousands pays
    for each in CPU time, and the cost falls back as its challenges age out of the window."""
    base: int
    free: int
    ceiling: int

    def for_recent(self, recent: int) -> int:
        if recent <= self.free or self.free <= 0:
            return self.base
        doublings = math.ceil(math.log2(recent / self.free))
        return min(self.base * 2 ** doublings, max(self.base, self.ceiling))


def network(address: str | None) -> str:
    """What one household, office or host has: an IPv4 /24, an IPv6 /48 (one site's prefix)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def altcha_challenge(hmac_secret: str, cost: int, now: datetime, minutes: int) -> dict:
    challenge = altcha.create_challenge(
        ALTCHA_ALGORITHM, cost, expires_at=int((now + timedelta(minutes=minutes)).timestamp()),
        hmac_secret=hmac_secret,
    )
    return challenge.to_dict()


def altcha_verified(payload: str, hmac_secret: str, db_session) -> bool:
    """True once per solved challenge: a replayed solution is refused."""
    if len(payload) > ALTCHA_PAYLOAD_MAX:
        return False
    try:
        result = altcha.verify_solution(payload, hmac_secret)
        signature = altcha.Payload.from_base64(payload).challenge.signature
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return False
    if not (result.verified and signature):
        return False
    return _spend(db_session, signature)


def _spend(db_session, proof: str) -> bool:
    """Records a proof as used; False if it already was (two requests racing included)."""
    spent = SpentCaptcha(signature=hashlib.sha256(proof.encode()).hexdigest())
    try:
        with db_session.begin_nested():
            db_session.add(spent)
    except IntegrityError:
        return False
    return True


def purge_spent(db_session, before: datetime) -> int:
    """Proofs spent before `before`: their challenge or token has expired, a replay fails anyway."""
    return db_session.query(SpentCaptcha).filter(SpentCaptcha.spent_at < before).delete()


# --- hCaptcha --------------------------------------------------------------------------

def hcaptcha_verified(token: str, settings: HCaptchaSettings, remote_ip: str | None) -> bool:
    if not token:
        return False
    form = {"secret": settings.secret, "response": token, "sitekey": settings.sitekey}
    if remote_ip:
        form["remoteip"] = remote_ip
    request = urllib.request.Request(
        settings.verify_url, data=urllib.parse.urlencode(form).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:
            answer = json.loads(response.read(65536))
    except (OSError, ValueError):
        log.warning("hCaptcha siteverify unreachable or unreadable; refusing")
        return False
    if not answer.get("success"):
        log.info("hCaptcha refused: %s", answer.get("error-codes"))
        return False
    # The published test keys pass everything: accept them only with the test sitekey.
    is_test_answer = answer.get("hostname") == HCAPTCHA_TEST_HOSTNAME
    return is_test_answer == (settings.sitekey == HCAPTCHA_TEST_SITEKEY)


# --- the spoken code -------------------------------------------------------------------

def new_spoken_token() -> str:
    return secrets.token_urlsafe(16)


def spoken_code(token: str, secret: str) -> str:
    """The six digits a token stands for: whoever holds the secret derives them (the image,
    the sound, the check), the token alone (readable in the signed cookie) tells nothing."""
    digest = hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8]) % 10**6).zfill(6)  # 2**64 draws: no digit favoured


def spend_spoken_token(db_session, token: str) -> bool:
    """A token's one try; False if it was tried before (an old cookie replayed)."""
    return _spend(db_session, "spoken:" + token)


def spoken_code_matches(typed: str, expected: str) -> bool:
    typed = "".join(typed.split())
    return secrets.compare_digest(typed.encode(), expected.encode())


def spoken_code_image(code: str) -> bytes:
    """A PNG of 16 colours: it looks the same as the package's full-colour one, and weighs
    about 2.7 KB instead of 9 KB on the CAPTCHA step, often a phone's first page."""
    buffer = io.BytesIO()
    # Dark characters on white (the package's default draws random, sometimes pale, ones):
    # people with low vision must be able to read it; the noise still stops simple OCR.
    image = ImageCaptcha(width=280, height=90).generate_image(" ".join(code), bg_color=(255, 255, 255),
                                                             fg_color=(20, 30, 60, 255))
    image.quantize(16).save(buffer, format="png")
    return buffer.getvalue()


_audio = {}


@functools.lru_cache(maxsize=512)
def spoken_code_audio(code: str, language: str) -> bytes:
    """A WAV file reading the digits; French voices are ours, English ones the package's.
    Its noise costs about 0.6 s of CPU: a code's file is built once (a player asks again for
    each replay and each range), and kept for the few codes of the last minutes."""
    if language not in _audio:
        voices = VOICES / language
        _audio[language] = AudioCaptcha(voicedir=str(voices)) if voices.is_dir() else AudioCaptcha()
    return bytes(_audio[language].generate(code))
