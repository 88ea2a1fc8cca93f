"""A report drawn into a DataTable: any `ReportTable` (numbers right-aligned, a cap on the
rows drawn, the cursor kept where it was), and the trend with next period's forecast as a
bar chart (the forecast row marked and drawn hollow); and the note under a report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text

from rma_tui import i18n
from rma_tui.reads.report_tables import MEASURES, cell_text, measure_text, refund_split_note

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from rma_tui.reads.report_tables import ReportTable
    from rma_tui.reads.reports import TrendForecast

# The widest bar of the trend chart, in cells (as `rma report trend` draws it).
BAR_WIDTH = 40


def report_note(view: str, data: Any, range_text: str, min_sample: int,
                shown_rows: int) -> str:
    """The line under report `view` (`data` as read): its date range, then that nothing
    came back, or how rates are counted and, past `shown_rows` rows, that only those are
    drawn."""
    parts = [range_text]
    empty = (not data.points and data.partial is None if view == "trend" else
             not data if view in ("returns", "problems") else False)
    if empty:
        parts.append(i18n.t("rep_empty"))
    elif view in ("returns", "problems"):
        parts.append(i18n.t("report_rate_note", min_sample=min_sample))
        if view == "returns":
            parts.append(refund_split_note(data) + i18n.t("report_every_column_screen"))
        if len(data) > shown_rows:
            parts.append(i18n.t("rep_rows_capped", shown=shown_rows, total=len(data)))
    return " · ".join(parts)


# A title wider than this (cells) is drawn on two lines in a two-line table header.
HEADER_CELLS = 8
# The widest a name column is drawn (cells); longer names end in "…" (the export has them).
NAME_CELLS = 24


def two_lines(title: str) -> str:
    """`title` broken once where its two lines are most even: at a space or before "(",
    or between two characters of a text without either (Chinese); short titles whole."""
    if cell_len(title) <= HEADER_CELLS:
        return title
    cuts = [i for i, ch in enumerate(title) if ch == " " or (ch == "(" and i)]
    if not cuts:
        cuts = list(range(1, len(title)))

    def widest(i: int) -> tuple[int, int]:  # ties: the longer first line (已退款/金额)
        return max(cell_len(title[:i].rstrip()), cell_len(title[i:].lstrip())), -i

    i = min(cuts, key=widest)
    return f"{title[:i].rstrip()}\n{title[i:].lstrip()}"


def fill_report_table(table: DataTable[str | Text], report: ReportTable,
                      shown_rows: int) -> None:
    """Show `report` in `table` (its first `shown_rows` rows), the cursor on the same row
    as before where there still is one. Long titles take two lines when the table's
    header has them; a name column (any text column after the first) is cut at
    `NAME_CELLS`."""
    row = table.cursor_row
    table.clear(columns=True)
    numeric = [c.kind != "text" for c in report.columns]
    for i, c in enumerate(report.columns):
        title = two_lines(c.header) if table.header_height > 1 else c.header
        table.add_column(Text(title, justify="right" if numeric[i] else "left"), key=str(i))
    for values in report.rows[:shown_rows]:
        cells = []
        for i, (c, v) in enumerate(zip(report.columns, values, strict=True)):
            cell = Text(cell_text(c.kind, v), justify="right" if numeric[i] else "left")
            if i and not numeric[i]:
                cell.truncate(NAME_CELLS, overflow="ellipsis")
            cells.append(cell)
        table.add_row(*cells)
    if report.rows:
        table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)


def fill_trend_table(table: DataTable[str | Text], tf: TrendForecast, measure: str) -> None:
    """Show the trend of `measure` in `table` as one bar a period, then the forecast, with
    the cursor on the last row (the latest periods are what an owner looks at)."""
    table.clear(columns=True)
    table.add_column(i18n.t("col_period"), key="period")
    table.add_column(Text(i18n.t(MEASURES[measure]), justify="right"), key="value")
    table.add_column(i18n.t("report_trend_title", period_label=i18n.t(
        f"report_by_{tf.period}")), key="bar")
    fc = tf.forecast
    values = [float(getattr(p, measure)) for p in tf.points]
    top = max([*values, fc.next_value if fc else 0.0, 1.0])
    for p, v in zip(tf.points, values, strict=True):
        table.add_row(p.period, Text(measure_text(measure, v), justify="right"),
                      "█" * round(v / top * BAR_WIDTH))
    if fc is not None and tf.for_period:
        # The forecast row: marked in its label and drawn hollow.
        table.add_row(Text(f"{tf.for_period} {i18n.t('report_forecast_mark')}",
                           style="bold"),
                      Text(measure_text(measure, fc.next_value), justify="right",
                           style="bold"),
                      "░" * round(fc.next_value / top * BAR_WIDTH), key="forecast")
    if table.row_count:
        table.move_cursor(row=table.row_count - 1, animate=False, scroll=True)
