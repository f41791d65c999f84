"""Architecture rules, as tests."""
import ast
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from wizard.extensions import db
from wizard.signup import steps

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("step", steps.STEPS, ids=lambda s: s.name)
def test_every_step_has_a_route_a_template_and_a_french_url(app, step):
    with app.test_request_context():
        from flask import url_for
        url = url_for("signup.step", slug=step.slug)
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(url, method="POST")
    assert endpoint.startswith("signup.")
    assert (ROOT / "templates" / step.template).is_file()
    assert re.fullmatch(r"[a-z\-]+", step.slug)


def test_services_know_nothing_of_http():
    for path in (ROOT / "wizard" / "services").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not any(name and name.startswith(("flask", "werkzeug")) for name in imported), path.name


def test_only_the_rendering_helper_reads_htmx_headers():
    for path in (ROOT / "wizard").rglob("*.py"):
        if path.name != "rendering.py":
            assert "HX-" not in path.read_text(), path


def test_views_stay_short():
    for path in (ROOT / "wizard").rglob("views.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "attr", "") in {"get", "post", "route"}
                    for d in node.decorator_list):
                assert node.end_lineno - node.lineno <= 16, f"{path.name}:{node.name} is too long"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migrations_build_exactly_the_models(request, tmp_path, backend):
    """On an empty database, PostgreSQL's (production's) and SQLite's (the embedded default)."""
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    if backend == "postgresql":
        url = request.getfixturevalue("empty_postgres_url")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    assert differences == []
