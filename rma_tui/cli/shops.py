"""`rma shop …` and `rma transfer`: the shops of a chain (added to `rma` by
rma_tui.cli.app).

    rma shop add CODE NAME            open a shop (a chain-wide owner only)
    rma shop rename CODE NAME         rename a shop (its code stays)
    rma shop list [--json]            every shop with its number of users, and the
                                      chain-wide users (who work in every shop)
    rma transfer SKU QTY --from A --to B [--note] [--request-id]
                                      move sellable stock from shop A to shop B (调拨)

Every rule (who may open a shop or send stock, codes, stock short) is the service's; a
refused request exits 1 with its message, like every other command.
"""

from __future__ import annotations

from typing import Annotated

import typer

from rma_tui.cli.common import (
    AsJson,
    RequestId,
    acting_user,
    echo,
    handled,
    open_db,
)
from rma_tui.i18n import t
from rma_tui.render import local_time, out, print_json, table

commands = typer.Typer()  # this module's top-level commands, added by cli.app


shop_app = typer.Typer(help="Shops of the chain (门店).", no_args_is_help=True)


@shop_app.command("add")
@handled
def shop_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(
        help="Short code: lower-case letters, digits, - or _ (门店代码), e.g. east.")],
    name: Annotated[str, typer.Argument(help="The shop's name (店名), e.g. 东门店.")],
    request_id: RequestId = None,
) -> None:
    """Open a shop in the chain (chain-wide owner only) (新开门店)."""
    from rma_tui import service as sv

    v = sv.add_shop(open_db(ctx), acting_user(ctx), code, name, request_id=request_id)
    echo(t("cli_shop_added", code=v.code, name=v.name))


@shop_app.command("rename")
@handled
def shop_rename(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The shop's code (门店代码), e.g. main.")],
    name: Annotated[str, typer.Argument(help="Its new name (新店名).")],
    request_id: RequestId = None,
) -> None:
    """Rename a shop; its code stays (门店改名)."""
    from rma_tui import service as sv

    v = sv.rename_shop(open_db(ctx), acting_user(ctx), code, name, request_id=request_id)
    echo(t("cli_shop_renamed", code=v.code, name=v.name))


@shop_app.command("list")
@handled
def shop_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Every shop with its number of active users, and the chain-wide users (门店列表)."""
    from rma_tui import service as sv

    db = open_db(ctx)
    shops = sv.list_shops(db)
    users: dict[str | None, int] = {}
    for u in sv.list_users(db):
        if u.active:  # a disabled user works nowhere
            users[u.shop] = users.get(u.shop, 0) + 1
    if as_json:
        print_json({
            "shops": [{"code": s.code, "name": s.name, "users": users.get(s.code, 0),
                       "created_at": s.created_at.isoformat()} for s in shops],
            "chain_wide_users": users.get(None, 0),
        })
        return
    rows: list[tuple[str, str, int, str]] = [
        (s.code, s.name, users.get(s.code, 0), local_time(s.created_at)) for s in shops]
    # Chain-wide users work in every shop: one line of their own, not counted in any shop.
    rows.append(("*", t("cli_chain_wide_users"), users.get(None, 0), ""))
    out().print(table(
        [t("cli_col_shop"), t("cli_col_shop_name"), t("cli_col_users"), t("cli_col_opened")],
        rows, title=t("cli_shops_heading", count=len(shops)), right=(2,)))


@commands.command()
@handled
def transfer(
    ctx: typer.Context, sku: str, qty: int,
    from_shop: Annotated[str, typer.Option(
        "--from", help="The shop sending the goods (调出门店).")],
    to_shop: Annotated[str, typer.Option(
        "--to", help="The shop receiving them (调入门店).")],
    note: Annotated[str, typer.Option("--note", help="Note (备注).")] = "",
    request_id: RequestId = None,
) -> None:
    """Move sellable stock from one shop to another, valued at cost (门店调拨)."""
    from rma_tui import service as sv

    v = sv.transfer_stock(open_db(ctx), acting_user(ctx), sku, qty, from_shop, to_shop, note=note,
                          request_id=request_id)
    echo(t("cli_transferred", sku=v.sku, qty=v.qty, src=v.from_shop, dst=v.to_shop,
            value_fen=v.value_fen, src_sellable=v.from_sellable, dst_sellable=v.to_sellable))
