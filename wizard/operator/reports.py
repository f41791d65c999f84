"""The console's figures, read from the daily counts: each report is a list of tables, and
each table is what its chart draws, what its HTML table shows and what its CSV holds.

Small cells: a count under 5 is shown as "< 5" (SMALL), in the table, the chart and the
CSV alike. Where a row of a split also shows its total, one hidden cell could be found
again by subtraction, so a second one, the smallest shown, is hidden too (secondary
suppression). A time (a median, a 95th percentile) is shown only when it stands on at
least 5 counts, as the upper bound of the bucket it falls in.
"""
import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wizard.operator import events
from wizard.operator.models import EventCount
from wizard.signup import steps

SMALL_UNDER = 5
SMALL = "< 5"


@dataclass(frozen=True)
class Cell:
    value: int | None  # None: hidden (a small cell), or nothing to show
    text: str

    @property
    def hidden(self) -> bool:
        return self.text == SMALL


def count_cells(values: list[int], with_total: bool = False) -> list[Cell]:
    """Counts as cells, small ones hidden; with their total last when `with_total`."""
    hidden = {i for i, value in enumerate(values) if value < SMALL_UNDER}
    if with_total and len(hidden) == 1 and len(values) > 1:
        shown = sorted((value, i) for i, value in enumerate(values) if i not in hidden)
        hidden.add(shown[0][1])  # else total - shown cells = the hidden one
    cells = [Cell(None, SMALL) if i in hidden else Cell(value, str(value)) for i, value in enumerate(values)]
    if with_total:
        total = sum(values)
        cells.append(Cell(None, SMALL) if total < SMALL_UNDER else Cell(total, str(total)))
    return cells


@dataclass
class Table:
    slug: str  # for the CSV's address and the ids
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart_columns: tuple[int, ...] = (1,)  # the columns the chart draws, one series each

    def add(self, label: str, cells: list[Cell]) -> None:
        self.rows.append([Cell(None, label), *cells])


@dataclass(frozen=True)
class Period:
    first: date
    last: date


# --- reading the counts -----------------------------------------------------------------

def _sums(db_session, period: Period, event_names, *columns) -> dict[tuple, int]:
    """Sum of the counts of these events in the period, by the given columns."""
    keys = [getattr(EventCount, name) for name in columns]
    names = [event_names] if isinstance(event_names, str) else list(event_names)
    query = select(*keys, func.sum(EventCount.count)).where(
        EventCount.day >= period.first, EventCount.day <= period.last, EventCount.event.in_(names)).group_by(*keys)
    return {tuple(row[:-1]): int(row[-1]) for row in db_session.execute(query)}


