"""`rma customer pay`, `rma customer statement` and `rma slip settle --rest`: what they print,
the rows they leave, and refusals that exit non-zero and write nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cli_helpers import rma_on
from conftest import make_shop
from slip_flow import bring

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.store.db import Database

PHONE = "13800000001"

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture
def shop(db: Database) -> tuple[Database, list[str]]:
    """The tiny shop at the real time (the CLI's clock) plus SO-A, two earphones sold to
    张三 on account (owes 300.00), and two inspected returns of one earphone each."""
    start = datetime.now(UTC) - timedelta(hours=1)
    make_shop(db, now=start)
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-A", "store", start - timedelta(days=1), [sv.SaleLineInput("P2", 2, 15000)],
        customer_phone=PHONE, payment_method="account")], now=start)
    at = iter(start + timedelta(minutes=m) for m in range(1, 100))
    slips = []
    for _ in range(2):
        n = sv.create_slip(db, "clerk", "SO-A", "return", [sv.LineInput("P2", 1, "quality")],
                           now=next(at)).number
        bring(db, n, "inspected", at)
        slips.append(n)
    return db, slips


def owed(db: Database) -> int:
    return sv.customer_statement(db, PHONE).balance_fen


def test_pay_settle_with_a_rest_and_the_statement(shop: tuple[Database, list[str]]) -> None:
    db, (first, second) = shop
    out = rma_on(db, "customer", "pay", PHONE, "100.50", "--method", "bank", "--note", "转账",
                 user="finance").stdout
    assert "已收款 100.50，顾客尚欠 199.50" in out
    rma_on(db, "slip", "settle", first, "--method", "receivable", user="finance")
    assert owed(db) == 4950
    refused = rma_on(db, "slip", "settle", second, "--method", "receivable", user="finance",
                     code=1)
    assert "49.50" in refused.stderr and "--rest" in refused.stderr
    assert sv.get_slip(db, second).status == "inspected" and owed(db) == 4950
    out = rma_on(db, "slip", "settle", second, "--method", "receivable", "--rest", "cash",
                 user="finance").stdout
    assert "100.50" in out and "现金" in out  # the rest beyond the debt, in cash
    v = sv.get_slip(db, second)
    assert (v.status, v.rest_method, v.rest_fen) == ("settled", "cash", 10050)
    assert owed(db) == 0
    data = json.loads(rma_on(db, "customer", "statement", PHONE, "--json",
                             user="finance").stdout)
    assert [(m["kind"], m["order"], m["slip"], m["delta_fen"], m["balance_fen"])
            for m in data["lines"]] == [
        ("sale", "SO-A", None, 30000, 30000), ("payment", None, None, -10050, 19950),
        ("refund", None, first, -15000, 4950), ("refund", None, second, -4950, 0)]
    assert (data["balance_fen"], data["owed_by_shop"]) == (0, {"main": 0})
    table = rma_on(db, "customer", "statement", PHONE, user="finance").stdout
    assert "应收账款对账单" in table and "赊账销售" in table and "现欠：0.00" in table
    en = rma_on(db, "--lang", "en", "customer", "statement", PHONE, user="finance").stdout
    assert "Sale on account" in en and "Owed now: 0.00" in en
    i18n.set_lang("zh")
    assert json.loads(rma_on(db, "verify", "--json", user="owner").stdout)["ok"] is True


def test_customer_show_says_what_is_owed(shop: tuple[Database, list[str]]) -> None:
    db, _ = shop
    out = rma_on(db, "customer", "show", PHONE, user="clerk").stdout
    assert "应收余额（欠款）" in out and "300.00" in out
    data = json.loads(rma_on(db, "customer", "show", PHONE, "--json", user="clerk").stdout)
    assert data["receivable_fen"] == 30000


@pytest.mark.parametrize(("args", "says"), [
    (["customer", "pay", PHONE, "300.01"], "300.00"),
    (["customer", "pay", PHONE, "0"], "0"),
    (["customer", "pay", PHONE, "abc"], "abc"),
    (["customer", "pay", PHONE, "10", "--method", "credit"], "credit"),
    (["customer", "pay", "13900000000", "10"], "13900000000"),
])
def test_bad_payments_exit_non_zero_and_write_nothing(shop: tuple[Database, list[str]],
                                                      args: list[str], says: str) -> None:
    db, _ = shop
    result = rma_on(db, *args, user="finance", code=1)
    assert says in result.stderr
    assert owed(db) == 30000


def test_a_rest_on_a_cash_refund_is_refused(shop: tuple[Database, list[str]]) -> None:
    db, (first, _) = shop
    result = rma_on(db, "slip", "settle", first, "--method", "cash", "--rest", "credit",
                    user="finance", code=1)
    assert "rest" in result.stderr
    assert sv.get_slip(db, first).status == "inspected"
