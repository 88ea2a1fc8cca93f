"""`rma sale ...` (the original sales a slip is made against) and `rma import`."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rma_tui.cli.common import (
    AsJson,
    UsageDomainError,
    acting_user,
    echo,
    handled,
    in_shop,
    open_db,
    side_note,
    user_role,
)
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import err, label, local_time, out, pairs, print_json, table

if TYPE_CHECKING:
    pass

commands = typer.Typer()  # this module's top-level commands, added by cli.app


sale_app = typer.Typer(help="Original sales (销售单).", no_args_is_help=True)


class ImportKind(StrEnum):
    """What an import file holds."""

    products = "products"
    customers = "customers"
    sales = "sales"
    requests = "requests"  # a platform's after-sale requests (售后申请), with --platform


@sale_app.command("list")
@handled
def sale_list(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option(
        "--customer", help="Only this customer's sales (phone).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    as_json: AsJson = False,
) -> None:
    """Original sales, newest first (销售单)."""
    from rma_tui import service as sv

    rows = sv.list_sales(open_db(ctx), customer_phone=customer, limit=limit, offset=offset)
    if as_json:
        print_json([{"order": r.order, "sold_at": r.sold_at.isoformat(), "channel": r.channel,
                     "customer": r.customer, "total_fen": r.total_fen} for r in rows])
        return
    out().print(table(
        [t("col_order"), t("col_sold_at"), t("col_channel"), t("col_customer"), t("col_total")],
        [(r.order, local_time(r.sold_at), label("channel", r.channel), r.customer or "",
          money(r.total_fen)) for r in rows], right=(4,)))
    if len(rows) == limit:
        side_note(t("cli_more_rows", offset=offset + limit))


@sale_app.command("show")
@handled
def sale_show(ctx: typer.Context, order: str, as_json: AsJson = False) -> None:
    """One sale with sold / returned / returnable per line (销售单详情)."""
    from rma_tui import service as sv

    v = sv.get_sale(open_db(ctx), order)
    v = replace(v, customer_phone=sv.phone_for(user_role(ctx), v.customer_phone))
    if as_json:
        print_json({
            "order": v.order, "sold_at": v.sold_at.isoformat(), "channel": v.channel,
            "customer": v.customer, "customer_phone": v.customer_phone,
            "payment_method": v.payment_method, "total_fen": v.total_fen,
            "lines": [{"sku": ln.sku, "name": ln.name, "sold": ln.sold,
                       "returned": ln.returned, "returnable": ln.returnable,
                       "unit_price_fen": ln.unit_price_fen} for ln in v.lines],
        })
        return
    head = [(t("col_order"), v.order), (t("col_sold_at"), local_time(v.sold_at)),
            (t("col_channel"), label("channel", v.channel)),
            (t("col_customer"), f"{v.customer or t('none')}"
                                + (f" {v.customer_phone}" if v.customer_phone else "")),
            (t("col_payment"), label("payment", v.payment_method)),
            (t("col_total"), money(v.total_fen))]
    out().print(pairs(head, title=v.order))
    out().print(table(
        [t("col_sku"), t("col_name"), t("col_sold"), t("col_returned"), t("col_returnable"),
         t("col_unit_price")],
        [(ln.sku, ln.name, ln.sold, ln.returned, ln.returnable, money(ln.unit_price_fen))
         for ln in v.lines], title=t("lines_heading"), right=(2, 3, 4, 5)))


@commands.command("import")
@handled
def import_(
    ctx: typer.Context,
    kind: Annotated[ImportKind, typer.Argument(help="products | customers | sales | requests")],
    file: Annotated[Path, typer.Argument(help="A CSV file with a header row (requests: "
                                               "CSV or XLSX in the platform's layout).")],
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Text encoding (default: UTF-8, else GB18030/GBK).")] = None,
    shop: Annotated[str | None, typer.Option(
        "--shop", help="Sales and requests: the shop that made / takes them (门店); default: "
        "your own shop, or the only shop.")] = None,
    platform: Annotated[str | None, typer.Option(
        "--platform", help="Requests only: the platform's column map (taobao, jd, pdd, oms "
        "or a shop's own; 平台).")] = None,
    as_json: AsJson = False,
) -> None:
    """Import a file: all of it, or on any bad row nothing (导入). `requests` brings a
    platform's after-sale requests in as slips, once per refund id."""
    from rich.progress import BarColumn, Progress, TextColumn

    from rma_tui.imports import import_file

    if kind is ImportKind.requests:
        from rma_tui.cli.channels import import_requests_file

        import_requests_file(ctx, file, platform, encoding, shop, as_json)
        return
    if platform is not None:
        raise UsageDomainError("cli_platform_requests_only", field="--platform")
    if shop is not None and kind is not ImportKind.sales:
        # Products and customers belong to the whole chain: a shop there is a mistake.
        raise UsageDomainError("cli_shop_sales_only", field="--shop")
    database = open_db(ctx)
    console = err()
    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.percentage:>3.0f}%"), console=console, transient=True,
                   disable=not console.is_terminal)
    with bar:
        task = bar.add_task(t("import_file", file=file.name), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        actor = acting_user(ctx)
        result = import_file(database, actor, kind.value, file, encoding=encoding,
                             progress=progress, shop=shop)
    side_note(t("cli_import_encoding", file=result.file, encoding=result.encoding))
    done = t("import_done", file=result.file, count=result.records)
    echo(in_shop(ctx, actor, shop, done) if kind is ImportKind.sales else done)