def quantile(buckets: dict[int, int], share: float) -> int | None:
    """The bucket (seconds) the `share` quantile falls in; None under 5 counts."""
    timed = sorted((bucket, count) for bucket, count in buckets.items() if bucket)
    total = sum(count for _, count in timed)
    if total < SMALL_UNDER:
        return None
    seen = 0
    for bucket, count in timed:
        seen += count
        if seen >= share * total:
            return bucket
    return None


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    if seconds >= events.MORE:
        return str(_l("plus d’un jour"))
    if seconds < 60:
        return str(_l("≤ %(num)s s", num=seconds))
    if seconds < 3600:
        return str(_l("≤ %(num)s min", num=seconds // 60))
    return str(_l("≤ %(num)s h", num=seconds // 3600))


def _time_cell(buckets: dict[int, int], share: float) -> Cell:
    seconds = quantile(buckets, share)
    return Cell(seconds, duration_text(seconds))


# --- the words of the dimensions ----------------------------------------------------------

# The funnel's steps, in order: the signup's, then those after it (wizard/web/funnel.py).
STEP_NAMES = (*(step.name for step in steps.STEPS), "email", "phone", "eligibility")
STEP_LABELS = {**{step.name: step.title for step in steps.STEPS},
               "email": _l("Adresse e-mail confirmée"), "phone": _l("Téléphone confirmé"),
               "eligibility": _l("Vérification de l’éligibilité")}
DIMENSIONS = {
    "language": (_l("Langue"), {"fr": _l("français"), "en": _l("anglais")}),
    "js": (_l("JavaScript"), {"on": _l("avec JavaScript"), "off": _l("sans JavaScript")}),
    "device": (_l("Appareil"), {"mobile": _l("mobile"), "desktop": _l("ordinateur")}),
    "kiosk": (_l("Borne"), {"": _l("sans borne")}),
    "provider": (_l("Identification"), {"franceconnect": _l("FranceConnect"), "sesame": _l("Sésame")}),
}
OUTCOMES = {"eligible": _l("éligible"), "not_found": _l("inconnu de l’assureur"),
            "mismatch": _l("informations discordantes"), "failed": _l("assureur injoignable")}
CALLS = {"ok": _l("réponse"), "error": _l("erreur"), "timeout": _l("délai dépassé")}
CHANNELS = {"email": _l("e-mail"), "sms": _l("SMS")}


def dimension_label(dimension: str, value: str) -> str:
    """A value's words; "" (not known: an event outside a browser's request) says so."""
    words = DIMENSIONS[dimension][1]
    return str(words.get(value, value or _l("non renseigné")))


# --- the reports ------------------------------------------------------------------------------

def funnel(db_session, period: Period, split: str | None = None) -> list[Table]:
    # One pass over the period's rows (13 months of them: about 0.2 s on SQLite for 170,000).
    reached, completed, times = Counter(), Counter(), Counter()
    for (event, step, bucket, *value), amount in _sums(
            db_session, period, (events.STEP_REACHED, events.STEP_COMPLETED, events.STEP_TIME),
            "event", "step", "bucket", *([split] if split else [])).items():
        if event == events.STEP_TIME:
            times[(step, bucket)] += amount
        else:
            (reached if event == events.STEP_REACHED else completed)[(step, *value)] += amount
    overall = Table("etapes", str(_l("Étapes atteintes et terminées")),
                    [str(_l("Étape")), str(_l("Atteinte")), str(_l("Terminée")), str(_l("Abandon")),
                     str(_l("Temps médian"))], chart_columns=(1, 2))
    for step in STEP_NAMES:
        got = sum(v for k, v in reached.items() if k[0] == step)
        done = sum(v for k, v in completed.items() if k[0] == step)
        cells = count_cells([got]) + count_cells([done])
        drop = f"{round(100 * (got - done) / got)} %" if not any(c.hidden for c in cells) and got else "–"
        buckets = {k[1]: v for k, v in times.items() if k[0] == step}
        overall.add(str(STEP_LABELS[step]), [*cells, Cell(None, drop), _time_cell(buckets, 0.5)])
    tables = [overall]
    if split:
        values = sorted({k[1] for k in (*reached, *completed)})
        name = DIMENSIONS[split][0]
        headers = [str(_l("Étape")), *(dimension_label(split, value) for value in values), str(_l("Total"))]
        for slug, caption, counts in (("atteintes", _l("Étapes atteintes, par %(dimension)s", dimension=name),
                                       reached),
                                      ("terminees", _l("Étapes terminées, par %(dimension)s", dimension=name),
                                       completed)):
            table = Table(slug, str(caption), list(headers), chart_columns=tuple(range(1, len(values) + 1)))
            for step in STEP_NAMES:
                table.add(str(STEP_LABELS[step]), count_cells([counts.get((step, v), 0) for v in values], True))
            tables.append(table)
    return tables


def deliveries(db_session, period: Period, split: str | None = None) -> list[Table]:
    states = ((events.MESSAGE_QUEUED, _l("Mis en file")), (events.MESSAGE_DELIVERED, _l("Remis")),
              (events.MESSAGE_RETRIED, _l("Nouvel essai")), (events.MESSAGE_FAILED, _l("Abandonné")))
    by_state = _sums(db_session, period, [event for event, _ in states], "event", "channel")
    delays = _sums(db_session, period, events.MESSAGE_DELIVERED, "channel", "bucket")
    table = Table("etats", str(_l("Messages par état")),
                  [str(_l("Canal")), *(str(label) for _, label in states), str(_l("Délai médian")),
                   str(_l("Délai (95 %)"))], chart_columns=(1, 2, 3, 4))
    for channel, label in CHANNELS.items():
        buckets = {k[1]: v for k, v in delays.items() if k[0] == channel}
        table.add(str(label), [*count_cells([by_state.get((event, channel), 0) for event, _ in states]),
                               _time_cell(buckets, 0.5), _time_cell(buckets, 0.95)])
    failures = _sums(db_session, period, [events.MESSAGE_RETRIED, events.MESSAGE_FAILED], "channel", "detail")
    reasons = Table("echecs", str(_l("Échecs par raison (essais manqués et abandons)")),
                    [str(_l("Canal et raison")), str(_l("Échecs"))])
    for (channel, reason), amount in sorted(failures.items()):
        reasons.add(f"{CHANNELS.get(channel, channel)} : {reason}", count_cells([amount]))
    return [table, reasons]


def eligibility(db_session, period: Period, split: str | None = None) -> list[Table]:
    outcomes = _sums(db_session, period, events.ELIGIBILITY_OUTCOME, "detail")
    outcome_table = Table("resultats", str(_l("Résultats des vérifications")), [str(_l("Résultat")),
                                                                              str(_l("Vérifications"))])
    for outcome, label in OUTCOMES.items():
        outcome_table.add(str(label), count_cells([outcomes.get((outcome,), 0)]))
    calls = _sums(db_session, period, events.INSURER_CALL, "detail")
    call_times = _sums(db_session, period, events.INSURER_CALL, "detail", "bucket")
    check_times = _sums(db_session, period, events.ELIGIBILITY_OUTCOME, "bucket")
    call_table = Table("appels", str(_l("Appels à l’assureur")),
                       [str(_l("Réponse")), str(_l("Appels")), str(_l("Durée médiane")), str(_l("Durée (95 %)"))])
    for outcome, label in CALLS.items():
        buckets = {k[1]: v for k, v in call_times.items() if k[0] == outcome}
        call_table.add(str(label), [*count_cells([calls.get((outcome,), 0)]), _time_cell(buckets, 0.5),
                                    _time_cell(buckets, 0.95)])
    durations = {k[0]: v for k, v in check_times.items()}
    duration_table = Table("durees", str(_l("Durée d’une vérification, de la demande au résultat")),
                           [str(_l("Mesure")), str(_l("Durée"))], chart_columns=())
    duration_table.add(str(_l("médiane")), [_time_cell(durations, 0.5)])
    duration_table.add(str(_l("95e centile")), [_time_cell(durations, 0.95)])
    return [outcome_table, call_table, duration_table]


def kiosks(db_session, period: Period, split: str | None = None) -> list[Table]:
    scans = _sums(db_session, period, events.KIOSK_SCAN, "kiosk")
    started = _sums(db_session, period, events.STEP_REACHED, "step", "kiosk")
    finished = _sums(db_session, period, events.STEP_COMPLETED, "step", "kiosk")
    table = Table("bornes", str(_l("Par borne")), [str(_l("Borne")), str(_l("QR codes scannés")),
                                                   str(_l("Inscriptions commencées")), str(_l("Comptes créés"))],
                  chart_columns=(1, 2, 3))
    names = sorted({k[-1] for k in (*scans, *started, *finished)} - {""})
    for kiosk in names:
        table.add(kiosk, count_cells([scans.get((kiosk,), 0), started.get(("captcha", kiosk), 0),
                                      finished.get(("credentials", kiosk), 0)]))
    return [table]


REPORTS = {"parcours": (_l("Parcours"), funnel), "envois": (_l("Envois"), deliveries),
           "eligibilite": (_l("Éligibilité"), eligibility), "bornes": (_l("Bornes"), kiosks)}


def csv_text(table: Table) -> str:
    """The table as CSV, the same texts as shown ("< 5" included), UTF-8 with a BOM so
    that a spreadsheet reads the accents. A cell that a spreadsheet would take for a
    formula is quoted with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_not_a_formula(header) for header in table.headers])
    for row in table.rows:
        writer.writerow([_not_a_formula(cell.text) for cell in row])
    return "\ufeff" + out.getvalue()


def _not_a_formula(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
