"""The stock screen's two tables drawn: the products with their stock (the low ones in
the theme's warning colour and marked in words, not colour only), and a product's stock
ledger, one move a row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from rma_tui import i18n
from rma_tui.widgets.common import local_time

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from rma_tui.reads.stock import LedgerRow, StockItem


def fill_stock_table(table: DataTable[str | Text], items: list[StockItem], keep: str | None,
                     warn: str) -> None:
    """Show `items` in `table`, the cursor on product `keep` if it is still there (else on
    the same row); `warn`: the colour of the low rows."""
    row = table.cursor_row
    table.clear(columns=True)
    for col_key, text in (("sku", "col_sku"), ("alert", "stock_col_alert"),
                          ("sellable", "col_sellable"), ("pending", "col_pending"),
                          ("defective", "col_defective"), ("scrap", "col_scrap"),
                          ("reorder", "stock_col_reorder"), ("name", "col_name"),
                          ("category", "col_category")):
        table.add_column(i18n.t(text), key=col_key)
    for item in items:
        style = f"bold {warn}" if item.low else ""
        marker = i18n.t("stock_low_marker") if item.low else ""

        def cell(value: object, right: bool = False, style: str = style) -> Text:
            return Text(str(value), style=style, justify="right" if right else "left")

        table.add_row(cell(item.sku), cell(marker), cell(item.sellable, True),
                      cell(item.pending, True), cell(item.defective, True),
                      cell(item.scrap, True), cell(item.reorder_point, True),
                      cell(item.name), cell(item.category), key=item.sku)
    if not items:
        return
    index = next((i for i, it in enumerate(items) if it.sku == keep), None)
    table.move_cursor(row=index if index is not None else min(row, len(items) - 1),
                      animate=False, scroll=True)


def fill_ledger_table(table: DataTable[str | Text], rows: list[LedgerRow]) -> None:
    """Show a product's stock moves in `table` (the cursor is the caller's to place)."""
    table.clear(columns=True)
    for col_key, text in (("at", "col_at"), ("kind", "stock_col_kind"),
                          ("location", "stock_col_location"), ("qty", "col_qty"),
                          ("ref", "stock_col_ref"), ("user", "col_user"),
                          ("note", "col_note")):
        table.add_column(i18n.t(text), key=col_key)
    for r in rows:
        table.add_row(local_time(r.at), Text(i18n.label("move", r.kind)),
                      Text(i18n.label("location", r.location)),
                      Text(f"{r.qty:+d}", justify="right"),
                      Text(r.supplier_return or r.slip or ""), Text(r.user), Text(r.note),
                      key=str(r.id))
