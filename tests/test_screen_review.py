"""The review queue: Pilot tests by keyboard that assert the database afterwards, and
snapshots at 120x36 (zh, en) and 80x24."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle, snapshot_app
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.screens import review
from rma_tui.screens.dialogs import TextPromptDialog
from rma_tui.screens.review import ReviewScreen
from rma_tui.store.db import Database
from rma_tui.store.models import Slip
from rma_tui.widgets.slip_view import SlipDetail

PHONE = "13800000001"


def seed(db: Database) -> dict[str, str]:
    """The conftest shop plus five submitted slips, each failing some policy rule, at fixed
    times (so snapshots never change). Returns their numbers by name, oldest first."""
    make_shop(db, now=NOW)
    at = iter(NOW + timedelta(minutes=m) for m in range(1, 200))
    sv.set_setting(db, "owner", "shop_name", "小米数码（测试店）", now=next(at))
    sv.record_sales(db, "clerk", [
        # Three weeks ago: outside every window.
        sv.SaleInput("SO-3", "store", NOW - timedelta(days=21), [sv.SaleLineInput("P1", 2, 1800)],
                     customer_phone=PHONE, payment_method="cash"),
        # Yesterday: three earphones, 420.00, over the store's auto-approve amount.
        sv.SaleInput("SO-5", "store", NOW - timedelta(days=1), [sv.SaleLineInput("P2", 3, 14000)],
                     customer_phone=PHONE, payment_method="wechat"),
    ], now=next(at))

    def submitted(actor: str, order: str, lines: list[sv.LineInput]) -> str:
        slip = sv.create_slip(db, actor, order, "return", lines, now=next(at))
        sv.submit_slip(db, actor, slip.number, now=next(at))
        assert sv.get_slip(db, slip.number).status == "submitted"
        return slip.number

    return {
        "late": submitted("clerk", "SO-3", [sv.LineInput("P1", 1, "changed_mind",
                                                         reason_text="不想要了")]),
        "opened": submitted("clerk", "SO-1", [sv.LineInput("P2", 1, "changed_mind",
                                                           packaging_intact=False)]),
        "own": submitted("owner", "SO-1", [sv.LineInput("P1", 1, "changed_mind",
                                                        packaging_intact=False)]),
        "over": submitted("clerk2", "SO-5", [sv.LineInput("P2", 3, "changed_mind")]),
        "late2": submitted("clerk", "SO-3", [sv.LineInput("P1", 1, "size")]),
    }


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, str]]:
    """The `db` fixture with `seed` applied, and the slip numbers."""
    return db, seed(db)


# Times show in the shop's zone whatever the machine's; the language is reset after.
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


async def open_review(pilot: Pilot[None]) -> ReviewScreen:
    """Wait for the session, then show the review screen and wait for its data."""
    await settle(pilot)
    screen = ReviewScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert screen.loaded
    return screen


async def highlight(pilot: Pilot[None], screen: ReviewScreen, number: str) -> None:
    """Move the cursor to the slip `number` by keyboard."""
    table = screen.query_one("#review-queue", DataTable)
    table.focus()
    await pilot.press("ctrl+home")  # to the first row ("home" is the first column)
    index = [i.number for i in screen.items].index(number)
    for _ in range(index):
        await pilot.press("down")
    await settle(pilot)
    assert screen.current_number() == number
    assert screen.query_one(SlipDetail).slip is not None
    assert screen.query_one(SlipDetail).slip.number == number  # type: ignore[union-attr]


async def answer(pilot: Pilot[None], text: str) -> None:
    """Type `text` into the open reason dialog (set directly: a key press is slow) + Enter."""
    assert isinstance(pilot.app.screen, TextPromptDialog)
    pilot.app.screen.query_one("#dialog-input", Input).value = text
    await pilot.press("enter")
    await settle(pilot)


def slip_row(db: Database, number: str) -> Slip:
    """The slip's row as stored (a detached copy)."""
    with db.read() as s:
        return Slip.model_validate(s.exec(select(Slip).where(Slip.number == number)).one())


def messages(app: RmaApp) -> list[str]:
    """The texts of the toasts shown so far."""
    return [n.message for n in app._notifications]


def queue_numbers(screen: ReviewScreen) -> list[str]:
    """The slip numbers in the table, top to bottom."""
    table = screen.query_one("#review-queue", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def db_location(db: Database) -> str:
    """The URL of the fixture database (the app opens its own engine on it)."""
    return db.url


# -- Pilot tests ----------------------------------------------------------------------------


async def test_queue_oldest_first_with_flags(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        assert queue_numbers(screen) == list(n.values())
        table = screen.query_one("#review-queue", DataTable)
        flags = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert "逾期" in flags[0]
        assert "已拆封" in flags[1]
        assert "超额" in flags[3]
        # 张三 has three slips within the year by the third one: a repeat returner.
        assert "多次退货" in flags[2] and "多次退货" not in flags[0]


async def test_approve_by_non_creator_approver(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    # Every submitted slip broke a rule (one that passes is approved on submit), so a
    # slip the policy passed is made here as if the auto-approval had been off.
    with db.write() as s:
        row = s.exec(select(Slip).where(Slip.number == n["opened"])).one()
        row.policy_ok = True
    app = make_app(db_location(db), "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["opened"])
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, TextPromptDialog)  # no reason asked
        row = slip_row(db, n["opened"])
        assert row.status == "approved" and row.override_by is None
        assert n["opened"] not in queue_numbers(screen)
        assert any(n["opened"] in m for m in messages(app))
        # The cursor moved on to the slip that took its place.
        assert screen.current_number() == n["own"]


async def test_owner_approves_exception_with_reason(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["late"])
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TextPromptDialog)
        # An empty reason is not accepted: the dialog stays, nothing is saved.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TextPromptDialog)
        assert slip_row(db, n["late"]).status == "submitted"
        await answer(pilot, "老顾客，特批")
        row = slip_row(db, n["late"])
        assert row.status == "approved"
        assert (row.override_by, row.override_reason) == ("owner", "老顾客，特批")
        assert n["late"] not in queue_numbers(screen)


async def test_finance_cannot_approve_exception(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "finance", "en", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["late"])
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, TextPromptDialog)
        row = slip_row(db, n["late"])
        assert row.status == "submitted" and row.override_by is None
        assert i18n.t("exception_needs_owner", "en", slip=n["late"]) in messages(app)
        assert n["late"] in queue_numbers(screen)


async def test_creator_cannot_approve_or_reject_own_slip(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["own"])
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, TextPromptDialog)  # no reason asked for nothing
        own = i18n.t("own_slip", "zh", user="owner", slip=n["own"])
        assert messages(app).count(own) == 1
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, TextPromptDialog)
        assert messages(app).count(own) == 2
        row = slip_row(db, n["own"])
        assert row.status == "submitted" and row.override_by is None
        assert n["own"] in queue_numbers(screen)


