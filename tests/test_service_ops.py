"""Service tests for the stock, customer-care and daily-close writes.

Each write is proven on the database afterwards: stock levels per location, the stock moves
(kind, qty, value at cost), the journal entry's postings per account (amounts worked out by
hand here), the audit event, the notifications, and `verify`. Every refusal writes nothing
(`refused` compares every row of every table before and after).

Days close in the shop's local time: these tests run in Asia/Shanghai (UTC+8), so
NOW = 2026-11-20 10:00 UTC is 18:00 on 2026-11-20 at the counter.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import NOW, make_shop
from test_service import assert_verified, levels, one, refused, sql

from rma_tui import service as sv
from rma_tui.store.db import Database

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")

L = sv.LineInput
G = sv.GradeInput
PHONE = "13800000001"
SHANGHAI = timezone(timedelta(hours=8))  # no summer time in China
SUPPLIER = "深圳线材厂"
DAY = date(2026, 11, 20)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """An instant given as Shanghai wall-clock time on 2026-<month>-<day>, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def last_move_id(db: Database) -> int:
    return int(one(db, "SELECT coalesce(max(id), 0) FROM stock_moves"))


def moves_since(db: Database, since: int) -> list[tuple[str, int, str, int, str]]:
    """(location, qty, kind, value_fen, note) of the stock moves after id `since`."""
    return [(loc, int(q), k, int(v), n) for loc, q, k, v, n in sql(
        db, "SELECT location, qty, kind, value_fen, note FROM stock_moves WHERE id > :i"
            " ORDER BY id", i=since)]


def last_entry(db: Database, kind: str) -> dict[str, tuple[int, int]]:
    """Postings per account of the newest journal entry of `kind`."""
    got = sql(db, """
        SELECT account_code, sum(debit_fen), sum(credit_fen) FROM postings
        WHERE entry_id = (SELECT max(id) FROM journal_entries WHERE kind = :k)
        GROUP BY account_code""", k=kind)
    return {a: (int(d), int(c)) for a, d, c in got}


def entry_count(db: Database, kind: str | None = None) -> int:
    if kind is None:
        return int(one(db, "SELECT count(*) FROM journal_entries"))
    return int(one(db, "SELECT count(*) FROM journal_entries WHERE kind = :k", k=kind))


def balance(db: Database, code: str) -> int:
    """Σ debit - Σ credit of an account."""
    d, c = sv.account_balances(db).get(code, (0, 0))
    return d - c


def last_audit(db: Database) -> tuple[str, str, dict[str, Any]]:
    """(action, user, detail) of the newest audit event."""
    action, user, detail = sql(
        db, 'SELECT action, "user", detail_json FROM audit_events ORDER BY seq DESC LIMIT 1')[0]
    return action, user, json.loads(detail)


def sell(db: Database, order: str, lines: list[sv.SaleLineInput], at: datetime,
         method: str = "cash", phone: str | None = PHONE) -> None:
    sv.record_sales(db, "clerk", [sv.SaleInput(order, "store", at, lines, customer_phone=phone,
                                               payment_method=method)], now=at)


def slip(db: Database, order: str, lines: list[sv.LineInput], at: datetime = NOW,
         typ: str = "return", grades: list[sv.GradeInput] | None = None,
         settle: str | None = None) -> str:
    """A slip taken to inspected (and settled with `settle`), every step at `at`."""
    n = sv.create_slip(db, "clerk", order, typ, lines, now=at).number
    view = sv.submit_slip(db, "clerk", n, now=at)
    if view.status == "submitted":
        sv.approve_slip(db, "boss2", n, override_reason="店长特批", now=at)
    sv.receive_slip(db, "warehouse", n, now=at)
    sv.inspect_slip(db, "warehouse", n,
                    grades or [G(ln.sku, ln.qty, 0, 0) for ln in view.lines], now=at)
    if settle:
        sv.settle_slip(db, "finance", n, settle, now=at)
    return n


def two_cost_defectives(db: Database) -> tuple[str, str]:
    """The tiny shop plus SO-2 (2 cables at cost 10.00) and 3 defective cables: 2 back from
    SO-1 (cost 8.00 each) and 1 from SO-2 (cost 10.00): 26.00 of defective goods."""
    make_shop(db)
    sell(db, "SO-2", [sv.SaleLineInput("P1", 2, 1800, unit_cost_fen=1000)], NOW - timedelta(days=1))
    a = slip(db, "SO-1", [L("P1", 2, "quality", "插头松动")], grades=[G("P1", 0, 2, 0)])
    b = slip(db, "SO-2", [L("P1", 1, "quality", "不充电")], grades=[G("P1", 0, 1, 0)])
    return a, b


# ---------------------------------------------------------------------------------------
# Stock adjustments (盘点)
# ---------------------------------------------------------------------------------------


