"""Charts drawn on the server as SVG: horizontal bars, one group per row of a table, one
bar per series. No script, nothing from elsewhere. A hidden (small) cell draws no bar,
only "< 5", so that its length tells nothing. The table beside it is the chart's
accessible alternative: the SVG is an image named by the table's caption."""
from markupsafe import Markup, escape

from wizard.operator.reports import Table

LABEL_WIDTH, BAR_WIDTH, BAR_HEIGHT, GAP, MARGIN = 210, 330, 16, 12, 6
SERIES = 4  # as many colours in sesame.css (.chart-series-0 ...)


def bars(table: Table, name: str) -> Markup:
    columns = table.chart_columns
    values = [row[c].value or 0 for row in table.rows for c in columns]
    top = max(values, default=0) or 1
    group = len(columns) * BAR_HEIGHT + GAP
    legend = 22 if len(columns) > 1 else 0
    height = legend + len(table.rows) * group + MARGIN
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(name)}" xmlns="http://www.w3.org/2000/svg">']
    for index, column in enumerate(columns if legend else ()):
        x = LABEL_WIDTH + index * (BAR_WIDTH // len(columns))
        parts.append(f'<rect class="chart-series-{index % SERIES}" x="{x}" y="4" width="12" height="12"/>'
                     f'<text x="{x + 16}" y="15">{escape(table.headers[column])}</text>')
    for number, row in enumerate(table.rows):
        y = legend + number * group
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + group / 2}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(_shorten(row[0].text))}</text>')
        for index, column in enumerate(columns):
            cell, bar_y = row[column], y + index * BAR_HEIGHT
            length = 0 if cell.value is None else round(BAR_WIDTH * cell.value / top)
            parts.append(f'<rect class="chart-series-{index % SERIES}" x="{LABEL_WIDTH}" y="{bar_y}" '
                         f'width="{length}" height="{BAR_HEIGHT - 2}"/>'
                         f'<text x="{LABEL_WIDTH + length + 4}" y="{bar_y + BAR_HEIGHT - 3}">'
                         f'{escape(cell.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(label: str, longest: int = 30) -> str:
    return label if len(label) <= longest else label[:longest - 1] + "…"
