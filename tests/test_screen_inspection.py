"""The inspection screen (key 4): receive approved slips, grade received ones.

Pilot tests drive it by keyboard on a seeded database and assert the database afterwards;
snapshots at 120x36 (zh, en) and 80x24.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW
from pilot import settle, snapshot_app
from slip_flow import bring, clock, seed_inspection, stock_of
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.screens.inspection import PAGE, InspectionScreen
from rma_tui.store.db import Database
from rma_tui.widgets.grade_form import GradeForm
from rma_tui.widgets.slip_queue import SlipQueue

SIZE = (120, 36)


# Times show in the shop's zone whatever the machine's; the language is reset after.
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, str]]:
    """The shop with two approved slips and one received slip (two cables)."""
    return db, seed_inspection(db)


async def open_inspection(pilot: Pilot[None]) -> InspectionScreen:
    """Key 4 from the home screen, then wait for the lists."""
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InspectionScreen)
    return screen


def message(app: RmaApp) -> str:
    """The screen's message line."""
    return str(app.screen.query_one("#insp-message", Static).content)


def queue_numbers(app: RmaApp, kind: str) -> list[str]:
    """The slip numbers a queue shows, in order."""
    return [s.number for s in app.screen.query_one(f"#queue-{kind}", SlipQueue).rows]


