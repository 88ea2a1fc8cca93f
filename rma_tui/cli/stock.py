"""`rma` commands for the stock area (added to `rma` by rma_tui.cli.app).

Stock levels and low-stock alerts, purchases, the stock ledger, counted adjustments,
reorder points, defective goods (repair / scrap), supplier returns (退供应商) and their
list. Every write goes through `rma_tui.service`; money is typed in yuan and parsed with
`rma_tui.money_input.parse_yuan`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from rma_tui.cli.common import (
    AsJson,
    RequestId,
    ShopRead,
    ShopWrite,
    acting_user,
    echo,
    handled,
    in_shop,
    is_chain,
    open_db,
    read_shop,
)
from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import label, local_time, out, print_json, table

commands = typer.Typer()  # this module's top-level commands, added by cli.app


defective_app = typer.Typer(help="Defective goods: repair or scrap (残次品处理).",
                            no_args_is_help=True)


class AdjustLocation(StrEnum):
    """Where a counted correction applies."""

    sellable = "sellable"
    defective = "defective"


Note = Annotated[str, typer.Option("--note", help="Note (备注).")]


@commands.command("stock-ledger")
@handled
def stock_ledger(
    ctx: typer.Context, sku: str,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000,
                                       help="Moves to show, newest first.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many moves.")] = 0,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """A product's stock moves, newest first; one shop's or every shop's (库存流水)."""
    from rma_tui.reads import stock as reads

    db = open_db(ctx)
    where = read_shop(ctx, shop)
    item = reads.stock_item(db, sku)
    if item is None:
        raise DomainError("unknown_sku", field="sku", sku=sku)
    rows = reads.ledger(db, sku, limit=limit + 1, offset=offset, shop=where)
    more, rows = len(rows) > limit, rows[:limit]
    chain = is_chain(ctx)  # a single shop's output is what it always was
    if as_json:
        print_json([{"id": r.id, "at": r.at.isoformat(), "kind": r.kind, "location": r.location,
                     "qty": r.qty, "slip": r.slip, "supplier_return": r.supplier_return,
                     "user": r.user, "note": r.note, **({"shop": r.shop} if chain else {})}
                    for r in rows])
        return
    if not rows:
        echo(t("stock_cli_no_moves", sku=sku))
        return
    out().print(table(
        [t("col_at"), *([t("cli_col_shop")] if chain else []), t("stock_col_kind"),
         t("stock_col_location"), t("col_qty"), t("stock_col_ref"), t("col_user"),
         t("col_note")],
        [(local_time(r.at), *([r.shop] if chain else []), label("move", r.kind),
          label("location", r.location), f"{r.qty:+d}", r.supplier_return or r.slip or "",
          r.user, r.note) for r in rows],
        title=t("stock_ledger_heading", sku=sku, name=item.name), right=(4,) if chain else (3,)))
    if more:
        echo(t("cli_more_rows", offset=offset + limit))


@commands.command()
@handled
def adjust(
    ctx: typer.Context, sku: str,
    location: Annotated[AdjustLocation, typer.Option(
        "--location", help="sellable (可售) or defective (残次).")],
    qty: Annotated[int, typer.Option("--qty", help="Signed change, e.g. -2 or 3.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (required), e.g. 盘点少2件.")],
    request_id: RequestId = None,
    shop: ShopWrite = None,
) -> None:
    """Correct a shop's counted stock up or down, with a reason (库存调整)."""
    from rma_tui import service as sv

    actor = acting_user(ctx)
    r = sv.adjust_stock(open_db(ctx), actor, sku, location.value, qty, reason,
                        request_id=request_id, shop=shop)
    echo(in_shop(ctx, actor, shop, t(
        "stock_done_adjust", sku=r.sku, location=location.value, delta=f"{qty:+d}",
        reason=reason.strip(), sellable=r.sellable, defective=r.defective)))


@commands.command()
@handled
def reorder(ctx: typer.Context, sku: str, reorder_point: int,
            request_id: RequestId = None) -> None:
    """Set a product's reorder point, the same in every shop: at or under it, a shop's
    stock is low (补货点)."""
    from rma_tui import service as sv

    r = sv.set_reorder_point(open_db(ctx), acting_user(ctx), sku, reorder_point,
                             request_id=request_id)
    echo(t("stock_done_reorder", sku=r.sku, reorder_point=r.reorder_point,
            sellable=r.sellable))