def test_adjust_sellable_loss_and_gain_post_write_off(db: Database) -> None:
    make_shop(db)
    assert levels(db, "P1") == (7, 0, 0, 0)
    since = last_move_id(db)
    row = sv.adjust_stock(db, "warehouse", "P1", "sellable", -2, "盘亏：丢失",
                          now=NOW + timedelta(hours=1))
    assert (row.sellable, row.defective) == (5, 0) and levels(db, "P1") == (5, 0, 0, 0)
    assert moves_since(db, since) == [("sellable", -2, "adjust", 0, "盘亏：丢失")]
    # A loss: 2 x 8.00 at today's cost, written off against inventory.
    assert last_entry(db, "stock_adjust") == {"6711": (1600, 0), "1405": (0, 1600)}
    assert last_audit(db) == ("stock_adjust", "warehouse", {
        "sku": "P1", "location": "sellable", "qty": -2, "value": 1600, "reason": "盘亏：丢失",
        "shop": "main"})

    since = last_move_id(db)
    row = sv.adjust_stock(db, "owner", "P1", "sellable", 1, "盘盈", now=NOW + timedelta(hours=2))
    assert row.sellable == 6
    assert moves_since(db, since) == [("sellable", 1, "adjust", 0, "盘盈")]
    assert last_entry(db, "stock_adjust") == {"1405": (800, 0), "6711": (0, 800)}
    assert entry_count(db, "stock_adjust") == 2
    assert balance(db, "6711") == 800  # 16.00 lost, 8.00 found
    assert_verified(db)


def test_adjust_down_to_the_reorder_point_raises_the_alert(db: Database) -> None:
    make_shop(db)  # P1: 7 sellable, reorder point 3
    assert "P1" not in {a.sku for a in sv.alerts(db)}
    sv.adjust_stock(db, "warehouse", "P1", "sellable", -4, "破损", now=NOW)
    assert [(a.sku, a.sellable, a.reorder_point) for a in sv.alerts(db)
            if a.sku == "P1"] == [("P1", 3, 3)]
    low = [n for n in sv.notifications(db, "owner") if n.key == "low_stock"]
    assert [(n.params["sku"], n.params["sellable"]) for n in low] == [("P1", 3)]
    sv.adjust_stock(db, "warehouse", "P1", "sellable", 1, "找回", now=NOW)
    assert "P1" not in {a.sku for a in sv.alerts(db)}
    assert_verified(db)


def test_adjust_defective_values_at_the_average_held(db: Database) -> None:
    two_cost_defectives(db)  # 3 defective cables worth 26.00
    since = last_move_id(db)
    # One found in the cage: valued at the average held, 2600 // 3 = 866.
    sv.adjust_stock(db, "warehouse", "P1", "defective", 1, "盘盈", now=NOW)
    assert levels(db, "P1")[2] == 4
    assert moves_since(db, since) == [("defective", 1, "adjust", 866, "盘盈")]
    assert last_entry(db, "stock_adjust") == {"1406": (866, 0), "6711": (0, 866)}
    # One lost: 1 of 4 units worth 34.66 -> 3466 // 4 = 866.
    since = last_move_id(db)
    sv.adjust_stock(db, "warehouse", "P1", "defective", -1, "丢失", now=NOW)
    assert moves_since(db, since) == [("defective", -1, "adjust", -866, "丢失")]
    assert last_entry(db, "stock_adjust") == {"6711": (866, 0), "1406": (0, 866)}
    assert balance(db, "1406") == 2600
    assert_verified(db)


def test_adjust_defective_with_none_held_values_at_todays_cost(db: Database) -> None:
    make_shop(db)
    sv.adjust_stock(db, "owner", "P2", "defective", 2, "仓库角落发现", now=NOW)
    assert levels(db, "P2") == (4, 0, 2, 0)
    assert last_entry(db, "stock_adjust") == {"1406": (12000, 0), "6711": (0, 12000)}
    assert_verified(db)


def test_adjust_refusals_write_nothing(db: Database) -> None:
    make_shop(db)
    refused(db, "role_denied", "user", sv.adjust_stock, "clerk", "P1", "sellable", -1, "x",
            now=NOW)
    refused(db, "bad_choice", "location", sv.adjust_stock, "warehouse", "P1", "pending", 1, "x",
            now=NOW)
    refused(db, "delta_zero", "qty", sv.adjust_stock, "warehouse", "P1", "sellable", 0, "x",
            now=NOW)
    refused(db, "not_integer", "qty", sv.adjust_stock, "warehouse", "P1", "sellable", True, "x",
            now=NOW)
    refused(db, "required", "reason", sv.adjust_stock, "warehouse", "P1", "sellable", 1, "  ",
            now=NOW)
    refused(db, "unknown_sku", "sku", sv.adjust_stock, "warehouse", "NOPE", "sellable", 1, "x",
            now=NOW)
    refused(db, "stock_short", "qty", sv.adjust_stock, "warehouse", "P1", "sellable", -8, "x",
            now=NOW)
    refused(db, "stock_short", "qty", sv.adjust_stock, "warehouse", "P1", "defective", -1, "x",
            now=NOW)


def test_adjust_with_a_request_id_applies_once(db: Database) -> None:
    make_shop(db)
    for _ in range(2):
        sv.adjust_stock(db, "warehouse", "P1", "sellable", -1, "盘亏", request_id="adj-1",
                        now=NOW)
    assert levels(db, "P1")[0] == 6 and entry_count(db, "stock_adjust") == 1
    assert_verified(db)


# ---------------------------------------------------------------------------------------
# Reorder points
# ---------------------------------------------------------------------------------------


