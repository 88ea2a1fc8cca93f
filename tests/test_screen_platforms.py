"""The desk's screens for the online platforms, on the sample shop of `data/samples`: the
review queue's platform columns, receiving by waybill and the unmatched parcels
(inspection), importing a platform's request file, and the platform reconciliation
(finance). Pilot tests drive them by keyboard and assert the database; one snapshot each of
the waybill flow and the reconciliation at 120x36.

The sample shop is built once per module (products, stock, the platform sales, Taobao's
requests at a fixed time, then Taobao's refund of 78.00 on 186512000000000103) and copied
for each test.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pilot import settle
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.imports import import_file
from rma_tui.platform_files import read_platform_file
from rma_tui.screens.finance import TABS, FinanceScreen
from rma_tui.screens.inspection import InspectionScreen
from rma_tui.screens.review import ReviewScreen
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade
from rma_tui.widgets.grade_form import GradeForm
from rma_tui.widgets.parcel_list import ParcelListDialog
from rma_tui.widgets.reconcile_view import ReconcileView
from rma_tui.widgets.request_import import ImportReportDialog
from rma_tui.widgets.slip_queue import SlipQueue
from rma_tui.widgets.stock_form import StockFormDialog
from rma_tui.widgets.waybill_scan import WaybillScan

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
SIZE = (120, 36)
# The requests were brought in on this day (the slip numbers carry it).
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
SKUS = ("TB-TEE-01", "TB-MUG-02", "JD-EAR-01", "JD-PWR-02", "PDD-SOCK-01", "PDD-TOWEL-02")
# Taobao's refund ids in the sample requests.
REQUESTED, AGREED, SHIPPED, SHIPPED_2, REFUNDED = (f"18651200000000010{i}" for i in range(1, 6))
WAYBILL = "75312345678901"  # the parcel of SHIPPED (中通快递)

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def taobao_file(folder: Path, name: str, change: dict[str, dict[int, str]]) -> Path:
    """Taobao's sample request file with some cells changed ({refund id: {column: text}}),
    written as UTF-8 into `folder`."""
    text = (SAMPLES / "taobao_requests.csv").read_bytes().decode("gbk")
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        for column, value in change.get(row[1], {}).items():
            row[column] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = folder / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def build_shop(path: Path) -> None:
    """The sample shop, in the file `path`."""
    d = Database(str(path))
    try:
        upgrade(d)
        sv.add_user(d, None, "owner", "owner", now=NOW)
        for name, role in (("clerk", "clerk"), ("warehouse", "warehouse"),
                           ("finance", "finance")):
            sv.add_user(d, "owner", name, role, now=NOW)
        import_file(d, "owner", "products", SAMPLES / "products.csv")
        for sku in SKUS:
            sv.receive_purchase(d, "owner", sku, 20, now=datetime(2026, 11, 1, tzinfo=UTC))
        import_file(d, "owner", "sales", SAMPLES / "platform_sales.csv")
        for file in (SAMPLES / "taobao_requests.csv",
                     # Taobao then refunded the mugs of SHIPPED (status 退款成功, 78.00).
                     taobao_file(path.parent, "refunded.csv", {SHIPPED: {10: "退款成功"}})):
            pf = read_platform_file(file, "taobao")
            sv.import_requests(d, "clerk", pf.channel, pf.rows, now=NOW)
    finally:
        d.dispose()


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample shop, built once for the module."""
    path = tmp_path_factory.mktemp("platform-shop") / "shop.db"
    build_shop(path)
    return path


@pytest.fixture
def shop(shop_file: Path, tmp_path: Path) -> Iterator[tuple[Database, dict[str, str]]]:
    """A copy of the sample shop, and its slip numbers by refund id."""
    path = tmp_path / "shop.db"
    shutil.copy(shop_file, path)
    d = Database(str(path))
    numbers = {s.platform_ref or "": s.number for s in sv.list_slips(d, limit=50)}
    yield d, numbers
    d.dispose()


