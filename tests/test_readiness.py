"""GET /readyz: ready for traffic when the database answers with the schema this code
expects; Redis away is reported (degraded) but does not take the process out."""
import socket

import pytest
from sqlalchemy import text

from tests.conftest import build_app
from wizard.extensions import db, limiter
from wizard.pages import readiness

HEAD = readiness.expected_schema(str(build_app().root_path) + "/migrations")


def ready_app(version: str | None = HEAD, **config):
    app = build_app(**config)
    with app.app_context():
        db.create_all()
        if version is not None:  # what `flask db upgrade` leaves
            db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            db.session.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})
            db.session.commit()
    return app


def refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"


@pytest.fixture(autouse=True)
def _storage_alive_again():
    yield
    limiter._storage_dead = False  # one limiter object for every app of the test process


def test_the_expected_schema_is_alembics_head_and_none_when_two_heads(tmp_path):
    from alembic.script import ScriptDirectory
    migrations = str(build_app().root_path) + "/migrations"
    assert HEAD == ScriptDirectory(migrations).get_current_head()
    (tmp_path / "versions").mkdir()
    for name, down in (("0001", None), ("0002a", "0001"), ("0002b", "0001")):
        (tmp_path / "versions" / f"{name}.py").write_text(
            f'revision = "{name}"\ndown_revision = {repr(down)}\n')
    assert readiness.expected_schema(str(tmp_path)) is None
    (tmp_path / "versions" / "0003.py").write_text('revision = "0003"\ndown_revision = "0002a"\n')
    readiness.expected_schema.cache_clear()
    assert readiness.expected_schema(str(tmp_path)) is None  # 0002b and 0003
    (tmp_path / "versions" / "0002b.py").unlink()
    readiness.expected_schema.cache_clear()
    assert readiness.expected_schema(str(tmp_path)) == "0003"


def test_migrated_and_no_redis_is_ready():
    response = ready_app().test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not used"}


def test_a_database_never_migrated_is_not_ready():
    response = ready_app(version=None).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "database": "not migrated", "redis": "not used"}


def test_a_release_whose_migration_has_not_run_is_not_ready():
    response = ready_app(version="0011_production").test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == f"schema 0011_production, expected {HEAD}"


def test_no_database_is_not_ready():
    app = build_app(SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:9/none")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_redis_away_is_reported_but_the_process_still_serves():
    url = refused_url()
    app = ready_app(REDIS_URL=url, RATELIMIT_STORAGE_URI=url, JOB_RUNNER="rq")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "unreachable"}


@pytest.mark.parametrize("query", ["?x=%00", "?" + "a" * 5000])
def test_hostile_queries_change_nothing(query):
    response = ready_app().test_client().get("/readyz" + query)
    assert response.status_code == 200