def test_reorder_point_raises_and_clears_the_alert_at_once(db: Database) -> None:
    make_shop(db)  # P2: 4 sellable, reorder point 2
    entries = entry_count(db)
    row = sv.set_reorder_point(db, "warehouse", "P2", 4, now=NOW)
    assert (row.reorder_point, row.low) == (4, True)
    assert [(a.sku, a.sellable, a.reorder_point) for a in sv.alerts(db)] == [("P2", 4, 4)]
    assert sql(db, """SELECT a.sellable, a.reorder_point, a.cleared_at FROM stock_alerts a
                       JOIN products p ON p.id = a.product_id WHERE p.sku = 'P2'""") == [
        (4, 4, None)]
    low = [n for n in sv.notifications(db, "owner") if n.key == "low_stock"]
    assert [(n.params["sku"], n.params["sellable"], n.params["reorder_point"])
            for n in low] == [("P2", 4, 4)]
    assert last_audit(db) == ("reorder_point", "warehouse", {"sku": "P2", "from": 2, "to": 4})

    later = NOW + timedelta(hours=1)
    row = sv.set_reorder_point(db, "owner", "P2", 3, now=later)
    assert (row.reorder_point, row.low) == (3, False)
    assert sv.alerts(db) == []
    cleared = one(db, """SELECT a.cleared_at FROM stock_alerts a JOIN products p
                            ON p.id = a.product_id WHERE p.sku = 'P2'""")
    assert sv.as_utc(datetime.fromisoformat(str(cleared))) == later
    assert last_audit(db) == ("reorder_point", "owner", {"sku": "P2", "from": 4, "to": 3})
    # Zero clears any warning short of an empty shelf; nothing is posted either way.
    assert sv.set_reorder_point(db, "owner", "P2", 0, now=later).reorder_point == 0
    assert entry_count(db) == entries
    assert_verified(db)


def test_reorder_point_refusals_write_nothing(db: Database) -> None:
    make_shop(db)
    refused(db, "role_denied", "user", sv.set_reorder_point, "finance", "P2", 5, now=NOW)
    refused(db, "qty_positive", "reorder_point", sv.set_reorder_point, "owner", "P2", -1,
            now=NOW)
    refused(db, "unknown_sku", "sku", sv.set_reorder_point, "owner", "P9", 5, now=NOW)


# ---------------------------------------------------------------------------------------
# Defective goods: valuation, repair, scrap, return to the supplier (退供应商)
# ---------------------------------------------------------------------------------------


def test_inspection_keeps_each_defective_units_sale_cost(db: Database) -> None:
    a, b = two_cost_defectives(db)
    assert levels(db, "P1") == (5, 0, 3, 0)  # 7 - 2 sold on SO-2
    got = sql(db, """SELECT s.number, m.qty, m.value_fen FROM stock_moves m
                      JOIN slips s ON s.id = m.slip_id
                      WHERE m.location = 'defective' ORDER BY m.id""")
    assert got == [(a, 2, 1600), (b, 1, 1000)]
    # Cost of goods sold reversed into the defective account at the sale's cost (I5).
    assert last_entry(db, "return_cost") == {"1406": (1000, 0), "6401": (0, 1000)}
    assert balance(db, "1406") == 2600
    assert_verified(db)


def test_supplier_return_takes_the_average_and_the_last_unit_the_rest(db: Database) -> None:
    two_cost_defectives(db)
    at = NOW + timedelta(hours=1)  # 19:00 on 2026-11-20 in Shanghai
    since = last_move_id(db)
    gt = sv.return_to_supplier(db, "warehouse", "P1", 2, supplier=SUPPLIER, note="批次 A",
                               now=at)
    # 2 of 3 units worth 26.00: 2600 * 2 // 3 = 1733; expected credit defaults to that.
    assert (gt.number, gt.supplier, gt.sku, gt.qty, gt.value_fen, gt.expected_credit_fen) == (
        "GT-20261120-0001", SUPPLIER, "P1", 2, 1733, 1733)
    assert (gt.note, gt.created_by, gt.created_at) == ("批次 A", "warehouse", at)
    assert levels(db, "P1") == (5, 0, 1, 0)
    assert moves_since(db, since) == [("defective", -2, "supplier_return", -1733, gt.number)]
    assert sql(db, "SELECT qty, unit_cost_fen, expected_credit_fen FROM supplier_returns") == [
        (2, 866, 1733)]
    assert last_entry(db, "supplier_return") == {"2202": (1733, 0), "1406": (0, 1733)}
    assert last_audit(db) == ("supplier_return", "warehouse", {
        "number": gt.number, "supplier": SUPPLIER, "sku": "P1", "qty": 2, "value": 1733,
        "expected_credit": 1733})
    note = [n for n in sv.notifications(db, "finance") if n.key == "supplier_return"]
    assert [(n.params["number"], n.params["supplier"], n.params["qty"],
             n.params["expected_credit"]) for n in note] == [(gt.number, SUPPLIER, 2, 1733)]

    # The last unit carries what is left (867, not the average 866): the credit above its
    # value is other income.
    since = last_move_id(db)
    last = sv.return_to_supplier(db, "owner", "P1", 1, supplier=SUPPLIER,
                                 expected_credit_fen=1000, now=at)
    assert (last.number, last.value_fen, last.expected_credit_fen) == (
        "GT-20261120-0002", 867, 1000)
    assert moves_since(db, since) == [("defective", -1, "supplier_return", -867, last.number)]
    assert last_entry(db, "supplier_return") == {
        "2202": (1000, 0), "1406": (0, 867), "6051": (0, 133)}
    assert levels(db, "P1")[2] == 0
    assert balance(db, "1406") == 0  # the defective account empties with the stock
    assert int(one(db, "SELECT sum(value_fen) FROM stock_moves WHERE location = 'defective'"
                      )) == 0
    assert [r.number for r in sv.supplier_returns(db, supplier=SUPPLIER)] == [
        last.number, gt.number]
    assert sv.supplier_returns(db, supplier="别家") == []
    assert_verified(db)


