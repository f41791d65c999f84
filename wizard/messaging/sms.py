"""Text messages: composed in the recipient's language, sent through the HTTP gateway.

The gateway's contract (DESIGN.md): POST {SMS_GATEWAY_URL} with JSON {"to", "text"} and
`Authorization: Bearer {SMS_GATEWAY_TOKEN}`; any 2xx is accepted. Delivery is at least once
(a send that timed out after the gateway took the text, or a worker killed before the row
was marked sent, sends it again), so every request also carries the outbox row's stable
reference, as the `Idempotency-Key` header and the `"reference"` field: a gateway that
honours either acknowledges a repeat without texting the person again.
"""
import json
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _

from wizard.messaging.models import OutboxMessage


def code_text(language: str, code: str, service_name: str, public_base_url: str) -> str:
    """The code first (it shows in the notification), the warning, then the line that lets
    phones offer to fill the code in on our site only (origin-bound one-time codes)."""
    host = urlsplit(public_base_url).hostname or "localhost"
    with force_locale(language):
        return "\n".join([
            _("%(code)s est votre code %(service)s.", code=code, service=service_name),
            _("Ne le communiquez jamais à personne, même à un conseiller."),
            "",
            f"@{host} #{code}",
        ])


def email_code_warning_text(language: str, service_name: str) -> str:
    """Told on the phone itself: someone signing in said they no longer have it."""
    with force_locale(language):
        return _("%(service)s : un code de connexion a été demandé par e-mail, car la personne dit ne plus avoir "
                 "accès à ce téléphone. Si ce n’est pas vous, changez votre mot de passe.", service=service_name)


class SmsGatewayTransport:
    """Delivers outbox rows of the sms channel. Raises when the gateway does not take it."""

    def __init__(self, url: str, token: str, timeout: float):
        self.url, self.token, self.timeout = url, token, timeout
        # The timeout bounds each socket step, not the whole send: connect, send the request,
        # read the status line and headers, the answer, and one to spare (a lease that ran
        # out mid-send would let another worker send it too: the key absorbs even that).
        # No longer: a killed worker's text, a code the person waits for, goes again after it.
        self.lease = timedelta(seconds=5 * timeout)

    def send(self, message: OutboxMessage) -> None:
        body = {"to": message.recipient, "text": message.body_text, "reference": message.reference}
        request = urllib.request.Request(
            self.url, method="POST", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}",
                     "Idempotency-Key": message.reference})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"SMS gateway answered {error.code}") from None
