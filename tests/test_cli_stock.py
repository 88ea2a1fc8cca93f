"""The stock commands of `rma` (rma_tui/cli/stock.py): each one's effect on the database,
its output, and a bad input that exits non-zero and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cli_helpers import rma_on
from conftest import make_shop
from slip_flow import stock_of
from sqlmodel import col, func, select
from typer.testing import Result

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.models import AuditEvent, StockMove, SupplierReturn

pytestmark = pytest.mark.usefixtures("chinese_after")


@pytest.fixture
def shop(db: Database) -> Database:
    """The conftest shop (P1 sellable 7 / reorder 3, P2 sellable 4 / reorder 2, cost 60.00)
    with 2 defective earphones (found by a count: 120.00 carried) and a supplier on none."""
    make_shop(db, now=datetime.now(UTC))
    sv.adjust_stock(db, "owner", "P2", "defective", 2, "盘点发现")
    return db


def rma(db: Database, *args: str, user: str = "warehouse", code: int = 0) -> Result:
    return rma_on(db, *args, user=user, code=code)


def counts(db: Database) -> tuple[int, int, int]:
    """Stock moves, audit events and supplier returns: a refused command changes none."""
    with db.read() as s:
        return (int(s.exec(select(func.count()).select_from(StockMove)).one()),
                int(s.exec(select(func.count()).select_from(AuditEvent)).one()),
                int(s.exec(select(func.count()).select_from(SupplierReturn)).one()))


def test_stock_ledger(shop: Database) -> None:
    out = rma(shop, "--lang", "en", "stock-ledger", "P2", "--json").stdout
    rows = json.loads(out)
    assert [(r["kind"], r["location"], r["qty"]) for r in rows] == [
        ("adjust", "defective", 2), ("sale", "sellable", -1), ("purchase", "sellable", 5)]
    assert rows[0]["note"] == "盘点发现" and rows[0]["user"] == "owner"
    text = rma(shop, "stock-ledger", "P2", "--limit", "1").stdout
    assert "盘点调整" in text and "盘点发现" in text and "--offset 1" in text
    assert "销售出库" not in text
    res = rma(shop, "stock-ledger", "NOPE", code=1)
    assert "NOPE" in res.stderr


def test_adjust(shop: Database) -> None:
    before = counts(shop)
    # No reason, a zero change, an unknown location, a clerk: refused, nothing written.
    rma(shop, "adjust", "P1", "--location", "sellable", "--qty", "-2", "--reason", " ", code=1)
    rma(shop, "adjust", "P1", "--location", "sellable", "--qty", "0", "--reason", "x", code=1)
    rma(shop, "adjust", "P1", "--location", "pending", "--qty", "1", "--reason", "x", code=2)
    rma(shop, "adjust", "P1", "--location", "sellable", "--qty", "-8", "--reason", "x", code=1)
    res = rma(shop, "adjust", "P1", "--location", "sellable", "--qty", "-1", "--reason", "x",
              user="clerk", code=1)
    assert "clerk" in res.stderr
    assert counts(shop) == before and stock_of(shop, "P1").sellable == 7
    out = rma(shop, "adjust", "P1", "--location", "sellable", "--qty", "-2",
              "--reason", "盘点少2件", "--request-id", "adj-1").stdout
    assert "P1" in out and "-2" in out and "盘点少2件" in out
    assert stock_of(shop, "P1").sellable == 5
    # The same request again changes nothing (I7).
    rma(shop, "adjust", "P1", "--location", "sellable", "--qty", "-2", "--reason", "盘点少2件",
        "--request-id", "adj-1")
    assert stock_of(shop, "P1").sellable == 5
    rma(shop, "adjust", "P2", "--location", "defective", "--qty", "+1", "--reason", "又找到")
    assert stock_of(shop, "P2").defective == 3


def test_reorder(shop: Database) -> None:
    before = counts(shop)
    rma(shop, "reorder", "P1", "abc", code=2)
    rma(shop, "reorder", "P1", "--", "-1", code=1)
    rma(shop, "reorder", "NOPE", "3", code=1)
    assert counts(shop) == before
    out = rma(shop, "--lang", "en", "reorder", "P1", "7").stdout
    assert "P1 reorder point set to 7" in out
    assert stock_of(shop, "P1").reorder_point == 7
    assert [a.sku for a in sv.alerts(shop)] == ["P1"]      # 7 sellable <= 7: low now
    rma(shop, "alerts", "--fail-on-alert", code=1)


def test_defective_repair_and_scrap(shop: Database) -> None:
    before = counts(shop)
    rma(shop, "defective", "repair", "P2", "3", code=1)        # only 2 defective
    rma(shop, "defective", "scrap", "P2", "0", code=1)
    rma(shop, "defective", "mend", "P2", "1", code=2)
    assert counts(shop) == before
    rma(shop, "defective", "repair", "P2", "1", "--note", "换电池")
    row = stock_of(shop, "P2")
    assert (row.sellable, row.defective) == (5, 1)
    out = rma(shop, "defective", "scrap", "P2", "1").stdout
    assert "P2" in out
    row = stock_of(shop, "P2")
    assert (row.defective, row.scrap) == (0, 1)
    with shop.read() as s:
        notes = s.exec(select(StockMove.note).where(StockMove.kind == "repair")).all()
    assert set(notes) == {"换电池"}


def test_supplier_return_and_list(shop: Database) -> None:
    before = counts(shop)
    # P2 has no supplier of its own, so one must be named; a bad credit is refused.
    rma(shop, "supplier-return", "P2", "1", code=1)
    rma(shop, "supplier-return", "P2", "1", "--supplier", "惠州音迈", "--credit", "1.234",
        code=1)
    rma(shop, "supplier-return", "P2", "1", "--supplier", "惠州音迈", "--credit", "-5", code=1)
    rma(shop, "supplier-return", "P2", "3", "--supplier", "惠州音迈", code=1)
    assert counts(shop) == before
    out = rma(shop, "supplier-return", "P2", "1", "--supplier", "惠州音迈", "--credit", "50",
              "--note", "左耳无声").stdout
    with shop.read() as s:
        ret = SupplierReturn.model_validate(
            s.exec(select(SupplierReturn).order_by(col(SupplierReturn.id))).one())
    assert ret.number.startswith("GT-") and ret.number in out
    assert (ret.supplier, ret.qty, ret.expected_credit_fen, ret.note) == (
        "惠州音迈", 1, 5000, "左耳无声")
    assert stock_of(shop, "P2").defective == 1
    rma(shop, "supplier-return", "P2", "1", "--supplier", "惠州音迈")  # at its value: 60.00
    sums = json.loads(rma(shop, "supplier-returns", "--json").stdout)
    assert sums == [{"supplier": "惠州音迈", "returns": 2, "units": 2, "value_fen": 12000,
                     "expected_credit_fen": 11000}]
    one = json.loads(rma(shop, "supplier-returns", "--supplier", "惠州音迈", "--json").stdout)
    assert [(r["qty"], r["value_fen"], r["expected_credit_fen"]) for r in one] == [
        (1, 6000, 6000), (1, 6000, 5000)]
    assert one[1]["number"] == ret.number
    text = rma(shop, "supplier-returns").stdout
    assert "惠州音迈" in text and "110.00" in text
    assert ret.number in rma(shop, "supplier-returns", "--supplier", "惠州音迈").stdout
    assert "没有退供应商记录" in rma(shop, "supplier-returns", "--supplier", "别家").stdout
