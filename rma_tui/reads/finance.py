"""Read-only finance queries (财务): refunds, exchange differences, store credit, receivable
adjustments, the journal, the trial balance and the monthly income summary.

Every figure is summed by the database (GROUP BY); Python only reshapes the grouped rows
(one per group, never one per posting). Nothing here writes.

Periods are local calendar dates, both inclusive: ``since`` 00:00 local up to the day after
``until`` 00:00 local (`service.day_bounds`), compared with the stored UTC times.

Day and month grouping: the stored UTC time is shifted by the local zone's offset and
formatted in SQL (`_local_expr`: ``strftime`` on SQLite, ``to_char`` on PostgreSQL, the
same small dialect switch as `rma_tui.reads.reports`). The format and the offset are SQL literals,
not bound parameters, so the GROUP BY expression is textually the selected one (PostgreSQL
insists) and an expression index could serve it. Grouping in SQL keeps the work at one row
per group however many postings there are; the offset is the zone's offset now, which is
exact for the shops' zone (China has no daylight saving time).

Shops: every read but the store-credit liability takes ``shop`` (None: the whole
chain, the same query as before). Journal entries carry their shop (each entry belongs to
exactly one, so a shop's own trial balance balances); refunds and exchange differences are
the slips' shop's (the shop that handled the return paid or collected them). Store credit
stays chain-wide: customers are shared and spend their credit in any shop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlmodel import col

from rma_tui.errors import DomainError
from rma_tui.reads.reports import shop_conds as _shop
from rma_tui.reads.reports import window as _window
from rma_tui.service import ACCOUNTS, JOURNAL_KINDS, as_utc
from rma_tui.store.db import Database
from rma_tui.store.models import DEFAULT_SHOP, Customer, JournalEntry, Posting, Slip

RECEIVABLE, STORE_CREDIT = "1122", "2205"
REVENUE, RETURNS, OTHER_INCOME, COGS, WRITE_OFF = "6001", "6003", "6051", "6401", "6711"
# Accounts whose balance is on the debit side; the others (liability, equity, income)
# are credit-side.
DEBIT_KINDS = ("asset", "expense", "contra_income")


# -- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundRow:
    """Return slips settled on one local day with one refund method."""

    day: str
    method: str
    slips: int
    refund_fen: int


@dataclass(frozen=True)
class ExchangeRow:
    """Exchange slips settled on one local day: price differences collected from customers
    (they paid more) and paid back to them."""

    day: str
    slips: int
    collected_fen: int
    paid_back_fen: int

    @property
    def net_fen(self) -> int:
        """Collected minus paid back."""
        return self.collected_fen - self.paid_back_fen


@dataclass(frozen=True)
class CreditHolder:
    """A customer holding store credit."""

    name: str
    phone: str
    credit_fen: int


@dataclass(frozen=True)
class CreditLiability:
    """What the shop owes in store credit: the customers' balances and the 2205 account
    (the two agree while the books are true), the holders and the biggest of them."""

    customers_fen: int
    account_fen: int
    holders: int
    top: tuple[CreditHolder, ...]

    @property
    def agrees(self) -> bool:
        """True when the customers' balances equal the account's."""
        return self.customers_fen == self.account_fen


@dataclass(frozen=True)
class ReceivableRow:
    """One journal entry that touched accounts receivable (1122)."""

    entry_id: int
    at: datetime
    kind: str
    memo: str
    slip: str | None
    customer: str | None
    user: str
    debit_fen: int
    credit_fen: int


@dataclass(frozen=True)
class PostingRow:
    """One line of a journal entry."""

    account: str
    debit_fen: int
    credit_fen: int


@dataclass(frozen=True)
class JournalRow:
    """A journal entry (凭证) with its postings."""

    entry_id: int
    at: datetime
    kind: str
    memo: str
    slip: str | None
    user: str
    postings: tuple[PostingRow, ...]
    shop: str = DEFAULT_SHOP  # the shop whose books the entry is in

    @property
    def debit_fen(self) -> int:
        """Σ debit of the entry."""
        return sum(p.debit_fen for p in self.postings)

    @property
    def credit_fen(self) -> int:
        """Σ credit of the entry."""
        return sum(p.credit_fen for p in self.postings)


@dataclass(frozen=True)
class BalanceRow:
    """One account of the trial balance; `balance_fen` on the account's normal side."""

    code: str
    kind: str
    debit_fen: int
    credit_fen: int
    side: str  # "debit" or "credit"

    @property
    def balance_fen(self) -> int:
        """Debit − credit for debit-side accounts, credit − debit for the others."""
        if self.side == "debit":
            return self.debit_fen - self.credit_fen
        return self.credit_fen - self.debit_fen