def test_supplier_credit_below_the_value_is_written_off(db: Database) -> None:
    two_cost_defectives(db)
    gt = sv.return_to_supplier(db, "warehouse", "P1", 3, supplier=SUPPLIER,
                               expected_credit_fen=500, now=NOW)
    assert (gt.value_fen, gt.expected_credit_fen) == (2600, 500)
    assert last_entry(db, "supplier_return") == {
        "2202": (500, 0), "6711": (2100, 0), "1406": (0, 2600)}
    assert balance(db, "1406") == 0
    assert_verified(db)


def test_supplier_defaults_to_the_products(db: Database) -> None:
    make_shop(db)
    sv.add_products(db, "owner", [sv.ProductInput("P5", "移动电源", 9900, 4000,
                                                  supplier="罗马仕")], now=NOW)
    sv.adjust_stock(db, "warehouse", "P5", "defective", 1, "样机退回", now=NOW)
    gt = sv.return_to_supplier(db, "warehouse", "P5", 1, now=NOW)
    assert (gt.supplier, gt.value_fen) == ("罗马仕", 4000)
    assert [r.number for r in sv.supplier_returns(db, supplier="罗马仕")] == [gt.number]
    assert_verified(db)


def test_supplier_return_refusals_write_nothing(db: Database) -> None:
    two_cost_defectives(db)
    refused(db, "role_denied", "user", sv.return_to_supplier, "clerk", "P1", 1,
            supplier=SUPPLIER, now=NOW)
    refused(db, "required", "supplier", sv.return_to_supplier, "warehouse", "P1", 1, now=NOW)
    refused(db, "stock_short", "qty", sv.return_to_supplier, "warehouse", "P1", 4,
            supplier=SUPPLIER, now=NOW)
    refused(db, "qty_positive", "qty", sv.return_to_supplier, "warehouse", "P1", 0,
            supplier=SUPPLIER, now=NOW)
    refused(db, "money_negative", "expected_credit", sv.return_to_supplier, "warehouse", "P1",
            1, supplier=SUPPLIER, expected_credit_fen=-1, now=NOW)


def test_repair_and_scrap_move_the_defective_value(db: Database) -> None:
    two_cost_defectives(db)
    since = last_move_id(db)
    row = sv.dispose_defective(db, "warehouse", "P1", 1, "repair", note="换线修好", now=NOW)
    assert (row.sellable, row.defective, row.scrap) == (6, 2, 0)
    # 1 of 3 units worth 26.00: 2600 // 3 = 866 back into inventory.
    assert moves_since(db, since) == [("defective", -1, "repair", -866, "换线修好"),
                                      ("sellable", 1, "repair", 0, "换线修好")]
    assert last_entry(db, "defective_repair") == {"1405": (866, 0), "1406": (0, 866)}
    assert last_audit(db) == ("defective_repair", "warehouse", {
        "sku": "P1", "qty": 1, "value": 866, "note": "换线修好", "shop": "main"})

    since = last_move_id(db)
    row = sv.dispose_defective(db, "owner", "P1", 2, "scrap", now=NOW)
    assert levels(db, "P1") == (6, 0, 0, 2)
    # The last two units carry the rest: 2600 - 866 = 1734, written off.
    assert moves_since(db, since) == [("defective", -2, "scrap", -1734, ""),
                                      ("scrap", 2, "scrap", 0, "")]
    assert last_entry(db, "defective_scrap") == {"6711": (1734, 0), "1406": (0, 1734)}
    assert last_audit(db) == ("defective_scrap", "owner", {
        "sku": "P1", "qty": 2, "value": 1734, "note": "", "shop": "main"})
    assert balance(db, "1406") == 0
    assert_verified(db)


def test_dispose_refusals_write_nothing(db: Database) -> None:
    two_cost_defectives(db)
    refused(db, "bad_choice", "action", sv.dispose_defective, "warehouse", "P1", 1, "sell",
            now=NOW)
    refused(db, "stock_short", "qty", sv.dispose_defective, "warehouse", "P1", 4, "scrap",
            now=NOW)
    refused(db, "role_denied", "user", sv.dispose_defective, "finance", "P1", 1, "repair",
            now=NOW)
    refused(db, "stock_short", "qty", sv.dispose_defective, "warehouse", "P2", 1, "repair",
            now=NOW)


# ---------------------------------------------------------------------------------------
# Follow-ups (回访)
# ---------------------------------------------------------------------------------------


def test_low_feedback_opens_a_follow_up_for_the_clerk(db: Database) -> None:
    make_shop(db)
    n = slip(db, "SO-1", [L("P1", 1, "quality")], settle="original")
    sv.add_feedback(db, "clerk", n, 2, "态度差", now=NOW)
    [fu] = sv.follow_ups(db, phone=PHONE)
    assert (fu.customer_name, fu.phone, fu.slip, fu.role, fu.note, fu.auto, fu.created_by) == (
        "张三", PHONE, n, "clerk", "★2 态度差", True, "system")
    assert fu.due_at == NOW + timedelta(days=sv.policy().follow_up_days) == NOW + timedelta(
        days=1)
    assert (fu.done, fu.done_at, fu.done_by, fu.outcome) == (False, None, None, "")
    [note] = [x for x in sv.notifications(db, "clerk") if x.key == "follow_up"]
    assert (note.slip, note.params["id"], note.params["phone"], note.params["customer"],
            note.params["due"]) == (n, fu.id, PHONE, "张三", "2026-11-21")
    # The "to call back" list: due by tomorrow evening, not by this evening.
    assert [f.id for f in sv.follow_ups(db, due_by=NOW + timedelta(days=1))] == [fu.id]
    assert sv.follow_ups(db, due_by=NOW) == []
    assert_verified(db)


