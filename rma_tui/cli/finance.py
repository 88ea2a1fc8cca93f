"""`rma` commands for the finance area (added to `rma` by rma_tui.cli.app).

`trial-balance`, `journal`, `refunds` and `income` only read (`rma_tui.reads.finance`);
`close-day` closes a business day through `service.close_day` (finance / owner; a refusal
exits 1 with the service's message); `closed-days` lists the days closed so far.

Shops: the reads take `--shop CODE` (resolved by `service.view_shop` for the
`--user`: a shop's own user sees their shop's books, asking for another exits 1; a
chain-wide user sees the chain's unless they name a shop); `close-day --shop` closes that
shop's day (the service picks the user's own shop, or refuses a chain-wide user of several
shops without one). In a chain of several shops the titles and JSON say whose books they
are; a single shop's output is what it always was.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from rma_tui.cli.common import (
    AsJson,
    ShopRead,
    ShopWrite,
    acting_user,
    echo,
    handled,
    is_chain,
    open_db,
    parse_date,
    read_shop,
    whose,
)
from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import label, local_time, out, print_json, table

if TYPE_CHECKING:
    from rma_tui.service import DayCloseView

commands = typer.Typer()  # this module's top-level commands, added by cli.app


Since = Annotated[str | None, typer.Option(
    "--since", help="First day, YYYY-MM-DD local (起始日期).")]
Until = Annotated[str | None, typer.Option(
    "--until", help="Last day, YYYY-MM-DD local, inclusive (截止日期).")]


def _account_name(code: str) -> str:
    from rma_tui import i18n
    from rma_tui.service import account_name

    return account_name(code, i18n.get_lang()) or code


def _kind(kind: str) -> str:
    text = t(f"fin_kind_{kind}")
    return kind if text == f"fin_kind_{kind}" else text


def _period(since: date | None, until: date | None) -> str:
    if since is None and until is None:
        return t("fin_all_time")
    return t("fin_period", since=since.isoformat() if since else "…",
             until=until.isoformat() if until else "…")


def _shop_key(ctx: typer.Context, shop: str | None) -> dict[str, Any]:
    """`{"shop": code-or-None}` for a JSON document in a chain; nothing for a single shop."""
    return {"shop": shop} if is_chain(ctx) else {}


def _month(text: str | None, field: str) -> str | None:
    """A YYYY-MM month from the command line, or a DomainError naming the option."""
    if text is None:
        return None
    from rma_tui import service as sv
    from rma_tui.reads.finance import month_end, month_start

    try:
        first, last = month_start(text.strip()), month_end(text.strip())
    except ValueError:
        raise DomainError("fin_bad_month", field=field, value=text) from None
    sv.check_day(first, field)
    sv.check_day(last, field)
    return text.strip()


@commands.command("trial-balance")
@handled
def trial_balance(ctx: typer.Context, since: Since = None, until: Until = None,
                  shop: ShopRead = None, as_json: AsJson = False) -> None:
    """Σ debit, Σ credit and balance per account; totals must be equal (试算平衡).
    Exit 1 when they are not. `--shop`: that shop's books (each balances by itself)."""
    from rma_tui.reads import finance as reads

    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    where = read_shop(ctx, shop)
    tb = reads.trial_balance(open_db(ctx), start, end, shop=where)
    if as_json:
        print_json({"since": start, "until": end, **_shop_key(ctx, where),
                    "debit_fen": tb.debit_fen,
                    "credit_fen": tb.credit_fen, "balanced": tb.balanced,
                    "accounts": [{"code": r.code, "name": _account_name(r.code), "kind": r.kind,
                                  "debit_fen": r.debit_fen, "credit_fen": r.credit_fen,
                                  "side": r.side, "balance_fen": r.balance_fen}
                                 for r in tb.rows]})
    else:
        rows: list[tuple[Any, ...]] = [
            (r.code, _account_name(r.code), money(r.debit_fen), money(r.credit_fen),
             t(f"fin_side_{r.side}"), money(r.balance_fen)) for r in tb.rows]
        rows.append((t("fin_total"), "", money(tb.debit_fen), money(tb.credit_fen), "", ""))
        out().print(table(
            [t("fin_col_account"), "", t("fin_col_debit"), t("fin_col_credit"),
             t("fin_col_side"), t("fin_col_balance")], rows,
            title=whose(ctx, t("fin_trial_title", period=_period(start, end)), where),
            right=(2, 3, 5)))
        echo(t("fin_balanced" if tb.balanced else "fin_unbalanced", debit=tb.debit_fen,
                credit=tb.credit_fen))
    if not tb.balanced:
        raise typer.Exit(1)


