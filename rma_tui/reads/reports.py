"""Read-only report queries (analysis, 数据分析): what comes back, how much, and how often.

Every figure is computed by the database with GROUP BY through SQLAlchemy Core selects;
Python only merges the two grouped results (returns and sales) by group key, so the work
grows with the number of groups, never with the number of rows.

Conventions
-----------
* What each returns column counts (the titles say the same in zh and en):
  - *claimed* (slips, units, value): slip lines of slips created in the window and not
    rejected or cancelled (``EXCLUDED_STATUSES``), drafts included; value = units × the
    sale's unit price (what the customer asks back), by the slip's ``created_at``;
  - *refunded* (units, amount, per method) and *fees* (restocking fees and deductions kept):
    the return slips whose refund was posted in the window, by the refund entry's time
    (``journal_entries.at``, kind ``refund``): a refund is counted when and where the money
    moved, so the figures are the journal's to the fen (a platform's refund is posted when
    its export is imported, before our slip is settled);
  - *exchanged* (units, value of the goods taken back): exchange slips whose exchange was
    posted in the window (kind ``exchange``);
  - *pending* (units, value): claimed lines whose slip is still on its way (draft to
    inspected) and has no refund posted yet;
  - the return rates: claimed units / units sold and claimed value / value sold (sales by
    their ``sold_at``; value = units × price with tax, as paid).
  A period (month, week) row holds what was claimed and what was settled in that period:
  a slip claimed in May and refunded in June is in May's claims and June's refunds.
* ``since`` / ``until`` are local calendar dates, both inclusive: ``since`` 00:00 local up to
  (not including) the day after ``until`` 00:00 local, converted to UTC for the query.
* Units sold per group use the same dimension where sales have it (product, channel,
  customer, month). Sales have no reason, so every reason row is rated against all units
  sold in the period (that reason's share of everything sold).
* The return rate is shown only when units sold >= the policy's ``min_sample``; else None.
* Periods (month, week) are ranges of the stored UTC times: each local month (or week from
  its Monday) becomes a row (key, start, end) of a small VALUES table, the boundaries
  computed in Python at local midnight (so any zone, daylight saving included), and the
  facts are joined to it by range. On SQLite that is one range scan of a covering index
  per period (``ix_sale_lines_sold_product_qty``, ``slips.created_at``): no function of
  every row, and the same SQL runs on PostgreSQL.
* Units sold come from sale lines alone: each line carries its sale's ``sold_at``,
  ``channel`` and ``customer_id`` (migration 0004), each with a covering index, so no
  report joins a million lines to their sales.
* Shops: every report takes ``shop`` (None: the whole chain, the same queries as
  before). A return belongs to the shop that handled it (``Slip.shop``: buy anywhere, return
  anywhere), a sale to the shop that made it (``SaleLine.shop``, copied from the sale). The
  filter is an extra condition only when a shop is asked for, so the chain's reports keep
  their index-only plans; a shop's report scans its rows (no index leads with ``shop``).
  ``by="shop"`` gives one row per shop of the chain and, when there are several, a total
  row (key ``TOTAL_KEY``): the owner's "every shop and a total".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    and_,
    case,
    column,
    func,
    literal_column,
    select,
    values,
)
from sqlmodel import col

from rma_tui.policy import Policy
from rma_tui.reads.forecast import Forecast, forecast_next
from rma_tui.store.db import Database
from rma_tui.store.models import (
    Customer,
    JournalEntry,
    Product,
    SaleLine,
    Shop,
    Slip,
    SlipLine,
)

DIMENSIONS = ("product", "reason", "channel", "customer", "supplier", "month", "week", "shop")
# The key of the chain's total row of a by-shop report (no shop code can hold it).
TOTAL_KEY = "Σ"
PERIODS = ("month", "week")
EXCLUDED_STATUSES = ("rejected", "cancelled")


@dataclass(frozen=True)
class ReturnsRow:
    """One group of the returns report (see the module's conventions for what each column
    counts). Money in fen; a rate is None below the minimum sample."""

    key: str
    name: str
    slips: int
    units_claimed: int
    value_claimed_fen: int
    units_refunded: int
    refund_fen: int
    fees_fen: int
    units_exchanged: int
    value_exchanged_fen: int
    units_pending: int
    value_pending_fen: int
    units_sold: int
    value_sold_fen: int
    rate: float | None
    rate_value: float | None
    # Refunded amount per refund method (every method of REFUND_METHODS, zero or not).
    refund_by_method: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON and CSV output."""
        return asdict(self)


