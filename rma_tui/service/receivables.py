"""Customer receivables (应收账款): what each customer owes each shop, kept as a subledger
of account 1122 whose moves add up to the account, shop by shop.

A sale on account (payment `account`, 赊账) makes the customer owe more; a payment, or a
refund or exchange difference credited to the account, makes them owe less. Nothing is
credited to a customer's account beyond what they owe there: a refund bigger than the debt
pays the rest another way the clerk chooses (see `receivable_part`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.care import customer_by_phone
from rma_tui.service.clock import as_utc, utcnow
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    choice_of,
    fen_value,
    once_per_request,
    post_entry,
    shop_code,
    text_value,
    write_shop,
)
from rma_tui.service.vocabulary import BANK, CASH, RECEIVABLE, SETTLE_ROLES
from rma_tui.store.db import Database
from rma_tui.store.models import Customer, ReceivableMove, Sale, Slip

# How a customer pays what they owe, and the account the money lands in.
PAYMENT_IN_ACCOUNTS = {"cash": CASH, "bank": BANK}


def credits_account(method: str, sale_payment: str | None) -> bool:
    """Whether settling by `method` credits the customer's account (1122): `receivable`,
    or `original` when the sale was on account."""
    return method == "receivable" or (method == "original" and sale_payment == "account")


def account_split(amount: int, owed_fen: int) -> tuple[int, int]:
    """`amount` owed back to a customer as (what comes off their debt, the rest to pay
    another way): never more off the debt than they owe."""
    part = min(amount, max(owed_fen, 0))
    return part, amount - part


def owed(s: Session, customer_id: int, shop: str) -> int:
    """What the customer owes `shop` now, in fen (the sum of their moves there)."""
    return int(s.exec(
        select(func.coalesce(func.sum(ReceivableMove.delta_fen), 0))
        .where(ReceivableMove.customer_id == customer_id, ReceivableMove.shop == shop)).one())


def customer_owed(db: Database, phone: str, shop: str) -> int:
    """What the customer with this phone owes `shop` now, in fen."""
    with db.read() as s:
        return owed(s, customer_by_phone(s, phone).id or 0, shop_code(s, shop))


def lock_customer(s: Session, customer_id: int) -> Customer:
    """The customer's row, locked for the rest of the transaction: two refunds to one
    customer's account cannot both see the same debt (SQLite's write lock does the same)."""
    return s.exec(select(Customer).where(Customer.id == customer_id).with_for_update()).one()


def move_receivable(
    s: Session,
    customer_id: int,
    shop: str,
    delta: int,
    kind: str,
    user: str,
    at: datetime,
    slip: Slip | None = None,
    sale_id: int | None = None,
    note: str = "",
) -> None:
    """Record one change of what a customer owes a shop (the posting to 1122 is the
    caller's, in the same transaction)."""
    if delta == 0:
        return
    s.add(ReceivableMove(customer_id=customer_id, shop=shop, delta_fen=delta, kind=kind,
                         sale_id=sale_id, slip_id=slip.id if slip else None, note=note,
                         user=user, at=at))


def receivable_part(s: Session, slip: Slip, amount: int, rest_method: str | None) -> int:
    """How much of `amount` owed back to the slip's customer may be credited to their
    account at the slip's shop: all of it when they owe that much; else what they owe, the
    rest going by `rest_method` — refused (`receivable_over`) when no rest method is given."""
    assert slip.customer_id is not None
    lock_customer(s, slip.customer_id)
    part, rest = account_split(amount, owed(s, slip.customer_id, slip.shop))
    if rest and rest_method is None:
        raise DomainError("receivable_over", field="method", slip=slip.number, owed=part,
                          amount=amount)
    return part


def record_payment(
    db: Database,
    actor: str,
    phone: str,
    amount_fen: int,
    method: str = "cash",
    note: str = "",
    shop: str | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """A customer pays (part of) what they owe a shop: posted to cash or bank against 1122,
    never more than they owe (`payment_over`). Returns what they still owe there."""
    at = now or utcnow()
    method = choice_of(method, tuple(PAYMENT_IN_ACCOUNTS), "method")
    amount = fen_value(amount_fen, "amount")
    if amount <= 0:
        raise DomainError("amount_positive", field="amount")
    note = text_value(note, "note")
    with db.write() as s:
        user = acting_user(s, actor, SETTLE_ROLES)
        where = write_shop(s, user, shop)
        c = customer_by_phone(s, phone)
        cid = c.id or 0

        def work() -> str:
            lock_customer(s, cid)
            have = owed(s, cid, where)
            if amount > have:
                raise DomainError("payment_over", field="amount", phone=c.phone,
                                  owed=max(have, 0), amount=amount)
            post_entry(s, "receivable_payment", at, user.name,
                       [(PAYMENT_IN_ACCOUNTS[method], amount, 0), (RECEIVABLE, 0, amount)],
                       memo=f"{c.phone} {note}".strip(), shop=where)
            move_receivable(s, cid, where, -amount, "payment", user.name, at, note=note)
            append_audit(s, user.name, "receivable_payment", at,
                         detail={"phone": c.phone, "amount_fen": amount, "method": method,
                                 "shop": where}, request_id=request_id)
            return str(have - amount)

        left, _ = once_per_request(s, request_id, "receivable_payment",
                                   [user.name, c.phone, amount, method, note, where], work, at)
        return int(left)


@dataclass(frozen=True)
class StatementLine:
    """One move on a customer's statement, with the running balance after it."""

    at: datetime
    kind: str
    shop: str
    slip: str | None
    order: str | None
    delta_fen: int
    balance_fen: int
    user: str
    note: str


@dataclass
class Statement:
    """A customer's receivable statement (对账单): every move, oldest first, with the
    running balance; `owed_by_shop` what they owe each shop now (only shops with moves)."""

    phone: str
    name: str
    shop: str | None
    balance_fen: int
    lines: list[StatementLine] = field(default_factory=list)
    owed_by_shop: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON (times in ISO 8601, UTC)."""
        doc = asdict(self)
        for line in doc["lines"]:
            line["at"] = as_utc(line["at"]).isoformat()
        return doc


def customer_statement(db: Database, phone: str, shop: str | None = None) -> Statement:
    """The customer's statement of account: at `shop`, or across the chain (the running
    balance then the total they owe every shop)."""
    with db.read() as s:
        c = customer_by_phone(s, phone)
        where = shop_code(s, shop) if shop is not None else None
        q = (select(ReceivableMove, Slip.number, Sale.order_no)
             .outerjoin(Slip, col(Slip.id) == col(ReceivableMove.slip_id))
             .outerjoin(Sale, col(Sale.id) == col(ReceivableMove.sale_id))
             .where(ReceivableMove.customer_id == c.id)
             .order_by(col(ReceivableMove.at), col(ReceivableMove.id)))
        if where is not None:
            q = q.where(ReceivableMove.shop == where)
        running = 0
        out = Statement(phone=c.phone, name=c.name, shop=where, balance_fen=0)
        for move, slip_no, order_no in s.exec(q).all():
            running += move.delta_fen
            out.owed_by_shop[move.shop] = out.owed_by_shop.get(move.shop, 0) + move.delta_fen
            out.lines.append(StatementLine(
                at=as_utc(move.at), kind=move.kind, shop=move.shop, slip=slip_no,
                order=order_no, delta_fen=move.delta_fen, balance_fen=running,
                user=move.user, note=move.note))
        out.balance_fen = running
        return out