@dataclass(frozen=True)
class TrialBalance:
    """Per-account totals over a period and their grand totals (equal when the books are);
    one shop's books, or (`shop` None) the whole chain's."""

    since: date | None
    until: date | None
    rows: tuple[BalanceRow, ...]
    debit_fen: int
    credit_fen: int
    shop: str | None = None

    @property
    def balanced(self) -> bool:
        """Σ debit = Σ credit."""
        return self.debit_fen == self.credit_fen


@dataclass(frozen=True)
class IncomeRow:
    """One month (YYYY-MM, local) of the income summary, in fen."""

    month: str
    gross_sales_fen: int
    returns_fen: int
    cogs_fen: int
    write_off_fen: int
    other_income_fen: int

    @property
    def net_sales_fen(self) -> int:
        """Gross sales less returns and allowances."""
        return self.gross_sales_fen - self.returns_fen

    @property
    def gross_margin_fen(self) -> int:
        """Net sales less the cost of goods sold (after return reversals)."""
        return self.net_sales_fen - self.cogs_fen

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON."""
        return {"month": self.month, "gross_sales_fen": self.gross_sales_fen,
                "returns_fen": self.returns_fen, "net_sales_fen": self.net_sales_fen,
                "cogs_fen": self.cogs_fen, "write_off_fen": self.write_off_fen,
                "other_income_fen": self.other_income_fen,
                "gross_margin_fen": self.gross_margin_fen}


# -- helpers -------------------------------------------------------------------------------


def _offset_seconds() -> int:
    offset = datetime.now().astimezone().utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _local_expr(db: Database, column: Any, unit: str) -> ColumnElement[Any]:
    """The local day (`unit` "day": YYYY-MM-DD) or month ("month": YYYY-MM) of a stored
    UTC time, in SQL (see the module docstring)."""
    secs = _offset_seconds()
    if db.sqlite:
        fmt = "'%Y-%m-%d'" if unit == "day" else "'%Y-%m'"
        return func.strftime(literal_column(fmt), column, literal_column(f"'{secs:+d} seconds'"))
    fmt = "'YYYY-MM-DD'" if unit == "day" else "'YYYY-MM'"
    shifted = column + literal_column(f"INTERVAL '{secs} seconds'")
    return func.to_char(shifted, literal_column(fmt))


def month_start(month: str) -> date:
    """The first day of a ``YYYY-MM`` month (ValueError when it is not one)."""
    year, mon = month.split("-")
    if len(year) != 4 or len(mon) != 2:
        raise ValueError(month)
    return date(int(year), int(mon), 1)


def month_end(month: str) -> date:
    """The last day of a ``YYYY-MM`` month."""
    first = month_start(month)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def side_of(code: str) -> str:
    """The normal side ("debit" / "credit") of an account code."""
    kind = ACCOUNTS.get(code, ("", "", "asset"))[2]
    return "debit" if kind in DEBIT_KINDS else "credit"


# -- reads ---------------------------------------------------------------------------------


def refunds_by_day(db: Database, since: date | None = None, until: date | None = None,
                   shop: str | None = None) -> list[RefundRow]:
    """Refunds posted per local day and refund method: count and Σ refund, newest day first
    (methods in code order within a day); the slips `shop` handled, when given.

    A refund counts on the day its journal entry was posted (a platform's refund when its
    export was imported, before our slip is settled), so these figures are the journal's
    and the returns report's "refunded" to the fen."""
    day = _local_expr(db, JournalEntry.at, "day")
    q = (
        select(day.label("d"), col(Slip.refund_method), col(Slip.rest_method),
               func.count().label("n"),
               func.coalesce(func.sum(Slip.refund_fen - Slip.rest_fen), 0).label("fen"),
               func.coalesce(func.sum(Slip.rest_fen), 0).label("rest"))
        .join(Slip, col(Slip.id) == col(JournalEntry.slip_id))
        .where(col(JournalEntry.kind) == "refund",
               *_window(JournalEntry.at, since, until), *_shop(Slip.shop, shop))
        .group_by(day, col(Slip.refund_method), col(Slip.rest_method))
    )
    # A split refund (to the customer's account and the rest another way) counts under
    # each of its methods with its part.
    rows: dict[tuple[str, str], list[int]] = {}
    with db.read() as s:
        for r in s.execute(q).all():
            parts = [(r.refund_method or "", int(r.fen))]
            if r.rest_method and int(r.rest):
                parts.append((r.rest_method, int(r.rest)))
            for method, fen in parts:
                row = rows.setdefault((r.d, method), [0, 0])
                row[0] += int(r.n)
                row[1] += fen
    keys = sorted(sorted(rows, key=lambda k: k[1]), key=lambda k: k[0], reverse=True)
    return [RefundRow(d, m, *rows[(d, m)]) for d, m in keys]


