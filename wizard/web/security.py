"""The security headers of every response."""
from urllib.parse import urlsplit

from flask import current_app


def init_app(app) -> None:
    app.config["CONTENT_SECURITY_POLICY"] = _content_security_policy(app.config)
    app.after_request(_security_headers)


def _content_security_policy(config) -> str:
    """Everything from this origin; hCaptcha's hosts only when the operator turns it on."""
    extra = " https://hcaptcha.com https://*.hcaptcha.com" if config["HCAPTCHA_SITEKEY"] else ""
    # FranceConnect's button and the sign-out are forms whose answer redirects there, and
    # browsers check form-action on the redirect too.
    issuer = urlsplit(config["FRANCECONNECT_ISSUER"] or "")
    provider = f" {issuer.scheme}://{issuer.netloc}" if issuer.netloc else ""
    return (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
        f"base-uri 'none'; frame-ancestors 'none'; form-action 'self'{provider}; "
        f"script-src 'self'{extra}; style-src 'self'{extra}; connect-src 'self'{extra}; "
        f"frame-src {extra.strip() or chr(39) + 'none' + chr(39)}; worker-src 'self' blob:"
    )


# No page asks for a device's sensors or payment: a script injected anyway gets none.
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
                      "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()")


def _security_headers(response):
    config = current_app.config
    response.headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if config["HSTS_SECONDS"]:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={config['HSTS_SECONDS']}; includeSubDomains")
    # Every page is made for its reader (answers, summary, account, codes): no copy in a
    # shared computer's cache or a proxy's. Static files set their own (long, immutable).
    response.headers.setdefault("Cache-Control", "no-store")
    return response
