"""The inspection screen: receive the goods of approved slips, then grade every received unit.

Two work queues (approved slips awaiting goods, received slips awaiting grading) and a
detail pane. Receiving asks first (a modal); grading is a form per slip line (resellable /
defective / scrap, all resellable by default, with a note) that must add up to the
quantity received. The service decides; a refused request is shown next to the line or
field it names and nothing is saved.

A waybill field on top: a scanned (or typed) return waybill receives its approved slip at
once and shows it for grading; a waybill no slip has is recorded, with its carrier and
contents asked in a modal, as an unmatched parcel (无主件). The unmatched parcels are listed
in a modal (u), where one is attached to its slip by number; and the platforms' request
files are imported from here (i), with what the import did shown after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.message import Message
from textual.widgets import Footer, Header, Static

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.screens.base import DeskScreen
from rma_tui.screens.dialogs import ConfirmDialog
from rma_tui.widgets.common import Problem, local_time, problem_from
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.grade_form import GradeForm, GradeLine
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.parcel_list import ParcelListDialog
from rma_tui.widgets.platform_picker import platform_choices
from rma_tui.widgets.request_import import (
    ImportReportDialog,
    counts_params,
    request_import_fields,
    request_import_submit,
)
from rma_tui.widgets.slip_brief import slip_brief
from rma_tui.widgets.slip_queue import Column, SlipQueue
from rma_tui.widgets.stock_form import StockFormDialog
from rma_tui.widgets.waybill_scan import WaybillScan, parcel_fields

if TYPE_CHECKING:
    from rma_tui.service import Database, ParcelScan, ParcelView, SlipSummary, SlipView

# Slips read per page; a further page is read when the cursor reaches the last row.
PAGE = 50

COLUMNS: list[Column] = [
    ("col_number", lambda s: s.number),
    ("col_type", lambda s: i18n.label("type", s.type)),
    ("col_customer", lambda s: s.customer or i18n.t("none")),
    ("col_created_at", lambda s: local_time(s.created_at)),
]


@dataclass(frozen=True)
class Page:
    """Slips of one queue as read: `offset` 0 replaces the list, otherwise it extends it."""

    kind: str
    offset: int
    rows: list[SlipSummary]
    more: bool


class InspectionScreen(DeskScreen):
    """Receive approved slips' goods; grade received slips line by line (its styles are in
    app.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "receive", "receive"),
        Binding("ctrl+s", "submit", "submit grades", priority=True),
        # Named on the waybill field's border, not in the footer (full at 120 columns).
        Binding("w", "waybill", "scan", show=False),
        Binding("u", "parcels", "unmatched", show=False),
        Binding("i", "import_requests", "import", show=False),
        Binding("escape", "lists", "lists"),
    ]
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "receive": "insp_key_receive",
        "submit": "insp_key_submit",
        "waybill": "insp_key_waybill",
        "parcels": "insp_key_parcels",
        "import_requests": "insp_key_import",
        "lists": "insp_key_lists",
    }

    class PageLoaded(Message):
        """The worker read a page of a queue."""

        def __init__(self, page: Page) -> None:
            self.page = page
            super().__init__()

    class DetailLoaded(Message):
        """The worker read the slip to show."""

        def __init__(self, kind: str, view: SlipView) -> None:
            self.kind = kind
            self.view = view
            super().__init__()

    class Done(Message):
        """A write went through: what to tell the user."""

        def __init__(self, text_key: str, params: dict[str, object]) -> None:
            self.text_key = text_key
            self.params = params
            super().__init__()

    class Scanned(Message):
        """A waybill received its slip, or was recorded as an unmatched parcel."""

        def __init__(self, waybill: str, scan: ParcelScan) -> None:
            self.waybill = waybill
            self.scan = scan
            super().__init__()

    class NoMatch(Message):
        """No slip has the waybill scanned: the parcel's carrier and contents are asked."""

        def __init__(self, waybill: str) -> None:
            self.waybill = waybill
            super().__init__()

    class Failed(Message):
        """A read or write was refused or failed."""

        def __init__(self, error: DomainError | None, problem: Problem | None,
                     number: str | None = None) -> None:
            self.error = error
            self.problem = problem
            self.number = number
            super().__init__()

    def __init__(self) -> None:
        super().__init__(id="inspection")
        self.view: SlipView | None = None  # the slip in the detail pane
        self._detail_kind = "approved"
        # A slip just received by waybill or parcel: selected for grading once listed.
        self._select_after: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="insp-body"):
            with Vertical(id="insp-queues"):
                yield WaybillScan(id="insp-waybill")
                yield SlipQueue("approved", "insp_awaiting_goods", "insp_empty_goods", COLUMNS,
                                id="queue-approved")
                yield SlipQueue("received", "insp_awaiting_grading", "insp_empty_grading",
                                COLUMNS, id="queue-received")
            with VerticalScroll(id="insp-detail", classes="desk-pane"):
                yield Static(id="insp-brief")
                yield Static(id="insp-hint")
        yield MessageLine(id="insp-message")
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- helpers --------------------------------------------------------------------------

    def _queue(self, kind: str) -> SlipQueue:
        return self.query_one(f"#queue-{kind}", SlipQueue)

    @property
    def form(self) -> GradeForm | None:
        """The grading form on screen, if a received slip is shown."""
        forms = list(self.query(GradeForm))
        return forms[0] if forms else None

    def _say(self, kind: str, key: str, **params: object) -> None:
        """Show a message line: kind ok or error."""
        self.query_one(MessageLine).say(kind, key, **params)

    def _say_error(self, error: DomainError | Problem) -> None:
        self.query_one(MessageLine).say_error(error)

    def _allowed(self) -> bool:
        """The signed-in user may receive and inspect; otherwise say so (the service
        refuses too; asking first spares a pointless confirmation)."""
        from rma_tui import service

        user = self.rma.user
        refused = (service.role_refusal(user.name, user.role, service.WAREHOUSE_ROLES)
                   if user is not None else None)
        if refused is not None:
            self._say_error(refused)
            return False
        return True

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the first pages again (as many rows as are shown) and the shown slip."""
        app = self.rma
        if not self.is_mounted:  # on_mount reads once the widgets exist
            return
        if app.problem is not None:
            self._say_error(app.problem)
            return
        if app.database is None:
            return
        for kind in ("approved", "received"):
            queue = self._queue(kind)
            self._load_page(app.database, kind, 0, max(PAGE, len(queue.rows)), app.shop)

    @work(thread=True, group="insp-page")
    def _load_page(self, database: Database, kind: str, offset: int, limit: int,
                   shop: str | None = None) -> None:
        def read() -> Message:
            from rma_tui import service

            # One row more than shown says whether another page exists.
            rows = service.list_slips(database, status=kind, limit=limit + 1, offset=offset,
                                      oldest_first=True, shop=shop)
            return self.PageLoaded(Page(kind, offset, rows[:limit], len(rows) > limit))

        # A failure is shown on screen; the next refresh tries again.
        self.post_read(read, self._read_failed, self.rma.db_location)

    def _read_failed(self, problem: Problem) -> Message:
        return self.Failed(None, problem)

    def on_inspection_screen_page_loaded(self, message: PageLoaded) -> None:
        """Show a page; the first load puts the focus on a list with work in it."""
        page = message.page
        queue = self._queue(page.kind)
        first = not queue.loaded
        rows = page.rows if page.offset == 0 else [*queue.rows[:page.offset], *page.rows]
        queue.show(rows, page.more)
        if not rows and queue.table.has_focus:
            # The list just emptied (its last slip moved on): go where work is left.
            other = self._queue("received" if page.kind == "approved" else "approved")
            if other.rows:
                other.focus_table()
        if first and self._queue("approved").loaded and self._queue("received").loaded:
            target = self._queue("approved")
            if not target.rows and self._queue("received").rows:
                target = self._queue("received")
            target.focus_table()
            self._detail_kind = target.kind
            self._load_detail_for(target.kind)
        elif page.kind == self._detail_kind and self.view is not None:
            # Refresh: the shown slip may have moved on at another terminal.
            if queue.number == self.view.number:
                self._load_detail_for(page.kind)
        if page.kind == "received" and self._select_after and queue.select(self._select_after):
            # Received by waybill or parcel: shown for grading.
            self._select_after = None
            self._detail_kind = "received"
            self._load_detail_for("received")

    def on_slip_queue_need_more(self, message: SlipQueue.NeedMore) -> None:
        """Read the next page of a queue."""
        database = self.rma.database
        if database is not None:
            self._load_page(database, message.queue.kind, len(message.queue.rows), PAGE,
                            self.rma.shop)

    def on_slip_queue_highlighted(self, message: SlipQueue.Highlighted) -> None:
        """Show the slip under the cursor of the list in use."""
        if message.queue.kind == self._detail_kind:
            self._load_detail_for(message.queue.kind)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """The detail pane follows the list that has the focus."""
        for kind in ("approved", "received"):
            queue = self._queue(kind)
            if event.widget is queue.table and self._detail_kind != kind:
                self._detail_kind = kind
                self._load_detail_for(kind)

    def _load_detail_for(self, kind: str) -> None:
        number = self._queue(kind).number
        database = self.rma.database
        if number is None:
            self.run_worker(self._show_detail(kind, None), exclusive=True, group="insp-render")
        elif database is not None:
            self._load_detail(database, kind, number)

    @work(thread=True, exclusive=True, group="insp-detail")
    def _load_detail(self, database: Database, kind: str, number: str) -> None:
        from rma_tui import service

        self.post_read(lambda: self.DetailLoaded(kind, service.get_slip(database, number)),
                       self._read_failed, self.rma.db_location)

    async def on_inspection_screen_detail_loaded(self, message: DetailLoaded) -> None:
        """Show the slip read by the worker."""
        if message.kind == self._detail_kind:
            await self._show_detail(message.kind, message.view)

    async def _show_detail(self, kind: str, view: SlipView | None) -> None:
        old = self.view
        self.view = view
        detail = self.query_one("#insp-detail", VerticalScroll)
        detail.border_title = view.number if view is not None else i18n.t(
            "insp_awaiting_goods" if kind == "approved" else "insp_awaiting_grading")
        self.query_one("#insp-brief", Static).update(
            slip_brief(view, self.rma.role) if view is not None else i18n.t("insp_pick"))
        hint = self.query_one("#insp-hint", Static)
        grading = view is not None and view.status == "received"
        if view is None:
            hint.update("")
        else:
            hint.update(i18n.t("insp_grade_hint" if grading else "insp_receive_hint"))
        form = self.form
        # The form is rebuilt only for another slip: a refresh every few seconds must not
        # wipe what is being typed.
        if form is not None and (not grading or view is None or form.number != view.number
                                 or old is None or old.number != view.number):
            await form.remove()
            form = None
        if grading and view is not None and form is None:
            lines = [GradeLine(ln.sku, ln.name, ln.qty) for ln in view.lines]
            await detail.mount(GradeForm(view.number, lines, id="grade-form"))

    # -- receiving ------------------------------------------------------------------------

    def on_slip_queue_selected(self, message: SlipQueue.Selected) -> None:
        """Enter: receive an approved slip's goods, or start grading a received one."""
        if message.queue.kind == "approved":
            self.action_receive()
        else:
            form = self.form
            if form is not None and form.number == message.number:
                form.focus_first()

    def action_receive(self) -> None:
        """Ask, then record that the highlighted approved slip's goods have arrived."""
        queue = self._queue("approved")
        number = queue.number
        database = self.rma.database
        if number is None or database is None or not self._allowed():
            return
        summary = next(s for s in queue.rows if s.number == number)
        view = self.view if self.view is not None and self.view.number == number else None
        qty = sum(ln.qty for ln in view.lines) if view is not None else "?"
        body = i18n.t("insp_confirm_receive", slip=number,
                      customer=summary.customer or i18n.t("none"), qty=qty)

        def answered(yes: bool | None) -> None:
            if yes:
                self._receive(database, number)
            else:
                self._say("ok", "cb_cancelled")

        self.app.push_screen(ConfirmDialog(i18n.t("insp_confirm_receive_title"), body), answered)

    @work(thread=True, exclusive=True, group="insp-write")
    def _receive(self, database: Database, number: str) -> None:
        actor = self.rma.user.name if self.rma.user else ""

        def job() -> Message:
            from rma_tui import service

            view = service.receive_slip(database, actor, number)
            return self.Done("insp_received", {
                "slip": number, "qty": sum(ln.qty for ln in view.lines)})

        self._post_outcome(job, number)

    def _post_outcome(self, job: Callable[[], Message], number: str | None = None) -> None:
        """In a thread worker: post what `job` gives, or why it was refused or failed."""
        try:
            message = job()
        except DomainError as exc:
            message = self.Failed(exc, None, number)
        except Exception as exc:  # a database failure: said, never a crash of the desk
            message = self.Failed(None, problem_from(exc, self.rma.db_location), number)
        self.post_message(message)

    # -- receiving by waybill -------------------------------------------------------------

    def action_waybill(self) -> None:
        """Into the waybill field, to scan or type a return parcel's waybill."""
        self.query_one(WaybillScan).focus_input()

    def on_waybill_scan_scanned(self, message: WaybillScan.Scanned) -> None:
        """Enter in the waybill field: receive its slip; an empty Enter goes to grading."""
        form = self.form
        if not message.waybill:
            if form is not None:
                form.focus_first()
            return
        database = self.rma.database
        if database is not None and self._allowed():
            self._scan(database, message.waybill, self.rma.shop)

    @work(thread=True, exclusive=True, group="insp-write")
    def _scan(self, database: Database, waybill: str, shop: str | None) -> None:
        actor = self.rma.user.name if self.rma.user else ""

        def job() -> Message:
            from rma_tui import service

            # Asked first: a waybill no slip has is recorded only with what is inside.
            if service.slip_by_waybill(database, waybill) is None:
                return self.NoMatch(waybill)
            return self.Scanned(waybill, service.receive_by_waybill(database, actor, waybill,
                                                                    shop=shop))

        self._post_outcome(job)

    def on_inspection_screen_no_match(self, message: NoMatch) -> None:
        """Ask the unmatched parcel's carrier and contents, then record it."""
        database, user, shop = self.rma.database, self.rma.user, self.rma.shop
        waybill = message.waybill
        if database is None or user is None:
            return
        def submit(values: dict[str, str]) -> object:
            from rma_tui import service

            return service.receive_by_waybill(database, user.name, waybill,
                                              carrier=values["carrier"],
                                              contents=values["contents"], shop=shop)

        def done(scan: object) -> None:
            if scan is None:
                self._say("ok", "cb_cancelled")
            else:
                self.post_message(self.Scanned(waybill, cast("ParcelScan", scan)))

        self.app.push_screen(StockFormDialog(
            i18n.t("insp_parcel_title", waybill=waybill), parcel_fields(), submit,
            info=i18n.t("insp_parcel_info", waybill=waybill)), done)

    def on_inspection_screen_scanned(self, message: Scanned) -> None:
        """Say what the waybill did; a received slip is then selected for grading."""
        self.query_one(WaybillScan).clear()
        slip, parcel = message.scan.slip, message.scan.parcel
        if slip is not None:
            self._select_after = slip.number
            self._say("ok", "insp_waybill_received", waybill=message.waybill, slip=slip.number,
                      qty=sum(ln.qty for ln in slip.lines))
        elif parcel is not None:
            self._say("ok", "parcel_recorded", waybill=parcel.waybill, parcel=parcel.id)
        self.reload()

    # -- unmatched parcels and platform requests --------------------------------------------

    def action_parcels(self) -> None:
        """The unmatched parcels: attach one to its slip, which is then received."""
        database, user, shop = self.rma.database, self.rma.user, self.rma.shop
        if database is None or user is None:
            return

        def load() -> list[ParcelView]:
            from rma_tui import service

            return service.list_parcels(database, shop=shop)

        def attach(parcel_id: int, number: str) -> object:
            from rma_tui import service

            return service.attach_parcel(database, user.name, parcel_id, number)

        def done(result: object) -> None:
            if isinstance(result, tuple):
                parcel_id, view = result
                self._select_after = view.number
                self._say("ok", "parcel_attached_done", parcel=parcel_id, slip=view.number,
                          status=view.status)
                self.reload()

        self.app.push_screen(ParcelListDialog(load, attach), done)

    def action_import_requests(self) -> None:
        """Import a platform's after-sale request file; then show what it did."""
        from rma_tui import service

        database, user, shop = self.rma.database, self.rma.user, self.rma.shop
        if database is None or user is None:
            return
        refused = service.role_refusal(user.name, user.role, service.IMPORT_REQUEST_ROLES)
        try:
            if refused is not None:
                raise refused
            choices = platform_choices()
        except DomainError as exc:
            self._say_error(exc)
            return

        def done(result: object) -> None:
            if isinstance(result, tuple):
                file, outcome = result
                self._say("ok", "imp_done", file=file, **counts_params(outcome))
                self.reload()
                self.app.push_screen(ImportReportDialog(file, outcome))

        self.app.push_screen(StockFormDialog(
            i18n.t("imp_title"), request_import_fields(choices),
            request_import_submit(database, user.name, shop), info=i18n.t("imp_info")), done)

    # -- grading --------------------------------------------------------------------------

    def on_grade_form_submitted(self, message: GradeForm.Submitted) -> None:
        """Enter in the form: grade the slip."""
        self.action_submit()

    def action_submit(self) -> None:
        """Grade the shown received slip with what the form holds."""
        form = self.form
        database = self.rma.database
        if form is None or database is None or not self._allowed():
            return
        values = form.values()
        if values is None:  # a count that is not a number: shown next to its line
            return
        self._inspect(database, form.number,
                      [(v.sku, v.resellable, v.defective, v.scrap, v.note) for v in values])

    @work(thread=True, exclusive=True, group="insp-write")
    def _inspect(self, database: Database, number: str,
                 values: list[tuple[str, int, int, int, str]]) -> None:
        actor = self.rma.user.name if self.rma.user else ""

        def job() -> Message:
            from rma_tui import service

            grades = [service.GradeInput(*v) for v in values]
            service.inspect_slip(database, actor, number, grades)
            return self.Done("insp_inspected", {
                "slip": number, "resellable": sum(v[1] for v in values),
                "defective": sum(v[2] for v in values), "scrap": sum(v[3] for v in values)})

        self._post_outcome(job, number)

    # -- outcomes -------------------------------------------------------------------------

    def on_inspection_screen_done(self, message: Done) -> None:
        """A write went through: say so and read the queues again."""
        form = self.form
        if form is not None:
            form.clear_errors()
        self._say("ok", message.text_key, **message.params)
        self._queue(self._detail_kind).focus_table()
        self.reload()

    def on_inspection_screen_failed(self, message: Failed) -> None:
        """Show why: next to the grading line it names when there is one."""
        error = message.error
        form = self.form
        if error is not None and form is not None and form.number == message.number:
            sku = error.params.get("sku")
            index = _grade_index(error.field)
            if index is not None and index < len(form.rows):
                sku = form.rows[index].line.sku
            if (error.field or "").startswith("grades") and form.show_error(
                    str(sku) if sku is not None else None, error.message()):
                self._say_error(error)
                return
        if error is not None:
            self._say_error(error)
        elif message.problem is not None:
            self._say_error(message.problem)

    def action_lists(self) -> None:
        """Escape: back from the form to the list of received slips."""
        self._queue(self._detail_kind).focus_table()

    # -- language -------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text in the current language."""
        translate_bindings(self, self.BINDING_KEYS)
        if not self.is_mounted:
            return
        for kind in ("approved", "received"):
            self._queue(kind).relabel()
        self.query_one(WaybillScan).relabel()
        form = self.form
        if form is not None:
            form.relabel()
        self.query_one(MessageLine).relabel()
        self.run_worker(self._show_detail(self._detail_kind, self.view), exclusive=True,
                        group="insp-render")


def _grade_index(field: str | None) -> int | None:
    """The line index of a field such as `grades[2].scrap` (0-based), if it names one."""
    if field and field.startswith("grades[") and "]" in field:
        inside = field[len("grades["):field.index("]")]
        if inside.isdigit():
            return int(inside) - 1
    return None
