"""The `rma` command line, end to end: global options, every command, exit codes, and the
database rows each command leaves behind (not only the text it prints)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import db_arg, rma
from conftest import Shop, make_shop
from sqlalchemy import text
from sqlmodel import func, select

from rma_tui import demo
from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.models import Feedback, JournalEntry, Posting, Product, Slip, User

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("chinese_after")


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def cli_shop(db: Database) -> Shop:
    """The tiny shop of conftest, sold 5 days ago (real time, as the CLI uses): inside the
    quality windows, outside the store's 3-day no-reason window."""
    return make_shop(db, now=now(), sold_days_ago=5)


def dbarg(db: Database) -> list[str]:
    return ["--db", db_arg(db)]


def slip_count(db: Database) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(Slip)).one())


def slip_json(db: Database, number: str, *opts: str) -> dict:
    return json.loads(rma(*dbarg(db), *opts, "slip", "show", number, "--json").stdout)


# ---------------------------------------------------------------------------------------
# Global options and environment fallbacks
# ---------------------------------------------------------------------------------------


def test_help_lists_commands() -> None:
    r = rma("--help")
    for cmd in ("init", "demo", "verify", "slip", "sale", "stock", "alerts", "user",
                "feedback", "import"):
        assert cmd in r.stdout


def test_init_creates_db_and_first_owner(tmp_path: Path) -> None:
    path = tmp_path / "new" / "shop.db"
    r = rma("--db", str(path), "--user", "老板", "init")
    assert path.exists()
    assert "老板" in r.stdout
    d = Database(str(path))
    try:
        assert [(u.name, u.role) for u in sv.list_users(d)] == [("老板", "owner")]
        # A second init is harmless and adds nobody.
        rma("--db", str(path), "--user", "someone", "init")
        assert [u.name for u in sv.list_users(d)] == ["老板"]
    finally:
        d.dispose()


def test_missing_database_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    r = rma("--db", str(path), "stock", code=1)
    assert str(path) in r.stderr and r.stdout == ""
    assert not path.exists()


def test_env_fallbacks_db_user_lang(cli_shop: Shop, tmp_path: Path) -> None:
    db = cli_shop.db
    path = db_arg(db)
    # RMA_DB and RMA_USER stand in for --db and --user; RMA_LANG for --lang.
    r = rma("user", "add", "newbie", "--role", "clerk",
            env={"RMA_DB": path, "RMA_USER": "owner", "RMA_LANG": "en"})
    assert "Added user newbie" in r.stdout
    assert sv.get_user(db, "newbie") is not None
    # The flag wins over the environment.
    r = rma("--db", path, "--lang", "zh", "user", "list",
            env={"RMA_DB": str(tmp_path / "nowhere.db"), "RMA_LANG": "en"})
    assert "店员" in r.stdout and "Clerk" not in r.stdout
    # RMA_USER is the actor: a clerk may not add users.
    r = rma("user", "add", "x", "--role", "clerk",
            env={"RMA_DB": path, "RMA_USER": "clerk"}, code=1)
    assert sv.get_user(db, "x") is None
    # LANG is the last fallback for the language.
    r = rma("--db", path, "user", "list", env={"LANG": "en_US.UTF-8"})
    assert "Owner" in r.stdout


def test_user_falls_back_to_login_name(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "loginname")
    rma(*dbarg(db), "init", env={"RMA_USER": None})
    assert sv.get_user(db, "loginname") is not None


def test_bad_lang_is_a_usage_error(db: Database) -> None:
    rma(*dbarg(db), "--lang", "fr", "stock", code=2)


def test_lang_en_vs_zh(cli_shop: Shop) -> None:
    db = cli_shop.db
    zh = rma(*dbarg(db), "--lang", "zh", "stock").stdout
    en = rma(*dbarg(db), "--lang", "en", "stock").stdout
    assert "可售" in zh and "Sellable" not in zh
    assert "Sellable" in en and "可售" not in en
    err_zh = rma(*dbarg(db), "--lang", "zh", "slip", "show", "TH-0", code=1).stderr
    err_en = rma(*dbarg(db), "--lang", "en", "slip", "show", "TH-0", code=1).stderr
    assert err_zh.startswith("错误") and err_en.startswith("Error")
    assert "TH-0" in err_zh and "TH-0" in err_en


# ---------------------------------------------------------------------------------------
# A return and an exchange, create -> settle, as different users
# ---------------------------------------------------------------------------------------


def _balances(db: Database) -> dict[str, tuple[int, int]]:
    return sv.account_balances(db)


def _delta(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
           ) -> dict[str, tuple[int, int]]:
    out = {}
    for code in set(before) | set(after):
        d0, c0 = before.get(code, (0, 0))
        d1, c1 = after.get(code, (0, 0))
        if (d1 - d0, c1 - c0) != (0, 0):
            out[code] = (d1 - d0, c1 - c0)
    return out


def _stock(db: Database) -> dict[str, tuple[int, int, int, int]]:
    return {r.sku: (r.sellable, r.pending, r.defective, r.scrap) for r in sv.stock(db)}


