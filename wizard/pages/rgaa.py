"""The RGAA 4.1 audit grid (wizard/data/rgaa.toml), read and summed up: each criterion's
status on each screen of the walk, how it was established, and the rate of conformity."""
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

GRID = Path(__file__).resolve().parents[1] / "data" / "rgaa.toml"
CONFORME, NON_CONFORME, NON_APPLICABLE = "conforme", "non conforme", "non applicable"
STATUSES = (CONFORME, NON_CONFORME, NON_APPLICABLE)
# The 13 themes of RGAA 4.1, by number (their names are translated in the template).
THEMES = {1: "Images", 2: "Cadres", 3: "Couleurs", 4: "Multimédia", 5: "Tableaux", 6: "Liens", 7: "Scripts",
          8: "Éléments obligatoires", 9: "Structuration de l’information", 10: "Présentation de l’information",
          11: "Formulaires", 12: "Navigation", 13: "Consultation"}


@dataclass(frozen=True)
class Finding:
    status: str
    test: str | None  # "path::function" of the automated test, or
    manual: str | None  # the manual check, written


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    by_screen: dict  # screen name -> Finding

    @property
    def theme(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def status(self) -> str:
        """Over all screens: non conforme if it fails on one, non applicable if it applies to none."""
        statuses = {finding.status for finding in self.by_screen.values()}
        if NON_CONFORME in statuses:
            return NON_CONFORME
        return CONFORME if CONFORME in statuses else NON_APPLICABLE

    def findings(self) -> list[tuple[Finding, list[str]]]:
        """Each distinct finding with the screens it holds on, the most common first."""
        grouped: dict = {}
        for screen, finding in self.by_screen.items():
            grouped.setdefault(finding, []).append(screen)
        return sorted(grouped.items(), key=lambda item: -len(item[1]))


@dataclass(frozen=True)
class Grid:
    screens: list
    criteria: list
    groups: dict  # a name -> the screens it stands for

    def by_theme(self) -> list[tuple[int, list[Criterion]]]:
        return [(theme, [c for c in self.criteria if c.theme == theme]) for theme in THEMES]

    def count(self, status: str) -> int:
        return sum(criterion.status == status for criterion in self.criteria)

    @property
    def rate(self) -> float:
        """RGAA's rate: the criteria met, out of those that apply (met or not)."""
        applicable = self.count(CONFORME) + self.count(NON_CONFORME)
        return 100.0 * self.count(CONFORME) / applicable if applicable else 100.0

    @cached_property  # the grid is read once per process; the layout asks on every page
    def fully_conformant(self) -> bool:
        return self.count(NON_CONFORME) == 0


def parse(data: dict) -> Grid:
    """The grid of a TOML document; an unknown status or screen, or a finding said neither
    by a test nor by a manual check, raises ValueError."""
    screens, groups = data["screens"], data.get("groups", {})
    if clashes := set(groups) & set(screens):
        raise ValueError(f"a group has a screen's name: {sorted(clashes)}")
    criteria = []
    for entry in data["criterion"]:
        default = _finding(entry, {}, entry["id"])
        by_screen = dict.fromkeys(screens, default)
        for exception in entry.get("except", []):
            finding = _finding(exception, entry, entry["id"])
            for name in exception["screens"]:
                for screen in groups.get(name, [name]):
                    if screen not in by_screen:
                        raise ValueError(f"criterion {entry['id']}: unknown screen {screen!r}")
                    by_screen[screen] = finding
        criteria.append(Criterion(entry["id"], entry["title"], by_screen))
    return Grid(screens, criteria, groups)


def _finding(values: dict, inherited: dict, criterion: str) -> Finding:
    """A status and how it was established: the values' own test or manual check, else the
    criterion's (an exception that only changes the status)."""
    status = values.get("status")
    if status not in STATUSES:
        raise ValueError(f"criterion {criterion}: status {status!r} is not one of {STATUSES}")
    how = {key: values[key] for key in ("test", "manual") if key in values} \
        or {key: inherited[key] for key in ("test", "manual") if key in inherited}
    if len(how) != 1:
        raise ValueError(f"criterion {criterion}: one test or one manual check, not {sorted(how) or 'none'}")
    return Finding(status, how.get("test"), how.get("manual"))


@cache
def grid() -> Grid:
    return parse(tomllib.loads(GRID.read_text("utf-8")))
