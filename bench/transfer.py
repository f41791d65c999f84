"""Bytes: every page and every htmx swap (raw, gzip, brotli, as served), the first page's
whole transfer and the second visit's, and a check that nothing is loaded from another
origin."""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench.clients import HTMX_HEADERS, HttpBrowser, InProcessBrowser
from bench.journey import Journey, csrf_token

ENCODINGS = {"raw": {"Accept-Encoding": "identity"}, "gzip": {"Accept-Encoding": "gzip"},
             "br": {"Accept-Encoding": "br"}}
# Pages that need no journey. The kiosk id is any id when KIOSKS is unset.
PAGES = [("landing", "/"), ("terms", "/conditions-generales"), ("privacy", "/confidentialite"),
         ("accessibility", "/accessibilite"), ("typed code", "/code"), ("kiosk screen", "/borne?kiosque=bench"),
         ("kiosk poster", "/borne/affiche?kiosque=bench"), ("not found", "/introuvable")]


def sizes(browser, path: str, headers: dict | None = None, method: str = "GET", data=None) -> dict:
    """The body's size as served for each Accept-Encoding; `html` keeps the page's text."""
    found = {}
    for name, accept in ENCODINGS.items():
        reply = browser.request(method, path, data=data, headers={**accept, **(headers or {})})
        found[name] = len(reply.body)
        found["status"] = reply.status
        if name == "raw":
            found["html"] = reply.text
            found["served_encoding"] = {}
        found["served_encoding"][name] = reply.headers.get("content-encoding", "identity")
    return found


