"""The customers screen: Pilot tests by keyboard that assert the database afterwards, and
snapshots at 120x36 (zh, en) and 80x24 with a profile open."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle, snapshot_app
from slip_flow import bring, clock
from test_cli_customers import follow_ups
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TabbedContent

from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.screens.customers import CustomersScreen
from rma_tui.screens.dialogs import TextPromptDialog
from rma_tui.screens.slip_detail import SlipDetailScreen
from rma_tui.store.db import Database
from rma_tui.widgets.customer_follow_up import FollowUpDialog
from rma_tui.widgets.message_line import MessageLine

PHONE = "13800000001"
# The screen's clock: two days after the shop's "now", so the follow-up opened by the low
# feedback (due a day after it) is one day overdue.
SCREEN_NOW = NOW + timedelta(days=2)

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def seed(db: Database) -> str:
    """The conftest shop (张三 bought 3 x 18.00 + 140.00 = 194.00) plus: a return of one
    cable settled to store credit (18.00), feedback ★2 (opens a follow-up), and a second
    customer 李四 with no history. Returns the slip number."""
    make_shop(db, now=NOW)
    at = clock()
    sv.set_setting(db, "owner", "shop_name", "小米数码（测试店）", now=next(at))
    sv.add_customers(db, "owner", [sv.CustomerInput("李四", "13900000002", "online")],
                     now=next(at))
    slip = sv.create_slip(db, "clerk", "SO-1", "return",
                          [sv.LineInput("P1", 1, "quality", "插头松动")], now=next(at))
    bring(db, slip.number, "settled", at, method="credit")
    sv.add_feedback(db, "clerk", slip.number, 2, "等太久", now=next(at))
    return slip.number


@pytest.fixture
def seeded(db: Database) -> tuple[Database, str]:
    """The `db` fixture with `seed` applied, and the slip number."""
    return db, seed(db)


async def open_customers(pilot: Pilot[None]) -> CustomersScreen:
    """Wait for the session, then show the customers screen at the fixed clock."""
    await settle(pilot)
    screen = CustomersScreen(now=SCREEN_NOW)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def find(pilot: Pilot[None], text: str) -> None:
    """Type `text` into the (emptied) search field and press Enter."""
    field = pilot.app.screen.query_one("#cust-search", Input)
    if pilot.app.focused is not field:
        await pilot.press("slash")
    assert pilot.app.focused is field
    field.value = ""
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


def message(screen: CustomersScreen) -> str:
    """The message line's text."""
    return str(screen.query_one(MessageLine).render())


def app_for(db: Database, user: str, lang: str = "zh") -> RmaApp:
    """The app on the fixture database as `user`, without the timed refresh."""
    return make_app(db.url, user, lang, refresh_seconds=0)


# -- Pilot tests ----------------------------------------------------------------------------


async def test_phone_enter_profile(seeded: tuple[Database, str]) -> None:
    db, number = seeded
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        assert app.focused is screen.query_one("#cust-search", Input)
        await find(pilot, PHONE)
        p = screen.profile
        assert p is not None and p.phone == PHONE
        # 3 x 18.00 + 140.00 = 194.00 bought, 1 x 18.00 back: 18 / 194 = 9.3 %.
        assert (p.purchased_fen, p.returned_fen) == (19400, 1800)
        summary = str(screen.query_one("#cust-summary", Static).render())
        assert "¥194.00" in summary and "¥18.00" in summary and "9.3%" in summary
        assert "储值余额 ¥18.00" in summary and "待办回访 1" in summary
        assert screen.row_keys("cust-slips") == [number]
        assert screen.row_keys("cust-purchases") == ["SO-1"]
        assert screen.row_keys("cust-feedback") == [number]
        assert screen.row_keys("cust-credit") == ["11-20 18:07"]
        # The results list has the keyboard: the clerk moves on from there.
        assert app.focused is screen.query_one("#cust-results", DataTable)


async def test_search_by_name_lists_and_switches(seeded: tuple[Database, str]) -> None:
    db, _ = seeded
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        await find(pilot, "李")
        assert screen.row_keys("cust-results") == ["李四"]
        assert screen.profile is not None and screen.profile.phone == "13900000002"
        assert screen.profile.return_rate is None  # nothing bought: no rate
        assert "退货率 —" in str(screen.query_one("#cust-summary", Static).render())
        # A language switch redraws both lists; the customer on show stays.
        await pilot.press("l")
        await settle(pilot)
        assert screen.profile.phone == "13900000002"
        assert "Return rate —" in str(screen.query_one("#cust-summary", Static).render())
        await pilot.press("l")
        await find(pilot, "没有这个人")
        assert "没有找到「没有这个人」的客户" in message(screen)


