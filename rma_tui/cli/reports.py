"""`rma report returns | problems | trend | compliance` (the `rma report` group, added
to `rma` by rma_tui.cli.app).

Shops: every report takes `--shop CODE`, resolved by `service.view_shop` for the
`--user`: a shop's own user sees their shop (asking for another exits 1, shop_denied), a
chain-wide user the whole chain unless they name a shop. `rma report returns --by shop` is
one row per shop and the chain's total. In a chain of several shops the table's title says
whose figures they are; a single shop's output is what it always was.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from rma_tui.cli.common import (
    ReportFormat,
    ShopRead,
    handled,
    is_chain,
    open_db,
    output_path,
    parse_date,
    rate_text,
    read_shop,
    side_note,
    user_role,
    whose,
)
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import label, local_time, out, print_json, table

report_app = typer.Typer(help="Reports and analysis (报表).", no_args_is_help=True)


Since = Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD (起始日期).")]
Until = Annotated[str | None, typer.Option("--until", help="Last day, inclusive (截止日期).")]
OutFile = Annotated[Path | None, typer.Option("--out", help="Write to this file (csv / xlsx).")]
Force = Annotated[bool, typer.Option(
    "--force", help="Replace --out if it exists (never the database or its files).")]
Format = Annotated[ReportFormat, typer.Option("--format", help="table | csv | json | xlsx.")]

# The widest bar of the trend chart, in cells.
BAR_WIDTH = 40


class ReturnsBy(StrEnum):
    """What the returns report groups by (`rma_tui.reads.reports.DIMENSIONS`)."""

    product = "product"
    reason = "reason"
    channel = "channel"
    customer = "customer"
    supplier = "supplier"
    month = "month"
    week = "week"
    shop = "shop"


class Period(StrEnum):
    """The trend's period."""

    month = "month"
    week = "week"


class Measure(StrEnum):
    """What the trend counts."""

    units = "units"
    slips = "slips"
    value = "value"


@report_app.command("returns")
@handled
def report_returns(
    ctx: typer.Context,
    by: Annotated[ReturnsBy, typer.Option(
        "--by", help="Group by (分组); shop: one row per shop and the total.")
    ] = ReturnsBy.product,
    since: Annotated[str | None, typer.Option(
        "--since", help="First day, YYYY-MM-DD local (起始日期).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Last day, YYYY-MM-DD local, inclusive (截止日期).")] = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", help="table | csv | json | xlsx (xlsx needs --out).")] = ReportFormat.table,
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Write to this file instead of the screen.")] = None,
    shop: ShopRead = None,
    force: Force = False,
) -> None:
    """Returns by product, reason, channel, customer, supplier, month, week or shop: what was
    claimed, refunded (per method, with fees), exchanged and is still pending, against what
    was sold, with the return rates by units and by value (退换货统计)."""
    from rma_tui import service as sv
    from rma_tui.errors import DomainError
    from rma_tui.reads import reports
    from rma_tui.reads.report_tables import (
        RETURNS_SUMMARY,
        cell_text,
        refund_split_note,
        returns_table,
    )

    if out_file is not None:
        output_path(ctx, out_file, force)

    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    if fmt is ReportFormat.xlsx and out_file is None:
        raise DomainError("required", field="--out")
    where = read_shop(ctx, shop)
    rows = reports.returns_report(open_db(ctx), by.value, since=start, until=end, shop=where)
    if by is ReturnsBy.customer:  # the key is the phone: whole only where the role needs it
        role = user_role(ctx)
        rows = [replace(r, key=sv.phone_for(role, r.key, export=fmt is not ReportFormat.table)
                        or "")
                for r in rows]
    tbl_data = returns_table(rows, by.value)
    # Reasons and channels are codes: their JSON name is the label in the shop's language.
    kind = by.value if by in (ReturnsBy.reason, ReturnsBy.channel) else None
    dicts = [{**r.as_dict(), "name": label(kind, r.key) if kind else r.name} for r in rows]
    title = whose(ctx, tbl_data.title, where)
    if fmt is not ReportFormat.table:
        _export(fmt, out_file, tbl_data.columns, tbl_data.rows, dicts, tbl_data.title)
        return
    # A terminal holds the main figures; the per-method split goes under the table, and
    # every column is in --format csv / json / xlsx.
    summary = returns_table(rows, by.value, RETURNS_SUMMARY)
    first = sum(c.kind == "text" for c in summary.columns)
    body = [[cell_text(c.kind, v) for c, v in zip(summary.columns, row, strict=True)]
            for row in summary.rows]
    tbl = table([c.header for c in summary.columns], body,
                right=range(first, len(summary.columns)), title=title)
    tbl.caption = t("report_rate_note", min_sample=sv.policy().min_sample)
    note = refund_split_note(rows) + t("report_every_column_cli")
    if out_file is None:
        out().print(tbl)
        out().print(note)
        return
    from rich.console import Console

    with open(out_file, "w", encoding="utf-8") as fh:
        console = Console(file=fh, width=200, highlight=False)
        console.print(tbl)
        console.print(note)
    side_note(t("cli_report_written", path=str(out_file)))


