"""The operator's look, served: the theme's colours as a style sheet, its logo and
favicon from BRAND_FOLDER. Everything is built once, at start-up, where a colour that
fails its contrast stops the app with the pair named."""
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Flask, current_app, request, url_for
from werkzeug.exceptions import NotFound

from wizard.branding.theme import Theme, parse_colour, too_faint
from wizard.config import SettingError
from wizard.web import assets

bp = Blueprint("branding", __name__)
EXTENSION = "sesame_brand"
LOGOS, FAVICONS = ("logo.svg", "logo.png"), ("favicon.svg", "favicon.png", "favicon.ico")


@dataclass(frozen=True)
class Brand:
    theme: Theme
    css: str
    version: str
    files: assets.StaticFiles | None
    logo: str | None
    favicon: str | None
    urls: dict = field(default_factory=dict)


def init_app(app: Flask) -> None:
    config = app.config
    try:
        theme = Theme(*(parse_colour(config[name]) for name in ("BRAND_PRIMARY", "BRAND_PRIMARY_DARK", "BRAND_FOCUS")))
    except ValueError as wrong:
        raise SettingError(f"Brand colours refused: {wrong}") from None
    faint = too_faint(theme)
    if faint:
        raise SettingError("Brand colours refused, too little contrast (WCAG AA): " + "; ".join(faint))
    folder = config["BRAND_FOLDER"]
    if folder and not Path(folder).is_dir():
        raise SettingError(f"BRAND_FOLDER={folder!r} is not a folder")
    present = (lambda names: next((n for n in names if (Path(folder) / n).is_file()), None)) if folder else \
        (lambda names: None)
    css = theme.css()
    app.extensions[EXTENSION] = Brand(theme, css, hashlib.sha256(css.encode()).hexdigest()[:assets.VERSION_LENGTH],
                                      assets.StaticFiles(folder) if folder else None, present(LOGOS),
                                      present(FAVICONS))
    app.context_processor(_urls)


def _urls():
    """The brand's URLs for the layout, made at the first page (url_for needs a request)
    and kept: the operator's files change with a restart, not while the app runs."""
    brand = current_app.extensions[EXTENSION]
    if not brand.urls:
        brand.urls.update({
            "theme_url": url_for("branding.theme", v=brand.version),
            "logo_url": _file_url(brand, brand.logo),
            "favicon_url": _file_url(brand, brand.favicon) or url_for("static", filename="favicon.svg"),
        })
    return {"brand": brand.urls}


def _file_url(brand: Brand, filename: str | None) -> str | None:
    return url_for("branding.file", filename=filename, v=brand.files.find(filename).version) if filename else None


@bp.get("/theme.css")
def theme():
    brand = current_app.extensions[EXTENSION]
    response = current_app.response_class(brand.css, mimetype="text/css")
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    if request.args.get("v") == brand.version:
        response.cache_control.public, response.cache_control.max_age = True, assets.ONE_YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response


@bp.get("/marque/<path:filename>")
def file(filename: str):
    brand = current_app.extensions[EXTENSION]
    if brand.files is None or filename not in (brand.logo, brand.favicon):
        raise NotFound()
    return assets.serve(brand.files, filename)
