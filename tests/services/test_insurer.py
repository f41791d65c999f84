"""The insurer adapters: the demo directory and the HTTP API, against a real local server."""
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wizard.config import ROOT
from wizard.core.applicant import Applicant, Person
from wizard.eligibility.insurer import DirectoryInsurer, HttpInsurer, InsurerUnavailable

DIRECTORY = DirectoryInsurer(ROOT / "wizard" / "data" / "demo_directory.csv")
ISABELLE = Person("DUPONT", "Isabelle", date(1980, 12, 21), "10203040")
JEAN = Person("Dupont", "Jean", date(1977, 3, 6), "10203050")


def test_a_subscriber_is_eligible():
    verdict = DIRECTORY.check(Applicant(ISABELLE, None))
    assert (verdict.status, verdict.contract_number) == ("eligible", "1020305056")
    assert verdict.insurer_name == "Mutuelle Démo"


def test_a_beneficiary_is_eligible_with_their_subscriber():
    subscriber = Person("dupont", "ISABELLE", date(1980, 12, 21))
    assert DIRECTORY.check(Applicant(JEAN, subscriber)).status == "eligible"


@pytest.mark.parametrize(("last", "first"), [
    ("MARTIN LEFEVRE", "jean etienne"), ("Martin-Lefèvre", "Jean-Étienne"), ("martin  lefèvre", "JEAN-ETIENNE"),
    ("MARTIN-LEFÈVRE", "Jean"),
])
def test_matching_forgives_case_accents_spaces_and_hyphens(last, first):
    person = Person(last, first, date(1965, 11, 2), "20304050")
    assert DIRECTORY.check(Applicant(person, None)).status == "eligible"


@pytest.mark.parametrize(("identifier", "born", "last", "first"), [
    # Every case of the identity screen's promise: case, accents, hyphens, spaces, apostrophes.
    ("30405060", date(1990, 1, 31), "NDIAYE", "Marie Noëlle"),
    ("30405060", date(1990, 1, 31), "n diaye", "MARIE-NOELLE"),
    ("30405060", date(1990, 1, 31), "N'Diaye", "Marienoëlle"),
    ("30405060", date(1990, 1, 31), "N’DIAYE", "Noëlle"),
    ("20304050", date(1965, 11, 2), "MARTINLEFEVRE", "Étienne"),
    ("20304050", date(1965, 11, 2), "Martin Lefèvre", "etienne"),
])
def test_matching_keeps_the_identity_screens_promise(identifier, born, last, first):
    assert DIRECTORY.check(Applicant(Person(last, first, born, identifier), None)).status == "eligible"


@pytest.mark.parametrize(("last", "first"), [
    ("NDIAYES", "Marie"), ("DIAYE", "Marie"), ("N'DIAYE", "Noëlle Marie"), ("N'DIAYE", "Mari"), ("N'DIAYE", "-"),
])
def test_matching_still_tells_another_person_apart(last, first):
    person = Person(last, first, date(1990, 1, 31), "30405060")
    assert DIRECTORY.check(Applicant(person, None)).status == "mismatch"


def test_apostrophes_and_compound_first_names():
    person = Person("N’Diaye", "Marie-Noëlle", date(1990, 1, 31), "30405060")
    assert DIRECTORY.check(Applicant(person, None)).status == "eligible"


@pytest.mark.parametrize(("applicant", "status"), [
    (Applicant(Person("Inconnu", "Paul", date(1970, 1, 1), "99999999"), None), "not_found"),
    (Applicant(Person("DUPONT", "Isabelle", date(1980, 12, 22), "10203040"), None), "mismatch"),
    (Applicant(Person("DUPONT", "Isa", date(1980, 12, 21), "10203040"), None), "mismatch"),
    (Applicant(JEAN, None), "mismatch"),  # a beneficiary who says they are the subscriber
    (Applicant(JEAN, Person("DUPONT", "Pierre", date(1980, 12, 21))), "mismatch"),
    (Applicant(ISABELLE, Person("DUPONT", "Jean", date(1977, 3, 6))), "mismatch"),
])
def test_refusals(applicant, status):
    assert DIRECTORY.check(applicant).status == status


