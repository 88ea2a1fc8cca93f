"""What each returns-report column counts, worked out by hand, and the report against the
journal.

The shop: `make_shop` (SO-1, counter, 2026-11-18: 3 x P1 at 18.00 + 1 x P2 at 140.00) plus
SO-2 (online, 2026-11-18: 4 x P1 at 20.00 + 2 x P2 at 150.00), both 张三's. The counter
keeps 10 % of a no-reason return (the policy file's restocking fee); online keeps nothing.

    A  return   SO-1  2 x P1 changed_mind  created 11-20, refunded 11-21 in cash:
                gross 36.00, fee 3.60, refund 32.40
    B  return   SO-1  1 x P2 quality       created 11-20, refunded 12-02 to store credit:
                140.00 (claimed in November, refunded in December)
    C  exchange SO-2  1 x P1 quality → 1 x P1, created 11-20, exchanged 11-22 (20.00 back)
    D  return   SO-2  1 x P2 quality       created 11-20, approved: pending 150.00
    E  return   SO-2  2 x P1 size          created 11-20, cancelled: never counts
    F  return   SO-2  1 x P1 changed_mind  created 11-21, a draft: pending 20.00

A platform's refund, posted when its export is imported and before our slip is settled, is
counted as refunded (not pending) when it was posted: the last test, on the sample files.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import NOW, Shop
from test_platforms import TAOBAO, by_ref, import_sample, platform_shop
from test_service import assert_verified, sql

from rma_tui import service as sv
from rma_tui.reads import finance as fin
from rma_tui.reads import reports
from rma_tui.reads.report_tables import returns_table
from rma_tui.store.db import Database

L = sv.LineInput
G = sv.GradeInput
NOV, DEC = (date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 12, 1), date(2026, 12, 31))
NO_METHOD = dict.fromkeys(sv.REFUND_METHODS, 0)


def _through(db: Database, number: str, grades: list[sv.GradeInput], method: str,
             settled_at: datetime) -> None:
    """Submit, approve when needed, receive, inspect and settle one slip."""
    slip = sv.submit_slip(db, "clerk", number, now=NOW)
    if slip.status == "submitted":
        sv.approve_slip(db, "owner", number, now=NOW)
    sv.receive_slip(db, "warehouse", number, now=NOW)
    sv.inspect_slip(db, "warehouse", number, grades, now=NOW)
    sv.settle_slip(db, "finance", number, method, now=settled_at)


@pytest.fixture
def cols(shop: Shop, min_sample: Any) -> Database:
    """The shop with the slips of the module docstring (rates shown from 1 unit sold)."""
    db = shop.db
    min_sample(1)
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-2", "online", NOW - timedelta(days=2),
        [sv.SaleLineInput("P1", 4, 2000), sv.SaleLineInput("P2", 2, 15000)],
        customer_phone="13800000001", payment_method="wechat")], now=NOW)
    a = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 2, "changed_mind")], now=NOW)
    _through(db, a.number, [G("P1", 2, 0, 0)], "cash", NOW + timedelta(days=1))
    b = sv.create_slip(db, "clerk", "SO-1", "return", [L("P2", 1, "quality")], now=NOW)
    _through(db, b.number, [G("P2", 0, 1, 0)], "credit", NOW + timedelta(days=12))
    c = sv.create_slip(db, "clerk", "SO-2", "exchange",
                       [L("P1", 1, "quality", replacement_sku="P1", replacement_qty=1)],
                       now=NOW)
    _through(db, c.number, [G("P1", 0, 1, 0)], "cash", NOW + timedelta(days=2))
    d = sv.create_slip(db, "clerk", "SO-2", "return", [L("P2", 1, "quality")], now=NOW)
    if sv.submit_slip(db, "clerk", d.number, now=NOW).status == "submitted":
        sv.approve_slip(db, "owner", d.number, now=NOW)
    e = sv.create_slip(db, "clerk", "SO-2", "return", [L("P1", 2, "size")], now=NOW)
    sv.cancel_slip(db, "clerk", e.number, "顾客不退了", now=NOW)
    f = sv.create_slip(db, "clerk", "SO-2", "return", [L("P1", 1, "changed_mind")],
                       now=NOW + timedelta(days=1))
    made = {"A": a.number, "B": b.number, "C": c.number, "D": d.number, "E": e.number,
            "F": f.number}
    assert {k: sv.get_slip(db, n).status for k, n in made.items()} == {
        "A": "settled", "B": "settled", "C": "settled", "D": "approved", "E": "cancelled",
        "F": "draft"}
    assert (sv.get_slip(db, a.number).refund_fen, sv.get_slip(db, b.number).refund_fen) == (
        3240, 14000)
    return db


def figures(r: reports.ReturnsRow) -> tuple[Any, ...]:
    """Every count of a row but the rates, in the order of the report's columns."""
    return (r.key, r.slips, r.units_claimed, r.value_claimed_fen, r.units_refunded,
            r.refund_fen, r.fees_fen, r.units_exchanged, r.value_exchanged_fen,
            r.units_pending, r.value_pending_fen, r.units_sold, r.value_sold_fen)


