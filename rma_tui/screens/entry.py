"""Slip entry (退换货登记): find the original sale, pick what comes back, see the policy
verdict live, submit or keep a draft.

The key flow of a standard return, designed to be short (see tests/test_screen_entry.py,
which counts it):

    type the order number, Enter      -> the exact sale opens, the cursor is on its lines
    Enter                             -> picks the line under the cursor (1 unit), moves on
    Enter, Down..., Enter             -> opens the reason list, chooses a reason
    Ctrl+S                            -> creates and submits the slip

The parts are widgets in `rma_tui.widgets`: the sale finder (every search of the desk),
the line picker, the reason form with the replacement picker, the verdict panel (the
live preview) and the banner. This screen holds them together: it hands the finder and
the panel the database, and saves, submits and resumes slips itself. Nothing writes to
the database except through `rma_tui.service`, always in a thread worker; results come
back as messages. `rma_tui.service` is imported only inside workers and methods, never
at module level: the app imports its screens at start-up, and sqlmodel behind the
service costs about 0.4 s.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Footer, Header, Input, Select, Static

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money_input import parse_yuan
from rma_tui.screens.base import DeskScreen
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.draft_picker import DraftPicker
from rma_tui.widgets.entry_banner import EntryBanner
from rma_tui.widgets.field_errors import show_field_error
from rma_tui.widgets.reason_form import ReasonForm, SlipForm
from rma_tui.widgets.replacement import ReplacementPicker
from rma_tui.widgets.sale_finder import SaleFinder
from rma_tui.widgets.sale_lines import LineRow, SaleLinesTable
from rma_tui.widgets.verdict import VerdictPanel
from rma_tui.widgets.worker_outcome import ServiceFailed, ServiceRefused, post_outcome

if TYPE_CHECKING:
    from rma_tui.service import Database, ProductHit, SaleView, SlipSummary, SlipView

# Drafts read for the resume list, newest first.
DRAFT_PAGE = 50


@dataclass
class _State:
    """What the form holds besides its widgets."""

    sale: SaleView | None = None
    no_receipt: bool = False
    draft_number: str | None = None
    # The shop of the saved or resumed slip: its replacement's sellable figure is that
    # shop's (None: the desk's shop).
    slip_shop: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


class SlipEntryScreen(DeskScreen):
    """Enter a return or exchange slip against an original sale (or without a receipt)."""

    # Its own breakpoints (the same as the app's), so the layout never depends on the shell.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    # Styles live here, not in app.tcss (owned by the shell); theme variables only.
    DEFAULT_CSS = """
    SlipEntryScreen #entry-banner { height: auto; padding: 0 1; display: none; }
    SlipEntryScreen #entry-banner.-shown { display: block; background: $boost; }
    SlipEntryScreen #entry-banner.-ok { color: $success; text-style: bold; }
    SlipEntryScreen #entry-banner.-review { color: $warning; text-style: bold; }
    SlipEntryScreen #entry-banner.-info { color: $text-muted; }
    SlipEntryScreen #entry-body { height: 1fr; padding: 0 1; }
    SlipEntryScreen .entry-row { height: auto; margin-bottom: 1; }
    SlipEntryScreen .entry-label { width: 12; color: $text-muted; }
    SlipEntryScreen .entry-row > Input, SlipEntryScreen .entry-row > Select { width: 1fr; }
    SlipEntryScreen .field-error { display: none; height: auto; color: $error;
        padding-left: 12; }
    SlipEntryScreen .field-error.-shown { display: block; margin-bottom: 1; }
    SlipEntryScreen .entry-hint { height: auto; color: $text-muted; }
    SlipEntryScreen #entry-results, SlipEntryScreen #entry-repl-results {
        display: none; height: auto; max-height: 8; border: none; margin-bottom: 1; }
    SlipEntryScreen #entry-results.-shown, SlipEntryScreen #entry-repl-results.-shown {
        display: block; }
    SlipEntryScreen #entry-sale-header { height: auto; text-style: bold; margin-bottom: 1; }
    SlipEntryScreen #entry-main { height: auto; }
    SlipEntryScreen.-wide #entry-main { layout: horizontal; }
    SlipEntryScreen.-wide #entry-left { width: 3fr; margin-right: 2; }
    SlipEntryScreen.-wide #entry-right { width: 2fr; }
    SlipEntryScreen.-narrow #entry-main { layout: vertical; }
    /* 80x24: no blank lines between fields, so the form and the verdict fit together. */
    SlipEntryScreen.-narrow .entry-row, SlipEntryScreen.-narrow #row-flags,
    SlipEntryScreen.-narrow #entry-sale-header, SlipEntryScreen.-narrow .field-error.-shown,
    SlipEntryScreen.-narrow #entry-repl-info { margin-bottom: 0; }
    SlipEntryScreen.-narrow #verdict-box { margin-top: 0; }
    SlipEntryScreen #entry-left, SlipEntryScreen #entry-right { height: auto; }
    SlipEntryScreen #verdict-box { height: auto; border: round $primary;
        border-title-color: $text; margin-top: 1; }
    SlipEntryScreen #repl-box, SlipEntryScreen #no-receipt-box { display: none; height: auto; }
    SlipEntryScreen.-exchange #repl-box { display: block; }
    SlipEntryScreen.-no-receipt #no-receipt-box { display: block; }
    SlipEntryScreen #entry-repl-info { height: auto; padding-left: 12; margin-bottom: 1; }
    SlipEntryScreen #row-flags { height: auto; margin-bottom: 1; }
    SlipEntryScreen Checkbox { border: none; height: 1; padding: 0 1; margin-right: 2; }
    SlipEntryScreen Checkbox:focus { background: $accent 40%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "submit", priority=True),
        Binding("f2", "save_draft", "save draft"),
        Binding("f3", "drafts", "drafts"),
        Binding("f4", "no_receipt", "no receipt"),
        Binding("ctrl+n", "new_slip", "new slip"),
    ]
    # Footer text per action, as i18n keys (applied by `translate_bindings` in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "submit": "entry_key_submit", "save_draft": "entry_key_draft",
        "drafts": "entry_key_drafts", "no_receipt": "entry_key_no_receipt",
        "new_slip": "entry_key_new",
    }

    # -- messages from the workers ----------------------------------------------------------

    class Saved(Message):
        """A slip was saved as a draft, or submitted (`slip.status` says how it went)."""

        def __init__(self, slip: SlipView, submitted: bool, keep: bool = False) -> None:
            self.slip = slip
            self.submitted = submitted
            self.keep = keep  # a draft saved on the way to a submit that failed: keep the form
            super().__init__()

    class DraftsFound(Message):
        """The user's drafts (a page)."""

        def __init__(self, drafts: list[SlipSummary]) -> None:
            self.drafts = drafts
            super().__init__()

    class DraftLoaded(Message):
        """A draft to resume, with its sale (None without a receipt)."""

        def __init__(self, slip: SlipView, sale: SaleView | None) -> None:
            self.slip = slip
            self.sale = sale
            super().__init__()

    # -- set-up -----------------------------------------------------------------------------

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        """`now` gives the time slips are dated and windows counted to (tests pass a fixed
        clock); None uses the service's clock."""
        super().__init__(id="entry")
        self._clock = now
        self.state = _State()

    def compose(self) -> ComposeResult:
        yield Header()
        yield EntryBanner(id="entry-banner")
        # The scroll area itself takes no focus: Tab goes from field to field.
        with VerticalScroll(id="entry-body", can_focus=False):
            yield SaleFinder()
            with Vertical(id="entry-main"):
                with Vertical(id="entry-left"):
                    yield SaleLinesTable(id="entry-lines")
                    yield Static(id="entry-lines-hint", classes="entry-hint")
                    yield Static(id="err-lines", classes="field-error")
                yield ReasonForm(id="entry-right")
            with Vertical(id="verdict-box"):
                yield VerdictPanel(id="entry-verdict")
        yield Footer()

    def on_mount(self) -> None:
        """Texts in the current language; the cursor in the search field."""
        self.relabel()
        self.query_one("#entry-search", Input).focus()

    # -- hooks the app calls ----------------------------------------------------------------

    def reload(self) -> None:
        """Nothing is re-read on the app's periodic refresh: a form being typed must not
        change under the clerk, nor lose the error it shows. The verdict is computed again
        at the next change, and the service checks everything again on save."""

    def relabel(self) -> None:
        """Redraw every text in the current language."""
        t = i18n.t
        self.title = t("entry_title")
        self.query_one(ReasonForm).relabel()
        self.query_one("#entry-lines-hint", Static).update(t("entry_lines_hint"))
        self.query_one("#verdict-box").border_title = t("entry_verdict")
        self._relabel_mode()
        self.query_one(SaleLinesTable).relabel()
        self.query_one(VerdictPanel).relabel()
        self.query_one(EntryBanner).relabel()
        translate_bindings(self, self.BINDING_KEYS)

    def _relabel_mode(self) -> None:
        self.query_one(SaleFinder).show_mode(self.state.no_receipt, self.state.sale,
                                             self.rma.role)

    # -- small helpers ----------------------------------------------------------------------

    @property
    def _db(self) -> Database | None:
        database = self.rma.database
        if database is None:
            self._set_banner("entry_not_ready", {}, "info")
        return database

    @property
    def _actor(self) -> str:
        user = self.rma.user
        return user.name if user is not None else self.rma.user_name

    def _now(self) -> datetime | None:
        return self._clock() if self._clock is not None else None

    def _set_banner(self, key: str | None, params: dict[str, Any] | None = None,
                    kind: str = "info") -> None:
        self.query_one(EntryBanner).say(key, params, kind)

    def _show_error(self, error: DomainError | None) -> None:
        """Show `error` next to the field it names (and clear every other slot)."""
        show_field_error(self, error, self.state.no_receipt)

    # -- search -----------------------------------------------------------------------------

    def on_sale_finder_searched(self, message: SaleFinder.Searched) -> None:
        """Enter in the search field: find sales, or without a receipt products."""
        query = message.query
        database = self._db
        if not query or database is None:
            return
        if self.state.no_receipt:
            self._find_products(database, "lines", query)
        else:
            self.query_one(SaleFinder).find_sales(database, query, self.rma.db_location)

    def _find_products(self, database: Database, target: str, query: str) -> None:
        # Sellable in the open slip's shop (it issues the replacement), else the desk's.
        self.query_one(SaleFinder).find_products(
            database, target, query, self.state.slip_shop or self.rma.shop,
            self.rma.db_location)

    def _run(self, job: Callable[[], Message]) -> None:
        """Run `job` (in the worker thread) and post its message, a refusal or a fault."""
        post_outcome(self, job, self.rma.db_location)

    def on_sale_finder_sale_chosen(self, message: SaleFinder.SaleChosen) -> None:
        """Open the sale chosen from the matches."""
        self._open_sale(message.order)

    def on_sale_finder_product_chosen(self, message: SaleFinder.ProductChosen) -> None:
        """Without a receipt: take the product chosen from the matches."""
        self._add_product(message.hit)

    def _open_sale(self, order: str) -> None:
        database = self._db
        if database is not None:
            self.query_one(SaleFinder).open_sale(database, order, self.rma.db_location)

    def on_sale_finder_sale_opened(self, message: SaleFinder.SaleOpened) -> None:
        """Show the sale's lines and put the cursor on them."""
        if self.state.draft_number is not None:
            # Opening another sale abandons the resumed draft (it stays saved).
            self._reset(keep_banner=False)
        self.state.sale = message.sale
        self.query_one(ReplacementPicker).chosen = None
        table = self.query_one(SaleLinesTable)
        table.show_sale(message.sale)
        self._relabel_mode()
        table.move_cursor(row=0)
        table.focus()

    def _add_product(self, hit: ProductHit) -> None:
        """No receipt: the product coming back (one line), one unit; the price is next."""
        price = self.query_one(ReasonForm).price_or_none()
        self.query_one(SaleLinesTable).show([LineRow(hit.sku, hit.name, unit_price_fen=price)],
                                            {0: 1})
        self.query_one("#entry-price", Input).focus()

    # -- the lines and the form -------------------------------------------------------------

    @on(SaleLinesTable.RowSelected, "#entry-lines")
    def _line_entered(self, event: SaleLinesTable.RowSelected) -> None:
        # Enter on the lines: with nothing picked yet, pick the line under the cursor; then
        # move on to the reason (one key for the commonest case: a single line).
        table = self.query_one(SaleLinesTable)
        if not table.picks and table.lines:
            table.pick(event.cursor_row, 1)
        self.query_one("#entry-reason", Select).focus()

    @on(SaleLinesTable.PicksChanged)
    def _picks_changed(self) -> None:
        self._schedule_preview()
        if self.has_class("-exchange"):
            self._load_same_product()

    @on(Select.Changed, "#entry-type")
    def _type_changed(self, event: Select.Changed) -> None:
        self.set_class(event.value == "exchange", "-exchange")
        if event.value == "exchange":
            self._load_same_product()
        self._schedule_preview()

    @on(Select.Changed, "#entry-reason, #entry-channel")
    @on(Checkbox.Changed)
    @on(ReplacementPicker.Cleared)
    def _form_changed(self) -> None:
        self._schedule_preview()

    @on(Input.Changed, "#entry-price")
    def _price_typed(self, event: Input.Changed) -> None:
        try:
            price: int | None = parse_yuan(event.value, "unit_price")
        except DomainError:
            price = None  # said next to the field by the preview
        self.query_one(SaleLinesTable).set_prices(price)
        self._schedule_preview()

    def on_replacement_picker_searched(self, message: ReplacementPicker.Searched) -> None:
        """Find the products the replacement may be."""
        database = self._db
        if database is not None:
            self._find_products(database, "repl", message.query)
        else:
            self.focus_next()

    def on_replacement_picker_chosen(self, message: ReplacementPicker.Chosen) -> None:
        """A replacement was chosen: the verdict (and the difference) is due again."""
        if message.choice is not None:
            self._schedule_preview()

    def on_sale_finder_products_found(self, message: SaleFinder.ProductsFound) -> None:
        """Products for the replacement of an exchange: its default, or to choose from."""
        picker = self.query_one(ReplacementPicker)
        if message.target == "same":
            picker.show_same(message.query, message.products)
            return
        picker.show_matches(message.products)
        if not message.products:
            self._show_error(DomainError("entry_no_products", field="replacement_sku",
                                         query=message.query))

    def _load_same_product(self) -> None:
        """The default replacement is the product coming back: show its sellable stock."""
        sku = self.query_one(SaleLinesTable).first_picked_sku()
        if self.query_one(ReplacementPicker).show_same_if_known(sku) or sku is None:
            return
        database = self._db
        if database is not None:
            self._find_products(database, "same", sku)

    # -- the form as plain values -----------------------------------------------------------

    def _form(self) -> SlipForm:
        """The slip as typed. Raises DomainError for a price that is not money; everything
        else is checked by the service (which names the field)."""
        sale, no_receipt = self.state.sale, self.state.no_receipt
        return self.query_one(ReasonForm).slip(
            self.query_one(SaleLinesTable), no_receipt,
            sale_order=None if no_receipt or sale is None else sale.order,
            draft_number=self.state.draft_number, request_id=self.state.request_id,
            shop=self.rma.shop)

    # -- live verdict -----------------------------------------------------------------------

    def _schedule_preview(self) -> None:
        self.query_one(VerdictPanel).schedule(self._start_preview)

    def _start_preview(self) -> None:
        panel = self.query_one(VerdictPanel)
        panel.invalidate()
        table = self.query_one(SaleLinesTable)
        form = self.query_one(ReasonForm)
        if not table.picks:
            panel.show_hint("entry_hint_pick")
            self._show_error(None)
            return
        if self.state.no_receipt and not form.price_typed:
            panel.show_hint("entry_hint_price")
            self._show_error(None)
            return
        try:
            slip = self._form()
        except DomainError as exc:
            panel.show_hint("entry_hint_price")
            self._show_error(exc)
            return
        if not form.has_reason:
            panel.show_hint("entry_hint_reason")
            # Said at once, before the reason: the service would refuse it the same way.
            self._show_error(table.over_returnable())
            return
        database = self._db
        if database is not None:
            panel.compute(database, slip, self._now, self.rma.db_location)

    def on_verdict_panel_computed(self, message: VerdictPanel.Computed) -> None:
        """Show the verdict, unless the form has changed since."""
        panel = self.query_one(VerdictPanel)
        if panel.is_current(message.token):
            panel.show_preview(message.preview, message.slip_type)
            self._show_error(None)

    def on_service_refused(self, message: ServiceRefused) -> None:
        """Show a refusal next to its field (a stale verdict's is dropped)."""
        if message.token is not None:
            panel = self.query_one(VerdictPanel)
            if not panel.is_current(message.token):
                return
            panel.show_hint("entry_hint_fix")
        elif self.query_one(EntryBanner).key == "entry_saving":
            self._set_banner(None)
        self._show_error(message.error)

    def on_service_failed(self, message: ServiceFailed) -> None:
        """A fault (not a refusal): shown in the banner."""
        self._set_banner("entry_fault", {"error": message.text}, "review")

    # -- save, submit, resume ---------------------------------------------------------------

    def action_submit(self) -> None:
        """Create (or update the resumed draft) and submit: auto-approved or to review."""
        self._start_save(submit=True)

    def action_save_draft(self) -> None:
        """Save the slip as a draft, to finish later (F3)."""
        self._start_save(submit=False)

    def _start_save(self, submit: bool) -> None:
        # A preview still waiting would clear the error this save may bring.
        self.query_one(VerdictPanel).invalidate(pending=True)
        try:
            form = self._form()
        except DomainError as exc:
            self._show_error(exc)
            return
        database = self._db
        if database is None:
            return
        self._set_banner("entry_saving", {}, "info")
        self._save(database, form, submit)

    @work(thread=True, exclusive=True, group="entry-save")
    def _save(self, database: Database, form: SlipForm, submit: bool) -> None:
        def job() -> Message:
            from rma_tui import service

            lines = [service.LineInput(**ln) for ln in form.lines]
            actor, now = self._actor, self._now()
            if form.draft_number is not None:
                slip = service.update_draft(database, actor, form.draft_number, lines,
                                            note=form.note, now=now)
            else:
                slip = service.create_slip(
                    database, actor, form.sale_order, form.slip_type, lines, note=form.note,
                    customer_phone=form.customer_phone, channel=form.channel,
                    request_id=form.request_id, now=now, shop=form.shop)
            if submit:
                try:
                    slip = service.submit_slip(database, actor, slip.number,
                                               request_id=form.request_id + "-submit", now=now)
                except Exception:
                    # Saved but not submitted: keep editing this draft, not a new one.
                    self.post_message(self.Saved(slip, False, keep=True))
                    raise
            return self.Saved(slip, submit)

        self._run(job)

    def on_slip_entry_screen_saved(self, message: Saved) -> None:
        """Say what happened to the slip; clear the form for the next customer."""
        slip = message.slip
        if message.keep:
            self.state.draft_number = slip.number
            self.state.slip_shop = slip.shop
            self._set_banner("entry_resuming", {"number": slip.number}, "info")
            return
        self.query_one(EntryBanner).slip_saved(slip, message.submitted)
        self._reset(keep_banner=True)

    def action_drafts(self) -> None:
        """List my drafts to resume one."""
        database = self._db
        if database is not None:
            self._list_drafts(database, self._actor, self.rma.role == "owner", self.rma.shop)

    @work(thread=True, exclusive=True, group="entry-drafts")
    def _list_drafts(self, database: Database, actor: str, everyone: bool,
                     shop: str | None = None) -> None:
        from rma_tui import service

        # A clerk resumes only their own drafts (update_draft refuses others'), an owner
        # anyone's.
        self._run(lambda: self.DraftsFound(service.list_slips(
            database, status="draft", limit=DRAFT_PAGE,
            created_by=None if everyone else actor, shop=shop)))

    def on_slip_entry_screen_drafts_found(self, message: DraftsFound) -> None:
        """Let the clerk choose a draft."""
        def chosen(number: str | None) -> None:
            database = self.rma.database
            if number and database is not None:
                self._load_draft(database, number)

        self.app.push_screen(DraftPicker(message.drafts), chosen)

    @work(thread=True, exclusive=True, group="entry-draft")
    def _load_draft(self, database: Database, number: str) -> None:
        def job() -> Message:
            from rma_tui import service

            slip = service.get_slip(database, number)
            sale = service.get_sale(database, slip.sale) if slip.sale else None
            return self.DraftLoaded(slip, sale)

        self._run(job)

    def on_slip_entry_screen_draft_loaded(self, message: DraftLoaded) -> None:
        """Fill the form from a saved draft."""
        slip, sale = message.slip, message.sale
        self._reset(keep_banner=False)
        self.state.draft_number = slip.number
        self.state.slip_shop = slip.shop
        self.state.no_receipt = sale is None
        self.set_class(sale is None, "-no-receipt")
        table = self.query_one(SaleLinesTable)
        if sale is not None:
            self.state.sale = sale
            table.resume(sale, slip.lines)
        else:
            table.show([LineRow(ln.sku, ln.name) for ln in slip.lines],
                       {i: ln.qty for i, ln in enumerate(slip.lines)})
        self.query_one(ReasonForm).fill(slip, no_receipt=sale is None)
        self.set_class(slip.type == "exchange", "-exchange")
        self._relabel_mode()
        self._set_banner("entry_resuming", {"number": slip.number}, "info")
        table.focus()
        self._schedule_preview()

    def action_no_receipt(self) -> None:
        """Switch between a slip against a sale and one without a receipt."""
        no_receipt = not self.state.no_receipt
        self._reset(keep_banner=False)
        self.state.no_receipt = no_receipt
        self.set_class(no_receipt, "-no-receipt")
        self._relabel_mode()
        self.query_one("#entry-search", Input).focus()

    def action_new_slip(self) -> None:
        """Clear the form (a resumed draft stays saved)."""
        self._reset(keep_banner=False)

    def _reset(self, keep_banner: bool) -> None:
        """An empty form, ready for the next customer; the cursor in the search field."""
        self.query_one(VerdictPanel).invalidate()  # drop any preview still under way
        self.state = _State()
        self.set_class(False, "-no-receipt")
        self.set_class(False, "-exchange")
        finder = self.query_one(SaleFinder)
        finder.clear()
        self.query_one(ReasonForm).reset()
        finder.show_results([], None)
        self.query_one(SaleLinesTable).show([], {})
        self.query_one(VerdictPanel).show_hint("entry_hint_pick")
        self._show_error(None)
        if not keep_banner:
            self._set_banner(None)
        self._relabel_mode()
        self.query_one("#entry-search", Input).focus()
