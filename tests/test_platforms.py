"""Platform after-sale requests: imports from the sample export files, status changes,
platform refunds (never paid twice), parcels matched by waybill, and the reconciliation.

The tests whose SQL differs between the back ends (savepoints per request, the unique
refund id per channel, the reconciliation's reads, the status updates) run on PostgreSQL
too; the rest on SQLite. The samples in data/samples are fixed files with fixed dates:
the policy's windows are judged at the buyer's application time in the file, so nothing
here depends on today."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.imports import import_file
from rma_tui.platform_files import read_platform_file
from rma_tui.reads.reconcile import reconcile
from rma_tui.store.db import Database
from rma_tui.store.models import Account, AuditEvent, JournalEntry, Notification, Posting, Slip

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
TAOBAO = SAMPLES / "taobao_requests.csv"
# What the sample Taobao console export (GBK) holds, by refund id: (order or None when
# unknown to the shop, sku, qty, amount_fen, platform status, waybill).
TAOBAO_ROWS = {
    "186512000000000101": (None, "TB-TEE-01", 1, 5990, "requested", None),
    "186512000000000102": ("3861200012345678902", "TB-MUG-02", 1, 3900, "agreed", None),
    "186512000000000103": ("3861200012345678903", "TB-MUG-02", 2, 7800, "shipped",
                           ("中通快递", "75312345678901")),
    "186512000000000104": ("3861200012345678901", "TB-TEE-01", 1, 5990, "shipped",
                           ("圆通速递", "YT7512345678901")),
    "186512000000000105": ("3861200012345678904", "TB-TEE-01", 1, 5990, "refunded", None),
}


def platform_shop(db: Database) -> Database:
    """Users by role, the sample products (50 of each in stock) and the sample platform
    sales (taobao, jd, pdd)."""
    sv.add_user(db, None, "owner", "owner")
    for name, role in [("clerk", "clerk"), ("warehouse", "warehouse"), ("finance", "finance")]:
        sv.add_user(db, "owner", name, role)
    import_file(db, "owner", "products", SAMPLES / "products.csv")
    for sku in ("TB-TEE-01", "TB-MUG-02", "JD-EAR-01", "JD-PWR-02", "PDD-SOCK-01",
                "PDD-TOWEL-02"):
        sv.receive_purchase(db, "owner", sku, 50, now=sv.utcnow() - timedelta(days=60))
    import_file(db, "owner", "sales", SAMPLES / "platform_sales.csv")
    return db


@pytest.fixture
def pshop(db: Database) -> Database:
    """The platform shop of `platform_shop` in a fresh database."""
    return platform_shop(db)


def import_sample(db: Database, path: Path, platform: str, actor: str = "clerk",
                  **kw: object) -> sv.RequestImport:
    pf = read_platform_file(path, platform)
    return sv.import_requests(db, actor, pf.channel, pf.rows, **kw)  # type: ignore[arg-type]


def by_ref(db: Database, channel: str = "taobao") -> dict[str, Slip]:
    """The channel's slips by platform refund id, as plain copies of their rows."""
    with db.read() as s:
        return {x.platform_ref: Slip.model_construct(**x.model_dump()) for x in s.exec(
            select(Slip).where(Slip.channel == channel)).all() if x.platform_ref}


def refund_entries(db: Database, number: str) -> list[list[tuple[str, int, int]]]:
    """The refund journal entries of a slip, each as its (account, debit, credit) lines."""
    with db.read() as s:
        slip = s.exec(select(Slip).where(Slip.number == number)).one()
        entries = s.exec(select(JournalEntry).where(JournalEntry.slip_id == slip.id,
                                                    JournalEntry.kind == "refund")).all()
        return [[(p.account_code, p.debit_fen, p.credit_fen) for p in s.exec(
            select(Posting).where(Posting.entry_id == e.id)).all()] for e in entries]


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (s.exec(select(func.count()).select_from(Slip)).one(),
                s.exec(select(func.count()).select_from(AuditEvent)).one(),
                s.exec(select(func.count()).select_from(JournalEntry)).one())