def test_return_create_to_settle(cli_shop: Shop) -> None:
    db = cli_shop.db
    a = dbarg(db)
    number = rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type", "return",
                 "--line", "P1:2:changed_mind", "--note", "不想要了").stdout.strip()
    assert number.startswith("TH-") and slip_count(db) == 1
    # Five days after a store sale: the 3-day no-reason window is over -> needs the owner.
    r = rma(*a, "--user", "clerk", "slip", "submit", number)
    assert "submitted" not in r.stdout  # labels, not codes
    assert sv.get_slip(db, number).status == "submitted"
    # A finance user may approve, but not a policy exception; the owner needs a reason.
    r = rma(*a, "--user", "finance", "slip", "approve", number, code=1)
    assert r.stderr and sv.get_slip(db, number).status == "submitted"
    rma(*a, "--user", "owner", "slip", "approve", number, code=1)
    rma(*a, "--user", "owner", "slip", "approve", number, "--override-reason", "老顾客")
    # Receive and inspect are the warehouse's; a clerk is refused.
    rma(*a, "--user", "clerk", "slip", "receive", number, code=1)
    before = _stock(db)
    rma(*a, "--user", "warehouse", "slip", "receive", number)
    assert _stock(db)["P1"] == (before["P1"][0], 2, 0, 0)
    rma(*a, "--user", "warehouse", "slip", "inspect", number, "--grade", "P1:1:1:0")
    assert _stock(db)["P1"] == (before["P1"][0] + 1, 0, 1, 0)
    bal = _balances(db)
    rma(*a, "--user", "finance", "slip", "settle", number, "--method", "cash")
    # Store restocking fee 10% on a no-reason return: 2 x 18.00 = 36.00, fee 3.60.
    assert _delta(bal, _balances(db)) == {
        sv.RETURNS: (3600, 0), sv.CASH: (0, 3240), sv.OTHER_INCOME: (0, 360)}

    j = slip_json(db, number)
    assert j["number"] == number
    assert j["type"] == "return"
    assert j["status"] == "settled"
    assert j["channel"] == "store"
    assert j["customer"] == "张三"
    assert j["sale"] == "SO-1"
    assert j["refund_fen"] == 3240
    assert j["difference_fen"] == 0
    assert len(j["lines"]) == 1
    line = j["lines"][0]
    assert line["sku"] == "P1"
    assert line["qty"] == 2
    assert line["unit_price_fen"] == 1800
    assert line["reason"] == "changed_mind"
    assert line["replacement_sku"] is None
    assert line["replacement_qty"] == 0
    assert [(e["action"], e["user"]) for e in j["events"]] == [
        ("create", "clerk"), ("submit", "clerk"), ("approve", "owner"),
        ("receive", "warehouse"), ("inspect", "warehouse"), ("settle", "finance")]
    for e in j["events"]:
        assert datetime.fromisoformat(e["at"]).tzinfo is not None
    with db.read() as s:
        slip = s.exec(select(Slip).where(Slip.number == number)).one()
        assert (slip.override_by, slip.override_reason) == ("owner", "老顾客")
        entries = s.exec(select(JournalEntry).where(JournalEntry.slip_id == slip.id)).all()
        assert {e.kind for e in entries} == {"return_cost", "refund"}
        for e in entries:
            d, c = s.execute(select(func.sum(Posting.debit_fen), func.sum(Posting.credit_fen))
                             .where(Posting.entry_id == e.id)).one()
            assert d == c
    # Human view: localized labels, money in yuan with two decimals.
    shown = rma(*a, "slip", "show", number).stdout
    assert number in shown and "已结算" in shown and "32.40" in shown and "无理由" in shown
    # Close, then feedback; the verify report stays clean.
    rma(*a, "--user", "clerk", "slip", "close", number)
    assert sv.get_slip(db, number).status == "closed"
    rma(*a, "--user", "clerk", "feedback", number, "--score", "4", "--comment", "处理很快")
    with db.read() as s:
        fb = s.exec(select(Feedback)).one()
        assert (fb.score, fb.comment, fb.by) == (4, "处理很快", "clerk")
    assert sv.verify(db).ok


def test_exchange_create_to_settle(cli_shop: Shop) -> None:
    db = cli_shop.db
    a = dbarg(db)
    number = rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type",
                 "exchange", "--line", "P2:1:size:P1:2").stdout.strip()
    assert number.startswith("HH-")
    rma(*a, "--user", "clerk", "slip", "submit", number)
    rma(*a, "--user", "boss2", "slip", "approve", number, "--override-reason", "换小件")
    rma(*a, "--user", "warehouse", "slip", "receive", number)
    rma(*a, "--user", "warehouse", "slip", "inspect", number, "--grade", "P2:1:0:0")
    before, bal = _stock(db), _balances(db)
    r = rma(*a, "--user", "finance", "slip", "settle", number, "--method", "original")
    assert "-100.00" in r.stdout
    after = _stock(db)
    assert after["P1"][0] == before["P1"][0] - 2  # the replacement went out
    assert after["P2"] == before["P2"]
    # 2 x P1 at 20.00 replace 1 x P2 paid 140.00: 100.00 back to WeChat (bank).
    assert _delta(bal, _balances(db)) == {
        sv.RETURNS: (14000, 0), sv.REVENUE: (0, 4000), sv.BANK: (0, 10000),
        sv.COGS: (1600, 0), sv.INVENTORY: (0, 1600)}
    j = slip_json(db, number)
    assert (j["type"], j["status"], j["channel"], j["customer"], j["sale"]) == (
        "exchange", "settled", "store", "张三", "SO-1")
    assert j["difference_fen"] == -10000 and j["refund_fen"] == 10000
    line = j["lines"][0]
    assert (line["sku"], line["qty"], line["unit_price_fen"], line["reason"],
            line["replacement_sku"], line["replacement_qty"]) == ("P2", 1, 14000, "size", "P1", 2)
    assert [(e["action"], e["user"]) for e in j["events"]] == [
        ("create", "clerk"), ("submit", "clerk"), ("approve", "boss2"),
        ("receive", "warehouse"), ("inspect", "warehouse"), ("settle", "finance")]
    assert sv.verify(db).ok