def test_feedback_of_three_opens_no_follow_up(db: Database) -> None:
    make_shop(db)
    n = slip(db, "SO-1", [L("P1", 1, "quality")], settle="original")
    sv.add_feedback(db, "clerk", n, 3, "一般", now=NOW)
    assert sv.follow_ups(db, open_only=False) == []
    assert [x for x in sv.notifications(db, "clerk") if x.key == "follow_up"] == []


def test_complete_a_follow_up(db: Database) -> None:
    make_shop(db)
    n = slip(db, "SO-1", [L("P1", 1, "quality")], settle="original")
    sv.add_feedback(db, "clerk", n, 1, "", now=NOW)
    [fu] = sv.follow_ups(db)
    assert fu.note == "★1"
    done_at = NOW + timedelta(days=1)
    said = "已致电，顾客满意"
    v = sv.complete_follow_up(db, "clerk2", fu.id, said, now=done_at)
    assert (v.done, v.done_at, v.done_by, v.outcome) == (True, done_at, "clerk2", said)
    assert sv.follow_ups(db) == []  # off the "to call back" list
    assert [f.id for f in sv.follow_ups(db, phone=PHONE, open_only=False)] == [fu.id]
    assert [x for x in sv.notifications(db, "clerk") if x.key == "follow_up"] == []
    [note] = [x for x in sv.notifications(db, "clerk", unread_only=False)
              if x.key == "follow_up"]
    assert note.read
    assert last_audit(db) == ("follow_up_done", "clerk2", {"id": fu.id, "outcome": said})
    assert one(db, "SELECT s.number FROM audit_events a JOIN slips s ON s.id = a.slip_id"
                      " ORDER BY a.seq DESC LIMIT 1") == n
    refused(db, "follow_up_done", "id", sv.complete_follow_up, "clerk", fu.id, "again",
            now=done_at)
    refused(db, "unknown_follow_up", "id", sv.complete_follow_up, "clerk", 999, now=done_at)
    refused(db, "role_denied", "user", sv.complete_follow_up, "warehouse", fu.id, now=done_at)
    assert_verified(db)


def test_completing_one_follow_up_leaves_the_others_notifications(db: Database) -> None:
    make_shop(db)
    ids = [sv.add_follow_up(db, "clerk", PHONE, f"回访 {i}", NOW + timedelta(days=i),
                            now=NOW).id for i in range(1, 12)]
    sv.complete_follow_up(db, "clerk", ids[0], now=NOW)  # id 1: must not match id 10 or 11
    unread = sorted(x.params["id"] for x in sv.notifications(db, "clerk", limit=100)
                    if x.key == "follow_up")
    assert unread == ids[1:]


def test_add_a_follow_up_by_hand(db: Database) -> None:
    make_shop(db)
    n = slip(db, "SO-1", [L("P2", 1, "quality")], settle="original")
    due = local(23, 10)
    v = sv.add_follow_up(db, "finance", PHONE, " 问耳机是否好用 ", due, slip_number=n,
                         role="owner", now=NOW)
    assert (v.phone, v.slip, v.role, v.note, v.due_at, v.auto, v.created_by, v.done) == (
        PHONE, n, "owner", "问耳机是否好用", due, False, "finance", False)
    assert last_audit(db) == ("follow_up", "finance", {
        "id": v.id, "phone": PHONE, "due": due.isoformat()})
    [note] = [x for x in sv.notifications(db, "owner") if x.key == "follow_up"]
    assert (note.params["id"], note.params["due"]) == (v.id, "2026-11-23")
    assert [x for x in sv.notifications(db, "clerk") if x.key == "follow_up"] == []
    # Without a slip, for the clerk by default.
    w = sv.add_follow_up(db, "clerk", PHONE, "节日问候", NOW + timedelta(days=2), now=NOW)
    assert (w.slip, w.role) == (None, "clerk")
    assert [f.id for f in sv.follow_ups(db, phone=PHONE)] == [w.id, v.id]  # by due time
    assert_verified(db)