def by_key(rows: list[reports.ReturnsRow]) -> dict[str, reports.ReturnsRow]:
    return {r.key: r for r in rows}


def test_november_by_channel(cols: Database) -> None:
    db = cols
    rows = by_key(reports.returns_report(db, "channel", *NOV))
    # store: A + B claimed (3 units, 36.00 + 140.00); in November only A's refund (2 units,
    # 32.40 in cash, 3.60 kept); nothing pending (B was refunded later but is settled now);
    # sold 4 units, 54.00 + 140.00 = 194.00.
    assert figures(rows["store"]) == ("store", 2, 3, 17600, 2, 3240, 360, 0, 0, 0, 0, 4, 19400)
    assert rows["store"].refund_by_method == {**NO_METHOD, "cash": 3240}
    assert rows["store"].rate == pytest.approx(3 / 4)
    assert rows["store"].rate_value == pytest.approx(17600 / 19400)
    # online: C, D, F claimed (E cancelled): 3 units, 20.00 + 150.00 + 20.00; C exchanged
    # (1 unit, 20.00 back); D and F pending (2 units, 170.00); sold 6 units, 380.00.
    assert figures(rows["online"]) == ("online", 3, 3, 19000, 0, 0, 0, 1, 2000, 2, 17000, 6,
                                       38000)
    assert rows["online"].refund_by_method == NO_METHOD
    assert rows["online"].rate == pytest.approx(3 / 6)
    assert rows["online"].rate_value == pytest.approx(19000 / 38000)
    assert list(rows) == ["online", "store"]  # most units claimed first, then by key


def test_december_holds_the_refund_of_a_november_claim(cols: Database) -> None:
    db = cols
    rows = reports.returns_report(db, "channel", *DEC)
    # Nothing claimed or sold in December; B's refund (140.00 to store credit) was.
    assert [figures(r) for r in rows] == [
        ("store", 0, 0, 0, 1, 14000, 0, 0, 0, 0, 0, 0, 0)]
    assert rows[0].refund_by_method == {**NO_METHOD, "credit": 14000}
    assert rows[0].rate is None and rows[0].rate_value is None  # nothing sold


def test_by_month_claims_and_settlements_in_their_own_month(cols: Database) -> None:
    db = cols
    rows = by_key(reports.returns_report(db, "month"))
    assert figures(rows["2026-11"]) == ("2026-11", 5, 6, 36600, 2, 3240, 360, 1, 2000, 2,
                                        17000, 10, 57400)
    assert figures(rows["2026-12"]) == ("2026-12", 0, 0, 0, 1, 14000, 0, 0, 0, 0, 0, 0, 0)
    assert list(rows) == ["2026-11", "2026-12"]
    # Over all time every claimed unit and fen is refunded (with its fee), exchanged or
    # pending: nothing is counted twice or lost between the columns.
    total = reports.returns_report(db, "channel")
    assert sum(r.units_claimed for r in total) == sum(
        r.units_refunded + r.units_exchanged + r.units_pending for r in total) == 6
    assert sum(r.value_claimed_fen for r in total) == sum(
        r.refund_fen + r.fees_fen + r.value_exchanged_fen + r.value_pending_fen
        for r in total) == 36600


def test_by_product_and_reason(cols: Database) -> None:
    db = cols
    rows = by_key(reports.returns_report(db, "product"))
    # P1: A (2 refunded, 36.00 gross), C (1 exchanged, 20.00), F (1 pending, 20.00);
    # sold 3 + 4 = 7 units, 54.00 + 80.00.
    assert figures(rows["P1"]) == ("P1", 3, 4, 7600, 2, 3240, 360, 1, 2000, 1, 2000, 7,
                                   13400)
    # P2: B (refunded 140.00 to credit), D (pending 150.00); sold 3 units, 440.00.
    assert figures(rows["P2"]) == ("P2", 2, 2, 29000, 1, 14000, 0, 0, 0, 1, 15000, 3, 44000)
    assert rows["P2"].refund_by_method == {**NO_METHOD, "credit": 14000}
    reasons = by_key(reports.returns_report(db, "reason"))
    assert {k: (r.units_claimed, r.refund_fen, r.units_pending) for k, r in reasons.items()
            } == {"quality": (3, 14000, 1), "changed_mind": (3, 3240, 1)}
    # A reason is rated against everything sold (10 units, 574.00).
    assert reasons["quality"].rate == pytest.approx(3 / 10)  # B, C, D
    assert reasons["quality"].rate_value == pytest.approx((14000 + 2000 + 15000) / 57400)


