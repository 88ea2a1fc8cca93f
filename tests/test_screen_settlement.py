"""The settlement screen (key 5): refund method, amount, confirmation, then feedback.

Pilot tests drive it by keyboard on a seeded database and assert the database afterwards;
snapshots at 120x36 (zh, en) and 80x24.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pilot import settle, snapshot_app
from rich.console import Console
from slip_flow import seed_settlement, stock_of
from textual.pilot import Pilot
from textual.widgets import Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.screens.settlement import SettlementScreen
from rma_tui.store.db import Database
from rma_tui.widgets.feedback_dialog import FeedbackDialog

SIZE = (120, 36)


# Times show in the shop's zone whatever the machine's; the language is reset after.
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, str]]:
    """The shop with three inspected slips: a return, a short exchange, an exchange."""
    return db, seed_settlement(db)


async def open_settlement(pilot: Pilot[None]) -> SettlementScreen:
    """Key 5 from the home screen, then wait for the list and the first slip."""
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettlementScreen)
    return screen


def message(app: RmaApp) -> str:
    """The screen's message line."""
    return str(app.screen.query_one("#settle-message", Static).content)


def plain(app: RmaApp, selector: str) -> str:
    """What a Static holding a rich renderable reads, as plain text."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(app.screen.query_one(selector, Static).content)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def snapshot(db: Database, *numbers: str) -> tuple[object, ...]:
    """Everything a refused settlement must leave alone."""
    return (tuple(sv.get_slip(db, n) for n in numbers), sv.stock(db),
            sv.account_balances(db), sv.find_customers(db, "13800000001"))


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x36", "80x24"])
async def test_settle_return_in_cash_then_skip_feedback(seeded, size: tuple[int, int]) -> None:
    db, slips = seeded
    cash_before = sv.account_balances(db).get(sv.CASH, (0, 0))
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=size) as pilot:
        screen = await open_settlement(pilot)
        assert screen.info is not None and screen.info.view.number == slips["return"]
        assert screen.method == "original"  # the default
        await pilot.press("m")  # original -> cash
        assert screen.method == "cash"
        await pilot.press("enter")  # settle: the confirmation shows amount and method
        await pilot.pause()
        body = " ".join(str(w.content) for w in app.screen.query(".dialog-message").results(Static))
        assert body == i18n.t("settle_confirm_return", "zh", slip=slips["return"],
                              refund_fen=1800, method="cash")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackDialog)
        await pilot.press("escape")  # the customer does not want to rate
        await settle(pilot)
        assert message(app) == i18n.t("fb_skipped", "zh")
        assert [s.number for s in screen.queue.rows] == [slips["short"], slips["swap"]]
    view = sv.get_slip(db, slips["return"])
    assert (view.status, view.refund_method, view.refund_fen) == ("settled", "cash", 1800)
    assert view.feedback is None
    cash_after = sv.account_balances(db)[sv.CASH]
    assert cash_after[1] - cash_before[1] == 1800  # the refund left the till
    assert sv.verify(db).ok


async def test_settle_with_store_credit_and_feedback(seeded) -> None:
    db, slips = seeded
    credit_before = sv.find_customers(db, "13800000001")[0].credit_fen
    app = make_app(db.url, "finance", "en", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settlement(pilot)
        await pilot.press("m", "m")  # original -> cash -> credit
        assert screen.method == "credit"
        await pilot.press("ctrl+s", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackDialog)
        await pilot.press("6", "enter")  # out of range: said next to the field
        assert "6" in str(app.screen.query_one("#fb-error", Static).content)
        await pilot.press("backspace", "4", "enter")
        app.screen.query_one("#fb-comment").value = "退款很快"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert message(app) == i18n.t("feedback_saved", "en", slip=slips["return"])
    view = sv.get_slip(db, slips["return"])
    assert (view.status, view.refund_method) == ("settled", "credit")
    assert view.feedback == (4, "退款很快")
    assert sv.find_customers(db, "13800000001")[0].credit_fen == credit_before + 1800
    assert sv.verify(db).ok


async def test_exchange_short_of_stock_is_refused(seeded) -> None:
    db, slips = seeded
    before = snapshot(db, *slips.values())
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settlement(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert screen.info is not None and screen.info.view.number == slips["short"]
        stock_text = plain(app, "#settle-stock")
        assert "可售 0" in stock_text and i18n.t("settle_stock_short", "zh", short=1) in stock_text
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert app.screen is screen  # no feedback asked: nothing was settled
        expected = i18n.t("stock_short", "zh", sku="P2", location="sellable", have=0, need=1,
                          field="qty")
        error = screen.query_one("#settle-stock-error", Static)
        assert str(error.content) == expected and error.has_class("-shown")
        assert message(app) == expected
    assert snapshot(db, *slips.values()) == before


async def test_exchange_issues_the_replacement(seeded) -> None:
    db, slips = seeded
    p3 = stock_of(db, "P3")
    app = make_app(db.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settlement(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert screen.info is not None and screen.info.view.number == slips["swap"]
        amount = plain(app, "#settle-amount")
        assert i18n.t("settle_customer_pays", "en", amount_fen=700) in amount
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("5", "enter", "enter")
        await settle(pilot)
    view = sv.get_slip(db, slips["swap"])
    assert (view.status, view.difference_fen, view.feedback) == ("settled", 700, (5, ""))
    assert stock_of(db, "P3").sellable == p3.sellable - 1
    assert sv.verify(db).ok


async def test_cancelled_confirmation_changes_nothing(seeded) -> None:
    db, slips = seeded
    before = snapshot(db, *slips.values())
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_settlement(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert message(app) == i18n.t("cb_cancelled", "zh")
    assert snapshot(db, *slips.values()) == before


async def test_wrong_role_is_told_and_nothing_changes(seeded) -> None:
    db, slips = seeded
    before = snapshot(db, *slips.values())
    app = make_app(db.url, "warehouse", "en", refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settlement(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert message(app) == i18n.t("role_denied", "en", user="warehouse", role="warehouse",
                                      allowed="finance, owner", field="user")
    assert snapshot(db, *slips.values()) == before


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, seed_settlement, "finance", lang)


async def _open(pilot: Pilot[None]) -> None:
    await open_settlement(pilot)


async def _open_exchange(pilot: Pilot[None]) -> None:
    await open_settlement(pilot)
    await pilot.press("down", "down")
    await settle(pilot)


async def _open_short(pilot: Pilot[None]) -> None:
    await open_settlement(pilot)
    await pilot.press("down")
    await settle(pilot)


def test_snapshot_settlement_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_open)


def test_snapshot_settlement_exchange_en_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(120, 36),
                        run_before=_open_exchange)


def test_snapshot_settlement_short_zh_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(80, 24),
                        run_before=_open_short)
