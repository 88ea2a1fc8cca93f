"""The settlement screen on a platform's request: the platform is the method it offers, the
till is refused with a message and nothing written, and the platform's refund settles it
without touching the till."""

from __future__ import annotations

import pytest
from pilot import settle
from test_platforms import TAOBAO, by_ref, import_sample, platform_shop, refund_entries
from textual.widgets import Static

from rma_tui import service as sv
from rma_tui.app import make_app
from rma_tui.screens.settlement import SettlementScreen
from rma_tui.store.db import Database

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


async def test_a_platform_request_is_never_refunded_at_the_till(db: Database) -> None:
    platform_shop(db)
    import_sample(db, TAOBAO, "taobao")
    number = by_ref(db)["186512000000000103"].number
    sv.receive_by_waybill(db, "warehouse", "75312345678901")
    sv.inspect_slip(db, "warehouse", number, [sv.GradeInput("TB-MUG-02", 2, 0, 0)])
    till = sv.account_balances(db).get(sv.CASH, (0, 0))
    app = make_app(db.url, "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettlementScreen)
        assert screen.info is not None and screen.info.view.number == number
        assert screen.method == "platform"  # what a platform's request offers first
        await pilot.press("m")  # platform -> original
        await pilot.press("m")  # -> cash
        assert screen.method == "cash"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # confirm: the service refuses
        await settle(pilot)
        shown = " ".join(str(w.content) for w in app.screen.query(Static).results(Static))
        assert "platform" in shown or "平台" in shown
        assert sv.get_slip(db, number).status == "inspected"
        assert refund_entries(db, number) == []
        for _ in range(4):  # cash -> credit -> receivable -> platform
            if screen.method == "platform":
                break
            await pilot.press("m")
        assert screen.method == "platform"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
    view = sv.get_slip(db, number)
    assert (view.status, view.refund_method, view.platform_refund_fen) == \
        ("settled", "platform", 7800)
    assert refund_entries(db, number) == [[("6003", 7800, 0), ("1123-01", 0, 7800)]]
    assert sv.account_balances(db).get(sv.CASH, (0, 0)) == till
    assert sv.verify(db).ok
