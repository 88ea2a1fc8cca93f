"""Customer care: store-credit moves (储值) and after-sales follow-ups (回访)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.clock import as_utc, local_day, utcnow
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    choice_of,
    locked_slip,
    notify,
    once_per_request,
    qty_value,
    text_value,
)
from rma_tui.service.views import FollowUpView
from rma_tui.service.vocabulary import FOLLOW_UP_ROLES, ROLES
from rma_tui.store.db import Database
from rma_tui.store.models import CreditMove, Customer, FollowUp, Notification, Slip


def move_credit(
    s: Session,
    customer: Customer,
    delta: int,
    kind: str,
    user: str,
    now: datetime,
    slip: Slip | None = None,
) -> None:
    """Change a customer's store credit by one recorded move (never below zero)."""
    if delta == 0:
        return
    if customer.credit_fen + delta < 0:
        raise DomainError("credit_short", field="method", have=customer.credit_fen, need=-delta)
    customer.credit_fen += delta
    s.add(customer)
    s.add(
        CreditMove(
            customer_id=customer.id or 0,
            delta_fen=delta,
            balance_fen=customer.credit_fen,
            kind=kind,
            slip_id=slip.id if slip else None,
            user=user,
            at=now,
        )
    )


def customer_by_phone(s: Session, phone: str) -> Customer:
    """The customer with this phone number; refused clearly when there is none."""
    phone = text_value(phone, "phone", required=True, max_len=32)
    c = s.exec(select(Customer).where(Customer.phone == phone)).first()
    if c is None:
        raise DomainError("unknown_customer", field="phone", phone=phone)
    return c


def open_follow_up(
    s: Session,
    customer_id: int,
    note: str,
    due_at: datetime,
    user: str,
    now: datetime,
    slip: Slip | None = None,
    role: str = "clerk",
    auto: bool = False,
) -> FollowUp:
    """Add a follow-up (回访) for a customer, due at `due_at`, inside the caller's unit of work."""
    fu = FollowUp(
        customer_id=customer_id,
        slip_id=slip.id if slip else None,
        role=role,
        note=note,
        due_at=as_utc(due_at),
        auto=auto,
        created_by=user,
        created_at=now,
    )
    s.add(fu)
    s.flush()
    c = s.get(Customer, customer_id)
    notify(
        s,
        (role,),
        "follow_up",
        now,
        slip=slip,
        id=fu.id,
        customer=c.name if c else "",
        phone=c.phone if c else "",
        due=local_day(due_at),
    )
    return fu


def add_follow_up(
    db: Database,
    actor: str,
    phone: str,
    note: str,
    due_at: datetime,
    slip_number: str | None = None,
    role: str = "clerk",
    request_id: str | None = None,
    now: datetime | None = None,
) -> FollowUpView:
    """Note an after-sales follow-up on a customer, due at `due_at` (for `role`, the clerk)."""
    now = now or utcnow()
    note = text_value(note, "note", required=True)
    role = choice_of(role, ROLES, "role")
    if not isinstance(due_at, datetime):
        raise DomainError("bad_date", field="due", value=str(due_at))
    # A call-back is planned ahead: a day already gone would be overdue the moment it is made.
    if local_day(due_at) < local_day(now):
        raise DomainError(
            "due_in_past", field="due", due=local_day(due_at), today=local_day(now)
        )
    with db.write() as s:
        user = acting_user(s, actor, FOLLOW_UP_ROLES)
        c = customer_by_phone(s, phone)
        slip = locked_slip(s, slip_number, lock=False) if slip_number else None
        if slip is not None and slip.customer_id != c.id:
            raise DomainError("slip_not_customer", field="slip", slip=slip.number, phone=c.phone)

        def work() -> str:
            fu = open_follow_up(s, c.id or 0, note, due_at, user.name, now, slip, role)
            append_audit(
                s,
                user.name,
                "follow_up",
                now,
                slip,
                detail={"id": fu.id, "phone": c.phone, "due": as_utc(due_at).isoformat()},
                request_id=request_id,
            )
            return str(fu.id)

        fid, _ = once_per_request(
            s,
            request_id,
            "follow_up",
            [user.name, c.phone, note, as_utc(due_at).isoformat(), slip_number, role],
            work,
            now,
        )
        return _follow_up_views(s, [int(fid)])[0]


def complete_follow_up(
    db: Database,
    actor: str,
    follow_up_id: int,
    outcome: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
) -> FollowUpView:
    """Mark a follow-up done, with what came of it."""
    now = now or utcnow()
    fid = qty_value(follow_up_id, "id")
    outcome = text_value(outcome, "outcome")
    with db.write() as s:
        user = acting_user(s, actor, FOLLOW_UP_ROLES)
        fu = s.exec(select(FollowUp).where(FollowUp.id == fid).with_for_update()).first()
        if fu is None:
            raise DomainError("unknown_follow_up", field="id", id=fid)

        def work() -> str:
            if fu.done_at is not None:
                raise DomainError("follow_up_done", field="id", id=fid)
            fu.done_at, fu.done_by, fu.outcome = now, user.name, outcome
            s.add(fu)
            slip = s.get(Slip, fu.slip_id) if fu.slip_id else None
            append_audit(
                s,
                user.name,
                "follow_up_done",
                now,
                slip,
                detail={"id": fid, "outcome": outcome},
                request_id=request_id,
            )
            s.execute(
                update(Notification)
                .where(
                    col(Notification.key) == "follow_up",
                    col(Notification.read_at).is_(None),
                    col(Notification.params_json).contains(f'"id": {fid},'),
                )
                .values(read_at=now)
            )
            return str(fid)

        once_per_request(s, request_id, "follow_up_done", [user.name, fid, outcome], work, now)
        return _follow_up_views(s, [fid])[0]


def _follow_up_views(s: Session, ids: Sequence[int]) -> list[FollowUpView]:
    rows = s.exec(
        select(FollowUp, Customer, Slip.number)
        .join(Customer, col(Customer.id) == col(FollowUp.customer_id))
        .join(Slip, col(Slip.id) == col(FollowUp.slip_id), isouter=True)
        .where(col(FollowUp.id).in_(list(ids)))
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
    ).all()
    return [
        FollowUpView(
            fu.id or 0,
            c.name,
            c.phone,
            number,
            fu.role,
            fu.note,
            as_utc(fu.due_at),
            fu.auto,
            fu.created_by,
            as_utc(fu.done_at) if fu.done_at else None,
            fu.done_by,
            fu.outcome,
        )
        for fu, c, number in rows
    ]


def follow_ups(
    db: Database,
    phone: str | None = None,
    due_by: datetime | None = None,
    open_only: bool = True,
    limit: int = 200,
) -> list[FollowUpView]:
    """Follow-ups by due time: one customer's (`phone`), or the "to call back" list of
    everything open and due by `due_by`."""
    with db.read() as s:
        q = select(FollowUp.id).join(Customer, col(Customer.id) == col(FollowUp.customer_id))
        if phone:
            q = q.where(Customer.phone == phone.strip())
        if open_only:
            q = q.where(col(FollowUp.done_at).is_(None))
        if due_by is not None:
            q = q.where(col(FollowUp.due_at) <= as_utc(due_by))
        q = q.order_by(col(FollowUp.due_at), col(FollowUp.id)).limit(limit)
        return _follow_up_views(s, [int(i) for i in s.exec(q).all() if i is not None])
