"""Read-only report queries (analysis, 数据分析): what comes back, how much, and how often.

Every figure is computed by the database with GROUP BY through SQLAlchemy Core selects;
Python only merges the two grouped results (returns and sales) by group key, so the work
grows with the number of groups, never with the number of rows.

Conventions
-----------
* A slip counts unless it was rejected or cancelled (``EXCLUDED_STATUSES``); its period is
  its ``created_at``. Sales count by ``Sale.sold_at``.
* ``since`` / ``until`` are local calendar dates, both inclusive: ``since`` 00:00 local up to
  (not including) the day after ``until`` 00:00 local, converted to UTC for the query.
* Units sold per group use the same dimension where sales have it (product, channel,
  customer, month). Sales have no reason, so every reason row is rated against all units
  sold in the period (that reason's share of everything sold).
* The return rate is shown only when units sold >= the policy's ``min_sample``; else None.
* Month grouping (portable, no SQLite-only SQL in the shared path): the stored UTC time is
  shifted by the local zone's offset and formatted ``YYYY-MM`` with ``strftime`` on SQLite
  and ``to_char`` on PostgreSQL (``_month_expr``, a small dialect switch). The format and the
  offset are rendered as SQL literals, not bound parameters, so the GROUP BY expression is
  textually the same as the selected one (PostgreSQL requires that) and an index on the
  expression stays usable. The offset is the local zone's offset now: exact for the shops'
  zone (China has no daylight saving time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlmodel import col

from rma_tui.forecast import Forecast, forecast_next
from rma_tui.policy import Policy
from rma_tui.store.db import Database
from rma_tui.store.models import Customer, Product, Sale, SaleLine, Slip, SlipLine

DIMENSIONS = ("product", "reason", "channel", "customer", "supplier", "month", "week")
PERIODS = ("month", "week")
EXCLUDED_STATUSES = ("rejected", "cancelled")


@dataclass(frozen=True)
class ReturnsRow:
    """One group of the returns report. Money in fen; `rate` None below the minimum sample."""

    key: str
    name: str
    slips: int
    units_returned: int
    refund_fen: int
    units_sold: int
    rate: float | None

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON and CSV output."""
        return asdict(self)


def local_day_start(d: date) -> datetime:
    """00:00 local time of `d`, in UTC (the columns' type stores and compares UTC)."""
    return datetime.combine(d, time()).astimezone().astimezone(UTC)


def _local_offset_seconds() -> int:
    offset = datetime.now().astimezone().utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _month_expr(db: Database, column: Any) -> ColumnElement[Any]:
    """`YYYY-MM` of a stored UTC time in local time, in SQL (see the module docstring)."""
    secs = _local_offset_seconds()
    if db.sqlite:
        return func.strftime(literal_column("'%Y-%m'"), column,
                             literal_column(f"'{secs:+d} seconds'"))
    # PostgreSQL
    shifted = column + literal_column(f"INTERVAL '{secs} seconds'")
    return func.to_char(shifted, literal_column("'YYYY-MM'"))


def _week_expr(db: Database, column: Any) -> ColumnElement[Any]:
    """The Monday (`YYYY-MM-DD`, local time) of the week of a stored UTC time, in SQL."""
    secs = _local_offset_seconds()
    if db.sqlite:
        # 'weekday 0' moves forward to Sunday (or stays on one); six days back is Monday.
        return func.date(column, literal_column(f"'{secs:+d} seconds'"),
                         literal_column("'weekday 0'"), literal_column("'-6 days'"))
    shifted = column + literal_column(f"INTERVAL '{secs} seconds'")
    return func.to_char(func.date_trunc(literal_column("'week'"), shifted),
                        literal_column("'YYYY-MM-DD'"))


def period_expr(db: Database, period: str, column: Any) -> ColumnElement[Any]:
    """The local month (`YYYY-MM`) or week (its Monday) of a stored UTC time, in SQL."""
    return _month_expr(db, column) if period == "month" else _week_expr(db, column)


