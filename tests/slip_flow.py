"""Seeding for the inspection and settlement screen tests: slips brought to a given state
through the service, every write at a fixed time (so snapshots never change)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from conftest import NOW, make_shop

from rma_tui import service as sv
from rma_tui.store.db import Database

ORDER = ("submitted", "approved", "received", "inspected", "settled")


def clock(start: datetime = NOW) -> Iterator[datetime]:
    """One minute after another from `start`."""
    return iter(start + timedelta(minutes=m) for m in range(1, 10_000))


def bring(db: Database, number: str, to: str, at: Iterator[datetime],
          grades: list[sv.GradeInput] | None = None, method: str = "cash") -> None:
    """Move a draft slip on, step by step, until it is `to`."""
    target = ORDER.index(to)
    view = sv.submit_slip(db, "clerk", number, now=next(at))
    if view.status == "submitted" and target >= 1:
        sv.approve_slip(db, "owner", number, override_reason="测试", now=next(at))
    if target >= 2:
        sv.receive_slip(db, "warehouse", number, now=next(at))
    if target >= 3:
        if grades is None:
            grades = [sv.GradeInput(ln.sku, ln.qty, 0, 0) for ln in view.lines]
        sv.inspect_slip(db, "warehouse", number, grades, now=next(at))
    if target >= 4:
        sv.settle_slip(db, "finance", number, method, now=next(at))


def seed_inspection(db: Database) -> dict[str, str]:
    """The tiny shop plus: two approved slips (a return and an exchange) and one received
    return of two cables. Returns the slip numbers by role in the tests."""
    make_shop(db)
    at = clock()
    sv.set_setting(db, "owner", "shop_name", "小米数码（测试店）", now=next(at))
    approved = sv.create_slip(db, "clerk", "SO-1", "return",
                              [sv.LineInput("P1", 1, "quality", "插头松动")], now=next(at))
    bring(db, approved.number, "approved", at)
    exchange = sv.create_slip(db, "clerk", "SO-1", "exchange",
                              [sv.LineInput("P2", 1, "quality", "左耳无声",
                                            replacement_sku="P2")], now=next(at))
    bring(db, exchange.number, "approved", at)
    received = sv.create_slip(db, "clerk", "SO-1", "return",
                              [sv.LineInput("P1", 2, "damaged", "外包装压坏")], now=next(at))
    bring(db, received.number, "received", at)
    return {"approved": approved.number, "exchange": exchange.number,
            "received": received.number}


def seed_settlement(db: Database) -> dict[str, str]:
    """The tiny shop plus three inspected slips: a return of one cable (refund 18.00), an
    exchange of the earphones graded defective after the last ones were sold (short
    stock), and an exchange of a cable for a dearer charger. Returns their numbers."""
    make_shop(db)
    at = clock()
    sv.set_setting(db, "owner", "shop_name", "小米数码（测试店）", now=next(at))
    ret = sv.create_slip(db, "clerk", "SO-1", "return",
                         [sv.LineInput("P1", 1, "quality", "插头松动")], now=next(at))
    bring(db, ret.number, "inspected", at)
    short = sv.create_slip(db, "clerk", "SO-1", "exchange",
                           [sv.LineInput("P2", 1, "quality", "左耳无声", replacement_sku="P2")],
                           now=next(at))
    bring(db, short.number, "inspected", at, grades=[sv.GradeInput("P2", 0, 1, 0)])
    # The last four earphones go to another customer: none left to swap.
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-2", "store", NOW, [sv.SaleLineInput("P2", 4, 15000)],
        customer_phone="13800000001", payment_method="cash")], now=next(at))
    # A charger in stock, dearer than the cable it replaces: the customer pays the rest.
    sv.add_products(db, "owner", [sv.ProductInput("P3", "20W 快充充电头", 2500, 1000,
                                                  category="充电器")], now=next(at))
    sv.receive_purchase(db, "owner", "P3", 5, now=next(at))
    swap = sv.create_slip(db, "clerk", "SO-1", "exchange",
                          [sv.LineInput("P1", 1, "size", replacement_sku="P3")], now=next(at))
    bring(db, swap.number, "inspected", at)
    return {"return": ret.number, "short": short.number, "swap": swap.number}


def stock_of(db: Database, sku: str) -> sv.StockRow:
    """One product's stock in every location."""
    return next(r for r in sv.stock(db) if r.sku == sku)
