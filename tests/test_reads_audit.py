"""The audit reads: the trail filtered and paged over a shop with known events, a slip's
timeline, the human summaries, and the chain check naming the row that was tampered with.

`seed_audit` is shared with the archive, screen and CLI tests of the audit area."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import NOW, make_shop
from slip_flow import bring, clock
from sqlalchemy import text

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.reads import audit as ra
from rma_tui.store.db import Database

# The events of `seed_audit`, by seq: make_shop writes 1-11 (six user_add, three imports
# and two purchases dated 2026-10-21), the settled return 12-17, the rejected one 18-20,
# and a stock count in December 21.
SETTLED = list(range(12, 18))
REJECTED = [18, 19, 20]
TOTAL = 21


def seed_audit(db: Database) -> dict[str, str]:
    """The conftest shop plus: a return settled in cash (auto-approved), a return rejected
    by the owner, and a stock adjustment on 2 December; every write at a fixed time."""
    make_shop(db, now=NOW)
    at = clock()
    settled = sv.create_slip(db, "clerk", "SO-1", "return",
                             [sv.LineInput("P1", 1, "quality", "插头松动")], now=next(at))
    bring(db, settled.number, "settled", at)
    rejected = sv.create_slip(db, "clerk2", "SO-1", "return",
                              [sv.LineInput("P2", 1, "changed_mind", packaging_intact=False)],
                              now=next(at))
    sv.submit_slip(db, "clerk2", rejected.number, now=next(at))
    sv.reject_slip(db, "owner", rejected.number, "包装已拆", now=next(at))
    sv.adjust_stock(db, "warehouse", "P1", "sellable", -1, "盘亏", now=NOW + timedelta(days=12))
    return {"settled": settled.number, "rejected": rejected.number}


def tamper(db: Database, sql: str, **params: object) -> None:
    """Change the database behind the service's back (what an attacker with the file does)."""
    with db.write() as s:
        s.execute(text(sql), params)


def row_id(db: Database, seq: int) -> int:
    with db.read() as s:
        return int(s.execute(text("SELECT id FROM audit_events WHERE seq = :q"),
                             {"q": seq}).scalar_one())


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, str]]:
    return db, seed_audit(db)


pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def seqs(page: ra.AuditPage) -> list[int]:
    return [r.seq for r in page.rows]


# -- the trail ------------------------------------------------------------------------------