async def test_receive_moves_goods_into_pending(seeded) -> None:
    db, slips = seeded
    before = stock_of(db, "P1")
    app = make_app(db.url, "warehouse", "zh", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_inspection(pilot)
        assert queue_numbers(app, "approved") == [slips["approved"], slips["exchange"]]
        assert queue_numbers(app, "received") == [slips["received"]]
        await pilot.press("g")  # the confirmation opens on the highlighted (first) slip
        await pilot.pause()
        await pilot.press("enter")  # confirm
        await settle(pilot)
        assert sv.get_slip(db, slips["approved"]).status == "received"
        after = stock_of(db, "P1")
        assert after.pending == before.pending + 1
        assert after.sellable == before.sellable
        assert message(app) == i18n.t("insp_received", "zh", slip=slips["approved"], qty=1)
        assert queue_numbers(app, "approved") == [slips["exchange"]]
        assert queue_numbers(app, "received") == [slips["approved"], slips["received"]]  # by id
    assert sv.verify(db).ok


async def test_cancelled_confirmation_changes_nothing(seeded) -> None:
    db, slips = seeded
    before = (sv.get_slip(db, slips["approved"]), sv.stock(db))
    app = make_app(db.url, "warehouse", "en", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_inspection(pilot)
        await pilot.press("enter")  # Enter on the list asks too
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert message(app) == i18n.t("cb_cancelled", "en")
    assert (sv.get_slip(db, slips["approved"]), sv.stock(db)) == before


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x36", "80x24"])
async def test_grading_one_resellable_one_defective(seeded, size: tuple[int, int]) -> None:
    db, slips = seeded
    before = stock_of(db, "P1")
    app = make_app(db.url, "warehouse", "zh", refresh_seconds=0)
    async with app.run_test(size=size) as pilot:
        screen = await open_inspection(pilot)
        await pilot.press("tab")  # to the received list: its slip's form appears
        await settle(pilot)
        form = screen.query_one(GradeForm)
        assert form.number == slips["received"]
        await pilot.press("enter")  # into the form: the first count (2, all resellable)
        assert isinstance(app.focused, Input) and app.focused.value == "2"
        await pilot.press("1", "tab", "1", "tab", "0", "tab")
        app.focused.value = "外壳裂"  # the note (typing it would cost a key press a char)
        await pilot.press("enter")
        await settle(pilot)
        view = sv.get_slip(db, slips["received"])
        assert view.status == "inspected"
        assert view.lines[0].grade == (1, 1, 0)
        assert message(app) == i18n.t("insp_inspected", "zh", slip=slips["received"],
                                      resellable=1, defective=1, scrap=0)
        assert queue_numbers(app, "received") == []
    after = stock_of(db, "P1")
    assert (after.pending, after.sellable, after.defective, after.scrap) == (
        before.pending - 2, before.sellable + 1, before.defective + 1, before.scrap)
    assert sv.verify(db).ok


async def test_wrong_totals_save_nothing(seeded) -> None:
    db, slips = seeded
    before = (sv.get_slip(db, slips["received"]), sv.stock(db), sv.account_balances(db))
    app = make_app(db.url, "warehouse", "en", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspection(pilot)
        await pilot.press("tab")
        await settle(pilot)
        await pilot.press("enter", "tab", "1")  # 2 resellable + 1 defective = 3 of 2
        row = screen.query_one(GradeForm).rows[0]
        assert str(row.query_one(".grade-total", Static).content) == i18n.t(
            "insp_total", "en", total=3, qty=2)
        assert row.query_one(".grade-total").has_class("-off")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(row.query_one(".grade-error", Static).content)
        assert error == i18n.t("grade_sum", "en", sku="P1", qty=2, total=3, field="grades")
        assert row.query_one(".grade-error").display
        # Not a number at all: said next to the line, the service is not even asked.
        row.query_one("#grade-0-scrap", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(row.query_one(".grade-error", Static).content) == i18n.t(
            "insp_bad_number", "en", value="—", field=i18n.label("grade", "scrap", "en"))
    assert (sv.get_slip(db, slips["received"]), sv.stock(db), sv.account_balances(db)) == before


async def test_wrong_role_is_told_and_nothing_changes(seeded) -> None:
    db, slips = seeded
    before = (sv.get_slip(db, slips["approved"]), sv.stock(db))
    app = make_app(db.url, "clerk", "zh", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspection(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert app.screen is screen  # no confirmation for what would be refused
        assert message(app) == i18n.t("role_denied", "zh", user="clerk", role="clerk",
                                      allowed="warehouse, owner", field="user")
        await pilot.press("tab")
        await settle(pilot)
        await pilot.press("enter", "enter")  # into the form, submit
        await settle(pilot)
        assert "clerk" in message(app)
    assert (sv.get_slip(db, slips["approved"]), sv.stock(db)) == before
    assert sv.get_slip(db, slips["received"]).status == "received"


async def test_lists_page_and_refresh_keeps_the_cursor(db: Database) -> None:
    seed_inspection(db)
    at = clock(NOW + timedelta(hours=1))
    sv.receive_purchase(db, "owner", "P1", 100, now=next(at))
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-9", "store", NOW, [sv.SaleLineInput("P1", 100, 1800)],
        customer_phone="13800000001", payment_method="cash")], now=next(at))
    for _ in range(PAGE + 10):
        slip = sv.create_slip(db, "clerk", "SO-9", "return", [sv.LineInput("P1", 1, "quality")],
                              now=next(at))
        bring(db, slip.number, "approved", at)
    total = PAGE + 12
    app = make_app(db.url, "warehouse", "en", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspection(pilot)
        queue = screen.query_one("#queue-approved", SlipQueue)
        assert len(queue.rows) == PAGE and queue.more  # one page, not the whole table
        assert (queue.border_title or "").endswith(f"({PAGE}+)")
        await pilot.press("ctrl+end")  # the last row asks for the next page
        await settle(pilot)
        assert len(queue.rows) == total and not queue.more
        assert queue_numbers(app, "approved") == [
            s.number for s in sv.list_slips(db, "approved", limit=500, oldest_first=True)]
        table = queue.query_one(DataTable)
        table.move_cursor(row=5)
        await settle(pilot)
        kept = queue.number
        # Another terminal receives the first two slips; the refresh keeps the cursor on
        # the same slip, which is now two rows higher.
        for number in queue_numbers(app, "approved")[:2]:
            sv.receive_slip(db, "warehouse", number, now=next(at))
        await pilot.press("r")
        await settle(pilot)
        assert queue.number == kept and table.cursor_row == 3
        assert len(queue.rows) == total - 2


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, seed_inspection, "warehouse", lang)


async def _open(pilot: Pilot[None]) -> None:
    await open_inspection(pilot)


async def _open_grading(pilot: Pilot[None]) -> None:
    await open_inspection(pilot)
    await pilot.press("tab")
    await settle(pilot)


def test_snapshot_inspection_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_open)


def test_snapshot_inspection_grading_en_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(120, 36),
                        run_before=_open_grading)


def test_snapshot_inspection_grading_zh_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(80, 24),
                        run_before=_open_grading)
