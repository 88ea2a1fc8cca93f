"""The app in a chain of shops: Pilot tests by keyboard that assert on the
database, and two snapshots.

The chain is the tiny shop `main` (星河数码) plus shop `east` (东门店), built with the
service as tests/test_shops.py's `chain` fixture does: east's clerk, warehouse, finance and
owner users, 6 x P1 received in east and a sale SO-E1 of 2 x P1 there; one approved return
slip in each shop. P1 sellable: main 7, east 4, the chain 11.

A shop's user sees and works in their shop only; a chain-wide owner sees every shop summed
until they pick one (F6, the shop switcher); the header names the shop; the stock screen's
transfer dialog (m) moves stock between shops; a chain-wide user who has not picked a shop
is told to name one before a write.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle, snapshot_app
from test_screen_stock import fill, open_stock
from test_shops import open_east
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.screens.dialogs import ALL_SHOPS, ShopSwitchDialog
from rma_tui.screens.home import HomeScreen
from rma_tui.screens.inspection import InspectionScreen
from rma_tui.screens.reports import ReportsScreen
from rma_tui.screens.stock import StockScreen
from rma_tui.store.db import Database
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.slip_queue import SlipQueue
from rma_tui.widgets.stock_form import StockFormDialog

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")

# The approved return slips of each shop (numbered in the order made).
MAIN_SLIP, EAST_SLIP = "TH-20261120-0001", "TH-20261120-0002"


def seed(db: Database) -> None:
    """The tiny shop (named 星河数码) plus shop east, as test_shops.chain, and one approved
    return slip of 1 x P1 in each shop."""
    make_shop(db, now=NOW)
    sv.set_setting(db, "owner", "shop_name", "星河数码", now=NOW)
    open_east(db)
    for clerk, order in (("clerk", "SO-1"), ("clerk_e", "SO-E1")):
        v = sv.create_slip(db, clerk, order, "return", [sv.LineInput("P1", 1, "quality")],
                           now=NOW)
        sv.submit_slip(db, clerk, v.number, now=NOW)  # small and in policy: auto-approved


@pytest.fixture
def chain_db(db: Database) -> Database:
    seed(db)
    assert [(s.status, s.shop) for s in (sv.get_slip(db, MAIN_SLIP), sv.get_slip(db, EAST_SLIP))] \
        == [("approved", "main"), ("approved", "east")]
    return db


def rows(db: Database, query: str, **params: object) -> list[tuple[object, ...]]:
    from sqlalchemy import text

    with db.read() as s:
        return [tuple(r) for r in s.execute(text(query), params).all()]


def level(db: Database, sku: str, shop: str, location: str = "sellable") -> int:
    found = rows(db, """
        SELECT coalesce(sum(l.qty), 0) FROM stock_levels l JOIN products p ON p.id = l.product_id
        WHERE p.sku = :sku AND l.shop = :shop AND l.location = :loc""",
                 sku=sku, shop=shop, loc=location)
    return int(str(found[0][0]))


def transfer_moves(db: Database) -> list[tuple[object, ...]]:
    return rows(db, """
        SELECT m.kind, m.shop, m.location, m.qty, m.user FROM stock_moves m
        JOIN products p ON p.id = m.product_id
        WHERE m.kind IN ('transfer_out', 'transfer_in') ORDER BY m.id""")


def approved(app: RmaApp) -> list[str]:
    return [s.number for s in app.screen.query_one("#queue-approved", SlipQueue).rows]


def sellable(screen: StockScreen, sku: str) -> int:
    return next(i.sellable for i in screen.items if i.sku == sku)


def shown_sellable(screen: StockScreen, sku: str) -> str:
    """The sellable cell of `sku`'s row as drawn in the table."""
    table = screen.query_one("#stock-table", DataTable)
    return str(table.get_cell(sku, "sellable"))


async def switch_to(pilot: Pilot[None], code: str) -> None:
    """F6, then the switcher's option for shop `code` (ALL_SHOPS: every shop) by arrow keys
    and Enter."""
    await pilot.press("f6")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ShopSwitchDialog)
    chooser = dialog.query_one(OptionList)
    labels = [str(chooser.get_option_at_index(i).prompt) for i in range(chooser.option_count)]
    assert labels == ["全部门店", "east       东门店", "main       main"]
    steps = chooser.get_option_index(code) - (chooser.highlighted or 0)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await settle(pilot)


