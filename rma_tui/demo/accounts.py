"""The demo's customers on account (赊账): which of their sales on account they pay back,
when and how much; played in time order with the slips, so a refund to the account meets
the debt as it stood that day."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rma_tui import service as sv
from rma_tui.demo.sales import open_hours, pick
from rma_tui.service import Database


@dataclass(frozen=True)
class AccountSale:
    """A sale on account as the demo recorded it."""

    at: datetime
    phone: str
    total_fen: int


@dataclass(frozen=True)
class AccountPayment:
    """A planned payment of a customer's account: up to `amount_fen`, never more than they
    owe on the day."""

    at: datetime
    phone: str
    amount_fen: int
    method: str


def plan_payments(rng: random.Random, sales: Sequence[AccountSale],
                  today: datetime) -> list[AccountPayment]:
    """Most sales on account are paid within two to six weeks, some in part; the recent
    ones, and a few old ones, are still owed (the statements have something to show)."""
    out = []
    for sale in sales:
        share = pick(rng, ((1.0, 70), (0.5, 15), (0.0, 15)))
        at = open_hours(sale.at + timedelta(days=rng.uniform(14, 45)), rng)
        if share and at < today - timedelta(hours=6):
            out.append(AccountPayment(at, sale.phone, int(sale.total_fen * share),
                                      pick(rng, (("bank", 60), ("cash", 40)))))
    return sorted(out, key=lambda p: p.at)


def pay(db: Database, payment: AccountPayment) -> int:
    """Record the payment (at most what the customer owes the shop that day); returns the
    amount paid, 0 when nothing was owed."""
    owed = sv.customer_owed(db, payment.phone, "main")
    amount = min(payment.amount_fen, owed)
    if amount <= 0:
        return 0
    sv.record_payment(db, "finance", payment.phone, amount, method=payment.method,
                      note="结清赊账" if amount == owed else "部分还款", now=payment.at)
    return amount