def app_on(db: Database, user: str, lang: str = "zh") -> RmaApp:
    """The app on `db`, signed in as `user`, without the periodic refresh."""
    return make_app(db.url, user, lang, refresh_seconds=0)


def message(app: RmaApp) -> str:
    """The inspection screen's message line."""
    return str(app.screen.query_one("#insp-message", Static).content)


async def open_inspection(pilot: Pilot[None]) -> InspectionScreen:
    """Key 4 from the home screen, then wait for the lists."""
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InspectionScreen)
    return screen


async def scan(pilot: Pilot[None], waybill: str) -> None:
    """w, the waybill (set directly: a key press a digit is slow), Enter."""
    await pilot.press("w")
    field = pilot.app.screen.query_one(WaybillScan).input
    assert pilot.app.focused is field
    field.value = waybill
    await pilot.press("enter")
    await settle(pilot)


# -- review ---------------------------------------------------------------------------------


async def test_review_queue_shows_the_platform_request(shop) -> None:
    db, n = shop
    app = app_on(db, "owner")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = ReviewScreen()
        await app.push_screen(screen)
        await settle(pilot)
        assert [i.number for i in screen.items] == [n[REQUESTED]]
        assert screen.platform == {n[REQUESTED]: (REQUESTED, "requested")}
        table = screen.query_one("#review-queue", DataTable)
        number, flags = (str(c) for c in table.get_row_at(0)[:2])
        assert number == f"{n[REQUESTED]}\n{REQUESTED}"
        assert flags == f"{i18n.t('review_flag_no_sale', 'zh')}\n" \
                        f"{i18n.label('platform_status', 'requested', 'zh')}"
        assert screen.current_number() == n[REQUESTED]


# -- inspection: waybills and unmatched parcels ---------------------------------------------


async def test_scanned_waybill_receives_the_slip_for_grading(shop) -> None:
    db, n = shop
    app = app_on(db, "warehouse")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspection(pilot)
        assert n[SHIPPED] in [s.number for s in screen.query_one("#queue-approved",
                                                                   SlipQueue).rows]
        await scan(pilot, "7531 2345 678901")  # spaces between the digit groups too
        assert sv.get_slip(db, n[SHIPPED]).status == "received"
        assert message(app) == i18n.t("insp_waybill_received", "zh", waybill=WAYBILL,
                                      slip=n[SHIPPED], qty=2)
        received = screen.query_one("#queue-received", SlipQueue)
        assert received.number == n[SHIPPED]
        assert screen.view is not None and screen.view.number == n[SHIPPED]
        assert screen.query_one(GradeForm).number == n[SHIPPED]
        field = screen.query_one(WaybillScan).input
        assert field.value == "" and app.focused is field  # ready for the next parcel
        await pilot.press("enter")  # Enter on the empty field: into the grading form
        assert isinstance(app.focused, Input) and app.focused.value == "2"
        await pilot.press("enter")  # all resellable
        await settle(pilot)
        assert sv.get_slip(db, n[SHIPPED]).status == "inspected"
    assert sv.list_parcels(db, include_attached=True) == []
    assert sv.verify(db).ok


async def test_unknown_waybill_records_an_unmatched_parcel(shop) -> None:
    db, n = shop
    before = sv.list_slips(db, limit=50)
    app = app_on(db, "warehouse")
    async with app.run_test(size=SIZE) as pilot:
        await open_inspection(pilot)
        await scan(pilot, "SF1234567890999")
        assert isinstance(app.screen, StockFormDialog)
        await pilot.press("escape")  # not now: nothing is recorded
        await settle(pilot)
        assert sv.list_parcels(db) == []
        assert message(app) == i18n.t("cb_cancelled", "zh")
        await scan(pilot, "SF1234567890999")
        dialog = app.screen
        assert isinstance(dialog, StockFormDialog)
        dialog.query_one("#field-carrier", Input).value = "顺丰速运"
        dialog.query_one("#field-contents", Input).value = "蓝牙耳机一副"
        dialog.query_one("#field-contents", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InspectionScreen)
        [parcel] = sv.list_parcels(db)
        assert (parcel.waybill, parcel.carrier, parcel.contents, parcel.received_by,
                parcel.slip) == ("SF1234567890999", "顺丰速运", "蓝牙耳机一副", "warehouse", None)
        assert message(app) == i18n.t("parcel_recorded", "zh", waybill="SF1234567890999",
                                      parcel=parcel.id)
    assert sv.list_slips(db, limit=50) == before  # no slip moved