class MeasuringJourney(Journey):
    """A journey that, at each step, measures the page, its swap and its swap with errors."""

    def __init__(self, *args, into: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.into = into

    def _step(self, step, path):
        self.into["pages"][f"step: {step.name}"] = sizes(self.browser, path)
        self.into["swaps"][f"step: {step.name}"] = sizes(self.browser, path, HTMX_HEADERS)
        page = self.browser.get(path)
        data = {"csrf_token": csrf_token(page.text)}
        if step.name == "captcha":
            data["code"] = "000000x"  # never right: not six digits
        errors = sizes(self.browser, path, HTMX_HEADERS, method="POST", data=data)
        if errors["status"] == 200:
            self.into["swaps"][f"step: {step.name}, with errors"] = errors
        if step.name == "captcha":
            self._handoff()
        return super()._step(step, path)

    def _handoff(self):
        handoff = "/inscription/continuer-sur-mon-telephone"
        self.into["pages"]["hand-off"] = page = sizes(self.browser, handoff)
        poll = re.search(r'data-hx-get="([^"]*/etat[^"]*)"', page["html"])
        if poll:
            self.into["swaps"]["hand-off status poll"] = sizes(self.browser, poll.group(1).replace("&amp;", "&"),
                                                               HTMX_HEADERS)

    def _activation(self, path):
        self.into["pages"]["check your email"] = sizes(self.browser, path)
        self.into["swaps"]["check your email"] = sizes(self.browser, path, HTMX_HEADERS)
        link = self.reader.activation_path(self.email)
        if link:
            self.into["pages"]["activation link"] = sizes(self.browser, link)
        location = super()._activation(path)
        if location:
            self.into["pages"]["account activated"] = sizes(self.browser, location)
        return location

    # The pages after activation: the phone and the eligibility check are steps to the
    # person (the swap budget applies), though not in wizard/signup/steps.py.

    def _form_page(self, name: str, path: str, wrong: dict | None) -> None:
        self.into["pages"][f"step: {name}"] = sizes(self.browser, path)
        self.into["swaps"][f"step: {name}"] = sizes(self.browser, path, HTMX_HEADERS)
        if wrong is not None:
            page = self.browser.get(path)
            errors = sizes(self.browser, path, HTMX_HEADERS, method="POST",
                           data={**wrong, "csrf_token": csrf_token(page.text)})
            if errors["status"] == 200:
                self.into["swaps"][f"step: {name}, with errors"] = errors

    def _phone(self, path):
        self._form_page("phone", path, {"phone": "01 23 45 67 89", "channel": "sms"})  # a landline
        return super()._phone(path)

    def _phone_code(self, path):
        self._form_page("phone code", path, {"code": "12345"})  # five digits: refused before it is checked
        return super()._phone_code(path)

    def _phone_confirmed(self, path):
        self.into["pages"]["phone confirmed"] = sizes(self.browser, path)
        return super()._phone_confirmed(path)

    def _eligibility(self, path):
        self._form_page("eligibility", path, None)
        return super()._eligibility(path)

    def _waiting(self, path):
        self.into["pages"]["eligibility outcome (eligible)"] = sizes(self.browser, path)
        self.into["swaps"]["eligibility outcome (eligible)"] = sizes(self.browser, path, HTMX_HEADERS)
        return super()._waiting(path)


def page_sizes(app, reader, run_id: str) -> dict:
    measured = {"pages": {}, "swaps": {}}
    browser = InProcessBrowser(app)
    for name, path in PAGES:
        measured["pages"][name] = sizes(browser, path)
    kiosk_code = re.search(r'data-hx-get="(/borne/code[^"]*)"', measured["pages"]["kiosk screen"]["html"])
    if kiosk_code:
        measured["swaps"]["kiosk code poll"] = sizes(browser, kiosk_code.group(1).replace("&amp;", "&"),
                                                     HTMX_HEADERS)
    journey = MeasuringJourney(InProcessBrowser(app), reader, 0, run_id=run_id + "-bytes", into=measured)
    walk = journey.run()
    measured["stopped"] = walk.stopped
    return measured


# --- what a browser loads ------------------------------------------------------------------

class _Links(HTMLParser):
    """The URLs a page makes the browser fetch as it loads (`fetched`, and `modules` for
    module scripts), those it asks for when used (`on_use`: forms, htmx requests, the
    ALTCHA challenge), and the links it only shows (`navigation`)."""

    LOADED = {("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"), ("audio", "src"),
              ("video", "src"), ("video", "poster"), ("iframe", "src"), ("object", "data"), ("embed", "src")}
    LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}
    ON_USE = {("form", "action"), ("button", "formaction"), ("input", "formaction"), ("altcha-widget", "challenge")}

    def __init__(self):
        super().__init__()
        self.fetched, self.modules, self.on_use, self.navigation = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value for name, value in attrs if value}
        for name, value in attrs.items():
            if (tag, name) in self.LOADED or (tag, name) == ("link", "href") and \
                    self.LINK_RELS & set(attrs.get("rel", "").split()):
                is_module = tag == "script" and attrs.get("type") == "module"
                (self.modules if is_module else self.fetched).append(value.split()[0])
            elif (tag, name) in self.ON_USE or name.startswith(("data-hx-", "hx-")) and \
                    name.rsplit("-", 1)[-1] in ("get", "post", "put", "patch", "delete"):
                self.on_use.append(value)
            elif (tag, name) == ("a", "href"):
                self.navigation.append(value)


JS_IMPORT = re.compile(r"""(?:\bimport\s*(?:[\w*{}\s,]+from\s*)?|\bimport\()\s*["']([^"']+)["']""")
JS_WORKER = re.compile(r"""new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']""")


def visit(base_url: str, path: str, browser: HttpBrowser | None = None, cache: dict | None = None) -> dict:
    """Loads a page like a browser with an empty cache (or the given one): the HTML, then
    what it links (CSS, scripts and the modules they import, icons, images, fonts).
    Resources fetched only when used (the ALTCHA worker and challenge) are counted apart.
    Returns the requests with their bytes on the wire, and the cache a browser would keep."""
    browser = browser or HttpBrowser(base_url)
    cache = {} if cache is None else cache
    requests = []
    page_reply = browser.get(path)
    requests.append(_entry(path, "document", page_reply))
    html = page_reply.text
    links = _Links()
    links.feed(html)
    queue = [(urljoin(path, u), "load") for u in links.fetched]
    queue += [(urljoin(path, u), "module") for u in links.modules]
    # The ALTCHA widget asks for its challenge when the box is ticked.
    queue += [(urljoin(path, u), "on use") for u in links.on_use if u.split("?")[0].endswith(".json")]
    seen = set()
    while queue:
        url, why = queue.pop(0)
        if url in seen or not _same_origin(url, base_url):
            continue
        seen.add(url)
        local = _local(url)
        requests.append(_fetch(browser, local, why, cache))
        body = requests[-1].pop("text", "")
        if local.split("?")[0].endswith(".css"):
            queue += [(urljoin(url, a or b), why) for a, b in CSS_URL.findall(body) if not (a or b).startswith("data:")]
        if why == "module":
            queue += [(urljoin(url, u), "module") for u in JS_IMPORT.findall(body)]
            queue += [(urljoin(url, u), "on use") for u in JS_WORKER.findall(body)]
    loaded = [r for r in requests if r["why"] != "on use"]
    return {"path": path, "requests": requests,
            "total_bytes": sum(r["bytes"] for r in loaded), "total_requests": sum(1 for r in loaded if r["sent"]),
            "on_use_bytes": sum(r["bytes"] for r in requests if r["why"] == "on use"),
            "html": html, "links": links}


