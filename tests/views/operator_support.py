"""The console's staff in tests: made with the `flask staff create` command, signed in
with a code their authenticator app would show."""
from datetime import UTC

import pyotp

from wizard import settings
from wizard.core import clock
from wizard.extensions import db
from wizard.operator import staff
from wizard.operator.models import StaffMember

STAFF_EMAIL, STAFF_PASSWORD = "agnes.operatrice@mutuelle-demo.fr", "Lanterne-Orage-1987!"


def create_staff(app, email=STAFF_EMAIL, password=STAFF_PASSWORD):
    return app.test_cli_runner().invoke(args=["staff", "create", email], input=f"{password}\n{password}\n")


def totp_code(app, email=STAFF_EMAIL, at=None) -> str:
    """What the authenticator app shows at `at` (now by default)."""
    with app.test_request_context():
        member = db.session.query(StaffMember).filter_by(email=email).one()
        secret = staff.secret_for_typing(member, settings.staff_settings()).replace(" ", "")
    moment = (at or clock.now()).replace(tzinfo=UTC)  # naive UTC, as the app keeps time
    return pyotp.TOTP(secret).generate_otp(int(moment.timestamp()) // 30)


def signed_in_staff(app, client, email=STAFF_EMAIL, password=STAFF_PASSWORD):
    """A member of staff, enrolled and signed in on this client."""
    assert create_staff(app, email, password).exit_code == 0
    client.post("/operateur/connexion", data={"email": email, "password": password})
    response = client.post("/operateur/connexion/code", data={"code": totp_code(app, email)})
    assert response.status_code == 303 and response.headers["Location"] == "/operateur/", response.status_code
    return client