async def test_parcel_attached_to_its_slip_by_number(shop) -> None:
    db, n = shop
    scanned = sv.receive_by_waybill(db, "warehouse", "YD998877", carrier="韵达快递",
                                    contents="陶瓷马克杯一只")
    assert scanned.parcel is not None and scanned.slip is None
    app = app_on(db, "warehouse", "en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspection(pilot)
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ParcelListDialog)
        assert [p.waybill for p in dialog.parcels] == ["YD998877"]
        await pilot.press("enter")  # the highlighted parcel: on to the slip number
        field = dialog.query_one("#parcel-slip", Input)
        assert app.focused is field
        field.value = n[REQUESTED]  # still waiting for review: refused, the dialog stays
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        error = str(dialog.query_one("#dialog-error", Static).content)
        assert n[REQUESTED] in error
        assert sv.list_parcels(db)[0].slip is None
        field.value = n[AGREED]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        [parcel] = sv.list_parcels(db, include_attached=True)
        assert (parcel.slip, parcel.attached_by) == (n[AGREED], "warehouse")
        assert sv.list_parcels(db) == []
        view = sv.get_slip(db, n[AGREED])
        assert (view.status, view.waybill_no, view.waybill_carrier) == (
            "received", "YD998877", "韵达快递")
        assert message(app) == i18n.t("parcel_attached_done", "en", parcel=parcel.id,
                                      slip=n[AGREED], status="received")
        assert screen.query_one("#queue-received", SlipQueue).number == n[AGREED]
        assert screen.query_one(GradeForm).number == n[AGREED]
    assert sv.verify(db).ok


# -- inspection: importing a platform's requests ----------------------------------------------


async def open_import(pilot: Pilot[None]) -> StockFormDialog:
    """i on the inspection screen: the import form."""
    await pilot.press("i")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, StockFormDialog)
    return dialog


async def test_import_requests_from_a_file(shop, tmp_path: Path) -> None:
    db, n = shop
    app = app_on(db, "warehouse")
    async with app.run_test(size=SIZE) as pilot:
        await open_inspection(pilot)
        await open_import(pilot)
        await pilot.press("i")  # the field has the keyboard: typed, not a second dialog
        dialog = app.screen
        assert isinstance(dialog, StockFormDialog)
        dialog.query_one("#field-platform", Select).value = "jd"
        path = dialog.query_one("#field-file", Input)
        path.value = str(tmp_path / "nowhere.xlsx")  # no such file: said, nothing written
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "nowhere.xlsx" in str(dialog.query_one("#error-file", Static).content)
        path.value = str(SAMPLES / "jd_requests.xlsx")
        await pilot.press("enter")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, ImportReportDialog)
        jd = [s for s in sv.list_slips(db, limit=50) if s.channel == "jd"]
        assert sorted(s.platform_ref or "" for s in jd) == [
            "2098765401", "2098765402", "2098765403"]
        assert sorted(report.result.created) == sorted(s.number for s in jd)
        counts = dict(created=3, updated=0, unchanged=0, conflicts=0)
        assert str(report.query_one("#imp-counts", Static).content) == i18n.t(
            "imp_counts", "zh", channel="jd", **counts)
        await pilot.press("enter")  # OK closes the report
        await settle(pilot)
        assert isinstance(app.screen, InspectionScreen)
        assert message(app) == i18n.t("imp_done", "zh", file="jd_requests.xlsx", **counts)
        # The requests the platform already agreed or that were shipped await their goods.
        approved = app.screen.query_one("#queue-approved", SlipQueue).rows
        assert {s.platform_ref for s in jd if s.status == "approved"} <= {
            s.platform_ref for s in approved}
    assert sv.verify(db).ok


