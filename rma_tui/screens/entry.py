"""Slip entry (退换货登记): find the original sale, pick what comes back, see the policy
verdict live, submit or keep a draft.

The key flow of a standard return, designed to be short (see tests/test_screen_entry.py,
which counts it):

    type the order number, Enter      -> the exact sale opens, the cursor is on its lines
    Enter                             -> picks the line under the cursor (1 unit), moves on
    Enter, Down..., Enter             -> opens the reason list, chooses a reason
    Ctrl+S                            -> creates and submits the slip

Nothing here writes to the database except through `rma_tui.service`, always in a thread
worker; results come back as messages. `rma_tui.service` is imported only inside workers
and methods, never at module level: the app imports its screens at start-up, and sqlmodel
behind the service costs about 0.4 s.
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
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Checkbox, Footer, Header, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money import yuan
from rma_tui.money_input import parse_yuan
from rma_tui.screens.base import DeskScreen
from rma_tui.widgets.common import phone_text, problem_from
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.draft_picker import DraftPicker
from rma_tui.widgets.sale_lines import LineRow, SaleLinesTable
from rma_tui.widgets.verdict import VerdictPanel

if TYPE_CHECKING:
    from rma_tui.service import (
        Database,
        Preview,
        ProductHit,
        SaleSummary,
        SaleView,
        SlipSummary,
        SlipView,
    )

# How long the form must stay still before the verdict is computed again (seconds).
PREVIEW_DELAY = 0.25
# One page of search results (find_sales / search_products limit).
PAGE = 20
# Drafts read for the resume list, newest first.
DRAFT_PAGE = 50

# Error slots next to the fields, by the service's field names (see `_slot`).
SLOTS = ("search", "lines", "price", "phone", "reason", "reason-text", "repl", "note", "form")


def _slot(field_name: str | None) -> str:
    """Which error slot shows an error about `field_name` ("lines[1].qty" -> "lines")."""
    name = field_name or ""
    tail = name.rsplit(".", 1)[-1] if name.startswith("lines[") else name
    return {
        "sale": "search", "customer": "search", "lines": "lines", "qty": "lines",
        "sku": "lines", "unit_price": "price", "reason": "reason",
        "reason_text": "reason-text", "replacement_sku": "repl", "replacement_qty": "repl",
        "note": "note",
    }.get(tail, "form")


@dataclass(frozen=True)
class ReplChoice:
    """The replacement product of an exchange, as shown."""

    sku: str
    name: str
    sellable: int | None = None
    price_fen: int | None = None


@dataclass(frozen=True)
class SlipForm:
    """Everything the service needs, in plain values (LineInputs are built in the worker)."""

    sale_order: str | None
    slip_type: str
    channel: str | None
    lines: list[dict[str, Any]]
    note: str
    customer_phone: str | None
    draft_number: str | None
    request_id: str
    # The shop the desk works in (app.shop); None: the user's own, else the sale's shop.
    shop: str | None = None


@dataclass
class _State:
    """What the form holds besides its widgets."""

    sale: SaleView | None = None
    no_receipt: bool = False
    draft_number: str | None = None
    # The shop of the saved or resumed slip: its replacement's sellable figure is that
    # shop's (None: the desk's shop).
    slip_shop: str | None = None
    # Units the resumed draft itself holds, per SKU: get_sale counts them as returned.
    held: dict[str, int] = field(default_factory=dict)
    replacement: ReplChoice | None = None
    same: ReplChoice | None = None
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

    class SalesFound(Message):
        """Sales matching the search (a page)."""

        def __init__(self, query: str, sales: list[SaleSummary]) -> None:
            self.query = query
            self.sales = sales
            super().__init__()

    class ProductsFound(Message):
        """Products matching a search; `target` is "lines" (no receipt) or "repl"."""

        def __init__(self, target: str, query: str, products: list[ProductHit]) -> None:
            self.target = target
            self.query = query
            self.products = products
            super().__init__()

    class SaleLoaded(Message):
        """An original sale with its lines."""

        def __init__(self, sale: SaleView) -> None:
            self.sale = sale
            super().__init__()

    class PreviewReady(Message):
        """The verdict and amounts of the form as it was at `token`."""

        def __init__(self, token: int, preview: Preview, slip_type: str) -> None:
            self.token = token
            self.preview = preview
            self.slip_type = slip_type
            super().__init__()

    class Refused(Message):
        """The service refused a read or a write; `token` is set for previews only."""

        def __init__(self, error: DomainError, token: int | None = None) -> None:
            self.error = error
            self.token = token
            super().__init__()

    class Failed(Message):
        """The database could not be read or written (not a refusal: a fault)."""

        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

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
        self._token = 0
        self._timer: Timer | None = None
        self._banner: tuple[str, dict[str, Any], str] | None = None
        self._results: list[Any] = []
        self._repl_hits: list[ProductHit] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="entry-banner")
        # The scroll area itself takes no focus: Tab goes from field to field.
        with VerticalScroll(id="entry-body", can_focus=False):
            with Horizontal(classes="entry-row"):
                yield Static(id="lbl-search", classes="entry-label")
                yield Input(id="entry-search", compact=True)
            yield Static(id="err-search", classes="field-error")
            yield OptionList(id="entry-results")
            yield Static(id="entry-sale-header")
            with Vertical(id="entry-main"):
                with Vertical(id="entry-left"):
                    yield SaleLinesTable(id="entry-lines")
                    yield Static(id="entry-lines-hint", classes="entry-hint")
                    yield Static(id="err-lines", classes="field-error")
                with Vertical(id="entry-right"):
                    with Vertical(id="no-receipt-box"):
                        with Horizontal(classes="entry-row"):
                            yield Static(id="lbl-price", classes="entry-label")
                            yield Input(id="entry-price", compact=True)
                        yield Static(id="err-price", classes="field-error")
                        with Horizontal(classes="entry-row"):
                            yield Static(id="lbl-phone", classes="entry-label")
                            yield Input(id="entry-phone", compact=True)
                        yield Static(id="err-phone", classes="field-error")
                        with Horizontal(classes="entry-row"):
                            yield Static(id="lbl-channel", classes="entry-label")
                            yield Select(self._channel_options(), id="entry-channel",
                                         value="store", allow_blank=False, compact=True)
                    with Horizontal(classes="entry-row"):
                        yield Static(id="lbl-reason", classes="entry-label")
                        yield Select(self._reason_options(), id="entry-reason",
                                     prompt=i18n.t("entry_reason_prompt"), compact=True)
                    yield Static(id="err-reason", classes="field-error")
                    with Horizontal(classes="entry-row"):
                        yield Static(id="lbl-reason-text", classes="entry-label")
                        yield Input(id="entry-reason-text", compact=True)
                    yield Static(id="err-reason-text", classes="field-error")
                    with Horizontal(classes="entry-row"):
                        yield Static(id="lbl-type", classes="entry-label")
                        yield Select(self._type_options(), id="entry-type", value="return",
                                     allow_blank=False, compact=True)
                    with Vertical(id="repl-box"):
                        with Horizontal(classes="entry-row"):
                            yield Static(id="lbl-repl", classes="entry-label")
                            yield Input(id="entry-repl", compact=True)
                        yield Static(id="entry-repl-info")
                        yield OptionList(id="entry-repl-results")
                        yield Static(id="err-repl", classes="field-error")
                    with Horizontal(id="row-flags"):
                        yield Checkbox(id="entry-packaging", value=True)
                        yield Checkbox(id="entry-invoice", value=True)
                    with Horizontal(classes="entry-row"):
                        yield Static(id="lbl-note", classes="entry-label")
                        yield Input(id="entry-note", compact=True)
                    yield Static(id="err-note", classes="field-error")
                    yield Static(id="err-form", classes="field-error")
            with Vertical(id="verdict-box"):
                yield VerdictPanel(id="entry-verdict")
        yield Footer()

    def on_mount(self) -> None:
        """Texts in the current language; the cursor in the search field."""
        self.relabel()
        self.query_one("#entry-search", Input).focus()

    @staticmethod
    def _reason_options() -> list[tuple[str, str]]:
        # The service's REASONS, in its order (LABELS lists them the same way), without
        # importing the service here.
        return [(i18n.label("reason", code), code) for code in i18n.LABELS["reason"]]

    @staticmethod
    def _type_options() -> list[tuple[str, str]]:
        return [(i18n.label("type", code), code) for code in ("return", "exchange")]

    @staticmethod
    def _channel_options() -> list[tuple[str, str]]:
        return [(i18n.label("channel", code), code) for code in i18n.LABELS["channel"]]

    # -- hooks the app calls ----------------------------------------------------------------

    def reload(self) -> None:
        """Nothing is re-read on the app's periodic refresh: a form being typed must not
        change under the clerk, nor lose the error it shows. The verdict is computed again
        at the next change, and the service checks everything again on save."""

    def relabel(self) -> None:
        """Redraw every text in the current language."""
        t = i18n.t
        self.title = t("entry_title")
        labels = {"lbl-price": "entry_price", "lbl-channel": "entry_channel",
                  "lbl-phone": "entry_phone",
                  "lbl-reason": "entry_reason", "lbl-reason-text": "entry_reason_text",
                  "lbl-type": "entry_type", "lbl-repl": "entry_replacement",
                  "lbl-note": "entry_note"}
        for wid, key in labels.items():
            self.query_one(f"#{wid}", Static).update(t(key))
        self.query_one("#entry-price", Input).placeholder = t("entry_price_placeholder")
        self.query_one("#entry-phone", Input).placeholder = t("entry_phone_placeholder")
        self.query_one("#entry-reason-text", Input).placeholder = t(
            "entry_reason_text_placeholder")
        self.query_one("#entry-repl", Input).placeholder = t("entry_repl_placeholder")
        self.query_one("#entry-note", Input).placeholder = t("entry_note_placeholder")
        self.query_one("#entry-packaging", Checkbox).label = t("entry_packaging")
        self.query_one("#entry-invoice", Checkbox).label = t("entry_invoice")
        self.query_one("#entry-lines-hint", Static).update(t("entry_lines_hint"))
        self.query_one("#verdict-box").border_title = t("entry_verdict")
        for sel_id, options in (("#entry-reason", self._reason_options()),
                                ("#entry-type", self._type_options()),
                                ("#entry-channel", self._channel_options())):
            select: Select[str] = self.query_one(sel_id, Select)
            value = select.value
            if sel_id == "#entry-reason":
                select.prompt = t("entry_reason_prompt")
            with select.prevent(Select.Changed):
                select.set_options(options)
                if value is not Select.NULL:
                    # A select without a blank keeps its first option after set_options;
                    # setting that same value again would not redraw the shown label.
                    other = next((v for _, v in options if v != value), None)
                    if other is not None:
                        select.value = other
                    select.value = value
        self._relabel_mode()
        self.query_one(SaleLinesTable).relabel()
        self.query_one(VerdictPanel).relabel()
        self._show_repl_info()
        self._show_banner()
        translate_bindings(self, self.BINDING_KEYS)

    def _relabel_mode(self) -> None:
        t = i18n.t
        search = self.query_one("#entry-search", Input)
        label = self.query_one("#lbl-search", Static)
        header = self.query_one("#entry-sale-header", Static)
        if self.state.no_receipt:
            label.update(t("entry_product_label"))
            search.placeholder = t("entry_product_placeholder")
            header.update(t("entry_no_receipt_header"))
        else:
            label.update(t("entry_search_label"))
            search.placeholder = t("entry_search_placeholder")
            sale = self.state.sale
            header.update(t("entry_no_sale_yet") if sale is None else t(
                "entry_sale_header", order=sale.order,
                sold_at=sale.sold_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                customer=" ".join(x for x in (sale.customer,
                                              phone_text(self.rma.role, sale.customer_phone))
                                  if x)
                or t("entry_walk_in"),
                channel=sale.channel, payment=sale.payment_method,
                total_fen=sale.total_fen))

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
        self._banner = None if key is None else (key, params or {}, kind)
        self._show_banner()

    def _show_banner(self) -> None:
        banner = self.query_one("#entry-banner", Static)
        banner.remove_class("-shown", "-ok", "-review", "-info")
        if self._banner is None:
            return
        key, params, kind = self._banner
        banner.update(i18n.t(key, **params))
        banner.add_class("-shown", f"-{kind}")

    def _show_error(self, error: DomainError | None) -> None:
        """Show `error` next to the field it names (and clear every other slot)."""
        target = None if error is None else _slot(error.field)
        if target == "search" and self.state.no_receipt:
            target = "phone"  # without a sale, the customer is the phone typed in the form
        for slot in SLOTS:
            widget = self.query_one(f"#err-{slot}", Static)
            if slot == target and error is not None:
                widget.update(error.message())
                widget.add_class("-shown")
            else:
                widget.update("")
                widget.remove_class("-shown")
        if target is not None:
            self.query_one(f"#err-{target}").scroll_visible()

    def _show_results(self, options: list[Option], hint: str | None) -> None:
        results = self.query_one("#entry-results", OptionList)
        results.clear_options()
        results.add_options(options)
        results.set_class(bool(options), "-shown")
        err = self.query_one("#err-search", Static)
        err.update(hint or "")
        err.set_class(bool(hint), "-shown")

    # -- search -----------------------------------------------------------------------------

    @on(Input.Submitted, "#entry-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        query = event.value.strip()
        database = self._db
        if not query or database is None:
            return
        if self.state.no_receipt:
            self._find_products(database, "lines", query)
        else:
            self._find_sales(database, query)

    @work(thread=True, exclusive=True, group="entry-search")
    def _find_sales(self, database: Database, query: str) -> None:
        def job() -> Message:
            from rma_tui import service

            return self.SalesFound(query, service.find_sales(database, query, limit=PAGE))

        self._run(job)

    @work(thread=True, exclusive=True, group="entry-products")
    def _find_products(self, database: Database, target: str, query: str) -> None:
        # Sellable in the open slip's shop (it issues the replacement), else the desk's.
        shop = self.state.slip_shop or self.rma.shop

        def job() -> Message:
            from rma_tui import service

            return self.ProductsFound(target, query, service.search_products(
                database, query, limit=PAGE, shop=shop))

        self._run(job)

    def _run(self, job: Callable[[], Message], token: int | None = None) -> None:
        """Run `job` (in the worker thread) and post its message, a refusal or a fault."""
        worker = get_current_worker()
        try:
            message: Message = job()
        except DomainError as exc:
            message = self.Refused(exc, token)
        except Exception as exc:  # a fault is shown, never a crash of the desk
            message = self.Failed(problem_from(exc, self.rma.db_location).text())
        if not worker.is_cancelled:
            self.post_message(message)

    def on_slip_entry_screen_sales_found(self, message: SalesFound) -> None:
        """One exact match opens at once; several are listed to choose from."""
        sales = message.sales
        self._results = list(sales)
        exact = [s for s in sales if s.order.upper() == message.query.upper()]
        if exact or len(sales) == 1:
            self._show_results([], None)
            self._open_sale((exact or sales)[0].order)
            return
        hint = (i18n.t("entry_no_sales", query=message.query) if not sales
                else i18n.t("entry_more_results", n=PAGE) if len(sales) >= PAGE
                else i18n.t("entry_pick_sale"))
        self._show_results([Option(self._sale_option(s), id=s.order) for s in sales], hint)
        if sales:
            results = self.query_one("#entry-results", OptionList)
            results.highlighted = 0
            results.focus()

    @staticmethod
    def _sale_option(s: SaleSummary) -> str:
        return "  ".join([s.order, s.sold_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                          s.customer or i18n.t("entry_walk_in"),
                          i18n.label("channel", s.channel), yuan(s.total_fen)])

    @staticmethod
    def _product_option(p: ProductHit) -> str:
        return i18n.t("entry_repl_option", sku=p.sku, name=p.name, sellable=p.sellable,
                      price_fen=p.unit_price_fen)

    @on(OptionList.OptionSelected, "#entry-results")
    def _result_chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id
        if chosen is None:
            return
        self._show_results([], None)
        if self.state.no_receipt:
            hit = next((p for p in self._results if p.sku == chosen), None)
            if hit is not None:
                self._add_product(hit)
        else:
            self._open_sale(chosen)

    def _open_sale(self, order: str) -> None:
        database = self._db
        if database is not None:
            self._load_sale(database, order)

    @work(thread=True, exclusive=True, group="entry-sale")
    def _load_sale(self, database: Database, order: str) -> None:
        def job() -> Message:
            from rma_tui import service

            return self.SaleLoaded(service.get_sale(database, order))

        self._run(job)

    def on_slip_entry_screen_sale_loaded(self, message: SaleLoaded) -> None:
        """Show the sale's lines and put the cursor on them."""
        if self.state.draft_number is not None:
            # Opening another sale abandons the resumed draft (it stays saved).
            self._reset(keep_banner=False)
        self.state.sale = message.sale
        self.state.held = {}
        self.state.replacement = None
        self._show_sale_rows({})
        self._relabel_mode()
        table = self.query_one(SaleLinesTable)
        table.move_cursor(row=0)
        table.focus()

    def _show_sale_rows(self, picks: dict[int, int]) -> None:
        sale = self.state.sale
        if sale is None:
            return
        held = dict(self.state.held)
        rows = []
        for ln in sale.lines:
            back = min(held.get(ln.sku, 0), ln.returned)
            held[ln.sku] = held.get(ln.sku, 0) - back
            rows.append(LineRow(ln.sku, ln.name, ln.sold, ln.returned - back,
                                ln.returnable + back, ln.unit_price_fen))
        self.query_one(SaleLinesTable).show(rows, picks)

    def _add_product(self, hit: ProductHit) -> None:
        """No receipt: the product coming back (one line), one unit; the price is next."""
        price_input = self.query_one("#entry-price", Input)
        try:
            price: int | None = parse_yuan(price_input.value, "unit_price")
        except DomainError:
            price = None
        self.query_one(SaleLinesTable).show([LineRow(hit.sku, hit.name, unit_price_fen=price)],
                                            {0: 1})
        price_input.focus()

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

    @on(Select.Changed, "#entry-reason")
    def _reason_changed(self, event: Select.Changed) -> None:
        self._schedule_preview()
        if event.select.has_focus:
            self.query_one("#entry-reason-text", Input).focus()

    @on(Select.Changed, "#entry-type")
    def _type_changed(self, event: Select.Changed) -> None:
        self.set_class(event.value == "exchange", "-exchange")
        if event.value == "exchange":
            self._load_same_product()
        self._schedule_preview()

    @on(Select.Changed, "#entry-channel")
    @on(Checkbox.Changed)
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

    @on(Input.Changed, "#entry-repl")
    def _repl_typed(self, event: Input.Changed) -> None:
        if not event.value.strip() and self.state.replacement is not None:
            self.state.replacement = None
            self._show_repl_info()
            self._schedule_preview()

    @on(Input.Submitted, "#entry-price, #entry-phone, #entry-reason-text, #entry-note")
    def _enter_moves_on(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#entry-repl")
    def _repl_submitted(self, event: Input.Submitted) -> None:
        database = self._db
        if event.value.strip() and database is not None:
            self._find_products(database, "repl", event.value.strip())
        else:
            self.focus_next()

    def on_slip_entry_screen_products_found(self, message: ProductsFound) -> None:
        """Products for the no-receipt line, or replacements of an exchange."""
        products = message.products
        if message.target == "lines":
            self._results = list(products)
            exact = [p for p in products
                     if message.query.upper() in (p.sku.upper(), (p.barcode or "").upper())]
            if exact or len(products) == 1:
                self._show_results([], None)
                self._add_product((exact or products)[0])
                return
            hint = (i18n.t("entry_no_products", query=message.query) if not products
                    else i18n.t("entry_more_results", n=PAGE) if len(products) >= PAGE
                    else None)
            self._show_results([Option(self._product_option(p), id=p.sku) for p in products],
                               hint)
            if products:
                self.query_one("#entry-results", OptionList).focus()
            return
        if message.target == "same":
            self.state.same = next(
                (ReplChoice(p.sku, p.name, p.sellable, p.unit_price_fen)
                 for p in products if p.sku == message.query), None)
            self._show_repl_info()
            return
        repl = self.query_one("#entry-repl-results", OptionList)
        self._repl_hits = list(products)
        repl.clear_options()
        repl.add_options([Option(self._product_option(p), id=p.sku) for p in products])
        repl.set_class(bool(products), "-shown")
        if products:
            repl.highlighted = 0
            repl.focus()
        else:
            self._show_error(DomainError("entry_no_products", field="replacement_sku",
                                         query=message.query))

    @on(OptionList.OptionSelected, "#entry-repl-results")
    def _repl_chosen(self, event: OptionList.OptionSelected) -> None:
        hit = next((p for p in self._repl_hits if p.sku == event.option.id), None)
        repl = self.query_one("#entry-repl-results", OptionList)
        repl.remove_class("-shown")
        if hit is not None:
            self.state.replacement = ReplChoice(hit.sku, hit.name, hit.sellable,
                                                hit.unit_price_fen)
            self._show_repl_info()
            self._schedule_preview()
        self.query_one("#entry-packaging", Checkbox).focus()

    def _load_same_product(self) -> None:
        """The default replacement is the product coming back: show its sellable stock."""
        table = self.query_one(SaleLinesTable)
        picked = sorted(table.picks)
        sku = table.lines[picked[0]].sku if picked else None
        if sku is None or (self.state.same is not None and self.state.same.sku == sku):
            self._show_repl_info()
            return
        database = self._db
        if database is not None:
            self._find_products(database, "same", sku)

    def _show_repl_info(self) -> None:
        info = self.query_one("#entry-repl-info", Static)
        chosen = self.state.replacement
        if chosen is not None:
            info.update(i18n.t("entry_repl_chosen", sku=chosen.sku, name=chosen.name,
                               sellable="—" if chosen.sellable is None else chosen.sellable,
                               price_fen=chosen.price_fen or 0))
        elif self.state.same is not None:
            same = self.state.same
            info.update(i18n.t("entry_repl_same", sku=same.sku, name=same.name,
                               sellable=same.sellable))
        else:
            info.update("")

    # -- the form as plain values -----------------------------------------------------------

    def _form(self) -> SlipForm:
        """The slip as typed. Raises DomainError for a price that is not money; everything
        else is checked by the service (which names the field)."""
        table = self.query_one(SaleLinesTable)
        reason_value = self.query_one("#entry-reason", Select).value
        reason = reason_value if isinstance(reason_value, str) else ""
        slip_type = str(self.query_one("#entry-type", Select).value)
        repl = self.state.replacement
        price: int | None = None
        if self.state.no_receipt and table.picks:
            price = parse_yuan(self.query_one("#entry-price", Input).value, "unit_price")
        lines = []
        for i in sorted(table.picks):
            row = table.lines[i]
            lines.append({
                "sku": row.sku, "qty": table.picks[i], "reason": reason,
                "reason_text": self.query_one("#entry-reason-text", Input).value,
                "replacement_sku": (repl.sku if repl else row.sku)
                if slip_type == "exchange" else None,
                "packaging_intact": self.query_one("#entry-packaging", Checkbox).value,
                "invoice_present": self.query_one("#entry-invoice", Checkbox).value,
                "unit_price_fen": price,
            })
        sale = self.state.sale
        channel = self.query_one("#entry-channel", Select).value
        return SlipForm(
            sale_order=None if self.state.no_receipt or sale is None else sale.order,
            slip_type=slip_type,
            channel=str(channel) if self.state.no_receipt else None,
            lines=lines,
            note=self.query_one("#entry-note", Input).value,
            customer_phone=(self.query_one("#entry-phone", Input).value.strip() or None)
            if self.state.no_receipt else None,
            draft_number=self.state.draft_number,
            request_id=self.state.request_id,
            shop=self.rma.shop,
        )

    @staticmethod
    def _over_returnable(table: SaleLinesTable) -> DomainError | None:
        for n, i in enumerate(sorted(table.picks), start=1):
            row, qty = table.lines[i], table.picks[i]
            if row.returnable is not None and qty > row.returnable:
                return DomainError("over_returnable", field=f"lines[{n}].qty", sku=row.sku,
                                   qty=qty, returnable=row.returnable)
        return None

    # -- live verdict -----------------------------------------------------------------------

    def _schedule_preview(self) -> None:
        # Debounced: typing a quantity or a price does not start a read per key.
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self._start_preview)

    def _start_preview(self) -> None:
        self._token += 1
        panel = self.query_one(VerdictPanel)
        table = self.query_one(SaleLinesTable)
        if not table.picks:
            panel.show_hint("entry_hint_pick")
            self._show_error(None)
            return
        if self.state.no_receipt and not self.query_one("#entry-price", Input).value.strip():
            panel.show_hint("entry_hint_price")
            self._show_error(None)
            return
        try:
            form = self._form()
        except DomainError as exc:
            panel.show_hint("entry_hint_price")
            self._show_error(exc)
            return
        if self.query_one("#entry-reason", Select).value is Select.NULL:
            panel.show_hint("entry_hint_reason")
            # Said at once, before the reason: the service would refuse it the same way.
            self._show_error(self._over_returnable(table))
            return
        database = self._db
        if database is not None:
            self._preview(database, form, self._token)

    @work(thread=True, exclusive=True, group="entry-preview")
    def _preview(self, database: Database, form: SlipForm, token: int) -> None:
        def job() -> Message:
            from rma_tui import service

            preview = service.preview_slip(
                database, form.sale_order, form.slip_type,
                [service.LineInput(**ln) for ln in form.lines], channel=form.channel,
                now=self._now(), draft=form.draft_number)
            return self.PreviewReady(token, preview, form.slip_type)

        self._run(job, token)

    def on_slip_entry_screen_preview_ready(self, message: PreviewReady) -> None:
        """Show the verdict, unless the form has changed since."""
        if message.token == self._token:
            self.query_one(VerdictPanel).show_preview(message.preview, message.slip_type)
            self._show_error(None)

    def on_slip_entry_screen_refused(self, message: Refused) -> None:
        """Show a refusal next to its field (a stale preview's is dropped)."""
        if message.token is not None:
            if message.token != self._token:
                return
            self.query_one(VerdictPanel).show_hint("entry_hint_fix")
        elif self._banner is not None and self._banner[0] == "entry_saving":
            self._set_banner(None)
        self._show_error(message.error)

    def on_slip_entry_screen_failed(self, message: Failed) -> None:
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
        if self._timer is not None:
            self._timer.stop()
        self._token += 1
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
        if not message.submitted:
            self._set_banner("entry_draft_saved", {"number": slip.number}, "info")
        elif slip.status == "approved":
            self._set_banner("entry_submitted_auto", {"number": slip.number}, "ok")
        else:
            failed = ",".join(r.rule for r in slip.verdict if not r.ok)
            self._set_banner("entry_submitted_review",
                             {"number": slip.number, "failed": failed}, "review")
        self._reset(keep_banner=True)

    def action_drafts(self) -> None:
        """List my drafts to resume one."""
        database = self._db
        if database is not None:
            self._list_drafts(database, self._actor, self.rma.role == "owner", self.rma.shop)

    @work(thread=True, exclusive=True, group="entry-drafts")
    def _list_drafts(self, database: Database, actor: str, everyone: bool,
                     shop: str | None = None) -> None:
        def job() -> Message:
            from rma_tui import service

            # A clerk resumes only their own drafts (update_draft refuses others'), an
            # owner anyone's.
            drafts = service.list_slips(database, status="draft", limit=DRAFT_PAGE,
                                        created_by=None if everyone else actor, shop=shop)
            return self.DraftsFound(drafts)

        self._run(job)

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
            held: dict[str, int] = {}
            for ln in slip.lines:
                held[ln.sku] = held.get(ln.sku, 0) + ln.qty
            self.state.held = held
            self._show_sale_rows({})
            picks: dict[int, int] = {}
            for ln in slip.lines:
                left = ln.qty
                for i, row in enumerate(table.lines):
                    if row.sku == ln.sku and left > 0 and i not in picks:
                        picks[i] = left
                        left = 0
            table.show(table.lines, picks)
        else:
            table.show([LineRow(ln.sku, ln.name) for ln in slip.lines],
                       {i: ln.qty for i, ln in enumerate(slip.lines)})
            first_price = slip.lines[0].unit_price_fen if slip.lines else 0
            self.query_one("#entry-price", Input).value = yuan(first_price).lstrip("¥")
            self.query_one("#entry-channel", Select).value = slip.channel
        first = slip.lines[0] if slip.lines else None
        if first is not None:
            self.query_one("#entry-reason", Select).value = first.reason
            self.query_one("#entry-reason-text", Input).value = first.reason_text
            self.query_one("#entry-packaging", Checkbox).value = first.packaging_intact
            self.query_one("#entry-invoice", Checkbox).value = first.invoice_present
            if first.replacement_sku and first.replacement_sku != first.sku:
                self.state.replacement = ReplChoice(first.replacement_sku,
                                                    first.replacement_sku)
                self.query_one("#entry-repl", Input).value = first.replacement_sku
        self.query_one("#entry-type", Select).value = slip.type
        self.set_class(slip.type == "exchange", "-exchange")
        self.query_one("#entry-note", Input).value = slip.note
        self._relabel_mode()
        self._show_repl_info()
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
        self._token += 1  # drop any preview still under way
        self.state = _State()
        self.set_class(False, "-no-receipt")
        self.set_class(False, "-exchange")
        for wid in ("#entry-search", "#entry-price", "#entry-phone", "#entry-reason-text",
                    "#entry-repl", "#entry-note"):
            self.query_one(wid, Input).value = ""
        self.query_one("#entry-reason", Select).clear()
        self.query_one("#entry-type", Select).value = "return"
        self.query_one("#entry-channel", Select).value = "store"
        self.query_one("#entry-packaging", Checkbox).value = True
        self.query_one("#entry-invoice", Checkbox).value = True
        self.query_one("#entry-repl-results", OptionList).remove_class("-shown")
        self._show_results([], None)
        self.query_one(SaleLinesTable).show([], {})
        self.query_one(VerdictPanel).show_hint("entry_hint_pick")
        self._show_error(None)
        if not keep_banner:
            self._set_banner(None)
        self._relabel_mode()
        self._show_repl_info()
        self.query_one("#entry-search", Input).focus()
