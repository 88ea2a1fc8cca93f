"""The slip entry screen: Pilot tests driven by the keyboard that assert the database, the
key-press count of a standard return, and snapshots at 120x36 (zh, en) and 80x24."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle as settle_workers
from pilot import snapshot_app
from sqlalchemy import text
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.errors import DomainError
from rma_tui.screens.entry import SlipEntryScreen
from rma_tui.store.db import Database
from rma_tui.widgets.sale_finder import PAGE, SaleFinder
from rma_tui.widgets.sale_lines import SaleLinesTable

WIDE = (120, 36)
NARROW = (80, 24)


# Times show in the shop's zone whatever the machine's; the language is reset after.
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture
def shop_db(db: Database) -> Database:
    """The tiny shop of conftest: SO-1 sold two days before NOW (3 x P1 at 18.00, 1 x P2
    at 140.00), customer 张三."""
    make_shop(db, now=NOW)
    return db


def entry_screen() -> SlipEntryScreen:
    """The screen with a fixed clock, so windows and slip numbers never depend on today."""
    return SlipEntryScreen(now=lambda: NOW)


# Let debounced work (the entry preview) start, then wait for every worker.
settle = partial(settle_workers, debounce=0.3)


@asynccontextmanager
async def entry(db: Database, user: str = "clerk", lang: str = "zh",
                size: tuple[int, int] = WIDE) -> AsyncIterator[tuple[RmaApp, Pilot[None]]]:
    """The app on `db`, signed in as `user`, showing the entry screen."""
    app = make_app(db.url, user, lang, refresh_seconds=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await app.push_screen(entry_screen())
        await settle(pilot)
        yield app, pilot


def slips(db: Database) -> list[sv.SlipView]:
    """Every slip in the database, whole, oldest first."""
    return [sv.get_slip(db, s.number) for s in reversed(sv.list_slips(db, limit=1000))]


def row_count(db: Database, table: str) -> int:
    """Rows in a table (to prove nothing at all was written)."""
    with db.read() as s:
        return int(s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def error_text(app: RmaApp, slot: str) -> str:
    """What the error slot next to a field says ('' when hidden)."""
    widget = app.screen.query_one(f"#err-{slot}", Static)
    return str(widget.content) if widget.has_class("-shown") else ""


async def open_sale(pilot: Pilot[None], order: str = "SO-1") -> None:
    """Type the order number and Enter; wait until the sale is shown."""
    await pilot.press(*order, "enter")
    await settle(pilot)


async def choose_reason(pilot: Pilot[None], app: RmaApp, code: str) -> None:
    """From the reason field: open the list, move to `code`, Enter."""
    steps = list(i18n.LABELS["reason"]).index(code) + 1  # +1: the prompt comes first
    assert app.focused is not None and app.focused.id == "entry-reason"
    await pilot.press("enter", *["down"] * steps, "enter")
    await settle(pilot)


# -- the key flow --------------------------------------------------------------------------


async def test_standard_return_takes_few_keys(shop_db: Database) -> None:
    """Find by order number -> pick a line -> reason -> submit, keyboard only."""
    async with entry(shop_db) as (app, pilot):
        presses = 0

        async def press(*keys: str) -> None:
            nonlocal presses
            presses += len(keys)
            await pilot.press(*keys)
            await settle(pilot)

        await pilot.press(*"SO-1")  # typing the order number is not counted
        await press("enter")  # find: the exact order opens, the cursor is on its lines
        assert app.focused is app.screen.query_one(SaleLinesTable)
        await press("enter")  # picks the line under the cursor, moves to the reason
        await press("enter", "down", "enter")  # reason: quality fault (the first)
        await press("ctrl+s")  # submit
        print(f"\nstandard return: {presses} key presses besides the order number")
        assert presses <= 12

        [slip] = slips(shop_db)
        assert slip.type == "return" and slip.sale == "SO-1"
        assert slip.status == "approved" and slip.auto_approved
        assert [(ln.sku, ln.qty, ln.reason) for ln in slip.lines] == [("P1", 1, "quality")]
        assert slip.refund_fen == 1800 and slip.fee_fen == 0
        assert slip.created_at == NOW
        banner = str(app.screen.query_one("#entry-banner", Static).content)
        assert slip.number in banner
        # The form is empty again, ready for the next customer.
        assert app.screen.query_one(SaleLinesTable).lines == []
        assert app.focused is app.screen.query_one("#entry-search", Input)


async def test_verdict_is_shown_rule_by_rule(shop_db: Database) -> None:
    async with entry(shop_db, lang="en") as (app, pilot):
        await open_sale(pilot)
        await pilot.press("3")  # three cables
        await settle(pilot)
        await pilot.press("enter")
        await choose_reason(pilot, app, "changed_mind")
        shown = str(app.screen.query_one("#entry-verdict", Static).content)
        for rule in ("original_sale", "window", "excluded_category", "condition", "amount"):
            assert i18n.label("rule", rule, "en") in shown
        # Store channel: 10% restocking fee on a no-reason return of 3 x 18.00.
        assert "refund ¥48.60" in shown and "fee ¥5.40" in shown
    assert slips(shop_db) == []  # a preview saves nothing


async def test_scanned_barcode_lists_sales(shop_db: Database) -> None:
    sv.record_sales(shop_db, "clerk", [sv.SaleInput(
        "SO-2", "store", NOW, [sv.SaleLineInput("P1", 1, 2000)])], now=NOW)
    async with entry(shop_db) as (app, pilot):
        await open_sale(pilot, "P1")  # the SKU (a scanner types the barcode the same way)
        results = app.screen.query_one("#entry-results")
        assert results.has_class("-shown") and app.focused is results
        await pilot.press("enter")  # the newest sale first: SO-2
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SlipEntryScreen)
        assert screen.state.sale is not None and screen.state.sale.order == "SO-2"


# -- wrong input saves nothing -------------------------------------------------------------


async def test_wrong_input_saves_nothing(shop_db: Database) -> None:
    audit_before = row_count(shop_db, "audit_events")
    async with entry(shop_db) as (app, pilot):
        await open_sale(pilot)
        # Nothing picked.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "lines" in error_text(app, "lines") or error_text(app, "lines")
        # More than returnable: the earphones (1 sold), typed 3.
        await pilot.press("down", "3")
        await settle(pilot)
        assert "3" in error_text(app, "lines")  # said at once, before the reason
        await pilot.press("enter")
        await choose_reason(pilot, app, "quality")
        assert "1" in error_text(app, "lines")  # shown live, before submitting
        await pilot.press("ctrl+s")
        await settle(pilot)
        msg = error_text(app, "lines")
        assert msg == DomainError("over_returnable", field="lines[1].qty", sku="P2",
                                     qty=3, returnable=1).message()
        # No reason chosen.
        app.screen.query_one(SaleLinesTable).pick(1, 1)
        app.screen.query_one("#entry-reason").clear()  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(app, "reason")
        assert error_text(app, "lines") == ""
    assert slips(shop_db) == []
    assert row_count(shop_db, "slip_lines") == 0
    assert row_count(shop_db, "audit_events") == audit_before


# -- drafts --------------------------------------------------------------------------------


async def test_save_and_resume_a_draft(shop_db: Database) -> None:
    async with entry(shop_db) as (app, pilot):
        await open_sale(pilot)
        await pilot.press("2")  # two cables
        await settle(pilot)
        await pilot.press("enter")
        await choose_reason(pilot, app, "changed_mind")
        await pilot.press("f2")
        await settle(pilot)
        [draft] = slips(shop_db)
        assert draft.status == "draft"
        assert [(ln.sku, ln.qty) for ln in draft.lines] == [("P1", 2)]

        await pilot.press("f3")  # my drafts
        await settle(pilot)
        await pilot.press("enter")  # the only one
        await settle(pilot)
        table = app.screen.query_one(SaleLinesTable)
        assert table.picks == {0: 2}
        # The draft's own units count as returnable again while it is edited.
        assert table.lines[0].returnable == 3 and table.lines[0].returned == 0
        assert app.focused is table
        # The preview leaves the draft's own two units out: a real verdict, no false error.
        assert error_text(app, "lines") == ""
        verdict = str(app.screen.query_one("#entry-verdict", Static).content)
        assert "¥36.00" in verdict and "✗" not in verdict
        await pilot.press("minus")  # one cable after all
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

    [slip] = slips(shop_db)
    assert slip.number == draft.number
    assert [(ln.sku, ln.qty, ln.reason) for ln in slip.lines] == [("P1", 1, "changed_mind")]
    # Store channel, 2 days after the sale: within the 3-day no-reason window, 10% fee.
    assert slip.status == "approved"
    assert (slip.gross_fen, slip.fee_fen, slip.refund_fen) == (1800, 180, 1620)


# -- exchange ------------------------------------------------------------------------------


async def test_exchange_with_a_replacement(shop_db: Database) -> None:
    async with entry(shop_db) as (app, pilot):
        await open_sale(pilot)
        await pilot.press("enter")  # the cable
        await choose_reason(pilot, app, "quality")
        await pilot.press("enter")  # past the detail, to the type
        await pilot.press("enter", "down", "enter")  # exchange
        await settle(pilot)
        info = str(app.screen.query_one("#entry-repl-info", Static).content)
        assert "P1" in info and "7" in info  # same product by default: 10 bought, 3 sold
        await pilot.press("tab", *"P2", "enter")  # the earphones instead
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        info = str(app.screen.query_one("#entry-repl-info", Static).content)
        assert "P2" in info and "4" in info
        await pilot.press("ctrl+s")
        await settle(pilot)
    [slip] = slips(shop_db)
    assert slip.type == "exchange" and slip.number.startswith("HH-")
    [line] = slip.lines
    assert (line.sku, line.qty, line.replacement_sku, line.replacement_qty) == ("P1", 1, "P2", 1)
    assert slip.difference_fen == 15000 - 1800
    assert slip.status == "approved"


# -- without a receipt ---------------------------------------------------------------------


async def test_no_receipt_needs_price_and_note(shop_db: Database) -> None:
    async with entry(shop_db) as (app, pilot):
        await pilot.press("f4")
        await pilot.press(*"P2", "enter")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#entry-price", Input)
        await pilot.press(*"12o", "enter")  # a typo in the price
        await settle(pilot)
        assert error_text(app, "price")
        app.screen.query_one("#entry-price", Input).value = "120"
        # Enter moved on to the customer's phone: one nobody knows.
        assert app.focused is app.screen.query_one("#entry-phone", Input)
        await pilot.press(*"13900000000", "enter", "tab")  # past the channel (store)
        await choose_reason(pilot, app, "quality")
        await pilot.press("ctrl+s")  # no note yet
        await settle(pilot)
        assert error_text(app, "note")
        app.screen.query_one("#entry-note", Input).value = "顾客小票丢失，微信付款记录已核对"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "13900000000" in error_text(app, "phone")
        assert slips(shop_db) == []
        app.screen.query_one("#entry-phone", Input).value = "13800000001"
        await pilot.press("ctrl+s")
        await settle(pilot)
    [slip] = slips(shop_db)
    assert slip.sale is None and slip.status == "submitted"  # waits for the owner
    assert slip.customer == "张三" and slip.channel == "store"
    assert [(ln.sku, ln.qty, ln.unit_price_fen) for ln in slip.lines] == [("P2", 1, 12000)]
    assert slip.note == "顾客小票丢失，微信付款记录已核对"
    assert not next(r for r in slip.verdict if r.rule == "original_sale").ok


# -- snapshots -----------------------------------------------------------------------------


def _snap_app(tmp_path: Path, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, lambda d: make_shop(d, now=NOW), "clerk", lang)


async def _sale_with_verdict(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.app.push_screen(entry_screen())
    await settle(pilot)
    await pilot.press(*"SO-1", "enter")
    await settle(pilot)
    await pilot.press("2", "enter")
    await settle(pilot)
    await pilot.press("enter", "down", "enter")
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(("lang", "size"), [
    pytest.param("zh", WIDE, id="zh_120x36"),
    pytest.param("en", WIDE, id="en_120x36"),
    pytest.param("zh", NARROW, id="zh_80x24"),
])
def test_snapshot_entry(snap_compare, tmp_path: Path, lang: str,  # type: ignore[no-untyped-def]
                        size: tuple[int, int]) -> None:
    assert snap_compare(_snap_app(tmp_path, lang), terminal_size=size,
                        run_before=_sale_with_verdict)


async def test_language_switch_keeps_the_form(shop_db: Database) -> None:
    async with entry(shop_db) as (app, pilot):
        await open_sale(pilot)
        await pilot.press("enter")
        await choose_reason(pilot, app, "quality")
        app.action_toggle_language()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SlipEntryScreen)
        assert str(screen.query_one("#lbl-reason", Static).content) == "Reason"
        assert screen.query_one("#entry-reason", Select).value == "quality"
        assert screen.query_one(SaleLinesTable).picks == {0: 1}
        verdict = str(screen.query_one("#entry-verdict", Static).content)
        assert "Every rule passes" in verdict


async def test_search_results_are_one_page(shop_db: Database) -> None:
    """Large data: a scan matching many sales lists one page (the service's limit), newest
    first, and says there may be more; nothing loads whole tables."""
    sv.receive_purchase(shop_db, "owner", "P1", 30, now=NOW - timedelta(days=3))
    sv.record_sales(shop_db, "clerk", [sv.SaleInput(
        f"SO-B{i:02d}", "store", NOW - timedelta(hours=i), [sv.SaleLineInput("P1", 1, 2000)])
        for i in range(25)], now=NOW)
    async with entry(shop_db) as (app, pilot):
        await open_sale(pilot, "P1")
        results = app.screen.query_one("#entry-results", OptionList)
        assert results.option_count == PAGE
        assert results.get_option_at_index(0).id == "SO-B00"
        assert error_text(app, "search") == i18n.t("entry_more_results", n=PAGE)


async def test_a_search_answered_after_f4_or_ctrl_n_is_dropped(shop_db: Database) -> None:
    """A sale search still under way when the clerk presses F4 (no receipt) must not list
    sales in the product search (choosing one would look a sale up as a product), and a sale
    still loading when they press Ctrl+N must not fill the new, empty form."""
    sv.record_sales(shop_db, "clerk", [sv.SaleInput(
        "SO-2", "store", NOW, [sv.SaleLineInput("P1", 1, 2000)])], now=NOW)
    async with entry(shop_db) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, SlipEntryScreen)
        finder = screen.query_one(SaleFinder)
        # Asked and switched in one go, so the answer can only come after the switch.
        finder.find_sales(shop_db, "P1", app.db_location)  # two sales match: a list
        screen.action_no_receipt()
        await settle(pilot)
        assert screen.state.no_receipt
        results = screen.query_one("#entry-results", OptionList)
        assert results.option_count == 0 and not results.has_class("-shown")

        screen.action_no_receipt()  # back to a sale
        finder.open_sale(shop_db, "SO-1", app.db_location)
        screen.action_new_slip()
        await settle(pilot)
        assert screen.state.sale is None
        assert screen.query_one(SaleLinesTable).row_count == 0

        # Asked after the clear, the same read is shown as ever.
        finder.open_sale(shop_db, "SO-1", app.db_location)
        await settle(pilot)
        assert screen.state.sale is not None and screen.state.sale.order == "SO-1"
        assert screen.query_one(SaleLinesTable).row_count == 2
    assert row_count(shop_db, "slips") == 0