def test_auto_approval_and_reject_and_cancel(cli_shop: Shop) -> None:
    db = cli_shop.db
    a = dbarg(db)
    n1 = rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type", "return",
             "--line", "P1:1:quality").stdout.strip()
    rma(*a, "--user", "clerk", "slip", "submit", n1)
    v = sv.get_slip(db, n1)
    assert v.status == "approved" and v.auto_approved
    n2 = rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type", "return",
             "--line", "P1:1:changed_mind").stdout.strip()
    rma(*a, "--user", "clerk", "slip", "submit", n2)
    rma(*a, "--user", "owner", "slip", "reject", n2, code=2)  # --reason is required
    rma(*a, "--user", "owner", "slip", "reject", n2, "--reason", "超过期限")
    assert sv.get_slip(db, n2).status == "rejected"
    n3 = rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type", "return",
             "--line", "P1:1:other").stdout.strip()
    rma(*a, "--user", "clerk", "slip", "cancel", n3, "--reason", "录错了")
    assert sv.get_slip(db, n3).status == "cancelled"
    # A closed state cannot move: cancelling again is refused.
    rma(*a, "--user", "clerk", "slip", "cancel", n3, "--reason", "again", code=1)


# ---------------------------------------------------------------------------------------
# Refusals: each exits 1 with a message on stderr and changes nothing
# ---------------------------------------------------------------------------------------


def test_creator_cannot_approve_own_slip(cli_shop: Shop) -> None:
    db = cli_shop.db
    a = dbarg(db)
    number = rma(*a, "--user", "owner", "slip", "create", "--sale", "SO-1", "--type", "return",
                 "--line", "P1:1:changed_mind").stdout.strip()
    rma(*a, "--user", "owner", "slip", "submit", number)
    with db.read() as s:
        events_before = s.execute(text("SELECT count(*) FROM audit_events")).scalar()
    r = rma(*a, "--lang", "en", "--user", "owner", "slip", "approve", number,
            "--override-reason", "mine", code=1)
    assert r.stdout == "" and number in r.stderr
    v = sv.get_slip(db, number)
    assert v.status == "submitted" and v.override_by is None
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM audit_events")).scalar() == events_before
    # Another owner may.
    rma(*a, "--user", "boss2", "slip", "approve", number, "--override-reason", "ok")
    assert sv.get_slip(db, number).status == "approved"


def test_wrong_role_and_unknown_user(cli_shop: Shop) -> None:
    a = dbarg(cli_shop.db)
    r = rma(*a, "--lang", "en", "--user", "warehouse", "slip", "create", "--sale", "SO-1",
            "--type", "return", "--line", "P1:1:quality", code=1)
    assert "warehouse" in r.stderr
    rma(*a, "--user", "nobody", "slip", "create", "--sale", "SO-1", "--type", "return",
        "--line", "P1:1:quality", code=1)
    assert slip_count(cli_shop.db) == 0


def test_unknown_sku_order_and_over_returnable(cli_shop: Shop) -> None:
    a = [*dbarg(cli_shop.db), "--user", "clerk", "--lang", "en"]
    base = ["slip", "create", "--type", "return"]
    r = rma(*a, *base, "--sale", "SO-1", "--line", "P9:1:quality", code=1)
    assert "P9" in r.stderr
    r = rma(*a, *base, "--sale", "SO-404", "--line", "P1:1:quality", code=1)
    assert "SO-404" in r.stderr
    r = rma(*a, *base, "--sale", "SO-1", "--line", "P1:4:quality", code=1)
    assert "3" in r.stderr  # only 3 were sold
    r = rma(*a, *base, "--sale", "SO-1", "--line", "P1:1:broken", code=1)
    assert "broken" in r.stderr
    rma(*a, "slip", "create", "--type", "swap", "--sale", "SO-1", "--line", "P1:1:quality",
        code=1)
    assert slip_count(cli_shop.db) == 0


