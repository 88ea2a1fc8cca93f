"""The finance screen's tabs drawn: each one's heading, its ✓ / ✗ status line (store
credit, trial balance, daily close) and its table, from what `rma_tui.reads.finance` (or
the service, for the daily close) read for a `Query`.

`fill_tab(tab, query, data, out)` draws one tab into `out` (a `TabOut`); the table has
been emptied by the caller, who keeps its cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.widgets import DataTable, Static

from rma_tui import i18n
from rma_tui.money import yuan
from rma_tui.widgets.common import local_time, phone_text

# Days shown by the by-day tabs, months by the income tab, store-credit holders listed.
PERIOD_DAYS = 30
PERIOD_MONTHS = 12
TOP_HOLDERS = 20
# The tabs with a status line under their heading.
STATUS_TABS = ("credit", "trial", "close")
# The accounts money is paid through (cash, bank, receivable, store credit): the daily close
# shows each one's net change on its normal side.
PAYMENT_ACCOUNTS = ("1001", "1002", "1122", "2205")
# Widths (cells) of the journal's kind and memo/account columns: [narrow, wide].
KIND_WIDTH = (12, 20)
MEMO_WIDTH = (26, 40)


@dataclass(frozen=True)
class Query:
    """What a tab shows: the tab, the chosen day, the journal page and kind filter, and
    the shop (None: every shop) -- part of the key, so another shop's figures are read
    afresh, never shown from the cache."""

    tab: str
    day: date
    page: int = 0
    kind: str | None = None
    shop: str | None = None


@dataclass(frozen=True)
class TabOut:
    """Where a tab is drawn and what the drawing depends on: its table and heading, its
    status line (None for the tabs without one), the role whose view of phones is shown,
    and whether the screen is wide (the journal's columns are capped less)."""

    table: DataTable[str | Text]
    head: Static
    status: Static | None
    role: str | None
    wide: bool

    def status_line(self) -> Static:
        """The tab's status line (only the tabs in `STATUS_TABS` have one)."""
        if self.status is None:
            raise LookupError("this tab has no status line")
        return self.status


def months(day: date) -> tuple[str, str]:
    """The first and last month (YYYY-MM) of the income tab for `day`."""
    index = day.year * 12 + day.month - 1 - (PERIOD_MONTHS - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}", f"{day.year:04d}-{day.month:02d}"


def _period(query: Query) -> str:
    """The days the by-day tabs show (up to the query's day), as their headings say it."""
    since = query.day - timedelta(days=PERIOD_DAYS - 1)
    return i18n.t("fin_period", since=since.isoformat(), until=query.day.isoformat())


def _fill_refunds(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    head.update(i18n.t("fin_refunds_heading", period=_period(query)))
    _columns(table, "fin_col_day", "fin_col_method", "fin_col_slips", "fin_col_refund")
    for r in data:
        table.add_row(r.day, i18n.label("method", r.method), _num(r.slips),
                      _money(r.refund_fen))
    if data:
        table.add_row(Text(i18n.t("fin_total"), style="bold"), "",
                      _num(sum(r.slips for r in data)),
                      _money(sum(r.refund_fen for r in data), bold=True))
    else:
        table.add_row(i18n.t("fin_empty"), "", "", "")


def _fill_exchanges(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    head.update(i18n.t("fin_exchanges_heading", period=_period(query)))
    _columns(table, "fin_col_day", "fin_col_slips", "fin_col_collected",
             "fin_col_paid_back", "fin_col_net")
    for r in data:
        table.add_row(r.day, _num(r.slips), _money(r.collected_fen),
                      _money(r.paid_back_fen), _money(r.net_fen))
    if data:
        collected = sum(r.collected_fen for r in data)
        paid = sum(r.paid_back_fen for r in data)
        table.add_row(Text(i18n.t("fin_total"), style="bold"),
                      _num(sum(r.slips for r in data)), _money(collected, bold=True),
                      _money(paid, bold=True), _money(collected - paid, bold=True))
    else:
        table.add_row(i18n.t("fin_empty"), "", "", "", "")


def _fill_credit(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    head.update(i18n.t("fin_credit_heading", top=TOP_HOLDERS))
    status = out.status_line()
    status.update(i18n.t("fin_credit_summary", customers=data.customers_fen,
                         account=data.account_fen, holders=data.holders,
                         mark="✓" if data.agrees else "✗"))
    status.set_class(data.agrees, "-ok")
    status.set_class(not data.agrees, "-bad")
    _columns(table, "fin_col_customer", "fin_col_phone", "fin_col_credit_balance")
    for h in data.top:
        table.add_row(Text(h.name), phone_text(out.role, h.phone), _money(h.credit_fen))


def _fill_receivable(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    rows, balance = data
    head.update(i18n.t("fin_receivable_heading", period=_period(query),
                       balance=balance))
    _columns(table, "fin_col_time", "fin_col_kind", "fin_col_slip", "fin_col_customer",
             "fin_col_debit", "fin_col_credit", "fin_col_user")
    for r in rows:
        table.add_row(local_time(r.at), _kind(r.kind), r.slip or Text(r.memo),
                      Text(r.customer or "—"), _money(r.debit_fen),
                      _money(r.credit_fen), Text(r.user))
    if not rows:
        table.add_row(i18n.t("fin_empty"), "", "", "", "", "", "")


def _fill_journal(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    entries = data[0]
    kind = _kind(query.kind) if query.kind else i18n.t("fin_kind_all")
    head.update(i18n.t("fin_journal_heading", until=query.day.isoformat(),
                       page=query.page + 1, kind=kind))
    # Entry rows carry the memo, their posting rows the account in the same column, and
    # the wordy columns are capped, so the amounts stay on screen at 80 columns.
    table.add_column(i18n.t("fin_col_time"), key="time")
    wide = out.wide
    table.add_column(i18n.t("fin_col_kind"), key="kind", width=KIND_WIDTH[wide])
    table.add_column(i18n.t("fin_col_memo_account"), key="memo", width=MEMO_WIDTH[wide])
    _columns(table, "fin_col_debit", "fin_col_credit", "fin_col_user")
    for e in entries:
        table.add_row(Text(local_time(e.at), style="bold"), Text(_kind(e.kind), style="bold"),
                      Text(e.slip or e.memo, style="bold"), _money(e.debit_fen, bold=True),
                      _money(e.credit_fen, bold=True), Text(e.user))
        for p in e.postings:
            table.add_row("", "", Text(f"  {p.account} {_account(p.account)}"),
                          _money(p.debit_fen) if p.debit_fen else "",
                          _money(p.credit_fen) if p.credit_fen else "", "")
    if not entries:
        table.add_row(i18n.t("fin_empty"), "", "", "", "", "")


def _fill_trial(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    head.update(i18n.t("fin_trial_heading", until=query.day.isoformat()))
    status = out.status_line()
    status.update(i18n.t("fin_balanced" if data.balanced else "fin_unbalanced",
                         debit=data.debit_fen, credit=data.credit_fen))
    status.set_class(data.balanced, "-ok")
    status.set_class(not data.balanced, "-bad")
    _columns(table, "fin_col_account", "fin_col_debit", "fin_col_credit", "fin_col_side",
             "fin_col_balance")
    for r in data.rows:
        table.add_row(Text(f"{r.code} {_account(r.code)}"), _money(r.debit_fen),
                      _money(r.credit_fen), i18n.t(f"fin_side_{r.side}"),
                      _money(r.balance_fen))
    mark = "✓" if data.balanced else "✗"
    table.add_row(Text(f"{i18n.t('fin_total')} {mark}", style="bold"),
                  _money(data.debit_fen, bold=True), _money(data.credit_fen, bold=True),
                  "", "")


def _fill_close(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    head.update(i18n.t("fin_close_heading", day=query.day.isoformat()))
    status = out.status_line()
    even = data.debit_fen == data.credit_fen
    mark = i18n.t("fin_balanced" if even else "fin_unbalanced", debit=data.debit_fen,
                  credit=data.credit_fen)
    if data.closed_by:
        text = i18n.t("fin_close_closed", user=data.closed_by,
                      at=data.closed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                      entries=data.entries)
    else:
        text = i18n.t("fin_close_open", entries=data.entries)
    status.update(f"{text}\n{mark}")
    status.set_class(bool(data.closed_by) and even, "-ok")
    status.set_class(not even, "-bad")
    _columns(table, "fin_col_item", "fin_col_method", "fin_col_slips", "fin_col_amount")
    totals = data.totals
    lines = [("fin_line_sales", "payment", totals.get("sales", {}), {}),
             ("fin_line_refunds", "method", totals.get("refunds", {}),
              totals.get("refund_slips", {})),
             ("fin_line_exchange_in", "method", totals.get("exchange_in", {}), {}),
             ("fin_line_exchange_out", "method", totals.get("exchange_out", {}), {})]
    for key, kind, amounts, counts in lines:
        for method in sorted(amounts):
            count = counts.get(method)
            table.add_row(i18n.t(key), i18n.label(kind, method),
                          _num(count) if count is not None else "",
                          _money(int(amounts[method])))
    # Where the money of the day went, per payment account (net of debit and credit).
    for code in PAYMENT_ACCOUNTS:
        debit, credit = totals.get("accounts", {}).get(code, (0, 0))
        if debit or credit:
            table.add_row(i18n.t("fin_line_account"), f"{code} {_account(code)}", "",
                          _money(debit - credit if side_of(code) == "debit"
                                 else credit - debit))
    if not table.row_count:
        table.add_row(i18n.t("fin_close_nothing"), "", "", "")


def _fill_income(query: Query, data: Any, out: TabOut) -> None:
    table, head = out.table, out.head
    from rma_tui.reads.finance import income_total

    since, until = months(query.day)
    head.update(i18n.t("fin_income_heading", since=since, until=until))
    _columns(table, "fin_col_month", "fin_col_gross_sales", "fin_col_returns",
             "fin_col_net_sales", "fin_col_cogs", "fin_col_margin", "fin_col_write_off",
             "fin_col_other_income")
    rows = [*data, income_total(data)] if data else []
    for r in rows:
        bold = r.month == "Σ"
        table.add_row(Text(i18n.t("fin_total") if bold else r.month,
                           style="bold" if bold else ""),
                      _money(r.gross_sales_fen, bold), _money(r.returns_fen, bold),
                      _money(r.net_sales_fen, bold), _money(r.cogs_fen, bold),
                      _money(r.gross_margin_fen, bold), _money(r.write_off_fen, bold),
                      _money(r.other_income_fen, bold))
    if not rows:
        table.add_row(i18n.t("fin_empty"), "", "", "", "", "", "", "")


def fill_tab(tab: str, query: Query, data: Any, out: TabOut) -> None:
    """Draw tab `tab` (a key of the screen's TABS) from `data` read for `query`."""
    FILLERS[tab](query, data, out)


def _columns(table: DataTable[str | Text], *keys: str) -> None:
    for key in keys:
        table.add_column(i18n.t(key), key=key)


def _money(fen: int, bold: bool = False) -> Text:
    return Text(yuan(fen), justify="right", style="bold" if bold else "")


def _num(n: int) -> Text:
    return Text(str(n), justify="right")


def _kind(kind: str) -> str:
    """A journal entry kind in the current language (an unknown kind as its code)."""
    key = f"fin_kind_{kind}"
    text = i18n.t(key)
    return kind if text == key else text


def side_of(code: str) -> str:
    """The normal side of an account ("debit" or "credit")."""
    from rma_tui.reads.finance import side_of as side

    return side(code)


def _account(code: str) -> str:
    """An account's name in the current language."""
    from rma_tui.service import account_name  # loaded with the session by now

    return account_name(code, i18n.get_lang())


# Tab -> the function drawing it.
FILLERS = {
    "refunds": _fill_refunds,
    "exchanges": _fill_exchanges,
    "credit": _fill_credit,
    "receivable": _fill_receivable,
    "journal": _fill_journal,
    "trial": _fill_trial,
    "close": _fill_close,
    "income": _fill_income,
}