def _dispose(ctx: typer.Context, action: str, sku: str, qty: int, note: str,
             request_id: str | None, shop: str | None) -> None:
    from rma_tui import service as sv

    actor = acting_user(ctx)
    r = sv.dispose_defective(open_db(ctx), actor, sku, qty, action, note=note,
                             request_id=request_id, shop=shop)
    echo(in_shop(ctx, actor, shop, t(f"stock_done_{action}", sku=r.sku, qty=qty,
                                        sellable=r.sellable, defective=r.defective)))


@defective_app.command("repair")
@handled
def defective_repair(ctx: typer.Context, sku: str, qty: int, note: Note = "",
                     request_id: RequestId = None, shop: ShopWrite = None) -> None:
    """Defective units repaired, back into sellable stock (修复)."""
    _dispose(ctx, "repair", sku, qty, note, request_id, shop)


@defective_app.command("scrap")
@handled
def defective_scrap(ctx: typer.Context, sku: str, qty: int, note: Note = "",
                    request_id: RequestId = None, shop: ShopWrite = None) -> None:
    """Defective units written off (报废)."""
    _dispose(ctx, "scrap", sku, qty, note, request_id, shop)


@commands.command("supplier-return")
@handled
def supplier_return(
    ctx: typer.Context, sku: str, qty: int,
    supplier: Annotated[str | None, typer.Option(
        "--supplier", help="Supplier (default: the product's).")] = None,
    credit: Annotated[str | None, typer.Option(
        "--credit", help="Expected credit in yuan (default: the goods' carried value).")] = None,
    note: Note = "",
    request_id: RequestId = None,
    shop: ShopWrite = None,
) -> None:
    """Send a shop's defective units back to the supplier as a GT- slip (退供应商)."""
    from rma_tui import service as sv
    from rma_tui.money_input import parse_yuan

    credit_fen = parse_yuan(credit, "credit") if credit is not None else None
    actor = acting_user(ctx)
    v = sv.return_to_supplier(open_db(ctx), actor, sku, qty, supplier=supplier,
                              expected_credit_fen=credit_fen, note=note, request_id=request_id,
                              shop=shop)
    echo(in_shop(ctx, actor, shop, t(
        "stock_done_return", number=v.number, sku=v.sku, qty=v.qty, supplier=v.supplier,
        credit_fen=v.expected_credit_fen)))


