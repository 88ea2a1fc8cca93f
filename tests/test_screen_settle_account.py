"""The settlement screen with a customer on account: a refund to the account that is more
than the customer owes splits, the clerk picks the rest's way with `o`, the confirmation
says both parts, and the database holds them. A refund that does not go to the account
shows no split and `o` does nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle, snapshot_app
from slip_flow import bring, clock
from test_screen_settlement import message, open_settlement
from textual.pilot import Pilot
from textual.widgets import Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import make_app
from rma_tui.store.db import Database
from rma_tui.widgets.feedback_dialog import FeedbackDialog

PHONE = "13800000001"

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def seed_account(db: Database) -> str:
    """The tiny shop plus earphones sold to 张三 on account (150.00), 100.00 of it paid,
    and a return of them brought to inspected: the refund (150.00) is more than the 50.00
    still owed. Returns the slip number."""
    make_shop(db)
    at = clock()
    sv.set_setting(db, "owner", "shop_name", "小米数码（测试店）", now=next(at))
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-A", "store", NOW - timedelta(days=1), [sv.SaleLineInput("P2", 1, 15000)],
        customer_phone=PHONE, payment_method="account")], now=next(at))
    sv.record_payment(db, "finance", PHONE, 10000, now=next(at))
    n = sv.create_slip(db, "clerk", "SO-A", "return",
                       [sv.LineInput("P2", 1, "quality", "左耳无声")], now=next(at)).number
    bring(db, n, "inspected", at)
    return n


def rest_line(screen: object) -> Static:
    return screen.query_one("#settle-rest", Static)  # type: ignore[attr-defined,no-any-return]


async def test_a_split_refund_rest_to_store_credit(db: Database) -> None:
    number = seed_account(db)
    credit_before = sv.find_customers(db, PHONE)[0].credit_fen
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settlement(pilot)
        assert screen.method == "original"  # of a sale on account: off the debt
        assert rest_line(screen).display
        assert str(rest_line(screen).content) == i18n.t(
            "settle_rest", "zh", part_fen=5000, rest_fen=10000, rest="cash")
        await pilot.press("o")  # cash -> credit
        assert screen.rest == "credit"
        await pilot.press("o")  # credit -> cash: "original" would be the account again
        assert screen.rest == "cash"
        await pilot.press("o")
        await pilot.press("enter")
        await pilot.pause()
        body = " ".join(str(w.content) for w in app.screen.query(".dialog-message").results(Static))
        assert body == i18n.t("settle_confirm_split", "zh", slip=number, refund_fen=15000,
                              part_fen=5000, rest_fen=10000, rest="credit")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackDialog)
        await pilot.press("escape")
        await settle(pilot)
    view = sv.get_slip(db, number)
    assert (view.status, view.refund_method, view.rest_method, view.rest_fen) == (
        "settled", "original", "credit", 10000)
    assert sv.customer_statement(db, PHONE).balance_fen == 0
    assert sv.find_customers(db, PHONE)[0].credit_fen == credit_before + 10000
    assert sv.verify(db).ok


async def test_a_cash_refund_does_not_split(db: Database) -> None:
    number = seed_account(db)
    app = make_app(db.url, "finance", "en", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_settlement(pilot)
        await pilot.press("m")  # original -> cash
        assert screen.method == "cash" and not rest_line(screen).display
        assert screen.check_action("next_rest", ()) is False
        await pilot.press("o")
        assert screen.rest == "cash"
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert message(app) == i18n.t("fb_skipped", "en")
    view = sv.get_slip(db, number)
    assert (view.refund_method, view.rest_method, view.rest_fen) == ("cash", None, 0)
    assert sv.customer_statement(db, PHONE).balance_fen == 5000  # still owed


def _snapshot_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    return snapshot_app(tmp_path, seed_account, "finance", "zh")


async def _open(pilot: Pilot[None]) -> None:
    await open_settlement(pilot)


def test_snapshot_settlement_split_zh_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path), terminal_size=(80, 24), run_before=_open)
