"""The finance screen's platform reconciliation (平台对账): which platform and file, which
days, then the four lists side by side in one table with both amounts and the totals.

The view asks (`Asked`: Enter in a field, or `ask()`); the screen reads the file and the
books in a worker and gives back `show(file, result)` (a `reads.reconcile.Reconciliation`)
or `show_error(error)`. Nothing here reads a file or the database.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money import yuan
from rma_tui.widgets.platform_picker import platform_choices

if TYPE_CHECKING:
    from rma_tui.reads.reconcile import ReconcileRow, Reconciliation
    from rma_tui.widgets.common import Problem

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The lists in the order shown: what needs a person first, what agrees last.
KINDS = ("differ", "missing_here", "missing_there", "matched")


def parse_day(text: str, label_key: str) -> date | None:
    """A YYYY-MM-DD day typed in a range field (blank: the file's own first or last day),
    or a DomainError naming the field by its label."""
    text = text.strip()
    if not text:
        return None
    if _DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError("bad_date", field=i18n.t(label_key), value=text)


class ReconcileView(Vertical):
    """The form (platform, file, from, to), a heading, a ✓ / ✗ status line and the table."""

    DEFAULT_CSS = """
    ReconcileView {
        height: 1fr;
    }
    ReconcileView #rec-form {
        height: 1;
        margin-bottom: 1;
    }
    ReconcileView #rec-form Label {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    ReconcileView #rec-platform {
        width: 26;
    }
    ReconcileView #rec-file {
        width: 1fr;
    }
    ReconcileView #rec-from, ReconcileView #rec-to {
        width: 14;
    }
    """

    class Asked(Message):
        """Reconcile `path`, read as `platform`'s file, over the days `start`..`end`."""

        def __init__(self, platform: str, path: str, start: date | None,
                     end: date | None) -> None:
            self.platform = platform
            self.path = path
            self.start = start
            self.end = end
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.result: tuple[str, Reconciliation] | None = None
        self._error: DomainError | Problem | None = None
        self._busy: str | None = None  # the file being read

    def compose(self) -> ComposeResult:
        with Horizontal(id="rec-form"):
            yield Label(id="rec-platform-label")
            try:
                choices = platform_choices()
            except DomainError as exc:  # a mistyped RMA_PLATFORM_MAPS folder: said on mount
                choices, self._error = (), exc
            # A platform is always chosen when there is one to choose.
            yield Select[str]([(text, name) for name, text in choices], compact=True,
                              allow_blank=not choices, id="rec-platform")
            yield Label(id="rec-file-label")
            yield Input(compact=True, max_length=1000, id="rec-file")
            yield Label(id="rec-from-label")
            yield Input(compact=True, max_length=10, id="rec-from")
            yield Label(id="rec-to-label")
            yield Input(compact=True, max_length=10, id="rec-to")
        yield Static(classes="fin-head", id="rec-head")
        yield Static(classes="fin-status", id="rec-status")
        yield DataTable(id="rec-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.relabel()

    # -- asking ---------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.ask()

    def ask(self) -> None:
        """Post `Asked` with what the form holds, or say what is missing or wrong."""
        platform = self.query_one("#rec-platform", Select).value
        path = self.query_one("#rec-file", Input).value.strip()
        try:
            if not isinstance(platform, str):
                raise DomainError("required", field=i18n.t("fin_rec_platform"))
            if not path:
                raise DomainError("required", field=i18n.t("fin_rec_file"))
            start = parse_day(self.query_one("#rec-from", Input).value, "fin_rec_from")
            end = parse_day(self.query_one("#rec-to", Input).value, "fin_rec_to")
        except DomainError as exc:
            self.show_error(exc)
            return
        self._busy, self._error = path, None
        self._draw()
        self.post_message(self.Asked(platform, path, start, end))

    def focus_form(self) -> None:
        """Put the keyboard in the file field."""
        self.query_one("#rec-file", Input).focus()

    # -- showing --------------------------------------------------------------------------

    def show(self, file: str, result: Reconciliation) -> None:
        """Show what a reconciliation found."""
        self.result, self._error, self._busy = (file, result), None, None
        self._draw()

    def show_error(self, error: DomainError | Problem) -> None:
        """Say why the file could not be reconciled (what was shown before is cleared)."""
        self.result, self._error, self._busy = None, error, None
        self._draw()

    def relabel(self) -> None:
        """Every text in the current language (the platforms' names too)."""
        for name, key in (("platform", "fin_rec_platform"), ("file", "fin_rec_file"),
                          ("from", "fin_rec_from"), ("to", "fin_rec_to")):
            self.query_one(f"#rec-{name}-label", Label).update(i18n.t(key))
        self.query_one("#rec-file", Input).placeholder = i18n.t("fin_rec_file_hint")
        for name in ("from", "to"):
            self.query_one(f"#rec-{name}", Input).placeholder = i18n.t("fin_rec_day_hint")
        select: Select[str] = self.query_one("#rec-platform", Select)
        chosen = select.value
        try:
            choices = platform_choices()
        except DomainError:  # said since compose; the maps may be readable by now
            choices = ()
        if choices:
            select.set_options([(text, name) for name, text in choices])
            if isinstance(chosen, str) and chosen in dict(choices):
                select.value = chosen
        self._draw()

    def _draw(self) -> None:
        head = self.query_one("#rec-head", Static)
        status = self.query_one("#rec-status", Static)
        table: DataTable[str | Text] = self.query_one("#rec-table", DataTable)
        table.clear(columns=True)
        status.remove_class("-ok", "-bad")
        if self._error is not None:
            head.update(i18n.t("fin_rec_heading"))
            status.update(self._error.message() if isinstance(self._error, DomainError)
                          else self._error.text())
            status.add_class("-bad")
            return
        if self.result is None:
            head.update(i18n.t("fin_rec_heading"))
            status.update(i18n.t("fin_rec_reading", file=self._busy) if self._busy
                          else i18n.t("fin_rec_not_run"))
            return
        file, rec = self.result
        span = " – ".join(d.isoformat() for d in (rec.start, rec.end) if d)
        head.update(f"{file}  " + i18n.t("rec_title", channel=rec.channel, span=span))
        theirs, ours = rec.totals()
        summary = i18n.t("rec_summary", matched=len(rec.matched), differ=len(rec.differ),
                         missing_here=len(rec.missing_here),
                         missing_there=len(rec.missing_there), theirs=yuan(theirs),
                         ours=yuan(ours))
        differences = len(rec.differ) + len(rec.missing_here) + len(rec.missing_there)
        verdict = (i18n.t("rec_balanced") if rec.balanced
                   else i18n.t("fin_rec_differences", count=differences))
        status.update(f"{'✓' if rec.balanced else '✗'} {verdict}\n{summary}")
        status.add_class("-ok" if rec.balanced else "-bad")
        self._fill(table, rec)

    def _fill(self, table: DataTable[str | Text], rec: Reconciliation) -> None:
        for key in ("rec_col_outcome", "req_col_refund_id", "col_number", "rec_col_theirs",
                    "rec_col_ours", "rec_col_day"):
            table.add_column(i18n.t(key), key=key)
        error = self.app.theme_variables.get("error", "")
        for kind in KINDS:
            rows: list[ReconcileRow] = getattr(rec, kind)
            for r in rows:
                table.add_row(Text(i18n.t(f"rec_{kind}"),
                                   style="" if kind == "matched" else f"bold {error}"),
                              r.refund_id or "—", r.slip or "—", _money(r.theirs_fen),
                              _money(r.ours_fen), r.day or "")
        if not table.row_count:
            table.add_row(i18n.t("fin_rec_nothing"), "", "", "", "", "")
            return
        theirs, ours = rec.totals()
        table.add_row(Text(i18n.t("fin_total"), style="bold"), "", "",
                      _money(theirs, bold=True), _money(ours, bold=True), "")


def _money(fen: int | None, bold: bool = False) -> Text:
    """An amount right-aligned as yuan; a side that has none is a dash."""
    if fen is None:
        return Text("—", justify="right")
    return Text(yuan(fen), justify="right", style="bold" if bold else "")
