"""Settlement: a return refunded (never more than was paid, I4) or an exchange issued and
its difference settled, the money posted; then closing a slip and the customer's feedback."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.care import move_credit, open_follow_up
from rma_tui.service.catalogue import payment_account
from rma_tui.service.clock import utcnow
from rma_tui.service.slips import slip_step
from rma_tui.service.unit import (
    append_audit,
    choice_of,
    move_stock,
    policy,
    post_entry,
    text_value,
    transition,
)
from rma_tui.service.views import SlipView
from rma_tui.service.vocabulary import (
    CASH,
    CLOSE_ROLES,
    COGS,
    FEEDBACK_ROLES,
    INVENTORY,
    OTHER_INCOME,
    RECEIVABLE,
    REFUND_METHODS,
    RETURNS,
    REVENUE,
    SETTLE_ROLES,
    STORE_CREDIT,
    SYSTEM_USER,
)
from rma_tui.store.db import Database
from rma_tui.store.models import Customer, Feedback, Product, Sale, SaleLine, Slip, SlipLine, User


def _refund_account(method: str, sale: Sale | None) -> str:
    if method == "original":
        return payment_account(sale.payment_method) if sale else CASH
    return {"cash": CASH, "credit": STORE_CREDIT, "receivable": RECEIVABLE}[method]


def settle_slip(
    db: Database,
    actor: str,
    number: str,
    method: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Execute the refund or the exchange and post the money.

    A return refunds what was paid for the units, less any restocking fee. An exchange
    issues the replacement from sellable stock (refused when short) and settles the price
    difference either way. The refund never exceeds what was paid minus what was already
    refunded (I4).
    """
    at = now or utcnow()
    method = choice_of(method, REFUND_METHODS, "method")

    def body(s: Session, slip: Slip, user: User) -> None:
        _settle(s, slip, method, user.name, at)
        transition(
            s,
            slip,
            "settled",
            user.name,
            at,
            "settle",
            detail={
                "method": method,
                "refund_fen": slip.refund_fen,
                "difference_fen": slip.difference_fen,
            },
            request_id=request_id,
        )

    return slip_step(
        db, actor, SETTLE_ROLES, number, "settle", [method], body, request_id, at, to="settled"
    )


def _settle(s: Session, slip: Slip, method: str, user: str, now: datetime) -> None:

    sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
    lines = s.exec(
        select(SlipLine).where(SlipLine.slip_id == slip.id).order_by(col(SlipLine.id))
    ).all()
    # I4: what is credited per sale line never exceeds what was paid for it.
    for ln in lines:
        if ln.sale_line_id is None:
            continue
        sl = s.get(SaleLine, ln.sale_line_id)
        assert sl is not None
        already = int(
            s.exec(
                select(func.coalesce(func.sum(SlipLine.refund_fen + 0), 0))
                .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
                .where(
                    SlipLine.sale_line_id == sl.id,
                    Slip.id != slip.id,
                    col(Slip.status).in_(("settled", "closed")),
                )
            ).one()
        )
        if already + ln.qty * ln.unit_price_fen > sl.qty * sl.unit_price_fen:
            sku = s.exec(select(Product.sku).where(Product.id == ln.product_id)).one()
            raise DomainError(
                "over_refund",
                field="refund",
                sku=sku,
                paid=sl.qty * sl.unit_price_fen,
                already=already,
            )
    customer = s.get(Customer, slip.customer_id) if slip.customer_id else None
    account = _refund_account(method, sale)
    if method in ("credit", "receivable") and customer is None:
        raise DomainError("method_needs_customer", field="method", method=method)
    gross = sum(ln.qty * ln.unit_price_fen for ln in lines)
    slip.refund_method = method
    slip.settled_at = now
    if slip.type == "return":
        fee = sum(ln.qty * ln.unit_price_fen - ln.refund_fen for ln in lines)
        refund = gross - fee
        post_entry(
            s,
            "refund",
            now,
            user,
            [
                (RETURNS, gross, 0),
                (account, 0, refund),
                (OTHER_INCOME, 0, fee),
            ],
            memo=slip.number,
            slip=slip,
        )
        if method == "credit" and customer is not None:
            move_credit(s, customer, refund, "refund", user, now, slip)
        slip.gross_fen, slip.fee_fen, slip.refund_fen = gross, fee, refund
        return
    # Exchange: issue each replacement from sellable stock at today's price and cost.
    replacement_value = replacement_cost = 0
    for ln in lines:
        repl = s.get(Product, ln.replacement_product_id)
        assert repl is not None
        move_stock(s, repl, "sellable", -ln.replacement_qty, "exchange_out", user, now, slip)
        replacement_value += ln.replacement_qty * ln.replacement_unit_price_fen
        replacement_cost += ln.replacement_qty * ln.replacement_unit_cost_fen
    diff = replacement_value - gross
    if method == "credit" and customer is not None:
        if diff > 0 and customer.credit_fen < diff:
            raise DomainError("credit_short", field="method", have=customer.credit_fen, need=diff)
        move_credit(s, customer, -diff, "exchange", user, now, slip)
    post_entry(
        s,
        "exchange",
        now,
        user,
        [
            (RETURNS, gross, 0),
            (REVENUE, 0, replacement_value),
            (account, max(diff, 0), max(-diff, 0)),
            (COGS, replacement_cost, 0),
            (INVENTORY, 0, replacement_cost),
        ],
        memo=slip.number,
        slip=slip,
    )
    slip.gross_fen, slip.difference_fen = gross, diff
    slip.refund_fen = max(-diff, 0)


def close_slip(
    db: Database,
    actor: str,
    number: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Close a settled slip; from then on it never changes."""
    at = now or utcnow()

    def body(s: Session, slip: Slip, user: User) -> None:
        transition(s, slip, "closed", user.name, at, "close", request_id=request_id)

    return slip_step(
        db, actor, CLOSE_ROLES, number, "close", [], body, request_id, at, to="closed"
    )


def add_feedback(
    db: Database,
    actor: str,
    number: str,
    score: int,
    comment: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Record the customer's feedback (score 1-5, comment) on a settled or closed slip."""
    at = now or utcnow()
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("bad_score", field="score", value=str(score))
    comment = text_value(comment, "comment")

    def body(s: Session, slip: Slip, user: User) -> None:
        if slip.status not in ("settled", "closed"):
            raise DomainError(
                "feedback_not_settled", field="number", slip=slip.number, status=slip.status
            )
        if s.exec(select(Feedback).where(Feedback.slip_id == slip.id)).first():
            raise DomainError("feedback_exists", field="number", slip=slip.number)
        s.add(Feedback(slip_id=slip.id or 0, score=score, comment=comment, by=user.name, at=at))
        append_audit(s, user.name, "feedback", at, slip, detail={"score": score},
                     request_id=request_id)
        pol = policy()
        if score <= pol.low_score and slip.customer_id is not None:
            # An unhappy customer gets a call back from the counter (回访), unasked.
            open_follow_up(
                s,
                slip.customer_id,
                f"★{score} {comment}".strip(),
                at + timedelta(days=pol.follow_up_days),
                SYSTEM_USER,
                at,
                slip=slip,
                auto=True,
            )

    return slip_step(
        db, actor, FEEDBACK_ROLES, number, "feedback", [score, comment], body, request_id, at
    )