@pytest.mark.parametrize(("spec", "needle"), [
    ("P1", "P1"), ("P1:1", "P1:1"), ("P1:x:quality", "QTY"), ("P1::quality", "QTY"),
    (":1:quality", "SKU"), ("P1:1:", "REASON"), ("P1:1:size:P2:two", "REPL_QTY"),
    ("P1:1:size:P2:1:9", "P1:1:size:P2:1:9"),
])
def test_bad_line_syntax_names_the_part(cli_shop: Shop, spec: str, needle: str) -> None:
    r = rma(*dbarg(cli_shop.db), "--user", "clerk", "slip", "create", "--sale", "SO-1",
            "--type", "exchange", "--line", spec, code=2)
    assert needle in r.stderr and "--line" in r.stderr
    assert slip_count(cli_shop.db) == 0


def test_bad_grade_syntax(cli_shop: Shop) -> None:
    a = dbarg(cli_shop.db)
    n = rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type", "return",
            "--line", "P1:1:quality").stdout.strip()
    rma(*a, "--user", "clerk", "slip", "submit", n)
    rma(*a, "--user", "warehouse", "slip", "receive", n)
    r = rma(*a, "--user", "warehouse", "slip", "inspect", n, "--grade", "P1:1:0", code=2)
    assert "--grade" in r.stderr
    r = rma(*a, "--user", "warehouse", "slip", "inspect", n, "--grade", "P1:1:x:0", code=2)
    assert "DEFECTIVE" in r.stderr
    # Grades that do not add up are the service's refusal (exit 1).
    rma(*a, "--user", "warehouse", "slip", "inspect", n, "--grade", "P1:1:1:0", code=1)
    assert sv.get_slip(cli_shop.db, n).status == "received"


def test_request_id_replay(cli_shop: Shop) -> None:
    db = cli_shop.db
    args = [*dbarg(db), "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type",
            "return", "--line", "P1:1:quality", "--request-id", "req-1"]
    first = rma(*args).stdout.strip()
    second = rma(*args).stdout.strip()
    assert first == second and slip_count(db) == 1
    # The same id with different content is refused.
    rma(*args[:-4], "--line", "P1:2:quality", "--request-id", "req-1", code=1)
    assert slip_count(db) == 1
    # Replaying a state change is harmless too.
    for _ in range(2):
        rma(*dbarg(db), "--user", "clerk", "slip", "submit", first, "--request-id", "req-2")
    with db.read() as s:
        n = s.execute(text("SELECT count(*) FROM audit_events WHERE request_id = 'req-2'"))
        assert n.scalar() == 1


# ---------------------------------------------------------------------------------------
# verify
# ---------------------------------------------------------------------------------------


def test_verify_json_ok_then_corrupted(cli_shop: Shop) -> None:
    db = cli_shop.db
    r = rma(*dbarg(db), "verify", "--json")
    report = json.loads(r.stdout)
    assert set(report) == {"ok", "checks"} and report["ok"] is True
    assert report["checks"]
    for c in report["checks"]:
        assert set(c) == {"name", "ok", "detail"}
        assert isinstance(c["name"], str) and c["ok"] is True and isinstance(c["detail"], str)
    assert "I1 stock" in {c["name"] for c in report["checks"]}
    rma(*dbarg(db), "verify")  # the table form, exit 0
    with db.write() as s:
        s.execute(text("UPDATE stock_levels SET qty = qty + 1 WHERE location = 'sellable'"))
    r = rma(*dbarg(db), "verify", "--json", code=1)
    report = json.loads(r.stdout)
    assert report["ok"] is False
    bad = [c for c in report["checks"] if not c["ok"]]
    assert [c["name"] for c in bad] == ["I1 stock"]
    r = rma(*dbarg(db), "--lang", "en", "verify", code=1)
    assert "Problems found" in r.stdout


# ---------------------------------------------------------------------------------------
# Reads: JSON shapes
# ---------------------------------------------------------------------------------------


def test_stock_and_alerts_json(cli_shop: Shop) -> None:
    db = cli_shop.db
    rows = json.loads(rma(*dbarg(db), "stock", "--json").stdout)
    assert [set(r) for r in rows] == [{"sku", "name", "sellable", "pending", "defective",
                                       "scrap", "reorder_point", "low"}] * 2
    by = {r["sku"]: r for r in rows}
    assert by["P1"] == {"sku": "P1", "name": "Type-C 数据线", "sellable": 7, "pending": 0,
                        "defective": 0, "scrap": 0, "reorder_point": 3, "low": False}
    assert by["P2"]["sellable"] == 4 and by["P2"]["low"] is False
    assert json.loads(rma(*dbarg(db), "stock", "--json", "--low").stdout) == []
    assert json.loads(rma(*dbarg(db), "alerts", "--json").stdout) == []
    rma(*dbarg(db), "alerts", "--fail-on-alert")  # nothing low: exit 0 (for cron)
    # Sell P2 down to its reorder point: the alert opens.
    sv.record_sales(db, "clerk", [sv.SaleInput("SO-2", "online", now(),
                                               [sv.SaleLineInput("P2", 2, 15000)])])
    low = json.loads(rma(*dbarg(db), "stock", "--json", "--low").stdout)
    assert [r["sku"] for r in low] == ["P2"] and low[0]["low"] is True
    al = json.loads(rma(*dbarg(db), "alerts", "--json").stdout)
    assert len(al) == 1
    assert set(al[0]) == {"sku", "name", "sellable", "reorder_point", "raised_at"}
    assert (al[0]["sku"], al[0]["sellable"], al[0]["reorder_point"]) == ("P2", 2, 2)
    assert "P2" in rma(*dbarg(db), "alerts").stdout
    assert "P2" in rma(*dbarg(db), "alerts", "--fail-on-alert", code=1).stdout
    assert json.loads(rma(*dbarg(db), "alerts", "--json", "--fail-on-alert", code=1).stdout)
    # Stock back above the reorder point: the alert clears and the check passes again.
    sv.receive_purchase(db, "owner", "P2", 5)
    rma(*dbarg(db), "alerts", "--fail-on-alert")


