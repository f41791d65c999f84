"""The app's own logs: one JSON object a line, each with the request's id, and one line per
request whose path and query carry no token.

Links in emails and QR codes hold tokens in their path (/inscription/activation/<token>,
/mot-de-passe-oublie/lien/<token>, /k/<token>) and polls hold codes in their query
(?code=): the request line names the route's variables that are secrets instead of their
values, and keeps only the values of the query's harmless parameters. The reverse proxy
must do the same (README, "Déployer"); gunicorn's access log is left off.
"""
import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import g, has_request_context, request

log = logging.getLogger("wizard.request")

# Route variables whose value is a credential, and query parameters whose value is not.
SECRET_VARIABLES = {"token", "browser_id"}
HARMLESS_QUERY = {"v", "vu", "kiosque", "lang"}
_REQUEST_ID = re.compile(r"[A-Za-z0-9\-]{8,64}")
# What a line may carry besides its message: set with `extra=` (security events, the request line).
FIELDS = ("event", "account", "purpose", "method", "path", "status", "ms")
_HANDLER_MARK = "sesame_json"


class JsonFormatter(logging.Formatter):
    def format(self, record) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "request_id": g.get("request_id") if has_request_context() else None}
        entry.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def init_app(app) -> None:
    _configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_begin)
    app.after_request(_log_request)


def _configure_logging(level: str) -> None:
    """The `wizard` loggers write JSON lines to stderr, once per process (tests build many apps)."""
    logger = logging.getLogger("wizard")
    logger.setLevel(level)
    if not any(getattr(handler, _HANDLER_MARK, False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        setattr(handler, _HANDLER_MARK, True)
        logger.addHandler(handler)


def _begin() -> None:
    """The proxy's request id when it sends a sane one, so that its log and ours meet."""
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _log_request(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if request.endpoint != "static" and log.isEnabledFor(logging.INFO):  # the path's masking costs a little
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        log.info("request", extra={"method": request.method, "path": safe_path(), "status": response.status_code,
                                   "ms": round(elapsed, 1)})
    return response


def safe_path() -> str:
    """The request's path and query with every secret replaced by its name."""
    path = request.path
    if request.url_rule is not None and SECRET_VARIABLES & set(request.view_args or ()):
        path = request.url_rule.rule  # e.g. /k/<token>
        for name, value in (request.view_args or {}).items():
            if name not in SECRET_VARIABLES:
                path = path.replace(f"<{name}>", str(value)).replace(f"<path:{name}>", str(value))
    query = [f"{name}={value if name in HARMLESS_QUERY else '…'}" for name, value in request.args.items(multi=True)]
    return path + ("?" + "&".join(query) if query else "")