def verified(db: Database) -> None:
    report = sv.verify(db)
    assert report.ok, [(c.name, c.detail) for c in report.checks if not c.ok]


def test_taobao_console_export_becomes_exact_slips(pshop: Database) -> None:
    got = import_sample(pshop, TAOBAO, "taobao")
    assert len(got.created) == 5 and not (got.updated or got.unchanged or got.conflicts)
    slips = by_ref(pshop)
    assert set(slips) == set(TAOBAO_ROWS)
    for ref, (order, sku, qty, amount, status, waybill) in TAOBAO_ROWS.items():
        v = sv.get_slip(pshop, slips[ref].number)
        assert (v.channel, v.type, v.platform_ref, v.platform_status) == \
            ("taobao", "return", ref, status)
        assert v.sale == order
        assert [(ln.sku, ln.qty) for ln in v.lines] == [(sku, qty)]
        assert v.gross_fen == amount
        assert (v.waybill_carrier, v.waybill_no) == (waybill or ("", None))
        assert v.created_by == "clerk"
    # Known orders inside the 7-day window and under the limit: approved at once; the
    # unknown order waits for the owner, who is told.
    unknown = sv.get_slip(pshop, slips["186512000000000101"].number)
    assert unknown.status == "submitted" and unknown.policy_ok is False
    assert unknown.sale is None and "3861200099999999999" in unknown.note
    assert {sv.get_slip(pshop, slips[r].number).status for r in TAOBAO_ROWS if r[-1] != "1"} \
        == {"approved"}
    with pshop.read() as s:
        told = s.exec(select(Notification).where(
            Notification.key == "platform_order_unknown")).all()
        assert [(n.role, n.slip_id) for n in told] == \
            [("owner", slips["186512000000000101"].id)]
    # The refund the platform made before the goods came: posted against its clearing
    # account, no stock moved, the slip still waits for the goods.
    refunded = sv.get_slip(pshop, slips["186512000000000105"].number)
    assert (refunded.status, refunded.platform_refund_fen, refunded.refund_method) == \
        ("approved", 5990, "platform")
    assert refund_entries(pshop, refunded.number) == [
        [("6003", 5990, 0), ("1123-01", 0, 5990)]]
    verified(pshop)


@pytest.mark.sqlite_only
def test_importing_the_same_file_again_changes_nothing(pshop: Database) -> None:
    first = import_sample(pshop, TAOBAO, "taobao")
    before = counts(pshop)
    again = import_sample(pshop, TAOBAO, "taobao")
    assert again.unchanged == first.created and not (again.created or again.updated)
    assert counts(pshop) == before


def test_a_changed_status_moves_exactly_that_slip(pshop: Database) -> None:
    import_sample(pshop, TAOBAO, "taobao")
    pf = read_platform_file(TAOBAO, "taobao")
    rows = [replace(r, status="closed", platform_status="退款关闭")
            if r.refund_id == "186512000000000102" else
            replace(r, status="shipped", carrier="韵达快递", waybill="4300000000001")
            if r.refund_id == "186512000000000101" else r for r in pf.rows]
    before = {ref: (x.status, x.waybill_no) for ref, x in by_ref(pshop).items()}
    got = sv.import_requests(pshop, "clerk", "taobao", rows)
    slips = by_ref(pshop)
    assert sorted(got.updated) == sorted(slips[r].number for r in
                                         ("186512000000000101", "186512000000000102"))
    assert len(got.unchanged) == 3 and not got.conflicts
    closed = slips["186512000000000102"]
    assert (closed.status, closed.platform_status) == ("cancelled", "closed")
    assert "退款关闭" in (closed.close_reason or "")
    assert (slips["186512000000000101"].waybill_no,
            slips["186512000000000101"].waybill_carrier) == ("4300000000001", "韵达快递")
    for ref in ("186512000000000103", "186512000000000104", "186512000000000105"):
        assert (slips[ref].status, slips[ref].waybill_no) == before[ref]
    verified(pshop)