def local_day_start(d: date) -> datetime:
    """00:00 local time of `d`, in UTC (the columns' type stores and compares UTC)."""
    return datetime.combine(d, time()).astimezone().astimezone(UTC)


def _as_utc(dt: datetime) -> datetime:
    """A time read back from the database as aware UTC (SQLite returns it naive)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _period_start(period: str, key: str) -> date:
    """The first local day of the period `key` (`YYYY-MM`, or a week's Monday)."""
    if period == "month":
        return date(int(key[:4]), int(key[5:7]), 1)
    return date.fromisoformat(key)


def periods_table(period: str, first: date, last: date) -> Any:
    """A VALUES table (k, lo, hi): every period from the one holding `first` to the one
    holding `last`, with its start and end (exclusive) as UTC times. Join facts to it with
    `in_period`."""
    rows = []
    k, end = period_of(period, first), period_of(period, last)
    while k <= end:
        nk = _next_period(period, k)
        rows.append((k, local_day_start(_period_start(period, k)),
                     local_day_start(_period_start(period, nk))))
        k = nk
    # A CTE: SQLite has no column list on a VALUES subquery, `WITH periods(k, lo, hi)` works.
    return values(column("k", String), column("lo", DateTime(timezone=True)),
                  column("hi", DateTime(timezone=True)), name="periods").data(rows).cte()


def in_period(periods: Any, column_: Any) -> ColumnElement[bool]:
    """The join condition putting a stored UTC time into its row of `periods_table`."""
    return and_(column_ >= periods.c.lo, column_ < periods.c.hi)


def _span(s: Any, column_: Any, conds: Sequence[Any], since: date | None,
          until: date | None) -> tuple[date, date] | None:
    """The local dates of the first and last `column_` value meeting `conds` (narrowed to
    the dates asked), or None when there is none."""
    # Two queries: SQLite answers min() or max() alone from the index's first or last
    # entry, but scans the whole table for both in one SELECT.
    lo = s.execute(select(func.min(column_)).where(*conds)).scalar()
    hi = s.execute(select(func.max(column_)).where(*conds)).scalar()
    if lo is None:
        return None
    first = _as_utc(lo).astimezone().date()
    last = _as_utc(hi).astimezone().date()
    return (max(first, since) if since else first, min(last, until) if until else last)


def window(column: Any, since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """Conditions keeping `column` (a stored UTC time) within local days [since, until].
    A range that ends before it starts is refused (`range_backwards`), not read as empty."""
    if since is not None and until is not None and since > until:
        from rma_tui.errors import DomainError

        raise DomainError("range_backwards", field="since", since=since.isoformat(),
                          until=until.isoformat())
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        conds.append(column >= local_day_start(since))
    if until is not None:
        conds.append(column < local_day_start(until + timedelta(days=1)))
    return conds


def in_table_order(column: Any) -> Any:
    """`column + 0`: the same value, but SQLite no longer walks an index on the column to
    save the GROUP BY its sort. Walking ix_slip_lines_product_id (or ix_slips_customer_id)
    reads a quarter of a million rows in random order; scanning them in table order and
    sorting the few hundred groups is ~3x faster. PostgreSQL plans it as before. (A
    literal, not a bound parameter: PostgreSQL needs the GROUP BY expression to be the
    selected one, text for text.)"""
    return column + literal_column("0")


def shop_conds(column_: Any, shop: str | None) -> list[ColumnElement[bool]]:
    """The condition keeping one shop's rows (`column_` is a `shop` column); none for the
    whole chain (None), so the chain's queries stay exactly as they were."""
    return [] if shop is None else [column_ == shop]


# Slip states past settlement: a claimed line of any other kept state is pending.
SETTLED_STATUSES = ("settled", "closed")
# The journal entry kinds that settle a slip (one per slip: I8).
SETTLING_KINDS = ("refund", "exchange")


def _claimed(key: Any, kept: Sequence[Any], periods: Any = None,
             with_product: bool = False) -> Any:
    """Claimed slips, units and value, and the pending part of them, of the slip lines
    meeting `kept`, grouped by `key`; with `periods` the slips join their period by range."""
    value = col(SlipLine.qty) * col(SlipLine.unit_price_fen)
    pending = and_(col(Slip.status).not_in(SETTLED_STATUSES),
                   col(Slip.platform_refund_fen) == 0)
    q: Any = select(
        key.label("k"),
        func.count(func.distinct(col(Slip.id))).label("slips"),
        func.coalesce(func.sum(SlipLine.qty), 0).label("units"),
        func.coalesce(func.sum(value), 0).label("value"),
        func.coalesce(func.sum(case((pending, col(SlipLine.qty)), else_=0)), 0).label("p_units"),
        func.coalesce(func.sum(case((pending, value), else_=0)), 0).label("p_value"),
    )
    if periods is not None:
        q = q.select_from(periods).join(Slip, in_period(periods, Slip.created_at))
        q = q.join(SlipLine, col(SlipLine.slip_id) == col(Slip.id))
    else:
        q = q.select_from(SlipLine).join(Slip, col(Slip.id) == col(SlipLine.slip_id))
    if with_product:  # each line finds its product by primary key (not the reverse)
        q = q.join(Product, col(Product.id) == in_table_order(col(SlipLine.product_id)))
    return q.where(*kept).group_by(key)


def _settled(key: Any, conds: Sequence[Any], periods: Any = None,
             with_product: bool = False) -> Any:
    """Units, value and refund of the slip lines whose slip was settled by a journal entry
    (refund or exchange) meeting `conds`, grouped by `key`, entry kind and refund method;
    with `periods` the entries join their period by range."""
    q: Any = select(
        key.label("k"),
        col(JournalEntry.kind).label("kind"),
        col(Slip.refund_method).label("method"),
        func.coalesce(func.sum(SlipLine.qty), 0).label("units"),
        func.coalesce(func.sum(col(SlipLine.qty) * col(SlipLine.unit_price_fen)), 0)
        .label("value"),
        func.coalesce(func.sum(SlipLine.refund_fen), 0).label("refund"),
        col(Slip.rest_method).label("rest_method"),
        func.coalesce(func.sum(SlipLine.rest_fen), 0).label("rest"),
    )
    if periods is not None:
        q = q.select_from(periods).join(JournalEntry, in_period(periods, JournalEntry.at))
    else:
        q = q.select_from(JournalEntry)
    q = (q.join(Slip, col(Slip.id) == col(JournalEntry.slip_id))
         .join(SlipLine, col(SlipLine.slip_id) == col(Slip.id)))
    if with_product:
        q = q.join(Product, col(Product.id) == in_table_order(col(SlipLine.product_id)))
    return (q.where(col(JournalEntry.kind).in_(SETTLING_KINDS), *conds)
            .group_by(key, col(JournalEntry.kind), col(Slip.refund_method),
                      col(Slip.rest_method)))


@dataclass
class _Group:
    """The figures of one group as they are gathered from the three grouped reads."""

    slips: int = 0
    units: int = 0
    value: int = 0
    p_units: int = 0
    p_value: int = 0
    r_units: int = 0
    refund: int = 0
    fees: int = 0
    x_units: int = 0
    x_value: int = 0
    by_method: dict[str, int] = field(default_factory=dict)

    def add_settled(self, kind: str, method: str | None, units: int, value: int,
                    refund: int, rest_method: str | None = None, rest: int = 0) -> None:
        """Fold in one (kind, method, rest method) row of `_settled`: a split refund counts
        under each of its methods with its part."""
        if kind == "refund":
            self.r_units += units
            self.refund += refund
            self.fees += value - refund
            for m, part in ((method or "", refund - rest), (rest_method or "", rest)):
                if part or m == (method or ""):
                    self.by_method[m] = self.by_method.get(m, 0) + part
        else:
            self.x_units += units
            self.x_value += value


def _rate(part: int, whole: int, min_whole: int) -> float | None:
    return part / whole if whole and whole >= min_whole else None


def returns_report(db: Database, by: str, since: date | None = None,
                   until: date | None = None, policy: Policy | None = None,
                   shop: str | None = None) -> list[ReturnsRow]:
    """The returns report per group of `by` (one of `DIMENSIONS`) for [since, until] in
    `shop` (None: the whole chain): claimed, refunded (per method) with fees, exchanged and
    pending units and value, units and value sold, and the return rates by units and by
    value (see the module's conventions for what each counts, and by which time).

    Rows are ordered by units claimed (most first), then key; a group appears when it has
    claims or settlements (reason rows need returns to exist at all). By shop: every shop
    of the chain (or the one asked for), by code, then a total row (key `TOTAL_KEY`) when
    there are several. By period: periods in time order."""
    if by not in DIMENSIONS:
        from rma_tui.errors import DomainError

        raise DomainError("bad_choice", field="by", value=by, allowed=", ".join(DIMENSIONS))
    from rma_tui import service

    if policy is None:
        policy = service.policy()

    ret_key: Any = None
    sold_key: Any = None
    if by == "product":
        ret_key, sold_key = in_table_order(col(SlipLine.product_id)), SaleLine.product_id
    elif by == "reason":
        ret_key = SlipLine.reason_code
    elif by == "channel":
        ret_key, sold_key = Slip.channel, SaleLine.channel
    elif by == "customer":
        ret_key, sold_key = in_table_order(col(Slip.customer_id)), SaleLine.customer_id
    elif by == "supplier":
        ret_key = Product.supplier
    elif by == "shop":
        ret_key, sold_key = Slip.shop, SaleLine.shop
    kept = [col(Slip.status).not_in(EXCLUDED_STATUSES), *window(Slip.created_at, since, until),
            *shop_conds(Slip.shop, shop)]
    posted = [*window(JournalEntry.at, since, until), *shop_conds(Slip.shop, shop)]
    sold_in = [*window(SaleLine.sold_at, since, until), *shop_conds(SaleLine.shop, shop)]
    units_sold_sql = func.coalesce(func.sum(SaleLine.qty), 0).label("units")
    value_sold_sql = func.coalesce(
        func.sum(col(SaleLine.qty) * col(SaleLine.unit_price_fen)), 0).label("value")
    with_product = by == "supplier"

    with db.read() as s:
        periods: Any = None
        claim_key = settle_key = ret_key
        if by in PERIODS:
            # The span of every slip's time and every settling entry's (index ends, no
            # scan): filtering on status here would scan every slip; an empty period
            # costs nothing.
            spans = [x for x in (
                _span(s, Slip.created_at, window(Slip.created_at, since, until), since, until),
                _span(s, JournalEntry.at, window(JournalEntry.at, since, until), since, until),
            ) if x is not None]
            if not spans:
                return []
            periods = periods_table(by, min(x[0] for x in spans), max(x[1] for x in spans))
            claim_key = settle_key = sold_key = periods.c.k
        groups: dict[Any, _Group] = {}
        for r in s.execute(_claimed(claim_key, kept, periods, with_product)).all():
            groups[r.k] = _Group(int(r.slips), int(r.units), int(r.value), int(r.p_units),
                                 int(r.p_value))
        for r in s.execute(_settled(settle_key, posted, periods, with_product)).all():
            groups.setdefault(r.k, _Group()).add_settled(
                r.kind, r.method, int(r.units), int(r.value), int(r.refund), r.rest_method,
                int(r.rest))

        sold: dict[Any, tuple[int, int]]
        if by == "reason":
            total = s.execute(select(units_sold_sql, value_sold_sql).where(*sold_in)).one()
            sold = {k: (int(total.units), int(total.value)) for k in groups}
        elif by == "supplier":
            # Per product from the covering index first, then per supplier: a few hundred
            # products joined, not a million lines.
            per_product = (select(col(SaleLine.product_id).label("p"), units_sold_sql,
                                  value_sold_sql)
                           .where(*sold_in).group_by(col(SaleLine.product_id)).subquery())
            sold = {r.k: (int(r.units), int(r.value)) for r in s.execute(
                select(col(Product.supplier).label("k"),
                       func.sum(per_product.c.units).label("units"),
                       func.sum(per_product.c.value).label("value"))
                .join(per_product, per_product.c.p == col(Product.id))
                .group_by(col(Product.supplier))).all()}
        else:
            sold_q: Any = select(sold_key.label("k"), units_sold_sql, value_sold_sql)
            if periods is not None:
                sold_q = sold_q.select_from(periods).join(
                    SaleLine, in_period(periods, SaleLine.sold_at))
            sold = {r.k: (int(r.units), int(r.value))
                    for r in s.execute(sold_q.where(*sold_in).group_by(sold_key)).all()}
        names = _names(s, by, list(groups))
        if by == "shop":
            # Every shop gets its row, quiet or not: the owner compares all of them.
            shops = s.execute(select(col(Shop.code), col(Shop.name))
                              .where(*shop_conds(Shop.code, shop))).all()
            names = {c: (c, n) for c, n in shops}
            for c, _ in shops:
                groups.setdefault(c, _Group())
    methods = service.REFUND_METHODS
    rows = [_row(k, g, sold.get(k, (0, 0)), names, methods, policy.min_sample)
            for k, g in groups.items()]  # one per group, not per row
    if by == "shop":
        rows.sort(key=lambda x: x.key)
        if len(rows) > 1:
            rows.append(_total_row(rows, methods, policy.min_sample))
    elif by in PERIODS:  # periods read in time order
        rows.sort(key=lambda x: x.key)
    else:  # what comes back most first
        rows.sort(key=lambda x: (-x.units_claimed, x.key))
    return rows


def _row(k: Any, g: _Group, sold: tuple[int, int], names: dict[Any, tuple[str, str]],
         methods: Sequence[str], min_sample: int) -> ReturnsRow:
    plain = "" if k is None else str(k)
    key, name = names.get(k, (plain, plain))
    units_sold, value_sold = sold
    return ReturnsRow(
        key, name, g.slips, g.units, g.value, g.r_units, g.refund, g.fees, g.x_units,
        g.x_value, g.p_units, g.p_value, units_sold, value_sold,
        _rate(g.units, units_sold, min_sample),
        # The sample is counted in units for both rates: a few dear units are no sample.
        _rate(g.value, value_sold, 1) if units_sold >= min_sample else None,
        {m: g.by_method.get(m, 0) for m in methods})


def _total_row(rows: Sequence[ReturnsRow], methods: Sequence[str],
               min_sample: int) -> ReturnsRow:
    """The chain's total of a by-shop report: every count summed, the rates recomputed."""
    def total(name: str) -> int:
        return sum(getattr(r, name) for r in rows)

    g = _Group(slips=total("slips"), units=total("units_claimed"),
               value=total("value_claimed_fen"), p_units=total("units_pending"),
               p_value=total("value_pending_fen"), r_units=total("units_refunded"),
               refund=total("refund_fen"), fees=total("fees_fen"),
               x_units=total("units_exchanged"), x_value=total("value_exchanged_fen"),
               by_method={m: sum(r.refund_by_method.get(m, 0) for r in rows) for m in methods})
    sold = (sum(r.units_sold for r in rows), sum(r.value_sold_fen for r in rows))
    return replace(_row(TOTAL_KEY, g, sold, {}, methods, min_sample), name="")


def _names(s: Any, by: str, keys: Sequence[Any]) -> dict[Any, tuple[str, str]]:
    """Key and name to show for id group keys: product SKU and name, customer phone and
    name (the ids themselves mean nothing to a shop)."""
    ids = [k for k in keys if k is not None]
    if by == "product" and ids:
        found = s.execute(select(col(Product.id), col(Product.sku), col(Product.name))
                          .where(col(Product.id).in_(ids))).all()
        return {p.id: (p.sku, p.name) for p in found}
    if by == "customer" and ids:
        q = select(col(Customer.id), col(Customer.name), col(Customer.phone))
        # Thousands of ids bound into one IN (...) cost more than reading every customer.
        found = s.execute(q.where(col(Customer.id).in_(ids)) if len(ids) <= 500 else q).all()
        return {c.id: (c.phone, c.name) for c in found}
    return {}


# ---------------------------------------------------------------------------------------
# Problem products: the highest return rates and amounts, with the leading reason
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemProduct:
    """A product that comes back: units and value claimed (slips not rejected or cancelled,
    value = units × the sale's price), the return rate by units (None below the minimum
    sample) and the leading reason."""

    sku: str
    name: str
    supplier: str
    units_claimed: int
    units_sold: int
    rate: float | None
    value_claimed_fen: int
    top_reason: str
    top_reason_units: int

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON and CSV output."""
        return asdict(self)


def problem_products(db: Database, since: date | None = None, until: date | None = None,
                     limit: int = 10, policy: Policy | None = None,
                     shop: str | None = None) -> list[ProblemProduct]:
    """Products ranked by return rate (those above the minimum sample first), then by value
    claimed; each with its leading reason (most units; ties by reason code). In `shop`: the
    returns it handled against the units it sold (None: the whole chain)."""
    if policy is None:
        from rma_tui import service

        policy = service.policy()
    by_reason: Any = (
        select(in_table_order(col(SlipLine.product_id)).label("p"),
               col(SlipLine.reason_code).label("r"),
               func.count(func.distinct(col(Slip.id))).label("slips"),
               func.sum(SlipLine.qty).label("units"),
               func.sum(col(SlipLine.qty) * col(SlipLine.unit_price_fen)).label("value"))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(col(Slip.status).not_in(EXCLUDED_STATUSES), *window(Slip.created_at, since, until),
               *shop_conds(Slip.shop, shop))
        .group_by(in_table_order(col(SlipLine.product_id)), col(SlipLine.reason_code))
    )
    sold_q: Any = (
        select(col(SaleLine.product_id).label("p"), func.sum(SaleLine.qty).label("units"))
        .group_by(col(SaleLine.product_id))
    )
    if since is not None or until is not None:
        sold_q = sold_q.where(*window(SaleLine.sold_at, since, until))
    if shop is not None:
        sold_q = sold_q.where(*shop_conds(SaleLine.shop, shop))
    with db.read() as s:
        groups = s.execute(by_reason).all()
        ids = sorted({g.p for g in groups})
        sold: dict[int, int] = {}
        products: dict[int, Any] = {}
        if ids:
            sold_q = sold_q.where(col(SaleLine.product_id).in_(ids))
            sold = {r.p: int(r.units) for r in s.execute(sold_q).all()}
            products = {p.id: p for p in s.execute(
                select(col(Product.id), col(Product.sku), col(Product.name),
                       col(Product.supplier)).where(col(Product.id).in_(ids))).all()}
    totals: dict[int, list[Any]] = {}
    for g in groups:  # one per product and reason, not per row
        t = totals.setdefault(g.p, [0, 0, "", -1])
        t[0] += int(g.units)
        t[1] += int(g.value)
        if int(g.units) > t[3] or (int(g.units) == t[3] and g.r < t[2]):
            t[2], t[3] = g.r, int(g.units)
    rows = []
    for pid, (units, value, reason, reason_units) in totals.items():
        units_sold = sold.get(pid, 0)
        rate = units / units_sold if units_sold >= policy.min_sample and units_sold else None
        p = products[pid]
        rows.append(ProblemProduct(p.sku, p.name, p.supplier, units, units_sold, rate, value,
                                   reason, reason_units))
    rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0.0), -r.value_claimed_fen, r.sku))
    return rows[:limit]


# ---------------------------------------------------------------------------------------
# Trend: returns per week or month, every period present, and the next one forecast
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """Returns claimed in one period (a month `YYYY-MM` or a week by its Monday
    `YYYY-MM-DD`): slips, units and their value (units × the sale's price), by the slips'
    creation, as the returns report's claimed columns count them."""

    period: str
    slips: int
    units: int
    value_claimed_fen: int


def _next_period(period: str, key: str) -> str:
    if period == "month":
        y, m = int(key[:4]), int(key[5:7])
        return f"{y + m // 12:04d}-{m % 12 + 1:02d}"
    return (date.fromisoformat(key) + timedelta(days=7)).isoformat()


def trend(db: Database, period: str = "month", since: date | None = None,
          until: date | None = None, shop: str | None = None) -> list[TrendPoint]:
    """Slips, units and value claimed per period from the first to the last period with returns
    (or the range asked), with the quiet periods in between as zeros: a forecast needs them.
    Only the returns `shop` handled when given (None: the whole chain)."""
    if period not in PERIODS:
        from rma_tui.errors import DomainError

        raise DomainError("bad_choice", field="period", value=period, allowed=", ".join(PERIODS))
    kept = [col(Slip.status).not_in(EXCLUDED_STATUSES), *window(Slip.created_at, since, until),
            *shop_conds(Slip.shop, shop)]
    with db.read() as s:
        # The chain's span (index ends, no scan): a shop's quiet first periods are dropped
        # below, as the chain's are.
        span = _span(s, Slip.created_at, window(Slip.created_at, since, until), since, until)
        if span is None:
            return []
        periods = periods_table(period, *span)
        found = {r.k: r for r in s.execute(_claimed(periods.c.k, kept, periods)).all()}
    if not found:
        return []
    first, last = min(found), max(found)
    if since is not None:
        first = min(first, period_of(period, since))
    if until is not None:
        last = max(last, period_of(period, until))
    points = []
    k = first
    while k <= last:
        r = found.get(k)
        points.append(TrendPoint(k, int(r.slips), int(r.units), int(r.value)) if r
                      else TrendPoint(k, 0, 0, 0))
        k = _next_period(period, k)
    return points


def period_of(period: str, d: date) -> str:
    """The key of the period (month `YYYY-MM`, week by its Monday) that holds day `d`."""
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return (d - timedelta(days=d.weekday())).isoformat()


def next_period(period: str, key: str) -> str:
    """The period after `key` (the one a forecast is for)."""
    return _next_period(period, key)


@dataclass(frozen=True)
class TrendForecast:
    """A trend with the forecast of one period: the next one, or the current one when it
    is still under way (then `partial` holds what has come back so far)."""

    period: str
    points: list[TrendPoint]  # complete periods only
    for_period: str | None
    forecast: Forecast | None
    partial: TrendPoint | None


def trend_forecast(db: Database, period: str = "month", since: date | None = None,
                   until: date | None = None, today: date | None = None,
                   measure: str = "units", shop: str | None = None) -> TrendForecast:
    """The trend of `measure` (a `TrendPoint` field: slips, units or value_claimed_fen) with
    Holt's forecast (see `rma_tui.reads.forecast`) for the period after the last complete
    one. A period still under way on `today` is not learnt from (it would look like a
    fall): it is forecast instead.
    `shop`: that shop's returns only (None: the whole chain)."""
    today = today or datetime.now().astimezone().date()
    points = trend(db, period, since, until, shop=shop)
    current = period_of(period, today)
    partial = None
    if points and points[-1].period >= current:
        partial = next((p for p in points if p.period == current), None)
        points = [p for p in points if p.period < current]
    if not points:
        return TrendForecast(period, [], None, None, partial)
    series = [float(getattr(p, measure)) for p in points]
    return TrendForecast(period, points, _next_period(period, points[-1].period),
                         forecast_next(series), partial)
