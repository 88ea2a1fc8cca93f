"""Reads the counter screens rely on: finding sales, products, customers and slips, the
review queue with its flags, and the first-run setup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import NOW, make_shop

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.store.db import Database

L = sv.LineInput


def test_find_sales_by_order_phone_barcode_and_sku(db: Database) -> None:
    make_shop(db)
    sv.add_products(db, "owner", [sv.ProductInput("P9", "充电宝", 9900, 5000,
                                                  barcode="6901234567892")], now=NOW)
    sv.receive_purchase(db, "owner", "P9", 5, now=NOW - timedelta(days=9))
    sv.record_sales(db, "clerk", [
        sv.SaleInput("SO-2", "online", NOW - timedelta(days=1), [sv.SaleLineInput("P9", 1, 9900)],
                     customer_phone="13800000001"),
        sv.SaleInput("TB-77", "online", NOW - timedelta(hours=3),
                     [sv.SaleLineInput("P1", 1, 2000)]),
    ], now=NOW)
    assert [x.order for x in sv.find_sales(db, "SO-1")] == ["SO-1"]
    assert [x.order for x in sv.find_sales(db, "SO-")] == ["SO-2", "SO-1"]  # prefix, newest
    assert [x.order for x in sv.find_sales(db, "13800000001")] == ["SO-2", "SO-1"]
    assert [x.order for x in sv.find_sales(db, "6901234567892")] == ["SO-2"]  # scanned
    assert [x.order for x in sv.find_sales(db, "P1")] == ["TB-77", "SO-1"]
    assert sv.find_sales(db, "  ") == [] and sv.find_sales(db, "nothing") == []
    assert sv.find_sales(db, "SO-1")[0].total_fen == 3 * 1800 + 14000


def test_search_products_shows_sellable_stock(shop) -> None:
    hits = {h.sku: h for h in sv.search_products(shop.db, "")}
    assert (hits["P1"].sellable, hits["P2"].sellable) == (7, 4)
    assert [h.sku for h in sv.search_products(shop.db, "耳机")] == ["P2"]
    assert [h.sku for h in sv.search_products(shop.db, "P1")] == ["P1"]


def test_find_customers_and_slips(shop) -> None:
    db = shop.db
    assert [c.name for c in sv.find_customers(db, "138")] == ["张三"]
    assert [c.phone for c in sv.find_customers(db, "张")] == ["13800000001"]
    n = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW).number
    assert [x.number for x in sv.find_slips(db, n[-4:])] == [n]
    assert [x.number for x in sv.find_slips(db, n.lower())] == [n]
    assert sv.find_slips(db, "HH-") == []


def test_review_queue_is_oldest_first_with_flags(shop) -> None:
    db = shop.db
    late = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "changed_mind")],
                          now=NOW + timedelta(days=10)).number
    big = sv.create_slip(db, "clerk", "SO-1", "return", [L("P2", 1, "quality")],
                         now=NOW).number  # 140.00 within 300.00: passes
    opened = sv.create_slip(db, "clerk", "SO-1", "return",
                            [L("P1", 1, "size", packaging_intact=False)], now=NOW).number
    nosale = sv.create_slip(db, "clerk", None, "return", [L("P1", 1, "quality",
                            unit_price_fen=1900)], note="小票丢失", channel="store",
                            customer_phone="13800000001", now=NOW).number
    for n in (late, big, opened, nosale):
        sv.submit_slip(db, "clerk", n, now=NOW)
    queue = sv.review_queue(db)
    assert [q.number for q in queue] == [late, opened, nosale]  # `big` was auto-approved
    flags = {q.number: q.flags for q in queue}
    assert "late" in flags[late] and "opened" in flags[opened] and "no_sale" in flags[nosale]
    # 张三 has 4 slips this year, over the threshold of 3: every one of them is flagged.
    assert all("repeat_returner" in f for f in flags.values())
    assert queue[0].customer == "张三" and queue[0].sale == "SO-1"
    assert sv.review_queue(db, limit=1, offset=1)[0].number == opened


def test_first_run_setup_is_one_transaction(db: Database) -> None:
    assert sv.needs_setup(db)
    with pytest.raises(DomainError) as e:
        sv.setup_shop(db, "", "店主", "1234", now=NOW)
    assert e.value.field == "shop_name" and sv.needs_setup(db)
    with pytest.raises(DomainError) as e:
        sv.setup_shop(db, "小米数码", "店主", "12", now=NOW)
    assert e.value.key == "bad_pin" and sv.needs_setup(db)
    u = sv.setup_shop(db, "小米数码", "店主", "1234", channels=["store"], now=NOW)
    assert (u.name, u.role, u.has_pin) == ("店主", "owner", True)
    assert not sv.needs_setup(db)
    assert sv.get_setting(db, "shop_name") == "小米数码"
    assert sv.get_setting(db, "channels") == "store"
    assert sv.check_pin(db, "店主", "1234") and not sv.check_pin(db, "店主", "4321")
    with pytest.raises(DomainError) as e:
        sv.setup_shop(db, "又一家", "别人", None, now=NOW)
    assert e.value.key == "already_set_up"
    assert sv.verify(db).ok


def test_a_shop_that_reviews_everything_lets_finance_approve(shop) -> None:
    """auto_approve = false: a slip that passes every rule waits for any approver, and
    finance may approve it (no exception, no reason needed)."""
    from dataclasses import replace

    db = shop.db
    pol = sv.policy()
    store = replace(pol.channel("store"), auto_approve=False)
    sv.set_policy(replace(pol, channels={**pol.channels, "store": store}))
    try:
        n = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")],
                           now=NOW).number
        v = sv.submit_slip(db, "clerk", n, now=NOW)
        assert (v.status, v.policy_ok, v.auto_approved) == ("submitted", True, False)
        assert {x.number for x in sv.review_queue(db)} == {n}
        assert sv.review_queue(db)[0].flags == ()
        notified = {x.role for r in ("owner", "finance") for x in sv.notifications(db, r)
                    if x.slip == n}
        assert notified == {"owner", "finance"}
        v = sv.approve_slip(db, "finance", n, now=NOW)
        assert (v.status, v.override_by) == ("approved", None)
    finally:
        sv.set_policy(None)
    assert sv.verify(db).ok


def test_a_rejected_slip_shows_why(shop) -> None:
    db = shop.db
    n = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "size", packaging_intact=False)],
                       now=NOW).number
    sv.submit_slip(db, "clerk", n, now=NOW)
    v = sv.reject_slip(db, "owner", n, "包装已拆且有划痕", now=NOW)
    assert v.close_reason == "包装已拆且有划痕" and v.as_dict()["close_reason"] == v.close_reason


def test_preview_of_a_resumed_draft_does_not_count_its_own_units(shop) -> None:
    db = shop.db
    n = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 3, "quality")], now=NOW).number
    with pytest.raises(DomainError) as e:
        sv.preview_slip(db, "SO-1", "return", [L("P1", 3, "quality")], now=NOW)
    assert e.value.key == "over_returnable"
    p = sv.preview_slip(db, "SO-1", "return", [L("P1", 3, "quality")], now=NOW, draft=n)
    assert p.refund_fen == 3 * 1800 and p.policy_ok


def test_list_slips_of_one_creator(shop) -> None:
    db = shop.db
    mine = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW)
    sv.create_slip(db, "clerk2", "SO-1", "return", [L("P1", 1, "quality")], now=NOW)
    got = sv.list_slips(db, status="draft", created_by="clerk")
    assert [x.number for x in got] == [mine.number]


def test_a_slip_shows_the_replacements_stock_and_the_customers_credit(shop) -> None:
    db = shop.db
    n = sv.create_slip(db, "clerk", "SO-1", "exchange",
                       [L("P1", 1, "quality", replacement_sku="P2")], now=NOW).number
    v = sv.get_slip(db, n)
    assert (v.lines[0].replacement_name, v.lines[0].replacement_sellable) == ("蓝牙耳机", 4)
    assert v.customer_credit_fen == 0
    sv.receive_purchase(db, "owner", "P2", 3, now=NOW)
    assert sv.get_slip(db, n).lines[0].replacement_sellable == 7
    r = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW).number
    for step in (sv.submit_slip, sv.receive_slip):
        step(db, "clerk" if step is sv.submit_slip else "warehouse", r, now=NOW)
    sv.inspect_slip(db, "warehouse", r, [sv.GradeInput("P1", 1, 0, 0)], now=NOW)
    sv.settle_slip(db, "finance", r, "credit", now=NOW)
    assert sv.get_slip(db, n).customer_credit_fen == 1800


def test_searches_ignore_letter_case_on_every_database(shop) -> None:
    """SQLite's LIKE ignores ASCII case and PostgreSQL's does not: the searches use ILIKE,
    so "type-c" finds the "Type-C" cable and "so-1" the order SO-1 on both."""
    db = shop.db
    assert [h.sku for h in sv.search_products(db, "type-c")] == ["P1"]
    assert [h.sku for h in sv.search_products(db, "p2")] == ["P2"]
    sv.add_customers(db, "clerk", [sv.CustomerInput("Anna Li", "13900000009")], now=NOW)
    assert [c.phone for c in sv.find_customers(db, "anna")] == ["13900000009"]
    assert [s.order for s in sv.find_sales(db, "so-1")] == ["SO-1"]


def test_alerts_raised_together_come_in_one_order(db: Database) -> None:
    """Alerts raised at the same instant are listed in the order they were raised (by id),
    the same on SQLite and PostgreSQL."""
    make_shop(db, now=NOW)
    sv.add_products(db, "owner", [sv.ProductInput(f"Z{i}", f"缺货品 {i}", 1000, 500)
                                  for i in (1, 2, 3)], now=NOW)
    for sku in ("Z3", "Z1", "Z2"):  # no stock: each low at once, all at the same instant
        sv.set_reorder_point(db, "owner", sku, 1, now=NOW)
    low = [a.sku for a in sv.alerts(db) if a.sku.startswith("Z")]
    assert low == ["Z3", "Z1", "Z2"]
