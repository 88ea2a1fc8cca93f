"""The controls above the reports: group by (returns only), the date range (two fields,
YYYY-MM-DD, blank = open), and the trend's period and measure (trend only).

The screen keeps what is chosen; the bar shows it (`show` sets a selector without its
change event) and reads the range typed (`read_range`). Which controls are visible is up
to the screen's CSS (`.rep-returns-only`, `.rep-trend-only`).
"""

from __future__ import annotations

import re
from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.reads.report_tables import MEASURES, title_case

PERIODS = ("month", "week")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def period_options() -> list[tuple[str, str]]:
    """The trend's periods as (text, value) choices, in the current language."""
    return [(title_case(i18n.t(f"report_by_{p}")), p) for p in PERIODS]


def measure_options() -> list[tuple[str, str]]:
    """The trend's measures as (text, value) choices, in the current language."""
    return [(i18n.t(key), m) for m, key in MEASURES.items()]


def range_text(since: date | None, until: date | None) -> str:
    """The date range as a person reads it ("all dates", an open end said so)."""
    if since is None and until is None:
        return i18n.t("rep_range_all")
    open_end = i18n.t("rep_range_open")
    return i18n.t("rep_range", since=since.isoformat() if since else open_end,
                  until=until.isoformat() if until else open_end)


def _parse_date(text: str, field_key: str) -> date | None:
    """A YYYY-MM-DD date typed in a range field (blank: open), or a DomainError."""
    text = text.strip()
    if not text:
        return None
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError("bad_date", field=i18n.t(field_key), value=text)


class ReportControls(Horizontal):
    """One line of labelled selectors and date fields."""

    def __init__(self, by_options: list[tuple[str, str]], by: str, period: str, measure: str,
                 *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._by_options = by_options
        self._start = (by, period, measure)

    def compose(self) -> ComposeResult:
        by, period, measure = self._start
        yield Label(id="rep-by-label", classes="rep-returns-only")
        yield Select(self._by_options, value=by, allow_blank=False, compact=True,
                     id="rep-by", classes="rep-returns-only")
        yield Label(id="rep-since-label")
        yield Input(compact=True, max_length=10, id="rep-since")
        yield Label(id="rep-until-label")
        yield Input(compact=True, max_length=10, id="rep-until")
        yield Label(id="rep-period-label", classes="rep-trend-only")
        yield Select(period_options(), value=period, allow_blank=False,
                     compact=True, id="rep-period", classes="rep-trend-only")
        yield Label(id="rep-measure-label", classes="rep-trend-only")
        yield Select(measure_options(), value=measure, allow_blank=False,
                     compact=True, id="rep-measure", classes="rep-trend-only")

    def relabel(self, by: str, period: str, measure: str,
                by_options: list[tuple[str, str]]) -> None:
        """Redraw every text in the current language, showing these choices."""
        for name in ("by", "since", "until", "period", "measure"):
            self.query_one(f"#rep-{name}-label", Label).update(i18n.t(f"rep_{name}"))
        for name in ("since", "until"):
            self.query_one(f"#rep-{name}", Input).placeholder = i18n.t("rep_date_placeholder")
        self.show("by", by, by_options)
        self.show("period", period, period_options())
        self.show("measure", measure, measure_options())

    def show(self, name: str, value: str,
             options: list[tuple[str, str]] | None = None) -> None:
        """Show `value` (and new option texts) in a selector without its change event."""
        select: Select[str] = self.query_one(f"#rep-{name}", Select)
        with select.prevent(Select.Changed):
            if options is not None:
                select.set_options(options)
                # The shown text is redrawn only when the value changes: step off and back.
                select.value = next(v for _, v in options if v != value)
            select.value = value

    def read_range(self) -> tuple[date | None, date | None]:
        """The range typed (None: an open end). Raises DomainError naming the field that
        does not hold a date; whether the range runs forwards is the caller's to say."""
        since = _parse_date(self.query_one("#rep-since", Input).value, "rep_since")
        until = _parse_date(self.query_one("#rep-until", Input).value, "rep_until")
        return since, until

    def focus_dates(self) -> None:
        """The cursor in the first date field."""
        self.query_one("#rep-since", Input).focus()