def test_add_follow_up_refusals_write_nothing(db: Database) -> None:
    make_shop(db)
    sv.add_customers(db, "owner", [sv.CustomerInput("李四", "13900000002")], now=NOW)
    sell(db, "SO-3", [sv.SaleLineInput("P1", 1, 2000)], NOW - timedelta(days=1),
         phone="13900000002")
    theirs = sv.create_slip(db, "clerk", "SO-3", "return", [L("P1", 1, "quality")],
                            now=NOW).number
    due = NOW + timedelta(days=1)
    refused(db, "slip_not_customer", "slip", sv.add_follow_up, "clerk", PHONE, "回访", due,
            slip_number=theirs, now=NOW)
    refused(db, "due_in_past", "due", sv.add_follow_up, "clerk", PHONE, "回访",
            NOW - timedelta(days=1), now=NOW)
    refused(db, "bad_date", "due", sv.add_follow_up, "clerk", PHONE, "回访", "2026-11-21",
            now=NOW)
    refused(db, "unknown_customer", "phone", sv.add_follow_up, "clerk", "13700000000", "回访",
            due, now=NOW)
    refused(db, "unknown_slip", "number", sv.add_follow_up, "clerk", PHONE, "回访", due,
            slip_number="TH-20260101-0001", now=NOW)
    refused(db, "required", "note", sv.add_follow_up, "clerk", PHONE, " ", due, now=NOW)
    refused(db, "bad_choice", "role", sv.add_follow_up, "clerk", PHONE, "回访", due,
            role="boss", now=NOW)
    refused(db, "role_denied", "user", sv.add_follow_up, "warehouse", PHONE, "回访", due,
            now=NOW)


# ---------------------------------------------------------------------------------------
# Store credit (储值): every change is a recorded move
# ---------------------------------------------------------------------------------------


def credit_moves(db: Database) -> list[tuple[int, int, str, str | None, str]]:
    return [(int(d), int(b), k, n, u) for d, b, k, n, u in sql(db, """
        SELECT m.delta_fen, m.balance_fen, m.kind, s.number, m.user FROM credit_moves m
        LEFT JOIN slips s ON s.id = m.slip_id ORDER BY m.id""")]


def test_credit_refunds_and_exchanges_write_credit_moves(db: Database) -> None:
    make_shop(db)
    r = slip(db, "SO-1", [L("P1", 1, "quality")], settle="credit")
    assert credit_moves(db) == [(1800, 1800, "refund", r, "finance")]
    assert last_entry(db, "refund") == {"6003": (1800, 0), "2205": (0, 1800)}
    # The earphones (paid 140.00) swapped for a cable at today's 20.00: 120.00 back as credit.
    x = slip(db, "SO-1", [L("P2", 1, "quality", replacement_sku="P1")], typ="exchange",
             settle="credit")
    assert credit_moves(db)[1:] == [(12000, 13800, "exchange", x, "finance")]
    assert last_entry(db, "exchange") == {"6003": (14000, 0), "6001": (0, 2000),
                                          "2205": (0, 12000), "6401": (800, 0),
                                          "1405": (0, 800)}
    assert one(db, "SELECT credit_fen FROM customers WHERE phone = :p", p=PHONE) == 13800
    check = {c.name: c for c in sv.verify(db).checks}["credit"]
    assert check.ok and check.params == {"total": 13800}
    assert_verified(db)


def test_tampered_credit_balance_is_named_by_verify(db: Database) -> None:
    make_shop(db)
    slip(db, "SO-1", [L("P1", 1, "quality")], settle="credit")
    sql(db, "UPDATE customers SET credit_fen = credit_fen + 500 WHERE phone = :p", p=PHONE)
    check = {c.name: c for c in sv.verify(db).checks}["credit"]
    assert not check.ok
    assert f"customer {PHONE}: balance 2300, moves 1800" in check.detail
    assert "customers hold 2300, account 2205 says 1800" in check.detail


# ---------------------------------------------------------------------------------------
# Daily close (日结)
# ---------------------------------------------------------------------------------------


def busy_day(db: Database) -> str:
    """The tiny shop, then on 2026-11-20 (Shanghai): earphones bought in, a cable sold for
    cash, a cable returned (refund to WeChat), and two cables bought in at 00:30 and 23:30.
    Returns the refunded slip's number."""
    make_shop(db)
    sv.receive_purchase(db, "warehouse", "P1", 1, now=local(20, 0, 30))
    sv.receive_purchase(db, "warehouse", "P2", 2, now=NOW)
    sell(db, "SO-2", [sv.SaleLineInput("P1", 1, 2000)], NOW - timedelta(hours=2))
    n = slip(db, "SO-1", [L("P1", 1, "quality")], settle="original")
    sv.receive_purchase(db, "warehouse", "P1", 1, now=local(20, 23, 30))
    return n


# The day's journal, worked out by hand (debit, credit per account):
#   purchases 8.00 + 120.00 + 8.00: 1405 Dr 13600, 2202 Cr 13600
#   sale SO-2 (cash): 1001 Dr 2000, 6001 Cr 2000; 6401 Dr 800, 1405 Cr 800
#   return: inspected resellable 1405 Dr 800, 6401 Cr 800; refund 6003 Dr 1800, 1002 Cr 1800
BUSY_ACCOUNTS = {"1001": [2000, 0], "1002": [0, 1800], "1405": [14400, 800],
                 "2202": [0, 13600], "6001": [0, 2000], "6003": [1800, 0], "6401": [800, 800]}
BUSY_TOTALS = {"accounts": BUSY_ACCOUNTS, "sales": {"cash": 2000}, "refunds": {"original": 1800},
               "refund_slips": {"original": 1}, "exchange_in": {}, "exchange_out": {}}


def test_day_totals_are_the_days_journal(db: Database) -> None:
    busy_day(db)
    v = sv.day_totals(db, DAY)
    assert v.totals == BUSY_TOTALS
    assert (v.day, v.debit_fen, v.credit_fen, v.entries, v.closed_by) == (
        "2026-11-20", 19000, 19000, 6, "")
    assert v.closed_at == local(20, 0)  # the day's start while open
    # SO-1 of two days before is in its own day, not this one.
    assert sv.day_totals(db, date(2026, 11, 18)).totals["sales"] == {"wechat": 19400}


