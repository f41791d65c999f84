"""Static files: content-hashed URLs, long cache lifetimes, compressed once.

`url_for("static", filename=...)` adds `?v=<the first 12 hex digits of the file's SHA-256>`.
A request that carries the file's current hash is answered with
`Cache-Control: public, max-age=31536000, immutable`: the browser never asks again, and a
changed file gets a new URL. Any other request for a static file (no `v`, or an old one)
is answered with `no-cache` and an ETag, so the browser revalidates it (304). That is the
case of the files another file reaches by a relative URL: static/js/captcha.js imports
the ALTCHA widget and starts its worker relative to its own address.

Text files (CSS, JavaScript, SVG, JSON) are compressed once per version, with brotli at
its highest quality and with gzip, and kept in memory (a few hundred KB). Other files are
sent from disk as Flask does. HTML is compressed per response by flask-compress. Static
files carry the Content-Security-Policy `default-src 'none'` instead of the pages' one.

Hashes are kept with the file's size and modification time. In debug they are recomputed
when those change (one `stat` per URL built), so an edited file gets a new URL without a
restart; otherwise the static folder is the deployment's, and a file found is kept as
found (a page builds 6 to 8 static URLs: 5 µs each without the `stat` and the path's check).
"""
import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from stat import S_ISREG

import brotli
from flask import Flask, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
VERSION_LENGTH = 12
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml",
                "application/json", "text/plain"}
# Best first: brotli is about 15% smaller than gzip on our scripts; every browser we
# support sends "br" over HTTPS, and gzip serves the rest.
ENCODINGS = ("br", "gzip")


@dataclass
class StaticFile:
    path: str
    size: int
    mtime_ns: int
    version: str
    mimetype: str
    body: bytes | None = None  # kept only for compressible files
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def compressible(self) -> bool:
        return self.body is not None

    def encode(self, encoding: str) -> bytes:
        if encoding not in self.encoded:  # a race computes it twice, harmlessly
            self.encoded[encoding] = (brotli.compress(self.body, quality=11) if encoding == "br"
                                      else gzip.compress(self.body, compresslevel=9, mtime=0))
        return self.encoded[encoding]


class StaticFiles:
    """The static folder's files, hashed (and read, when compressible) at first use;
    `watch`: looked at again at each use, and read again when changed."""

    def __init__(self, folder: str, watch: bool = True):
        self.folder, self.watch = folder, watch
        self._files: dict[str, StaticFile] = {}

    def find(self, filename: str) -> StaticFile | None:
        if not self.watch and filename in self._files:
            return self._files[filename]
        path = safe_join(self.folder, filename)
        try:
            stat = os.stat(path) if path else None
        except (OSError, ValueError):  # ValueError: a NUL byte in the name
            stat = None
        if stat is None or not S_ISREG(stat.st_mode):  # a file, from the same stat (a page builds 6 to 8 URLs)
            return None
        known = self._files.get(filename)
        if known and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            return known
        self._files[filename] = found = _read(path, stat)
        return found


def _read(path: str, stat) -> StaticFile:
    with open(path, "rb") as file:
        content = file.read()
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return StaticFile(path=path, size=stat.st_size, mtime_ns=stat.st_mtime_ns,
                      version=hashlib.sha256(content).hexdigest()[:VERSION_LENGTH], mimetype=mimetype,
                      body=content if mimetype in COMPRESSIBLE else None)


def init_app(app: Flask) -> None:
    files = StaticFiles(app.static_folder, watch=app.debug)
    app.extensions["sesame_static_files"] = files
    # HTML (flask-compress, per response): brotli at a quality that costs well under a
    # millisecond for a page, gzip for the rest; no zstd, which is larger on small pages.
    # Compressed pages that echo what was typed next to a secret (the CSRF token) are the
    # BREACH pattern; it needs the attacker to make the victim's browser send many
    # requests with its cookie, which the SameSite=Lax session cookie refuses to
    # cross-site subrequests (and frame-ancestors 'none' to frames).
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br"])
    # Quality 3: a step's 9.3 KB page in 0.22 ms instead of 0.35 (quality 5), 3.3 KB instead
    # of 3.1, still smaller than gzip 6's 3.2 KB (BENCHMARKS.md, issue 19's third pass).
    app.config.setdefault("COMPRESS_BR_LEVEL", 3)
    # Not below 1 KB: the polled fragments (0.2 to 0.8 KB, thousands a second at a launch's
    # peak) would save a few hundred bytes each for the cost of a compressor's set-up.
    # Redirects (303) have a 0.2 KB body and are never compressed.
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)

    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            found = files.find(values["filename"])
            if found is not None:
                values["v"] = found.version

    app.view_functions["static"] = _serve


def _serve(filename: str):
    return serve(current_app.extensions["sesame_static_files"], filename)


def serve(files: StaticFiles, filename: str):
    """A file of `files` (the static folder, or the operator's brand folder)."""
    found = files.find(filename)
    if found is None:
        raise NotFound()
    if found.compressible:
        response = _compressed(found)
    else:
        response = send_from_directory(files.folder, filename)
    # Not a page: a script, a style sheet or an icon ignores a CSP, and for what does run
    # under one (the ALTCHA worker, an SVG opened on its own) nothing is the right policy.
    # The pages' policy is about 270 bytes on each of the CAPTCHA step's ten files.
    response.headers.setdefault("Content-Security-Policy", "default-src 'none'")
    if request.args.get("v") == found.version:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response


def _compressed(found: StaticFile):
    encoding = next((e for e in ENCODINGS if request.accept_encodings[e]), None)
    response = current_app.response_class(found.encode(encoding) if encoding else found.body,
                                          mimetype=found.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{found.version}-{encoding or 'identity'}")  # no Last-Modified: the ETag suffices
    return response.make_conditional(request)