def exchanges_by_day(db: Database, since: date | None = None, until: date | None = None,
                     shop: str | None = None) -> list[ExchangeRow]:
    """Exchange slips settled per local day: count, differences collected and paid back,
    newest day first; the slips `shop` handled, when given."""
    day = _local_expr(db, Slip.settled_at, "day")
    diff = col(Slip.difference_fen)
    q = (
        select(day.label("d"), func.count().label("n"),
               func.coalesce(func.sum(case((diff > 0, diff), else_=0)), 0).label("inn"),
               func.coalesce(func.sum(case((diff < 0, -diff), else_=0)), 0).label("out"))
        .where(col(Slip.settled_at).is_not(None), col(Slip.type) == "exchange",
               *_window(Slip.settled_at, since, until), *_shop(Slip.shop, shop))
        .group_by(day)
        .order_by(day.desc())
    )
    with db.read() as s:
        return [ExchangeRow(r.d, int(r.n), int(r.inn), int(r.out)) for r in s.execute(q).all()]


def credit_liability(db: Database, top: int = 10) -> CreditLiability:
    """Store credit owed: Σ customers' balances, the 2205 account's credit balance, the
    number of holders and the `top` biggest holders."""
    with db.read() as s:
        total, holders = s.execute(
            select(func.coalesce(func.sum(Customer.credit_fen), 0),
                   func.count(case((col(Customer.credit_fen) != 0, 1))))
        ).one()
        account = s.execute(
            select(func.coalesce(func.sum(Posting.credit_fen - Posting.debit_fen), 0))
            .where(col(Posting.account_code) == STORE_CREDIT)
        ).scalar_one()
        rows = s.execute(
            select(col(Customer.name), col(Customer.phone), col(Customer.credit_fen))
            .where(col(Customer.credit_fen) != 0)
            .order_by(col(Customer.credit_fen).desc(), col(Customer.phone))
            .limit(top)
        ).all()
    return CreditLiability(int(total), int(account), int(holders),
                           tuple(CreditHolder(r.name, r.phone, int(r.credit_fen)) for r in rows))