def test_close_day_records_the_totals_and_who_closed(db: Database) -> None:
    busy_day(db)
    at = local(21, 1)
    v = sv.close_day(db, "finance", DAY, now=at)
    assert (v.day, v.debit_fen, v.credit_fen, v.entries, v.closed_by, v.closed_at) == (
        "2026-11-20", 19000, 19000, 6, "finance", at)
    assert v.totals == BUSY_TOTALS
    got = sql(db, "SELECT day, starts_at, ends_at, debit_fen, credit_fen, entries, closed_by,"
                   " totals_json FROM daily_closes")
    assert len(got) == 1
    day, starts, ends, debit, credit, entries, by, totals = got[0]
    assert (day, debit, credit, entries, by) == ("2026-11-20", 19000, 19000, 6, "finance")
    assert sv.as_utc(datetime.fromisoformat(str(starts))) == local(20, 0)
    assert sv.as_utc(datetime.fromisoformat(str(ends))) == local(21, 0)
    assert json.loads(totals) == BUSY_TOTALS
    assert last_audit(db) == ("close_day", "finance", {
        "day": "2026-11-20", "debit": 19000, "credit": 19000, "entries": 6, "shop": "main"})
    assert sv.closed_days(db) == [v]
    assert sv.day_totals(db, DAY) == v  # a closed day reads its recorded totals
    assert_verified(db)


def test_close_day_refusals_write_nothing(db: Database) -> None:
    busy_day(db)
    at = local(21, 1)
    refused(db, "role_denied", "user", sv.close_day, "clerk", DAY, now=at)
    refused(db, "role_denied", "user", sv.close_day, "warehouse", DAY, now=at)
    refused(db, "day_in_future", "date", sv.close_day, "finance", date(2026, 11, 22), now=at)
    refused(db, "bad_date", "date", sv.close_day, "finance", "2026-11-20", now=at)
    refused(db, "bad_date", "date", sv.close_day, "finance", datetime(2026, 11, 20), now=at)
    sv.close_day(db, "owner", DAY, now=at)
    refused(db, "day_closed", "date", sv.close_day, "finance", DAY, now=at)
    # Today may be closed (at the end of business), tomorrow may not.
    assert sv.close_day(db, "finance", date(2026, 11, 21), now=at).entries == 0
    refused(db, "day_in_future", "date", sv.close_day, "finance", date(2026, 11, 22),
            now=local(21, 23, 59))


def test_close_day_with_a_request_id_applies_once(db: Database) -> None:
    busy_day(db)
    a = sv.close_day(db, "finance", DAY, request_id="close-1120", now=local(21, 1))
    b = sv.close_day(db, "finance", DAY, request_id="close-1120", now=local(21, 2))
    assert a == b and len(sv.closed_days(db)) == 1
    assert_verified(db)


def test_a_closed_day_takes_no_more_postings(db: Database) -> None:
    make_shop(db)
    # Inspected the day before; to be settled (and posted) on the closed day.
    n = slip(db, "SO-1", [L("P1", 1, "quality")], at=NOW - timedelta(days=1))
    sv.adjust_stock(db, "warehouse", "P1", "defective", 2, "样机", now=NOW - timedelta(days=1))
    sv.close_day(db, "finance", DAY, now=local(20, 21))
    late = local(20, 22)
    refused(db, "day_closed", "date", sv.settle_slip, "finance", n, "original", now=late)
    refused(db, "day_closed", "date", sv.receive_purchase, "warehouse", "P1", 5, now=late)
    refused(db, "day_closed", "date", sv.record_sales, "clerk", [sv.SaleInput(
        "SO-9", "store", local(20, 15), [sv.SaleLineInput("P1", 1, 2000)],
        payment_method="cash")], now=late)
    refused(db, "day_closed", "date", sv.adjust_stock, "warehouse", "P1", "sellable", -1, "盘亏",
            now=late)
    refused(db, "day_closed", "date", sv.dispose_defective, "warehouse", "P1", 1, "scrap",
            now=late)
    refused(db, "day_closed", "date", sv.return_to_supplier, "warehouse", "P1", 1,
            supplier=SUPPLIER, now=late)
    assert sv.get_slip(db, n).status == "inspected"
    # The next day is open as usual.
    nxt = local(21, 9)
    assert sv.settle_slip(db, "finance", n, "original", now=nxt).status == "settled"
    assert sv.receive_purchase(db, "warehouse", "P1", 5, now=nxt).sellable == 13
    assert_verified(db)


def test_local_midnight_divides_the_days(db: Database) -> None:
    make_shop(db)
    sv.receive_purchase(db, "warehouse", "P1", 1, now=local(19, 23, 30))  # 15:30 UTC, 19th
    sv.receive_purchase(db, "warehouse", "P1", 2, now=local(20, 0, 30))  # 16:30 UTC, 19th
    assert sv.local_day(local(19, 23, 30)) == "2026-11-19"
    assert sv.local_day(local(20, 0, 30)) == "2026-11-20"
    assert sv.day_totals(db, date(2026, 11, 19)).totals["accounts"] == {
        "1405": [800, 0], "2202": [0, 800]}
    assert sv.day_totals(db, DAY).totals["accounts"] == {"1405": [1600, 0], "2202": [0, 1600]}
    sv.close_day(db, "finance", DAY, now=local(21, 0, 10))
    refused(db, "day_closed", "date", sv.receive_purchase, "warehouse", "P1", 1,
            now=local(20, 23, 30))
    sv.receive_purchase(db, "warehouse", "P1", 1, now=local(21, 0, 30))
    assert sv.day_totals(db, date(2026, 11, 21)).entries == 1
    # The 19th is still open: a late posting of the 19th is taken.
    sv.receive_purchase(db, "warehouse", "P1", 1, now=local(19, 23, 59))
    assert sv.day_totals(db, date(2026, 11, 19)).entries == 2
    assert_verified(db)


