"""Reads for the customers screen and the `rma customer` / `rma followup` commands.

A customer's whole history in a few SQL queries: the totals (purchased value, returned
value, slip counts, slips in the repeat-returner window) in one statement of scalar
subqueries, then one query per list (purchases, slips, feedback, store-credit moves), each
a page at a time. Nothing here writes; follow-ups are read through `rma_tui.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from rma_tui import service
from rma_tui.errors import DomainError
from rma_tui.service import FollowUpView, StatementLine, as_utc
from rma_tui.store.db import Database
from rma_tui.store.models import (
    CreditMove,
    Customer,
    Feedback,
    Sale,
    SaleLine,
    Slip,
    SlipLine,
)

# Rows per page of every list of the profile.
PAGE = 50


@dataclass(frozen=True)
class CustomerHit:
    """A customer found by name or phone, with how many sales and slips they have."""

    name: str
    phone: str
    channel: str
    credit_fen: int
    sales: int
    slips: int


@dataclass(frozen=True)
class PurchaseRow:
    """One sale to the customer: when, where, how paid, how many units, the total paid."""

    order: str
    sold_at: datetime
    channel: str
    payment_method: str
    units: int
    total_fen: int


@dataclass(frozen=True)
class SlipRow:
    """One return or exchange slip of the customer.

    `value_fen` is Σ line qty × unit price paid (what came back); `amount_fen` is the money
    of the slip: the refund of a return, the price difference of an exchange."""

    number: str
    type: str
    status: str
    units: int
    value_fen: int
    amount_fen: int
    created_at: datetime


@dataclass(frozen=True)
class FeedbackRow:
    """The customer's score (1-5) and comment on one slip, and who recorded it when."""

    slip: str
    score: int
    comment: str
    by: str
    at: datetime


@dataclass(frozen=True)
class CreditMoveRow:
    """One change of the customer's store credit and the balance after it."""

    delta_fen: int
    balance_fen: int
    kind: str
    slip: str | None
    user: str
    at: datetime


@dataclass(frozen=True)
class CustomerProfile:
    """A customer's whole history as the counter sees it.

    `return_rate` is returned value / purchased value (None when nothing was purchased);
    returned value counts every slip line (qty × unit price paid) of slips that were not
    rejected or cancelled. `repeat_returner` uses the review queue's rule: slips (not
    cancelled) in the 365 days up to `at` reach the policy's threshold. The lists hold the
    first page (newest first); the counts say how many there are in all."""

    name: str
    phone: str
    channel: str
    credit_fen: int
    at: datetime
    sales_count: int
    purchased_fen: int
    slips_count: int
    returned_fen: int
    return_rate: float | None
    slips_in_year: int
    repeat_threshold: int
    repeat_returner: bool
    purchases: tuple[PurchaseRow, ...]
    slips: tuple[SlipRow, ...]
    feedback: tuple[FeedbackRow, ...]
    follow_ups: tuple[FollowUpView, ...]
    credit_moves: tuple[CreditMoveRow, ...]
    credit_moves_count: int
    feedback_count: int
    # What the customer owes the shops now (应收账款, every shop of the chain), in fen,
    # and the latest moves of it (newest first, each with the running balance after it).
    receivable_fen: int = 0
    account_moves: tuple[StatementLine, ...] = ()

    @property
    def open_follow_ups(self) -> int:
        """How many follow-ups are not done yet."""
        return sum(1 for f in self.follow_ups if not f.done)


def _customer(s: Session, phone: str) -> Customer:
    phone = (phone or "").strip()
    c = s.exec(select(Customer).where(Customer.phone == phone)).first() if phone else None
    if c is None:
        raise DomainError("unknown_customer", field="phone", phone=phone)
    return c