def _export(fmt: ReportFormat, out_file: Path | None, columns: list[Any],
            rows: list[list[Any]], dicts: list[dict[str, Any]], title: str) -> bool:
    """Write csv/xlsx/json output; False when the caller should print a table instead."""
    if fmt is ReportFormat.table:
        return False
    if fmt is ReportFormat.json:
        if out_file is None:
            print_json(dicts)
        else:
            import json

            out_file.write_text(json.dumps(dicts, ensure_ascii=False, indent=2, default=str)
                                + "\n", encoding="utf-8")
            side_note(t("cli_report_written", path=str(out_file)))
        return True
    from rma_tui.errors import DomainError
    from rma_tui.export import write_table

    if out_file is None:
        if fmt is ReportFormat.xlsx:
            raise DomainError("required", field="--out")
        import sys
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = write_table(Path(tmp) / "r.csv", columns, rows, "csv")
            sys.stdout.write(path.read_text(encoding="utf-8-sig"))
        return True
    write_table(out_file, columns, rows, fmt.value, title=title)
    side_note(t("cli_report_written", path=str(out_file)))
    return True


def _export_sections(fmt: ReportFormat, out_file: Path | None, report: Any) -> None:
    """Write the compliance report's sections as csv / xlsx (csv to stdout without --out)."""
    from rma_tui.errors import DomainError
    from rma_tui.export import write_sections

    # The same sections the reports screen exports (imported here: it is a widgets module,
    # and the CLI loads the UI only when it needs it).
    from rma_tui.reads.report_tables import compliance_tables

    sections = compliance_tables(report)
    if out_file is None:
        if fmt is ReportFormat.xlsx:
            raise DomainError("required", field="--out")
        import sys
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = write_sections(Path(tmp) / "r.csv", sections, "csv")
            sys.stdout.write(path.read_text(encoding="utf-8-sig"))
        return
    write_sections(out_file, sections, fmt.value)
    side_note(t("cli_report_written", path=str(out_file)))


@report_app.command("problems")
@handled
def report_problems(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many.")] = 10,
    fmt: Format = ReportFormat.table,
    out_file: OutFile = None,
    shop: ShopRead = None,
    force: Force = False,
) -> None:
    """Problem products: highest return rate and amount, with the leading reason (问题商品)."""
    if out_file is not None:
        output_path(ctx, out_file, force)
    from rma_tui import service as sv
    from rma_tui.reads import reports
    from rma_tui.reads.report_tables import problem_columns

    where = read_shop(ctx, shop)
    rows = reports.problem_products(open_db(ctx), parse_date(since, "--since"),
                                    parse_date(until, "--until"), limit=limit, shop=where)
    title = t("report_problems_title")
    columns = problem_columns()
    body = [[r.sku, r.name, r.supplier, r.units_claimed, r.units_sold, r.rate,
             r.value_claimed_fen, label("reason", r.top_reason)] for r in rows]
    if _export(fmt, out_file, columns, body, [r.as_dict() for r in rows], title):
        return
    tbl = table([c.header for c in columns],
                [[r.sku, r.name, r.supplier, r.units_claimed, r.units_sold, rate_text(r.rate),
                  money(r.value_claimed_fen),
                  f"{label('reason', r.top_reason)} ({r.top_reason_units})"] for r in rows],
                right=range(3, 7), title=whose(ctx, title, where))
    tbl.caption = t("report_rate_note", min_sample=sv.policy().min_sample)
    out().print(tbl)


