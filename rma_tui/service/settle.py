"""Settlement: a return refunded (never more than was paid, I4) or an exchange issued and
its difference settled, the money posted; then closing a slip and the customer's feedback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.care import move_credit, open_follow_up
from rma_tui.service.catalogue import payment_account
from rma_tui.service.channels import clearing_account
from rma_tui.service.clock import utcnow
from rma_tui.service.receivables import move_receivable, receivable_part
from rma_tui.service.slips import slip_step
from rma_tui.service.unit import (
    append_audit,
    choice_of,
    move_stock,
    policy,
    post_entry,
    refund_counted,
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
    REST_METHODS,
    RETURNS,
    REVENUE,
    SETTLE_ROLES,
    STORE_CREDIT,
    SYSTEM_USER,
)
from rma_tui.store.db import Database
from rma_tui.store.models import Customer, Feedback, Product, Sale, SaleLine, Slip, SlipLine, User


def _refund_account(s: Session, method: str, sale: Sale | None) -> str:
    if method == "original":
        return payment_account(s, sale.payment_method, sale.channel) if sale else CASH
    return {"cash": CASH, "credit": STORE_CREDIT, "receivable": RECEIVABLE}[method]


def settle_slip(
    db: Database,
    actor: str,
    number: str,
    method: str,
    request_id: str | None = None,
    now: datetime | None = None,
    rest_method: str | None = None,
) -> SlipView:
    """Execute the refund or the exchange and post the money.

    A return refunds what was paid for the units, less any restocking fee. An exchange
    issues the replacement from sellable stock (refused when short) and settles the price
    difference either way. The refund never exceeds what was paid minus what was already
    refunded (I4). Money credited to the customer's account (`receivable`, or `original`
    for a sale on account) never exceeds what they owe the shop: a return's rest goes by
    `rest_method` (cash, credit or original), else the settlement is refused.
    """
    at = now or utcnow()
    method = choice_of(method, REFUND_METHODS, "method")
    if rest_method is not None:
        rest_method = choice_of(rest_method, REST_METHODS, "rest")

    def body(s: Session, slip: Slip, user: User) -> None:
        _settle(s, slip, method, user.name, at, rest_method)
        transition(
            s,
            slip,
            "settled",
            user.name,
            at,
            "settle",
            detail={
                "method": method,
                "rest_method": slip.rest_method,
                "rest_fen": slip.rest_fen,
                "refund_fen": slip.refund_fen,
                "difference_fen": slip.difference_fen,
            },
            request_id=request_id,
        )

    return slip_step(
        db, actor, SETTLE_ROLES, number, "settle", [method, rest_method], body, request_id, at,
        to="settled")


def check_refund_ceiling(s: Session, slip: Slip, lines: Sequence[SlipLine]) -> None:
    """I4: what is credited per sale line, over every slip whose refund counts (this one's
    lines as they stand), never exceeds what was paid for it."""
    for ln in lines:
        if ln.sale_line_id is None:
            continue
        sl = s.get(SaleLine, ln.sale_line_id)
        assert sl is not None
        already = int(
            s.exec(
                select(func.coalesce(func.sum(SlipLine.refund_fen + 0), 0))
                .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
                .where(SlipLine.sale_line_id == sl.id, Slip.id != slip.id, refund_counted())
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


def _settle(s: Session, slip: Slip, method: str, user: str, now: datetime,
            rest_method: str | None) -> None:
    sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
    lines = s.exec(
        select(SlipLine).where(SlipLine.slip_id == slip.id).order_by(col(SlipLine.id))
    ).all()
    if slip.platform_refund_fen or slip.platform_ref or method == "platform":
        # A platform's request is refunded by the platform: once, and never at the till.
        if method not in ("platform", "original"):
            raise DomainError("platform_refunds_there", field="method", slip=slip.number,
                              method=method, refund=slip.platform_refund_fen)
        method = "platform"
        if slip.type != "return":
            raise DomainError("platform_refund_exchange", field="method", slip=slip.number)
        slip.settled_at = now
        if slip.platform_refund_fen:
            slip.refund_method = "platform"
            return  # posted when the platform's refund was recorded
        check_refund_ceiling(s, slip, lines)
        record_platform_refund(s, slip, slip.refund_fen, user, now, lines)
        return
    check_refund_ceiling(s, slip, lines)
    customer = s.get(Customer, slip.customer_id) if slip.customer_id else None
    account = _refund_account(s, method, sale)
    if (method == "credit" or account == RECEIVABLE) and customer is None:
        raise DomainError("method_needs_customer", field="method", method=method)
    if rest_method is not None and account != RECEIVABLE:
        raise DomainError("rest_without_receivable", field="rest", method=method)
    gross = sum(ln.qty * ln.unit_price_fen for ln in lines)
    slip.refund_method = method
    slip.settled_at = now
    if slip.type == "return":
        fee = sum(ln.qty * ln.unit_price_fen - ln.refund_fen for ln in lines)
        refund = gross - fee
        paid = [(account, refund)]
        if account == RECEIVABLE:
            part = receivable_part(s, slip, refund, rest_method)
            paid = [(account, part)]
            if part < refund:
                assert rest_method is not None
                rest_account = _refund_account(s, rest_method, sale)
                if rest_account == RECEIVABLE:  # "original" of a sale on account
                    raise DomainError("rest_is_receivable", field="rest", slip=slip.number)
                paid.append((rest_account, refund - part))
                _split_rest(lines, refund - part)
                slip.rest_method, slip.rest_fen = rest_method, refund - part
            move_receivable(s, slip.customer_id or 0, slip.shop, -part, "refund", user, now,
                            slip)
        post_entry(
            s,
            "refund",
            now,
            user,
            [
                (RETURNS, gross, 0),
                *((acct, 0, amount) for acct, amount in paid),
                (OTHER_INCOME, 0, fee),
            ],
            memo=slip.number,
            slip=slip,
        )
        credited = sum(a for (acct, a) in paid if acct == STORE_CREDIT)
        if credited and customer is not None:
            move_credit(s, customer, credited, "refund", user, now, slip)
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
    if account == RECEIVABLE:
        if rest_method is not None:  # an exchange's difference is one amount, paid one way
            raise DomainError("rest_exchange", field="rest", slip=slip.number)
        if diff < 0:
            receivable_part(s, slip, -diff, None)
        move_receivable(s, slip.customer_id or 0, slip.shop, diff, "exchange", user, now, slip)
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


def _split_rest(lines: Sequence[SlipLine], rest: int) -> None:
    """Mark which part of each line's refund went the rest way: from the last line back, so
    the lines' rest parts add up to `rest` and none exceeds its line's refund."""
    for ln in reversed(lines):
        ln.rest_fen = min(ln.refund_fen, rest)
        rest -= ln.rest_fen
    assert rest == 0


def record_platform_refund(s: Session, slip: Slip, amount: int, user: str, now: datetime,
                           lines: Sequence[SlipLine] | None = None,
                           refunded_at: datetime | None = None) -> None:
    """Post a refund the platform paid the buyer: returns against the platform's clearing
    account, any part of the slip's value the platform kept as other income. Once per slip
    (I8); never more than the slip's value (I4). The entry is dated `now`; the slip keeps
    when the platform refunded (`refunded_at`, else now) for the reconciliation."""
    # Callers record it only while none is (the import compares, settle skips it).
    assert not slip.platform_refund_fen, slip.number
    if slip.status in ("settled", "closed") and slip.refund_method != "platform":
        raise DomainError("platform_refunds_there", field="method", slip=slip.number,
                          method=slip.refund_method or "", refund=slip.refund_fen)
    if slip.type != "return":
        raise DomainError("platform_refund_exchange", field="method", slip=slip.number)
    if lines is None:
        lines = s.exec(
            select(SlipLine).where(SlipLine.slip_id == slip.id).order_by(col(SlipLine.id))
        ).all()
    gross = sum(ln.qty * ln.unit_price_fen for ln in lines)
    if not 0 < amount <= gross:
        raise DomainError("platform_refund_over", field="refund", slip=slip.number,
                          refund=amount, gross=gross)
    # Each line carries its share of the refund (the last the rounding), for I4 per line.
    left = amount
    for i, ln in enumerate(lines):
        share = left if i == len(lines) - 1 else amount * ln.qty * ln.unit_price_fen // gross
        ln.refund_fen, left = share, left - share
        s.add(ln)
    s.flush()
    check_refund_ceiling(s, slip, lines)
    account = clearing_account(s, slip.channel)
    post_entry(s, "refund", now, user,
               [(RETURNS, gross, 0), (account, 0, amount), (OTHER_INCOME, 0, gross - amount)],
               memo=slip.number, slip=slip)
    slip.gross_fen, slip.fee_fen, slip.refund_fen = gross, gross - amount, amount
    slip.platform_refund_fen, slip.platform_refunded_at = amount, refunded_at or now
    slip.refund_method = "platform"
    s.add(slip)
    append_audit(s, user, "platform_refund", now, slip,
                 detail={"refund_fen": amount, "account": account})


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
