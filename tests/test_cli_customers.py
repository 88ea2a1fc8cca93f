"""`rma customer` and `rma followup`: output, JSON, exit codes, and the rows left behind
(nothing at all on bad input)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cli_helpers import rma_on
from clock import day_from_today
from conftest import make_shop
from slip_flow import bring
from sqlmodel import select
from typer.testing import Result

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.models import AuditEvent, FollowUp

PHONE = "13800000001"
# A due date in the future whenever the suite runs (see tests/clock.py).
SOON = day_from_today(30)

# Local days are Shanghai days here, whatever the machine's zone.
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def rma(db: Database, *args: str, code: int = 0, user: str = "clerk") -> Result:
    return rma_on(db, *args, user=user, code=code)


def follow_ups(db: Database) -> list[FollowUp]:
    """Every follow-up row as stored (detached copies), oldest first."""
    with db.read() as s:
        return [FollowUp.model_validate(f)
                for f in s.exec(select(FollowUp).order_by(FollowUp.id)).all()]


def audit_count(db: Database) -> int:
    """How many audit events there are (a refused command adds none)."""
    with db.read() as s:
        return len(s.exec(select(AuditEvent.id)).all())


@pytest.fixture
def shop(db: Database) -> tuple[Database, str, datetime]:
    """The tiny shop at the real time (the CLI's clock): a cable returned to store credit
    and a ★2 feedback on it (which opens a follow-up due a day later)."""
    start = datetime.now(UTC) - timedelta(hours=1)
    make_shop(db, now=start, sold_days_ago=2)
    at = iter(start + timedelta(minutes=m) for m in range(1, 100))
    slip = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                          now=next(at))
    bring(db, slip.number, "settled", at, method="credit")
    said = next(at)
    sv.add_feedback(db, "clerk", slip.number, 2, "等太久", now=said)
    return db, slip.number, said


def test_customer_show_json(shop: tuple[Database, str, datetime]) -> None:
    db, number, _ = shop
    data = json.loads(rma(db, "customer", "show", PHONE, "--json").stdout)
    # 3 x 18.00 + 140.00 bought; 1 x 18.00 back.
    assert (data["purchased_fen"], data["returned_fen"]) == (19400, 1800)
    assert data["return_rate"] == pytest.approx(1800 / 19400)
    assert (data["repeat_returner"], data["slips_in_year"]) == (False, 1)
    assert [s["number"] for s in data["slips"]] == [number]
    assert [(f["slip"], f["score"], f["comment"]) for f in data["feedback"]] == [
        (number, 2, "等太久")]
    assert [(m["delta_fen"], m["balance_fen"], m["kind"], m["slip"])
            for m in data["credit_moves"]] == [(1800, 1800, "refund", number)]
    assert data["credit_fen"] == 1800
    assert [(f["auto"], f["done"]) for f in data["follow_ups"]] == [(True, False)]


def test_customer_show_table_zh_and_en(shop: tuple[Database, str, datetime]) -> None:
    db, number, _ = shop
    out = rma(db, "customer", "show", PHONE).stdout
    assert "9.3%" in out and "194.00（1 单）" in out and "否（一年内 1 张，阈值 3）" in out
    assert number in out and "退款转储值" in out and "等太久" in out
    en = rma(db, "--lang", "en", "customer", "show", PHONE).stdout
    assert "Return rate" in en and "Refund to credit" in en
    assert "No (slips in a year: 1, threshold 3)" in en
    i18n.set_lang("zh")


def test_customer_show_unknown_phone(shop: tuple[Database, str, datetime]) -> None:
    db, _, _ = shop
    result = rma(db, "customer", "show", "19900000000", code=1)
    assert "19900000000" in result.stderr


def test_customer_find(shop: tuple[Database, str, datetime]) -> None:
    db, _, _ = shop
    assert PHONE in rma(db, "customer", "find", "张").stdout
    data = json.loads(rma(db, "customer", "find", "1380", "--json").stdout)
    assert [(c["phone"], c["sales"], c["slips"]) for c in data] == [(PHONE, 1, 1)]
    assert "没有找到「王五」的客户" in rma(db, "customer", "find", "王五").stdout


def test_low_feedback_follow_up_in_call_back_list_once_due(
        shop: tuple[Database, str, datetime]) -> None:
    db, number, said = shop
    # Due a day after the feedback: not on today's list yet (unless today is that day).
    due_day = (said + timedelta(days=1)).astimezone().date()
    now_list = json.loads(rma(db, "followup", "list", "--json").stdout)
    assert now_list == []
    rows = json.loads(rma(db, "followup", "list", "--due-by", due_day.isoformat(),
                          "--json").stdout)
    assert [(r["phone"], r["slip"], r["note"], r["auto"], r["created_by"], r["done"])
            for r in rows] == [(PHONE, number, "★2 等太久", True, "system", False)]
    assert "★2 等太久" in rma(db, "followup", "list", "--due-by", due_day.isoformat()).stdout


def test_followup_add_list_done(shop: tuple[Database, str, datetime]) -> None:
    db, number, _ = shop
    today = datetime.now(UTC).astimezone().date()
    out = rma(db, "followup", "add", PHONE, "--note", "问问新线好不好用", "--due",
              today.isoformat(), "--slip", number.lower()).stdout
    row = follow_ups(db)[-1]
    assert f"#{row.id}" in out
    assert (row.note, row.created_by, row.auto, row.done_at) == (
        "问问新线好不好用", "clerk", False, None)
    # Due from the start of that Shanghai day.
    assert sv.as_utc(row.due_at) == sv.day_bounds(today)[0]
    listed = json.loads(rma(db, "followup", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [row.id]
    rma(db, "followup", "done", str(row.id), "--outcome", "已回电，满意")
    done = follow_ups(db)[-1]
    assert done.done_at is not None and (done.done_by, done.outcome) == ("clerk", "已回电，满意")
    assert json.loads(rma(db, "followup", "list", "--json").stdout) == []
    every = json.loads(rma(db, "followup", "list", "--all", "--json").stdout)
    assert sorted(r["done"] for r in every) == [False, True]
    # Twice: refused, nothing changes.
    result = rma(db, "followup", "done", str(row.id), code=1)
    assert f"#{row.id}" in result.stderr


@pytest.mark.parametrize(("args", "named"), [
    (["followup", "add", PHONE, "--note", "x", "--due", "2026-13-01"], "2026-13-01"),
    (["followup", "add", PHONE, "--note", "x", "--due", "tomorrow"], "tomorrow"),
    (["followup", "add", PHONE, "--note", "x", "--due", day_from_today(-1)],  # a day gone
     day_from_today(-1)),
    (["followup", "add", PHONE, "--note", "  ", "--due", SOON], "note"),
    (["followup", "add", "19900000000", "--note", "x", "--due", SOON], "19900000000"),
    (["followup", "add", PHONE, "--note", "x", "--due", SOON, "--slip", "TH-1"], "TH-1"),
    (["followup", "done", "999"], "999"),
    (["followup", "list", "--all", "--due-by", SOON], "--due-by"),
    (["followup", "list", "--due-by", "2030/01/01"], "2030/01/01"),
])
def test_bad_input_exits_non_zero_writes_nothing(shop: tuple[Database, str, datetime],
                                                args: list[str], named: str) -> None:
    """Each refusal names what is wrong (not some other check that happens to refuse)."""
    db, _, _ = shop
    before, events = follow_ups(db), audit_count(db)
    result = rma(db, *args, code=1)
    assert result.stderr.startswith("错误")
    assert named in result.stderr, result.stderr
    assert follow_ups(db) == before and audit_count(db) == events


def test_warehouse_refused(shop: tuple[Database, str, datetime]) -> None:
    db, _, _ = shop
    before = follow_ups(db)
    result = rma(db, "followup", "add", PHONE, "--note", "x", "--due", SOON,
                 user="warehouse", code=1)
    assert "无权" in result.stderr
    result = rma(db, "followup", "done", str(before[0].id), user="warehouse", code=1)
    assert follow_ups(db) == before


def test_missing_option_is_usage_error(shop: tuple[Database, str, datetime]) -> None:
    db, _, _ = shop
    rma(db, "followup", "add", PHONE, "--note", "x", code=2)
    assert len(follow_ups(db)) == 1