def dialog_error(dialog: StockFormDialog, where: str = "stock-form-error") -> str:
    label = dialog.query_one(f"#{where}", Static)
    return str(label.render()) if label.display else ""


# -- (a) a shop's user sees their shop; the owner every shop ------------------------------------


async def test_a_clerk_of_east_sees_east_only_and_the_owner_sees_both(
        chain_db: Database) -> None:
    app = make_app(chain_db.url, "clerk_e", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.shop == "east" and app.is_chain
        assert app.sub_title == "  ".join([
            "东门店 · " + i18n.t("app_subtitle", "zh", user="clerk_e", role="clerk"),
            i18n.t("app_unread", "zh", count=sv.count_notifications(chain_db, "clerk",
                                                                    shop="east"))])
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        assert home.data.counts.get("approved") == 1
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, InspectionScreen)
        assert approved(app) == [EAST_SLIP]

    owner = make_app(chain_db.url, "owner", "zh", refresh_seconds=0)
    async with owner.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert owner.shop is None
        assert owner.sub_title.startswith("全部门店 · owner")
        home = owner.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        assert home.data.counts.get("approved") == 2
        await pilot.press("4")
        await settle(pilot)
        assert approved(owner) == [MAIN_SLIP, EAST_SLIP]


# -- (b) the owner switches to east: the stock table shows east's figures ----------------------