async def test_import_conflict_is_shown_with_why(shop, tmp_path: Path) -> None:
    db, n = shop
    # Taobao's file now says REFUNDED was refunded 49.90, not the 59.90 already posted.
    file = taobao_file(tmp_path, "changed.csv", {SHIPPED: {10: "退款成功"},
                                                 REFUNDED: {7: "49.90"}})
    before = sv.get_slip(db, n[REFUNDED])
    app = app_on(db, "clerk", "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_inspection(pilot)
        dialog = await open_import(pilot)
        dialog.query_one("#field-platform", Select).value = "taobao"
        dialog.query_one("#field-file", Input).value = str(file)
        await pilot.press("enter")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, ImportReportDialog)
        [conflict] = report.result.conflicts
        assert (conflict.refund_id, conflict.slip) == (REFUNDED, n[REFUNDED])
        shown = str(report.query_one("#imp-conflict-list", Static).content)
        assert conflict.why("en") in shown and REFUNDED in shown
        assert str(report.query_one("#imp-counts", Static).content) == i18n.t(
            "imp_counts", "en", channel="taobao", created=0, updated=0, unchanged=4,
            conflicts=1)  # the other four as they were
    after = sv.get_slip(db, n[REFUNDED])
    assert after.platform_refund_fen == before.platform_refund_fen == 5990