async def test_repeat_returner_flag_at_the_top(seeded: tuple[Database, str]) -> None:
    db, _ = seeded
    at = clock(NOW + timedelta(hours=1))
    for sku in ("P1", "P2"):  # two more slips: three within the year (the threshold)
        sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput(sku, 1, "size")],
                       now=next(at))
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        await find(pilot, PHONE)
        assert screen.profile is not None and screen.profile.repeat_returner
        summary = str(screen.query_one("#cust-summary", Static).render())
        assert "多次退货：一年内 3 张单据（阈值 3）" in summary
        # Drafts count as returned value too: 18.00 + 18.00 + 140.00 of 194.00.
        assert "退回 ¥176.00（3 张单据）" in summary and "退货率 90.7%" in summary


async def test_enter_on_slip_opens_it(seeded: tuple[Database, str]) -> None:
    db, number = seeded
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        await find(pilot, PHONE)
        screen.query_one("#cust-slips", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SlipDetailScreen)
        assert app.screen.number == number
        await pilot.press("escape")
        assert app.screen is screen


async def test_add_follow_up_by_keyboard(seeded: tuple[Database, str]) -> None:
    db, number = seeded
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        await find(pilot, PHONE)
        before = len(follow_ups(db))
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, FollowUpDialog)
        # Tomorrow by the screen's clock (Shanghai): 11-22 18:00 -> 11-23.
        assert dialog.query_one("#fu-due", Input).value == "2026-11-23"
        dialog.query_one("#fu-note", Input).value = "问问新线好不好用"
        await pilot.press("enter", "enter")  # note -> due -> slip
        assert app.focused is dialog.query_one("#fu-slip", Input)
        dialog.query_one("#fu-slip", Input).value = number
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        rows = follow_ups(db)
        assert len(rows) == before + 1
        row = rows[-1]
        assert (row.note, row.created_by, row.auto, row.done_at) == (
            "问问新线好不好用", "clerk", False, None)
        # Due from the start of 2026-11-23 in Shanghai = 11-22 16:00 UTC.
        assert sv.as_utc(row.due_at) == sv.as_utc(NOW.replace(day=22, hour=16))
        assert screen.profile is not None and screen.profile.open_follow_ups == 2
        assert "#2" in message(screen)
        assert screen.query_one("#cust-tabs", TabbedContent).active == "cust-tab-follow"


async def test_bad_follow_up_input_writes_nothing(seeded: tuple[Database, str]) -> None:
    db, _ = seeded
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_customers(pilot)
        await find(pilot, PHONE)
        before = len(follow_ups(db))
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, FollowUpDialog)
        note_error = dialog.query_one("#fu-note-error", Static)
        due_error = dialog.query_one("#fu-due-error", Static)
        slip_error = dialog.query_one("#fu-slip-error", Static)
        # No note, a month 13: both said next to their fields; the dialog stays.
        dialog.query_one("#fu-due", Input).value = "2026-13-01"
        dialog.query_one("#dialog-ok").press()
        await settle(pilot)
        assert app.screen is dialog
        assert note_error.display and "必填" in str(note_error.render())
        assert due_error.display and "2026-13-01" in str(due_error.render())
        # A day before today (the screen's clock says 11-22).
        dialog.query_one("#fu-note", Input).value = "回访"
        dialog.query_one("#fu-due", Input).value = "2026-11-21"
        dialog.query_one("#dialog-ok").press()
        await settle(pilot)
        assert app.screen is dialog and not note_error.display
        assert "早于今天" in str(due_error.render())
        # A slip that does not exist: the service refuses, said under the slip field.
        dialog.query_one("#fu-due", Input).value = "2026-11-25"
        dialog.query_one("#fu-slip", Input).value = "TH-20990101-0001"
        dialog.query_one("#dialog-ok").press()
        await settle(pilot)
        assert app.screen is dialog and not due_error.display
        assert slip_error.display and "TH-20990101-0001" in str(slip_error.render())
        await pilot.press("escape")
        await settle(pilot)
        assert len(follow_ups(db)) == before


