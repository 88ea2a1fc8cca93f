"""Customer reads (rma_tui/reads/customers.py) against a hand-built shop, every number worked
out by hand here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import NOW, make_shop
from slip_flow import bring, clock
from sqlmodel import select

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.reads import customers as rc
from rma_tui.service.queries import slips_in_year
from rma_tui.store.db import Database
from rma_tui.store.models import Customer

PHONE = "13800000001"


@pytest.fixture
def shop(db: Database) -> Database:
    """张三 bought SO-1: 3 x P1 at 18.00 + 1 x P2 at 140.00 = 194.00 (two days before NOW)."""
    make_shop(db, now=NOW)
    return db


def test_unknown_customer(shop: Database) -> None:
    with pytest.raises(DomainError) as e:
        rc.customer_profile(shop, "19900000000", now=NOW)
    assert e.value.key == "unknown_customer"


def test_profile_totals_and_rate(shop: Database) -> None:
    at = clock()
    # A return of one cable (1 x 18.00), settled to store credit.
    ret = sv.create_slip(shop, "clerk", "SO-1", "return",
                         [sv.LineInput("P1", 1, "quality", "插头松动")], now=next(at))
    bring(shop, ret.number, "settled", at, method="credit")
    # A rejected return of the earphones: it counts as a slip, not as value returned.
    rej = sv.create_slip(shop, "clerk", "SO-1", "return",
                         [sv.LineInput("P2", 1, "changed_mind", packaging_intact=False)],
                         now=next(at))
    sv.submit_slip(shop, "clerk", rej.number, now=next(at))
    sv.reject_slip(shop, "owner", rej.number, "已拆封", now=next(at))
    later = NOW + timedelta(hours=1)
    p = rc.customer_profile(shop, PHONE, now=later)
    assert (p.name, p.phone, p.sales_count, p.slips_count) == ("张三", PHONE, 1, 2)
    assert p.purchased_fen == 3 * 1800 + 14000 == 19400
    assert p.returned_fen == 1 * 1800
    assert p.return_rate == pytest.approx(1800 / 19400)
    # Store credit: the refund of 18.00, one move.
    assert p.credit_fen == 1800
    assert [(m.delta_fen, m.balance_fen, m.kind, m.slip, m.user) for m in p.credit_moves] == [
        (1800, 1800, "refund", ret.number, "finance")]
    assert p.credit_moves_count == 1
    # Lists, newest first.
    assert [(r.order, r.units, r.total_fen, r.payment_method) for r in p.purchases] == [
        ("SO-1", 4, 19400, "wechat")]
    # The rejected one would have refunded 140.00 less the store's 10% restocking fee.
    assert [(s.number, s.status, s.units, s.value_fen, s.amount_fen) for s in p.slips] == [
        (rej.number, "rejected", 1, 14000, 14000 - 1400), (ret.number, "settled", 1, 1800, 1800)]
    # Two slips (rejected counts, as in the review queue) under the threshold of 3.
    assert (p.slips_in_year, p.repeat_threshold, p.repeat_returner) == (2, 3, False)


def test_nothing_bought_has_no_rate(shop: Database) -> None:
    sv.add_customers(shop, "owner", [sv.CustomerInput("李四", "13900000002")], now=NOW)
    p = rc.customer_profile(shop, "13900000002", now=NOW)
    assert (p.purchased_fen, p.returned_fen, p.return_rate) == (0, 0, None)
    assert p.purchases == () and p.slips == () and p.credit_moves == ()


def test_repeat_returner_same_rule_as_review_queue(shop: Database) -> None:
    at = clock()
    numbers = []
    for _ in range(3):
        slip = sv.create_slip(shop, "clerk", "SO-1", "return",
                              [sv.LineInput("P1", 1, "size")], now=next(at))
        numbers.append(slip.number)
    # Drafts count; a cancelled slip does not.
    sv.cancel_slip(shop, "clerk", numbers[0], "录错了", now=next(at))
    assert rc.customer_profile(shop, PHONE, now=NOW + timedelta(hours=1)).slips_in_year == 2
    extra = sv.create_slip(shop, "clerk", "SO-1", "return", [sv.LineInput("P2", 1, "size")],
                           now=next(at))
    p = rc.customer_profile(shop, PHONE, now=NOW + timedelta(hours=1))
    assert (p.slips_in_year, p.repeat_returner) == (3, True)
    # The count is the review queue's own (service._slips_in_year) at any moment.
    with shop.read() as s:
        cid = s.exec(select(Customer.id).where(Customer.phone == PHONE)).one()
        for hours in (0, 1, 24 * 365, 24 * 366):
            moment = NOW + timedelta(hours=hours)
            assert slips_in_year(s, cid, moment) == rc.customer_profile(
                shop, PHONE, now=moment).slips_in_year
    assert extra.status == "draft"
    # A year and a day later the window has moved past all of them.
    late = rc.customer_profile(shop, PHONE, now=NOW + timedelta(days=366))
    assert (late.slips_in_year, late.repeat_returner) == (0, False)


def test_low_feedback_follow_up_due_then_listed(shop: Database) -> None:
    at = clock()
    slip = sv.create_slip(shop, "clerk", "SO-1", "return",
                          [sv.LineInput("P1", 1, "quality")], now=next(at))
    bring(shop, slip.number, "settled", at)
    said = next(at)
    sv.add_feedback(shop, "clerk", slip.number, 2, "等太久", now=said)
    due = said + timedelta(days=sv.policy().follow_up_days)
    # Not due yet: the to-call-back list is empty a minute before.
    assert rc.call_back_list(shop, due - timedelta(minutes=1)) == []
    rows = rc.call_back_list(shop, due)
    assert [(f.phone, f.slip, f.note, f.auto, f.created_by, f.due_at, f.done)
            for f in rows] == [(PHONE, slip.number, "★2 等太久", True, "system", due, False)]
    p = rc.customer_profile(shop, PHONE, now=due)
    assert [(f.slip, f.score, f.comment, f.by) for f in p.feedback] == [
        (slip.number, 2, "等太久", "clerk")]
    assert p.open_follow_ups == 1 and p.feedback_count == 1
    # Done: it leaves the list, stays in the profile.
    sv.complete_follow_up(shop, "clerk", rows[0].id, "已回电", now=due)
    assert rc.call_back_list(shop, due + timedelta(days=1)) == []
    p = rc.customer_profile(shop, PHONE, now=due)
    assert [(f.done, f.outcome) for f in p.follow_ups] == [(True, "已回电")]


def test_high_feedback_opens_nothing(shop: Database) -> None:
    at = clock()
    slip = sv.create_slip(shop, "clerk", "SO-1", "return",
                          [sv.LineInput("P1", 1, "quality")], now=next(at))
    bring(shop, slip.number, "settled", at)
    sv.add_feedback(shop, "clerk", slip.number, 3, "还行", now=next(at))
    assert rc.call_back_list(shop, NOW + timedelta(days=30)) == []


def test_search_by_phone_prefix_or_name_paged(shop: Database) -> None:
    sv.add_customers(shop, "owner", [
        sv.CustomerInput("李四", "13900000002"), sv.CustomerInput("张小花", "13900000003")],
        now=NOW)
    hits = rc.search_customers(shop, "139")
    assert [(h.phone, h.name, h.sales, h.slips) for h in hits] == [
        ("13900000002", "李四", 0, 0), ("13900000003", "张小花", 0, 0)]
    assert [h.phone for h in rc.search_customers(shop, "张")] == [PHONE, "13900000003"]
    assert [h.phone for h in rc.search_customers(shop, "张", limit=1, offset=1)] == [
        "13900000003"]
    zhang = rc.search_customers(shop, PHONE)[0]
    assert (zhang.sales, zhang.slips) == (1, 0)
    assert rc.search_customers(shop, "  ") == []
    assert rc.search_customers(shop, "王五") == []


def test_purchases_and_slips_paged(shop: Database) -> None:
    sv.record_sales(shop, "clerk", [
        sv.SaleInput(f"SO-{i}", "store", NOW - timedelta(days=10 - i),
                     [sv.SaleLineInput("P1", 1, 2000)], customer_phone=PHONE)
        for i in range(2, 5)], now=NOW)
    page1 = rc.purchases(shop, PHONE, limit=2)
    page2 = rc.purchases(shop, PHONE, limit=2, offset=2)
    # SO-1 was two days ago, SO-4 six days ago: newest first.
    assert [r.order for r in page1 + page2] == ["SO-1", "SO-4", "SO-3", "SO-2"]
    assert rc.customer_profile(shop, PHONE, now=NOW).purchased_fen == 19400 + 3 * 2000
    assert rc.slips(shop, PHONE) == []
