"""The daily close (日结): a shop's day counted and signed; no posting may be added to it
afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.clock import as_utc, day_bounds, local_day, utcnow
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    once_per_request,
    only_shop,
    shop_code,
    write_shop,
)
from rma_tui.service.views import DayCloseView
from rma_tui.service.vocabulary import CLOSE_DAY_ROLES
from rma_tui.store.db import Database
from rma_tui.store.models import DailyClose, JournalEntry, Posting, Sale, SaleLine, Slip


def day_figures(
    s: Session, start: datetime, end: datetime, shop: str | None
) -> tuple[int, int, int, dict[str, Any]]:
    """Σ debit, Σ credit, entry count and the per-account / per-method totals of a shop's
    day (None: the whole chain's)."""
    in_day = (col(JournalEntry.at) >= start) & (col(JournalEntry.at) < end)
    sold = (col(Sale.sold_at) >= start) & (col(Sale.sold_at) < end)
    settled = (col(Slip.settled_at) >= start) & (col(Slip.settled_at) < end)
    if shop is not None:
        in_day &= col(JournalEntry.shop) == shop
        sold &= col(Sale.shop) == shop
        settled &= col(Slip.shop) == shop
    per_account = s.execute(
        select(Posting.account_code, func.sum(Posting.debit_fen), func.sum(Posting.credit_fen))
        .join(JournalEntry, col(JournalEntry.id) == col(Posting.entry_id))
        .where(in_day)
        .group_by(col(Posting.account_code))
        .order_by(col(Posting.account_code))
    ).all()
    entries = int(s.exec(select(func.count()).select_from(JournalEntry).where(in_day)).one())
    sales = s.execute(
        select(Sale.payment_method, func.sum(SaleLine.qty * SaleLine.unit_price_fen))
        .join(SaleLine, col(SaleLine.sale_id) == col(Sale.id))
        .where(sold)
        .group_by(col(Sale.payment_method))
    ).all()
    # A split refund counts under each of its two methods, with its part.
    refunds = [*s.execute(
        select(Slip.refund_method, func.sum(Slip.refund_fen - Slip.rest_fen), func.count())
        .where(settled, Slip.type == "return")
        .group_by(col(Slip.refund_method))
    ).all(), *s.execute(
        select(Slip.rest_method, func.sum(Slip.rest_fen), func.count())
        .where(settled, Slip.type == "return", col(Slip.rest_fen) > 0)
        .group_by(col(Slip.rest_method))
    ).all()]
    exchanges = s.execute(
        select(
            Slip.refund_method,
            func.sum(case((col(Slip.difference_fen) > 0, col(Slip.difference_fen)), else_=0)),
            func.sum(case((col(Slip.difference_fen) < 0, -col(Slip.difference_fen)), else_=0)),
        )
        .where(settled, Slip.type == "exchange")
        .group_by(col(Slip.refund_method))
    ).all()
    totals: dict[str, Any] = {
        "accounts": {a: [int(d or 0), int(c or 0)] for a, d, c in per_account},
        "sales": {m: int(v or 0) for m, v in sales},
        "refunds": _summed((m, int(v or 0)) for m, v, _ in refunds),
        "refund_slips": _summed((m, int(n)) for m, _, n in refunds),
        "exchange_in": {m: int(v or 0) for m, v, _ in exchanges if v},
        "exchange_out": {m: int(v or 0) for m, _, v in exchanges if v},
    }
    debit = sum(d for d, _ in totals["accounts"].values())
    credit = sum(c for _, c in totals["accounts"].values())
    return debit, credit, entries, totals


def day_totals(db: Database, day: date, shop: str | None = None) -> DayCloseView:
    """A shop's day totals as a close would record them (closed_by empty while it is open).

    Without a shop: the only shop's, or in a chain the sum of every shop's (never closed as
    one: each shop closes its own day)."""
    start, end = day_bounds(day)
    with db.read() as s:
        if shop is not None:
            shop = shop_code(s, shop)
        else:
            shop = only_shop(s)
        if shop is not None:
            closed = s.exec(select(DailyClose).where(
                DailyClose.day == day.isoformat(), DailyClose.shop == shop)).first()
            if closed is not None:
                return _close_view(closed)
        debit, credit, entries, totals = day_figures(s, start, end, shop)
        return DayCloseView(day.isoformat(), debit, credit, entries, totals, "", start, shop)


def _close_view(c: DailyClose) -> DayCloseView:
    return DayCloseView(
        c.day,
        c.debit_fen,
        c.credit_fen,
        c.entries,
        json.loads(c.totals_json),
        c.closed_by,
        as_utc(c.closed_at),
        c.shop,
    )


def close_day(
    db: Database,
    actor: str,
    day: date,
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> DayCloseView:
    """Close a shop's business day (日结): record its totals and who closed it; after this no
    posting of that shop dated that day can be added. Refused for a future day, a closed day
    or an uneven one."""
    now = now or utcnow()
    if not isinstance(day, date) or isinstance(day, datetime):
        raise DomainError("bad_date", field="date", value=str(day))
    if day.isoformat() > local_day(now):
        raise DomainError("day_in_future", field="date", day=day.isoformat())
    start, end = day_bounds(day)
    with db.write() as s:
        user = acting_user(s, actor, CLOSE_DAY_ROLES)
        where = write_shop(s, user, shop)
        this_day = (DailyClose.day == day.isoformat()) & (DailyClose.shop == where)

        def work() -> str:
            if s.exec(select(DailyClose.id).where(this_day)).first():
                raise DomainError("day_closed", field="date", day=day.isoformat())
            debit, credit, entries, totals = day_figures(s, start, end, where)
            if debit != credit:
                raise DomainError("journal_unbalanced", field="journal", debit=debit, credit=credit)
            s.add(
                DailyClose(
                    day=day.isoformat(),
                    starts_at=start,
                    ends_at=end,
                    totals_json=json.dumps(totals, sort_keys=True),
                    debit_fen=debit,
                    credit_fen=credit,
                    entries=entries,
                    closed_by=user.name,
                    closed_at=now,
                    shop=where,
                )
            )
            append_audit(
                s,
                user.name,
                "close_day",
                now,
                detail={
                    "day": day.isoformat(),
                    "debit": debit,
                    "credit": credit,
                    "entries": entries,
                    "shop": where,
                },
                request_id=request_id,
            )
            return day.isoformat()

        once_per_request(s, request_id, "close_day", [user.name, day.isoformat(), where], work, now)
        closed = s.exec(select(DailyClose).where(this_day)).one()
        return _close_view(closed)


def closed_days(db: Database, limit: int = 60, shop: str | None = None) -> list[DayCloseView]:
    """The most recent closed days, newest first: one shop's, or (None) every shop's."""
    with db.read() as s:
        q = select(DailyClose)
        if shop is not None:
            q = q.where(DailyClose.shop == shop)
        rows = s.exec(q.order_by(col(DailyClose.day).desc(), col(DailyClose.shop))
                      .limit(limit)).all()
        return [_close_view(c) for c in rows]


def _summed(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    """(key, value) pairs summed per key, keys in first-seen order."""
    out: dict[str, int] = {}
    for key, value in pairs:
        out[key] = out.get(key, 0) + value
    return out