@pytest.mark.sqlite_only
def test_a_platform_refund_is_never_paid_again_at_the_till(pshop: Database) -> None:
    import_sample(pshop, TAOBAO, "taobao")
    number = by_ref(pshop)["186512000000000105"].number
    sv.receive_slip(pshop, "warehouse", number)
    sv.inspect_slip(pshop, "warehouse", number, [sv.GradeInput("TB-TEE-01", 1, 0, 0)])
    for method in ("cash", "credit", "receivable"):
        with pytest.raises(DomainError) as e:
            sv.settle_slip(pshop, "finance", number, method)
        assert e.value.key in ("platform_refunds_there", "method_needs_customer")
    v = sv.settle_slip(pshop, "finance", number, "original")
    assert (v.status, v.refund_method, v.refund_fen) == ("settled", "platform", 5990)
    # One refund only, the one the import posted; the till (1001/1002) never moved.
    assert refund_entries(pshop, number) == [
        [("6003", 5990, 0), ("1123-01", 0, 5990)]]
    with pshop.read() as s:
        till = s.exec(select(func.count()).select_from(Posting).join(
            JournalEntry, JournalEntry.id == Posting.entry_id).where(
            JournalEntry.slip_id == by_ref(pshop)["186512000000000105"].id,
            Posting.account_code.in_(("1001", "1002")))).one()  # type: ignore[attr-defined]
    assert till == 0
    # The platform's file says refunded again: recognised, not posted twice.
    again = import_sample(pshop, TAOBAO, "taobao")
    assert number in again.unchanged
    assert len(refund_entries(pshop, number)) == 1
    # A platform-refunded slip cannot be cancelled away either.
    verified(pshop)
    # The clearing account is in the chart under the platform's name, as every list shows it.
    with pshop.read() as s:
        acct = s.get(Account, "1123-01")
        names = None if acct is None else (acct.name_zh, acct.kind)
    assert (sv.account_name("1123-01", "zh"), sv.account_name("1123-01", "en")) == (
        "平台往来-淘宝/天猫", "Platform clearing - Taobao / Tmall")
    assert names == ("平台往来-淘宝/天猫", "asset")
    assert (sv.account_name("1001", "en"), sv.account_name("9999", "zh")) == ("Cash on hand", "")


@pytest.mark.sqlite_only
def test_platform_refund_after_a_till_refund_is_a_conflict(pshop: Database) -> None:
    import_sample(pshop, TAOBAO, "taobao")
    slip = by_ref(pshop)["186512000000000104"]
    sv.receive_by_waybill(pshop, "warehouse", "YT7512345678901")
    sv.inspect_slip(pshop, "warehouse", slip.number, [sv.GradeInput("TB-TEE-01", 1, 0, 0)])
    sv.settle_slip(pshop, "finance", slip.number, "platform")
    pf = read_platform_file(TAOBAO, "taobao")
    rows = [replace(r, status="refunded", amount_fen=4990)
            if r.refund_id == "186512000000000104" else r for r in pf.rows]
    got = sv.import_requests(pshop, "clerk", "taobao", rows)
    assert [(c.refund_id, c.slip, c.key) for c in got.conflicts] == \
        [("186512000000000104", slip.number, "platform_refund_differs")]
    assert len(refund_entries(pshop, slip.number)) == 1
    verified(pshop)


@pytest.mark.sqlite_only
def test_refunded_slip_cannot_be_cancelled(pshop: Database) -> None:
    import_sample(pshop, TAOBAO, "taobao")
    number = by_ref(pshop)["186512000000000105"].number
    with pytest.raises(DomainError) as e:
        sv.cancel_slip(pshop, "clerk", number, "客户不退了")
    assert e.value.key == "platform_refunded_cannot_end"
    assert sv.get_slip(pshop, number).status == "approved"


