"""Customer receivables (应收账款): sales on account, refunds and exchange differences to the
customer's account, payments, the statement and the `receivables` check of `verify`.

The tiny shop of `make_shop` (customer 张三 13800000001, SO-1 paid by WeChat) plus, where a
test needs a debt, sale SO-A on account: 2 x P2 at 150.00, so 张三 owes 300.00. Every
refusal is checked to write nothing (`refused` compares every row of every table)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import NOW
from test_service import (
    PHONE,
    L,
    advance,
    assert_verified,
    create,
    credit,
    one,
    postings,
    refused,
    sell,
    sql,
)

from rma_tui import service as sv
from rma_tui.reads import finance as fin
from rma_tui.reads.customers import customer_profile
from rma_tui.store.db import Database


def owed(db: Database, phone: str = PHONE, shop: str = "main") -> int:
    """What the customer owes the shop by their receivable moves."""
    return int(one(db, """SELECT coalesce(sum(m.delta_fen), 0) FROM receivable_moves m
                          JOIN customers c ON c.id = m.customer_id
                          WHERE c.phone = :p AND m.shop = :s""", p=phone, s=shop))


def on_account(db: Database, order: str = "SO-A", qty: int = 2, price: int = 15000) -> None:
    """张三 buys `qty` earphones on account (赊账)."""
    sell(db, order, [("P2", qty, price)], method="account")


def inspected(db: Database, sale: str, sku: str = "P2", qty: int = 1,
              typ: str = "return", **line: object) -> str:
    """A slip against `sale`, brought to inspected."""
    n = create(db, [L(sku, qty, "quality", **line)], sale=sale, typ=typ)  # type: ignore[arg-type]
    advance(db, n, "inspected")
    return n


# -- sales on account -------------------------------------------------------------------


def test_a_sale_on_account_is_owed_by_its_customer(shop):
    db = shop.db
    on_account(db)
    assert owed(db) == 30000 == sv.customer_owed(db, PHONE, "main")
    assert fin.receivable_balance(db) == 30000
    assert sql(db, """SELECT m.kind, m.delta_fen, s.order_no FROM receivable_moves m
                      JOIN sales s ON s.id = m.sale_id""") == [("sale", 30000, "SO-A")]
    profile = customer_profile(db, PHONE)
    assert profile.receivable_fen == 30000
    assert_verified(db)


def test_a_sale_on_account_needs_a_customer(shop):
    db = shop.db
    refused(db, "account_needs_customer", "[1].customer", sv.record_sales, "clerk",
            [sv.SaleInput("SO-X", "store", NOW - timedelta(days=1),
                          [sv.SaleLineInput("P1", 1, 2000)], payment_method="account")],
            now=NOW)


# -- refunds to the customer's account --------------------------------------------------


def test_a_refund_within_the_debt_reduces_it(shop):
    db = shop.db
    on_account(db)
    n = inspected(db, "SO-A")
    v = sv.settle_slip(db, "finance", n, "receivable", now=NOW)
    assert (v.refund_fen, v.rest_method, v.rest_fen) == (15000, None, 0)
    assert postings(db, n, "refund") == {"6003": (15000, 0), "1122": (0, 15000)}
    assert owed(db) == 15000 == fin.receivable_balance(db)
    assert_verified(db)


def test_original_refund_of_a_sale_on_account_reduces_the_debt(shop):
    db = shop.db
    on_account(db)
    n = inspected(db, "SO-A")
    sv.settle_slip(db, "finance", n, "original", now=NOW)
    assert postings(db, n, "refund") == {"6003": (15000, 0), "1122": (0, 15000)}
    assert owed(db) == 15000


def test_a_refund_beyond_the_debt_is_refused_until_the_rest_has_a_way(shop):
    db = shop.db
    on_account(db, qty=1)  # owes 150.00
    sv.record_payment(db, "finance", PHONE, 10000, now=NOW)  # pays 100.00: owes 50.00
    n = inspected(db, "SO-A")
    err = refused(db, "receivable_over", "method", sv.settle_slip, "finance", n,
                  "receivable", now=NOW)
    assert (err.params["owed"], err.params["amount"]) == (5000, 15000)
    assert "50.00" in err.message("zh") and "150.00" in err.message("en")
    v = sv.settle_slip(db, "finance", n, "receivable", rest_method="cash", now=NOW)
    assert (v.refund_fen, v.rest_method, v.rest_fen) == (15000, "cash", 10000)
    assert postings(db, n, "refund") == {"6003": (15000, 0), "1122": (0, 5000),
                                         "1001": (0, 10000)}
    assert owed(db) == 0 == fin.receivable_balance(db)
    # The line carries the part paid the rest way; the day's refunds show both parts.
    assert sql(db, "SELECT rest_fen FROM slip_lines") == [(10000,)]
    assert sorted((r.method, r.slips, r.refund_fen) for r in fin.refunds_by_day(db)) == [
        ("cash", 1, 10000), ("receivable", 1, 5000)]
    assert_verified(db)


def test_the_rest_as_store_credit(shop):
    db = shop.db
    n = inspected(db, "SO-1")  # owes nothing: all of it is the rest
    v = sv.settle_slip(db, "finance", n, "receivable", rest_method="credit", now=NOW)
    assert (v.rest_method, v.rest_fen) == ("credit", 14000)
    assert postings(db, n, "refund") == {"6003": (14000, 0), "2205": (0, 14000)}
    assert credit(db) == 14000 and owed(db) == 0
    assert_verified(db)


def test_the_rest_by_the_original_way_of_a_wechat_sale_goes_to_the_bank(shop):
    db = shop.db
    n = inspected(db, "SO-1")
    sv.settle_slip(db, "finance", n, "receivable", rest_method="original", now=NOW)
    assert postings(db, n, "refund") == {"6003": (14000, 0), "1002": (0, 14000)}


def test_a_rest_that_is_again_the_account_is_refused(shop):
    db = shop.db
    on_account(db, qty=1)
    sv.record_payment(db, "finance", PHONE, 15000, now=NOW)  # paid up
    n = inspected(db, "SO-A")
    refused(db, "rest_is_receivable", "rest", sv.settle_slip, "finance", n, "original",
            rest_method="original", now=NOW)


def test_a_rest_without_a_refund_to_the_account_is_refused(shop):
    db = shop.db
    n = inspected(db, "SO-1")
    refused(db, "rest_without_receivable", "rest", sv.settle_slip, "finance", n, "cash",
            rest_method="credit", now=NOW)
    refused(db, "bad_choice", "rest", sv.settle_slip, "finance", n, "receivable",
            rest_method="platform", now=NOW)


def test_the_debt_is_per_shop(shop):
    db = shop.db
    on_account(db)
    sv.add_shop(db, "owner", "east", "东门店", now=NOW)
    refused(db, "payment_over", "amount", sv.record_payment, "owner", PHONE, 100,
            shop="east", now=NOW)
    assert sv.customer_statement(db, PHONE).owed_by_shop == {"main": 30000}
    assert sv.customer_statement(db, PHONE, shop="east").balance_fen == 0


# -- exchanges ---------------------------------------------------------------------------


def test_an_exchange_difference_on_account_moves_the_debt_both_ways(shop):
    db = shop.db
    sv.add_products(db, "owner", [sv.ProductInput("P3", "充电头", 2500, 1000)], now=NOW)
    sv.receive_purchase(db, "owner", "P3", 5, now=NOW)
    # Dearer: a cable (18.00) for a charger (25.00): the customer owes 7.00 more.
    up = inspected(db, "SO-1", "P1", typ="exchange", replacement_sku="P3")
    v = sv.settle_slip(db, "finance", up, "receivable", now=NOW)
    assert v.difference_fen == 700 and owed(db) == 700
    # Cheaper, beyond the debt: earphones (140.00) for a charger (25.00) is refused.
    down = inspected(db, "SO-1", "P2", typ="exchange", replacement_sku="P3")
    refused(db, "receivable_over", "method", sv.settle_slip, "finance", down, "receivable",
            now=NOW)
    refused(db, "rest_exchange", "rest", sv.settle_slip, "finance", down, "receivable",
            rest_method="cash", now=NOW)
    on_account(db, qty=1)  # now owes 157.00
    v = sv.settle_slip(db, "finance", down, "receivable", now=NOW)
    assert v.difference_fen == -11500 and owed(db) == 700 + 15000 - 11500
    assert owed(db) == fin.receivable_balance(db)
    assert_verified(db)


# -- payments ----------------------------------------------------------------------------


def test_a_payment_reduces_the_debt_and_is_posted_once(shop):
    db = shop.db
    on_account(db)
    left = sv.record_payment(db, "finance", PHONE, 12050, method="bank", note="转账",
                             request_id="pay-1", now=NOW)
    assert left == 17950 == owed(db)
    again = sv.record_payment(db, "finance", PHONE, 12050, method="bank", note="转账",
                              request_id="pay-1", now=NOW)
    assert again == 17950 == owed(db)  # the same request: applied once
    assert sql(db, """SELECT p.account_code, p.debit_fen, p.credit_fen FROM postings p
                      JOIN journal_entries e ON e.id = p.entry_id
                      WHERE e.kind = 'receivable_payment' ORDER BY p.account_code""") == [
        ("1002", 12050, 0), ("1122", 0, 12050)]
    assert one(db, "SELECT count(*) FROM audit_events WHERE action = 'receivable_payment'") == 1
    assert_verified(db)


def test_payments_refused(shop):
    db = shop.db
    on_account(db, qty=1)
    err = refused(db, "payment_over", "amount", sv.record_payment, "finance", PHONE, 15001,
                  now=NOW)
    assert err.params["owed"] == 15000
    refused(db, "amount_positive", "amount", sv.record_payment, "finance", PHONE, 0, now=NOW)
    refused(db, "bad_choice", "method", sv.record_payment, "finance", PHONE, 100,
            method="credit", now=NOW)
    refused(db, "role_denied", "user", sv.record_payment, "warehouse", PHONE, 100, now=NOW)
    refused(db, "unknown_customer", "phone", sv.record_payment, "finance", "13900000000",
            100, now=NOW)


# -- the statement and verify ---------------------------------------------------------------


def test_the_statement_runs_the_balance(shop):
    db = shop.db
    on_account(db)
    n = inspected(db, "SO-A")
    sv.settle_slip(db, "finance", n, "receivable", now=NOW + timedelta(minutes=1))
    sv.record_payment(db, "finance", PHONE, 5000, now=NOW + timedelta(minutes=2))
    st = sv.customer_statement(db, PHONE)
    assert [(m.kind, m.order, m.slip, m.delta_fen, m.balance_fen) for m in st.lines] == [
        ("sale", "SO-A", None, 30000, 30000),
        ("refund", None, n, -15000, 15000),
        ("payment", None, None, -5000, 10000)]
    assert (st.name, st.balance_fen, st.owed_by_shop) == ("张三", 10000, {"main": 10000})
    doc = st.as_dict()
    assert doc["lines"][0]["at"].endswith("+00:00") and doc["balance_fen"] == 10000


def test_verify_finds_a_subledger_that_disagrees_with_1122(shop):
    db = shop.db
    on_account(db)
    assert_verified(db)
    sql(db, "UPDATE receivable_moves SET delta_fen = delta_fen - 100")
    rep = sv.verify(db)
    check = next(c for c in rep.checks if c.name == "receivables")
    assert not check.ok and not rep.ok
    assert [f.key for f in check.findings] == ["verify_receivable_account"]
    assert check.findings[0].params == {"shop": "main", "ledger": 29900, "account": 30000}


@pytest.mark.parametrize("method", ["credit", "receivable"])
def test_account_methods_need_a_customer(shop, method):
    db = shop.db
    sell(db, "SO-N", [("P1", 1, 2000)], phone=None)
    n = inspected(db, "SO-N", "P1")
    refused(db, "method_needs_customer", "method", sv.settle_slip, "finance", n, method,
            now=NOW)
