"""Rate limits. Each limit is a setting (RATELIMIT_*), read when a request is counted, so
that views name the setting and nothing else: `@limiter.limit(configured("RATELIMIT_X"))`.

The activation emails: at most RATELIMIT_ACTIVATION_EMAIL (5 an hour) per IP address and
per email address, whichever page sends them (credentials step, resend, new address, new
link). Only requests that queued an email count: they answer 303."""
from flask import current_app, request

from wizard.extensions import limiter


def configured(setting: str):
    """The limit a setting holds, for flask-limiter (which calls it per request)."""
    return lambda: current_app.config[setting]


_limit = configured("RATELIMIT_ACTIVATION_EMAIL")


def _email_queued(response) -> bool:
    return response.status_code == 303


def typed_address() -> str:
    """The address in the form, compared as it will be stored (case does not matter)."""
    return request.form.get("email", "").strip().lower()[:254]


def activation_email_limits(address):
    """`address()` says which email address this request would write to."""
    def decorate(view):
        view = limiter.shared_limit(_limit, scope="activation-email-address", methods=["POST"],
                                    key_func=lambda: "address:" + (address() or ""),
                                    deduct_when=_email_queued)(view)
        return limiter.shared_limit(_limit, scope="activation-email-ip", methods=["POST"],
                                    deduct_when=_email_queued)(view)
    return decorate