def test_sale_list_and_show_json(cli_shop: Shop) -> None:
    db = cli_shop.db
    sv.record_sales(db, "clerk", [sv.SaleInput("SO-2", "online", now() - timedelta(days=1),
                                               [sv.SaleLineInput("P1", 1, 1999)])])
    rows = json.loads(rma(*dbarg(db), "sale", "list", "--json").stdout)
    assert [r["order"] for r in rows] == ["SO-2", "SO-1"]  # newest first
    assert set(rows[0]) == {"order", "sold_at", "channel", "customer", "total_fen"}
    assert rows[1] == {"order": "SO-1", "sold_at": rows[1]["sold_at"], "channel": "store",
                       "customer": "张三", "total_fen": 3 * 1800 + 14000}
    assert datetime.fromisoformat(rows[1]["sold_at"]).tzinfo is not None
    mine = json.loads(rma(*dbarg(db), "sale", "list", "--customer", "13800000001",
                          "--json").stdout)
    assert [r["order"] for r in mine] == ["SO-1"]
    rma(*dbarg(db), "sale", "list", "--customer", "139", code=1)
    # A return in flight counts as returned.
    n = rma(*dbarg(db), "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type",
            "return", "--line", "P1:2:quality").stdout.strip()
    assert n
    sale = json.loads(rma(*dbarg(db), "sale", "show", "SO-1", "--json").stdout)
    assert sale["order"] == "SO-1" and sale["customer"] == "张三"
    assert sale["total_fen"] == 19400
    assert sale["lines"] == [
        {"sku": "P1", "name": "Type-C 数据线", "sold": 3, "returned": 2, "returnable": 1,
         "unit_price_fen": 1800},
        {"sku": "P2", "name": "蓝牙耳机", "sold": 1, "returned": 0, "returnable": 1,
         "unit_price_fen": 14000},
    ]
    shown = rma(*dbarg(db), "sale", "show", "SO-1").stdout
    assert "194.00" in shown and "张三" in shown
    rma(*dbarg(db), "sale", "show", "SO-404", code=1)


def test_slip_list_pages_and_filters(cli_shop: Shop) -> None:
    db = cli_shop.db
    a = dbarg(db)
    numbers = [rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type",
                   "return", "--line", "P1:1:quality").stdout.strip() for _ in range(3)]
    rma(*a, "--user", "clerk", "slip", "submit", numbers[0])
    rows = json.loads(rma(*a, "slip", "list", "--json").stdout)
    assert [r["number"] for r in rows] == numbers[::-1]
    assert set(rows[0]) >= {"number", "type", "status", "channel", "customer", "created_at",
                            "refund_fen", "difference_fen"}
    page = json.loads(rma(*a, "slip", "list", "--json", "--limit", "2", "--offset", "1").stdout)
    assert [r["number"] for r in page] == numbers[1::-1]
    drafts = json.loads(rma(*a, "slip", "list", "--status", "draft", "--json").stdout)
    assert {r["number"] for r in drafts} == set(numbers[1:])
    r = rma(*a, "slip", "list", "--limit", "1")
    assert numbers[-1] in r.stdout and "--offset 1" in r.stderr
    rma(*a, "slip", "list", "--status", "bogus", code=1)


# ---------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------


def test_user_add_list_and_pin(cli_shop: Shop) -> None:
    db = cli_shop.db
    a = dbarg(db)
    rma(*a, "--user", "owner", "user", "add", "小王", "--role", "warehouse")
    rma(*a, "--user", "owner", "user", "add", "小李", "--role", "clerk", "--pin",
        input="1234\n1234\n")
    assert sv.check_pin(db, "小李", "1234") and not sv.check_pin(db, "小李", "9999")
    with db.read() as s:
        stored = s.exec(select(User.pin_hash).where(User.name == "小李")).one()
        # The stored form is a scrypt hash, never the PIN (a hex salt may hold "1234").
        assert stored and stored.startswith("scrypt$") and stored != "1234"
    rma(*a, "--user", "owner", "user", "add", "小张", "--role", "clerk", "--pin",
        input="1234\n4321\n", code=1)
    assert sv.get_user(db, "小张") is None
    rma(*a, "--user", "owner", "user", "add", "小赵", "--role", "boss", code=1)
    rma(*a, "--user", "owner", "user", "add", "小王", "--role", "clerk", code=1)  # exists
    users = json.loads(rma(*a, "user", "list", "--json").stdout)
    by = {u["name"]: u for u in users}
    assert by["小王"] == {"name": "小王", "role": "warehouse", "has_pin": False, "active": True}
    assert by["小李"]["has_pin"] is True
    assert "小李" in rma(*a, "user", "list").stdout