def test_the_summary_can_show_the_contract_number_early():
    assert DIRECTORY.contract_number(Applicant(ISABELLE, None)) == "1020305056"
    assert DIRECTORY.contract_number(Applicant(JEAN, None)) is None


def test_the_directory_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "contracts.csv"
    header = "identifier,last_name,first_name,birth_date,role,subscriber_identifier,contract_number,insurer_name\n"
    path.write_text(header, encoding="utf-8")
    directory = DirectoryInsurer(path)
    assert directory.check(Applicant(ISABELLE, None)).status == "not_found"
    path.write_text(header + "10203040,DUPONT,Isabelle,1980-12-21,subscriber,,42,X\n", encoding="utf-8")
    import os
    os.utime(path, ns=(1, 10**18))
    assert directory.check(Applicant(ISABELLE, None)).contract_number == "42"


def test_applicant_from_journey_answers():
    identity = {"last_name": "Dupont", "first_name": "Jean", "birth_date": "1977-03-06", "identifier": "10203050"}
    subscriber = {"subscriber_last_name": "Dupont", "subscriber_first_name": "Isabelle",
                  "subscriber_birth_date": "1980-12-21"}
    answers = {"identity": identity, "role": {"role": "beneficiary"}, "subscriber": subscriber}
    applicant = Applicant.from_answers(answers)
    assert applicant == Applicant(JEAN, Person("Dupont", "Isabelle", date(1980, 12, 21)))
    assert applicant.role == "beneficiary"
    assert Applicant.from_answers({"identity": identity, "role": {"role": "subscriber"}}) == Applicant(JEAN, None)
    # Until the identity, the role and (for a beneficiary) the subscriber are answered: none.
    assert Applicant.from_answers({"identity": identity}) is None
    assert Applicant.from_answers({"identity": identity, "role": {"role": "beneficiary"}}) is None
    assert Applicant.from_answers({"role": {"role": "subscriber"}}) is None


class FakeInsurer(BaseHTTPRequestHandler):
    """Answers as told: a status, an HTTP error code, a delay, or nonsense. Counts the most
    requests it held at once (`most_at_once`)."""
    script = {}
    received = []
    at_once = most_at_once = 0
    _counting = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeInsurer.received.append({"body": body, "authorization": self.headers["Authorization"]})
        with FakeInsurer._counting:
            FakeInsurer.at_once += 1
            FakeInsurer.most_at_once = max(FakeInsurer.most_at_once, FakeInsurer.at_once)
        try:
            threading.Event().wait(self.script.get("delay", 0))
        finally:
            with FakeInsurer._counting:
                FakeInsurer.at_once -= 1
        code = self.script.get("code", 200)
        payload = self.script.get("raw") or json.dumps(self.script.get("answer", {})).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_insurer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeInsurer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeInsurer.received.clear()
    yield FakeInsurer, HttpInsurer(f"http://127.0.0.1:{server.server_port}/eligibility", "token-1", timeout=0.5)
    server.shutdown()


def test_the_api_request_follows_the_contract(fake_insurer):
    fake, insurer = fake_insurer
    fake.script = {"answer": {"status": "eligible", "contract_number": "C-1", "insurer_name": "Mutuelle X"}}
    verdict = insurer.check(Applicant(JEAN, Person("Dupont", "Isabelle", date(1980, 12, 21))))
    assert (verdict.status, verdict.contract_number, verdict.insurer_name) == ("eligible", "C-1", "Mutuelle X")
    assert fake.received == [{"authorization": "Bearer token-1", "body": {
        "last_name": "Dupont", "first_name": "Jean", "birth_date": "1977-03-06", "identifier": "10203050",
        "normalised": {"last_name": "dupont", "given_names": ["jean"]}, "identifiers": {"member_number": "10203050"},
        "subscriber": {"last_name": "Dupont", "first_name": "Isabelle", "birth_date": "1980-12-21",
                       "normalised": {"last_name": "dupont", "given_names": ["isabelle"]}, "identifiers": {}}}}]


