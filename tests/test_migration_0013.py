"""Migration 0013 (the spoken CAPTCHA code out of the journeys table: its token is in the
session cookie) on a journey made before it: on PostgreSQL, as in production, and on
SQLite (the embedded default); there and back."""
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from wizard.extensions import db

BEFORE = sa.table("journeys", sa.column("id"), sa.column("answers", sa.JSON), sa.column("captcha_code"),
                  sa.column("captcha_code_expires_at", sa.DateTime), sa.column("kiosk_id"),
                  sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime))
OLD_COLUMNS = {"captcha_code", "captcha_code_expires_at"}
WHEN = datetime(2026, 12, 3, 7, 0)


def columns(connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns("journeys")}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_0013_keeps_the_journeys_there_and_back(request, tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    if backend == "postgresql":
        url = request.getfixturevalue("empty_postgres_url")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="0012")
        with db.engine.begin() as connection:
            assert OLD_COLUMNS <= columns(connection)
            connection.execute(BEFORE.insert().values(
                id="j" * 64, answers={"role": {"role": "subscriber"}}, captcha_code="123456",
                captcha_code_expires_at=WHEN, kiosk_id="agence-nord", created_at=WHEN, updated_at=WHEN))
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            assert not OLD_COLUMNS & columns(connection)
            row = connection.execute(sa.text("SELECT id, kiosk_id, updated_at FROM journeys")).one()
            assert (row.id, row.kiosk_id) == ("j" * 64, "agence-nord")
        downgrade(revision="0012")
        with db.engine.begin() as connection:
            assert OLD_COLUMNS <= columns(connection)
            row = connection.execute(sa.text("SELECT kiosk_id, captcha_code, captcha_code_expires_at "
                                             "FROM journeys")).one()
            assert tuple(row) == ("agence-nord", None, None)
        upgrade(revision="0013")
        with db.engine.connect() as connection:
            assert not OLD_COLUMNS & columns(connection)
            assert connection.execute(sa.text("SELECT count(*) FROM journeys")).scalar_one() == 1
        db.engine.dispose()