def test_a_user_with_a_pin_must_prove_it_before_writing(cli_shop: Shop) -> None:
    """`--user` alone is not enough for a user with a PIN: RMA_PIN (or a prompt on a
    terminal) must match, else the command is refused and nothing is written."""
    db = cli_shop.db
    a = dbarg(db)
    rma(*a, "--user", "owner", "user", "add", "小李", "--role", "clerk", "--pin",
        input="2468\n2468\n")
    create = ("--user", "小李", "slip", "create", "--sale", "SO-1", "--type", "return",
              "--line", "P1:1:quality")
    before = slip_count(db)
    r = rma(*a, *create, code=1)  # no terminal, no RMA_PIN
    assert "RMA_PIN" in r.stderr
    rma(*a, *create, code=1, env={"RMA_PIN": "1111"})
    assert slip_count(db) == before
    rma(*a, *create, env={"RMA_PIN": "2468"})
    assert slip_count(db) == before + 1
    # Reading is asking too: customers' names and phones are personal information.
    r = rma(*a, "--user", "小李", "slip", "list", "--json", code=1)
    assert "RMA_PIN" in r.stderr and r.stdout == ""
    rma(*a, "--user", "小李", "slip", "list", "--json", code=1, env={"RMA_PIN": "1111"})
    listed = json.loads(rma(*a, "--user", "小李", "slip", "list", "--json",
                            env={"RMA_PIN": "2468"}).stdout)
    assert len(listed) == before + 1
    # A name nobody has reads nothing.
    r = rma(*a, "--user", "nobody", "slip", "list", "--json", code=1)
    assert "nobody" in r.stderr and r.stdout == ""


def test_feedback_refusals(cli_shop: Shop) -> None:
    a = dbarg(cli_shop.db)
    n = rma(*a, "--user", "clerk", "slip", "create", "--sale", "SO-1", "--type", "return",
            "--line", "P1:1:quality").stdout.strip()
    rma(*a, "--user", "clerk", "feedback", n, "--score", "5", code=1)  # not settled
    rma(*a, "--user", "clerk", "feedback", n, "--score", "x", code=2)
    with cli_shop.db.read() as s:
        assert s.exec(select(func.count()).select_from(Feedback)).one() == 0


def test_purchase_adds_sellable_stock(cli_shop: Shop) -> None:
    db = cli_shop.db
    rma(*dbarg(db), "--user", "warehouse", "purchase", "P1", "5", "--unit-cost", "7.5")
    assert _stock(db)["P1"][0] == 12
    rma(*dbarg(db), "--user", "clerk", "purchase", "P1", "5", code=1)
    rma(*dbarg(db), "--user", "warehouse", "purchase", "P1", "5", "--unit-cost", "7.555",
        code=1)
    assert _stock(db)["P1"][0] == 12


# ---------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------


def _write(path: Path, text_: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text_.encode(encoding))
    return path


PRODUCTS = ("sku,barcode,name,model,category,supplier,unit_price,unit_cost,reorder_point\n"
            "C1,6901,快充头 20W,PD20,充电器,深圳某厂,39.9,15,5\n"
            "C2,,手机壳,iPhone 16,配件,,12.50,3.2,\n")


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_import_products(cli_shop: Shop, tmp_path: Path) -> None:
    db = cli_shop.db
    f = _write(tmp_path / "products.csv", PRODUCTS)
    r = rma(*dbarg(db), "--user", "owner", "import", "products", str(f))
    assert "2" in r.stdout and "utf-8" in r.stderr
    with db.read() as s:
        c1 = s.exec(select(Product).where(Product.sku == "C1")).one()
        assert (c1.name, c1.barcode, c1.model, c1.category, c1.supplier, c1.unit_price_fen,
                c1.unit_cost_fen, c1.reorder_point) == (
            "快充头 20W", "6901", "PD20", "充电器", "深圳某厂", 3990, 1500, 5)
        c2 = s.exec(select(Product).where(Product.sku == "C2")).one()
        assert (c2.barcode, c2.unit_price_fen, c2.unit_cost_fen, c2.reorder_point) == (
            None, 1250, 320, 0)


@pytest.mark.parametrize(("row", "column"), [
    ("C3,,充电线,,,,12.505,3,1", "unit_price"),   # fractions of a fen
    ("C3,,充电线,,,,-1,3,1", "unit_price"),
    ("C3,,充电线,,,,NaN,3,1", "unit_price"),
    ("C3,,充电线,,,,abc,3,1", "unit_price"),
    ("C3,,充电线,,,,12,3,x", "reorder_point"),
    ("C3,,,,,,12,3,1", "name"),                   # the service's own check, mapped back
    ("C1,,重复,,,,12,3,1", "sku"),                # a duplicate inside the file
    ("P1,,已有,,,,12,3,1", "sku"),                # already in the database
])
def test_import_products_bad_row_imports_nothing(cli_shop: Shop, tmp_path: Path, row: str,
                                                 column: str) -> None:
    db = cli_shop.db
    before = _count(db, Product)
    f = _write(tmp_path / "bad.csv", PRODUCTS + row + "\n")
    r = rma(*dbarg(db), "--user", "owner", "--lang", "en", "import", "products", str(f), code=1)
    assert "bad.csv" in r.stderr and "line 4" in r.stderr and column in r.stderr
    assert _count(db, Product) == before


