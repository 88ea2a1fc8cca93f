"""The app: Pilot tests against a seeded database, and snapshots of the home screen."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle, snapshot_app
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade
from rma_tui.widgets.status_counts import StatusCounts

APP_SIZE = (120, 36)


def seed(db: Database, now: datetime = NOW) -> None:
    """The tiny shop of conftest, plus slips in six states, a low-stock alert and
    notifications for every role. Every write has a fixed time, so snapshots never change."""
    make_shop(db, now=now)
    at = iter(now + timedelta(minutes=m) for m in range(1, 100))
    sv.set_setting(db, "owner", "shop_name", "小米数码（测试店）", now=next(at))
    # SO-3: two cables sold three weeks ago (outside the no-reason window).
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-3", "store", now - timedelta(days=21), [sv.SaleLineInput("P1", 2, 1800)],
        customer_phone="13800000001", payment_method="cash")], now=next(at))
    # settled: return, auto-approved, received, inspected, refunded in cash.
    s1 = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                        now=next(at))
    sv.submit_slip(db, "clerk", s1.number, now=next(at))
    sv.receive_slip(db, "warehouse", s1.number, now=next(at))
    sv.inspect_slip(db, "warehouse", s1.number, [sv.GradeInput("P1", 1, 0, 0)], now=next(at))
    sv.settle_slip(db, "finance", s1.number, "cash", now=next(at))
    # approved (automatically): a quality fault.
    s2 = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                        now=next(at))
    sv.submit_slip(db, "clerk", s2.number, now=next(at))
    # draft.
    sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P2", 1, "changed_mind")],
                   now=next(at))
    # cancelled exchange.
    s4 = sv.create_slip(db, "clerk", "SO-1", "exchange",
                        [sv.LineInput("P1", 1, "size", replacement_sku="P1")], now=next(at))
    sv.cancel_slip(db, "clerk", s4.number, "客户不换了", now=next(at))
    # submitted (late, waits for the owner) and rejected.
    s5 = sv.create_slip(db, "clerk", "SO-3", "return", [sv.LineInput("P1", 1, "changed_mind")],
                        now=next(at))
    sv.submit_slip(db, "clerk", s5.number, now=next(at))
    s6 = sv.create_slip(db, "clerk", "SO-3", "return", [sv.LineInput("P1", 1, "changed_mind")],
                        now=next(at))
    sv.submit_slip(db, "clerk", s6.number, now=next(at))
    sv.reject_slip(db, "owner", s6.number, "超过无理由退货期限", now=next(at))
    # Two more earphones sold: sellable falls to the reorder point -> alert for the owner.
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-4", "store", now, [sv.SaleLineInput("P2", 2, 15000)],
        customer_phone="13800000001", payment_method="wechat")], now=next(at))


@pytest.fixture
def seeded(db: Database) -> Database:
    """The `db` fixture with `seed` applied."""
    seed(db)
    return db


# Times show in the shop's zone whatever the machine's; the language is reset after.
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def shown_counts(app: RmaApp) -> dict[str, int]:
    """The counts per state as the screen shows them (the text of each count box)."""
    widget = app.screen.query_one(StatusCounts)
    return {cell.id.removeprefix("status-"): int(str(app.screen.query_one(
        f"#count-{cell.id.removeprefix('status-')}", Static).content))
        for cell in widget.children if cell.id}


def shown_notifications(app: RmaApp) -> list[str]:
    """Every notification as the screen shows it, on one line: time, two spaces, message."""
    options = app.screen.query_one("#notifications", OptionList)
    lines = []
    for i in range(options.option_count):
        console = Console(width=400, file=io.StringIO(), record=True)
        console.print(options.get_option_at_index(i).prompt)
        lines.append(console.export_text().rstrip())
    return lines


def expected_notifications(db: Database, role: str, lang: str) -> list[str]:
    """What `shown_notifications` should read, straight from the service."""
    return [f"{n.created_at.astimezone():%m-%d %H:%M}  {i18n.t(n.key, lang, **n.params)}"
            for n in sv.notifications(db, role)]


def footer_keys(app: RmaApp) -> dict[str, str]:
    """Key -> description of the bindings the footer shows."""
    return {key: ab.binding.description for key, ab in app.screen.active_bindings.items()
            if ab.binding.show}


def table_text(app: RmaApp, selector: str) -> list[list[str]]:
    """Every row of a DataTable as plain strings."""
    table: DataTable[str] = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


# -- Pilot tests ----------------------------------------------------------------------------


async def test_home_shows_counts_notifications_and_alerts(seeded: Database) -> None:
    app = make_app(seeded.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        counts = sv.count_by_status(seeded)
        assert shown_counts(app) == counts
        assert {k for k, v in counts.items() if v} == {
            "draft", "submitted", "approved", "settled", "rejected", "cancelled"}
        labels = {st: str(app.screen.query_one(f"#label-{st}", Static).content)
                  for st in counts}
        assert labels == {st: i18n.label("status", st, "zh") for st in counts}
        rows = shown_notifications(app)
        assert rows == expected_notifications(seeded, "owner", "zh")
        # One late slip awaiting the owner, one low-stock alert; the rejected slip's request
        # was marked done when it was rejected.
        assert len(rows) == 2
        assert app.screen.query_one("#notifications-pane").border_title == \
            f"{i18n.t('notifications_heading', 'zh')} ({sv.count_notifications(seeded, 'owner')})"
        assert rows[0] == "11-20 18:18  低库存：蓝牙耳机（P2）可售 2，已到补货点 2"
        alerts = table_text(app, "#alerts")
        assert [r[0] for r in alerts] == [a.sku for a in sv.alerts(seeded)] == ["P2"]
        assert app.title == "小米数码（测试店）"
        assert "owner" in app.sub_title and i18n.label("role", "owner", "zh") in app.sub_title


async def test_clerk_sees_own_notifications_and_no_alerts(seeded: Database) -> None:
    app = make_app(seeded.url, "clerk", "en", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        assert shown_counts(app) == sv.count_by_status(seeded)
        rows = shown_notifications(app)
        assert rows == expected_notifications(seeded, "clerk", "en")
        assert len(rows) == 4  # one per slip still waiting on a clerk
        assert not app.screen.query_one("#alerts-pane").display
        assert str(app.screen.query_one("#label-draft", Static).content) == i18n.label(
            "status", "draft", "en")


async def test_refresh_picks_up_changes_from_another_terminal(seeded: Database) -> None:
    app = make_app(seeded.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        before = shown_counts(app)
        notes_before = len(shown_notifications(app))
        # Another terminal (here: the service directly) approves the submitted slip
        # and the clerk creates a new draft.
        submitted = sv.list_slips(seeded, status="submitted")[0].number
        sv.approve_slip(seeded, "owner", submitted, override_reason="老顾客，破例", now=NOW)
        sv.create_slip(seeded, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "damaged")],
                       now=NOW)
        sv.add_products(seeded, "owner", [sv.ProductInput("P3", "充电头", 5000, 2000,
                                                          reorder_point=5)], now=NOW)
        sv.receive_purchase(seeded, "owner", "P3", 1, now=NOW)  # at once below reorder
        assert shown_counts(app) == before  # nothing changes until a refresh
        await pilot.press("r")
        await settle(pilot)
        after = shown_counts(app)
        assert after == sv.count_by_status(seeded)
        assert after["submitted"] == before["submitted"] - 1
        assert after["approved"] == before["approved"] + 1
        assert after["draft"] == before["draft"] + 1
        # The approved slip's request is done; the new low-stock alert on P3 is shown.
        shown = shown_notifications(app)
        assert not any(submitted in row for row in shown)
        assert any("P3" in row for row in shown) and len(shown) == notes_before
        assert shown_notifications(app) == expected_notifications(seeded, "owner", "zh")
        shown_alerts = [r[0] for r in table_text(app, "#alerts")]
        assert shown_alerts == [a.sku for a in sv.alerts(seeded)]
        assert sorted(shown_alerts) == ["P2", "P3"]


async def test_periodic_refresh(seeded: Database) -> None:
    app = make_app(seeded.url, "owner", "zh", refresh_seconds=0.2)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        before = shown_counts(app)
        sv.create_slip(seeded, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "damaged")],
                       now=NOW)
        for _ in range(40):
            await pilot.pause(0.1)
            if shown_counts(app)["draft"] == before["draft"] + 1:
                break
        assert shown_counts(app) == sv.count_by_status(seeded)


async def test_language_toggle(seeded: Database) -> None:
    app = make_app(seeded.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#label-draft", Static).content) == \
            i18n.label("status", "draft", "zh")
        keys = footer_keys(app)
        assert keys["r"] == i18n.t("app_key_refresh", "zh") != "app_key_refresh"
        assert keys["q"] == i18n.t("app_key_quit", "zh")
        await pilot.press("l")
        await settle(pilot)
        assert i18n.get_lang() == "en"
        assert str(app.screen.query_one("#label-draft", Static).content) == \
            i18n.label("status", "draft", "en")
        assert shown_notifications(app) == expected_notifications(seeded, "owner", "en")
        assert shown_counts(app) == sv.count_by_status(seeded)
        assert footer_keys(app)["r"] == i18n.t("app_key_refresh", "en")
        assert app.title == "小米数码（测试店）"
        # The header: who is signed in, and how many notifications their role has unread.
        assert app.sub_title == "  ".join([
            i18n.t("app_subtitle", "en", user="owner", role="owner"),
            i18n.t("app_unread", "en", count=sv.count_notifications(seeded, "owner"))])


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_unknown_user_gets_a_message(seeded: Database, lang: str) -> None:
    app = make_app(seeded.url, "nobody", lang, refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        message = str(app.screen.query_one("#home-message", Static).content)
        assert message == i18n.t("app_unknown_user", lang, user="nobody")
        assert "nobody" in message and message != "app_unknown_user"
        assert app.screen.has_class("-problem")
        assert app.screen.query_one("#home-body").styles.display == "none"
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.has_class("-problem")


async def test_missing_database_starts_the_setup_and_creates_nothing(tmp_path: Path) -> None:
    # A new shop starts with the first-run setup (tests/test_shell.py); until it is
    # submitted no file is made, so a mistyped --db leaves nothing behind.
    from rma_tui.screens.setup import SetupScreen

    path = tmp_path / "empty.db"
    app = make_app(str(path), "owner", "en", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
    assert not path.exists()


async def test_unopenable_database_gets_a_message() -> None:
    bad = "/proc/no-such-folder/shop.db"  # cannot be created, even by root
    app = make_app(bad, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        message = str(app.screen.query_one("#home-message", Static).content)
        assert app.screen.has_class("-problem")
        assert app.problem is not None and app.problem.key == "app_db_error"
        assert message == i18n.t("app_db_error", "zh", **app.problem.params)
        assert bad in message


async def test_empty_shop_shows_zero_counts(tmp_path: Path) -> None:
    d = Database(str(tmp_path / "new.db"))
    upgrade(d)
    sv.add_user(d, None, "owner", "owner", now=NOW)
    app = make_app(d.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert shown_counts(app) == dict.fromkeys(sv.STATUSES, 0)
        assert not app.screen.query_one("#notifications").display
        assert str(app.screen.query_one("#notifications-empty", Static).content) == \
            i18n.t("no_notifications", "zh")
    d.dispose()


def test_app_module_does_not_import_sqlmodel() -> None:
    """Start-up stays fast: sqlmodel is imported by the worker, not by `import rma_tui.app`."""
    import subprocess
    import sys

    code = "import sys, rma_tui.app; print('sqlmodel' in sys.modules, 'sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent)
    assert out.stdout.split() == ["False", "False"]


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, user: str, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, seed, user, lang)


async def _finish_workers(pilot: Pilot[None]) -> None:
    await settle(pilot)


def test_snapshot_home_zh_120x36(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "owner", "zh")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_finish_workers)


def test_snapshot_home_en_120x36(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "owner", "en")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_finish_workers)


def test_snapshot_home_zh_80x24(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "owner", "zh")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_finish_workers)


def test_snapshot_home_clerk_en_80x24(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "clerk", "en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_finish_workers)


def test_snapshot_unknown_user_zh_80x24(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "nobody", "zh")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_finish_workers)


async def test_m_marks_the_roles_notifications_read(seeded: Database) -> None:
    assert sv.count_notifications(seeded, "owner") > 0
    clerk_before = sv.count_notifications(seeded, "clerk")
    app = make_app(seeded.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        assert shown_notifications(app)
        await pilot.press("m")
        await settle(pilot)
        await settle(pilot)
        assert sv.count_notifications(seeded, "owner") == 0
        assert shown_notifications(app) == []
        assert app.unread == 0
    # Only the signed-in user's role: the clerks' notifications are untouched.
    assert sv.count_notifications(seeded, "clerk") == clerk_before
