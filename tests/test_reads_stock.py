"""The stock area's reads (rma_tui/reads/stock.py) against a hand-built shop: every number
below is worked out by hand from the writes in `build`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import NOW, make_shop

from rma_tui import service as sv
from rma_tui.reads import stock as reads
from rma_tui.store.db import Database


@pytest.fixture
def built(db: Database) -> dict[str, str]:
    """The conftest shop (P1 cable: 10 in, 3 sold, reorder 3; P2 earphones: 5 in, 1 sold,
    cost 60.00, reorder 2) plus:

    - P1: a return of one cable graded defective (slip TH-…): defective 1.
    - P2: 3 defective found by a count (3 x 60.00 = 180.00 carried); 1 returned to 惠州音迈
      for an expected 50.00 (carried 180.00 / 3 = 60.00), 1 more at its value (60.00):
      defective 1 left.
    - P3 charger (cost 25.00, supplier 深圳声悦电子, barcode 6901234567890, reorder 5): no
      stock on the shelf (low); 2 defective counted (50.00) and returned for 10.00.
    - P4 Lightning cable (supplier 东莞联线, reorder 1): 2 received.
    """
    make_shop(db, now=NOW)
    at = iter(NOW + timedelta(minutes=m) for m in range(1, 100))
    sv.add_products(db, "owner", [
        sv.ProductInput("P3", "20W 充电器", 5000, 2500, barcode="6901234567890",
                        category="充电器", supplier="深圳声悦电子", reorder_point=5),
        sv.ProductInput("P4", "Lightning 数据线", 3000, 1200, category="数据线",
                        supplier="东莞联线", reorder_point=1),
    ], now=next(at))
    sv.receive_purchase(db, "owner", "P4", 2, now=next(at))
    slip = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                          now=next(at))
    sv.submit_slip(db, "clerk", slip.number, now=next(at))
    if sv.get_slip(db, slip.number).status == "submitted":
        sv.approve_slip(db, "owner", slip.number, override_reason="测试", now=next(at))
    sv.receive_slip(db, "warehouse", slip.number, now=next(at))
    sv.inspect_slip(db, "warehouse", slip.number, [sv.GradeInput("P1", 0, 1, 0)], now=next(at))
    sv.adjust_stock(db, "warehouse", "P2", "defective", 3, "盘点发现", now=next(at))
    gt1 = sv.return_to_supplier(db, "warehouse", "P2", 1, supplier="惠州音迈",
                                expected_credit_fen=5000, now=next(at))
    gt2 = sv.return_to_supplier(db, "warehouse", "P2", 1, supplier="惠州音迈", note="第二批",
                                now=next(at))
    sv.adjust_stock(db, "owner", "P3", "defective", 2, "仓库角落", now=next(at))
    gt3 = sv.return_to_supplier(db, "owner", "P3", 2, expected_credit_fen=1000, now=next(at))
    return {"slip": slip.number, "gt1": gt1.number, "gt2": gt2.number, "gt3": gt3.number}


def skus(items: list[reads.StockItem]) -> list[str]:
    return [i.sku for i in items]


def test_levels_per_product(db: Database, built: dict[str, str]) -> None:
    items = {i.sku: i for i in reads.stock_items(db)}
    assert list(items) == ["P1", "P2", "P3", "P4"]
    p1, p2, p3, p4 = items["P1"], items["P2"], items["P3"], items["P4"]
    assert (p1.sellable, p1.pending, p1.defective, p1.scrap, p1.reorder_point) == (7, 0, 1, 0, 3)
    assert (p2.sellable, p2.pending, p2.defective, p2.scrap, p2.reorder_point) == (4, 0, 1, 0, 2)
    assert (p3.sellable, p3.defective, p3.reorder_point, p3.low) == (0, 0, 5, True)
    assert (p4.sellable, p4.defective, p4.low) == (2, 0, False)
    assert not p1.low and not p2.low
    assert p3.supplier == "深圳声悦电子" and p3.category == "充电器" and p3.unit_cost_fen == 2500
    # The same numbers as the service's own stock read.
    assert [(r.sku, r.sellable, r.pending, r.defective, r.scrap) for r in sv.stock(db)] == [
        (i.sku, i.sellable, i.pending, i.defective, i.scrap) for i in items.values()]
    assert reads.stock_item(db, "P2") == p2
    assert reads.stock_item(db, "NOPE") is None


@pytest.mark.parametrize(("query", "expected"), [
    ("lightning", ["P4"]),          # name, case-insensitive
    ("LIGHT", ["P4"]),
    ("6901234", ["P3"]),            # barcode
    ("数据线", ["P1", "P4"]),        # name and category
    ("充电器", ["P3"]),              # category
    ("声悦", ["P3"]),                # supplier
    ("p2", ["P2"]),                 # SKU
    ("%", []),                      # a LIKE wildcard is taken literally
    ("_", []),
    ("  ", ["P1", "P2", "P3", "P4"]),
])
def test_search(db: Database, built: dict[str, str], query: str, expected: list[str]) -> None:
    assert skus(reads.stock_items(db, query)) == expected


def test_filters_and_paging(db: Database, built: dict[str, str]) -> None:
    assert skus(reads.stock_items(db, low_only=True)) == ["P3"]
    assert skus(reads.stock_items(db, defective_only=True)) == ["P1", "P2"]
    assert skus(reads.stock_items(db, low_only=True, defective_only=True)) == []
    assert skus(reads.stock_items(db, "数据线", defective_only=True)) == ["P1"]
    assert skus(reads.stock_items(db, limit=2, offset=1)) == ["P2", "P3"]
    assert skus(reads.stock_items(db, limit=2, offset=4)) == []


def test_ledger_newest_first_with_refs(db: Database, built: dict[str, str]) -> None:
    rows = reads.ledger(db, "P2")
    assert [(r.kind, r.location, r.qty) for r in rows] == [
        ("supplier_return", "defective", -1),
        ("supplier_return", "defective", -1),
        ("adjust", "defective", 3),
        ("sale", "sellable", -1),
        ("purchase", "sellable", 5),
    ]
    assert [r.supplier_return for r in rows[:2]] == [built["gt2"], built["gt1"]]
    assert rows[0].supplier_return and rows[0].supplier_return.startswith("GT-")
    assert rows[0].note == ""  # the GT number is the reference, not a note
    assert rows[2].note == "盘点发现" and rows[2].user == "warehouse" and rows[2].slip is None
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    assert rows[0].at.utcoffset() == timedelta(0)
    # Paged.
    assert [r.id for r in reads.ledger(db, "P2", limit=2, offset=1)] == [rows[1].id, rows[2].id]
    # A slip's moves carry its number.
    p1 = reads.ledger(db, "P1")
    slip_moves = [(r.kind, r.location, r.qty) for r in p1 if r.slip == built["slip"]]
    assert slip_moves == [("inspect", "defective", 1), ("inspect", "pending", -1),
                          ("return_in", "pending", 1)]
    assert reads.ledger(db, "NOPE") == []


def test_supplier_summaries(db: Database, built: dict[str, str]) -> None:
    rows = reads.supplier_summaries(db)
    # Both sent 2 units back: by name then (惠 U+60E0 before 深 U+6DF1).
    assert rows == [
        reads.SupplierSummary("惠州音迈", 2, 2, 6000 + 6000, 5000 + 6000),
        reads.SupplierSummary("深圳声悦电子", 1, 2, 2 * 2500, 1000),
    ]
    one = reads.supplier_return_list(db, "惠州音迈")
    assert [r.number for r in one] == [built["gt2"], built["gt1"]]
    assert [(r.qty, r.value_fen, r.expected_credit_fen, r.note) for r in one] == [
        (1, 6000, 6000, "第二批"), (1, 6000, 5000, "")]
    assert [r.number for r in reads.supplier_return_list(db)] == [
        built["gt3"], built["gt2"], built["gt1"]]
    assert reads.supplier_return_list(db, "nobody") == []
