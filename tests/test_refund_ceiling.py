"""The refund ceiling (I4) through real sequences: what is refunded per sale line never
exceeds what was paid for it, across partial returns, restocking fees, store credit and
exchanges with a difference either way, with the figures worked out by hand.

The sale: 张三 buys 4 × P1 at 18.00 (a discount on the 20.00 list price) and 1 × P2 at
140.00 at the counter (store channel: 10 % restocking fee on a return without a fault).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from conftest import NOW, make_shop
from sqlalchemy import text

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.store.db import Database

PHONE = "13800000001"
L, G = sv.LineInput, sv.GradeInput


def _at() -> Iterator[datetime]:
    return iter(NOW + timedelta(minutes=m) for m in range(1, 1000))


@pytest.fixture
def sale(db: Database) -> Database:
    make_shop(db)
    sv.receive_purchase(db, "owner", "P1", 10, now=NOW)
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-9", "store", NOW - timedelta(days=1),
        [sv.SaleLineInput("P1", 4, 1800), sv.SaleLineInput("P2", 1, 14000)],
        customer_phone=PHONE, payment_method="cash")], now=NOW)
    return db


def through(db: Database, at: Iterator[datetime], kind: str, lines: list[sv.LineInput], method: str,
            grades: list[sv.GradeInput] | None = None) -> sv.SlipView:
    """A slip of SO-9 from draft to settled (approved by the owner where needed)."""
    n = sv.create_slip(db, "clerk", "SO-9", kind, lines, now=next(at)).number
    v = sv.submit_slip(db, "clerk", n, now=next(at))
    if v.status == "submitted":
        sv.approve_slip(db, "owner", n, override_reason="店长同意", now=next(at))
    sv.receive_slip(db, "warehouse", n, now=next(at))
    sv.inspect_slip(db, "warehouse", n, grades or [G(ln.sku, ln.qty, 0, 0) for ln in lines],
                    now=next(at))
    return sv.settle_slip(db, "finance", n, method, now=next(at))


def refunded(db: Database, sku: str) -> tuple[int, int]:
    """(paid, refunded by settled slips) for SO-9's line of `sku`."""
    with db.engine.connect() as c:
        return tuple(c.execute(text("""
            SELECT sl.qty * sl.unit_price_fen, coalesce(sum(CASE WHEN s.status IN
                   ('settled', 'closed') THEN l.refund_fen END), 0)
            FROM sale_lines sl JOIN sales o ON o.id = sl.sale_id
            JOIN products p ON p.id = sl.product_id
            LEFT JOIN slip_lines l ON l.sale_line_id = sl.id
            LEFT JOIN slips s ON s.id = l.slip_id
            WHERE o.order_no = 'SO-9' AND p.sku = :sku GROUP BY sl.id"""), {"sku": sku}).one())


def test_partial_returns_with_a_fee_and_store_credit_stay_under_what_was_paid(
        sale: Database) -> None:
    db, at = sale, _at()
    # 1 unit, changed mind: 18.00 less the 10 % fee = 16.20, to store credit.
    v = through(db, at, "return", [L("P1", 1, "changed_mind")], "credit")
    assert (v.gross_fen, v.fee_fen, v.refund_fen) == (1800, 180, 1620)
    assert sv.get_slip(db, v.number).customer_credit_fen == 1620
    # 2 more, a quality fault: no fee, 36.00 in cash.
    v = through(db, at, "return", [L("P1", 2, "quality")], "cash")
    assert (v.gross_fen, v.fee_fen, v.refund_fen) == (3600, 0, 3600)
    assert refunded(db, "P1") == (7200, 1620 + 3600)
    # Only one unit is left to return; two are refused, by name, and write nothing.
    with pytest.raises(DomainError) as info:
        sv.create_slip(db, "clerk", "SO-9", "return", [L("P1", 2, "quality")], now=next(at))
    assert info.value.key == "over_returnable" and info.value.params["returnable"] == 1
    # The last one: refunded in full; the line has given back what it was paid less fees.
    v = through(db, at, "return", [L("P1", 1, "damaged")], "original")
    assert v.refund_fen == 1800
    paid, back = refunded(db, "P1")
    assert (paid, back) == (7200, 7200 - 180) and back <= paid
    assert sv.verify(db).ok


def test_exchanges_with_a_difference_either_way(sale: Database) -> None:
    db, at = sale, _at()
    # P2 (paid 140.00) for 2 × P1 at today's 20.00: the customer gets 100.00 back.
    v = through(db, at, "exchange", [L("P2", 1, "quality", replacement_sku="P1",
                                       replacement_qty=2)], "cash")
    assert (v.gross_fen, v.difference_fen, v.refund_fen) == (14000, -10000, 10000)
    assert refunded(db, "P2") == (14000, 14000)  # the line's whole value went back
    # Nothing of P2 is left: no second return or exchange of it.
    with pytest.raises(DomainError) as info:
        sv.create_slip(db, "clerk", "SO-9", "return", [L("P2", 1, "quality")], now=next(at))
    assert info.value.key == "over_returnable"
    # 1 × P1 (paid 18.00) for 1 × P2 at today's 150.00: the customer pays 132.00.
    sv.receive_purchase(db, "owner", "P2", 1, now=next(at))
    v = through(db, at, "exchange", [L("P1", 1, "size", replacement_sku="P2",
                                       replacement_qty=1)], "cash")
    assert (v.gross_fen, v.difference_fen, v.refund_fen) == (1800, 13200, 0)
    # A like-for-like swap keeps the price paid: no difference.
    v = through(db, at, "exchange", [L("P1", 1, "quality", replacement_sku="P1",
                                       replacement_qty=1)], "cash")
    assert v.difference_fen == 0
    paid, back = refunded(db, "P1")
    assert back <= paid == 7200
    assert sv.verify(db).ok


def test_store_credit_pays_for_an_exchange_only_as_far_as_it_goes(sale: Database) -> None:
    db, at = sale, _at()
    through(db, at, "return", [L("P1", 1, "changed_mind")], "credit")  # 16.20 of credit
    sv.receive_purchase(db, "owner", "P2", 1, now=next(at))
    n = sv.create_slip(db, "clerk", "SO-9", "exchange",
                       [L("P1", 1, "size", replacement_sku="P2", replacement_qty=1)],
                       now=next(at)).number
    sv.submit_slip(db, "clerk", n, now=next(at))
    if sv.get_slip(db, n).status == "submitted":
        sv.approve_slip(db, "owner", n, override_reason="店长同意", now=next(at))
    sv.receive_slip(db, "warehouse", n, now=next(at))
    sv.inspect_slip(db, "warehouse", n, [G("P1", 1, 0, 0)], now=next(at))
    with pytest.raises(DomainError) as info:  # 132.00 to pay, 16.20 of credit
        sv.settle_slip(db, "finance", n, "credit", now=next(at))
    assert info.value.key == "credit_short"
    assert sv.get_slip(db, n).status == "inspected"
    assert sv.settle_slip(db, "finance", n, "cash", now=next(at)).difference_fen == 13200
    assert sv.verify(db).ok
