"""A platform's refund export against the books (平台对账): which refunds match, which the
platform made that are not posted here, which are posted here that the platform does not
list, and which amounts differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from rma_tui.service import PlatformRequestInput, as_utc, channel_value, day_bounds, local_day
from rma_tui.store.db import Database
from rma_tui.store.models import Slip


@dataclass(frozen=True)
class ReconcileRow:
    """One refund on either side: the platform's refund id, our slip, both amounts (fen;
    None where that side has none) and the day it was refunded (the platform's, else ours)."""

    refund_id: str | None
    slip: str | None
    theirs_fen: int | None
    ours_fen: int | None
    day: str | None = None


@dataclass(frozen=True)
class Reconciliation:
    """The four lists of a reconciliation, and the day range it covered."""

    channel: str
    start: date | None
    end: date | None
    matched: list[ReconcileRow] = field(default_factory=list)
    missing_here: list[ReconcileRow] = field(default_factory=list)  # refunded there only
    missing_there: list[ReconcileRow] = field(default_factory=list)  # posted here only
    differ: list[ReconcileRow] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when every refund matches on both sides."""
        return not (self.missing_here or self.missing_there or self.differ)

    def totals(self) -> tuple[int, int]:
        """What the platform's file refunded and what the books hold, in the range (fen)."""
        rows = [*self.matched, *self.missing_here, *self.missing_there, *self.differ]
        return (sum(r.theirs_fen or 0 for r in rows), sum(r.ours_fen or 0 for r in rows))

    def as_dict(self) -> dict[str, Any]:
        """The `rma reconcile --json` contract."""
        def rows(xs: list[ReconcileRow]) -> list[dict[str, Any]]:
            return [{"refund_id": r.refund_id, "slip": r.slip, "theirs_fen": r.theirs_fen,
                     "ours_fen": r.ours_fen, "day": r.day} for r in xs]
        theirs, ours = self.totals()
        return {"channel": self.channel,
                "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None,
                "matched": rows(self.matched), "missing_here": rows(self.missing_here),
                "missing_there": rows(self.missing_there), "differ": rows(self.differ),
                "theirs_fen": theirs, "ours_fen": ours, "balanced": self.balanced}


def _day(at: datetime | None) -> str | None:
    return local_day(as_utc(at)) if at is not None else None


def reconcile(db: Database, channel: str, rows: Sequence[PlatformRequestInput],
              start: date | None = None, end: date | None = None) -> Reconciliation:
    """Compare the platform's refunds (`rows` whose status is refunded) with the platform
    refunds posted here for `channel`, over the local days `start`..`end` (both inclusive;
    not given: the days the file's rows span). A row without a time counts in any range."""
    channel = channel_value(channel, "platform")
    refunded = [r for r in rows if r.status == "refunded"]
    days = sorted(d for d in (_day(r.modified_at or r.requested_at) for r in refunded) if d)
    if start is None and days:
        start = date.fromisoformat(days[0])
    if end is None and days:
        end = date.fromisoformat(days[-1])

    def in_range(day: str | None) -> bool:
        if day is None:
            return True
        return (start is None or day >= start.isoformat()) and \
            (end is None or day <= end.isoformat())

    theirs = {r.refund_id: r for r in refunded
              if in_range(_day(r.modified_at or r.requested_at))}
    with db.read() as s:
        q = select(Slip).where(Slip.channel == channel, col(Slip.platform_refund_fen) > 0)
        if start is not None:
            q = q.where(col(Slip.platform_refunded_at) >= day_bounds(start)[0])
        if end is not None:
            q = q.where(col(Slip.platform_refunded_at) < day_bounds(end)[1])
        ours = list(s.exec(q.order_by(col(Slip.platform_refunded_at), col(Slip.id))).all())
        # A refund id in the file may be posted here outside the range (on another day).
        others = {x.platform_ref: x for x in s.exec(
            select(Slip).where(Slip.channel == channel,
                               col(Slip.platform_ref).in_(list(theirs)))).all()}
        out = Reconciliation(channel, start, end)
        seen: set[str] = set()
        for slip in ours:
            ref = slip.platform_ref
            day = _day(slip.platform_refunded_at)
            if ref is not None and ref in theirs:
                seen.add(ref)
                r = theirs[ref]
                row = ReconcileRow(ref, slip.number, r.amount_fen, slip.platform_refund_fen,
                                   _day(r.modified_at or r.requested_at) or day)
                same = r.amount_fen == slip.platform_refund_fen
                (out.matched if same else out.differ).append(row)
            else:
                out.missing_there.append(ReconcileRow(ref, slip.number, None,
                                                      slip.platform_refund_fen, day))
        for ref, r in theirs.items():
            if ref in seen:
                continue
            here = others.get(ref)
            day = _day(r.modified_at or r.requested_at)
            if here is not None and here.platform_refund_fen:
                row = ReconcileRow(ref, here.number, r.amount_fen, here.platform_refund_fen, day)
                same = r.amount_fen == here.platform_refund_fen
                (out.matched if same else out.differ).append(row)
            else:
                out.missing_here.append(ReconcileRow(ref, here.number if here else None,
                                                     r.amount_fen, None, day))
        return out
