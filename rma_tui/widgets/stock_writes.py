"""The stock screen's write dialogs, one form each: the fields it asks for the highlighted
product and its submit, which parses them and calls the service (in the dialog's worker,
`StockFormDialog`) and gives the success message as an i18n key with its parameters.

Goods received (进货), counted corrections (调整), reorder points (补货点), defective goods
repaired (修复), scrapped (报废) or sent back to the supplier (退供应商) are in `FORMS`;
a move between the shops of a chain (调拨) is `transfer_form`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rma_tui import i18n
from rma_tui.money_input import parse_yuan
from rma_tui.widgets.stock_form import FormField, whole_number

if TYPE_CHECKING:
    from rma_tui.reads.stock import StockItem
    from rma_tui.service import Database, ShopView

# A write's success message: an i18n key and its parameters.
Said = tuple[str, dict[str, object]]

# (database, actor, shop the write goes to, product, the form's values) -> said.
Submit = Callable[["Database", str, "str | None", "StockItem", dict[str, str]], Said]


def _qty_fields(item: StockItem) -> list[FormField]:
    """Quantity (all defective units by default) and a note: repair and scrap."""
    return [FormField("qty", i18n.t("stock_field_qty"), value=str(item.defective or ""),
                      max_length=9),
            FormField("note", i18n.t("stock_field_note"), max_length=200)]


def _purchase_fields(item: StockItem) -> list[FormField]:
    return [FormField("qty", i18n.t("stock_field_qty"), max_length=9),
            FormField("unit_cost", i18n.t("stock_field_unit_cost"), max_length=16,
                      placeholder=i18n.t("stock_unit_cost_hint", cost_fen=item.unit_cost_fen)),
            FormField("note", i18n.t("stock_field_note"), max_length=200)]


def _purchase(database: Database, actor: str, shop: str | None, item: StockItem,
              v: dict[str, str]) -> Said:
    from rma_tui import service

    qty = whole_number(v["qty"], "qty")
    cost = parse_yuan(v["unit_cost"], "unit_cost") if v["unit_cost"].strip() else None
    row = service.receive_purchase(database, actor, item.sku, qty, unit_cost_fen=cost,
                                   note=v["note"].strip(), shop=shop)
    return "stock_done_purchase", {"sku": row.sku, "qty": qty, "sellable": row.sellable}


def _adjust_fields(item: StockItem) -> list[FormField]:
    from rma_tui import service  # loaded with the session by now

    choices = tuple((loc, i18n.label("location", loc)) for loc in service.ADJUST_LOCATIONS)
    return [FormField("location", i18n.t("stock_field_location"), choices=choices),
            FormField("qty", i18n.t("stock_field_delta"), max_length=9,
                      placeholder=i18n.t("stock_delta_hint")),
            FormField("reason", i18n.t("stock_field_reason"), max_length=200,
                      placeholder=i18n.t("stock_reason_hint"))]


def _adjust(database: Database, actor: str, shop: str | None, item: StockItem,
            v: dict[str, str]) -> Said:
    from rma_tui import service

    delta = whole_number(v["qty"], "qty", signed=True)
    reason = v["reason"].strip()
    row = service.adjust_stock(database, actor, item.sku, v["location"], delta, reason,
                               shop=shop)
    return "stock_done_adjust", {"sku": row.sku, "location": v["location"],
                                 "delta": f"{delta:+d}", "reason": reason,
                                 "sellable": row.sellable, "defective": row.defective}


def _reorder_fields(item: StockItem) -> list[FormField]:
    return [FormField("reorder_point", i18n.t("stock_field_reorder"),
                      value=str(item.reorder_point), max_length=9)]


def _reorder(database: Database, actor: str, shop: str | None, item: StockItem,
             v: dict[str, str]) -> Said:
    # The reorder point is the product's, the same in every shop: `shop` is not used.
    from rma_tui import service

    point = whole_number(v["reorder_point"], "reorder_point")
    row = service.set_reorder_point(database, actor, item.sku, point)
    return "stock_done_reorder", {"sku": row.sku, "reorder_point": row.reorder_point,
                                  "sellable": row.sellable}


def _dispose(action: str) -> Submit:
    """Repair or scrap defective units."""

    def submit(database: Database, actor: str, shop: str | None, item: StockItem,
               v: dict[str, str]) -> Said:
        from rma_tui import service

        qty = whole_number(v["qty"], "qty")
        row = service.dispose_defective(database, actor, item.sku, qty, action,
                                        note=v["note"].strip(), shop=shop)
        return f"stock_done_{action}", {"sku": row.sku, "qty": qty, "sellable": row.sellable,
                                        "defective": row.defective}

    return submit


def _return_fields(item: StockItem) -> list[FormField]:
    qty, note = _qty_fields(item)
    return [qty,
            FormField("supplier", i18n.t("stock_field_supplier"), value=item.supplier,
                      max_length=200),
            FormField("credit", i18n.t("stock_field_credit"), max_length=16,
                      placeholder=i18n.t("stock_credit_hint"), aliases=("expected_credit",)),
            note]


def _return(database: Database, actor: str, shop: str | None, item: StockItem,
            v: dict[str, str]) -> Said:
    from rma_tui import service

    qty = whole_number(v["qty"], "qty")
    credit = parse_yuan(v["credit"], "expected_credit") if v["credit"].strip() else None
    r = service.return_to_supplier(database, actor, item.sku, qty,
                                   supplier=v["supplier"].strip(),
                                   expected_credit_fen=credit, note=v["note"].strip(),
                                   shop=shop)
    return "stock_done_return", {"number": r.number, "sku": r.sku, "qty": r.qty,
                                 "supplier": r.supplier, "credit_fen": r.expected_credit_fen}


# Write dialog -> (its fields for the highlighted product, its submit). The dialog's title
# is the i18n key `stock_<form>_title`.
FORMS: dict[str, tuple[Callable[[StockItem], list[FormField]], Submit]] = {
    "purchase": (_purchase_fields, _purchase),
    "adjust": (_adjust_fields, _adjust),
    "reorder": (_reorder_fields, _reorder),
    "repair": (_qty_fields, _dispose("repair")),
    "scrap": (_qty_fields, _dispose("scrap")),
    "return": (_return_fields, _return),
}


def transfer_form(database: Database, actor: str, item: StockItem, source: str | None,
                  others: list[ShopView], shop_label: Callable[[str], str]
                  ) -> tuple[list[FormField], Callable[[dict[str, str]], Said]]:
    """The fields and the submit of a transfer of `item` from shop `source` (None: chosen
    in the form) to one of `others`; `shop_label` names a shop in the message."""
    choices = tuple((s.code, f"{s.code} {s.name}") for s in others)
    fields = [FormField("qty", i18n.t("stock_field_qty"), max_length=9)]
    if source is None:
        fields.append(FormField("from_shop", i18n.t("stock_field_from_shop"),
                                choices=choices))
    # The first shop that is not the (default) source, so the two never start equal.
    fields += [FormField("to_shop", i18n.t("stock_field_to_shop"), choices=choices,
                         value=choices[1][0] if source is None else choices[0][0]),
               FormField("note", i18n.t("stock_field_note"), max_length=200)]

    def submit(v: dict[str, str]) -> Said:
        from rma_tui import service

        qty = whole_number(v["qty"], "qty")
        t = service.transfer_stock(database, actor, item.sku, qty,
                                   v.get("from_shop", source or ""), v["to_shop"],
                                   note=v["note"].strip())
        return "stock_done_transfer", {
            "sku": t.sku, "qty": t.qty, "from_shop": shop_label(t.from_shop),
            "to_shop": shop_label(t.to_shop), "from_sellable": t.from_sellable,
            "to_sellable": t.to_sellable}

    return fields, submit
