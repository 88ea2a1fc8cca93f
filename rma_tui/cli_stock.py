"""`rma` commands for the stock area (registered on `rma_tui.cli.app` when imported).

`rma stock` and `rma alerts` live in `rma_tui.cli`; here: the stock ledger, counted
adjustments, reorder points, defective goods (repair / scrap), supplier returns (退供应商)
and their list. Every write goes through `rma_tui.service`; money is typed in yuan and
parsed with `rma_tui.money.parse_yuan`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from rma_tui.cli import (
    AsJson,
    RequestId,
    ShopRead,
    ShopWrite,
    _actor,
    _echo,
    _in_shop,
    _is_chain,
    _open,
    _read_shop,
    app,
    handled,
)
from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import label, local_time, out, print_json, table

defective_app = typer.Typer(help="Defective goods: repair or scrap (残次品处理).",
                            no_args_is_help=True)
app.add_typer(defective_app, name="defective")


class AdjustLocation(StrEnum):
    """Where a counted correction applies."""

    sellable = "sellable"
    defective = "defective"


Note = Annotated[str, typer.Option("--note", help="Note (备注).")]


@app.command("stock-ledger")
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

    db = _open(ctx)
    where = _read_shop(ctx, shop)
    item = reads.stock_item(db, sku)
    if item is None:
        raise DomainError("unknown_sku", field="sku", sku=sku)
    rows = reads.ledger(db, sku, limit=limit + 1, offset=offset, shop=where)
    more, rows = len(rows) > limit, rows[:limit]
    chain = _is_chain(ctx)  # a single shop's output is what it always was
    if as_json:
        print_json([{"id": r.id, "at": r.at.isoformat(), "kind": r.kind, "location": r.location,
                     "qty": r.qty, "slip": r.slip, "supplier_return": r.supplier_return,
                     "user": r.user, "note": r.note, **({"shop": r.shop} if chain else {})}
                    for r in rows])
        return
    if not rows:
        _echo(t("stock_cli_no_moves", sku=sku))
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
        _echo(t("cli_more_rows", offset=offset + limit))


@app.command()
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

    actor = _actor(ctx)
    r = sv.adjust_stock(_open(ctx), actor, sku, location.value, qty, reason,
                        request_id=request_id, shop=shop)
    _echo(_in_shop(ctx, actor, shop, t(
        "stock_done_adjust", sku=r.sku, location=location.value, delta=f"{qty:+d}",
        reason=reason.strip(), sellable=r.sellable, defective=r.defective)))


@app.command()
@handled
def reorder(ctx: typer.Context, sku: str, reorder_point: int,
            request_id: RequestId = None) -> None:
    """Set a product's reorder point, the same in every shop: at or under it, a shop's
    stock is low (补货点)."""
    from rma_tui import service as sv

    r = sv.set_reorder_point(_open(ctx), _actor(ctx), sku, reorder_point,
                             request_id=request_id)
    _echo(t("stock_done_reorder", sku=r.sku, reorder_point=r.reorder_point,
            sellable=r.sellable))


def _dispose(ctx: typer.Context, action: str, sku: str, qty: int, note: str,
             request_id: str | None, shop: str | None) -> None:
    from rma_tui import service as sv

    actor = _actor(ctx)
    r = sv.dispose_defective(_open(ctx), actor, sku, qty, action, note=note,
                             request_id=request_id, shop=shop)
    _echo(_in_shop(ctx, actor, shop, t(f"stock_done_{action}", sku=r.sku, qty=qty,
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


@app.command("supplier-return")
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
    actor = _actor(ctx)
    v = sv.return_to_supplier(_open(ctx), actor, sku, qty, supplier=supplier,
                              expected_credit_fen=credit_fen, note=note, request_id=request_id,
                              shop=shop)
    _echo(_in_shop(ctx, actor, shop, t(
        "stock_done_return", number=v.number, sku=v.sku, qty=v.qty, supplier=v.supplier,
        credit_fen=v.expected_credit_fen)))


@app.command("supplier-returns")
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

    db = _open(ctx)
    where = _read_shop(ctx, shop)
    if supplier is None:
        sums = reads.supplier_summaries(db, limit=limit, shop=where)
        if as_json:
            print_json([{"supplier": s.supplier, "returns": s.returns, "units": s.units,
                         "value_fen": s.value_fen,
                         "expected_credit_fen": s.expected_credit_fen} for s in sums])
        elif not sums:
            _echo(t("stock_cli_no_returns"))
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
        _echo(t("stock_cli_no_returns"))
    else:
        out().print(table(
            [t("col_number"), t("col_sku"), t("col_name"), t("col_qty"), t("stock_col_value"),
             t("stock_col_credit"), t("col_created_by"), t("col_created_at"), t("col_note")],
            [(r.number, r.sku, r.name, r.qty, money(r.value_fen), money(r.expected_credit_fen),
              r.created_by, local_time(r.created_at), r.note) for r in rows],
            title=t("stock_returns_heading", supplier=supplier, count=len(rows)),
            right=(3, 4, 5)))
