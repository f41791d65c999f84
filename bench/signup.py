"""The signup of issue 19: captcha → identity → role → (subscriber) → summary →
credentials → activation, ending on "account activated"; the journey of bench/journey.py
cut there (the phone and the eligibility check are measured apart)."""
from bench.journey import Journey


class Signup(Journey):
    def _activated(self, path: str) -> None:
        self._get(path, "GET account_activated")
        self.walk.end = path
