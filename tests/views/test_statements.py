"""What a request asks of the database (issue 19): a step's POST reads the journey once and
writes it once (its counts, written in the same commit, are one more statement); the status
poll reads and writes nothing else than what it shows. Every statement is seen by a
`before_cursor_execute` listener, so a lazy load would show as one more SELECT."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.conftest import at_step, confirmed_phone, typed_answers
from tests.views.test_eligibility import EMAIL, STATUS, queued_check
from wizard.extensions import db

TABLE = re.compile(r"^\s*(?:SELECT\b.*?\bFROM|INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", re.IGNORECASE | re.DOTALL)


@contextmanager
def statements(app):
    """The (verb, table) of every statement sent while the block runs."""
    seen = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        found = TABLE.match(statement)
        seen.append((statement.split(None, 1)[0].upper(), found.group(1) if found else statement[:40]))
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("slug, name", [("identite", "identity"), ("qualite", "role"),
                                        ("souscripteur", "subscriber"), ("recapitulatif", "summary")])
@pytest.mark.parametrize("htmx", [False, True])
def test_a_step_post_reads_the_journey_once_and_writes_it_once(client, app, slug, name, htmx):
    at_step(client, slug)
    client.get(f"/inscription/{slug}")  # the step reached: its POST counts it completed
    with statements(app) as seen:
        response = client.post(f"/inscription/{slug}", data=typed_answers("beneficiary")[name],
                               headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code == 303
    # The counts are upserted just before the commit's flush, hence before the journey's UPDATE.
    assert sorted(seen) == [("INSERT", "event_counts"), ("SELECT", "journeys"), ("UPDATE", "journeys")]


def test_a_step_get_reads_the_journey_once_and_writes_nothing(client, app):
    at_step(client, "identite")
    client.get("/inscription/identite")
    with statements(app) as seen:
        assert client.get("/inscription/identite").status_code == 200
    assert seen == [("SELECT", "journeys")]


def test_the_status_poll_reads_the_session_and_the_check_and_writes_nothing(client, app):
    confirmed_phone(client, EMAIL, role="beneficiary")
    check_id = queued_check(app)
    with statements(app) as seen:
        response = client.get(f"{STATUS}?verification={check_id}&vu=0", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert sorted(seen) == [("SELECT", "account_sessions"), ("SELECT", "eligibility_checks")]


@pytest.mark.parametrize("url", ["/inscription/", "/inscription/verification"])
def test_the_first_step_opened_without_a_cookie_writes_no_journey(app, url):
    with statements(app) as seen:
        assert app.test_client().get(url).status_code in (200, 303)
    # Nothing read (no token to look for), nothing written but the funnel's count of the screen reached.
    assert seen == ([("INSERT", "event_counts")] if url.endswith("verification") else [])
