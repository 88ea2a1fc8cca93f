"""`rma channel list` (the configured sales channels and their rules) and `rma reconcile`
(a platform's refund export against the books)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rma_tui.cli.common import (
    AsJson,
    UsageDomainError,
    acting_user,
    echo,
    handled,
    open_db,
    parse_date,
    side_note,
)
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import err, label, out, print_json, table

commands = typer.Typer()  # this module's top-level commands, added by cli.app

channel_app = typer.Typer(help="Sales channels (销售渠道).", no_args_is_help=True)


@channel_app.command("list")
@handled
def channel_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Every configured channel with its rules and clearing account (渠道列表)."""
    from dataclasses import asdict

    from rma_tui import service as sv

    rows = sv.list_channels()
    if as_json:
        print_json([asdict(c) for c in rows])
        return
    out().print(table(
        [t("chan_col_code"), t("chan_col_name"), t("chan_col_platform"),
         t("chan_col_clearing"), t("chan_col_no_reason"), t("chan_col_quality"),
         t("chan_col_fee"), t("chan_col_auto"), t("chan_col_shipping")],
        [(c.code, label("channel", c.code), t("yes") if c.platform else "",
          c.clearing_account, str(c.no_reason_days),
          f"{c.quality_return_days}/{c.quality_exchange_days}",
          f"{c.restocking_fee_bp / 100:g}%",
          money(c.auto_approve_limit_fen) if c.auto_approve else t("chan_review_all"),
          t(f"chan_shipping_{c.return_shipping}"))
         for c in rows], right=(4, 6, 7)))


def import_requests_file(ctx: typer.Context, file: Path, platform: str | None,
                         encoding: str | None, shop: str | None, as_json: bool) -> None:
    """`rma import requests FILE --platform P`: read the file through the platform's map,
    then bring every request in (one unit of work); print what changed and the conflicts."""
    from rich.progress import BarColumn, Progress, TextColumn

    from rma_tui import service as sv
    from rma_tui.platform_files import read_platform_file

    if not platform:
        raise UsageDomainError("cli_platform_needed", field="--platform")
    database = open_db(ctx)
    actor = acting_user(ctx)
    console = err()
    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.percentage:>3.0f}%"), console=console, transient=True,
                   disable=as_json or not console.is_terminal)
    with bar:
        task = bar.add_task(t("import_file", file=file.name), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        pf = read_platform_file(file, platform, encoding=encoding, progress=progress)
        result = sv.import_requests(database, actor, pf.channel, pf.rows, shop=shop)
    if as_json:
        print_json(result.as_dict())
    else:
        side_note(t("cli_import_encoding", file=pf.file, encoding=pf.encoding))
        out().print(table(
            [t("req_col_outcome"), t("req_col_count"), t("req_col_slips")],
            [(t(f"req_{name}"), str(len(nums)), ", ".join(nums[:6]) + (" …" if len(nums) > 6
                                                                      else ""))
             for name, nums in (("created", result.created), ("updated", result.updated),
                                ("unchanged", result.unchanged))],
            title=t("req_title", file=pf.file, channel_label=label("channel", pf.channel)),
            right=(1,)))
        if result.conflicts:
            out().print(table(
                [t("req_col_line"), t("req_col_refund_id"), t("col_number"), t("req_col_why")],
                [(str(c.line or ""), c.refund_id, c.slip or "", c.why())
                 for c in result.conflicts],
                title=t("req_conflicts", count=len(result.conflicts))))
    if result.conflicts:
        raise typer.Exit(1)


@commands.command()
@handled
def reconcile(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The platform's refund / settlement export.")],
    platform: Annotated[str, typer.Option(
        "--platform", help="The platform's column map (taobao, jd, pdd, oms …; 平台).")],
    start: Annotated[str | None, typer.Option(
        "--from", help="First day (YYYY-MM-DD); default: the file's first day.")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="Last day (YYYY-MM-DD); default: the file's last day.")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Text encoding (default: UTF-8, else GB18030/GBK).")] = None,
    as_json: AsJson = False,
) -> None:
    """The platform's refunds against the books (平台对账): matched, refunded there but not
    here, posted here but not there, amounts that differ. Exit 1 unless all match."""
    from rma_tui.platform_files import read_platform_file
    from rma_tui.reads.reconcile import reconcile as reconcile_file

    database = open_db(ctx)
    acting_user(ctx)
    pf = read_platform_file(file, platform, encoding=encoding, purpose="reconcile")
    rec = reconcile_file(database, pf.channel, pf.rows, parse_date(start, "--from"),
                         parse_date(end, "--to"))
    if as_json:
        print_json(rec.as_dict())
    else:
        span = " – ".join(d.isoformat() for d in (rec.start, rec.end) if d)
        rows = [(t(f"rec_{kind}"), r.refund_id or "", r.slip or "",
                 money(r.theirs_fen) if r.theirs_fen is not None else "—",
                 money(r.ours_fen) if r.ours_fen is not None else "—", r.day or "")
                for kind, xs in (("differ", rec.differ), ("missing_here", rec.missing_here),
                                 ("missing_there", rec.missing_there),
                                 ("matched", rec.matched))
                for r in xs]
        out().print(table(
            [t("rec_col_outcome"), t("req_col_refund_id"), t("col_number"),
             t("rec_col_theirs"), t("rec_col_ours"), t("rec_col_day")], rows,
            title=t("rec_title", channel_label=label("channel", rec.channel), span=span),
            right=(3, 4)))
        theirs, ours = rec.totals()
        echo(t("rec_summary", matched=len(rec.matched), differ=len(rec.differ),
               missing_here=len(rec.missing_here), missing_there=len(rec.missing_there),
               theirs=money(theirs), ours=money(ours)))
        echo(t("rec_balanced") if rec.balanced else t("rec_unbalanced"))
    if not rec.balanced:
        raise typer.Exit(1)
