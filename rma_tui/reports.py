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

from rma_tui.policy import Policy
from rma_tui.store.db import Database
from rma_tui.store.models import Customer, Product, Sale, SaleLine, Slip, SlipLine

DIMENSIONS = ("product", "reason", "channel", "customer", "month")
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


def _window(column: Any, since: date | None, until: date | None) -> list[ColumnElement[bool]]:
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
    else:
        ret_key, sold_key = _month_expr(db, Slip.created_at), _month_expr(db, Sale.sold_at)

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
               *_window(Slip.created_at, since, until))
        .group_by(ret_key)
    )
    sold_cols = [func.coalesce(func.sum(SaleLine.qty), 0).label("units")]
    sold_q = (
        select(*([sold_key.label("k")] if sold_key is not None else []), *sold_cols)
        .select_from(SaleLine)
        .join(Sale, col(Sale.id) == col(SaleLine.sale_id))
        .where(*_window(Sale.sold_at, since, until))
    )
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
    if by == "month":  # periods read in time order
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