@pytest.mark.sqlite_only
def test_waybill_receive_and_an_unmatched_parcel_attached_later(pshop: Database) -> None:
    import_sample(pshop, TAOBAO, "taobao")
    slips = by_ref(pshop)
    scan = sv.receive_by_waybill(pshop, "warehouse", " 75312345678901 ")
    assert scan.parcel is None and scan.slip is not None
    assert (scan.slip.number, scan.slip.status) == (slips["186512000000000103"].number,
                                                   "received")
    assert {r.sku: r.pending for r in sv.stock(pshop)}["TB-MUG-02"] == 2
    with pytest.raises(DomainError) as e:  # scanned twice: said so, nothing moves again
        sv.receive_by_waybill(pshop, "warehouse", "75312345678901")
    assert e.value.key == "waybill_already_received"
    assert {r.sku: r.pending for r in sv.stock(pshop)}["TB-MUG-02"] == 2
    # A parcel nobody expects: kept with carrier, contents and who took it in.
    lost = sv.receive_by_waybill(pshop, "warehouse", "SF9988776655", carrier="顺丰速运",
                                 contents="白色T恤一件，无单据")
    assert lost.slip is None and lost.parcel is not None
    assert [(p.waybill, p.carrier, p.contents, p.received_by, p.slip)
            for p in sv.list_parcels(pshop)] == \
        [("SF9988776655", "顺丰速运", "白色T恤一件，无单据", "warehouse", None)]
    with pytest.raises(DomainError) as e:
        sv.receive_by_waybill(pshop, "warehouse", "SF9988776655")
    assert e.value.key == "parcel_exists"
    target = slips["186512000000000104"].number
    v = sv.attach_parcel(pshop, "warehouse", lost.parcel.id, target)
    assert v.status == "received" and v.waybill_no == "YT7512345678901"
    assert sv.list_parcels(pshop) == []
    assert [p.slip for p in sv.list_parcels(pshop, include_attached=True)] == [target]
    with pytest.raises(DomainError) as e:
        sv.receive_by_waybill(pshop, "warehouse", "SF9988776655")
    assert e.value.key == "parcel_attached"
    with pytest.raises(DomainError) as e:
        sv.receive_by_waybill(pshop, "clerk", "SF0000000000")
    assert e.value.key == "role_denied"
    verified(pshop)


def test_reconciliation_lists_the_planted_difference(pshop: Database) -> None:
    import_sample(pshop, TAOBAO, "taobao")
    slips = by_ref(pshop)
    for ref, waybill, sku, qty in (("186512000000000103", "75312345678901", "TB-MUG-02", 2),
                                   ("186512000000000104", "YT7512345678901", "TB-TEE-01", 1)):
        sv.receive_by_waybill(pshop, "warehouse", waybill)
        sv.inspect_slip(pshop, "warehouse", slips[ref].number, [sv.GradeInput(sku, qty, 0, 0)])
        sv.settle_slip(pshop, "finance", slips[ref].number, "platform")
    pf = read_platform_file(SAMPLES / "taobao_refunds.csv", "taobao", purpose="reconcile")
    rec = reconcile(pshop, "taobao", pf.rows)
    # Worked out by hand from the two files: 105 (59.90) and 104 (59.90) match; 103 was
    # 78.00 here and 68.00 on the platform; nothing is on one side only.
    assert [(r.refund_id, r.theirs_fen, r.ours_fen) for r in rec.differ] == \
        [("186512000000000103", 6800, 7800)]
    assert sorted((r.refund_id, r.theirs_fen, r.ours_fen) for r in rec.matched) == \
        [("186512000000000104", 5990, 5990), ("186512000000000105", 5990, 5990)]
    assert rec.missing_here == [] and rec.missing_there == []
    assert rec.totals() == (5990 + 6800 + 5990, 5990 + 7800 + 5990)
    assert not rec.balanced
    # A refund the platform made that the books lack (a new id, refunded 11-28), and one
    # the books hold that the file leaves out (105, refunded 11-28).
    extra = replace(pf.rows[0], refund_id="186512000000000999")
    rec2 = reconcile(pshop, "taobao", [*pf.rows[1:], extra])
    assert [r.refund_id for r in rec2.missing_here] == ["186512000000000999"]
    assert [r.refund_id for r in rec2.missing_there] == ["186512000000000105"]
    # The same over 11-29 alone: both of 11-28 fall outside it.
    day = max(r.modified_at for r in pf.rows if r.modified_at).astimezone().date()
    rec3 = reconcile(pshop, "taobao", [*pf.rows[1:], extra], start=day, end=day)
    assert rec3.missing_here == [] and rec3.missing_there == []
    assert [r.refund_id for r in rec3.differ] == ["186512000000000103"]