def _fetch(browser, local: str, why: str, cache: dict) -> dict:
    kept = cache.get(local)
    if kept and kept["fresh"]:
        return {"url": local, "why": why, "status": "cache", "bytes": 0, "sent": False, "text": kept["text"]}
    headers = {"If-None-Match": kept["etag"]} if kept and kept.get("etag") else {}
    reply = browser.get(local, headers=headers)
    entry = _entry(local, why, reply)
    if reply.status == 200:
        control = reply.headers.get("cache-control", "")
        cache[local] = {"etag": reply.headers.get("etag"), "text": entry["text"],
                        "fresh": "immutable" in control or bool(re.search(r"max-age=[1-9]", control))
                        and "no-cache" not in control}
    elif reply.status == 304 and kept:
        entry["text"] = kept["text"]
    return entry


def _entry(url, why, reply) -> dict:
    text = reply.text if reply.status == 200 else ""
    return {"url": url, "why": why, "status": reply.status, "bytes": reply.header_bytes + len(reply.body),
            "body_bytes": len(reply.body), "raw_bytes": len(reply.raw) if reply.status == 200 else 0,
            "encoding": reply.headers.get("content-encoding", "identity"),
            "cache_control": reply.headers.get("cache-control", ""), "sent": True, "text": text}


def _same_origin(url: str, base_url: str) -> bool:
    parts = urlsplit(url)
    return not parts.netloc or parts.netloc == urlsplit(base_url).netloc


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def first_and_second_visit(base_url: str, path: str) -> dict:
    """The same person comes back: same browser, same cache, a new page load."""
    browser, cache = HttpBrowser(base_url), {}
    first = visit(base_url, path, browser, cache)
    second = visit(base_url, path, browser, cache)
    for result in (first, second):
        result.pop("html"), result.pop("links")
    return {"first": first, "second": second}


# --- no request leaves the origin ----------------------------------------------------------

def foreign_urls(documents: list[tuple[str, str, str]], origin_hosts: set[str]) -> dict:
    """`documents`: (name, kind, text) with kind html, css or js. Returns the URLs a browser
    would fetch from another host (must be none), and the links to other sites it only shows."""
    fetched, shown = [], []
    for name, kind, text in documents:
        urls = []
        if kind == "html":
            links = _Links()
            links.feed(text)
            urls = links.fetched + links.modules + links.on_use
            shown += [(name, u) for u in links.navigation if _foreign(u, origin_hosts)]
        elif kind == "css":
            urls = [a or b for a, b in CSS_URL.findall(text)]
        elif kind == "js":
            urls = JS_IMPORT.findall(text) + JS_WORKER.findall(text)
        fetched += [(name, u) for u in urls if _foreign(u, origin_hosts)]
    return {"fetched_elsewhere": fetched, "links_to_other_sites": sorted(set(shown))}


def _foreign(url: str, origin_hosts: set[str]) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme and parts.scheme not in ("http", "https", "ws", "wss"):
        return False  # data:, mailto:, tel:, blob:
    return bool(parts.netloc) and parts.hostname not in origin_hosts


def csp_sources(policy: str) -> dict:
    """The hosts each directive of a Content-Security-Policy allows besides the page's own."""
    found = {}
    for directive in filter(None, (d.strip() for d in policy.split(";"))):
        name, *sources = directive.split()
        others = [s for s in sources if s not in ("'self'", "'none'", "data:", "blob:")]
        if others:
            found[name] = others
    return found

