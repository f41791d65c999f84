"""Rate limits. Each limit is a setting (RATELIMIT_*), read when a request is counted, so
that views name the setting and nothing else: `@limiter.limit(configured("RATELIMIT_X"))`.

The activation emails: at most RATELIMIT_ACTIVATION_EMAIL (5 an hour) per IP address and
per email address, whichever page sends them (credentials step, resend, new address, new
link). Per IP, only requests that queued an email count (they answer 303). Per address,
the email is counted when it is about to be queued, after the form was valid: past the
limit it is silently not sent, and no response says how many an address has had."""
import logging

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse, parse_many
from limits.strategies import SlidingWindowCounterRateLimiter

from wizard.extensions import limiter

log = logging.getLogger(__name__)


def init_app(app) -> None:
    """After the blueprints. Every limit of ours decorates a view (or a function a view
    calls), where flask-limiter checks it; its before_request check looks for the default,
    application and blueprint limits, of which there are none: 0.06 ms a request (a third
    of an eligibility poll's hooks) for nothing. It stays if one is ever declared."""
    manager = limiter.limit_manager
    if not (manager.default_limits or manager.application_limits or manager._blueprint_limits):
        app.before_request_funcs[None].remove(limiter._check_request_limit)


def configured(setting: str):
    """The limit a setting holds, for flask-limiter (which calls it per request)."""
    return lambda: current_app.config[setting]


_limit = configured("RATELIMIT_ACTIVATION_EMAIL")


def _email_queued(response) -> bool:
    return response.status_code == 303


def activation_email_limits(view):
    """Per IP, on every page that sends an activation email."""
    return limiter.shared_limit(_limit, scope="activation-email-ip", methods=["POST"],
                                deduct_when=_email_queued)(view)


def hit(setting: str, scope: str, key: str) -> bool:
    """Counts one under the limit of `setting` for `key`; False once it has had its share.
    For what a view cannot decorate: a count made in the middle of a request."""
    if not limiter.enabled:
        return True
    windows = parse_many(current_app.config[setting])
    try:
        return all([limiter.limiter.hit(window, scope, key) for window in windows])
    except Exception as error:  # the storage (Redis) away: not counted, rather than a 500
        log.warning("limit %s not counted: %s", setting, type(error).__name__)
        return True


def activation_email_allowed(address: str) -> bool:
    """Counts one activation email to `address`."""
    return hit("RATELIMIT_ACTIVATION_EMAIL", "activation-email-address", address)


def new_journey_allowed() -> bool:
    """Counts one journey written for this IP (its first answer saved, a kiosk, FranceConnect)."""
    return hit("RATELIMIT_NEW_JOURNEY", "new-journey-ip", get_remote_address())


def unkept_journey_counted() -> bool:
    """Counts one first screen shown, in the funnel, to a journey not written yet, for this IP
    (the same allowance as the journeys written, counted apart)."""
    return hit("RATELIMIT_NEW_JOURNEY", "funnel-unkept-ip", get_remote_address())


def count_recent(scope: str, key: str, window_seconds: int) -> int:
    """Counts one for `key` and returns how many it had in the sliding window, this one
    included: a measure, never a refusal (the ALTCHA cost rises with it). Kept where the
    limits are (Redis: shared by every worker). 0 when that storage cannot be reached."""
    if not limiter.enabled:
        return 0
    counting = parse(f"1000000000 per {window_seconds} seconds")
    try:
        strategy = SlidingWindowCounterRateLimiter(limiter.limiter.storage)
        strategy.hit(counting, scope, key)
        return counting.amount - strategy.get_window_stats(counting, scope, key).remaining
    except Exception as error:  # the storage away: the base cost, rather than a 500
        log.warning("%s not counted: %s", scope, type(error).__name__)
        return 0
