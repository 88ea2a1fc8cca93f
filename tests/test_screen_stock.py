"""The stock screen (key 6): Pilot tests by keyboard that assert stock levels, moves and the
journal afterwards (and that refused input writes nothing); the home screen's low-stock
banner; snapshots at 120x36 in Chinese and English, one with the ledger open, one 80x24."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle, snapshot_app
from slip_flow import stock_of
from sqlmodel import col, func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.screens.stock import StockScreen
from rma_tui.store.db import Database
from rma_tui.store.models import JournalEntry, Posting, StockMove, SupplierReturn
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.stock_form import StockFormDialog
from rma_tui.widgets.stock_suppliers import SupplierReturnsDialog

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def seed(db: Database) -> None:
    """The conftest shop (P1 cable: sellable 7, reorder 3; P2 earphones: sellable 4,
    reorder 2) plus, at fixed times: 2 defective earphones found by a count, and P3, a
    charger from 深圳声悦电子 with 1 on the shelf (reorder 5: low) and 3 defective."""
    make_shop(db, now=NOW)
    at = iter(NOW + timedelta(minutes=m) for m in range(1, 100))
    sv.set_setting(db, "owner", "shop_name", "小米数码（测试店）", now=next(at))
    sv.adjust_stock(db, "warehouse", "P2", "defective", 2, "盘点发现", now=next(at))
    sv.add_products(db, "owner", [sv.ProductInput(
        "P3", "20W 快充充电头", 5000, 2500, category="充电器", supplier="深圳声悦电子",
        reorder_point=5)], now=next(at))
    sv.receive_purchase(db, "owner", "P3", 1, now=next(at))
    sv.adjust_stock(db, "owner", "P3", "defective", 3, "仓库角落找到", now=next(at))


@pytest.fixture
def seeded(db: Database) -> Database:
    seed(db)
    return db


async def open_stock(pilot: Pilot[None]) -> StockScreen:
    """Wait for the session, press 6, wait for the list."""
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StockScreen) and screen.loaded
    return screen


async def highlight(pilot: Pilot[None], screen: StockScreen, sku: str) -> None:
    """Move the cursor to the product `sku` by keyboard."""
    screen.query_one("#stock-table", DataTable).focus()
    await pilot.press("ctrl+home")
    for _ in range([i.sku for i in screen.items].index(sku)):
        await pilot.press("down")
    await settle(pilot)
    item = screen.current_item()
    assert item is not None and item.sku == sku


async def fill(pilot: Pilot[None], focus: str | None = None, **values: str
               ) -> StockFormDialog:
    """Set the open dialog's fields (directly: key presses are slow) and press Enter (in
    the field `focus`, when the focused one is a Select, which Enter would open)."""
    dialog = pilot.app.screen
    assert isinstance(dialog, StockFormDialog)
    for name, value in values.items():
        widget = dialog.query_one(f"#field-{name}")
        assert isinstance(widget, Input | Select)
        widget.value = value
    await pilot.pause()
    if focus is not None:
        dialog.query_one(f"#field-{focus}", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    return dialog


def moves(db: Database) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(StockMove)).one())


def last_entry(db: Database, kind: str) -> list[tuple[str, int, int]]:
    """The postings of the newest journal entry of `kind`: (account, debit, credit)."""
    with db.read() as s:
        entry = s.exec(select(JournalEntry).where(JournalEntry.kind == kind)
                       .order_by(col(JournalEntry.id).desc())).first()
        assert entry is not None
        return sorted((p.account_code, p.debit_fen, p.credit_fen) for p in s.exec(
            select(Posting).where(Posting.entry_id == entry.id)).all())


def table_skus(screen: StockScreen) -> list[str]:
    table = screen.query_one("#stock-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def said(screen: StockScreen) -> str:
    return str(screen.query_one(MessageLine).render())


# -- Pilot tests ----------------------------------------------------------------------------


async def test_list_marks_low_rows_and_filters(seeded: Database) -> None:
    app = make_app(seeded.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        assert table_skus(screen) == ["P1", "P2", "P3"]
        table = screen.query_one("#stock-table", DataTable)
        assert str(table.get_row_at(2)[1]) == "▼ 低"      # P3: 1 <= 5, marked in words
        assert str(table.get_row_at(0)[1]) == ""
        await pilot.press("o")                              # low only
        await settle(pilot)
        assert table_skus(screen) == ["P3"]
        await pilot.press("o", "d")                         # all again, then defective only
        await settle(pilot)
        assert table_skus(screen) == ["P2", "P3"]
        await pilot.press("d")
        await pilot.press("slash")                          # search: type to filter
        assert isinstance(app.focused, Input)
        await pilot.press(*"cable")
        await settle(pilot)
        assert table_skus(screen) == []
        screen.query_one("#stock-search", Input).value = "耳机"
        await settle(pilot)
        assert table_skus(screen) == ["P2"]
        await pilot.press("escape")
        assert app.focused is table


async def test_purchase_by_warehouse(seeded: Database) -> None:
    app = make_app(seeded.url, "warehouse", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        await highlight(pilot, screen, "P1")
        await pilot.press("p")
        await settle(pilot)
        # A quantity that is not a number: refused in the dialog, nothing written.
        before = moves(seeded)
        dialog = await fill(pilot, qty="五", unit_cost="7.50")
        assert app.screen is dialog
        assert dialog.query_one("#error-qty", Static).display
        assert moves(seeded) == before and stock_of(seeded, "P1").sellable == 7
        await fill(pilot, qty="5", unit_cost="7.50", note="第 12 批")
        assert app.screen is screen
        assert stock_of(seeded, "P1").sellable == 12
        assert last_entry(seeded, "purchase") == [(sv.INVENTORY, 3750, 0),
                                                  (sv.PAYABLE, 0, 3750)]
        assert "已进货 P1 × 5" in said(screen)
        assert screen.items[0].sellable == 12  # the list was read again


async def test_adjustment_needs_a_reason(seeded: Database) -> None:
    app = make_app(seeded.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        await highlight(pilot, screen, "P1")
        await pilot.press("a")
        await settle(pilot)
        before = moves(seeded)
        dialog = await fill(pilot, location="sellable", qty="-2", reason="")
        assert app.screen is dialog                        # no reason: refused, stays open
        assert dialog.query_one("#error-reason", Static).display
        assert "reason" in str(dialog.query_one("#error-reason", Static).render())
        assert moves(seeded) == before and stock_of(seeded, "P1").sellable == 7
        dialog = await fill(pilot, qty="0", reason="盘点")
        assert app.screen is dialog and dialog.query_one("#error-qty", Static).display
        assert moves(seeded) == before
        await fill(pilot, qty="-2", reason="盘点少 2 件")
        assert app.screen is screen
        assert stock_of(seeded, "P1").sellable == 5
        with seeded.read() as s:
            move = s.exec(select(StockMove).order_by(col(StockMove.id).desc())).first()
            assert move is not None
            assert (move.kind, move.location, move.qty, move.note, move.user) == (
                "adjust", "sellable", -2, "盘点少 2 件", "owner")
        # 2 x 8.00 written off against inventory.
        assert last_entry(seeded, "stock_adjust") == [(sv.INVENTORY, 0, 1600),
                                                      (sv.WRITE_OFF, 1600, 0)]


async def test_repair_and_ledger(seeded: Database) -> None:
    app = make_app(seeded.url, "warehouse", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        await highlight(pilot, screen, "P2")
        await pilot.press("f")
        await settle(pilot)
        await fill(pilot, qty="1", note="换了电池")
        row = stock_of(seeded, "P2")
        assert (row.sellable, row.defective) == (5, 1)
        # The defective value (60.00 a unit) goes back to inventory.
        assert last_entry(seeded, "defective_repair") == [(sv.INVENTORY, 6000, 0),
                                                          (sv.DEFECTIVE, 0, 6000)]
        await pilot.press("enter")                          # the ledger
        await settle(pilot)
        assert screen.has_class("-ledger") and screen.ledger_sku == "P2"
        kinds = [(r.kind, r.location, r.qty) for r in screen.ledger_rows[:2]]
        assert sorted(kinds) == [("repair", "defective", -1), ("repair", "sellable", 1)]
        assert screen.query_one("#stock-ledger", DataTable).row_count == len(
            screen.ledger_rows)
        await pilot.press("up")                             # the ledger follows the cursor
        await settle(pilot)
        assert screen.ledger_sku == "P1"
        assert [r.kind for r in screen.ledger_rows] == ["sale", "purchase"]
        await pilot.press("escape")
        assert not screen.has_class("-ledger")


async def test_supplier_return(seeded: Database) -> None:
    app = make_app(seeded.url, "warehouse", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        await highlight(pilot, screen, "P3")
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StockFormDialog)
        # The supplier comes from the product; the quantity offered is all defective units.
        assert dialog.query_one("#field-supplier", Input).value == "深圳声悦电子"
        assert dialog.query_one("#field-qty", Input).value == "3"
        before = moves(seeded)
        await fill(pilot, qty="4")                          # only 3 defective
        assert app.screen is dialog and dialog.query_one("#error-qty", Static).display
        await fill(pilot, qty="2", credit="12.345")         # fen at most
        assert app.screen is dialog and dialog.query_one("#error-credit", Static).display
        assert moves(seeded) == before
        await fill(pilot, qty="2", credit="40", note="外壳开裂")
        assert app.screen is screen
        with seeded.read() as s:
            ret = s.exec(select(SupplierReturn)).one()
            number = ret.number
            assert (ret.supplier, ret.qty, ret.expected_credit_fen, ret.note) == (
                "深圳声悦电子", 2, 4000, "外壳开裂")
        assert number.startswith("GT-")
        assert number in said(screen)
        assert stock_of(seeded, "P3").defective == 1
        # Carried at 25.00 x 2 = 50.00; 40.00 expected back, 10.00 written off.
        assert last_entry(seeded, "supplier_return") == [
            (sv.DEFECTIVE, 0, 5000), (sv.PAYABLE, 4000, 0), (sv.WRITE_OFF, 1000, 0)]
        await pilot.press("v")                              # per supplier
        await settle(pilot)
        view = app.screen
        assert isinstance(view, SupplierReturnsDialog)
        assert [(r.supplier, r.returns, r.units, r.expected_credit_fen)
                for r in view.suppliers] == [("深圳声悦电子", 1, 2, 4000)]
        assert [r.number for r in view.returns] == [number]
        assert view.query_one("#supplier-return-list", DataTable).row_count == 1
        await pilot.press("escape")
        assert app.screen is screen


async def test_clerk_may_look_but_not_write(seeded: Database) -> None:
    app = make_app(seeded.url, "clerk", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        before = moves(seeded)
        for key in ("p", "a", "t", "f", "s", "b"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen                     # no dialog opened
        assert "clerk" in said(screen) and "无权" in said(screen)
        assert moves(seeded) == before
        await pilot.press("enter")                          # looking is fine
        await settle(pilot)
        assert screen.ledger_rows


async def test_reorder_point_and_scrap(seeded: Database) -> None:
    app = make_app(seeded.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        await highlight(pilot, screen, "P1")
        await pilot.press("t")
        await settle(pilot)
        await fill(pilot, reorder_point="-1")
        assert isinstance(app.screen, StockFormDialog)      # refused
        await fill(pilot, reorder_point="7")
        assert stock_of(seeded, "P1").reorder_point == 7
        assert [a.sku for a in sv.alerts(seeded)] == ["P3", "P1"]  # 7 <= 7: low at once
        assert screen.items[0].low
        await highlight(pilot, screen, "P3")
        await pilot.press("s")
        await settle(pilot)
        await fill(pilot, qty="1")
        assert stock_of(seeded, "P3").defective == 2 and stock_of(seeded, "P3").scrap == 1
        assert "Scrapped P3 x 1" in said(screen)


async def test_banner_shows_low_stock_until_restocked(seeded: Database) -> None:
    app = make_app(seeded.url, "warehouse", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        banner = app.screen.query_one("#home-banner", Static)
        assert banner.display
        assert str(banner.render()) == "低库存 1 种（按 6 查看库存）：P3"
        # Restocked in the stock screen, then back home: the banner has gone.
        screen = await open_stock(pilot)
        await highlight(pilot, screen, "P3")
        await pilot.press("p")
        await settle(pilot)
        await fill(pilot, qty="10")
        assert stock_of(seeded, "P3").sellable == 11
        await pilot.press("1")
        await settle(pilot)
        banner = app.screen.query_one("#home-banner", Static)
        assert not banner.display
        # Low again (sold elsewhere, then a refresh): it is back, in English too.
        sv.adjust_stock(seeded, "owner", "P3", "sellable", -10, "损坏")
        await pilot.press("l")
        await settle(pilot)
        assert banner.display
        assert str(banner.render()) == "Low stock (1, press 6 for stock): P3"


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, seed, "owner", lang)


async def _show_stock(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)


async def _show_ledger(pilot: Pilot[None]) -> None:
    await _show_stock(pilot)
    await pilot.press("down", "enter")
    await settle(pilot)


def test_snapshot_stock_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_show_stock)


def test_snapshot_stock_en_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(120, 36),
                        run_before=_show_stock)


def test_snapshot_stock_ledger_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_show_ledger)


def test_snapshot_stock_ledger_en_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(80, 24),
                        run_before=_show_ledger)


def test_language_resets() -> None:
    # The fixture puts the language back after each test (snapshots above switch it).
    assert i18n.get_lang() == "zh"
