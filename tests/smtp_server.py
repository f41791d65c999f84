"""A real SMTP server on 127.0.0.1 (aiosmtpd) that tests start, stop and read.

Test modules load it as a plugin (`pytest_plugins = ["tests.smtp_server"]`) and never
import it, so that pytest loads it first. Fixtures: `smtp_server` (running), `smtp_down`
(not yet running: `start()` it), and `mail_app`, the app of the `app` fixture (SQLite,
then PostgreSQL) with its mail settings pointed at `smtp_server`.
"""
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import reconfigure
from wizard.messaging import delivery


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.messages = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self):
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def serve(self, app):
        """Points the app's mail settings at this server."""
        reconfigure(app, **self.settings())
        delivery.init_app(app)  # the transport is built from the settings
        return app

    @staticmethod
    def text_of(message) -> str:
        return message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @staticmethod
    def html_of(message) -> str:
        return message.get_body(("html",)).get_content()

    def settings(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False,
                "MAIL_USE_SSL": False, "MAIL_TIMEOUT_SECONDS": 5,
                "MAIL_DEFAULT_SENDER": "Sésame <ne-pas-repondre@sesame.test>"}



@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down():
    """A server that is not running yet: `start()` it to bring SMTP back."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    return smtp_server.serve(app)
