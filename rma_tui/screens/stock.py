"""The stock screen (库存, key 6): every product's sellable / pending / defective / scrap and
reorder point, the low ones marked; search and filters; a product's stock ledger; and the
warehouse's writes, each in a dialog: goods received (进货), counted corrections (调整),
reorder points (补货点), defective goods repaired (修复), scrapped (报废) or sent back to the
supplier (退供应商, GT- slips), plus the supplier returns per supplier. In a chain of
shops the list is the desk's shop (app.shop; every shop summed when None), the writes go
to that shop, and stock moves between shops (调拨, key m) for warehouse staff and owners.

The list is read a page at a time (`reads.stock.stock_items`, one GROUP BY query), the next
page when the cursor reaches the last row. Every write goes through `rma_tui.service`
from the dialog's worker; a refusal stays in the dialog under the field it is about.
Clerks and finance can look but not write: they are told so before any dialog opens.
The tables are drawn by `widgets.stock_tables`; each write's form and its submit are in
`widgets.stock_writes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Static

from rma_tui import i18n
from rma_tui.screens.base import DeskScreen, ProblemMessage
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.stock_form import FormField, StockFormDialog
from rma_tui.widgets.stock_tables import fill_ledger_table, fill_stock_table
from rma_tui.widgets.stock_writes import FORMS, Said, transfer_form

if TYPE_CHECKING:
    from rma_tui.reads.stock import LedgerRow, StockItem
    from rma_tui.service import Database

# Rows read per page, of the product list and of the ledger.
PAGE = 100


class StockScreen(DeskScreen):
    """Stock per product, with filters, the ledger and the warehouse's writes."""

    DEFAULT_CSS = """
    StockScreen #stock-bar {
        height: 3;
        margin: 0 1;
    }
    StockScreen #stock-search {
        width: 1fr;
    }
    StockScreen #stock-filters {
        width: auto;
        padding: 1 1 0 1;
        color: $text-muted;
    }
    StockScreen #stock-filters.-on {
        color: $warning;
        text-style: bold;
    }
    StockScreen .stock-pane {
        height: 1fr;
        margin: 0 1;
    }
    StockScreen .stock-pane DataTable {
        height: 1fr;
    }
    StockScreen .stock-empty {
        display: none;
        color: $text-muted;
        padding: 0 1;
    }
    StockScreen .stock-pane.-empty .stock-empty {
        display: block;
    }
    StockScreen .stock-pane.-empty DataTable {
        display: none;
    }
    StockScreen #stock-ledger-pane {
        display: none;
    }
    StockScreen.-ledger #stock-ledger-pane {
        display: block;
    }
    StockScreen #stock-said {
        margin: 0 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "search"),
        Binding("o", "toggle_low", "low only"),
        Binding("d", "toggle_defective", "defective only"),
        Binding("g", "ledger", "ledger"),
        Binding("p", "purchase", "receive"),
        Binding("a", "adjust", "adjust"),
        Binding("t", "reorder", "reorder point"),
        Binding("f", "repair", "repair"),
        Binding("s", "scrap", "scrap"),
        Binding("b", "supplier_return", "return to supplier"),
        Binding("v", "suppliers", "supplier returns"),
        # Only in a chain of several shops (check_action hides it otherwise).
        Binding("m", "transfer", "transfer"),
        Binding("escape", "back", "close", show=False),
    ]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "search": "stock_key_search",
        "toggle_low": "stock_key_low",
        "toggle_defective": "stock_key_defective",
        "ledger": "stock_key_ledger",
        "purchase": "stock_key_purchase",
        "adjust": "stock_key_adjust",
        "reorder": "stock_key_reorder",
        "repair": "stock_key_repair",
        "scrap": "stock_key_scrap",
        "supplier_return": "stock_key_return",
        "suppliers": "stock_key_suppliers",
        "transfer": "stock_key_transfer",
        "back": "stock_key_close",
    }

    class ItemsLoaded(Message):
        """A worker read product rows: the window from the top again, or one page more."""

        def __init__(self, items: list[StockItem], has_more: bool, append: bool,
                     filters: tuple[str, bool, bool, str | None]) -> None:
            self.items = items
            self.has_more = has_more
            self.append = append
            self.filters = filters
            super().__init__()

    class LedgerLoaded(Message):
        """A worker read a product's stock moves."""

        def __init__(self, sku: str, rows: list[LedgerRow], has_more: bool,
                     append: bool) -> None:
            self.sku = sku
            self.rows = rows
            self.has_more = has_more
            self.append = append
            super().__init__()

    class LoadFailed(ProblemMessage):
        """A worker could not read."""

    def __init__(self, *, name: str | None = None, id: str | None = "stock") -> None:
        super().__init__(name=name, id=id)
        self.items: list[StockItem] = []
        self.has_more = False
        self.loaded = False
        self.query_text = ""
        self.low_only = False
        self.defective_only = False
        self.ledger_sku: str | None = None
        self.ledger_rows: list[LedgerRow] = []
        self.ledger_more = False
        self._ledger_loaded = False  # read at least once since it was opened
        self._loading_more = False
        self._ledger_loading_more = False
        self._shown: tuple[object, ...] | None = None
        self._ledger_shown: tuple[object, ...] | None = None
        self._chain = False  # whether the transfer key was last shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(i18n.t("stock_loading"), id="stock-message", classes="desk-message")
        with Vertical(id="stock-body", classes="desk-body"):
            with Horizontal(id="stock-bar"):
                yield Input(id="stock-search", max_length=100)
                yield Static("", id="stock-filters")
            with Vertical(id="stock-list-pane", classes="stock-pane desk-pane"):
                yield DataTable(id="stock-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="stock-empty", classes="stock-empty")
            with Vertical(id="stock-ledger-pane", classes="stock-pane desk-pane"):
                yield DataTable(id="stock-ledger", cursor_type="row", zebra_stripes=True)
                yield Static("", id="stock-ledger-empty", classes="stock-empty")
            yield MessageLine(id="stock-said")
        yield Footer()

    def on_mount(self) -> None:
        self.add_class("-message")
        self.relabel()
        self.query_one("#stock-table", DataTable).focus()
        self.reload()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the rows down to a page past the cursor again (and the open ledger)."""
        app = self.rma
        if app.problem is not None:
            self._show_message(app.problem.text())
            return
        if app.database is None:
            return
        if app.is_chain != self._chain:
            self._chain = app.is_chain
            self.refresh_bindings()  # the transfer key shows in a chain only
        cursor = self.query_one("#stock-table", DataTable).cursor_row
        want = max(PAGE, min(len(self.items), cursor + 1 + PAGE))
        self._read_items(app.database, app.db_location, self._filters(), want, None)
        if self.ledger_sku is not None:
            self._read_ledger(app.database, app.db_location, self.ledger_sku,
                              max(PAGE, len(self.ledger_rows)), None, app.shop)

    def _filters(self) -> tuple[str, bool, bool, str | None]:
        # The shop is a filter too: rows read for another shop are dropped when they come.
        return self.query_text, self.low_only, self.defective_only, self.rma.shop

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The transfer key only in a chain of several shops."""
        if action == "transfer":
            return self.rma.is_chain
        return True

    @work(thread=True, exclusive=True, group="stock-items")
    def _read_items(self, database: Database, location: str,
                    filters: tuple[str, bool, bool, str | None], want: int,
                    offset: int | None) -> None:
        """Rows [0, want) again, or (with `offset`) one page from `offset`."""

        def read() -> Message:
            from rma_tui.reads import stock as reads

            query, low, defective, shop = filters
            rows = reads.stock_items(database, query, low_only=low, defective_only=defective,
                                     limit=want + 1, offset=offset or 0, shop=shop)
            return self.ItemsLoaded(rows[:want], len(rows) > want, offset is not None, filters)

        self.post_read(read, self.LoadFailed, location)

    @work(thread=True, exclusive=True, group="stock-ledger")
    def _read_ledger(self, database: Database, location: str, sku: str, want: int,
                     offset: int | None, shop: str | None = None) -> None:
        def read() -> Message:
            from rma_tui.reads import stock as reads

            rows = reads.ledger(database, sku, limit=want + 1, offset=offset or 0, shop=shop)
            return self.LedgerLoaded(sku, rows[:want], len(rows) > want, offset is not None)

        self.post_read(read, self.LoadFailed, location)

    def on_stock_screen_items_loaded(self, message: ItemsLoaded) -> None:
        """Show the rows read, keeping the cursor on the same product."""
        if message.filters != self._filters():
            return  # read for a search that has been typed over since
        self._loading_more = False
        if message.append:
            known = {i.sku for i in self.items}
            self.items = self.items + [i for i in message.items if i.sku not in known]
        else:
            self.items = list(message.items)
        self.has_more = message.has_more
        self.loaded = True
        self.remove_class("-message")
        self._fill_items()

    def on_stock_screen_ledger_loaded(self, message: LedgerLoaded) -> None:
        """Show the product's moves (unless another product's ledger was opened since)."""
        if message.sku != self.ledger_sku:
            return
        self._ledger_loading_more = False
        self._ledger_loaded = True
        if message.append:
            known = {r.id for r in self.ledger_rows}
            self.ledger_rows = self.ledger_rows + [r for r in message.rows if r.id not in known]
        else:
            self.ledger_rows = list(message.rows)
        self.ledger_more = message.has_more
        self._fill_ledger()

    def on_stock_screen_load_failed(self, message: LoadFailed) -> None:
        """Say why the stock could not be read (the next reload tries again)."""
        self._loading_more = self._ledger_loading_more = False
        self._show_message(message.problem.text())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """An open ledger follows the highlighted product; at the last row of a list, its
        next page is read."""
        table = event.data_table
        app = self.rma
        key = event.row_key.value
        if (table.id == "stock-table" and self.ledger_sku is not None and key is not None
                and key != self.ledger_sku):
            self._open_ledger(key)
        if app.database is None or event.cursor_row < table.row_count - 1:
            return
        if table.id == "stock-table" and self.has_more and not self._loading_more:
            self._loading_more = True
            self._read_items(app.database, app.db_location, self._filters(), PAGE,
                             len(self.items))
        elif (table.id == "stock-ledger" and self.ledger_more and self.ledger_sku
              and not self._ledger_loading_more):
            self._ledger_loading_more = True
            self._read_ledger(app.database, app.db_location, self.ledger_sku, PAGE,
                              len(self.ledger_rows), app.shop)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a product opens its ledger."""
        if event.data_table.id == "stock-table":
            self.action_ledger()

    # -- search and filters ---------------------------------------------------------------

    @on(Input.Changed, "#stock-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self._refilter()

    @on(Input.Submitted, "#stock-search")
    def _search_done(self) -> None:
        self.query_one("#stock-table", DataTable).focus()

    def action_search(self) -> None:
        """Put the keyboard in the search box."""
        self.query_one("#stock-search", Input).focus()

    def action_toggle_low(self) -> None:
        """Show only products at or under their reorder point (or all again)."""
        self.low_only = not self.low_only
        self._refilter()

    def action_toggle_defective(self) -> None:
        """Show only products with defective units (or all again)."""
        self.defective_only = not self.defective_only
        self._refilter()

    def _refilter(self) -> None:
        self._show_filters()
        app = self.rma
        if app.database is not None and app.problem is None:
            self._loading_more = False
            self._read_items(app.database, app.db_location, self._filters(), PAGE, None)

    def action_back(self) -> None:
        """Escape: out of the search box, else close the ledger."""
        table = self.query_one("#stock-table", DataTable)
        if self.focused is not table and not isinstance(self.focused, DataTable):
            table.focus()
        elif self.ledger_sku is not None:
            self.ledger_sku = None
            self.ledger_rows = []
            self._ledger_shown = None
            self.remove_class("-ledger")
            table.focus()

    def action_ledger(self) -> None:
        """Open the highlighted product's stock ledger (again: close it)."""
        item = self.current_item()
        app = self.rma
        if item is None or app.database is None:
            return
        if self.ledger_sku == item.sku and self.has_class("-ledger"):
            self.action_back()
            return
        self._open_ledger(item.sku)

    def _open_ledger(self, sku: str) -> None:
        app = self.rma
        if app.database is None:
            return
        self.ledger_sku = sku
        self.ledger_rows = []
        self._ledger_loaded = False
        self._ledger_shown = None
        self.add_class("-ledger")
        self._fill_ledger()
        self._read_ledger(app.database, app.db_location, sku, PAGE, None, app.shop)

    # -- writes ---------------------------------------------------------------------------

    def _writer(self, roles: tuple[str, ...] | None = None
                ) -> tuple[Database, str, StockItem] | None:
        """The database, the acting user and the highlighted product, when the user may
        write stock (`roles`: the service's STOCK_ROLES unless given); else says why not
        (before any dialog opens) and gives None."""
        app = self.rma
        item = self.current_item()
        user = app.user
        if app.database is None or user is None or item is None:
            return None
        from rma_tui import service

        refused = service.role_refusal(user.name, user.role, roles or service.STOCK_ROLES)
        if refused is not None:
            self.query_one(MessageLine).say_error(refused)
            self.notify(refused.message(), severity="error")
            return None
        return app.database, user.name, item

    def _write(self, form: str) -> None:
        """Open write dialog `form` (a key of `FORMS`) on the highlighted product, when the
        user may write stock. The dialog's worker runs the form's submit, which calls the
        service and gives the success message as (i18n key, params)."""
        ready = self._writer()
        if ready is None:
            return
        database, actor, item = ready
        fields, submit = FORMS[form]
        # The shop the write goes to: the desk's (None: the user's own, or the only shop;
        # a chain-wide user in a chain must pick one, and the service says so).
        shop = self.rma.shop
        self._open_form(i18n.t(f"stock_{form}_title", sku=item.sku, name=item.name),
                        item, fields(item), lambda v: submit(database, actor, shop, item, v))

    def _open_form(self, title: str, item: StockItem, fields: list[FormField],
                   submit: Callable[[dict[str, str]], Said]) -> None:
        """Push a write dialog; once it succeeds, say so and read everything again."""
        info = i18n.t("stock_levels", sellable=item.sellable, defective=item.defective,
                      reorder_point=item.reorder_point)
        dialog = StockFormDialog(title, fields, submit, info=info)

        def finished(result: object) -> None:
            if not isinstance(result, tuple):
                return
            key, params = result
            self.query_one(MessageLine).say("ok", key, **params)
            self.notify(i18n.t(key, **params))
            # The header's unread count, the list and the open ledger are read again.
            self.rma.action_refresh()
            self.reload()

        self.app.push_screen(dialog, finished)

    def action_purchase(self) -> None:
        """Goods received from the supplier (进货): quantity, unit cost (optional), note."""
        self._write("purchase")

    def action_adjust(self) -> None:
        """A counted correction (盘点调整): location, signed change, reason (required)."""
        self._write("adjust")

    def action_reorder(self) -> None:
        """Set the reorder point (补货点): at or under it the product is low."""
        self._write("reorder")

    def action_repair(self) -> None:
        """Defective units repaired and back on the shelf (修复)."""
        self._write("repair")

    def action_scrap(self) -> None:
        """Defective units written off (报废)."""
        self._write("scrap")

    def action_supplier_return(self) -> None:
        """Defective units back to the supplier (退供应商): a GT- slip with expected credit."""
        self._write("return")

    def action_transfer(self) -> None:
        """Send sellable units of the highlighted product to another shop (调拨): quantity,
        the receiving shop, a note; from the desk's shop (chosen in the dialog when the
        desk shows every shop). Warehouse staff and owners only."""
        from rma_tui import service  # loaded with the session by now

        ready = self._writer(service.TRANSFER_ROLES)
        if ready is None:
            return
        database, actor, item = ready
        app = self.rma
        source = app.shop
        others = [s for s in app.shops if s.code != source]
        if len(others) < (2 if source is None else 1):
            self.query_one(MessageLine).say("error", "stock_transfer_no_other")
            return
        fields, submit = transfer_form(database, actor, item, source, others, app.shop_label)
        self._open_form(i18n.t("stock_transfer_title", sku=item.sku, name=item.name), item,
                        fields, submit)

    def action_suppliers(self) -> None:
        """Supplier returns per supplier (anyone may look)."""
        database = self.rma.database
        if database is None:
            return
        from rma_tui.widgets.stock_suppliers import SupplierReturnsDialog

        self.app.push_screen(SupplierReturnsDialog(database, self.rma.shop))

    # -- drawing --------------------------------------------------------------------------

    def current_item(self) -> StockItem | None:
        """The highlighted product, if any."""
        table = self.query_one("#stock-table", DataTable)
        if not self.items or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self.items) - 1)
        return self.items[row]

    def relabel(self) -> None:
        """Redraw every text in the current language."""
        translate_bindings(self, self.BINDING_KEYS)
        self.query_one("#stock-search", Input).placeholder = i18n.t("stock_search_placeholder")
        self.query_one("#stock-empty", Static).update(i18n.t("stock_empty"))
        self.query_one("#stock-ledger-empty", Static).update(i18n.t("stock_ledger_empty"))
        if self.has_class("-message"):
            app = self.rma
            self.query_one("#stock-message", Static).update(
                app.problem.text() if app.problem is not None else i18n.t("stock_loading"))
        self._show_filters()
        self.query_one(MessageLine).relabel()
        self._shown = self._ledger_shown = None
        if self.loaded:
            self._fill_items()
        if self.ledger_sku is not None:
            self._fill_ledger()

    def _show_message(self, text: str) -> None:
        self.query_one("#stock-message", Static).update(text)
        self.add_class("-message")

    def _show_filters(self) -> None:
        on = [i18n.t(k) for k, v in (("stock_filter_low", self.low_only),
                                     ("stock_filter_defective", self.defective_only)) if v]
        label = self.query_one("#stock-filters", Static)
        label.update(" · ".join(on) if on else i18n.t("stock_filter_all"))
        label.set_class(bool(on), "-on")

    def _fill_items(self) -> None:
        pane = self.query_one("#stock-list-pane")
        count = f"{len(self.items)}+" if self.has_more else str(len(self.items))
        pane.border_title = i18n.t("stock_heading", count=count)
        pane.set_class(self.loaded and not self.items, "-empty")
        key = (i18n.get_lang(), tuple(self.items))
        if key == self._shown:
            return
        self._shown = key
        table: DataTable[str | Text] = self.query_one("#stock-table", DataTable)
        current = self.current_item() if table.row_count else None
        fill_stock_table(table, self.items, current.sku if current is not None else None,
                         self.app.theme_variables.get("warning", ""))

    def _fill_ledger(self) -> None:
        pane = self.query_one("#stock-ledger-pane")
        item = next((i for i in self.items if i.sku == self.ledger_sku), None)
        pane.border_title = i18n.t("stock_ledger_heading", sku=self.ledger_sku or "",
                                   name=item.name if item else "")
        key = (i18n.get_lang(), self.ledger_sku, tuple(self.ledger_rows))
        if key == self._ledger_shown:
            return
        self._ledger_shown = key
        table: DataTable[str | Text] = self.query_one("#stock-ledger", DataTable)
        row = table.cursor_row
        fill_ledger_table(table, self.ledger_rows)
        pane.set_class(self._ledger_loaded and not self.ledger_rows, "-empty")
        if self.ledger_rows:
            table.move_cursor(row=min(row, len(self.ledger_rows) - 1), animate=False)

