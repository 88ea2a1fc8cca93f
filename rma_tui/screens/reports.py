"""Reports and analysis: what comes back, why, through which channel, and
whether it is getting worse; exported to CSV or XLSX.

Four reports, one tab each (`v` cycles them): returns by a dimension (`b` cycles product,
reason, channel, customer, supplier, month, week, and in a chain of shops shop, with the
chain's total), the problem products, the trend with
next period's forecast (`p` month/week, `m` the measure; the method and its back-tested
error stated under the bars) and the compliance report (exported by section: one sheet
each in XLSX, one after another in CSV). A date range (two fields,
YYYY-MM-DD, blank = open; Enter applies it, `d` goes there) narrows every report; a bad
date is said and the report on screen stays as it was.

The numbers come from the read functions `rma report` uses (`rma_tui.reads.reports`,
`rma_tui.reads.compliance`) and are laid out by `rma_tui.reads.report_tables`, which also
feeds the export (`e`): the file holds exactly the rows on screen. Reads and the export run
in thread workers; the export reports its progress to a bar and writes through a temporary
file, so a failed export leaves nothing behind.

The app calls `reload()` every few seconds. A report is read again only when the audit
chain head moved (every slip change and every sale import appends an audit event) or its
parameters changed, so a report left open costs one one-row read per refresh.

Its parts are widgets: the controls (`report_controls`), the tables and the note under
them (`report_grid`), the compliance view (`compliance_view`) and the export's dialog and
progress bar (`report_export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Select, Static, TabbedContent, TabPane

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.reads.report_tables import (
    MEASURES,
    RETURNS_SUMMARY,
    ReportTable,
    forecast_notes,
    problems_table,
    returns_table,
    title_case,
)
from rma_tui.screens.base import DeskScreen, ProblemMessage, head_if_changed
from rma_tui.screens.dialogs import ConfirmDialog
from rma_tui.widgets.compliance_view import compliance_renderable
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.report_controls import PERIODS, ReportControls, range_text
from rma_tui.widgets.report_export import (
    ExportDialog,
    ExportProgress,
    ExportRequest,
    export_content,
    export_stem,
)
from rma_tui.widgets.report_grid import fill_report_table, fill_trend_table, report_note

if TYPE_CHECKING:
    from rma_tui.service import Database

VIEWS = ("returns", "problems", "trend", "compliance")
# The same order as `rma_tui.reads.reports.DIMENSIONS` (not imported: it would load sqlmodel
# before the first paint).
DIMENSIONS = ("product", "reason", "channel", "customer", "supplier", "month", "week")
# How many problem products are listed.
PROBLEMS_LIMIT = 20
# Rows drawn in a report's table (a returns report by customer can have many thousands);
# the export writes them all.
SHOWN_ROWS = 500


@dataclass(frozen=True)
class Loaded:
    """A report as read: its parameters, the audit head then, and the result."""

    params: tuple[Any, ...]
    head: tuple[int, str]
    data: Any
    min_sample: int


class ReportsScreen(DeskScreen):
    """Returns by dimension, problem products, trend and forecast, compliance; export."""

    DEFAULT_CSS = """
    ReportsScreen #rep-controls {
        height: 1;
        margin: 1 1 0 1;
    }
    ReportsScreen #rep-controls Label {
        padding: 0 1 0 0;
        color: $text-muted;
    }
    ReportsScreen #rep-controls Input {
        width: 12;
        margin-right: 1;
    }
    ReportsScreen #rep-controls Select {
        margin-right: 1;
    }
    ReportsScreen #rep-by {
        width: 14;
    }
    ReportsScreen #rep-period {
        width: 10;
    }
    ReportsScreen #rep-measure {
        width: 14;
    }
    ReportsScreen .rep-returns-only, ReportsScreen .rep-trend-only {
        display: none;
    }
    ReportsScreen.-view-returns .rep-returns-only {
        display: block;
    }
    ReportsScreen.-view-trend .rep-trend-only {
        display: block;
    }
    ReportsScreen #rep-tabs {
        height: 1fr;
    }
    ReportsScreen #rep-tabs TabPane {
        padding: 0;
        height: 1fr;
    }
    ReportsScreen #rep-tabs DataTable {
        height: 1fr;
    }
    ReportsScreen #rep-trend-notes {
        height: auto;
        max-height: 8;
        padding: 0 1;
        color: $text-muted;
    }
    ReportsScreen #rep-note {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    ReportsScreen #rep-message {
        padding: 0 1;
    }
    ReportsScreen #rep-message.-error {
        text-style: bold;
    }
    ReportsScreen #rep-progress {
        display: none;
        padding: 0 1;
    }
    ReportsScreen.-exporting #rep-progress {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "next_view", "next report"),
        Binding("b", "next_by", "group by"),
        Binding("p", "next_period", "month/week"),
        Binding("m", "next_measure", "measure"),
        Binding("d", "dates", "dates"),
        Binding("e", "export", "export"),
        Binding("escape", "focus_table", "table", show=False),
    ]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "next_view": "rep_key_view",
        "next_by": "rep_key_by",
        "next_period": "rep_key_period",
        "next_measure": "rep_key_measure",
        "dates": "rep_key_dates",
        "export": "rep_key_export",
    }

    class ReportLoaded(Message):
        """A worker read one report."""

        def __init__(self, view: str, loaded: Loaded) -> None:
            self.view = view
            self.loaded = loaded
            super().__init__()

    class LoadFailed(ProblemMessage):
        """A worker could not read a report."""

    def __init__(self, *, name: str | None = None, id: str | None = "reports") -> None:
        super().__init__(name=name, id=id)
        self.view = "returns"
        self.by = "product"
        # The groupings the selector offers now (by shop too, in a chain of shops).
        self.offered: tuple[str, ...] = DIMENSIONS
        self.since: date | None = None
        self.until: date | None = None
        self.period = "month"
        self.measure = "units"
        # Fixed by tests (and snapshots) so the trend's current period, the export's file
        # name and the compliance report's "now" do not follow the clock.
        self.today: date | None = None
        self.now: datetime | None = None
        self.export_format = "xlsx"
        self.exporting = False
        self.reports: dict[str, Loaded] = {}
        self._shown: dict[str, tuple[Any, ...]] = {}

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield ReportControls(self._by_options(), self.by, self.period, self.measure,
                             id="rep-controls")
        with TabbedContent(id="rep-tabs", initial="rep-returns"):
            for view in VIEWS:
                with TabPane(i18n.t(f"rep_tab_{view}"), id=f"rep-{view}"):
                    if view == "compliance":
                        with VerticalScroll(id="rep-compliance-scroll"):
                            yield Static(id="rep-compliance-body")
                    else:
                        # Two-line titles (the figures say what they count) and the
                        # key kept in view when a narrow terminal scrolls sideways.
                        yield DataTable(id=f"rep-{view}-table", cursor_type="row",
                                        zebra_stripes=True, fixed_columns=1,
                                        header_height=1 if view == "trend" else 2)
                    if view == "trend":
                        yield Static(id="rep-trend-notes")
        yield Static(id="rep-note")
        yield MessageLine(id="rep-message")
        yield ExportProgress(id="rep-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self.add_class("-view-returns")
        self.relabel()
        self._focus_view()
        self.reload()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the current report if the shop changed or its parameters did (cheap)."""
        self._request()

    def _today(self) -> date:
        return self.today or date.today()

    def _params(self, view: str) -> tuple[Any, ...]:
        if view == "returns":
            return (view, self.by, self.since, self.until)
        if view == "problems":
            return (view, self.since, self.until)
        if view == "trend":
            return (view, self.period, self.measure, self.since, self.until, self._today())
        # Slips go over target as time passes: read again at least every minute.
        now = self.now or datetime.now().replace(second=0, microsecond=0)
        return (view, self.since, self.until, now)

    def _request(self) -> None:
        app = self.rma
        if app.problem is not None:
            self.query_one(MessageLine).say_error(app.problem)
            return
        if app.database is None:
            return
        if self.offered != self._dimensions():  # the chain gained (or lost) a shop
            if self.by not in self._dimensions():
                self.by = "product"
            self.query_one(ReportControls).show("by", self.by, self._by_options())
        params = self._params(self.view)
        known = self.reports.get(self.view)
        head = known.head if known is not None and known.params == params else None
        if known is not None and known.params != params:
            # The rows on screen stay until the new ones come; say they are on their way.
            self.query_one("#rep-note", Static).update(i18n.t("rep_loading"))
        self._load(app.database, app.db_location, self.view, params, head, app.shop)

    def shop_changed(self) -> None:
        """Another shop: the reports read for the last one are not shown again."""
        self.reports.clear()

    @work(thread=True, exclusive=True, group="reports-load")
    def _load(self, database: Database, location: str, view: str, params: tuple[Any, ...],
              known_head: tuple[int, str] | None, shop: str | None = None) -> None:
        """Read report `view` with `params` for `shop` (None: every shop), unless nothing
        changed since `known_head`."""
        def read() -> Message | None:
            from rma_tui import service

            head = head_if_changed(database, known_head)
            if head is None:
                return None
            data = self._read(database, view, params, shop)
            return self.ReportLoaded(view, Loaded(params, head, data,
                                                  service.policy().min_sample))

        self.post_read(read, self.LoadFailed, location)

    def _read(self, database: Database, view: str, params: tuple[Any, ...],
              shop: str | None = None) -> Any:
        from rma_tui.reads import reports

        if view == "returns":
            _, by, since, until = params
            rows = reports.returns_report(database, by, since, until, shop=shop)
            if by == "customer":  # keyed by phone: whole in the owner's report (and export)
                from dataclasses import replace

                from rma_tui import service

                role = self.rma.role
                rows = [replace(r, key=service.phone_for(role, r.key, export=True) or "")
                        for r in rows]
            return rows
        if view == "problems":
            _, since, until = params
            return reports.problem_products(database, since, until, limit=PROBLEMS_LIMIT,
                                            shop=shop)
        if view == "trend":
            _, period, measure, since, until, today = params
            return reports.trend_forecast(database, period, since, until, today=today,
                                          measure=measure, shop=shop)
        from rma_tui.reads.compliance import compliance_report

        _, since, until, now = params
        return compliance_report(database, since, until, now=now.astimezone(), shop=shop)

    def on_reports_screen_report_loaded(self, message: ReportLoaded) -> None:
        """Keep the report read and show it if it is the one on screen."""
        self.reports[message.view] = message.loaded
        if message.view == self.view:
            self._show_view()

    def on_reports_screen_load_failed(self, message: LoadFailed) -> None:
        """Say why the report could not be read (what was on screen stays)."""
        self.query_one(MessageLine).say_error(message.problem)
        self._show_note(self.reports.get(self.view))

    # -- choosing ---------------------------------------------------------------------------

    @on(TabbedContent.TabActivated, "#rep-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        view = (event.pane.id or "rep-returns").removeprefix("rep-")
        if view == self.view:
            return
        self.remove_class(f"-view-{self.view}")
        self.view = view
        self.add_class(f"-view-{view}")
        self.refresh_bindings()
        self._show_view()
        self._request()

    def action_next_view(self) -> None:
        """Show the next report (returns, problem products, trend, compliance)."""
        tabs = self.query_one("#rep-tabs", TabbedContent)
        # From the tab shown, not `self.view`: a second key press may come before the first
        # tab change is handled.
        current = tabs.active.removeprefix("rep-") or self.view
        view = VIEWS[(VIEWS.index(current) + 1) % len(VIEWS)]
        tabs.active = f"rep-{view}"
        self._focus_view(view)

    def action_next_by(self) -> None:
        """Group the returns report by the next dimension."""
        dims = self._dimensions()
        self._set_by(dims[(dims.index(self.by) + 1) % len(dims)] if self.by in dims else dims[0])

    def action_next_period(self) -> None:
        """Trend by month or by week."""
        self._set_period(PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)])

    def action_next_measure(self) -> None:
        """Trend of units, slips or refund amount."""
        names = list(MEASURES)
        self._set_measure(names[(names.index(self.measure) + 1) % len(names)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that mean nothing in the current report are left out of the footer."""
        if action == "next_by":
            return self.view == "returns"
        if action in ("next_period", "next_measure"):
            return self.view == "trend"
        return True

    @on(Select.Changed, "#rep-by")
    def _by_changed(self, event: Select.Changed) -> None:
        self._set_by(str(event.value))

    @on(Select.Changed, "#rep-period")
    def _period_changed(self, event: Select.Changed) -> None:
        self._set_period(str(event.value))

    @on(Select.Changed, "#rep-measure")
    def _measure_changed(self, event: Select.Changed) -> None:
        self._set_measure(str(event.value))

    # A change made by key shows in its select (without the select's change event).
    def _set_by(self, by: str) -> None:
        if by == self.by or by not in self._dimensions():
            return
        self.by = by
        self.query_one(ReportControls).show("by", by)
        self._request()

    def _set_period(self, period: str) -> None:
        if period == self.period or period not in PERIODS:
            return
        self.period = period
        self.query_one(ReportControls).show("period", period)
        self._request()

    def _set_measure(self, measure: str) -> None:
        if measure == self.measure or measure not in MEASURES:
            return
        self.measure = measure
        self.query_one(ReportControls).show("measure", measure)
        self._request()

    def action_dates(self) -> None:
        """Go to the date range (Enter applies it)."""
        self.query_one(ReportControls).focus_dates()

    def action_focus_table(self) -> None:
        """Back to the report."""
        self._focus_view()

    @on(Input.Submitted, "#rep-since, #rep-until")
    def _dates_submitted(self, event: Input.Submitted) -> None:
        self.apply_dates()

    def apply_dates(self) -> bool:
        """Read the range from the two fields; a bad date or a backwards range is said and
        changes nothing (the report on screen stays). True when the range was applied."""
        line = self.query_one(MessageLine)
        try:
            since, until = self.query_one(ReportControls).read_range()
        except DomainError as exc:
            line.say_error(exc)
            return False
        if since is not None and until is not None and since > until:
            line.say("error", "rep_range_backwards", since=since.isoformat(),
                     until=until.isoformat())
            return False
        self.since, self.until = since, until
        line.say("ok", "rep_range_set", range=self._range_text())
        self._focus_view()
        self._request()
        return True

    # -- export ---------------------------------------------------------------------------

    def action_export(self) -> None:
        """Export the report on screen to CSV or XLSX (asks format and file)."""
        line = self.query_one(MessageLine)
        if self.exporting:
            line.say("error", "rep_export_busy")
            return
        loaded = self.reports.get(self.view)
        table = None if loaded is None else export_content(self.view, loaded.data,
                                                           loaded.params)
        if table is None:
            line.say("error", "rep_export_nothing")
            return
        if self.view == "compliance":
            line.say("info", "rep_export_sections")

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            self.export_format = request.fmt
            if not request.path.exists():
                self.start_export(request, table)
                return

            def replace(yes: bool | None) -> None:
                if yes:
                    self.start_export(request, table)

            self.app.push_screen(ConfirmDialog(
                i18n.t("rep_export_title"), i18n.t("rep_export_overwrite",
                                                   path=str(request.path))), replace)

        database = self.rma.database
        # Named after the report on screen (which may be older than a choice still loading).
        stem = export_stem(self.view, loaded.params if loaded is not None
                           else self._params(self.view), self._today())
        self.app.push_screen(ExportDialog(stem, self.export_format,
                                          database.file if database is not None else None),
                             chosen)

    def start_export(self, request: ExportRequest,
                     table: ReportTable | list[ReportTable]) -> None:
        """Write `table` (or the sections) as asked, in a worker, with the progress bar
        shown."""
        self.exporting = True
        rows = self.query_one(ExportProgress).start(request, table)
        self.add_class("-exporting")
        self.query_one(MessageLine).say("info", "rep_exporting", rows=rows,
                                        path=str(request.path))

    def on_export_progress_done(self, message: ExportProgress.Done) -> None:
        """Say where the report was written, or why it was not."""
        self.exporting = False
        self.remove_class("-exporting")
        line = self.query_one(MessageLine)
        if message.error is None:
            line.say("ok", "cli_report_written", path=message.path)
        else:
            line.say("error", "rep_export_failed", error=message.error)

    # -- drawing --------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text in the current language (after a language switch)."""
        translate_bindings(self, self.BINDING_KEYS)
        self.sub_title = i18n.t("rep_title")
        self.query_one(ReportControls).relabel(self.by, self.period, self.measure,
                                               self._by_options())
        tabs = self.query_one("#rep-tabs", TabbedContent)
        for view in VIEWS:
            tabs.get_tab(f"rep-{view}").label = i18n.t(f"rep_tab_{view}")
        self.query_one(MessageLine).relabel()
        self._shown.clear()
        for view in VIEWS:
            self._show_view(view)

    def _dimensions(self) -> tuple[str, ...]:
        """The groupings offered: by shop too, in a chain of several shops."""
        return (*DIMENSIONS, "shop") if self.rma.is_chain else DIMENSIONS

    def _by_options(self) -> list[tuple[str, str]]:
        self.offered = self._dimensions()
        return [(title_case(i18n.t(f"report_by_{d}")), d) for d in self.offered]

    def _focus_view(self, view: str | None = None) -> None:
        view = view or self.view
        if view == "compliance":
            self.query_one("#rep-compliance-scroll").focus()
        else:
            self.query_one(f"#rep-{view}-table", DataTable).focus()

    def _range_text(self) -> str:
        return range_text(self.since, self.until)

    def _show_view(self, view: str | None = None) -> None:
        """Draw report `view` (default: the one on screen) from what was read."""
        view = view or self.view
        loaded = self.reports.get(view)
        if view == self.view:
            self._show_note(loaded)
        if loaded is None:
            return
        # Redrawing a table moves its cursor: only when the rows or the language changed.
        key = (i18n.get_lang(), loaded.params, loaded.head)
        if self._shown.get(view) == key:
            return
        self._shown[view] = key
        if view == "returns":
            by = loaded.params[1]
            self._fill(view, returns_table(loaded.data, by, RETURNS_SUMMARY))
        elif view == "problems":
            self._fill(view, problems_table(loaded.data))
        elif view == "trend":
            measure = loaded.params[2]
            fill_trend_table(self.query_one("#rep-trend-table", DataTable), loaded.data,
                             measure)
            self.query_one("#rep-trend-notes", Static).update(
                "\n".join(forecast_notes(loaded.data, measure)))
        else:
            self.query_one("#rep-compliance-body", Static).update(
                compliance_renderable(loaded.data))

    def _show_note(self, loaded: Loaded | None) -> None:
        note = self.query_one("#rep-note", Static)
        if loaded is None:
            note.update(i18n.t("rep_loading"))
            return
        note.update(report_note(self.view, loaded.data, self._range_text(),
                                loaded.min_sample, SHOWN_ROWS))

    def _fill(self, view: str, report: ReportTable) -> None:
        table: DataTable[str | Text] = self.query_one(f"#rep-{view}-table", DataTable)
        fill_report_table(table, report, SHOWN_ROWS)
