"""The journey in pictures: `./dev screenshots` walks the browser suite's walks (support.Walker,
KioskWalker and SignInWalker, in French, with JavaScript) on a fresh app and photographs each
screen of SHOTS, KIOSK_SHOTS and SIGN_IN_SHOTS at a phone's and a desktop's width into
docs/screens/, then writes the gallery into README.md and docs/operators.md between
GALLERY_START and GALLERY_END. Run it again whenever a screen changes;
tests/test_screenshots.py checks that every step of the journey has its pictures.

Not a test: nothing here runs under pytest.
"""
import io
import re
import sys
import threading
from pathlib import Path

from tests.browser import support

ROOT = support.ROOT
FOLDER = ROOT / "docs" / "screens"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
COLOURS = 64  # a palette this small keeps text sharp (the pages use a few flat colours) and files small
# The screens of the walk worth a picture, in its order: (support's screen name, what it shows).
SHOTS = [
    ("landing", "The start: create an account, or sign in"),
    ("terms", "The terms of use (the operator's text, or Sésame's)"),
    ("captcha", "Step 1: the security check (ALTCHA; without JavaScript, a code to type or hear)"),
    ("identity", "Step 2: the identity, as on the third-party-payment card"),
    ("identity-errors", "The identity sent empty: the error summary, each field's error"),
    ("role", "Step 3: subscriber or beneficiary"),
    ("subscriber", "Step 4, for a beneficiary: the subscriber"),
    ("summary", "Step 5: check the answers, accept the terms"),
    ("credentials", "Step 6: email and password, with the password's rules"),
    ("credentials-errors", "A weak password: the rules it misses"),
    ("check-email", "Check your email: the link, or its code"),
    ("email-help", "Help: the email did not come"),
    ("activation-link", "The email's link opened: one button activates"),
    ("activated", "The account is activated"),
    ("phone", "The mobile phone, and how to get the codes"),
    ("phone-code", "The code sent by SMS"),
    ("phone-confirmed", "The phone is confirmed"),
    ("eligibility", "The eligibility check, before it starts"),
    ("eligibility-mismatch", "The insurer's answer: the details do not match"),
    ("eligibility-locked", "Too many attempts: when to try again, and the advisors"),
    ("correction", "Correct the details"),
    ("eligible", "Eligible: the signup is done"),
]
# The kiosk's pages (support.KioskWalker), in its walk's order.
KIOSK_SHOTS = [
    ("poster", "A kiosk's poster, to print"),
    ("kiosk", "A kiosk's screen: a QR code to scan, or a code to type, on one's own phone"),
    ("typed-code", "On the phone: the code shown by the kiosk, typed"),
]
# Signing in and Mon compte (support.SignInWalker), in its walk's order.
SIGN_IN_SHOTS = [
    ("sign-in", "Signing in: email and password"),
    ("sign-in-channel", "The second factor: where to get the code"),
    ("sign-in-code", "The security code"),
    ("account", "Mon compte: details, remembered browsers, recent activity"),
    ("account-phone", "Changing the mobile phone: the password first"),
    ("my-data", "My data, to read and to download"),
    ("close-account", "Closing the account: what is deleted, what the law keeps"),
    ("forgotten", "Forgotten password"),
]
# The address the pictures show (the kiosk's, the emails'), rather than a port that changes each run.
HOST = "inscription.exemple.fr"
# Shown where a person is refused or locked out: an example, so that an operator sees where its own goes.
ADVISORS = "09 69 32 10 10, du lundi au vendredi de 8 h à 17 h"
GALLERY_START = "<!-- screens: made by `./dev screenshots` (tests/browser/screenshots.py) -->"
GALLERY_END = "<!-- /screens -->"
PAGES = {ROOT / "README.md": "docs/screens", ROOT / "docs" / "operators.md": "screens"}


def file_name(screen: str, width: str) -> str:
    return f"{screen}-{width}.png"


def gallery(folder: str) -> str:
    """The table of pictures, with `folder` the pictures' path from the page that shows it."""
    lines = ["| screen | phone (390 px) | desktop (1280 px) |", "|---|---|---|"]
    for number, (screen, what) in enumerate(SHOTS + KIOSK_SHOTS + SIGN_IN_SHOTS, 1):
        title = support.BY_NAME[screen].title["fr"]
        cells = [f"{number}. **{title}**<br>{what}"]
        for width, picture_width in (("phone", 130), ("desktop", 300)):
            path = f"{folder}/{file_name(screen, width)}"
            cells.append(f'<a href="{path}"><img src="{path}" width="{picture_width}" '
                         f'alt="{title}, {width}"></a>')
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def with_gallery(text: str, folder: str) -> str:
    """`text` with its gallery block made anew (the block must be there)."""
    block = re.compile(re.escape(GALLERY_START) + r"\n.*?" + re.escape(GALLERY_END), re.DOTALL)
    assert block.search(text), f"no {GALLERY_START} ... {GALLERY_END} block"
    return block.sub(lambda _: f"{GALLERY_START}\n{gallery(folder)}{GALLERY_END}", text)