async def test_owner_switches_to_east_and_the_stock_follows(chain_db: Database) -> None:
    app = make_app(chain_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        # The chain: 7 in main + 4 in east.
        assert (sellable(screen, "P1"), shown_sellable(screen, "P1")) == (11, "11")
        await switch_to(pilot, "east")
        assert app.shop == "east" and app.screen is screen
        assert (sellable(screen, "P1"), shown_sellable(screen, "P1")) == (4, "4")
        assert app.sub_title.startswith("东门店 · owner")
        # The inspection queue follows too (shown after the switch).
        await pilot.press("4")
        await settle(pilot)
        assert approved(app) == [EAST_SLIP]
        # And back to every shop.
        await switch_to(pilot, ALL_SHOPS)
        assert app.shop is None and approved(app) == [MAIN_SLIP, EAST_SLIP]
        await pilot.press("6")
        await settle(pilot)
        assert shown_sellable(screen, "P1") == "11"


async def test_switching_user_forgets_the_chosen_shop(chain_db: Database) -> None:
    app = make_app(chain_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await switch_to(pilot, "east")
        assert app.shop == "east"
        await pilot.press("ctrl+u")
        await settle(pilot)
        app.screen.query_one("#switch-name", Input).value = "clerk"
        await pilot.press("enter")
        await settle(pilot)
        assert (app.user_name, app.shop) == ("clerk", None)
        assert app.sub_title.startswith("全部门店 · clerk")


# -- (c) a transfer through the dialog ------------------------------------------------------


async def test_transfer_from_east_to_main(chain_db: Database) -> None:
    app = make_app(chain_db.url, "ware_e", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        assert shown_sellable(screen, "P1") == "4"
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StockFormDialog)
        # From east (the desk's shop): only the other shop to send to, no source field.
        assert not dialog.query("#field-from_shop")
        to = dialog.query_one("#field-to_shop", Select)
        assert to.value == "main"
        # More than east has: refused in the dialog, which stays open; nothing written.
        await fill(pilot, "qty", qty="9", note="补货")
        assert app.screen is dialog
        assert dialog_error(dialog, "error-qty") == i18n.t(
            "stock_short", "zh", sku="P1", location="sellable", have=4, need=9, field="qty")
        assert transfer_moves(chain_db) == []
        await fill(pilot, "qty", qty="3", note="补货")
        assert app.screen is screen
        assert transfer_moves(chain_db) == [
            ("transfer_out", "east", "sellable", -3, "ware_e"),
            ("transfer_in", "main", "sellable", 3, "ware_e")]
        assert (level(chain_db, "P1", "east"), level(chain_db, "P1", "main")) == (1, 10)
        # The list was read again: east's P1 is down to 1.
        assert shown_sellable(screen, "P1") == "1"
        said = str(screen.query_one(MessageLine).render())
        assert said.startswith("已调拨 P1 × 3：东门店 → main，调出店可售 1，调入店可售 10")
    assert sv.verify(chain_db).ok


async def test_owner_of_every_shop_names_the_source_and_must_pick_for_a_purchase(
        chain_db: Database) -> None:
    app = make_app(chain_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        # A purchase with every shop shown: which shop? The service's message; no write.
        await pilot.press("p")
        await settle(pilot)
        dialog = await fill(pilot, "qty", qty="2")
        assert app.screen is dialog
        assert dialog_error(dialog) == i18n.t("shop_required", "zh", user="owner", field="shop")
        assert level(chain_db, "P1", "main") == 7 and level(chain_db, "P1", "east") == 4
        await pilot.press("escape")
        await settle(pilot)
        # A transfer asks for the source too: main -> east.
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StockFormDialog)
        assert dialog.query_one("#field-from_shop", Select).value == "east"
        await fill(pilot, "qty", qty="2", from_shop="main", to_shop="east")
        assert app.screen is screen
        assert transfer_moves(chain_db) == [
            ("transfer_out", "main", "sellable", -2, "owner"),
            ("transfer_in", "east", "sellable", 2, "owner")]
        assert (level(chain_db, "P1", "main"), level(chain_db, "P1", "east")) == (5, 6)
        assert shown_sellable(screen, "P1") == "11"  # the chain's total is unchanged
    assert sv.verify(chain_db).ok


async def test_a_clerk_cannot_transfer(chain_db: Database) -> None:
    app = make_app(chain_db.url, "clerk_e", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is screen  # no dialog
        assert "clerk_e" in str(screen.query_one(MessageLine).render())
    assert transfer_moves(chain_db) == []


# -- (d) a shop's user cannot switch --------------------------------------------------------


async def test_a_shop_user_cannot_switch_shops(chain_db: Database) -> None:
    app = make_app(chain_db.url, "clerk_e", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("f6")
        await settle(pilot)
        assert app.screen is home and app.shop == "east"
        said = [n.message for n in app._notifications]
        assert said == [i18n.t("switch_shop_denied", "zh", user="clerk_e", shop="东门店")]


async def test_the_owner_groups_returns_by_shop_with_the_chains_total(
        chain_db: Database) -> None:
    app = make_app(chain_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert screen.offered[-1] == "shop"
        while screen.by != "shop":  # b: the next grouping, shop last
            await pilot.press("b")
            await settle(pilot)
        table = screen.query_one("#rep-returns-table", DataTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # One approved return of 1 x P1 in each shop (19.00 at east, 18.00 at main): claimed
        # and pending, nothing refunded or exchanged yet; sold: 2 units at east, 4 at main
        # (SO-1: 3 x P1 + 1 x P2). Rates need 20 units sold. Columns: shop, name, slips,
        # units and value claimed, refunded, units exchanged, units pending, units sold.
        assert [row[:9] for row in cells] == [
            ["east", "东门店", "1", "1", "19.00", "0.00", "0", "1", "2"],
            ["main", "main", "1", "1", "18.00", "0.00", "0", "1", "4"],
            ["合计", "", "2", "2", "37.00", "0.00", "0", "2", "6"],
        ]


async def test_a_single_shop_has_no_switcher(db: Database) -> None:
    make_shop(db, now=NOW)
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert not app.is_chain and app.shop is None
        assert "全部门店" not in app.sub_title and "·" not in app.sub_title
        assert app.check_action("switch_shop", ()) is False
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        screen = await open_stock(pilot)
        assert screen.check_action("transfer", ()) is False
        await pilot.press("0")
        await settle(pilot)
        reports = app.screen
        assert isinstance(reports, ReportsScreen) and "shop" not in reports.offered


# -- snapshots ------------------------------------------------------------------------------


def _owner(tmp_path: Path) -> RmaApp:
    return snapshot_app(tmp_path, seed, "owner", "zh")


async def _stock_of_east(pilot: Pilot[None]) -> None:
    # Switched on the home screen, then the stock screen: its table is filled once, for
    # east (refilling a DataTable just before the frame is taken sometimes leaves its new
    # columns at their labels' width: a frame that is not always the same).
    await settle(pilot)
    await switch_to(pilot, "east")
    await pilot.press("6")
    await settle(pilot)


async def _switcher_open(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)


def test_snapshot_stock_of_east_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_owner(tmp_path), terminal_size=(120, 36), run_before=_stock_of_east)


def test_snapshot_shop_switcher_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_owner(tmp_path), terminal_size=(120, 36), run_before=_switcher_open)
