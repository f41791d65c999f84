"""The identifier is encrypted at rest in journeys and accounts, with keys that rotate."""
from cryptography.fernet import Fernet
from sqlalchemy import text

from tests.conftest import IDENTITY, activated_account, at_step, reconfigure
from wizard.extensions import db
from wizard.identifier_encryption import PREFIX

IDENTIFIER = IDENTITY["identifier"]


def stored(app, table: str) -> str:
    """The answers as the database holds them, read without the models."""
    with app.app_context():
        return db.session.execute(text(f"SELECT answers FROM {table}")).scalar_one()


def use_keys(app, *keys):
    reconfigure(app, IDENTIFIER_KEYS=keys)
    app.extensions.pop("sesame.identifier_cipher", None)


def test_the_journey_and_the_account_hold_no_identifier_in_clear(app, client, client_request):
    at_step(client, "recapitulatif")
    raw = stored(app, "journeys")
    assert IDENTIFIER not in raw and PREFIX in raw and IDENTITY["last_name"] in raw
    page = client_request.get("/inscription/recapitulatif")  # the summary the person checks: in full
    assert IDENTIFIER in page.text_of("#wizard-step")
    activated_account(client)
    assert IDENTIFIER not in stored(app, "accounts") and PREFIX in stored(app, "accounts")


def test_a_new_key_first_then_the_rotation_then_the_old_key_removed(app, client, client_request):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    use_keys(app, old)
    at_step(client, "recapitulatif")
    use_keys(app, new, old)
    assert client_request.get("/inscription/recapitulatif").text_of("#wizard-step").count(IDENTIFIER) == 1
    result = app.test_cli_runner().invoke(args=["rotate-identifier-key"])
    assert result.output.strip() == "1 row(s) encrypted with the first key"
    use_keys(app, new)
    assert IDENTIFIER in client_request.get("/inscription/recapitulatif").text_of("#wizard-step")
    token = stored(app, "journeys").split(PREFIX, 1)[1].split('"', 1)[0]
    assert Fernet(new.encode()).decrypt(token.encode()).decode() == IDENTIFIER


def test_an_identifier_stored_in_clear_before_is_still_read(app, client, client_request):
    at_step(client, "recapitulatif")
    with app.app_context():
        raw = db.session.execute(text("SELECT answers FROM journeys")).scalar_one()
        token = raw.split(PREFIX, 1)[1].split('"', 1)[0]
        db.session.execute(text("UPDATE journeys SET answers = :a"), {"a": raw.replace(PREFIX + token, IDENTIFIER)})
        db.session.commit()
    assert IDENTIFIER in client_request.get("/inscription/recapitulatif").text_of("#wizard-step")
