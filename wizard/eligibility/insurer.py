"""Asking the insurer whether a person is covered.

Two adapters, one question (`check`), one answer (`Verdict`):
- DirectoryInsurer reads a CSV of contracts (the embedded default and the demo data);
- HttpInsurer calls the insurer's API (INSURER_API_URL), as specified in DESIGN.md.

`InsurerUnavailable` means "no answer": the caller retries later and the person's
attempt is not used. A Verdict is an answer, even when it is "not found".
"""
import csv
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from wizard.core.applicant import Applicant, Person
from wizard.core.identity import NameKeys

ELIGIBLE, NOT_FOUND, MISMATCH = "eligible", "not_found", "mismatch"
STATUSES = (ELIGIBLE, NOT_FOUND, MISMATCH)


@dataclass(frozen=True)
class Verdict:
    status: str
    contract_number: str | None = None
    insurer_name: str | None = None


class InsurerUnavailable(Exception):
    """The insurer could not be asked, or did not answer in time, or answered nonsense."""


def same_person(card: dict, person: Person) -> bool:
    """The card's names and birth date against the typed ones (see NameKeys), and each
    other identifier typed against the card's column of that name, when it has one."""
    return (person.name_keys.matches_card(NameKeys.of(card["last_name"], card["first_name"]))
            and card["birth_date"] == person.birth_date.isoformat()
            and all(_compact(card.get(kind)) in ("", value) for kind, value in person.others))


def _compact(value: str | None) -> str:
    """A directory's identifier as the form keeps one: no separators, upper case."""
    return re.sub(r"[\s.\-]+", "", value or "").upper()


class DirectoryInsurer:
    """Contracts from a CSV file: identifier,last_name,first_name,birth_date,role,
    subscriber_identifier,contract_number,insurer_name, then optionally a column per other
    identifier asked (`postal_code`, `vitale`...; IDENTIFIERS), compared when not empty.
    `identifier` is the first identifier asked. Re-read when the file changes."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._loaded_mtime = None
        self._by_identifier: dict[str, dict] = {}

    def _rows(self) -> dict[str, dict]:
        mtime = os.stat(self.path).st_mtime_ns
        if mtime != self._loaded_mtime:
            with open(self.path, encoding="utf-8", newline="") as file:
                self._by_identifier = {row["identifier"].strip(): row for row in csv.DictReader(file)}
            self._loaded_mtime = mtime
        return self._by_identifier

    def check(self, applicant: Applicant) -> Verdict:
        rows = self._rows()
        card = rows.get(applicant.person.identifier)
        if card is None:
            return Verdict(NOT_FOUND)
        if not same_person(card, applicant.person):
            return Verdict(MISMATCH)
        if applicant.subscriber is None:
            matches = card["role"] == "subscriber"
        else:
            holder = rows.get(card["subscriber_identifier"])
            typed = applicant.subscriber.identifier  # when SUBSCRIBER_IDENTIFIERS holds the first
            matches = card["role"] == "beneficiary" and holder is not None \
                and same_person(holder, applicant.subscriber) and typed in ("", card["subscriber_identifier"])
        if not matches:
            return Verdict(MISMATCH)
        return Verdict(ELIGIBLE, card["contract_number"], card["insurer_name"])

    def contract_number(self, applicant: Applicant) -> str | None:
        """For the summary page, before the real check: shown only on a full match."""
        verdict = self.check(applicant)
        return verdict.contract_number if verdict.status == ELIGIBLE else None


class HttpInsurer:
    """POST {INSURER_API_URL} with a bearer token; see "The insurer's API" in the README.
    `kinds`: the identifiers asked, in order (IDENTIFIERS), named in the payload."""

    def __init__(self, url: str, token: str, timeout: float, kinds: tuple[str, ...] = ("member_number",)):
        self.url, self.token, self.timeout, self.kinds = url, token, timeout, kinds

    def check(self, applicant: Applicant) -> Verdict:
        request = urllib.request.Request(self.url, data=json.dumps(payload(applicant, self.kinds)).encode(),
                                         method="POST", headers={"Content-Type": "application/json",
                                                                 "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read(65536))
        except urllib.error.HTTPError as error:
            raise InsurerUnavailable(f"insurer answered {error.code}") from None
        except (OSError, ValueError) as error:  # TimeoutError is an OSError
            raise InsurerUnavailable(type(error).__name__) from None
        if not isinstance(answer, dict) or answer.get("status") not in STATUSES:
            raise InsurerUnavailable("unexpected answer")
        return Verdict(answer["status"], answer.get("contract_number"), answer.get("insurer_name"))

    def contract_number(self, applicant: Applicant) -> None:
        return None  # the API is asked once, by the eligibility check, not for a preview


def payload(applicant: Applicant, kinds: tuple[str, ...]) -> dict:
    """As typed (the fields of the first version of the contract: `identifier` is the first
    identifier asked), with `normalised`, the names as Sésame matches them, so that every
    insurer forgives the same way, and `identifiers`, every identifier asked by its kind."""
    person, subscriber = applicant.person, applicant.subscriber
    return {**_typed(person, kinds), "identifier": person.identifier,
            "subscriber": None if subscriber is None else _typed(subscriber, kinds)}


def _typed(person: Person, kinds: tuple[str, ...]) -> dict:
    keys = person.name_keys
    given = {kinds[0]: person.identifier} if person.identifier else {}
    return {"last_name": person.last_name, "first_name": person.first_name,
            "birth_date": person.birth_date.isoformat(),
            "normalised": {"last_name": keys.last_name, "given_names": list(keys.given_names)},
            "identifiers": {**given, **dict(person.others)}}
