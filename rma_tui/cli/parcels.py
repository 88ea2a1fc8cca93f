"""`rma parcel ...`: return parcels that matched no slip (无主件), and attaching them."""

from __future__ import annotations

from typing import Annotated

import typer

from rma_tui.cli.common import AsJson, ShopRead, acting_user, handled, open_db, read_shop
from rma_tui.i18n import t
from rma_tui.render import label, local_time, out, print_json, table

parcel_app = typer.Typer(help="Unmatched return parcels (无主件).", no_args_is_help=True)


@parcel_app.command("list")
@handled
def parcel_list(
    ctx: typer.Context,
    include_attached: Annotated[bool, typer.Option(
        "--all", help="Also the parcels already attached to a slip.")] = False,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Unmatched parcels, oldest first (无主件列表)."""
    from rma_tui import service as sv

    database = open_db(ctx)
    acting_user(ctx)
    rows = sv.list_parcels(database, include_attached=include_attached,
                           shop=read_shop(ctx, shop))
    if as_json:
        print_json([{"id": p.id, "carrier": p.carrier, "waybill": p.waybill,
                     "contents": p.contents, "received_by": p.received_by,
                     "received_at": p.received_at.isoformat(), "shop": p.shop,
                     "slip": p.slip} for p in rows])
        return
    out().print(table(
        [t("parcel_col_id"), t("parcel_col_carrier"), t("slip_waybill"),
         t("parcel_col_contents"), t("parcel_col_received"), t("col_number")],
        [(str(p.id), p.carrier, p.waybill, p.contents,
          f"{p.received_by} {local_time(p.received_at)}", p.slip or "")
         for p in rows], title=t("parcel_title")))


@parcel_app.command("attach")
@handled
def parcel_attach(ctx: typer.Context, parcel: int, number: str) -> None:
    """Attach an unmatched parcel to its slip, which is then received (关联)."""
    from rma_tui import service as sv

    v = sv.attach_parcel(open_db(ctx), acting_user(ctx), parcel, number)
    typer.echo(t("parcel_attached_done", parcel=parcel, slip=v.number,
                 status_label=label("status", v.status)))
