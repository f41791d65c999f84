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


def _modules() -> dict[str, Path]:
    """Every module of the app by dotted name (a package by its own name)."""
    found = {"app": ROOT / "app.py"}
    for path in (ROOT / "wizard").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """What a module imports, anywhere in it (inside functions too), as dotted names."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_core_knows_nothing_of_flask_nor_of_the_database():
    for name, path in MODULES.items():
        if name.startswith("wizard.core"):
            outside = {i for i in _imports(path) if i.split(".")[0] in {"flask", "werkzeug", "sqlalchemy", "wtforms"}
                       or i.startswith(("flask_", "wizard.")) and not i.startswith("wizard.core")}
            assert not outside, f"{_relative(path)} imports {sorted(outside)}"


# The web layer: views, forms, and wizard/web/. Only it knows of requests, responses and
# cookies; the app's glue (factory, settings, commands, jobs) may use the app, not requests.
HTTP_NAMES = {"request", "session", "g", "make_response", "redirect", "abort", "jsonify", "Response", "url_for"}


def _is_web(path: Path) -> bool:
    return path.name in ("views.py", "forms.py") or path.parent.name == "web"


def test_services_know_nothing_of_http():
    for name, path in MODULES.items():
        if _is_web(path) or name in ("app", "wizard"):
            continue
        http = {i for i in _imports(path) if i.startswith("werkzeug") or i.startswith("flask.")
                and i.rpartition(".")[2] in HTTP_NAMES}
        assert not http, f"{_relative(path)} imports {sorted(http)}"
    for path in (ROOT / "wizard").rglob("service.py"):
        assert not {i for i in _imports(path) if i.split(".")[0] == "flask" or i.startswith("flask_")}, path


def test_only_the_web_layer_touches_htmx_headers_cookies_and_session_keys():
    touching = re.compile(r"HX-|request\.cookies|set_cookie|delete_cookie"
                          r"|(?<![.\w])session(\[|\.get\(|\.pop\(|\.clear\()")
    for path in (ROOT / "wizard").rglob("*.py"):
        if path.parent.name != "web":
            assert not touching.search(path.read_text()), _relative(path)
    # Within it, HX-* headers are read by the rendering helper alone.
    for path in (ROOT / "wizard" / "web").glob("*.py"):
        if path.name != "rendering.py":
            assert "HX-" not in path.read_text(), _relative(path)


def test_commits_only_where_the_unit_of_work_allows():
    """wizard/database.py commits a request or a job once; the named exceptions commit on
    their own (lease claims and eligibility stages, outbox delivery)."""
    allowed = {"wizard/database.py", "wizard/eligibility/service.py", "wizard/messaging/outbox.py"}
    committing = {_relative(path) for path in (ROOT / "wizard").rglob("*.py") if ".commit()" in path.read_text()}
    assert committing == allowed


def test_no_import_cycle():
    graph = {name: _module_targets(name, path) for name, path in MODULES.items()}
    cycles = []

    def visit(node, trail):
        for target in graph[node]:
            if target in trail:
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in done:
                visit(target, trail + [target])
        done.add(node)

    done: set[str] = set()
    for name in graph:
        if name not in done:
            visit(name, [name])
    assert not cycles, cycles[:3]


def _module_targets(name: str, path: Path) -> set[str]:
    """The app's modules this one imports: `from wizard.x import y` counts wizard.x.y when
    y is a module, else wizard.x (a package's __init__ does not count for its modules)."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                targets.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
    return {target for target in targets if target in MODULES and target != name}


def test_the_packaging_finds_every_package(tmp_path):
    """`pip install .` must carry every package, and the data files they read."""
    from setuptools import find_packages
    packages = {".".join(path.relative_to(ROOT).parts) for path in (ROOT / "wizard").rglob("*")
                if path.is_dir() and any(path.glob("*.py"))} | {"wizard"}
    assert set(find_packages(str(ROOT), include=["wizard*"])) == packages
    for package in packages:
        assert (ROOT / package.replace(".", "/") / "__init__.py").is_file(), package
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '[tool.setuptools.packages.find]\ninclude = ["wizard*"]' in pyproject
    assert 'wizard = ["data/**/*", "config.toml"]' in pyproject


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
