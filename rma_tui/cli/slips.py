"""`rma slip ...` (a return or exchange slip through its lifecycle) and `rma feedback`."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from rma_tui.cli.common import (
    AsJson,
    RequestId,
    ShopRead,
    UsageDomainError,
    acting_user,
    cli_state,
    echo,
    handled,
    is_chain,
    open_db,
    read_shop,
    side_note,
    user_role,
)
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import (
    label,
    local_time,
    out,
    pairs,
    print_json,
    slip_events_table,
    slip_money_rows,
    slip_verdict_table,
    table,
)

if TYPE_CHECKING:
    from rma_tui.service import GradeInput, LineInput, SlipView

commands = typer.Typer()  # this module's top-level commands, added by cli.app


slip_app = typer.Typer(help="Return and exchange slips (退换货单).", no_args_is_help=True)


_INT = re.compile(r"^[+-]?\d+$")


def _spec_int(option: str, spec: str, part: str, value: str) -> int:
    if not value.strip():
        raise UsageDomainError("cli_spec_empty", field=option, option=option, value=spec, part=part)
    if not _INT.match(value.strip()):
        raise UsageDomainError("cli_spec_not_int", field=option, option=option, value=spec,
                          part=part, part_value=value)
    return int(value)


def parse_line(spec: str) -> LineInput:
    """`SKU:QTY:REASON[:REPL_SKU[:REPL_QTY]]` -> a service LineInput (syntax only)."""
    from rma_tui.service import LineInput

    parts = spec.split(":")
    if not 3 <= len(parts) <= 5:
        raise UsageDomainError("bad_line_spec", field="--line", value=spec)
    sku, qty, reason = (p.strip() for p in parts[:3])
    for name, value in (("SKU", sku), ("REASON", reason)):
        if not value:
            raise UsageDomainError("cli_spec_empty", field="--line", option="--line", value=spec,
                              part=name)
    repl_sku = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None
    repl_qty = (_spec_int("--line", spec, "REPL_QTY", parts[4])
                if len(parts) > 4 and parts[4].strip() else None)
    return LineInput(sku=sku, qty=_spec_int("--line", spec, "QTY", qty), reason=reason,
                     replacement_sku=repl_sku, replacement_qty=repl_qty)


def parse_grade(spec: str) -> GradeInput:
    """`SKU:RESELLABLE:DEFECTIVE:SCRAP` -> a service GradeInput (syntax only)."""
    from rma_tui.service import GradeInput

    parts = spec.split(":")
    if len(parts) != 4:
        raise UsageDomainError("bad_grade_spec", field="--grade", value=spec)
    sku = parts[0].strip()
    if not sku:
        raise UsageDomainError("cli_spec_empty", field="--grade", option="--grade", value=spec,
                          part="SKU")
    nums = [_spec_int("--grade", spec, name, value)
            for name, value in zip(("RESELLABLE", "DEFECTIVE", "SCRAP"), parts[1:], strict=True)]
    return GradeInput(sku, nums[0], nums[1], nums[2])


def _amount(v: SlipView) -> str:
    if v.type == "exchange":
        return money(v.difference_fen)
    return money(v.refund_fen)


def _show_slip(v: SlipView, chain: bool = False) -> None:
    """A slip as a person reads it: header, lines, amounts, policy verdict, history; in a
    chain of several shops (`chain`), also the shop handling it."""
    console = out()
    head = [
        (t("col_number"), v.number),
        *([(t("cli_col_shop"), v.shop)] if chain else []),
        (t("col_type"), label("type", v.type)),
        (t("col_status"), label("status", v.status)),
        (t("col_channel"), label("channel", v.channel)),
        (t("col_customer"), f"{v.customer or t('none')}"
                            + (f" {v.customer_phone}" if v.customer_phone else "")),
        (t("col_sale"), v.sale or t("none")),
        (t("col_created_by"), f"{v.created_by}  {local_time(v.created_at)}"),
    ]
    if v.platform_ref:
        head.append((t("slip_platform_ref"), f"{v.platform_ref}  "
                     f"{label('platform_status', v.platform_status)}"
                     + (f" ({v.platform_status_raw})" if v.platform_status_raw else "")))
    if v.buyer:
        head.append((t("slip_buyer"), v.buyer))
    if v.waybill_no:
        head.append((t("slip_waybill"), f"{v.waybill_carrier} {v.waybill_no}".strip()))
    if v.platform_refund_fen:
        head.append((t("slip_platform_refund"), money(v.platform_refund_fen)))
    if v.note:
        head.append((t("col_note"), v.note))
    console.print(pairs(head, title=f"{label('type', v.type)} {v.number}"))
    rows = []
    for ln in v.lines:
        repl = f"{ln.replacement_sku} x{ln.replacement_qty}" if ln.replacement_sku else ""
        grade = "/".join(str(g) for g in ln.grade) if ln.grade else ""
        reason = label("reason", ln.reason) + (f" {ln.reason_text}" if ln.reason_text else "")
        rows.append((ln.sku, ln.name, ln.qty, money(ln.unit_price_fen), reason, repl,
                     money(ln.refund_fen), grade))
    console.print(table(
        [t("col_sku"), t("col_name"), t("col_qty"), t("col_unit_price"), t("col_reason"),
         t("col_replacement_sku"), t("col_refund"), t("col_grade")],
        rows, title=t("lines_heading"), right=(2, 3, 6)))
    console.print(pairs(slip_money_rows(v), right=True))
    verdict = slip_verdict_table(v)
    if verdict is not None:
        console.print(verdict)
    if v.override_by:
        echo(t("cli_override", user=v.override_by, reason=v.override_reason or ""))
    console.print(slip_events_table(v))
    if v.feedback:
        echo(f"{t('col_feedback')}: {v.feedback[0]}/5 {v.feedback[1]}")


def _updated(v: SlipView) -> None:
    echo(t("slip_updated", number=v.number, status=v.status,
            status_label=label("status", v.status)))


@slip_app.command("create")
@handled
def slip_create(
    ctx: typer.Context,
    sale: Annotated[str, typer.Option("--sale", help="Original sale order number (原销售单号).")],
    type_: Annotated[str, typer.Option("--type", help="return | exchange (退货/换货).")],
    line: Annotated[list[str], typer.Option(
        "--line", help="SKU:QTY:REASON[:REPL_SKU[:REPL_QTY]] (repeatable).")],
    note: Annotated[str, typer.Option("--note", help="Free text (备注).")] = "",
    request_id: RequestId = None,
    shop: Annotated[str | None, typer.Option(
        "--shop", help="The shop taking the return (受理门店); default: your own shop, else "
        "the sale's shop.")] = None,
) -> None:
    """Create a draft slip against a sale; prints the new slip number (制单)."""
    from rma_tui import service as sv

    lines = [parse_line(spec) for spec in line]
    v = sv.create_slip(open_db(ctx), acting_user(ctx), sale, type_, lines, note=note,
                       request_id=request_id, shop=shop)
    typer.echo(v.number)  # the number alone, in a chain too: scripts capture it


@slip_app.command("submit")
@handled
def slip_submit(ctx: typer.Context, number: str, request_id: RequestId = None) -> None:
    """Submit a draft: the policy is checked; a clean, small slip is approved at once."""
    from rma_tui import service as sv

    v = sv.submit_slip(open_db(ctx), acting_user(ctx), number, request_id=request_id)
    _updated(v)
    if v.auto_approved:
        echo(t("cli_auto_approved", number=v.number))
    failed = [r for r in v.verdict if not r.ok]
    if failed:
        out().print(table(
            [t("col_rule"), t("col_result"), t("col_detail")],
            [(label("rule", r.rule), t("fail"), t(f"rule_{r.rule}fail", **r.params))
             for r in failed],
            title=t("policy_heading")))
        echo(t("cli_needs_owner", number=v.number))


@slip_app.command("approve")
@handled
def slip_approve(
    ctx: typer.Context, number: str,
    override_reason: Annotated[str | None, typer.Option(
        "--override-reason", help="Why a policy exception is approved (owner only).")] = None,
    request_id: RequestId = None,
) -> None:
    """Approve a submitted slip (never by its creator) (审核)."""
    from rma_tui import service as sv

    _updated(sv.approve_slip(open_db(ctx), acting_user(ctx), number,
                             override_reason=override_reason, request_id=request_id))


@slip_app.command("reject")
@handled
def slip_reject(
    ctx: typer.Context, number: str,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    request_id: RequestId = None,
) -> None:
    """Reject a submitted slip, with a reason (驳回)."""
    from rma_tui import service as sv

    _updated(sv.reject_slip(open_db(ctx), acting_user(ctx), number, reason,
                            request_id=request_id))


@slip_app.command("cancel")
@handled
def slip_cancel(
    ctx: typer.Context, number: str,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    request_id: RequestId = None,
) -> None:
    """Cancel a draft, submitted or approved slip, with a reason (作废)."""
    from rma_tui import service as sv

    _updated(sv.cancel_slip(open_db(ctx), acting_user(ctx), number, reason,
                            request_id=request_id))


@slip_app.command("receive")
@handled
def slip_receive(
    ctx: typer.Context,
    number: Annotated[str | None, typer.Argument(help="The slip (or give --waybill).")] = None,
    waybill: Annotated[str | None, typer.Option(
        "--waybill", help="The return parcel's waybill, scanned or typed (物流单号): finds "
        "the slip; a parcel matching none is kept as an unmatched parcel (无主件).")] = None,
    carrier: Annotated[str, typer.Option("--carrier", help="With --waybill: the carrier "
                                         "(物流公司), kept with an unmatched parcel.")] = "",
    contents: Annotated[str, typer.Option("--contents", help="With --waybill: what is "
                                          "inside, kept with an unmatched parcel.")] = "",
    request_id: RequestId = None,
) -> None:
    """The goods arrived: they go to pending inspection (收货)."""
    from rma_tui import service as sv

    if (number is None) == (waybill is None):
        raise UsageDomainError("cli_number_or_waybill", field="--waybill")
    if waybill is None:
        assert number is not None
        _updated(sv.receive_slip(open_db(ctx), acting_user(ctx), number,
                                 request_id=request_id))
        return
    scan = sv.receive_by_waybill(open_db(ctx), acting_user(ctx), waybill, carrier=carrier,
                                 contents=contents)
    if scan.slip is not None:
        _updated(scan.slip)
    elif scan.parcel is not None:
        echo(t("parcel_recorded", parcel=scan.parcel.id, waybill=scan.parcel.waybill))


@slip_app.command("inspect")
@handled
def slip_inspect(
    ctx: typer.Context, number: str,
    grade: Annotated[list[str], typer.Option(
        "--grade", help="SKU:RESELLABLE:DEFECTIVE:SCRAP (repeatable, one per line).")],
    request_id: RequestId = None,
) -> None:
    """Grade every received unit: resellable, defective or scrap (质检)."""
    from rma_tui import service as sv

    grades = [parse_grade(spec) for spec in grade]
    _updated(sv.inspect_slip(open_db(ctx), acting_user(ctx), number, grades,
                             request_id=request_id))


@slip_app.command("settle")
@handled
def slip_settle(
    ctx: typer.Context, number: str,
    method: Annotated[str, typer.Option(
        "--method", help="original | cash | credit | receivable | platform (退款方式).")],
    rest: Annotated[str | None, typer.Option(
        "--rest", help="cash | credit | original: how the part of a refund to the customer's "
        "account beyond what they owe is paid (其余部分).")] = None,
    request_id: RequestId = None,
) -> None:
    """Refund, or issue the replacement and settle the difference (结算)."""
    from rma_tui import service as sv

    v = sv.settle_slip(open_db(ctx), acting_user(ctx), number, method, request_id=request_id,
                       rest_method=rest)
    _updated(v)
    if v.type == "return":
        echo(t("cli_settled_refund", refund=money(v.refund_fen), fee=money(v.fee_fen),
                method_label=label("method", v.refund_method)))
        if v.rest_fen:
            echo(t("cli_settled_rest", rest=money(v.rest_fen),
                   method_label=label("method", v.rest_method or "")))
    else:
        echo(t("cli_settled_exchange", difference=money(v.difference_fen),
                method_label=label("method", v.refund_method)))


@slip_app.command("close")
@handled
def slip_close(ctx: typer.Context, number: str, request_id: RequestId = None) -> None:
    """Close a settled slip; it never changes again (关闭)."""
    from rma_tui import service as sv

    _updated(sv.close_slip(open_db(ctx), acting_user(ctx), number, request_id=request_id))


@slip_app.command("show")
@handled
def slip_show(ctx: typer.Context, number: str, as_json: AsJson = False) -> None:
    """One slip with its lines, amounts, policy verdict and history (查看)."""
    from rma_tui import service as sv

    # A shop's user sees their shop's slips only (as in `slip list`).
    v = sv.get_slip(open_db(ctx), number, viewer=cli_state(ctx).user)
    v = replace(v, customer_phone=sv.phone_for(user_role(ctx), v.customer_phone))
    if as_json:
        print_json(v.as_dict())
    else:
        _show_slip(v, chain=is_chain(ctx))


@slip_app.command("list")
@handled
def slip_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="Only slips in this state.")]
    = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Slips, newest first, a page at a time (单据列表)."""
    from rma_tui import service as sv

    where = read_shop(ctx, shop)
    rows = sv.list_slips(open_db(ctx), status=status, limit=limit, offset=offset, shop=where)
    chain = is_chain(ctx)  # a single shop's output is what it always was
    if as_json:
        print_json([{
            "number": r.number, "type": r.type, "status": r.status, "channel": r.channel,
            "customer": r.customer, "created_by": r.created_by,
            "created_at": r.created_at.isoformat(), "refund_fen": r.refund_fen,
            "difference_fen": r.difference_fen, **({"shop": r.shop} if chain else {})}
            for r in rows])
        return
    shop_head = [t("cli_col_shop")] if chain else []
    out().print(table(
        [t("col_number"), *shop_head, t("col_type"), t("col_status"), t("col_channel"),
         t("col_customer"), t("col_created_by"), t("col_created_at"), t("col_refund"),
         t("col_difference")],
        [(r.number, *([r.shop] if chain else []), label("type", r.type),
          label("status", r.status), label("channel", r.channel), r.customer or "",
          r.created_by, local_time(r.created_at), money(r.refund_fen),
          money(r.difference_fen))
         for r in rows], right=(8, 9) if chain else (7, 8)))
    if len(rows) == limit:
        side_note(t("cli_more_rows", offset=offset + limit))


@commands.command()
@handled
def feedback(
    ctx: typer.Context, number: str,
    score: Annotated[int, typer.Option("--score", help="1 to 5.")],
    comment: Annotated[str, typer.Option("--comment", help="What the customer said.")] = "",
    request_id: RequestId = None,
) -> None:
    """Record the customer's feedback on a settled slip (客户评价)."""
    from rma_tui import service as sv

    v = sv.add_feedback(open_db(ctx), acting_user(ctx), number, score, comment,
                        request_id=request_id)
    echo(t("feedback_saved", slip=v.number))