def test_import_missing_column_and_unknown_kind(cli_shop: Shop, tmp_path: Path) -> None:
    f = _write(tmp_path / "p.csv", "sku,name,unit_price\nC9,x,1\n")
    r = rma(*dbarg(cli_shop.db), "--user", "owner", "--lang", "en", "import", "products",
            str(f), code=1)
    assert "line 1" in r.stderr and "unit_cost" in r.stderr
    rma(*dbarg(cli_shop.db), "--user", "owner", "import", "suppliers", str(f), code=2)
    rma(*dbarg(cli_shop.db), "--user", "owner", "import", "products",
        str(tmp_path / "none.csv"), code=1)


def test_import_customers_gbk_and_bad_row(cli_shop: Shop, tmp_path: Path) -> None:
    from rma_tui.store.models import Customer

    db = cli_shop.db
    body = "name,phone,channel\n李四,13900000002,online\n王五,13900000003,\n"
    f = _write(tmp_path / "customers.csv", body, encoding="gbk")
    r = rma(*dbarg(db), "--user", "clerk", "import", "customers", str(f))
    assert "gb18030" in r.stderr
    with db.read() as s:
        rows = {c.phone: (c.name, c.channel) for c in s.exec(select(Customer)).all()}
    assert rows["13900000002"] == ("李四", "online") and rows["13900000003"] == ("王五", "store")
    before = _count(db, Customer)
    bad = _write(tmp_path / "c2.csv",
                 "name,phone,channel\n赵六,13900000004,store\n孙七,not-a-phone,store\n")
    r = rma(*dbarg(db), "--user", "clerk", "--lang", "en", "import", "customers", str(bad),
            code=1)
    assert "c2.csv" in r.stderr and "line 3" in r.stderr and "phone" in r.stderr
    assert _count(db, Customer) == before
    # An explicit encoding is used as given.
    f2 = _write(tmp_path / "c3.csv", "name,phone\n周八,13900000005\n", encoding="gbk")
    rma(*dbarg(db), "--user", "clerk", "import", "customers", str(f2), "--encoding", "utf-8",
        code=1)
    rma(*dbarg(db), "--user", "clerk", "import", "customers", str(f2), "--encoding", "gbk")
    assert _count(db, Customer) == before + 1


def test_import_sales(cli_shop: Shop, tmp_path: Path) -> None:
    from rma_tui.store.models import Sale, SaleLine

    db = cli_shop.db
    body = ("order,sold_at,channel,customer_phone,sku,qty,unit_price,unit_cost,payment_method\n"
            "零售10,2026-11-01 14:30,store,13800000001,P1,2,18.5,,cash\n"
            "零售10,2026-11-01 14:30,store,13800000001,P2,1,145,55,cash\n"
            "SO-11,2026-11-02,online,,P1,1,19,,alipay\n")
    f = _write(tmp_path / "sales.csv", body, encoding="gbk")
    r = rma(*dbarg(db), "--user", "clerk", "import", "sales", str(f))
    assert "gb18030" in r.stderr
    with db.read() as s:
        so10 = s.exec(select(Sale).where(Sale.order_no == "零售10")).one()
        assert so10.payment_method == "cash" and so10.channel == "store"
        # Naive times are local time.
        assert so10.sold_at.replace(tzinfo=so10.sold_at.tzinfo or UTC) == \
            datetime(2026, 11, 1, 14, 30).astimezone()
        lines = s.exec(select(SaleLine).where(SaleLine.sale_id == so10.id)
                       .order_by(SaleLine.id)).all()
        assert [(ln.qty, ln.unit_price_fen, ln.unit_cost_fen) for ln in lines] == [
            (2, 1850, 800), (1, 14500, 5500)]
    assert _stock(db)["P1"][0] == 7 - 3
    sale = json.loads(rma(*dbarg(db), "sale", "show", "零售10", "--json").stdout)
    assert sale["customer"] == "张三" and sale["total_fen"] == 2 * 1850 + 14500
    # A bad line in the middle of an order: named by line and column, nothing imported.
    before = _count(db, Sale)
    bad = _write(tmp_path / "s2.csv",
                 "order,sold_at,channel,sku,qty,unit_price\n"
                 "SO-20,2026-11-03,store,P1,1,18\n"
                 "SO-20,2026-11-03,store,P404,1,18\n"
                 "SO-21,2026-11-03,store,P1,1,18\n")
    r = rma(*dbarg(db), "--user", "clerk", "--lang", "en", "import", "sales", str(bad), code=1)
    assert "s2.csv" in r.stderr and "line 3" in r.stderr and "sku" in r.stderr
    bad2 = _write(tmp_path / "s3.csv",
                  "order,sold_at,channel,sku,qty,unit_price\n"
                  "SO-30,2026-11-03,store,P1,1,18\n"
                  "SO-31,yesterday,store,P1,1,18\n")
    r = rma(*dbarg(db), "--user", "clerk", "--lang", "en", "import", "sales", str(bad2),
            code=1)
    assert "line 3" in r.stderr and "sold_at" in r.stderr
    bad3 = _write(tmp_path / "s4.csv",
                  "order,sold_at,channel,sku,qty,unit_price\n"
                  "SO-1,2026-11-03,store,P1,1,18\n")
    r = rma(*dbarg(db), "--user", "clerk", "--lang", "en", "import", "sales", str(bad3),
            code=1)
    assert "line 2" in r.stderr and "SO-1" in r.stderr
    assert _count(db, Sale) == before
    assert _stock(db)["P1"][0] == 4