@pytest.mark.sqlite_only
def test_jd_xlsx_pdd_and_oms_imports(pshop: Database) -> None:
    jd = import_sample(pshop, SAMPLES / "jd_requests.xlsx", "jd", actor="warehouse")
    assert len(jd.created) == 3 and not jd.conflicts
    slips = by_ref(pshop, "jd")
    assert (slips["2098765401"].waybill_no, slips["2098765401"].status) == \
        ("JDVA12345678901", "approved")
    assert slips["2098765403"].platform_refund_fen == 12900
    assert refund_entries(pshop, slips["2098765403"].number)[0][1] == ("1123-02", 0, 12900)
    pdd = import_sample(pshop, SAMPLES / "pdd_requests.csv", "pdd")
    assert len(pdd.created) == 2
    assert by_ref(pshop, "pdd")["12345678902"].waybill_no == "4312345678902"
    oms = import_sample(pshop, SAMPLES / "oms_requests.csv", "oms")
    assert len(oms.created) == 2
    assert {x.channel for x in (by_ref(pshop, "douyin") | by_ref(pshop, "youzan")).values()} \
        == {"douyin", "youzan"}
    assert all(x.sale_id is None for x in by_ref(pshop, "douyin").values())
    verified(pshop)


def test_a_conflicting_row_leaves_the_rest_of_the_file_applied(pshop: Database) -> None:
    pf = read_platform_file(TAOBAO, "taobao")
    rows = [replace(pf.rows[1], qty=9), *pf.rows[2:]]  # 9 of an order that sold 1
    got = sv.import_requests(pshop, "clerk", "taobao", rows)
    assert [(c.refund_id, c.slip, c.key) for c in got.conflicts] == \
        [(pf.rows[1].refund_id, None, "over_returnable")]
    assert len(got.created) == 3
    assert pf.rows[1].refund_id not in by_ref(pshop)
    verified(pshop)


@pytest.mark.sqlite_only
def test_unknown_channel_is_refused_with_the_known_ones(pshop: Database) -> None:
    with pytest.raises(DomainError) as e:
        sv.import_requests(pshop, "clerk", "weibo", [])
    assert e.value.key == "unknown_channel" and "taobao" in e.value.params["known"]
    with pytest.raises(DomainError) as e:
        sv.record_sales(pshop, "clerk", [sv.SaleInput(
            "X-1", "store", sv.utcnow(), [sv.SaleLineInput("TB-TEE-01", 1, 5990)],
            payment_method="platform")])
    assert e.value.key == "platform_payment_elsewhere"


