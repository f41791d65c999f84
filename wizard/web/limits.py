"""Rate limits. Each limit is a setting (RATELIMIT_*), read when a request is counted, so
that views name the setting and nothing else: `@limiter.limit(configured("RATELIMIT_X"))`.

The activation emails: at most RATELIMIT_ACTIVATION_EMAIL (5 an hour) per IP address and
per email address, whichever page sends them (credentials step, resend, new address, new
link). Per IP, only requests that queued an email count (they answer 303). Per address,
the email is counted when it is about to be queued, after the form was valid: past the
limit it is silently not sent, and no response says how many an address has had."""
from flask import current_app
from limits import parse_many

from wizard.extensions import limiter


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


def activation_email_allowed(address: str) -> bool:
    """Counts one activation email to `address`; False once it has had its share."""
    if not limiter.enabled:
        return True
    windows = parse_many(current_app.config["RATELIMIT_ACTIVATION_EMAIL"])
    return all([limiter.limiter.hit(window, "activation-email-address", address) for window in windows])
