"""The load-and-fault run (bench/faults.py) at its CI size: people sign up through gunicorn,
RQ workers, PostgreSQL, Redis, SMTP, the SMS gateway and the insurer while each of them
fails once; nothing is lost, nothing is sent twice, no page is a server error. About a
minute and a half; needs redis-server and the PostgreSQL server of the other tests."""
import shutil

import pytest

from tests.conftest import POSTGRES_URL, postgres_reachable, unavailable

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(400)]


def test_signups_through_faults_lose_nothing_and_send_nothing_twice():
    if shutil.which("redis-server") is None:
        unavailable("no redis-server on PATH")
    if not postgres_reachable():
        unavailable(f"PostgreSQL not reachable at {POSTGRES_URL}")
    from bench import faults
    figures = faults.run(faults.SIZES["ci"], POSTGRES_URL)
    report = faults.table(figures)
    faults_made = " ".join(what for _second, what in figures["faults"])
    for fault in ("SMTP stopped", "SMTP back", "insurer answers 503", "does not answer", "job worker killed",
                  "web worker killed", "Redis started again"):
        assert fault in faults_made, report
    assert faults.problems(figures) == [], report
    assert figures["completed (eligible, then signed in)"] == figures["journeys started"], report
    assert figures["mails delivered exactly once"] == 2 * figures["journeys started"], report  # activation, outcome
    assert figures["SMS delivered exactly once"] == 2 * figures["journeys started"], report  # phone, sign-in