def test_the_api_receives_every_identifier_asked_and_the_first_as_before(fake_insurer):
    """IDENTIFIERS=nir,vitale with SUBSCRIBER_IDENTIFIERS=nir: `identifier` is still the first
    (an insurer of the first contract reads it as before), `identifiers` names each by kind,
    the subscriber's included."""
    fake, _insurer = fake_insurer
    insurer = HttpInsurer(_insurer.url, "token-1", timeout=0.5, kinds=("nir", "vitale"))
    fake.script = {"answer": {"status": "eligible"}}
    person = Person("Dupont", "Jean", date(1977, 3, 6), "177037512345603", (("vitale", "01024576124"),))
    subscriber = Person("Dupont", "Isabelle", date(1980, 12, 21), "280127512345678")
    assert insurer.check(Applicant(person, subscriber)).status == "eligible"
    body = fake.received[0]["body"]
    assert body["identifier"] == "177037512345603"
    assert body["identifiers"] == {"nir": "177037512345603", "vitale": "01024576124"}
    assert list(body["identifiers"]) == ["nir", "vitale"]  # in the order asked
    assert body["subscriber"]["identifiers"] == {"nir": "280127512345678"}
    assert "identifier" not in body["subscriber"]  # the first contract's subscriber had none


@pytest.fixture
def directory_with_columns(tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text(
        "identifier,last_name,first_name,birth_date,role,subscriber_identifier,contract_number,insurer_name,postal_code\n"
        "285037512345678,DUPONT,Marie,1985-03-27,subscriber,,C-1,Ameli,75011\n"
        "110107512345632,DUPONT,Paul,2010-10-01,beneficiary,285037512345678,C-1,Ameli,75011\n", "utf-8")
    return DirectoryInsurer(path)


@pytest.mark.parametrize(("postal_code", "status"), [("75011", "eligible"), ("75012", "mismatch")])
def test_the_directory_compares_the_other_identifiers_with_its_columns(directory_with_columns, postal_code, status):
    person = Person("Dupont", "Marie", date(1985, 3, 27), "285037512345678", (("postal_code", postal_code),))
    assert directory_with_columns.check(Applicant(person, None)).status == status


@pytest.mark.parametrize(("typed", "status"), [("", "eligible"), ("285037512345678", "eligible"),
                                               ("185037512345678", "mismatch")])
def test_the_directory_compares_the_subscribers_identifier_when_asked(directory_with_columns, typed, status):
    person = Person("Dupont", "Paul", date(2010, 10, 1), "110107512345632", (("postal_code", "75011"),))
    subscriber = Person("DUPONT", "Marie", date(1985, 3, 27), typed)
    assert directory_with_columns.check(Applicant(person, subscriber)).status == status


def test_the_api_receives_the_names_as_typed_and_as_matched(fake_insurer):
    """The insurer gets what the person typed, untouched, and the forms Sésame matches on:
    every adapter forgives the same way as the demo directory."""
    fake, insurer = fake_insurer
    fake.script = {"answer": {"status": "eligible"}}
    insurer.check(Applicant(Person("  n’diaye ", "Marie  noëlle", date(1990, 1, 31), "30405060"), None))
    body = fake.received[0]["body"]
    assert (body["last_name"], body["first_name"]) == ("  n’diaye ", "Marie  noëlle")
    assert body["normalised"] == {"last_name": "ndiaye", "given_names": ["marie", "noelle"]}


@pytest.mark.parametrize("status", ["not_found", "mismatch"])
def test_the_api_answers_each_outcome(fake_insurer, status):
    fake, insurer = fake_insurer
    fake.script = {"answer": {"status": status}}
    assert insurer.check(Applicant(ISABELLE, None)).status == status
    assert fake.received[0]["body"]["subscriber"] is None


@pytest.mark.parametrize("script", [
    {"code": 500}, {"code": 503}, {"code": 404}, {"delay": 1.0, "answer": {"status": "eligible"}},
    {"raw": b"<html>proxy error</html>"}, {"answer": {"status": "maybe"}}, {"raw": b"[1, 2]"},
])
def test_no_answer_is_unavailable_never_a_verdict(fake_insurer, script):
    fake, insurer = fake_insurer
    fake.script = script
    with pytest.raises(InsurerUnavailable):
        insurer.check(Applicant(ISABELLE, None))


def test_an_unreachable_insurer_is_unavailable():
    with pytest.raises(InsurerUnavailable):
        HttpInsurer("http://127.0.0.1:9/eligibility", "t", timeout=0.5).check(Applicant(ISABELLE, None))