def search_customers(db: Database, query: str, limit: int = PAGE,
                     offset: int = 0) -> list[CustomerHit]:
    """Customers whose phone starts with, or whose name contains, `query` (ordered by
    phone), a page at a time, each with its counts of sales and slips."""
    q = (query or "").strip()
    if not q or len(q) > 64:
        return []
    with db.read() as s:
        sales = (select(func.count()).select_from(Sale)
                 .where(col(Sale.customer_id) == col(Customer.id))
                 .correlate(Customer).scalar_subquery())
        slips = (select(func.count()).select_from(Slip)
                 .where(col(Slip.customer_id) == col(Customer.id))
                 .correlate(Customer).scalar_subquery())
        rows = s.exec(
            select(Customer, sales, slips)
            .where(or_(col(Customer.phone).like(f"{q}%"), col(Customer.name).ilike(f"%{q}%")))
            .order_by(col(Customer.phone))
            .offset(offset)
            .limit(limit)
        ).all()
        return [CustomerHit(c.name, c.phone, c.channel, c.credit_fen, int(n_sales or 0),
                            int(n_slips or 0)) for c, n_sales, n_slips in rows]


def purchases(db: Database, phone: str, limit: int = PAGE, offset: int = 0) -> list[PurchaseRow]:
    """The customer's sales, newest first, with units and total per sale (a page)."""
    with db.read() as s:
        return _purchases(s, _customer(s, phone).id or 0, limit, offset)