@commands.command("supplier-returns")
@handled
def supplier_returns(
    ctx: typer.Context,
    supplier: Annotated[str | None, typer.Option(
        "--supplier", help="Only this supplier's returns (else totals per supplier).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 200,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Supplier returns: totals per supplier, or one supplier's GT- slips; one shop's or
    every shop's (退供应商记录)."""
    from rma_tui.reads import stock as reads

    db = open_db(ctx)
    where = read_shop(ctx, shop)
    if supplier is None:
        sums = reads.supplier_summaries(db, limit=limit, shop=where)
        if as_json:
            print_json([{"supplier": s.supplier, "returns": s.returns, "units": s.units,
                         "value_fen": s.value_fen,
                         "expected_credit_fen": s.expected_credit_fen} for s in sums])
        elif not sums:
            echo(t("stock_cli_no_returns"))
        else:
            out().print(table(
                [t("col_supplier"), t("stock_col_returns"), t("stock_col_units"),
                 t("stock_col_value"), t("stock_col_credit")],
                [(s.supplier, s.returns, s.units, money(s.value_fen),
                  money(s.expected_credit_fen)) for s in sums],
                title=t("stock_suppliers_title"), right=(1, 2, 3, 4)))
        return
    rows = reads.supplier_return_list(db, supplier, limit=limit, shop=where)
    if as_json:
        print_json([{"number": r.number, "supplier": r.supplier, "sku": r.sku, "name": r.name,
                     "qty": r.qty, "value_fen": r.value_fen,
                     "expected_credit_fen": r.expected_credit_fen, "note": r.note,
                     "created_by": r.created_by, "created_at": r.created_at.isoformat()}
                    for r in rows])
    elif not rows:
        echo(t("stock_cli_no_returns"))
    else:
        out().print(table(
            [t("col_number"), t("col_sku"), t("col_name"), t("col_qty"), t("stock_col_value"),
             t("stock_col_credit"), t("col_created_by"), t("col_created_at"), t("col_note")],
            [(r.number, r.sku, r.name, r.qty, money(r.value_fen), money(r.expected_credit_fen),
              r.created_by, local_time(r.created_at), r.note) for r in rows],
            title=t("stock_returns_heading", supplier=supplier, count=len(rows)),
            right=(3, 4, 5)))


@commands.command()
@handled
def stock(
    ctx: typer.Context,
    low: Annotated[bool, typer.Option("--low", help="Only products at or under reorder point.")]
    = False,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Stock per product in every location: one shop's, or every shop's summed (库存)."""
    from rma_tui import service as sv

    where = read_shop(ctx, shop)
    rows = sv.stock(open_db(ctx), low_only=low, shop=where)
    chain = is_chain(ctx)
    if as_json:
        print_json([{"sku": r.sku, "name": r.name, "sellable": r.sellable, "pending": r.pending,
                     "defective": r.defective, "scrap": r.scrap,
                     "reorder_point": r.reorder_point, "low": r.low,
                     **({"shop": where} if chain else {})} for r in rows])
        return
    title = None
    if chain:  # say whose stock it is: one shop's, or the chain's sum
        title = (t("cli_stock_of_chain") if where is None
                 else t("cli_stock_of_shop", shop=where))
    out().print(table(
        [t("col_sku"), t("col_name"), t("col_sellable"), t("col_pending"), t("col_defective"),
         t("col_scrap"), t("col_reorder_point"), t("col_low")],
        [(r.sku, r.name, r.sellable, r.pending, r.defective, r.scrap, r.reorder_point,
          t("low_flag") if r.low else "") for r in rows], title=title, right=(2, 3, 4, 5, 6)))


@commands.command()
@handled
def purchase(
    ctx: typer.Context, sku: str, qty: int,
    unit_cost: Annotated[str | None, typer.Option(
        "--unit-cost", help="Cost per unit in yuan (default: the product's cost).")] = None,
    note: Annotated[str, typer.Option("--note", help="Supplier delivery note (备注).")] = "",
    request_id: RequestId = None,
    shop: ShopWrite = None,
) -> None:
    """Goods received from a supplier go into a shop's sellable stock (进货)."""
    from rma_tui import service as sv
    from rma_tui.money_input import parse_yuan

    cost = parse_yuan(unit_cost, "unit_cost") if unit_cost is not None else None
    actor = acting_user(ctx)
    r = sv.receive_purchase(open_db(ctx), actor, sku, qty, unit_cost_fen=cost,
                            note=note, request_id=request_id, shop=shop)
    echo(in_shop(ctx, actor, shop, t("cli_purchased", sku=r.sku, qty=qty,
                                        sellable=r.sellable)))


@commands.command()
@handled
def alerts(
    ctx: typer.Context,
    as_json: AsJson = False,
    fail_on_alert: Annotated[bool, typer.Option(
        "--fail-on-alert", help="Exit 1 when any product is low (for cron / SSH checks).")] = False,
    shop: ShopRead = None,
) -> None:
    """Open low-stock alerts, oldest first; each shop's own (低库存预警)."""
    from rma_tui import service as sv

    rows = sv.alerts(open_db(ctx), shop=read_shop(ctx, shop))
    chain = is_chain(ctx)
    if as_json:
        print_json([{"sku": a.sku, "name": a.name, "sellable": a.sellable,
                     "reorder_point": a.reorder_point, "raised_at": a.raised_at.isoformat(),
                     **({"shop": a.shop} if chain else {})}
                    for a in rows])
    elif not rows:
        echo(t("no_alerts"))
    else:
        out().print(table(
            [*([t("cli_col_shop")] if chain else []), t("col_sku"), t("col_name"),
             t("col_sellable"), t("col_reorder_point"), t("col_at")],
            [(*([a.shop] if chain else []), a.sku, a.name, a.sellable, a.reorder_point,
              local_time(a.raised_at)) for a in rows],
            title=t("alerts_heading"), right=(3, 4) if chain else (2, 3)))
    if fail_on_alert and rows:
        raise typer.Exit(1)