def receivable_adjustments(db: Database, since: date | None = None, until: date | None = None,
                           limit: int = 50, offset: int = 0,
                           shop: str | None = None) -> list[ReceivableRow]:
    """Journal entries touching accounts receivable (1122), newest first, with the slip
    number and customer when the entry came from a slip; `shop`'s entries, when given."""
    q = (
        select(col(JournalEntry.id), col(JournalEntry.at), col(JournalEntry.kind),
               col(JournalEntry.memo), col(JournalEntry.user), col(Slip.number),
               col(Customer.name),
               func.sum(Posting.debit_fen).label("dr"), func.sum(Posting.credit_fen).label("cr"))
        .select_from(Posting)
        .join(JournalEntry, col(JournalEntry.id) == col(Posting.entry_id))
        .outerjoin(Slip, col(Slip.id) == col(JournalEntry.slip_id))
        .outerjoin(Customer, col(Customer.id) == col(Slip.customer_id))
        .where(col(Posting.account_code) == RECEIVABLE, *_window(JournalEntry.at, since, until),
               *_shop(JournalEntry.shop, shop))
        .group_by(col(JournalEntry.id), col(JournalEntry.at), col(JournalEntry.kind),
                  col(JournalEntry.memo), col(JournalEntry.user), col(Slip.number),
                  col(Customer.name))
        .order_by(col(JournalEntry.at).desc(), col(JournalEntry.id).desc())
        .limit(limit).offset(offset)
    )
    with db.read() as s:
        return [ReceivableRow(r.id, as_utc(r.at), r.kind, r.memo, r.number, r.name, r.user,
                              int(r.dr), int(r.cr)) for r in s.execute(q).all()]


def receivable_balance(db: Database, shop: str | None = None) -> int:
    """What customers owe the shop: the 1122 account's debit balance (in `shop`'s books
    when given, else the chain's)."""
    q = (select(func.coalesce(func.sum(Posting.debit_fen - Posting.credit_fen), 0))
         .where(col(Posting.account_code) == RECEIVABLE))
    if shop is not None:  # the chain's sum needs no join
        q = q.join(JournalEntry, col(JournalEntry.id) == col(Posting.entry_id)).where(
            *_shop(JournalEntry.shop, shop))
    with db.read() as s:
        return int(s.execute(q).scalar_one())


def journal(db: Database, since: date | None = None, until: date | None = None,
            kind: str | None = None, limit: int = 50, offset: int = 0,
            shop: str | None = None) -> list[JournalRow]:
    """Journal entries with their postings, newest first, one page (`limit`, `offset`),
    optionally of one `kind` only, of one `shop` only."""
    conds = [*_window(JournalEntry.at, since, until), *_shop(JournalEntry.shop, shop)]
    if kind:
        if kind not in JOURNAL_KINDS:  # a typo must not read as "there were none"
            raise DomainError("bad_choice", field="kind", value=kind,
                              allowed=", ".join(JOURNAL_KINDS))
        conds.append(col(JournalEntry.kind) == kind)
    q = (
        select(col(JournalEntry.id), col(JournalEntry.at), col(JournalEntry.kind),
               col(JournalEntry.memo), col(JournalEntry.user), col(Slip.number),
               col(JournalEntry.shop))
        .outerjoin(Slip, col(Slip.id) == col(JournalEntry.slip_id))
        .where(*conds)
        .order_by(col(JournalEntry.at).desc(), col(JournalEntry.id).desc())
        .limit(limit).offset(offset)
    )
    with db.read() as s:
        entries = s.execute(q).all()
        ids = [e.id for e in entries]
        lines: dict[int, list[PostingRow]] = {i: [] for i in ids}
        if ids:
            for p in s.execute(
                select(col(Posting.entry_id), col(Posting.account_code),
                       col(Posting.debit_fen), col(Posting.credit_fen))
                .where(col(Posting.entry_id).in_(ids))
                .order_by(col(Posting.entry_id), col(Posting.id))
            ).all():
                lines[p.entry_id].append(PostingRow(p.account_code, p.debit_fen, p.credit_fen))
    return [JournalRow(e.id, as_utc(e.at), e.kind, e.memo, e.number, e.user,
                       tuple(lines[e.id]), e.shop) for e in entries]


