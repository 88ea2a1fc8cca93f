"""`rma` commands for the customers area (added to `rma` by rma_tui.cli.app).

`rma customer find TEXT`, `rma customer show PHONE [--json]`, `rma customer statement PHONE
[--shop S] [--json]`, `rma customer pay PHONE AMOUNT [--method cash|bank]`; `rma followup add PHONE
--note TEXT --due YYYY-MM-DD [--slip N]`, `rma followup done ID [--outcome TEXT]`,
`rma followup list [--due-by DATE] [--all] [--json]` (the "to call back" list).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

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
    open_db,
    parse_date,
    rate_text,
    side_note,
    user_role,
)
from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import label, local_time, out, pairs, print_json, table

if TYPE_CHECKING:
    from rma_tui.reads.customers import CustomerProfile
    from rma_tui.service import FollowUpView

customer_app = typer.Typer(help="Customers: history, return rate, credit (客户).",
                           no_args_is_help=True)
followup_app = typer.Typer(help="After-sales follow-ups (回访).", no_args_is_help=True)


def _credit_kind(kind: str) -> str:
    text = t(f"cust_credit_{kind}")
    return kind if text == f"cust_credit_{kind}" else text


@customer_app.command("find")
@handled
def customer_find(
    ctx: typer.Context, text: str,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    as_json: AsJson = False,
) -> None:
    """Customers by phone (prefix) or name (containing) (查找客户)."""
    from rma_tui.reads.customers import search_customers

    rows = search_customers(open_db(ctx), text, limit=limit, offset=offset)
    phone = _phones(ctx)
    if as_json:
        print_json([{"name": r.name, "phone": phone(r.phone), "channel": r.channel,
                     "credit_fen": r.credit_fen, "sales": r.sales, "slips": r.slips}
                    for r in rows])
        return
    if not rows:
        echo(t("cust_no_results", query=text))
        return
    out().print(table(
        [t("col_phone"), t("col_customer"), t("col_channel"), t("cust_h_credit"),
         t("cust_tab_purchases"), t("cust_col_slips")],
        [(phone(r.phone), r.name, label("channel", r.channel), money(r.credit_fen), r.sales,
          r.slips) for r in rows], right=(3, 4, 5)))
    if len(rows) == limit:
        side_note(t("cli_more_rows", offset=offset + limit))


def _phones(ctx: typer.Context) -> Callable[[str], str]:
    """How this user sees customers' phones: whole for the roles whose work needs them,
    else masked (the rule is the service's)."""
    from rma_tui import service as sv

    role = user_role(ctx)
    return lambda phone: sv.phone_for(role, phone) or ""


def _profile_dict(p: CustomerProfile, phone: Callable[[str], str]) -> dict[str, Any]:
    return {
        "name": p.name, "phone": phone(p.phone), "channel": p.channel, "credit_fen": p.credit_fen,
        "receivable_fen": p.receivable_fen, "at": p.at.isoformat(), "sales": p.sales_count,
        "purchased_fen": p.purchased_fen,
        "slips_count": p.slips_count, "returned_fen": p.returned_fen,
        "return_rate": p.return_rate, "slips_in_year": p.slips_in_year,
        "repeat_threshold": p.repeat_threshold, "repeat_returner": p.repeat_returner,
        "purchases": [{"order": r.order, "sold_at": r.sold_at.isoformat(),
                       "channel": r.channel, "payment_method": r.payment_method,
                       "units": r.units, "total_fen": r.total_fen} for r in p.purchases],
        "slips": [{"number": r.number, "type": r.type, "status": r.status, "units": r.units,
                   "value_fen": r.value_fen, "amount_fen": r.amount_fen,
                   "created_at": r.created_at.isoformat()} for r in p.slips],
        "feedback": [{"slip": r.slip, "score": r.score, "comment": r.comment, "by": r.by,
                      "at": r.at.isoformat()} for r in p.feedback],
        "follow_ups": [_follow_up_dict(f, phone) for f in p.follow_ups],
        "credit_moves": [{"delta_fen": m.delta_fen, "balance_fen": m.balance_fen,
                          "kind": m.kind, "slip": m.slip, "user": m.user,
                          "at": m.at.isoformat()} for m in p.credit_moves],
    }


def _follow_up_dict(f: FollowUpView, phone: Callable[[str], str]) -> dict[str, Any]:
    return {"id": f.id, "customer": f.customer_name, "phone": phone(f.phone), "slip": f.slip,
            "role": f.role, "note": f.note, "due_at": f.due_at.isoformat(), "auto": f.auto,
            "created_by": f.created_by, "done": f.done,
            "done_at": f.done_at.isoformat() if f.done_at else None, "done_by": f.done_by,
            "outcome": f.outcome}


@customer_app.command("show")
@handled
def customer_show(
    ctx: typer.Context, phone: str,
    limit: Annotated[int, typer.Option(
        "--limit", min=1, max=10_000, help="Rows per list (newest first).")] = 50,
    as_json: AsJson = False,
) -> None:
    """A customer's whole history: totals, return rate, repeat-returner flag, purchases,
    slips, feedback, follow-ups and store-credit moves (客户档案)."""
    from rma_tui.reads.customers import customer_profile

    p = customer_profile(open_db(ctx), phone, limit=limit)
    shown = _phones(ctx)
    if as_json:
        print_json(_profile_dict(p, shown))
        return
    answer = t("yes") if p.repeat_returner else t("no")
    out().print(pairs([
        (t("cust_h_name"), f"{p.name}  {shown(p.phone)}"),
        (t("col_channel"), label("channel", p.channel)),
        (t("cust_h_purchased"), t("cust_count_sales", amount_yuan=money(p.purchased_fen),
                                  count=p.sales_count)),
        (t("cust_h_returned"), t("cust_count_slips", amount_yuan=money(p.returned_fen),
                                 count=p.slips_count)),
        (t("cust_h_rate"), rate_text(p.return_rate, t("none"))),
        (t("cust_h_repeat"), t("cust_repeat_answer", answer=answer, count=p.slips_in_year,
                               threshold=p.repeat_threshold)),
        (t("cust_h_credit"), money(p.credit_fen)),
        (t("cust_h_receivable"), money(p.receivable_fen)),
    ], title=f"{p.name}  {shown(p.phone)}"))

    def more(shown: int, total: int) -> None:
        if shown < total:
            side_note(t("cust_more_rows", shown=shown, total=total))

    if p.purchases:
        out().print(table(
            [t("col_order"), t("col_sold_at"), t("col_channel"), t("col_payment"),
             t("cust_col_units"), t("col_total")],
            [(r.order, local_time(r.sold_at), label("channel", r.channel),
              label("payment", r.payment_method), r.units, money(r.total_fen))
             for r in p.purchases], title=t("cust_tab_purchases"), right=(4, 5)))
        more(len(p.purchases), p.sales_count)
    if p.slips:
        out().print(table(
            [t("col_number"), t("col_type"), t("col_status"), t("cust_col_units"),
             t("cust_col_value"), t("cust_col_amount"), t("col_created_at")],
            [(r.number, label("type", r.type), label("status", r.status), r.units,
              money(r.value_fen), money(r.amount_fen), local_time(r.created_at))
             for r in p.slips], title=t("cust_tab_slips"), right=(3, 4, 5)))
        more(len(p.slips), p.slips_count)
    if p.feedback:
        out().print(table(
            [t("col_number"), t("cust_col_score"), t("cust_col_comment"), t("cust_col_by"),
             t("col_at")],
            [(r.slip, r.score, r.comment, r.by, local_time(r.at)) for r in p.feedback],
            title=t("cust_tab_feedback"), right=(1,)))
        more(len(p.feedback), p.feedback_count)
    if p.follow_ups:
        _follow_up_table(p.follow_ups, t("cust_tab_follow"), shown)
    if p.credit_moves:
        out().print(table(
            [t("col_at"), t("cust_col_kind"), t("cust_col_delta"), t("cust_col_balance"),
             t("col_number"), t("col_user")],
            [(local_time(m.at), _credit_kind(m.kind),
              ("+" if m.delta_fen > 0 else "") + money(m.delta_fen), money(m.balance_fen),
              m.slip or "", m.user) for m in p.credit_moves],
            title=t("cust_tab_credit"), right=(2, 3)))
        more(len(p.credit_moves), p.credit_moves_count)


@customer_app.command("statement")
@handled
def customer_statement(
    ctx: typer.Context, phone: str,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """A customer's statement of account (对账单): every sale on account, payment and refund
    to the account, with the running balance of what they owe."""
    from rma_tui import service as sv

    st = sv.customer_statement(open_db(ctx), phone, shop=shop)
    shown = _phones(ctx)
    if as_json:
        doc = st.as_dict()
        doc["phone"] = shown(st.phone)
        print_json(doc)
        return
    out().print(table(
        [t("col_at"), t("col_shop"), t("cust_col_kind"), t("col_number"),
         t("cust_col_delta"), t("cust_col_balance"), t("col_user")],
        [(local_time(m.at), m.shop, label("receivable", m.kind), m.slip or m.order or m.note,
          ("+" if m.delta_fen > 0 else "") + money(m.delta_fen), money(m.balance_fen), m.user)
         for m in st.lines],
        title=t("cust_statement_title", name=st.name, phone=shown(st.phone)),
        right=(4, 5)))
    echo(t("cust_statement_owed", amount=money(st.balance_fen)))
    if len(st.owed_by_shop) > 1 and shop is None:
        echo("  ".join(f"{code} {money(v)}" for code, v in sorted(st.owed_by_shop.items())))


@customer_app.command("pay")
@handled
def customer_pay(
    ctx: typer.Context, phone: str,
    amount: Annotated[str, typer.Argument(help="Amount in yuan, e.g. 120.50.")],
    method: Annotated[str, typer.Option("--method", help="cash | bank (收款方式).")] = "cash",
    note: Annotated[str, typer.Option("--note", help="Note (备注).")] = "",
    request_id: RequestId = None,
    shop: ShopWrite = None,
) -> None:
    """A customer pays what they owe (收回应收账款): posted to cash or bank, never more than
    they owe the shop."""
    from rma_tui import service as sv
    from rma_tui.money_input import parse_yuan

    actor = acting_user(ctx)
    fen = parse_yuan(amount, "amount")
    left = sv.record_payment(open_db(ctx), actor, phone, fen, method=method, note=note,
                             shop=shop, request_id=request_id)
    echo(in_shop(ctx, actor, shop, t("cli_customer_paid", amount=money(fen), left=money(left))))


def _follow_up_table(rows: tuple[FollowUpView, ...] | list[FollowUpView], title: str,
                     phone: Callable[[str], str]) -> None:
    out().print(table(
        ["#", t("cust_col_due"), t("col_customer"), t("col_phone"), t("cust_col_note"),
         t("col_number"), t("cust_col_state"), t("cust_col_outcome")],
        [(f.id, local_time(f.due_at), f.customer_name, phone(f.phone), f.note, f.slip or "",
          t("cust_fu_done_by", by=f.done_by or "", at=local_time(f.done_at))
          if f.done_at else t("cust_fu_open"), f.outcome) for f in rows],
        title=title, right=(0,)))


@followup_app.command("add")
@handled
def followup_add(
    ctx: typer.Context, phone: str,
    note: Annotated[str, typer.Option("--note", help="What to tell or ask (事项).")],
    due: Annotated[str, typer.Option("--due", help="Due day, YYYY-MM-DD local (到期日).")],
    slip: Annotated[str | None, typer.Option("--slip", help="The slip it is about.")] = None,
    request_id: RequestId = None,
) -> None:
    """Note a follow-up on a customer, due from the start of that day (新建回访)."""
    from rma_tui import service as sv

    day = parse_date(due, "--due")
    assert day is not None  # --due is required
    start, _ = sv.day_bounds(day)
    v = sv.add_follow_up(open_db(ctx), acting_user(ctx), phone, note, start,
                         slip_number=slip.strip().upper() if slip else None,
                         request_id=request_id)
    echo(t("cust_fu_added", id=v.id, name=v.customer_name, due=day.isoformat()))


@followup_app.command("done")
@handled
def followup_done(
    ctx: typer.Context, follow_up_id: Annotated[int, typer.Argument(metavar="ID")],
    outcome: Annotated[str, typer.Option("--outcome", help="What came of it (结果).")] = "",
    request_id: RequestId = None,
) -> None:
    """Mark a follow-up done (完成回访)."""
    from rma_tui import service as sv

    v = sv.complete_follow_up(open_db(ctx), acting_user(ctx), follow_up_id, outcome,
                              request_id=request_id)
    echo(t("cust_fu_completed", id=v.id, name=v.customer_name))


@followup_app.command("list")
@handled
def followup_list(
    ctx: typer.Context,
    due_by: Annotated[str | None, typer.Option(
        "--due-by", help="Due by the end of this day, YYYY-MM-DD local (default: now).")]
    = None,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Every follow-up, done or not, whenever due.")] = False,
    phone: Annotated[str | None, typer.Option("--phone", help="Only this customer's.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most.")] = 200,
    as_json: AsJson = False,
) -> None:
    """The "to call back" list: open follow-ups due by now (or by --due-by), the longest
    overdue first (待回访)."""
    from rma_tui import service as sv

    day = parse_date(due_by, "--due-by")
    if show_all and day is not None:
        raise DomainError("cust_all_or_due", field="--all")
    cutoff: datetime | None
    if show_all:
        cutoff = None
        title = t("cust_follow_all_title")
    else:
        # The end of that local day (exclusive bound minus a microsecond), else now.
        cutoff = (sv.day_bounds(day)[1] - timedelta(microseconds=1)) if day else sv.utcnow()
        title = t("cust_call_back_title", at=day.isoformat() if day else local_time(cutoff))
    rows = sv.follow_ups(open_db(ctx), phone=phone, due_by=cutoff, open_only=not show_all,
                         limit=limit)
    shown = _phones(ctx)
    if as_json:
        print_json([_follow_up_dict(f, shown) for f in rows])
        return
    if not rows:
        echo(t("cust_call_back_empty"))
        return
    _follow_up_table(rows, title, shown)
    if len(rows) == limit:
        side_note(t("cust_more_rows", shown=limit, total=f"{limit}+"))