def small_png(png: bytes) -> bytes:
    """A screenshot as a palette PNG (a tenth of its size, the text as sharp)."""
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


class ScreenshotWalker(support.Walker):
    """The suite's walk, with the same person each time, so that a new run changes only the
    pictures of screens that changed (times and codes aside)."""

    def _restart(self):
        super()._restart()
        self.email, self.phone = "jean.dupont@exemple.fr", "+33612345678"


class SignInScreenshotWalker(support.SignInWalker):
    """The sign-in walk, with the same person each time (see ScreenshotWalker)."""

    def _restart(self):
        self.fixed = getattr(self, "fixed", 0) + 1  # a walk started again needs an address of its own
        email, phone = f"marie.martin{'' if self.fixed == 1 else self.fixed}@exemple.fr", "+33698765432"
        support.Walker._restart(self)
        self.email, self.phone = email, phone
        from tests.views.sign_in_support import make_account
        make_account(self.app, email=self.email, phone=self.phone, password=support.PASSWORD)


WALKS = [(ScreenshotWalker, SHOTS), (support.KioskWalker, KIOSK_SHOTS), (SignInScreenshotWalker, SIGN_IN_SHOTS)]


def _live_app(folder: Path):
    """As tests/browser/conftest.py's live_app and base_url: a fresh database, served on loopback."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from app import create_app
    from wizard import settings
    from wizard.extensions import db

    app = create_app("test", WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'shots.sqlite3'}",
                     PROXY_FIX_X_FOR=1, LOG_LEVEL="WARNING",  # no line per request
                     ADVISORS_CONTACT=ADVISORS, ADVISORS_URL="https://www.exemple.fr/contact")
    for key, value in list(app.config.items()):
        if key.startswith("RATELIMIT_") and isinstance(value, str) and " per " in value:
            app.config[key] = "10000 per minute"
    with app.app_context():
        db.create_all()

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["PUBLIC_BASE_URL"] = f"http://{HOST}"  # the emails' links and the kiosk's QR code
    app.extensions.pop(settings.CACHE, None)  # as tests.conftest.reconfigure
    return app, server


def take(walker: support.Walker, shots: list) -> dict[str, int]:
    """Walks to each shot and photographs it at each width; the bytes written, by file."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    written = {}
    for screen, _ in shots:
        page = walker.at(screen)
        for width, (x, y) in WIDTHS.items():
            page.set_viewport_size({"width": x, "height": y})
            page.evaluate("() => document.fonts.ready")
            data = small_png(page.screenshot(full_page=True, animations="disabled"))
            (FOLDER / file_name(screen, width)).write_bytes(data)
            written[file_name(screen, width)] = len(data)
        page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})
    return written


def main() -> int:
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        app, server = _live_app(Path(folder))
        # HOST is the loopback server for this browser (nothing leaves the machine), and a secure
        # context as 127.0.0.1 is (ALTCHA's proof of work needs Web Crypto).
        browser = playwright.chromium.launch(executable_path=support.CHROMIUM, args=[
            *support.CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{server.server_port}",
            f"--unsafely-treat-insecure-origin-as-secure=http://{HOST}"])
        width, height = WIDTHS["desktop"]
        context_args = {"base_url": f"http://{HOST}", "locale": "fr-FR", "bypass_csp": True,
                        "viewport": {"width": width, "height": height}}
        written = {}
        try:
            for walker_class, shots in WALKS:
                walker = walker_class(browser, context_args, app, support.FR_JS)
                try:
                    written.update(take(walker, shots))
                finally:
                    walker.close()
        finally:
            browser.close()
            server.shutdown()
    for name in sorted({p.name for p in FOLDER.glob("*.png")} - set(written)):
        (FOLDER / name).unlink()  # a screen no longer shown
    for page, path in PAGES.items():
        page.write_text(with_gallery(page.read_text("utf-8"), path), "utf-8")
    print(f"{len(written)} pictures, {sum(written.values()) // 1024} KiB, in {FOLDER.relative_to(ROOT)}/; "
          f"the gallery in {', '.join(str(p.relative_to(ROOT)) for p in PAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