async def test_reject_with_reason(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "finance", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["over"])
        await pilot.press("x")
        await settle(pilot)
        await answer(pilot, "超过无理由退货期限")
        row = slip_row(db, n["over"])
        assert row.status == "rejected" and row.close_reason == "超过无理由退货期限"
        assert sv.get_slip(db, n["over"]).events[-1].detail == {"reason": "超过无理由退货期限"}
        assert n["over"] not in queue_numbers(screen)


async def test_cancelling_the_reason_changes_nothing(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    head = sv.chain_head(db)
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["late"])
        for key in ("x", "a"):  # reject, then approve-as-exception: both asked, both escaped
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, TextPromptDialog)
            app.screen.query_one("#dialog-input", Input).value = "不该保存"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen
        assert slip_row(db, n["late"]).status == "submitted"
        assert sv.chain_head(db) == head  # not a single audit event written
        assert queue_numbers(screen) == list(n.values())


async def test_reload_picks_up_another_terminal(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["over"])
        # Another terminal: a new slip submitted, and the oldest one rejected.
        at = NOW + timedelta(hours=5)
        new = sv.create_slip(db, "clerk", "SO-1", "return",
                             [sv.LineInput("P1", 1, "changed_mind", packaging_intact=False)],
                             now=at)
        sv.submit_slip(db, "clerk", new.number, now=at)
        sv.reject_slip(db, "boss2", n["late"], "重复登记", now=at)
        screen.reload()
        await settle(pilot)
        numbers = queue_numbers(screen)
        assert numbers[-1] == new.number and n["late"] not in numbers
        assert screen.current_number() == n["over"]  # the cursor stayed on its slip


async def test_reload_without_changes_reads_nothing(
        seeded: tuple[Database, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    db, n = seeded
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        calls: list[int] = []
        real = sv.review_queue

        def counting(*args: object, **kwargs: object) -> list[sv.QueueItem]:
            calls.append(1)
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(sv, "review_queue", counting)
        screen.reload()
        await settle(pilot)
        assert calls == []


async def test_pages_load_as_the_cursor_reaches_the_end(
        seeded: tuple[Database, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    db, n = seeded
    monkeypatch.setattr(review, "PAGE", 2)
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        assert queue_numbers(screen) == list(n.values())[:2] and screen.has_more
        for _ in range(4):
            await pilot.press("down")
            await settle(pilot)
        assert queue_numbers(screen) == list(n.values()) and not screen.has_more
        assert screen.current_number() == n["late2"]


async def test_language_switch_relabels(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_review(pilot)
        i18n.set_lang("en")
        screen.relabel()
        await settle(pilot)
        table = screen.query_one("#review-queue", DataTable)
        assert "Late" in str(table.get_row_at(0)[1])
        keys = {k: ab.binding.description for k, ab in screen.active_bindings.items()}
        assert keys["a"] == "Approve" and keys["x"] == "Reject"


async def test_clerk_cannot_review(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    head = sv.chain_head(db)
    app = make_app(db_location(db), "clerk2", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, n["late"])
        for key in ("a", "x"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, TextPromptDialog)
        denied = [m for m in messages(app) if "clerk2" in m]
        assert len(denied) == 2
        assert sv.chain_head(db) == head and slip_row(db, n["late"]).status == "submitted"


async def test_key_3_opens_the_queue(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert queue_numbers(app.screen) == list(n.values())


async def test_enter_scrolls_the_detail_and_escape_goes_back(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db_location(db), "owner", "en", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        detail = screen.query_one(SlipDetail)
        await pilot.press("enter")
        assert app.focused is detail
        await pilot.press("down", "down", "down")
        await settle(pilot)
        assert detail.scroll_y > 0  # at 80x24 the pane is shorter than the slip
        await pilot.press("escape")
        assert app.focused is screen.query_one("#review-queue", DataTable)


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, user: str, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, seed, user, lang)


async def _show_review(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.app.push_screen(ReviewScreen())
    await settle(pilot)


def test_snapshot_review_zh_120x36(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "owner", "zh")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_show_review)


def test_snapshot_review_en_120x36(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "owner", "en")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_show_review)


def test_snapshot_review_zh_80x24(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "owner", "zh")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_show_review)


def test_snapshot_review_en_80x24(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "finance", "en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_show_review)