@commands.command()
@handled
def journal(
    ctx: typer.Context, since: Since = None, until: Until = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="Only entries of this kind (sale, refund, exchange, ...).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many entries.")]
    = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many (paging).")]
    = 0,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Journal entries with their postings, newest first (凭证)."""
    from rma_tui.reads import finance as reads

    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    where = read_shop(ctx, shop)
    entries = reads.journal(open_db(ctx), start, end, kind=kind, limit=limit, offset=offset,
                            shop=where)
    chain = is_chain(ctx)
    if as_json:
        print_json([{"id": e.entry_id, "at": e.at.isoformat(), "kind": e.kind, "memo": e.memo,
                     "slip": e.slip, "user": e.user, **({"shop": e.shop} if chain else {}),
                     "postings": [{"account": p.account, "debit_fen": p.debit_fen,
                                   "credit_fen": p.credit_fen} for p in e.postings]}
                    for e in entries])
        return
    rows: list[tuple[Any, ...]] = []
    # In a chain of several shops each entry says whose books it is in (a last column, so
    # the money columns keep their places).
    for e in entries:
        rows.append((str(e.entry_id), local_time(e.at), Text(_kind(e.kind), style="bold"),
                     e.slip or e.memo, "", money(e.debit_fen), money(e.credit_fen), e.user,
                     *([e.shop] if chain else [])))
        for p in e.postings:
            rows.append(("", "", "", "", f"{p.account} {_account_name(p.account)}",
                         money(p.debit_fen) if p.debit_fen else "",
                         money(p.credit_fen) if p.credit_fen else "", "",
                         *([""] if chain else [])))
    out().print(table(
        ["#", t("fin_col_time"), t("fin_col_kind"), t("fin_col_memo"), t("fin_col_account"),
         t("fin_col_debit"), t("fin_col_credit"), t("fin_col_user"),
         *([t("col_shop")] if chain else [])], rows,
        title=whose(ctx, t("fin_journal_title"), where), right=(5, 6)))
    if len(entries) == limit:
        echo(t("cli_more_rows", offset=offset + limit))


@commands.command()
@handled
def refunds(ctx: typer.Context, since: Since = None, until: Until = None,
            shop: ShopRead = None, as_json: AsJson = False) -> None:
    """Refunds of settled return slips by day and method: count and amount (退款).
    `--shop`: the refunds that shop paid (the slips it handled)."""
    from rma_tui.reads import finance as reads

    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    where = read_shop(ctx, shop)
    rows = reads.refunds_by_day(open_db(ctx), start, end, shop=where)
    if as_json:
        print_json([{"day": r.day, "method": r.method, "slips": r.slips,
                     "refund_fen": r.refund_fen} for r in rows])
        return
    body: list[tuple[Any, ...]] = [(r.day, label("method", r.method), r.slips,
                                    money(r.refund_fen)) for r in rows]
    body.append((t("fin_total"), "", sum(r.slips for r in rows),
                 money(sum(r.refund_fen for r in rows))))
    out().print(table([t("fin_col_day"), t("fin_col_method"), t("fin_col_slips"),
                       t("fin_col_refund")], body,
                      title=whose(ctx, f"{t('fin_refunds_title')} {_period(start, end)}",
                                   where), right=(2, 3)))


@commands.command()
@handled
def income(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help="First month, YYYY-MM.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last month, YYYY-MM.")] = None,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Income summary by month: gross sales, returns and allowances, net sales, cost of
    goods sold after return reversals, write-offs, other income, gross margin (损益)."""
    from rma_tui.reads import finance as reads

    first, last = _month(since, "--since"), _month(until, "--until")
    where = read_shop(ctx, shop)
    rows = reads.income_by_month(open_db(ctx), first, last, shop=where)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    shown = [*rows, reads.income_total(rows)] if rows else []
    out().print(table(
        [t("fin_col_month"), t("fin_col_gross_sales"), t("fin_col_returns"),
         t("fin_col_net_sales"), t("fin_col_cogs"), t("fin_col_margin"),
         t("fin_col_write_off"), t("fin_col_other_income")],
        [(t("fin_total") if r.month == "Σ" else r.month, money(r.gross_sales_fen),
          money(r.returns_fen), money(r.net_sales_fen), money(r.cogs_fen),
          money(r.gross_margin_fen), money(r.write_off_fen), money(r.other_income_fen))
         for r in shown],
        title=whose(ctx, t("fin_income_title"), where), right=range(1, 8)))