async def test_call_back_list_and_mark_done(seeded: tuple[Database, str]) -> None:
    db, number = seeded
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        # The list shows what is due before any search; Escape leaves the search field.
        assert screen.has_class("-callback")
        await pilot.press("escape")
        assert app.focused is screen.query_one("#cust-callback", DataTable)
        await settle(pilot)
        # The ★2 feedback's follow-up, due a day after it, is one day overdue now.
        assert [f.slip for f in screen.call_back] == [number]
        assert screen.row_keys("cust-callback") == ["11-21 逾期 1 天"]
        assert screen.profile is not None and screen.profile.phone == PHONE
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, TextPromptDialog)
        dialog.query_one("#dialog-input", Input).value = "已致电，顾客满意"
        await pilot.press("enter")
        await settle(pilot)
        row = follow_ups(db)[0]
        assert row.done_at is not None and sv.as_utc(row.done_at) == SCREEN_NOW
        assert (row.done_by, row.outcome) == ("clerk", "已致电，顾客满意")
        assert screen.call_back == []
        assert "没有到期的回访" in str(screen.query_one("#cust-left-note", Static).render())
        # Nothing open is left: d says so and writes nothing.
        await pilot.press("d")
        assert app.screen is screen
        assert "未完成的回访" in message(screen)


async def test_warehouse_may_not_note_follow_ups(seeded: tuple[Database, str]) -> None:
    db, _ = seeded
    app = app_for(db, "warehouse")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        await find(pilot, PHONE)
        before = follow_ups(db)
        await pilot.press("n")
        assert app.screen is screen
        assert "无权" in message(screen)
        await pilot.press("c")
        await settle(pilot)
        assert screen.has_class("-callback") and screen.call_back
        await pilot.press("d")
        assert app.screen is screen
        assert "无权" in message(screen)
        assert follow_ups(db) == before


async def test_narrow_terminal_shows_profile(seeded: tuple[Database, str]) -> None:
    db, number = seeded
    app = app_for(db, "clerk", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_customers(pilot)
        await find(pilot, PHONE)
        summary = screen.query_one("#cust-summary", Static)
        assert summary.region.width > 0 and summary.region.y < 24
        slips = screen.query_one("#cust-slips", DataTable)
        assert slips.region.height > 0 and slips.region.bottom <= 23
        assert screen.row_keys("cust-slips") == [number]
        assert "Return rate 9.3%" in str(summary.render())


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, user: str, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, seed, user, lang)


async def _show_profile(pilot: Pilot[None]) -> None:
    await open_customers(pilot)
    await find(pilot, PHONE)
    await pilot.press("t", "t")  # the follow-ups tab
    await settle(pilot)


def test_snapshot_customers_zh_120x36(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "clerk", "zh")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_show_profile)


def test_snapshot_customers_en_120x36(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "clerk", "en")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_show_profile)


def test_snapshot_customers_zh_80x24(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "clerk", "zh")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_show_profile)


async def test_the_account_tab_runs_the_balance(seeded: tuple[Database, str]) -> None:
    db, _ = seeded
    at = clock(NOW + timedelta(hours=1))
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-A", "store", next(at), [sv.SaleLineInput("P2", 2, 15000)], customer_phone=PHONE,
        payment_method="account")], now=next(at))
    sv.record_payment(db, "finance", PHONE, 12000, method="bank", now=next(at))
    app = app_for(db, "clerk")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_customers(pilot)
        await find(pilot, PHONE)
        summary = str(screen.query_one("#cust-summary", Static).render())
        assert "欠款 ¥180.00" in summary
        await pilot.press("t", "t", "t", "t", "t")  # slips -> ... -> the account tab
        await settle(pilot)
        assert screen.query_one("#cust-tabs", TabbedContent).active == "cust-tab-account"
        table = screen.query_one("#cust-account", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # Newest first: the payment, then the sale on account; the balance after each.
        assert [r[1:6] for r in rows] == [
            ["main", "收款", "-¥120.00", "¥180.00", "—"],
            ["main", "赊账销售", "+¥300.00", "¥300.00", "SO-A"]]
    assert sv.customer_statement(db, PHONE).balance_fen == 18000
