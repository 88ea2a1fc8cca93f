"""The compliance report (合规报告) for a period: what was let through, what was turned down,
and what waited too long.

* **Exceptions**: slips approved against a failed policy rule, who overrode and why.
* **Late slips**: slips whose return window had passed when they were made.
* **Rejections**: rejected slips with who rejected them and the reason given.
* **Time in state**: for each lifecycle state, how many stays began in the period, how many
  went over the policy's target (`[target_hours]` in the policy file), the longest; and the
  slips sitting over target right now.

Stays come from the audit trail: each state change opens a stay that the slip's next state
change ends (a window function, LEAD, pairs them in SQL), or `now` for a slip still in it.
Only the slips of the period's exceptions are parsed in Python (their stored verdicts).

`shop` keeps the slips one shop handled (``Slip.shop``), their stays included;
None is the whole chain, the same queries as before.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlmodel import col

from rma_tui.policy import Policy
from rma_tui.reads.reports import shop_conds as _shop
from rma_tui.reads.reports import window as _window
from rma_tui.store.db import Database
from rma_tui.store.models import AuditEvent, Slip


@dataclass(frozen=True)
class ExceptionRow:
    """A slip let through against a rule."""

    number: str
    created_by: str
    created_at: datetime
    override_by: str
    reason: str
    failed_rules: list[str]


@dataclass(frozen=True)
class RejectedRow:
    """A slip turned down."""

    number: str
    created_by: str
    rejected_by: str
    rejected_at: datetime
    reason: str


@dataclass(frozen=True)
class StateTime:
    """Stays in one state that began in the period."""

    state: str
    target_hours: int | None
    stays: int
    over_target: int
    longest_hours: float


@dataclass(frozen=True)
class OverdueRow:
    """A slip in a state longer than the target, now."""

    number: str
    state: str
    since: datetime
    hours: float
    target_hours: int


@dataclass(frozen=True)
class ComplianceReport:
    """The whole report for [since, until] (local dates; None = open-ended)."""

    since: date | None
    until: date | None
    slips: int
    exceptions: list[ExceptionRow] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    states: list[StateTime] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON."""
        return asdict(self)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _hours(db: Database, start: Any, end: Any) -> Any:
    """Hours between two stored times, in SQL (a dialect switch, like the report periods)."""
    if db.sqlite:
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return func.extract("epoch", end - start) / 3600.0


def compliance_report(db: Database, since: date | None = None, until: date | None = None,
                      now: datetime | None = None, policy: Policy | None = None,
                      limit: int = 500, shop: str | None = None) -> ComplianceReport:
    """Exceptions, late slips, rejections and time in state for slips of the period (the
    slips `shop` handled, when given)."""
    if policy is None:
        from rma_tui import service

        policy = service.policy()
    now = _utc(now or datetime.now(UTC))
    in_period = [*_window(Slip.created_at, since, until), *_shop(Slip.shop, shop)]
    with db.read() as s:
        slips = int(s.execute(select(func.count()).select_from(Slip).where(*in_period))
                    .scalar_one())
        failed = s.execute(
            select(col(Slip.number), col(Slip.created_by), col(Slip.created_at),
                   col(Slip.override_by), col(Slip.override_reason), col(Slip.verdict_json))
            .where(col(Slip.policy_ok).is_(False), *in_period)
            .order_by(col(Slip.created_at)).limit(limit)
        ).all()
        rejected = s.execute(
            select(col(Slip.number), col(Slip.created_by), col(AuditEvent.user),
                   col(AuditEvent.at), col(Slip.close_reason))
            .join(AuditEvent, and_(col(AuditEvent.slip_id) == col(Slip.id),
                                   col(AuditEvent.to_status) == "rejected"))
            .where(col(Slip.status) == "rejected", *in_period)
            .order_by(col(AuditEvent.at)).limit(limit)
        ).all()
        states, overdue = _stays(s, db, policy, since, until, now, limit, shop)
    exceptions, late = [], []
    for number, by, at, override_by, reason, verdict in failed:
        rules = [r["rule"] for r in json.loads(verdict or "[]") if not r.get("ok")]
        if "window" in rules:
            late.append(number)
        if override_by:
            exceptions.append(ExceptionRow(number, by, _utc(at), override_by, reason or "", rules))
    return ComplianceReport(
        since, until, slips, exceptions, late,
        [RejectedRow(n, by, who, _utc(at), reason or "") for n, by, who, at, reason in rejected],
        states, overdue,
    )


def _stays(s: Any, db: Database, policy: Policy, since: date | None, until: date | None,
           now: datetime, limit: int, shop: str | None = None
           ) -> tuple[list[StateTime], list[OverdueRow]]:
    # A shop's stays: the state changes of its slips only (before LEAD pairs them: a slip's
    # changes are all in one partition either way).
    of_shop = [] if shop is None else [
        col(AuditEvent.slip_id).in_(select(col(Slip.id)).where(*_shop(Slip.shop, shop)))]
    changes = (
        select(
            col(AuditEvent.slip_id).label("slip_id"),
            col(AuditEvent.to_status).label("state"),
            col(AuditEvent.at).label("start"),
            func.lead(AuditEvent.at).over(partition_by=col(AuditEvent.slip_id),
                                          order_by=col(AuditEvent.seq)).label("end"),
        )
        .where(col(AuditEvent.to_status).is_not(None), col(AuditEvent.slip_id).is_not(None),
               *of_shop)
        .subquery()
    )
    targets = {k: v for k, v in policy.target_hours.items() if v > 0}
    ended = func.coalesce(changes.c.end, literal(now))
    hours = _hours(db, changes.c.start, ended)
    target = case(*((changes.c.state == k, literal(v)) for k, v in targets.items()),
                  else_=None) if targets else literal(None)
    rows = s.execute(
        select(changes.c.state, func.count(), func.sum(case((hours > target, 1), else_=0)),
               func.max(hours))
        .where(changes.c.state.in_(list(targets)), *_window(changes.c.start, since, until))
        .group_by(changes.c.state)
    ).all()
    order = list(targets)
    states = sorted(
        (StateTime(st, targets.get(st), int(n), int(over or 0), round(float(mx or 0.0), 1))
         for st, n, over, mx in rows),
        key=lambda r: order.index(r.state),
    )
    # Slips in a timed state now: each one's last state change (one index seek per open
    # slip on ix_audit_events_slip_changes), not a second pass over the whole trail.
    since_change = (
        select(col(AuditEvent.at))
        .where(col(AuditEvent.slip_id) == col(Slip.id), col(AuditEvent.to_status).is_not(None))
        .order_by(col(AuditEvent.seq).desc()).limit(1)
        .correlate(Slip).scalar_subquery()
    )
    hours_now = _hours(db, since_change, literal(now))
    target_now = case(*((col(Slip.status) == k, literal(v)) for k, v in targets.items()),
                      else_=None) if targets else literal(None)
    open_now = s.execute(
        select(col(Slip.number), col(Slip.status), since_change, hours_now)
        .where(col(Slip.status).in_(list(targets)), hours_now > target_now,
               *_shop(Slip.shop, shop))
        .order_by(since_change).limit(limit)
    ).all()
    overdue = [OverdueRow(n, st, _utc(start), round(float(h), 1), targets[st])
               for n, st, start, h in open_now]
    return states, overdue