def test_the_refunded_column_is_the_journal(cols: Database) -> None:
    db = cols
    # The refund entries: debit 6003 by the gross, credit the refund account by the refund
    # and 6051 by the fee; the report's refunded figures are theirs to the fen.
    for since, until in (NOV, DEC, (None, None)):
        report = sum(r.refund_fen for r in reports.returns_report(db, "channel", since, until))
        by_day = sum(r.refund_fen for r in fin.refunds_by_day(db, since, until))
        assert report == by_day == refund_postings(db, since, until)
    assert refund_postings(db, *NOV) == 3240 and refund_postings(db, *DEC) == 14000
    # Fees: what 6051 was credited by refunds.
    assert sum(r.fees_fen for r in reports.returns_report(db, "month")) == int(sql(db, """
        SELECT coalesce(sum(p.credit_fen), 0) FROM postings p
        JOIN journal_entries e ON e.id = p.entry_id
        WHERE e.kind = 'refund' AND p.account_code = :a""", a=sv.OTHER_INCOME)[0][0]) == 360
    assert_verified(db)


def test_columns_are_titled_and_exported_alike(cols: Database) -> None:
    db = cols
    rows = reports.returns_report(db, "channel", *NOV)
    table = returns_table(rows, "channel")
    heads = [c.header for c in table.columns]
    assert heads[:5] == ["渠道", "单据数", "申请件数", "申请金额", "已退款件数"]
    assert heads[5:12] == ["已退款金额", "已退款·原路退回", "已退款·现金", "已退款·储值/店铺余额",
                           "已退款·冲减应收", "已退款·平台退款", "手续费及扣款"]
    assert heads[-4:] == ["销售件数", "销售金额", "退货率(件数)", "退货率(金额)"]
    # The JSON form carries the same figures under the row's field names.
    online = next(r for r in rows if r.key == "online").as_dict()
    assert (online["units_exchanged"], online["value_pending_fen"]) == (1, 17000)
    assert online["refund_by_method"] == NO_METHOD


def refund_postings(db: Database, since: date | None, until: date | None) -> int:
    """What the refund entries credited to the refund accounts (all but 6051) in the
    local days [since, until]."""
    rows = sql(db, """SELECT e.at, p.credit_fen, p.account_code FROM postings p
                      JOIN journal_entries e ON e.id = p.entry_id WHERE e.kind = 'refund'""")
    total = 0
    for at, credit, code in rows:
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        day = when.replace(tzinfo=when.tzinfo or UTC).astimezone().date()
        if (since is None or day >= since) and (until is None or day <= until) \
                and code != sv.OTHER_INCOME:
            total += int(credit)
    return total


def test_a_platform_refund_counts_when_posted_before_settlement(db: Database,
                                                                min_sample: Any) -> None:
    platform_shop(db)
    min_sample(1)
    posted = datetime(2026, 11, 29, 10, tzinfo=UTC)
    import_sample(db, TAOBAO, "taobao", now=posted)
    refunded = by_ref(db)["186512000000000105"]  # refunded on Taobao, not received here
    assert refunded.status not in ("settled", "closed") and refunded.platform_refund_fen == 5990
    rows = by_key(reports.returns_report(db, "channel", *NOV))
    tb = rows["taobao"]
    # 5 requests of 6 units claimed (59.90 + 39.00 + 78.00 + 59.90 + 59.90 = 296.70); the
    # refunded one is refunded (59.90 by the platform), not pending; the rest pend.
    assert (tb.slips, tb.units_claimed, tb.value_claimed_fen) == (5, 6, 29670)
    assert (tb.units_refunded, tb.refund_fen, tb.fees_fen) == (1, 5990, 0)
    assert tb.refund_by_method == {**NO_METHOD, "platform": 5990}
    assert (tb.units_pending, tb.value_pending_fen) == (5, 29670 - 5990)
    assert refund_postings(db, *NOV) == 5990
    # Settling the slip later posts nothing more: the refund stays where it was counted.
    sv.receive_slip(db, "warehouse", refunded.number, now=posted + timedelta(days=3))
    sv.inspect_slip(db, "warehouse", refunded.number, [G("TB-TEE-01", 1, 0, 0)],
                    now=posted + timedelta(days=3))
    sv.settle_slip(db, "finance", refunded.number, "platform", now=posted + timedelta(days=3))
    again = by_key(reports.returns_report(db, "channel", *NOV))["taobao"]
    assert (again.units_refunded, again.refund_fen) == (1, 5990)
    assert reports.returns_report(db, "channel", *DEC) == []
