"""The audit screen: Pilot tests by keyboard (filter, page, open a slip's timeline, verify a
tampered chain) that check the database was only read, and snapshots at 120x36 (zh, en)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot import settle, snapshot_app
from rich.text import Text
from sqlalchemy import text
from test_reads_audit import SETTLED, TOTAL, row_id, seed_audit, tamper
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.screens import audit
from rma_tui.screens.audit import AuditScreen
from rma_tui.store.db import Database
from rma_tui.widgets.audit_timeline import SlipTimelineScreen
from rma_tui.widgets.message_line import MessageLine

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, str]]:
    return db, seed_audit(db)


async def open_audit(pilot: Pilot[None]) -> AuditScreen:
    """Wait for the session, press 9 and wait for the trail."""
    await settle(pilot)
    await pilot.press("9")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AuditScreen) and screen.loaded
    return screen


def table_seqs(screen: AuditScreen) -> list[int]:
    table = screen.query_one("#audit-table", DataTable)
    return [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)]


def message(screen: AuditScreen) -> MessageLine:
    return screen.query_one(MessageLine)


def message_text(screen: AuditScreen) -> str:
    rendered = message(screen).render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def audit_snapshot(db: Database) -> list[tuple[object, ...]]:
    """Every audit row, to prove the screen wrote nothing."""
    with db.read() as s:
        return [tuple(r) for r in s.execute(text("SELECT * FROM audit_events ORDER BY seq"))]


async def to_row(pilot: Pilot[None], screen: AuditScreen, seq: int) -> None:
    """Move the cursor to event `seq` by keyboard."""
    table = screen.query_one("#audit-table", DataTable)
    table.focus()
    await pilot.press("ctrl+home")
    for _ in range(table_seqs(screen).index(seq)):
        await pilot.press("down")
    await settle(pilot)
    row = screen.current_row()
    assert row is not None and row.seq == seq


async def filter_by(pilot: Pilot[None], screen: AuditScreen, **values: str) -> None:
    """Type into the filter fields (set directly: a key press is slow) and press Enter."""
    await pilot.press("f")
    assert pilot.app.focused is screen.query_one("#audit-slip", Input)
    for name, value in values.items():
        screen.query_one(f"#audit-{name}", Input).value = value
    await pilot.press("enter")
    await settle(pilot)


# -- Pilot tests ----------------------------------------------------------------------------


async def test_key_9_shows_the_trail_newest_first(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        assert table_seqs(screen) == list(range(TOTAL, 0, -1))
        assert screen.query_one("#audit-pane").border_title == f"审计记录（{TOTAL}）"
        table = screen.query_one("#audit-table", DataTable)
        settle_row = [str(c) for c in table.get_row(str(SETTLED[-1]))]
        assert settle_row[2:6] == ["finance", "结算", n["settled"], "已质检 → 已结算"]
        assert "退款 ¥18.00（现金）" in settle_row[6]


async def test_filter_by_slip_shows_only_its_rows(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    before = audit_snapshot(db)
    app = make_app(db.url, "clerk", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        await filter_by(pilot, screen, slip=n["settled"])
        assert table_seqs(screen) == SETTLED[::-1]
        assert {r.slip for r in screen.rows} == {n["settled"]}
        assert app.focused is screen.query_one("#audit-table", DataTable)
        # User and dates narrow further; c clears everything.
        await filter_by(pilot, screen, user="warehouse", since="2026-11-20", until="2026-11-20")
        assert [r.action for r in screen.rows] == ["inspect", "receive"]
        await pilot.press("c")
        await settle(pilot)
        assert table_seqs(screen) == list(range(TOTAL, 0, -1))
        assert screen.query_one("#audit-slip", Input).value == ""
    assert audit_snapshot(db) == before


async def test_bad_date_is_said_and_nothing_filtered(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    app = make_app(db.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        await filter_by(pilot, screen, since="2026-13-01")
        assert "2026-13-01" in message_text(screen)
        assert message(screen).has_class("-error")
        assert table_seqs(screen) == list(range(TOTAL, 0, -1))
        assert screen.filter is None


async def test_enter_opens_the_slip_timeline(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        await to_row(pilot, screen, 19)
        await pilot.press("enter")
        await settle(pilot)
        timeline = app.screen
        assert isinstance(timeline, SlipTimelineScreen)
        assert timeline.timeline is not None and timeline.timeline.number == n["rejected"]
        assert [e.action for e in timeline.timeline.events] == ["create", "submit", "reject"]
        assert timeline.timeline.close_reason == "包装已拆"
        await pilot.press("escape")
        assert app.screen is screen
        # An event that is not about a slip says so instead.
        await to_row(pilot, screen, TOTAL)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen is screen
        assert message_text(screen) == f"第 {TOTAL} 条记录不涉及单据"


async def test_verify_intact_chain(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert message_text(screen) == f"审计链完整：{TOTAL} 条"
        assert message(screen).has_class("-ok")


async def test_verify_names_the_tampered_row_and_moves_there(
        seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    tamper(db, "UPDATE audit_events SET detail_json = replace(detail_json, '1800', '18000') "
               "WHERE seq = 17")
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert message_text(screen) == f"审计链断裂：第 17 条（id {row_id(db, 17)}）被改动"
        assert message(screen).has_class("-error")
        row = screen.current_row()
        assert row is not None and row.seq == 17
        # The line under the table reads the whole (forged) event.
        current = str(screen.query_one("#audit-current", Static).render())
        assert current == f"#17 finance: 结算 {n['settled']} 退款 ¥180.00（现金）"
        # The language switch redraws the verdict.
        await pilot.press("l")
        await settle(pilot)
        assert message_text(screen) == (f"Audit chain broken: row seq 17 (id {row_id(db, 17)}) "
                                        "was altered")


async def test_verify_reads_the_page_holding_the_broken_row(
        seeded: tuple[Database, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = seeded
    monkeypatch.setattr(audit, "PAGE", 5)
    tamper(db, "UPDATE audit_events SET user = 'nobody' WHERE seq = 3")
    app = make_app(db.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        assert table_seqs(screen) == [21, 20, 19, 18, 17]
        await pilot.press("v")
        await settle(pilot)
        assert "row seq 3" in message_text(screen)
        row = screen.current_row()
        assert row is not None and row.seq == 3 and row.user == "nobody"


async def test_deleted_last_row_is_named(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    tamper(db, "DELETE FROM audit_events WHERE seq = :q", q=TOTAL)
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert message_text(screen) == (f"审计链断裂：链头记到第 {TOTAL} 条，记录只到第 "
                                        f"{TOTAL - 1} 条（末尾被删）")


async def test_pages_load_as_the_cursor_reaches_the_end(
        seeded: tuple[Database, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = seeded
    monkeypatch.setattr(audit, "PAGE", 8)
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        assert len(screen.rows) == 8 and screen.next_before == 14
        assert screen.query_one("#audit-pane").border_title == "审计记录（8+）"
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert len(screen.rows) == 16
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table_seqs(screen) == list(range(TOTAL, 0, -1))
        assert screen.next_before is None


async def test_reload_shows_new_events(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_audit(pilot)
        await to_row(pilot, screen, 17)
        sv.adjust_stock(db, "warehouse", "P2", "sellable", 1, "盘盈")  # another terminal
        await pilot.press("r")
        await settle(pilot)
        assert table_seqs(screen)[0] == TOTAL + 1
        row = screen.current_row()
        assert row is not None and row.seq == 17  # the cursor stays on its event


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, lang: str, tampered: bool = False) -> RmaApp:
    def seed(d: Database) -> None:
        seed_audit(d)
        if tampered:
            tamper(d, "UPDATE audit_events SET detail_json = "
                      "replace(detail_json, '1800', '18000') WHERE seq = 17")

    return snapshot_app(tmp_path, seed, "owner", lang)


async def _show_and_verify(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("9")
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)


def test_snapshot_audit_zh_120x36(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "zh")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_show_and_verify)


def test_snapshot_audit_en_120x36_tampered(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "en", tampered=True)
    assert snap_compare(app, terminal_size=(120, 36), run_before=_show_and_verify)


def test_snapshot_timeline_zh_120x36(snap_compare, tmp_path: Path) -> None:
    async def open_timeline(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)

    app = _snapshot_app(tmp_path, "zh")
    assert snap_compare(app, terminal_size=(120, 36), run_before=open_timeline)


def test_snapshot_audit_en_80x24(snap_compare, tmp_path: Path) -> None:
    app = _snapshot_app(tmp_path, "en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_show_and_verify)