def journal_kinds(db: Database, shop: str | None = None) -> list[str]:
    """The entry kinds present in the journal (of `shop`, when given), for a filter."""
    with db.read() as s:
        return [k for (k,) in s.execute(
            select(col(JournalEntry.kind)).where(*_shop(JournalEntry.shop, shop)).distinct()
            .order_by(col(JournalEntry.kind))).all()]


def trial_balance(db: Database, since: date | None = None, until: date | None = None,
                  shop: str | None = None) -> TrialBalance:
    """Σ debit and Σ credit per account over the local days [since, until] (no `since`:
    from the first posting, i.e. balances as of `until`), every account of the chart
    listed, with the grand totals; `shop`'s books only, when given (each entry is one
    shop's, so a shop's totals balance as the chain's do)."""
    q = (
        select(col(Posting.account_code),
               func.coalesce(func.sum(Posting.debit_fen), 0).label("dr"),
               func.coalesce(func.sum(Posting.credit_fen), 0).label("cr"))
        .join(JournalEntry, col(JournalEntry.id) == col(Posting.entry_id))
        .where(*_window(JournalEntry.at, since, until), *_shop(JournalEntry.shop, shop))
        .group_by(col(Posting.account_code))
    )
    with db.read() as s:
        sums = {r.account_code: (int(r.dr), int(r.cr)) for r in s.execute(q).all()}
    codes = sorted(set(ACCOUNTS) | set(sums))
    rows = tuple(
        BalanceRow(c, ACCOUNTS.get(c, ("", "", ""))[2], *sums.get(c, (0, 0)), side_of(c))
        for c in codes)
    return TrialBalance(since, until, rows, sum(r.debit_fen for r in rows),
                        sum(r.credit_fen for r in rows), shop)


def income_by_month(db: Database, since: str | None = None, until: str | None = None,
                    shop: str | None = None) -> list[IncomeRow]:
    """The income summary per local month (YYYY-MM) from `since` to `until` (months,
    inclusive), oldest first: gross sales (6001), returns and allowances (6003), cost of
    goods sold net of return reversals (6401), write-offs (6711), other income (6051).
    Months without a posting on these accounts are left out. `shop`: its books only."""
    month = _local_expr(db, JournalEntry.at, "month")
    q = (
        select(month.label("m"), col(Posting.account_code),
               func.coalesce(func.sum(Posting.debit_fen), 0).label("dr"),
               func.coalesce(func.sum(Posting.credit_fen), 0).label("cr"))
        .select_from(Posting)
        .join(JournalEntry, col(JournalEntry.id) == col(Posting.entry_id))
        .where(col(Posting.account_code).in_((REVENUE, RETURNS, OTHER_INCOME, COGS, WRITE_OFF)),
               *_window(JournalEntry.at, month_start(since) if since else None,
                        month_end(until) if until else None),
               *_shop(JournalEntry.shop, shop))
        .group_by(month, col(Posting.account_code))
    )
    with db.read() as s:
        grouped = s.execute(q).all()
    # One row per (month, account): reshape into one row per month.
    per: dict[str, dict[str, tuple[int, int]]] = {}
    for r in grouped:
        per.setdefault(r.m, {})[r.account_code] = (int(r.dr), int(r.cr))
    rows = []
    for m in sorted(per):
        a = per[m]

        def debit_side(code: str, a: dict[str, tuple[int, int]] = a) -> int:
            d, c = a.get(code, (0, 0))
            return d - c

        rows.append(IncomeRow(m, -debit_side(REVENUE), debit_side(RETURNS), debit_side(COGS),
                              debit_side(WRITE_OFF), -debit_side(OTHER_INCOME)))
    return rows


def income_total(rows: Sequence[IncomeRow]) -> IncomeRow:
    """The months added up (month "Σ")."""
    return IncomeRow("Σ", sum(r.gross_sales_fen for r in rows), sum(r.returns_fen for r in rows),
                     sum(r.cogs_fen for r in rows), sum(r.write_off_fen for r in rows),
                     sum(r.other_income_fen for r in rows))