def test_trail_newest_first(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    page = ra.audit_trail(db, limit=100)
    assert seqs(page) == list(range(TOTAL, 0, -1))
    assert page.next_before is None
    top = page.rows[0]
    assert (top.user, top.action, top.slip) == ("warehouse", "stock_adjust", None)


def test_filter_by_slip_number(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    page = ra.audit_trail(db, ra.AuditFilter(slip=n["settled"]))
    assert seqs(page) == SETTLED[::-1]
    assert {r.slip for r in page.rows} == {n["settled"]}
    assert [r.action for r in page.rows][::-1] == [
        "create", "submit", "approve", "receive", "inspect", "settle"]
    # Lower case and the tail of the number work as well (a clerk reading from paper).
    assert seqs(ra.audit_trail(db, ra.AuditFilter(slip=n["rejected"].lower()))) == REJECTED[::-1]
    assert seqs(ra.audit_trail(db, ra.AuditFilter(slip="0002"))) == REJECTED[::-1]
    assert ra.audit_trail(db, ra.AuditFilter(slip="TH-20991231-0001")).rows == []


def test_filter_by_user_and_action(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    page = ra.audit_trail(db, ra.AuditFilter(user="warehouse"))
    assert [r.action for r in page.rows] == ["stock_adjust", "inspect", "receive"]
    assert [r.seq for r in ra.audit_trail(db, ra.AuditFilter(action="purchase")).rows] == [10, 9]
    both = ra.audit_trail(db, ra.AuditFilter(user="owner", action="reject"))
    assert [r.seq for r in both.rows] == [20]
    assert both.rows[0].detail == {"reason": "包装已拆"}


def test_filter_by_local_dates(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    october = ra.audit_trail(db, ra.AuditFilter(since=date(2026, 10, 1),
                                                until=date(2026, 10, 31)))
    assert seqs(october) == [10, 9]
    november = ra.audit_trail(db, ra.AuditFilter(since=date(2026, 11, 1),
                                                 until=date(2026, 11, 30)), limit=100)
    assert 21 not in seqs(november) and 9 not in seqs(november)
    assert len(november.rows) == TOTAL - 3
    # 2 December 10:00 UTC is 18:00 in Shanghai: in that local day, not the next one.
    assert seqs(ra.audit_trail(db, ra.AuditFilter(since=date(2026, 12, 2)))) == [21]
    assert ra.audit_trail(db, ra.AuditFilter(since=date(2026, 12, 3))).rows == []


def test_keyset_pages_cover_the_trail_once(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    got: list[int] = []
    before = None
    pages = 0
    while True:
        page = ra.audit_trail(db, limit=5, before=before)
        got += seqs(page)
        pages += 1
        if page.next_before is None:
            break
        before = page.next_before
    assert got == list(range(TOTAL, 0, -1))
    assert pages == 5
    # A filtered trail pages the same way.
    first = ra.audit_trail(db, ra.AuditFilter(slip="TH-"), limit=4)
    rest = ra.audit_trail(db, ra.AuditFilter(slip="TH-"), limit=5, before=first.next_before)
    assert seqs(first) + seqs(rest) == [20, 19, 18, 17, 16, 15, 14, 13, 12]
    assert rest.next_before is None


def test_summaries_in_both_languages(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    rows = {r.seq: r for r in ra.audit_trail(db, limit=100).rows}
    assert rows[17].summary("zh") == "退款 ¥18.00（现金）"
    assert rows[17].summary("en") == "Refund ¥18.00 (Cash)"
    assert rows[12].summary("zh") == "原销售单 SO-1，金额 ¥18.00"
    assert rows[13].summary("en") == "Within policy"
    assert rows[14].summary("zh") == "自动审核通过"
    assert "包装" in rows[19].summary("zh") and rows[19].summary("zh").startswith("不符合政策")
    assert rows[20].summary("en") == "Reason: 包装已拆"
    assert rows[21].summary("en") == "P1 Sellable -1 (¥8.00), reason: 盘亏"
    assert rows[16].summary("en") == "P1 resellable 1 / defective 0 / scrap 0"
    assert rows[9].summary("zh") == "P1 × 10，单位成本 ¥8.00"
    # An unknown action still reads: its pairs, money as yuan.
    assert ra.summarize("mystery", {"refund_fen": 1250, "who": "x"}) == "refund_fen=¥12.50 who=x"


def test_slip_timeline(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    tl = ra.slip_timeline(db, n["settled"].lower())
    assert tl.number == n["settled"] and tl.status == "settled"
    assert (tl.refund_fen, tl.refund_method, tl.customer) == (1800, "cash", "张三")
    assert [(e.seq, e.user, e.action) for e in tl.events] == [
        (12, "clerk", "create"), (13, "clerk", "submit"), (14, "system", "approve"),
        (15, "warehouse", "receive"), (16, "warehouse", "inspect"), (17, "finance", "settle")]
    assert tl.events[-1].detail["refund_fen"] == 1800
    rejected = ra.slip_timeline(db, n["rejected"])
    assert rejected.close_reason == "包装已拆"
    assert rejected.events[-1].to_status == "rejected"
    with pytest.raises(DomainError) as e:
        ra.slip_timeline(db, "TH-20991231-0001")
    assert e.value.key == "unknown_slip"


def test_audit_users(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    assert ra.audit_users(db) == ["clerk", "clerk2", "finance", "owner", "system", "warehouse"]


# -- the chain ------------------------------------------------------------------------------


def test_verify_intact(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    status = ra.verify_trail(db)
    assert status.ok and status.count == TOTAL and status.kind is None
    assert status.message("zh") == f"审计链完整：{TOTAL} 条"


def test_altered_row_named_by_seq_and_id(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    # The refund of the settled slip "becomes" 180.00 instead of 18.00.
    tamper(db, "UPDATE audit_events SET detail_json = replace(detail_json, '1800', '18000') "
               "WHERE seq = 17")
    status = ra.verify_trail(db)
    assert (status.ok, status.kind, status.seq, status.id) == (False, "altered", 17,
                                                                row_id(db, 17))
    assert status.target_seq == 17
    assert status.message("zh") == f"审计链断裂：第 17 条（id {row_id(db, 17)}）被改动"
    # The service's own verify names the same row.
    chain = next(c for c in sv.verify(db).checks if c.name == "chain")
    assert not chain.ok and f"seq 17 (id {row_id(db, 17)})" in chain.detail


def test_changed_user_or_time_caught(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    tamper(db, "UPDATE audit_events SET \"user\" = 'owner' WHERE seq = 16")
    assert (ra.verify_trail(db).kind, ra.verify_trail(db).seq) == ("altered", 16)


def test_deleted_middle_row(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    gone = row_id(db, 13)
    tamper(db, "DELETE FROM audit_events WHERE seq = 13")
    status = ra.verify_trail(db)
    assert (status.kind, status.seq, status.found_seq) == ("missing", 13, 14)
    assert status.id == row_id(db, 14) and status.id != gone
    assert status.target_seq == 14


def test_deleted_last_row(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    tamper(db, "DELETE FROM audit_events WHERE seq = :q", q=TOTAL)
    status = ra.verify_trail(db)
    assert (status.kind, status.seq, status.found_seq) == ("head", TOTAL, TOTAL - 1)
    assert "末尾被删" in status.message("zh")


def test_reordered_rows_caught(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    # Swap two events' places in the chain (their seq numbers): caught at the first one.
    tamper(db, "UPDATE audit_events SET seq = -1 WHERE seq = 14")
    tamper(db, "UPDATE audit_events SET seq = 14 WHERE seq = 15")
    tamper(db, "UPDATE audit_events SET seq = 15 WHERE seq = -1")
    status = ra.verify_trail(db)
    assert (status.kind, status.seq) == ("altered", 14)


def test_chain_status_reads_the_service_params() -> None:
    altered = ra.chain_status(False, "x", 0, {"problem": "altered", "seq": 5, "id": 9,
                                              "found_seq": 5})
    assert (altered.kind, altered.seq, altered.id) == ("altered", 5, 9)
    missing = ra.chain_status(False, "x", 0, {"problem": "missing", "seq": 3,
                                              "found_seq": 4, "id": 7})
    assert (missing.seq, missing.found_seq, missing.id) == (3, 4, 7)
    head = ra.chain_status(False, "x", 0, {"problem": "head", "seq": 9, "found_seq": 8,
                                           "id": None})
    assert (head.kind, head.seq, head.found_seq) == ("head", 9, 8)
    other = ra.chain_status(False, "something else", 0)
    assert other.kind == "other" and "something else" in other.message("en")


# Detail shapes as the service writes them (the service's `append_audit` calls).
SAMPLE_DETAILS: dict[str, dict[str, object]] = {
    "create": {"sale": "SO-1", "gross_fen": 1800},
    "edit": {"gross_fen": 2500},
    "submit": {"policy_ok": False, "failed": ["window", "amount"]},
    "approve": {"override": True, "reason": "老顾客"},
    "reject": {"reason": "超期"},
    "cancel": {"reason": "顾客不退了"},
    "inspect": {"grades": [{"sku": "P1", "resellable": 1, "defective": 1, "scrap": 0,
                            "note": ""}]},
    "settle": {"method": "credit", "refund_fen": 0, "difference_fen": 1200},
    "feedback": {"score": 2},
    "user_add": {"name": "小王", "role": "clerk"},
    "setting": {"key": "shop_name", "value": "小米数码"},
    "product_import": {"count": 3},
    "purchase": {"sku": "P1", "qty": 5, "cost": 800},
    "stock_adjust": {"sku": "P1", "location": "defective", "qty": 2, "value": 1600,
                     "reason": "盘盈"},
    "reorder_point": {"sku": "P1", "from": 3, "to": 5},
    "defective_repair": {"sku": "P1", "qty": 1, "value": 800, "note": ""},
    "defective_scrap": {"sku": "P1", "qty": 1, "value": 800, "note": ""},
    "supplier_return": {"number": "GT-20261120-0001", "supplier": "深圳某厂", "sku": "P1",
                        "qty": 2, "value": 1600, "expected_credit": 1500},
    "follow_up": {"id": 4, "phone": "13800000001", "due": "2026-11-23T10:00:00+00:00"},
    "follow_up_done": {"id": 4, "outcome": "已回电"},
    "close_day": {"day": "2026-11-20", "debit": 5000, "credit": 5000, "entries": 3},
    "setup": {"shop_name": "小米数码", "owner": "owner", "channels": ["store"]},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("action", sorted(SAMPLE_DETAILS))
def test_every_action_reads_well(action: str, lang: str) -> None:
    text = ra.summarize(action, dict(SAMPLE_DETAILS[action]), lang)
    assert text and "{" not in text and "=" not in text.replace(" = ", ""), text
    for fen, shown in ((1800, "¥18.00"), (1600, "¥16.00"), (1500, "¥15.00"), (5000, "¥50.00"),
                       (1200, "¥12.00"), (800, "¥8.00")):
        if fen in SAMPLE_DETAILS[action].values():
            assert shown in text, text
