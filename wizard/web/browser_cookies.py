"""What this browser remembers, in cookies of its own (never on a kiosk):
- `sesame_navigateur`: a remembered browser (signed; 90 days), no code asked there;
- `sesame_email`: the remembered address (signed; 13 months at most, the CNIL's limit)."""
from datetime import timedelta

from flask import current_app, g, request
from itsdangerous import BadData, URLSafeSerializer

from wizard import settings
from wizard.core import clock
from wizard.extensions import db
from wizard.sign_in import remembered_browsers
from wizard.web.account_session import device
from wizard.web.kiosk_mode import in_kiosk_mode

BROWSER_COOKIE = "sesame_navigateur"


EMAIL_COOKIE = "sesame_email"


EMAIL_COOKIE_SALT = "sesame.remembered-email.v1"


def _named(name: str) -> str:
    """The cookie's name as set: with COOKIE_PREFIX ("__Host-" in production)."""
    return current_app.config["COOKIE_PREFIX"] + name


def _read(name: str) -> str | None:
    return request.cookies.get(_named(name))


def _queue_cookie(name: str, value: str | None, max_age: timedelta | None = None) -> None:
    g.setdefault("sign_in_cookies", {})[_named(name)] = (value, max_age)


def apply_cookies(response):
    """after_request: writes the cookies the request decided on."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    for name, (value, max_age) in g.get("sign_in_cookies", {}).items():
        if value is None:
            response.delete_cookie(name, httponly=True, samesite="Lax", secure=secure)
        else:
            response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax", secure=secure)
    return response


def browser_cookie() -> str | None:
    return None if in_kiosk_mode() else _read(BROWSER_COOKIE)


def remember_browser(account_id: str) -> remembered_browsers.RememberedBrowser | None:
    """"Se souvenir de moi", never on a kiosk. The row is in the caller's transaction."""
    if in_kiosk_mode():
        return None
    value, row = remembered_browsers.remember(db.session, current_app.config["SECRET_KEY"], account_id, device(),
                                              settings.remember_browser_lifetime(), clock.now())
    _queue_cookie(BROWSER_COOKIE, value, settings.remember_browser_lifetime())
    return row


def recognised_browser(account_id: str) -> remembered_browsers.RememberedBrowser | None:
    return remembered_browsers.recognise(db.session, current_app.config["SECRET_KEY"], browser_cookie(),
                                         account_id, clock.now())


def forget_this_browser() -> None:
    _queue_cookie(BROWSER_COOKIE, None)


def this_browser_id() -> str | None:
    row = remembered_browsers.find(db.session, current_app.config["SECRET_KEY"], browser_cookie(), clock.now())
    return row.id if row else None


def _email_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_COOKIE_SALT)


def remembered_email() -> str:
    cookie = None if in_kiosk_mode() else _read(EMAIL_COOKIE)
    if not cookie or len(cookie) > 600:
        return ""
    try:
        email = _email_serializer().loads(cookie)
    except BadData:
        return ""
    return email if isinstance(email, str) else ""


def remember_email(email: str | None) -> None:
    """Keeps the address for the next visit, or forgets it (None)."""
    if in_kiosk_mode():
        return
    if email:
        _queue_cookie(EMAIL_COOKIE, _email_serializer().dumps(email),
                      timedelta(days=current_app.config["REMEMBER_EMAIL_DAYS"]))
    elif _read(EMAIL_COOKIE) is not None:
        _queue_cookie(EMAIL_COOKIE, None)