def window(column: Any, since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """Conditions keeping `column` (a stored UTC time) within local days [since, until]."""
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        conds.append(column >= local_day_start(since))
    if until is not None:
        conds.append(column < local_day_start(until + timedelta(days=1)))
    return conds


def returns_report(db: Database, by: str, since: date | None = None,
                   until: date | None = None, policy: Policy | None = None
                   ) -> list[ReturnsRow]:
    """Slip count, units returned, refund (fen), units sold and return rate per group of
    `by` (one of `DIMENSIONS`), for slips created and sales made in [since, until].

    Rows are ordered by units returned (most first), then key; groups with sales but no
    returns are left out (except that reason rows need returns to exist at all)."""
    if by not in DIMENSIONS:
        from rma_tui.errors import DomainError

        raise DomainError("bad_choice", field="by", value=by, allowed=", ".join(DIMENSIONS))
    if policy is None:
        from rma_tui import service

        policy = service.policy()

    ret_key: Any
    sold_key: Any
    if by == "product":
        ret_key, sold_key = SlipLine.product_id, SaleLine.product_id
    elif by == "reason":
        ret_key, sold_key = SlipLine.reason_code, None
    elif by == "channel":
        ret_key, sold_key = Slip.channel, Sale.channel
    elif by == "customer":
        ret_key, sold_key = Slip.customer_id, Sale.customer_id
    elif by == "supplier":
        ret_key, sold_key = Product.supplier, Product.supplier
    else:
        ret_key = period_expr(db, by, Slip.created_at)
        sold_key = period_expr(db, by, Sale.sold_at)

    ret_q = (
        select(
            ret_key.label("k"),
            func.count(func.distinct(col(Slip.id))).label("slips"),
            func.coalesce(func.sum(SlipLine.qty), 0).label("units"),
            func.coalesce(func.sum(SlipLine.refund_fen), 0).label("refund"),
        )
        .select_from(SlipLine)
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(col(Slip.status).not_in(EXCLUDED_STATUSES),
               *window(Slip.created_at, since, until))
        .group_by(ret_key)
    )
    if by == "supplier":
        ret_q = ret_q.join(Product, col(Product.id) == col(SlipLine.product_id))
    sold_cols = [func.coalesce(func.sum(SaleLine.qty), 0).label("units")]
    sold_q: Any = (
        select(*([sold_key.label("k")] if sold_key is not None else []), *sold_cols)
        .select_from(SaleLine)
    )
    # Sales are joined only when a date or a sale's own column is needed: grouping the
    # lines alone by product reads the covering index (product_id, qty) and nothing else.
    if since is not None or until is not None or by not in ("product", "supplier", "reason"):
        sold_q = sold_q.join(Sale, col(Sale.id) == col(SaleLine.sale_id)).where(
            *window(Sale.sold_at, since, until))
    if by == "supplier":
        sold_q = sold_q.join(Product, col(Product.id) == col(SaleLine.product_id))
    if sold_key is not None:
        sold_q = sold_q.group_by(sold_key)

    with db.read() as s:
        returned = s.execute(ret_q).all()
        if sold_key is None:
            total = int(s.execute(sold_q).scalar_one())
            sold: dict[Any, int] = {r.k: total for r in returned}
        else:
            sold = {r.k: int(r.units) for r in s.execute(sold_q).all()}
        names = _names(s, by, [r.k for r in returned])

    rows = []
    for r in returned:  # one per group, not per row
        units_sold = sold.get(r.k, 0)
        units = int(r.units)
        rate = units / units_sold if units_sold >= policy.min_sample and units_sold else None
        plain = "" if r.k is None else str(r.k)
        key, name = names.get(r.k, (plain, plain))
        rows.append(ReturnsRow(key, name, int(r.slips), units, int(r.refund), units_sold, rate))
    if by in PERIODS:  # periods read in time order
        rows.sort(key=lambda x: x.key)
    else:  # what comes back most first
        rows.sort(key=lambda x: (-x.units_returned, x.key))
    return rows


def _names(s: Any, by: str, keys: Sequence[Any]) -> dict[Any, tuple[str, str]]:
    """Key and name to show for id group keys: product SKU and name, customer phone and
    name (the ids themselves mean nothing to a shop)."""
    ids = [k for k in keys if k is not None]
    if by == "product" and ids:
        found = s.execute(select(col(Product.id), col(Product.sku), col(Product.name))
                          .where(col(Product.id).in_(ids))).all()
        return {p.id: (p.sku, p.name) for p in found}
    if by == "customer" and ids:
        found = s.execute(select(col(Customer.id), col(Customer.name), col(Customer.phone))
                          .where(col(Customer.id).in_(ids))).all()
        return {c.id: (c.phone, c.name) for c in found}
    return {}


# ---------------------------------------------------------------------------------------
# Problem products: the highest return rates and amounts, with the leading reason
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemProduct:
    """A product that comes back: rate (None below the minimum sample), amount, top reason."""

    sku: str
    name: str
    supplier: str
    units_returned: int
    units_sold: int
    rate: float | None
    refund_fen: int
    top_reason: str
    top_reason_units: int

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON and CSV output."""
        return asdict(self)


def problem_products(db: Database, since: date | None = None, until: date | None = None,
                     limit: int = 10, policy: Policy | None = None) -> list[ProblemProduct]:
    """Products ranked by return rate (those above the minimum sample first), then by refund
    amount; each with its leading reason (most units; ties by reason code)."""
    if policy is None:
        from rma_tui import service

        policy = service.policy()
    by_reason: Any = (
        select(col(SlipLine.product_id).label("p"), col(SlipLine.reason_code).label("r"),
               func.count(func.distinct(col(Slip.id))).label("slips"),
               func.sum(SlipLine.qty).label("units"),
               func.sum(SlipLine.refund_fen).label("refund"))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(col(Slip.status).not_in(EXCLUDED_STATUSES), *window(Slip.created_at, since, until))
        .group_by(col(SlipLine.product_id), col(SlipLine.reason_code))
    )
    sold_q: Any = (
        select(col(SaleLine.product_id).label("p"), func.sum(SaleLine.qty).label("units"))
        .group_by(col(SaleLine.product_id))
    )
    if since is not None or until is not None:
        sold_q = sold_q.join(Sale, col(Sale.id) == col(SaleLine.sale_id)).where(
            *window(Sale.sold_at, since, until))
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
        t[1] += int(g.refund)
        if int(g.units) > t[3] or (int(g.units) == t[3] and g.r < t[2]):
            t[2], t[3] = g.r, int(g.units)
    rows = []
    for pid, (units, refund, reason, reason_units) in totals.items():
        units_sold = sold.get(pid, 0)
        rate = units / units_sold if units_sold >= policy.min_sample and units_sold else None
        p = products[pid]
        rows.append(ProblemProduct(p.sku, p.name, p.supplier, units, units_sold, rate, refund,
                                   reason, reason_units))
    rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0.0), -r.refund_fen, r.sku))
    return rows[:limit]


# ---------------------------------------------------------------------------------------
# Trend: returns per week or month, every period present, and the next one forecast
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """Returns in one period (a month `YYYY-MM` or a week by its Monday `YYYY-MM-DD`)."""

    period: str
    slips: int
    units: int
    refund_fen: int


def _next_period(period: str, key: str) -> str:
    if period == "month":
        y, m = int(key[:4]), int(key[5:7])
        return f"{y + m // 12:04d}-{m % 12 + 1:02d}"
    return (date.fromisoformat(key) + timedelta(days=7)).isoformat()


def trend(db: Database, period: str = "month", since: date | None = None,
          until: date | None = None) -> list[TrendPoint]:
    """Slips, units and refund per period from the first to the last period with returns
    (or the range asked), with the quiet periods in between as zeros: a forecast needs them."""
    if period not in PERIODS:
        from rma_tui.errors import DomainError

        raise DomainError("bad_choice", field="period", value=period, allowed=", ".join(PERIODS))
    key = period_expr(db, period, Slip.created_at)
    q = (
        select(key.label("k"), func.count(func.distinct(col(Slip.id))).label("slips"),
               func.coalesce(func.sum(SlipLine.qty), 0).label("units"),
               func.coalesce(func.sum(SlipLine.refund_fen), 0).label("refund"))
        .select_from(SlipLine)
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(col(Slip.status).not_in(EXCLUDED_STATUSES), *window(Slip.created_at, since, until))
        .group_by(key)
    )
    with db.read() as s:
        found = {r.k: r for r in s.execute(q).all()}
    if not found:
        return []
    first, last = min(found), max(found)
    if since is not None:
        first = min(first, _period_of(period, since))
    if until is not None:
        last = max(last, _period_of(period, until))
    points = []
    k = first
    while k <= last:
        r = found.get(k)
        points.append(TrendPoint(k, int(r.slips), int(r.units), int(r.refund)) if r
                      else TrendPoint(k, 0, 0, 0))
        k = _next_period(period, k)
    return points


def _period_of(period: str, d: date) -> str:
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
                   measure: str = "units") -> TrendForecast:
    """The trend of `measure` (slips, units or refund_fen) with Holt's forecast (see
    `rma_tui.forecast`) for the period after the last complete one. A period still under
    way on `today` is not learnt from (it would look like a fall): it is forecast instead."""
    today = today or datetime.now().astimezone().date()
    points = trend(db, period, since, until)
    current = _period_of(period, today)
    partial = None
    if points and points[-1].period >= current:
        partial = next((p for p in points if p.period == current), None)
        points = [p for p in points if p.period < current]
    if not points:
        return TrendForecast(period, [], None, None, partial)
    series = [float(getattr(p, measure)) for p in points]
    return TrendForecast(period, points, _next_period(period, points[-1].period),
                         forecast_next(series), partial)
