"""Supplier returns (退供应商) by supplier: the totals per supplier, and the highlighted
supplier's GT- slips newest first. Read-only; Escape closes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.money import yuan
from rma_tui.widgets.common import Problem, local_time, problem_from

if TYPE_CHECKING:
    from rma_tui.reads.stock import SupplierSummary
    from rma_tui.service import Database, SupplierReturnView

# Suppliers and returns read at a time (a shop has few suppliers; returns are paged).
PAGE = 100


class SupplierReturnsDialog(ModalScreen[None]):
    """Supplier returns per supplier, and the chosen supplier's slips."""

    DEFAULT_CSS = """
    SupplierReturnsDialog #supplier-box {
        width: 100%;
        max-width: 118;
        height: 100%;
        max-height: 34;
        border: thick $primary;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    SupplierReturnsDialog DataTable {
        height: 1fr;
    }
    SupplierReturnsDialog .stock-pane-title {
        text-style: bold;
        margin-top: 1;
    }
    SupplierReturnsDialog #suppliers-empty {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,v", "close", show=False)]

    class Loaded(Message):
        """The worker read the suppliers (and the first one's returns)."""

        def __init__(self, suppliers: list[SupplierSummary] | None,
                     supplier: str, returns: list[SupplierReturnView]) -> None:
            self.suppliers = suppliers
            self.supplier = supplier
            self.returns = returns
            super().__init__()

    class Failed(Message):
        """The worker could not read."""

        def __init__(self, problem: Problem) -> None:
            self.problem = problem
            super().__init__()

    def __init__(self, database: Database, shop: str | None = None) -> None:
        super().__init__(classes="dialog", id="supplier-returns")
        self.database = database
        self.shop = shop  # one shop's returns (None: every shop's)
        self.suppliers: list[SupplierSummary] = []
        self.supplier = ""
        self.returns: list[SupplierReturnView] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="supplier-box") as box:
            box.border_title = i18n.t("stock_suppliers_title")
            yield Static("", id="suppliers-title", classes="stock-pane-title")
            yield Static(i18n.t("stock_suppliers_empty"), id="suppliers-empty")
            yield DataTable(id="suppliers", cursor_type="row", zebra_stripes=True)
            yield Static("", id="returns-title", classes="stock-pane-title")
            yield DataTable(id="supplier-return-list", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#suppliers-empty").display = False
        self._load(None)

    @work(thread=True, exclusive=True, group="supplier-returns")
    def _load(self, supplier: str | None) -> None:
        """Read the suppliers (when `supplier` is None) and one supplier's returns."""
        from rma_tui.reads import stock as reads

        worker = get_current_worker()
        suppliers = None
        try:
            if supplier is None:
                suppliers = reads.supplier_summaries(self.database, limit=PAGE, shop=self.shop)
                supplier = suppliers[0].supplier if suppliers else ""
            returns = (reads.supplier_return_list(self.database, supplier, limit=PAGE,
                                                  shop=self.shop) if supplier else [])
        except Exception as exc:  # said in the dialog; closing and opening it reads again
            if not worker.is_cancelled:
                self.post_message(self.Failed(problem_from(exc, self.database.url)))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(suppliers, supplier, returns))

    def on_supplier_returns_dialog_failed(self, message: Failed) -> None:
        """Say why the supplier returns could not be read."""
        self.query_one("#suppliers-title", Static).update(message.problem.text())

    def on_supplier_returns_dialog_loaded(self, message: Loaded) -> None:
        """Show what was read."""
        if message.suppliers is not None:
            self.suppliers = message.suppliers
            self._fill_suppliers()
        self.supplier = message.supplier
        self.returns = message.returns
        self._fill_returns()

    def _fill_suppliers(self) -> None:
        self.query_one("#suppliers-title", Static).update(
            i18n.t("stock_suppliers_heading", count=len(self.suppliers)))
        self.query_one("#suppliers-empty").display = not self.suppliers
        table: DataTable[str | Text] = self.query_one("#suppliers", DataTable)
        table.clear(columns=True)
        table.add_column(i18n.t("col_supplier"), key="supplier")
        for key, text in (("returns", "stock_col_returns"), ("units", "stock_col_units"),
                          ("value", "stock_col_value"), ("credit", "stock_col_credit")):
            table.add_column(i18n.t(text), key=key)
        for row in self.suppliers:
            table.add_row(Text(row.supplier), _right(str(row.returns)), _right(str(row.units)),
                          _right(yuan(row.value_fen)), _right(yuan(row.expected_credit_fen)),
                          key=row.supplier)
        table.focus()

    def _fill_returns(self) -> None:
        self.query_one("#returns-title", Static).update(
            i18n.t("stock_returns_heading", supplier=self.supplier, count=len(self.returns))
            if self.supplier else "")
        table: DataTable[str | Text] = self.query_one("#supplier-return-list", DataTable)
        table.clear(columns=True)
        for key, text in (("number", "col_number"), ("sku", "col_sku"), ("qty", "col_qty"),
                          ("value", "stock_col_value"), ("credit", "stock_col_credit"),
                          ("by", "col_created_by"), ("at", "col_created_at"),
                          ("name", "col_name")):
            table.add_column(i18n.t(text), key=key)
        for r in self.returns:
            table.add_row(r.number, r.sku, _right(str(r.qty)), _right(yuan(r.value_fen)),
                          _right(yuan(r.expected_credit_fen)), Text(r.created_by),
                          local_time(r.created_at), Text(r.name), key=r.number)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Another supplier highlighted: read its returns."""
        key = event.row_key.value
        if event.data_table.id == "suppliers" and key is not None and key != self.supplier:
            self._load(key)

    def action_close(self) -> None:
        """Back to the stock list."""
        self.dismiss(None)


def _right(text: str) -> Text:
    return Text(text, justify="right")
