"""`verify`, the audit trail and archives on a damaged or tampered database: each case by
hand, as it was reported, with the message read in both languages.

* a malformed datetime in `audit_events.at` or `daily_closes.ends_at`: verify names the
  table, row and column, the chain check names the first broken row, and the other checks
  still run;
* a posting on a closed day moved from 1002 to 1001 (the day's totals are unchanged);
* a posting naming an account that does not exist (written with foreign keys off);
* `stock_moves.at` = 'notadate'; a BLOB in `detail_json`;
* the audit tail deleted together with the chain head;
* `rma audit`, `rma archive-check`, the read commands and the app meet the damage with a
  message naming it, never a traceback.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import rma_on
from conftest import NOW
from pilot import settle
from test_damaged_cells import SHOP

from rma_tui import service as sv
from rma_tui.app import make_app
from rma_tui.screens.home import HomeScreen
from rma_tui.store.db import Database


@pytest.fixture
def shop() -> Iterator[Database]:
    """A copy of the seeded shop (a slip in every state, a closed day, store credit)."""
    with SHOP.copy() as db:
        yield db


def raw(db: Database, *statements: str) -> None:
    """Write as a hand-edit would: SQLite itself, foreign keys off."""
    con = sqlite3.connect(db.url.removeprefix("sqlite:///"))
    try:
        for stmt in statements:
            con.execute(stmt)
        con.commit()
    finally:
        con.close()


def failing(db: Database) -> dict[str, dict[str, object]]:
    """`rma verify --json` (exit 1), the failing checks by name."""
    r = rma_on(db, "verify", "--json", code=1)
    assert "Traceback" not in r.stdout + r.stderr
    return {c["name"]: c for c in json.loads(r.stdout)["checks"] if not c["ok"]}


def findings(check: dict[str, object]) -> list[dict[str, object]]:
    found = check["findings"]
    assert isinstance(found, list)
    return found


def test_bad_datetimes_are_named_and_the_rest_is_checked(shop: Database) -> None:
    raw(shop, "UPDATE audit_events SET at = '2026-07-12 08:56:05.000000x' WHERE id = 5",
        "UPDATE daily_closes SET ends_at = 'garbage'")
    bad = failing(shop)
    cells = {(f["params"]["table"], f["params"]["row"], f["params"]["column"])  # type: ignore[index]
             for f in findings(bad["cells"])}
    assert ("audit_events", "5", "at") in cells
    close_id = one(shop, "SELECT id FROM daily_closes")
    assert ("daily_closes", str(close_id), "ends_at") in cells
    chain = findings(bad["chain"])[0]
    assert chain["key"] == "verify_chain_altered" and chain["params"]["seq"] == 5  # type: ignore[index]
    assert set(bad) == {"cells", "chain", "daily-close"}  # every other check ran and passed
    zh = rma_on(shop, "verify", code=1).stdout
    assert "audit_events 表第 5 行 at 列不是有效的日期时间：2026-07-12 08:56:05.000000x" in zh
    assert "审计记录 序号 5（id 5）被改动" in zh and "发现问题" in zh
    en = rma_on(shop, "--lang", "en", "verify", code=1).stdout
    assert "audit_events row 5 column at: is not a valid date and time" in en
    assert "Problems found" in en


def one(db: Database, stmt: str) -> object:
    con = sqlite3.connect(db.url.removeprefix("sqlite:///"))
    try:
        return con.execute(stmt).fetchone()[0]
    finally:
        con.close()


def test_a_closed_days_posting_moved_between_accounts(shop: Database) -> None:
    busy = sv.close_day(shop, "finance", sv.as_utc(NOW).astimezone().date(),
                        now=NOW + timedelta(days=1))
    assert busy.debit_fen > 0  # the day of the seeded returns
    day = busy.day
    start, end = (one(shop, f"SELECT {c} FROM daily_closes WHERE day = '{day}'")
                  for c in ("starts_at", "ends_at"))
    moved = one(shop, "SELECT count(*) FROM postings p JOIN journal_entries e ON e.id = "
                      f"p.entry_id WHERE e.at >= '{start}' AND e.at < '{end}'")
    assert moved, "the closed day has postings"
    account = one(shop, "SELECT p.account_code FROM postings p JOIN journal_entries e ON "
                        f"e.id = p.entry_id WHERE e.at >= '{start}' AND e.at < '{end}' LIMIT 1")
    other = "1001" if account != "1001" else "1002"
    raw(shop, f"UPDATE postings SET account_code = '{other}' WHERE id = (SELECT p.id FROM "
              f"postings p JOIN journal_entries e ON e.id = p.entry_id WHERE e.at >= '{start}'"
              f" AND e.at < '{end}' AND p.account_code = '{account}' LIMIT 1)")
    bad = failing(shop)
    assert set(bad) == {"daily-close"}, bad  # the totals balance: only the close sees it
    parts = {(f["params"]["day"], f["params"]["part"], f["params"]["item"])  # type: ignore[index]
             for f in findings(bad["daily-close"])}
    assert (day, "accounts", account) in parts and (day, "accounts", other) in parts


def test_a_posting_naming_no_account(shop: Database) -> None:
    raw(shop, "UPDATE postings SET account_code = '9999' WHERE id = 3")
    bad = failing(shop)
    dangling = [f["params"] for f in findings(bad["cells"])]
    assert {"table": "postings", "row": "3", "column": "account_code", "problem": "no_parent",
            "value": "9999 → accounts"} in dangling


def test_a_stock_move_at_not_a_date_and_a_blob_detail(shop: Database) -> None:
    raw(shop, "UPDATE stock_moves SET at = 'notadate' WHERE id = 2",
        "UPDATE audit_events SET detail_json = x'00ff7b7d' WHERE id = 7")
    cells = {(f["params"]["table"], f["params"]["column"], f["params"]["problem"])  # type: ignore[index]
             for f in findings(failing(shop)["cells"])}
    assert ("stock_moves", "at", "bad_datetime") in cells
    assert ("audit_events", "detail_json", "not_text") in cells


def test_the_tail_deleted_with_the_head(shop: Database) -> None:
    last = one(shop, "SELECT max(seq) FROM audit_events")
    raw(shop, f"DELETE FROM audit_events WHERE seq > {int(last) - 3}",  # type: ignore[call-overload]
        "DELETE FROM chain_head")
    chain = findings(failing(shop)["chain"])[0]
    assert chain["key"] == "verify_chain_no_head"
    assert "没有链头" in str(chain["message_zh"])
    assert "chain head missing" in str(chain["message_en"])


def test_the_audit_commands_and_reads_name_the_damage(shop: Database, tmp_path: Path) -> None:
    period = str(one(shop, "SELECT substr(at, 1, 7) FROM audit_events WHERE id = 5"))
    out = tmp_path / "arc"
    rma_on(shop, "archive", "--period", period, "--out", str(out), user="owner")
    raw(shop, "UPDATE audit_events SET at = 'garbage' WHERE id = 5")
    r = rma_on(shop, "audit", "--limit", "10000", user="owner", code=1)
    assert r.stderr.startswith("错误: 数据库中有损坏的数据") and "audit_events 5 at='garbage'" in (
        r.stderr), r.stderr
    assert "rma verify" in r.stderr and "rma restore" in r.stderr
    check = rma_on(shop, "archive-check", str(out), "--json", user="owner", code=1)
    problem = json.loads(check.stdout)["problem"]
    assert problem["key"] == "audit_arc_event_altered" and problem["seq"] == 5
    report = sv.verify(shop)
    assert not report.ok


async def test_the_app_says_the_database_is_damaged(shop: Database) -> None:
    raw(shop, "UPDATE stock_alerts SET raised_at = 'garbage'")
    app = make_app(shop.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, HomeScreen)
        shown = " ".join(str(w.render()) for w in screen.query("Static"))
        assert "数据库中有损坏的数据" in shown and "stock_alerts" in shown, shown
