"""`rma audit`, `rma archive` and `rma archive-check`: output, JSON, exit codes, and a
tampered database caught by the archive check."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_helpers import rma_on
from test_reads_audit import REJECTED, SETTLED, TOTAL, seed_audit, tamper
from typer.testing import Result

from rma_tui.store.db import Database

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


def rma(db: Database, *args: str, code: int = 0) -> Result:
    return rma_on(db, *args, code=code, env={"TZ": "Asia/Shanghai"})


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, str]]:
    return db, seed_audit(db)


def events(result: Result) -> list[dict]:
    return json.loads(result.stdout)["events"]


# -- rma audit ------------------------------------------------------------------------------


def test_audit_table(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    out = rma(db, "audit", "--slip", n["settled"]).stdout
    assert "结算" in out and "退款 ¥18.00（现金）" in out and "已质检 → 已结算" in out
    assert n["rejected"] not in out
    # Local time: 10:05 UTC is 18:05 in Shanghai.
    assert "2026-11-20 18:05:00" in out
    en = rma(db, "--lang", "en", "audit", "--user", "owner", "--action", "reject").stdout
    assert "Reason: 包装已拆" in en and "Submitted → Rejected" in en


def test_audit_json_filters_and_pages(seeded: tuple[Database, dict[str, str]]) -> None:
    db, n = seeded
    assert [e["seq"] for e in events(rma(db, "audit", "--json", "--limit", "100"))] == list(
        range(TOTAL, 0, -1))
    assert [e["seq"] for e in events(rma(db, "audit", "--slip", n["rejected"], "--json"))] == \
        REJECTED[::-1]
    warehouse = events(rma(db, "audit", "--user", "warehouse", "--json"))
    assert [e["action"] for e in warehouse] == ["stock_adjust", "inspect", "receive"]
    dec = events(rma(db, "audit", "--since", "2026-12-01", "--until", "2026-12-31", "--json"))
    assert [e["seq"] for e in dec] == [TOTAL]
    first = json.loads(rma(db, "audit", "--limit", "4", "--slip", n["settled"], "--json").stdout)
    assert [e["seq"] for e in first["events"]] == SETTLED[::-1][:4]
    rest = json.loads(rma(db, "audit", "--limit", "4", "--slip", n["settled"], "--before",
                          str(first["next_before"]), "--json").stdout)
    assert [e["seq"] for e in rest["events"]] == SETTLED[:2][::-1]
    assert rest["next_before"] is None
    settle = next(e for e in events(rma(db, "audit", "--action", "settle", "--json")))
    assert settle["detail"]["refund_fen"] == 1800 and settle["slip"] == n["settled"]


def test_audit_more_hint_and_empty(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    assert "--before 17" in rma(db, "audit", "--limit", "5").stdout
    assert "没有符合条件的审计记录" in rma(db, "audit", "--user", "nobody").stdout


def test_audit_bad_date_exits_1(seeded: tuple[Database, dict[str, str]]) -> None:
    db, _ = seeded
    r = rma(db, "audit", "--since", "2026-02-30", code=1)
    assert "2026-02-30" in r.stderr and "--since" in r.stderr


# -- rma archive / archive-check ------------------------------------------------------------


def test_archive_and_check(seeded: tuple[Database, dict[str, str]], tmp_path: Path) -> None:
    db, _ = seeded
    out = tmp_path / "arc"
    r = rma(db, "archive", "--period", "2026-11", "--out", str(out))
    assert "已写入 2026-11 的归档" in r.stdout
    for name in ("slips.csv", "postings.csv", "audit_events.csv"):
        assert name in r.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    head = manifest["chain_head"]
    assert f"第 {head['seq']} 条 {head['hash']}" in r.stdout
    assert f"第 20 条 {manifest['period_last_event']['hash']}" in r.stdout
    with open(out / "audit_events.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == TOTAL - 3
    ok = rma(db, "archive-check", str(out))
    assert "校验通过" in ok.stdout
    as_json = json.loads(rma(db, "archive-check", str(out), "--json").stdout)
    assert as_json["ok"] and as_json["events"] == TOTAL - 3


def test_archive_refusals(seeded: tuple[Database, dict[str, str]], tmp_path: Path) -> None:
    db, _ = seeded
    out = tmp_path / "arc"
    r = rma(db, "archive", "--period", "2026-13", "--out", str(out), code=1)
    assert "2026-13" in r.stderr and not out.exists()
    rma(db, "archive", "--period", "2026-11", "--out", str(out))
    r = rma(db, "--lang", "en", "archive", "--period", "2026-11", "--out", str(out), code=1)
    assert "--force" in r.stderr
    r = rma(db, "archive", "--period", "2026-11", "--out", str(out), "--force", "--json")
    assert json.loads(r.stdout)["period"] == "2026-11"
    rma(db, "archive", "--out", str(out), code=2)  # --period is required


def test_archive_check_catches_tampering(seeded: tuple[Database, dict[str, str]],
                                         tmp_path: Path) -> None:
    db, _ = seeded
    out = tmp_path / "arc"
    rma(db, "archive", "--period", "2026-11", "--out", str(out))
    tamper(db, "UPDATE audit_events SET \"user\" = 'clerk' WHERE seq = 16")
    r = rma(db, "archive-check", str(out), code=1)
    assert "第 16 条" in r.stderr and "与归档不符" in r.stderr
    en = rma(db, "--lang", "en", "archive-check", str(out), "--json", code=1)
    problem = json.loads(en.stdout)["problem"]
    assert (problem["key"], problem["seq"]) == ("audit_arc_event_altered", 16)
    # `rma verify` names the same row (and exits 1).
    v = rma(db, "verify", code=1)
    assert "序号 16" in v.stdout  # in the desk's language, like a passing check
    v = rma(db, "--lang", "en", "verify", code=1)
    assert "seq 16" in v.stdout


def test_archive_check_missing_folder(seeded: tuple[Database, dict[str, str]],
                                      tmp_path: Path) -> None:
    db, _ = seeded
    r = rma(db, "archive-check", str(tmp_path / "nowhere"), code=1)
    assert "manifest.json" in r.stderr
