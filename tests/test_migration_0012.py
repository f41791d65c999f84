"""Migration 0012 (Mon compte: the phone code required after a reset, the new password
asked after "ce n'était pas moi") on an account made before it: on PostgreSQL, as in
production, and on SQLite (the embedded default); there and back."""
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from wizard.extensions import db

BEFORE = sa.table("accounts", sa.column("id"), sa.column("email"), sa.column("status"),
                  sa.column("password_hash"), sa.column("language"), sa.column("answers", sa.JSON),
                  sa.column("created_at", sa.DateTime), sa.column("email_given_at", sa.DateTime))
NEW_COLUMNS = {"phone_code_required_since", "password_reset_required_at"}
WHEN = datetime(2026, 12, 1, 9, 30)


def columns(connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns("accounts")}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_0012_keeps_the_accounts_there_and_back(request, tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    if backend == "postgresql":
        url = request.getfixturevalue("empty_postgres_url")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as connection:
            assert not NEW_COLUMNS & columns(connection)
            connection.execute(BEFORE.insert().values(
                id="a" * 32, email="jean.martin@exemple.fr", status="active", password_hash="$argon2id$...",
                language="fr", answers={"role": {"role": "subscriber"}}, created_at=WHEN, email_given_at=WHEN))
        upgrade(revision="0012")
        with db.engine.begin() as connection:
            assert NEW_COLUMNS <= columns(connection)
            row = connection.execute(sa.text("SELECT email, phone_code_required_since, password_reset_required_at "
                                             "FROM accounts")).one()
            assert tuple(row) == ("jean.martin@exemple.fr", None, None)
            connection.execute(sa.text("UPDATE accounts SET password_reset_required_at = :when"), {"when": WHEN})
        downgrade(revision="0011")
        with db.engine.begin() as connection:
            assert not NEW_COLUMNS & columns(connection)
            assert connection.execute(sa.text("SELECT email FROM accounts")).scalar_one() == "jean.martin@exemple.fr"
        upgrade(revision="0012")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT password_reset_required_at FROM accounts")).scalar_one() is None
        db.engine.dispose()
