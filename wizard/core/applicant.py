"""The person signing up, as a typed value: parsed once from the journey's answers.

The answers are stored as the steps' forms returned them (wizard/signup/steps.py); this is
the only code that knows their shape. Everything after the steps (the summary, the
password rules, the account, the insurer) reads an Applicant.
"""
from dataclasses import dataclass
from datetime import date

from wizard.core.identity import IDENTIFIER_KINDS, NameKeys

SUBSCRIBER, BENEFICIARY = "subscriber", "beneficiary"


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    birth_date: date
    identifier: str = ""  # the first identifier asked: the one the insurer finds the card by
    others: tuple[tuple[str, str], ...] = ()  # (kind, value) of the others asked (IDENTIFIERS)

    @property
    def name_keys(self) -> NameKeys:
        return NameKeys.of(self.last_name, self.first_name)

    def other(self, kind: str) -> str | None:
        return dict(self.others).get(kind)


@dataclass(frozen=True)
class Applicant:
    person: Person
    subscriber: Person | None  # None when the applicant is the subscriber

    @property
    def role(self) -> str:
        return SUBSCRIBER if self.subscriber is None else BENEFICIARY

    @classmethod
    def from_answers(cls, answers: dict) -> "Applicant | None":
        """None until the identity and the role are answered (and the subscriber, for a
        beneficiary)."""
        identity, role = answers.get("identity"), (answers.get("role") or {}).get("role")
        subscriber = answers.get("subscriber")
        if not identity or role not in (SUBSCRIBER, BENEFICIARY) or (role == BENEFICIARY and not subscriber):
            return None
        person = Person(identity["last_name"], identity["first_name"], date.fromisoformat(identity["birth_date"]),
                        identity["identifier"], _others(identity, ""))
        if role == SUBSCRIBER:
            return cls(person, None)
        return cls(person, Person(subscriber["subscriber_last_name"], subscriber["subscriber_first_name"],
                                  date.fromisoformat(subscriber["subscriber_birth_date"]),
                                  subscriber.get("subscriber_identifier") or "", _others(subscriber, "subscriber_")))


def _others(answers: dict, prefix: str) -> tuple[tuple[str, str], ...]:
    """The identifiers other than the first are answered under their kind's name."""
    return tuple((kind, answers[prefix + kind]) for kind in IDENTIFIER_KINDS if answers.get(prefix + kind))