def test_what_the_platform_says_that_our_lifecycle_cannot_follow(pshop: Database) -> None:
    """Each such row is a conflict naming why, and leaves its slip as it was."""
    import_sample(pshop, TAOBAO, "taobao")
    pf = read_platform_file(TAOBAO, "taobao")
    row = {r.refund_id: r for r in pf.rows}
    slips = by_ref(pshop)
    sv.receive_by_waybill(pshop, "warehouse", "75312345678901")  # 103 received
    sv.cancel_slip(pshop, "clerk", slips["186512000000000102"].number, "买家撤销")
    new = [
        replace(row["186512000000000103"], status="closed"),  # closed after receipt
        replace(row["186512000000000103"], refund_id="186512000000000301", order="",
                sku=""),  # unknown order and no SKU
        replace(row["186512000000000102"], status="refunded"),  # refunded, ours cancelled
        replace(row["186512000000000104"], refund_id="186512000000000302", status="refunded",
                amount_fen=99_999),  # more than the slip is worth
        replace(row["186512000000000105"], status="requested"),  # back from refunded
    ]
    got = sv.import_requests(pshop, "clerk", "taobao", new)
    assert [(c.refund_id, c.key) for c in got.conflicts] == [
        ("186512000000000103", "platform_closed_after"),
        ("186512000000000301", "platform_needs_sku"),
        ("186512000000000102", "platform_refund_on_ended"),
        ("186512000000000302", "platform_refund_over"),
        ("186512000000000105", "platform_status_back"),
    ]
    assert all(c.why("zh") and c.why("en") != c.why("zh") for c in got.conflicts)
    assert not (got.created or got.updated)
    after = by_ref(pshop)
    assert set(after) == set(TAOBAO_ROWS)
    assert after["186512000000000103"].status == "received"
    assert after["186512000000000102"].platform_refund_fen == 0
    # A new waybill for a parcel already received.
    got = sv.import_requests(pshop, "clerk", "taobao", [
        replace(row["186512000000000103"], waybill="75300000000000")])
    assert [c.key for c in got.conflicts] == ["platform_waybill_after_receipt"]
    verified(pshop)


@pytest.mark.sqlite_only
def test_refusals_of_parcels_and_platform_refunds(pshop: Database) -> None:
    pf = read_platform_file(TAOBAO, "taobao")
    row = {r.refund_id: r for r in pf.rows}
    # Two requests naming one waybill: scanning it cannot choose.
    twin = replace(row["186512000000000104"], refund_id="186512000000000401",
                   order="3861200012345678906", waybill="YT7512345678901")
    sv.import_requests(pshop, "clerk", "taobao", [row["186512000000000104"], twin])
    with pytest.raises(DomainError) as e:
        sv.receive_by_waybill(pshop, "warehouse", "YT7512345678901")
    assert e.value.key == "waybill_many_slips"
    with pytest.raises(DomainError) as e:
        sv.attach_parcel(pshop, "warehouse", 999, by_ref(pshop)["186512000000000104"].number)
    assert e.value.key == "unknown_parcel"
    # An exchange is never refunded by the platform; a counter slip has no platform.
    ex = sv.create_slip(pshop, "clerk", "3861200012345678905", "exchange",
                        [sv.LineInput("TB-MUG-02", 1, "damaged")]).number
    sv.submit_slip(pshop, "clerk", ex)
    if sv.get_slip(pshop, ex).status == "submitted":  # the sample sale's window may be past
        sv.approve_slip(pshop, "owner", ex, override_reason="平台换货，店长同意")
    sv.receive_slip(pshop, "warehouse", ex)
    sv.inspect_slip(pshop, "warehouse", ex, [sv.GradeInput("TB-MUG-02", 1, 0, 0)])
    with pytest.raises(DomainError) as e:
        sv.settle_slip(pshop, "finance", ex, "platform")
    assert e.value.key == "platform_refund_exchange"
    sv.record_sales(pshop, "clerk", [sv.SaleInput(
        "S-1", "store", sv.utcnow() - timedelta(hours=1),
        [sv.SaleLineInput("TB-TEE-01", 1, 5990)], payment_method="cash")])
    n = sv.create_slip(pshop, "clerk", "S-1", "return",
                       [sv.LineInput("TB-TEE-01", 1, "quality")]).number
    sv.submit_slip(pshop, "clerk", n)
    sv.receive_slip(pshop, "warehouse", n)
    sv.inspect_slip(pshop, "warehouse", n, [sv.GradeInput("TB-TEE-01", 1, 0, 0)])
    with pytest.raises(DomainError) as e:
        sv.settle_slip(pshop, "finance", n, "platform")
    assert e.value.key == "not_a_platform"
    assert sv.get_slip(pshop, n).status == "inspected"
    verified(pshop)