def _close_dict(v: DayCloseView, chain: bool = False) -> dict[str, Any]:
    return {"day": v.day, **({"shop": v.shop} if chain else {}), "debit_fen": v.debit_fen,
            "credit_fen": v.credit_fen, "entries": v.entries, "totals": v.totals,
            "closed_by": v.closed_by, "closed_at": v.closed_at.isoformat()}


@commands.command("close-day")
@handled
def close_day(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Argument(
        help="The day to close, YYYY-MM-DD local (default: today).")] = None,
    shop: ShopWrite = None,
    as_json: AsJson = False,
) -> None:
    """Close a business day (日结): record its totals and who closed it; nothing dated that
    day can be posted after. Finance or owner; exit 1 with the reason when refused. In a
    chain each shop closes its own day (`--shop`)."""
    from rma_tui import service as sv

    chosen = parse_date(day, "date") or date.today()
    database = open_db(ctx)
    v = sv.close_day(database, acting_user(ctx), chosen, shop=shop)
    chain = is_chain(ctx)
    if as_json:
        print_json(_close_dict(v, chain))
        return
    if chain:  # which shop's day was closed
        echo(t("report_shop_note", shop=v.shop))
    echo(t("fin_cli_closed", day=v.day, user=v.closed_by, at=local_time(v.closed_at),
            entries=v.entries, debit=v.debit_fen, credit=v.credit_fen))
    rows: list[tuple[Any, ...]] = []
    for key, kind, part in (("fin_line_sales", "payment", "sales"),
                            ("fin_line_refunds", "method", "refunds"),
                            ("fin_line_exchange_in", "method", "exchange_in"),
                            ("fin_line_exchange_out", "method", "exchange_out")):
        for method, fen in sorted(v.totals.get(part, {}).items()):
            count = v.totals.get("refund_slips", {}).get(method) if part == "refunds" else None
            rows.append((t(key), label(kind, method), "" if count is None else count,
                         money(int(fen))))
    if rows:
        out().print(table([t("fin_col_item"), t("fin_col_method"), t("fin_col_slips"),
                           t("fin_col_amount")], rows, right=(2, 3)))


@commands.command("closed-days")
@handled
def closed_days(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many days.")] = 60,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """The days closed so far, newest first (已日结); in a chain, each shop's."""
    from rma_tui import service as sv

    where = read_shop(ctx, shop)
    rows = sv.closed_days(open_db(ctx), limit=limit, shop=where)
    chain = is_chain(ctx)
    if as_json:
        print_json([_close_dict(v, chain) for v in rows])
    elif not rows:
        echo(t("fin_no_closed_days"))
    else:
        out().print(table(
            [t("fin_col_day"), *([t("col_shop")] if chain else []), t("fin_col_entries"),
             t("fin_col_debit"), t("fin_col_credit"), t("fin_col_closed_by"),
             t("fin_col_closed_at")],
            [(v.day, *([v.shop] if chain else []), v.entries, money(v.debit_fen),
              money(v.credit_fen), v.closed_by, local_time(v.closed_at)) for v in rows],
            title=whose(ctx, t("fin_closed_days_title"), where),
            right=(2, 3, 4) if chain else (1, 2, 3)))
