"""The error pages: the same layout and partial logic as every other page."""
import math
import time
from urllib.parse import urlsplit

from flask import request, url_for
from flask_wtf.csrf import CSRFError

from wizard.extensions import limiter
from wizard.web.rendering import render_page


def init_app(app) -> None:
    def page(template, status):
        return lambda error: render_page(template, status=status, push_url=False)

    app.register_error_handler(404, page("errors/404.html", 404))
    app.register_error_handler(405, page("errors/404.html", 405))
    app.register_error_handler(413, page("errors/413.html", 413))
    app.register_error_handler(429, _too_many_requests)
    app.register_error_handler(500, page("errors/500.html", 500))
    app.register_error_handler(CSRFError, page("errors/csrf.html", 400))


def _too_many_requests(error):
    """When the limit that was hit lets the person try again, and the way back to the page
    they were on (a form's page: where the form was posted from, or its own address)."""
    limit = limiter.current_limit
    seconds = max(1, int(limit.reset_at - time.time())) if limit else 60  # reset_at: a second late
    response = render_page("errors/429.html", status=429, push_url=False, retry_minutes=math.ceil(seconds / 60),
                           back_url=_page_they_were_on())
    response.headers["Retry-After"] = str(seconds)
    return response


def _page_they_were_on() -> str:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/") and not referrer.path.startswith("//"):
        return referrer.path
    return request.path if request.method == "GET" else url_for("signup.start")