def test_a_sale_just_after_local_midnight_posts_on_its_own_day(db: Database) -> None:
    # Sales are posted one entry per day and payment method. The day must be the shop's
    # local day, the one the daily close counts the sale in ("sales" by sold_at), not the
    # UTC date: a sale at 00:30 Shanghai time is 16:30 UTC of the day before.
    make_shop(db)
    sold = local(21, 0, 30)
    sell(db, "SO-7", [sv.SaleLineInput("P1", 1, 2000)], sold)
    at = one(db, "SELECT e.at FROM journal_entries e WHERE e.memo LIKE 'sales %'"
                    " ORDER BY e.id DESC LIMIT 1")
    assert sv.local_day(datetime.fromisoformat(str(at))) == "2026-11-21"
    nov21 = sv.day_totals(db, date(2026, 11, 21)).totals
    assert nov21["sales"] == {"cash": 2000}
    assert nov21["accounts"].get("1001") == [2000, 0]  # the cash is in the same day
    # And once the 20th is closed, the 21st's first sale is still taken.
    sv.close_day(db, "finance", DAY, now=local(21, 0, 10))
    sell(db, "SO-8", [sv.SaleLineInput("P1", 1, 2000)], local(21, 0, 40))


def test_tampered_posting_in_a_closed_day_is_named_by_verify(db: Database) -> None:
    busy_day(db)
    sv.close_day(db, "finance", DAY, now=local(21, 1))
    assert_verified(db)
    # Raise one purchase on both sides: the journal still balances, the day does not.
    entry = one(db, "SELECT min(id) FROM journal_entries WHERE kind = 'purchase'"
                       " AND at >= :s", s=local(20, 0).replace(tzinfo=None).isoformat(" "))
    sql(db, "UPDATE postings SET debit_fen = debit_fen + 100 WHERE entry_id = :e"
             " AND debit_fen > 0", e=entry)
    sql(db, "UPDATE postings SET credit_fen = credit_fen + 100 WHERE entry_id = :e"
             " AND credit_fen > 0", e=entry)
    checks = {c.name: c for c in sv.verify(db).checks}
    assert checks["I2 money"].ok
    close = checks["daily-close"]
    assert not close.ok
    assert close.detail.startswith("day 2026-11-20 shop main: closed at debit 19000 credit 19000")
    assert "now 19100 / 19100" in close.detail


def test_closing_the_slip_leaves_its_follow_up_to_call(db: Database) -> None:
    # The follow-up's notification stays unread until the follow-up is done: the slip moving
    # on (settled -> closed, the usual next step) is not the call back.
    make_shop(db)
    n = slip(db, "SO-1", [L("P1", 1, "quality")], settle="original")
    sv.add_feedback(db, "clerk", n, 2, "退款太慢", now=NOW)
    sv.close_slip(db, "clerk", n, now=NOW + timedelta(hours=1))
    [fu] = sv.follow_ups(db)
    assert [x.params["id"] for x in sv.notifications(db, "clerk")
            if x.key == "follow_up"] == [fu.id]


def test_day_totals_count_exchanges_by_method(db: Database) -> None:
    make_shop(db)
    # A cable (paid 18.00) for earphones at today's 150.00: the customer pays 132.00 cash.
    up = slip(db, "SO-1", [L("P1", 1, "quality", replacement_sku="P2")], typ="exchange",
              settle="cash")
    # The earphones (paid 140.00) for a cable at 20.00: 120.00 back as store credit.
    down = slip(db, "SO-1", [L("P2", 1, "quality", replacement_sku="P1")], typ="exchange",
                settle="credit")
    assert (sv.get_slip(db, up).difference_fen, sv.get_slip(db, down).difference_fen) == (
        13200, -12000)
    t = sv.day_totals(db, DAY).totals
    assert (t["exchange_in"], t["exchange_out"], t["refunds"], t["sales"]) == (
        {"cash": 13200}, {"credit": 12000}, {}, {})
    # 1001 takes the 132.00 paid in; 2205 owes the 120.00 given back.
    assert t["accounts"]["1001"] == [13200, 0] and t["accounts"]["2205"] == [0, 12000]
    v = sv.close_day(db, "finance", DAY, now=local(20, 21))
    assert v.debit_fen == v.credit_fen and v.totals == t
    assert_verified(db)


def test_an_uneven_day_is_not_closed(db: Database) -> None:
    busy_day(db)
    # A posting changed behind the program's back leaves the day uneven: nobody signs it.
    sql(db, "UPDATE postings SET debit_fen = debit_fen + 1 WHERE id = (SELECT max(id)"
             " FROM postings WHERE debit_fen > 0)")
    refused(db, "journal_unbalanced", "journal", sv.close_day, "finance", DAY, now=local(21, 1))
