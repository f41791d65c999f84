"""Two browsers with one interface: Flask's test client (in-process) and plain HTTP.

Both keep cookies, never follow redirects, send what a phone's browser sends
(Accept-Encoding, Accept-Language) and time each request. `Reply.body` is the body as
it travelled (compressed or not); `Reply.text` is the decoded HTML.

Each browser has an address of its own, as people do: in-process its REMOTE_ADDR; over
HTTP an X-Forwarded-For header, which the app reads when started with PROXY_FIX_X_FOR=1
(as behind the proxy of a deployment). So the limits per address (some are fixed in the
code, such as the eligibility check's 10 per minute) count each person apart, as they
would in production, rather than the whole bench as one address.
"""
import gzip
import http.client
import itertools
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import brotli

BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd", "Accept-Language": "fr-FR,fr;q=0.9"}
HTMX_HEADERS = {"HX-Request": "true"}
_addresses = itertools.count(1)
_addresses_lock = threading.Lock()


def new_address() -> str:
    """A private IPv4 address not given to another browser of this run."""
    with _addresses_lock:
        n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


@dataclass
class Reply:
    status: int
    headers: dict  # lower-case names
    body: bytes
    ms: float  # wall-clock time, request sent to body read
    cpu_ms: float | None = None  # CPU time of the request, in-process only
    header_bytes: int = 0  # status line and headers, over HTTP only

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    @property
    def raw(self) -> bytes:
        encoding = self.headers.get("content-encoding")
        if encoding == "br":
            return brotli.decompress(self.body)
        if encoding == "gzip":
            return gzip.decompress(self.body)
        if encoding:
            raise ValueError(f"unexpected Content-Encoding {encoding}")
        return self.body

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")


def _merge(*dicts) -> dict:
    merged = {}
    for d in dicts:
        merged.update(d or {})
    return merged


class InProcessBrowser:
    """Flask's test client: the app's own time, with no network and no HTTP parsing."""

    def __init__(self, app, accept=BROWSER_HEADERS):
        self.app = app
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = new_address()
        self.accept = accept

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        headers = _merge(self.accept, headers)
        wall, cpu = time.perf_counter(), time.thread_time()
        response = self.client.open(path, method=method, data=data, headers=headers)
        body = response.get_data()
        cpu_ms, ms = (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
        return Reply(response.status_code, {k.lower(): v for k, v in response.headers.items()}, body, ms, cpu_ms)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, data, headers=None):
        return self.request("POST", path, data=data, headers=headers)

    def cookie(self, name: str) -> str | None:
        cookie = self.client.get_cookie(name)
        return cookie.value if cookie else None


@dataclass
class HttpBrowser:
    """One person's browser over HTTP/1.1: a new connection per request, as gunicorn's sync
    workers close each one."""

    base_url: str
    accept: dict = field(default_factory=lambda: dict(BROWSER_HEADERS))
    timeout: float = 30
    cookies: dict = field(default_factory=dict)
    address: str = field(default_factory=new_address)  # sent as X-Forwarded-For

    def __post_init__(self):
        parts = urlsplit(self.base_url)
        self.host, self.port = parts.hostname, parts.port

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        headers = _merge(self.accept, {"X-Forwarded-For": self.address}, headers)
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        ms = (time.perf_counter() - start) * 1000
        for value in response.headers.get_all("Set-Cookie") or ():
            self._keep(value)
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + len(bytes(response.headers))
        return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, content, ms,
                     header_bytes=header_bytes)

    def _keep(self, set_cookie: str) -> None:
        for name, morsel in SimpleCookie(set_cookie).items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, data, headers=None):
        return self.request("POST", path, data=data, headers=headers)

    def cookie(self, name: str) -> str | None:
        return self.cookies.get(name)
