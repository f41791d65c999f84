"""What a person would read off their screen or their phone, read from the database.

The spoken CAPTCHA code (shown as an image) is derived from the token in the person's
signed session cookie, as the server derives it; the activation mail and the SMS code
come from the outbox, where the embedded default keeps every mail and every text.
"""
import re
from urllib.parse import urlsplit

from wizard.extensions import db
from wizard.web import spoken_code

LINK = re.compile(r"https?://[^\s\"'<>]+/inscription/activation/[^\s\"'<>]+")


class Reader:
    def __init__(self, app):
        self.app = app
        self.serializer = app.session_interface.get_signing_serializer(app)
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]

    def spoken_code(self, browser) -> str:
        """Derived from the token in the cookie, as the server derives it for the image."""
        session = self.serializer.loads(browser.cookie(self.cookie_name) or "")
        return spoken_code.code_in(session, self.app.config["SECRET_KEY"])

    def activation_path(self, recipient: str) -> str | None:
        """The path of the newest activation link mailed to `recipient`, if any."""
        from wizard.messaging.models import OutboxMessage
        with self.app.app_context():
            message = db.session.query(OutboxMessage).filter_by(recipient=recipient) \
                .order_by(OutboxMessage.id.desc()).first()
            found = LINK.search(message.body_text) if message else None
        return urlsplit(found.group(0)).path if found else None

    def sms_code(self, phone: str) -> str | None:
        """The code of the newest text sent to `phone` (as typed: 06 12 34 56 78): the
        text starts with it."""
        from wizard.messaging.models import OutboxMessage
        recipient = "+33" + "".join(c for c in phone if c.isdigit())[1:]
        with self.app.app_context():
            message = db.session.query(OutboxMessage).filter_by(channel="sms", recipient=recipient) \
                .order_by(OutboxMessage.id.desc()).first()
        return message.body_text[:6] if message else None