@report_app.command("trend")
@handled
def report_trend(
    ctx: typer.Context,
    period: Annotated[Period, typer.Option("--period", help="month | week.")] = Period.month,
    measure: Annotated[Measure, typer.Option("--measure", help="units | slips | value (claimed).")
                       ] = Measure.units,
    since: Since = None,
    until: Until = None,
    fmt: Format = ReportFormat.table,
    out_file: OutFile = None,
    shop: ShopRead = None,
    force: Force = False,
) -> None:
    """Returns per month or week, drawn as bars, with next period's forecast (Holt's linear
    trend) and its back-tested error beside the naive one (趋势与预测)."""
    if out_file is not None:
        output_path(ctx, out_file, force)
    from rma_tui.reads import reports
    from rma_tui.reads.report_tables import forecast_notes, measure_text, trend_table

    field = "value_claimed_fen" if measure is Measure.value else measure.value
    where = read_shop(ctx, shop)
    tf = reports.trend_forecast(open_db(ctx), period.value, parse_date(since, "--since"),
                                parse_date(until, "--until"), measure=field, shop=where)
    export = trend_table(tf)
    title, columns, body = export.title, export.columns, export.rows
    fc = tf.forecast
    dicts: list[dict[str, Any]] = [asdict(p) for p in tf.points]
    if fmt is ReportFormat.json:
        doc = {"period": period.value, "measure": field, "points": dicts,
               "forecast_for": tf.for_period,
               "forecast": asdict(fc) if fc else None,
               "partial": asdict(tf.partial) if tf.partial else None}
        if out_file is None:
            print_json(doc)
            return
        import json

        out_file.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n",
                            encoding="utf-8")
        side_note(t("cli_report_written", path=str(out_file)))
        return
    if _export(fmt, out_file, columns, body, dicts, title):
        return

    values = [float(getattr(p, field)) for p in tf.points]
    top = max([*values, fc.next_value if fc else 0.0, 1.0])
    lines = []
    for p, v in zip(tf.points, values, strict=True):
        lines.append([p.period, measure_text(field, v), "█" * round(v / top * BAR_WIDTH)])
    if fc is not None and tf.for_period:
        lines.append([f"{tf.for_period} {t('report_forecast_mark')}",
                      measure_text(field, fc.next_value),
                      "░" * round(fc.next_value / top * BAR_WIDTH)])
    out().print(table([t("col_period"), t(f"report_measure_{measure.value}"), ""], lines,
                      right=[1], title=whose(ctx, title, where)))
    for note in forecast_notes(tf, field):
        out().print(note)


@report_app.command("compliance")
@handled
def report_compliance(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (= --format json).")
                       ] = False,
    fmt: Format = ReportFormat.table,
    out_file: OutFile = None,
    shop: ShopRead = None,
    force: Force = False,
) -> None:
    """Compliance (合规): policy exceptions and who overrode them, late slips, rejections
    with reasons, time in each state against the policy's targets.

    `--format xlsx --out FILE` writes one sheet per section; `--format csv` writes the
    sections one after another in one file (or to the screen without `--out`), each under
    a row with its title and its header row."""
    if out_file is not None:
        output_path(ctx, out_file, force)
    from rma_tui.reads.compliance import compliance_report

    where = read_shop(ctx, shop)
    r = compliance_report(open_db(ctx), parse_date(since, "--since"),
                          parse_date(until, "--until"), shop=where)
    if as_json:
        fmt = ReportFormat.json
    if fmt is ReportFormat.json:
        if out_file is None:
            print_json(r.as_dict())
            return
        import json

        out_file.write_text(json.dumps(r.as_dict(), ensure_ascii=False, indent=2, default=str)
                            + "\n", encoding="utf-8")
        side_note(t("cli_report_written", path=str(out_file)))
        return
    if fmt is not ReportFormat.table:
        _export_sections(fmt, out_file, r)
        return
    con = out()
    if is_chain(ctx):  # whose slips these are
        con.print(t("report_shop_note", shop=where or t("cli_all_shops")))
    con.print(t("report_compliance_head", slips=r.slips, exceptions=len(r.exceptions),
                late=len(r.late), rejected=len(r.rejected), overdue=len(r.overdue)))
    con.print(table(
        [t("col_number"), t("col_created_by"), t("col_override_by"), t("col_failed_rules"),
         t("col_reason")],
        [[e.number, e.created_by, e.override_by,
          ", ".join(label("rule", x) for x in e.failed_rules), e.reason]
         for e in r.exceptions],
        title=t("report_compliance_exceptions")))
    if r.late:
        con.print(t("report_compliance_late", numbers=", ".join(r.late)))
    con.print(table(
        [t("col_number"), t("col_created_by"), t("col_rejected_by"), t("col_time"),
         t("col_reason")],
        [[x.number, x.created_by, x.rejected_by, local_time(x.rejected_at), x.reason]
         for x in r.rejected],
        title=t("report_compliance_rejected")))
    con.print(table(
        [t("col_status"), t("col_target_hours"), t("col_stays"), t("col_over_target"),
         t("col_longest_hours")],
        [[label("status", st.state), st.target_hours, st.stays, st.over_target,
          f"{st.longest_hours:.1f}"] for st in r.states],
        right=range(1, 5), title=t("report_compliance_states")))
    con.print(table(
        [t("col_number"), t("col_status"), t("col_since"), t("col_hours"),
         t("col_target_hours")],
        [[o.number, label("status", o.state), local_time(o.since), f"{o.hours:.1f}",
          o.target_hours] for o in r.overdue[:50]],
        right=[3, 4], title=t("report_compliance_overdue")))