# ---------------------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------------------


def test_demo_refuses_a_database_with_data(cli_shop: Shop) -> None:
    before = slip_count(cli_shop.db), _count(cli_shop.db, Product)
    r = rma(*dbarg(cli_shop.db), "--lang", "en", "demo", code=1)
    assert "--force" in r.stderr
    assert (slip_count(cli_shop.db), _count(cli_shop.db, Product)) == before


def test_demo_force_refused_for_a_server_url() -> None:
    r = rma("--db", "postgresql://shop@localhost/shop", "--lang", "en", "demo", "--force",
            code=1)
    assert "postgresql" in r.stderr


def test_demo_builds_and_verifies(tmp_path: Path) -> None:
    """`rma demo && rma verify` on a fresh file (the real demo: about 10 s)."""
    path = tmp_path / "demo.db"
    path.write_bytes(b"")  # an empty file (as `make run` may leave) is not "data"
    r = rma("--db", str(path), "demo", "--seed", "7")
    assert str(path) in r.stdout
    d = Database(str(path))
    try:
        assert _count(d, Product) > 0 and slip_count(d) > 0
        assert {u.name for u in sv.list_users(d)} >= {"owner", "clerk", "warehouse", "finance"}
    finally:
        d.dispose()
    assert json.loads(rma("--db", str(path), "verify", "--json").stdout)["ok"] is True
    rma("--db", str(path), "demo", code=1)  # now it has data


@pytest.mark.sqlite_only  # deletes the file and its -wal/-shm; PG refuses --force
def test_demo_force_deletes_and_rebuilds(cli_shop: Shop, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    calls: list[tuple[int, str]] = []

    def fake_build(db: Database, seed: int = 42, size: str = "small", progress=None):
        assert progress is not None
        progress("setup", 0, 1)
        progress("setup", 1, 1)
        calls.append((seed, size))
        # The database it gets is new and empty (but migrated).
        assert sv.list_users(db) == [] and sv.stock(db) == []
        sv.add_user(db, None, "owner", "owner")
        return demo.DemoSummary(seed=seed, size=size)

    monkeypatch.setattr(demo, "build_demo", fake_build)
    path = cli_shop.db.url.removeprefix("sqlite:///")
    cli_shop.db.dispose()
    Path(f"{path}-wal").touch()
    rma("--db", path, "demo", "--force", "--seed", "3", "--size", "small")
    assert calls == [(3, "small")]
    d = Database(path)
    try:
        assert [u.name for u in sv.list_users(d)] == ["owner"]
        assert slip_count(d) == 0 and sv.stock(d) == []
    finally:
        d.dispose()
    rma("--db", path, "demo", "--size", "huge", code=2)


# ---------------------------------------------------------------------------------------
# The real entry point, in subprocesses
# ---------------------------------------------------------------------------------------


def _python_m(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith("RMA_")}
    e.update({"PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"})
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "rma_tui", *args], capture_output=True,
                          text=True, encoding="utf-8", env=e, timeout=60)


def test_python_m_entry_point_exit_codes(cli_shop: Shop) -> None:
    path = db_arg(cli_shop.db)
    ok = _python_m("verify", "--json", env={"RMA_DB": path, "RMA_USER": "finance"})
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    refused = _python_m("--db", path, "--user", "warehouse", "--lang", "en", "slip", "create",
                        "--sale", "SO-1", "--type", "return", "--line", "P1:1:quality")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("Error:") and "Traceback" not in refused.stderr
    usage = _python_m("--db", path, "slip", "create", "--bogus")
    assert usage.returncode == 2
    assert slip_count(cli_shop.db) == 0


def test_no_command_opens_the_app(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import rma_tui.app

    seen: list[tuple[str, str, str]] = []

    class FakeApp:
        def run(self) -> None:
            seen.append(("ran", "", ""))

    def fake_make_app(db: str, user: str, lang: str) -> FakeApp:
        seen.append((db, user, lang))
        return FakeApp()

    monkeypatch.setattr(rma_tui.app, "make_app", fake_make_app)
    path = db_arg(db)
    rma(env={"RMA_DB": path, "RMA_USER": "clerk", "RMA_LANG": "en"})
    rma("--db", path, "--user", "owner", "--lang", "zh")
    assert seen == [(path, "clerk", "en"), ("ran", "", ""), (path, "owner", "zh"),
                    ("ran", "", "")]


def test_cli_import_stays_light() -> None:
    # `rma --help` and the app's start-up must not pay for textual or sqlmodel up front.
    code = ("import sys, rma_tui.cli; "
            "print(sorted(m for m in ('textual', 'sqlmodel', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