def _purchases(s: Session, customer_id: int, limit: int, offset: int) -> list[PurchaseRow]:
    # Core select (six columns: more than sqlmodel's typed `select` takes).
    rows = s.execute(
        core_select(col(Sale.order_no), col(Sale.sold_at), col(Sale.channel),
                    col(Sale.payment_method), func.sum(SaleLine.qty),
                    func.sum(SaleLine.qty * SaleLine.unit_price_fen))
        .join(SaleLine, col(SaleLine.sale_id) == col(Sale.id))
        .where(col(Sale.customer_id) == customer_id)
        .group_by(col(Sale.id))
        .order_by(col(Sale.sold_at).desc(), col(Sale.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [PurchaseRow(order, as_utc(at), channel, method, int(units or 0), int(total or 0))
            for order, at, channel, method, units, total in rows]


def slips(db: Database, phone: str, limit: int = PAGE, offset: int = 0) -> list[SlipRow]:
    """The customer's slips, newest first, with units and value per slip (a page)."""
    with db.read() as s:
        return _slips(s, _customer(s, phone).id or 0, limit, offset)


def _slips(s: Session, customer_id: int, limit: int, offset: int) -> list[SlipRow]:
    rows = s.exec(
        select(Slip, func.sum(SlipLine.qty), func.sum(SlipLine.qty * SlipLine.unit_price_fen))
        .join(SlipLine, col(SlipLine.slip_id) == col(Slip.id), isouter=True)
        .where(Slip.customer_id == customer_id)
        .group_by(col(Slip.id))
        .order_by(col(Slip.created_at).desc(), col(Slip.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        SlipRow(sl.number, sl.type, sl.status, int(units or 0), int(value or 0),
                sl.difference_fen if sl.type == "exchange" else sl.refund_fen,
                as_utc(sl.created_at))
        for sl, units, value in rows
    ]


def customer_profile(db: Database, phone: str, now: datetime | None = None,
                     limit: int = PAGE) -> CustomerProfile:
    """The customer with phone `phone`: totals, return rate, repeat-returner flag as of
    `now`, and the first `limit` rows of every list. DomainError `unknown_customer` when no
    customer has that phone."""
    at = as_utc(now) if now is not None else service.utcnow()
    threshold = service.policy().repeat_returner_threshold
    with db.read() as s:
        c = _customer(s, phone)
        cid = c.id or 0
        purchased = (select(func.coalesce(func.sum(SaleLine.qty * SaleLine.unit_price_fen), 0))
                     .join(Sale, col(Sale.id) == col(SaleLine.sale_id))
                     .where(Sale.customer_id == cid).scalar_subquery())
        n_sales = (select(func.count()).select_from(Sale)
                   .where(Sale.customer_id == cid).scalar_subquery())
        returned = (select(func.coalesce(func.sum(SlipLine.qty * SlipLine.unit_price_fen), 0))
                    .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
                    .where(Slip.customer_id == cid,
                           col(Slip.status).not_in(service.RELEASED)).scalar_subquery())
        n_slips = (select(func.count()).select_from(Slip)
                   .where(Slip.customer_id == cid).scalar_subquery())
        # The review queue's repeat-returner rule, from the service.
        in_year = (select(func.count()).select_from(Slip)
                   .where(*service.repeat_window(cid, at)).scalar_subquery())
        n_feedback = (select(func.count()).select_from(Feedback)
                      .join(Slip, col(Slip.id) == col(Feedback.slip_id))
                      .where(Slip.customer_id == cid).scalar_subquery())
        n_moves = (select(func.count()).select_from(CreditMove)
                   .where(CreditMove.customer_id == cid).scalar_subquery())
        totals = s.execute(core_select(purchased, n_sales, returned, n_slips, in_year,
                                       n_feedback, n_moves)).one()
        p_fen, sales_count, r_fen, slips_count, year, fb_count, moves_count = (
            int(v or 0) for v in totals)
        feedback = s.execute(
            core_select(col(Slip.number), col(Feedback.score), col(Feedback.comment),
                        col(Feedback.by), col(Feedback.at))
            .join(Slip, col(Slip.id) == col(Feedback.slip_id))
            .where(col(Slip.customer_id) == cid)
            .order_by(col(Feedback.at).desc(), col(Feedback.id).desc())
            .limit(limit)
        ).all()
        moves = s.exec(
            select(CreditMove, Slip.number)
            .join(Slip, col(Slip.id) == col(CreditMove.slip_id), isouter=True)
            .where(CreditMove.customer_id == cid)
            .order_by(col(CreditMove.at).desc(), col(CreditMove.id).desc())
            .limit(limit)
        ).all()
        feedback_rows = tuple(FeedbackRow(number, score, comment, by, as_utc(fat))
                              for number, score, comment, by, fat in feedback)
        move_rows = tuple(CreditMoveRow(m.delta_fen, m.balance_fen, m.kind, number, m.user,
                                        as_utc(m.at)) for m, number in moves)
        profile_purchases = _purchases(s, cid, limit, 0)
        profile_slips = _slips(s, cid, limit, 0)
        name, phone_, channel, credit = c.name, c.phone, c.channel, c.credit_fen
    follow = service.follow_ups(db, phone=phone_, open_only=False, limit=limit)
    account = service.customer_statement(db, phone_)
    return CustomerProfile(
        name=name,
        phone=phone_,
        channel=channel,
        credit_fen=credit,
        at=at,
        sales_count=sales_count,
        purchased_fen=p_fen,
        slips_count=slips_count,
        returned_fen=r_fen,
        return_rate=(r_fen / p_fen) if p_fen > 0 else None,
        slips_in_year=year,
        repeat_threshold=threshold,
        repeat_returner=year >= threshold,
        purchases=tuple(profile_purchases),
        slips=tuple(profile_slips),
        feedback=feedback_rows,
        follow_ups=tuple(sorted(follow, key=lambda f: (f.done, f.due_at, f.id))),
        credit_moves=move_rows,
        credit_moves_count=moves_count,
        feedback_count=fb_count,
        receivable_fen=account.balance_fen,
        account_moves=tuple(reversed(account.lines[-limit:])),
    )


def call_back_list(db: Database, due_by: datetime | None = None,
                   limit: int = 200) -> list[FollowUpView]:
    """The "to call back" list: open follow-ups due by `due_by` (default now), the longest
    overdue first."""
    return service.follow_ups(db, due_by=due_by or service.utcnow(), open_only=True,
                              limit=limit)
