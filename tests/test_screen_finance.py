"""The finance screen: Pilot tests by keyboard that assert the database afterwards, and
snapshots at 120x36 (zh, en) of the trial balance and the daily close."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pilot import settle, snapshot_app
from sqlmodel import select
from test_reads_finance import seed_books
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from rma_tui import i18n
from rma_tui.app import RmaApp, make_app
from rma_tui.screens.dialogs import ConfirmDialog
from rma_tui.screens.finance import TABS, FinanceScreen
from rma_tui.store.db import Database
from rma_tui.store.models import DailyClose
from rma_tui.widgets.message_line import MessageLine

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")

# The screen's "today" in these tests: the books' last day.
TODAY = date(2026, 12, 1)


async def open_finance(pilot: Pilot[None], today: date = TODAY) -> FinanceScreen:
    """Wait for the session, then show the finance screen and wait for its data."""
    await settle(pilot)
    screen = FinanceScreen(today=today)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert screen.loaded
    return screen


async def to_tab(pilot: Pilot[None], screen: FinanceScreen, tab: str) -> None:
    """Walk the tab bar by keyboard (left/right on the focused tabs) to `tab`."""
    tabs = screen.query_one("#fin-tabs", TabbedContent)
    screen.query_one("ContentTabs").focus()
    await pilot.pause()
    order = list(TABS)
    steps = order.index(tab) - order.index(screen.tab)
    for _ in range(abs(steps)):
        await pilot.press("right" if steps > 0 else "left")
    await settle(pilot)
    assert tabs.active == f"fin-{tab}"


def closes(db: Database) -> list[DailyClose]:
    """The daily close rows (detached copies)."""
    with db.read() as s:
        return [DailyClose.model_validate(c) for c in s.exec(select(DailyClose)).all()]


def cells(screen: FinanceScreen, tab: str) -> list[list[str]]:
    """The plain texts of a tab's table, row by row."""
    table = screen.query_one(f"#fin-{tab}-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def static_text(screen: FinanceScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.fixture
def books(db: Database) -> dict[str, str]:
    return seed_books(db)


async def test_key_8_opens_the_finance_screen(db: Database, books: dict[str, str]) -> None:
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FinanceScreen)
        assert screen.loaded and screen.tab == "refunds"
        assert screen.day == date.today()


async def test_finance_closes_a_day_by_keyboard(db: Database, books: dict[str, str]) -> None:
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_finance(pilot)
        await to_tab(pilot, screen, "close")
        assert screen.day == TODAY
        # Back one day at a time to 11-21 (R1's refund day).
        for _ in range(10):
            await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.day == date(2026, 11, 21)
        assert "未日结" in static_text(screen, "#fin-close-status")
        assert ["退款", "储值/店铺余额", "1", "¥18.00"] in cells(screen, "close")
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        rows = closes(db)
        assert [(c.day, c.closed_by, c.entries, c.debit_fen, c.credit_fen) for c in rows] == [
            ("2026-11-21", "finance", 2, 2600, 2600)]
        assert "已日结 · finance" in static_text(screen, "#fin-close-status")
        # Closing it again: refused, still one row.
        await pilot.press("c")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "已日结" in str(screen.query_one(MessageLine).render())
        assert len(closes(db)) == 1


async def test_cancelling_the_close_writes_nothing(db: Database, books: dict[str, str]) -> None:
    app = make_app(db.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_finance(pilot, today=date(2026, 11, 21))
        await to_tab(pilot, screen, "close")
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert closes(db) == []
        # The day cannot go past today.
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.day == date(2026, 11, 21)


async def test_clerk_cannot_close_a_day(db: Database, books: dict[str, str]) -> None:
    app = make_app(db.url, "clerk", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_finance(pilot, today=date(2026, 11, 21))
        await to_tab(pilot, screen, "close")
        await pilot.press("c")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "无权" in str(screen.query_one(MessageLine).render())
        assert closes(db) == []


async def test_trial_balance_and_income_tabs(db: Database, books: dict[str, str]) -> None:
    app = make_app(db.url, "finance", "en", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_finance(pilot)
        await to_tab(pilot, screen, "trial")
        assert static_text(screen, "#fin-trial-status").startswith("✓ Balanced")
        assert cells(screen, "trial")[-1][:3] == ["Total ✓", "¥1188.00", "¥1188.00"]
        # As of the day before the exchanges.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert cells(screen, "trial")[-1][:3] == ["Total ✓", "¥762.00", "¥762.00"]
        await to_tab(pilot, screen, "income")
        rows = cells(screen, "income")
        assert rows[0][:6] == ["2026-11", "¥230.00", "¥36.00", "¥194.00", "¥84.00", "¥110.00"]
        assert rows[-1][0] == "Total"


async def test_journal_pages_and_kind_filter(db: Database, books: dict[str, str]) -> None:
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_finance(pilot)
        await to_tab(pilot, screen, "journal")
        first = cells(screen, "journal")
        assert first[0][1] == "换货"  # the newest entry first
        # Kinds cycle: all -> exchange -> purchase.
        await pilot.press("k")
        await settle(pilot)
        assert screen.kind == "exchange"
        await pilot.press("k")
        await settle(pilot)
        assert screen.kind == "purchase"
        kinds = {row[1] for row in cells(screen, "journal") if row[1]}
        assert kinds == {"进货"}
        # One page only: next page does nothing.
        await pilot.press("n")
        await settle(pilot)
        assert screen.page == 0


async def test_other_tabs_show_their_figures(db: Database, books: dict[str, str]) -> None:
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_finance(pilot)
        assert ["2026-11-22", "冲减应收", "1", "¥18.00"] in cells(screen, "refunds")
        await to_tab(pilot, screen, "exchanges")
        assert cells(screen, "exchanges")[0] == ["2026-12-01", "2", "¥132.00", "¥120.00",
                                                 "¥12.00"]
        await to_tab(pilot, screen, "credit")
        assert "✓" in static_text(screen, "#fin-credit-status")
        assert cells(screen, "credit") == [["张三", "138****0001", "¥18.00"]]
        await to_tab(pilot, screen, "receivable")
        assert cells(screen, "receivable")[0][2] == books["r2"]
        await pilot.press("l")  # to English: the tabs and tables are drawn again
        await settle(pilot)
        tabs = screen.query_one("#fin-tabs", TabbedContent)
        assert str(tabs.get_tab("fin-receivable").label) == i18n.t("fin_tab_receivable", "en")
        assert cells(screen, "receivable")[0][1] == "Refund"


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, lambda d: seed_books(d, close=True), "finance", lang)


def _show(tab: str) -> object:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_finance(pilot, today=date(2026, 11, 21))
        await to_tab(pilot, screen, tab)
        screen.query_one(f"#fin-{tab}-table", DataTable).focus()
        await settle(pilot)

    return run_before


def test_snapshot_trial_balance_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_show("trial"))


def test_snapshot_trial_balance_en_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(120, 36),
                        run_before=_show("trial"))


def test_snapshot_daily_close_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_show("close"))


def test_snapshot_daily_close_en_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(120, 36),
                        run_before=_show("close"))