async def test_finance_may_not_import(shop) -> None:
    db, _ = shop
    app = app_on(db, "finance")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspection(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert app.screen is screen
        assert message(app) == i18n.t("role_denied", "zh", user="finance", role="finance",
                                      allowed=", ".join(sv.IMPORT_REQUEST_ROLES),
                                      field="user")


# -- finance: the reconciliation --------------------------------------------------------------


async def open_reconcile(pilot: Pilot[None]) -> FinanceScreen:
    """The finance screen, then the tab bar walked by keyboard to the reconciliation."""
    await settle(pilot)
    screen = FinanceScreen(today=date(2026, 12, 1))
    await pilot.app.push_screen(screen)
    await settle(pilot)
    screen.query_one("ContentTabs").focus()
    await pilot.pause()
    assert screen.tab == next(iter(TABS))
    await pilot.press("left")  # from the first tab round to the last: the reconciliation
    await settle(pilot)
    assert screen.query_one("#fin-tabs", TabbedContent).active == "fin-reconcile"
    assert screen.tab == "reconcile"
    return screen


async def reconcile(pilot: Pilot[None], path: str, start: str = "", end: str = "",
                    key: str = "enter") -> None:
    """Taobao, the file, the days; Enter in the last field (or `key`)."""
    view = pilot.app.screen.query_one(ReconcileView)
    view.query_one("#rec-platform", Select).value = "taobao"
    view.query_one("#rec-file", Input).value = path
    view.query_one("#rec-from", Input).value = start
    field = view.query_one("#rec-to", Input)
    field.value = end
    field.focus()
    await pilot.press(key)
    await settle(pilot)


def table_rows(view: ReconcileView) -> list[list[str]]:
    """The reconciliation table's cells as text."""
    table = view.query_one("#rec-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_reconcile_finds_the_planted_difference(shop) -> None:
    db, n = shop
    app = app_on(db, "finance")
    async with app.run_test(size=SIZE) as pilot:
        await open_reconcile(pilot)
        view = app.screen.query_one(ReconcileView)
        await reconcile(pilot, str(SAMPLES / "taobao_refunds.csv"))
        assert view.result is not None
        file, rec = view.result
        assert file == "taobao_refunds.csv" and not rec.balanced
        assert [(r.refund_id, r.theirs_fen, r.ours_fen) for r in rec.differ] == [
            (SHIPPED, 6800, 7800)]
        assert [r.refund_id for r in rec.missing_here] == [SHIPPED_2]
        assert [r.refund_id for r in rec.matched] == [REFUNDED]
        assert rec.missing_there == []
        status = str(view.query_one("#rec-status", Static).content)
        assert i18n.t("fin_rec_differences", "zh", count=2) in status
        assert view.query_one("#rec-status").has_class("-bad")
        assert table_rows(view) == [
            [i18n.t("rec_differ", "zh"), SHIPPED, n[SHIPPED], "¥68.00", "¥78.00",
             "2026-11-29"],
            [i18n.t("rec_missing_here", "zh"), SHIPPED_2, n[SHIPPED_2], "¥59.90", "—",
             "2026-11-29"],
            [i18n.t("rec_matched", "zh"), REFUNDED, n[REFUNDED], "¥59.90", "¥59.90",
             "2026-11-28"],
            [i18n.t("fin_total", "zh"), "", "", "¥187.80", "¥137.90", ""],
        ]
        # One day only: the refund that agrees, and nothing else (Ctrl+S asks too).
        await reconcile(pilot, str(SAMPLES / "taobao_refunds.csv"), "2026-11-28", "2026-11-28",
                        key="ctrl+s")
        assert view.result is not None and view.result[1].balanced
        assert [r.refund_id for r in view.result[1].matched] == [REFUNDED]
        assert str(view.query_one("#rec-status", Static).content).startswith(
            f"✓ {i18n.t('rec_balanced', 'zh')}")
        assert view.query_one("#rec-status").has_class("-ok")


async def test_reconcile_says_what_is_wrong(shop, tmp_path: Path) -> None:
    db, _ = shop
    app = app_on(db, "finance", "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_reconcile(pilot)
        view = app.screen.query_one(ReconcileView)
        status = view.query_one("#rec-status", Static)
        await reconcile(pilot, str(SAMPLES / "taobao_refunds.csv"), "2026-11-31")
        assert str(status.content) == i18n.t("bad_date", "en", value="2026-11-31",
                                             field=i18n.t("fin_rec_from", "en"))
        assert view.result is None
        missing = tmp_path / "missing.csv"
        await reconcile(pilot, str(missing))
        assert view.result is None and str(missing) in str(status.content)
        # A file that is not the platform's refund export: the error names the file.
        bad = tmp_path / "bad.csv"
        bad.write_text("退款编号,退款金额,退款状态\n1865,abc,退款成功\n", encoding="utf-8")
        await reconcile(pilot, str(bad))
        assert view.result is None and "bad.csv" in str(status.content)
        assert status.has_class("-bad")


# -- snapshots --------------------------------------------------------------------------------


async def no_blink(pilot: Pilot[None]) -> None:
    """Workers done, messages handled, and no blinking cursor in any field (the frame would
    otherwise depend on the moment it is taken)."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await settle(pilot)


def test_snapshot_waybill_received_zh_120x36(snap_compare, shop_file: Path,
                                             tmp_path: Path) -> None:
    path = tmp_path / "snap.db"
    shutil.copy(shop_file, path)

    async def run_before(pilot: Pilot[None]) -> None:
        await open_inspection(pilot)
        await scan(pilot, WAYBILL)
        await no_blink(pilot)

    app = make_app(str(path), "warehouse", "zh", refresh_seconds=0)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_reconcile_zh_120x36(snap_compare, shop_file: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "snap.db"
    shutil.copy(shop_file, path)
    # The file is named from the samples' folder, so the frame is the same on any machine.
    monkeypatch.chdir(SAMPLES)

    async def run_before(pilot: Pilot[None]) -> None:
        await open_reconcile(pilot)
        await reconcile(pilot, "taobao_refunds.csv")
        pilot.app.screen.query_one("#rec-table", DataTable).focus()
        await no_blink(pilot)

    app = make_app(str(path), "finance", "zh", refresh_seconds=0)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
