"""The compliance report (`rma_tui.reads.compliance`, `rma report compliance`) against a
hand-built shop whose every figure is worked out by hand below.

Shop: conftest `make_shop` (SO-1 store sale 2026-11-18 10:00 UTC = 18:00 local: 3 x P1 at
18.00, 1 x P2 at 140.00). Store slips wait for an approver (auto-approve off); store
no-reason window 3 days, quality 7. Targets: submitted 24 h, approved 72 h, received 24 h.
Times UTC (Shanghai is UTC+8); "now" is 2026-11-25 12:00.

  C1 clerk   P1 x1 quality       draft 11-19 10:00, submitted 11-19 11:00,
                                 approved (finance) 11-19 21:00, received 11-21 09:00 (open)
  C2 clerk   P1 x1 changed_mind  draft 11-22 10:00 (4 local days after the sale > 3: LATE),
                                 submitted 11-22 12:00, approved 11-23 12:00 by boss2 with
                                 override "老客户" (open)
  C3 clerk2  P2 x1 quality       draft 11-20 10:00, submitted 11-20 10:30,
                                 rejected by owner 11-20 12:30 "包装已拆"
  C4 clerk   P1 x1 changed_mind  draft 11-22 11:00 (LATE), submitted 11-22 11:30 (open)
  C5 clerk   P2 x1 quality, no receipt (note 小票丢失): draft 11-23 10:00,
                                 submitted 11-23 10:00, approved 11-23 14:00 by owner with
                                 override "补录" (open)

Stays (hours), targeted states only:
  submitted: C1 11:00->21:00 = 10; C2 12:00->12:00 next day = 24 (= target, not over);
             C3 10:30->12:30 = 2; C4 11-22 11:30->now 11-25 12:00 = 72.5 (over);
             C5 10:00->14:00 = 4                 -> 5 stays, 1 over, longest 72.5
  approved:  C1 11-19 21:00->11-21 09:00 = 36; C2 11-23 12:00->now = 48;
             C5 11-23 14:00->now = 46            -> 3 stays, 0 over, longest 48.0
  received:  C1 11-21 09:00->now = 99            -> 1 stay, 1 over, longest 99.0
Over target now (by when the stay began): C1 received 99.0 h, C4 submitted 72.5 h.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_helpers import rma_on
from conftest import make_shop

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.policy import Policy
from rma_tui.reads.compliance import (
    ComplianceReport,
    ExceptionRow,
    OverdueRow,
    RejectedRow,
    StateTime,
    compliance_report,
)
from rma_tui.store.db import Database

TARGETS = {"submitted": 24, "approved": 72, "received": 24}
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def cpolicy() -> Policy:
    """Store slips reviewed by hand, and the targets above; the file's policy afterwards."""
    base = sv.policy()
    store = replace(base.channel("store"), auto_approve=False)
    pol = replace(base, channels={**base.channels, "store": store}, target_hours=TARGETS)
    sv.set_policy(pol)
    yield pol
    sv.set_policy(None)


@pytest.fixture
def cshop(db: Database, shanghai_time_and_chinese: None, cpolicy: Policy) -> dict[str, str]:
    """The shop of the module docstring; slip numbers by name."""
    make_shop(db, now=at(20, 10))
    L = sv.LineInput
    n: dict[str, str] = {}
    n["C1"] = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")],
                             now=at(19, 10)).number
    sv.submit_slip(db, "clerk", n["C1"], now=at(19, 11))
    sv.approve_slip(db, "finance", n["C1"], now=at(19, 21))
    sv.receive_slip(db, "warehouse", n["C1"], now=at(21, 9))

    n["C3"] = sv.create_slip(db, "clerk2", "SO-1", "return", [L("P2", 1, "quality")],
                             now=at(20, 10)).number
    sv.submit_slip(db, "clerk2", n["C3"], now=at(20, 10, 30))
    sv.reject_slip(db, "owner", n["C3"], "包装已拆", now=at(20, 12, 30))

    n["C2"] = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "changed_mind")],
                             now=at(22, 10)).number
    sv.submit_slip(db, "clerk", n["C2"], now=at(22, 12))
    v = sv.approve_slip(db, "boss2", n["C2"], override_reason="老客户", now=at(23, 12))
    assert v.override_by == "boss2"

    n["C4"] = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "changed_mind")],
                             now=at(22, 11)).number
    sv.submit_slip(db, "clerk", n["C4"], now=at(22, 11, 30))

    n["C5"] = sv.create_slip(db, "clerk", None, "return",
                             [L("P2", 1, "quality", unit_price_fen=14000)], note="小票丢失",
                             channel="store", now=at(23, 10)).number
    sv.submit_slip(db, "clerk", n["C5"], now=at(23, 10))
    sv.approve_slip(db, "owner", n["C5"], override_reason="补录", now=at(23, 14))
    return n


def test_whole_report(db: Database, cshop: dict[str, str], cpolicy: Policy) -> None:
    n = cshop
    r = compliance_report(db, now=NOW, policy=cpolicy)
    assert r.slips == 5
    # Approved against a failed rule, in creation order: C2 (window), C5 (no receipt)
    assert r.exceptions == [
        ExceptionRow(n["C2"], "clerk", at(22, 10), "boss2", "老客户", ["window"]),
        ExceptionRow(n["C5"], "clerk", at(23, 10), "owner", "补录", ["original_sale"]),
    ]
    # Late = window rule failed, whether let through (C2) or still waiting (C4)
    assert r.late == [n["C2"], n["C4"]]
    assert r.rejected == [RejectedRow(n["C3"], "clerk2", "owner", at(20, 12, 30), "包装已拆")]
    assert r.states == [
        StateTime("submitted", 24, 5, 1, 72.5),
        StateTime("approved", 72, 3, 0, 48.0),
        StateTime("received", 24, 1, 1, 99.0),
    ]
    assert r.overdue == [
        OverdueRow(n["C1"], "received", at(21, 9), 99.0, 24),
        OverdueRow(n["C4"], "submitted", at(22, 11, 30), 72.5, 24),
    ]


def test_period(db: Database, cshop: dict[str, str], cpolicy: Policy) -> None:
    n = cshop
    # 11-21 .. 11-30 local (from 11-20 16:00 UTC): slips C2, C4, C5 (C1 11-19, C3 11-20
    # 18:00 local are before). Stays that *began* in the period:
    #   submitted C2 24, C4 72.5, C5 4          -> 3, 1 over, 72.5
    #   approved  C2 48, C5 46 (C1's began 11-20 05:00 local: before)  -> 2, 0, 48.0
    #   received  C1 99 (began 11-21 17:00 local)                      -> 1, 1, 99.0
    r = compliance_report(db, since=date(2026, 11, 21), until=date(2026, 11, 30), now=NOW,
                          policy=cpolicy)
    assert (r.since, r.until, r.slips) == (date(2026, 11, 21), date(2026, 11, 30), 3)
    assert [e.number for e in r.exceptions] == [n["C2"], n["C5"]]
    assert r.late == [n["C2"], n["C4"]]
    assert r.rejected == []
    assert r.states == [StateTime("submitted", 24, 3, 1, 72.5),
                        StateTime("approved", 72, 2, 0, 48.0),
                        StateTime("received", 24, 1, 1, 99.0)]
    # Over target is "right now", whatever the period
    assert [o.number for o in r.overdue] == [n["C1"], n["C4"]]
    # 11-20 local only: C3 (18:00 local) alone; C3's submitted stay 2 h
    r = compliance_report(db, since=date(2026, 11, 20), until=date(2026, 11, 20), now=NOW,
                          policy=cpolicy)
    assert r.slips == 1 and r.exceptions == [] and r.late == []
    assert [x.number for x in r.rejected] == [n["C3"]]
    # submitted: C3 (10:30 UTC = 18:30 local 11-20) 2 h; approved: C1 (11-19 21:00 UTC =
    # 11-20 05:00 local) 36 h
    assert r.states == [StateTime("submitted", 24, 1, 0, 2.0),
                        StateTime("approved", 72, 1, 0, 36.0)]


def test_targets_move_with_now_and_policy(db: Database, cshop: dict[str, str],
                                          cpolicy: Policy) -> None:
    n = cshop
    # Two days later (11-27 12:00): C2 approved 11-23 12:00 -> 96 h > 72; C5 since
    # 11-23 14:00 -> 94 h > 72; C1 received 147 h; C4 submitted 120.5 h.
    later = datetime(2026, 11, 27, 12, tzinfo=UTC)
    r = compliance_report(db, now=later, policy=cpolicy)
    assert [(o.number, o.state, o.hours) for o in r.overdue] == [
        (n["C1"], "received", 147.0), (n["C4"], "submitted", 120.5),
        (n["C2"], "approved", 96.0), (n["C5"], "approved", 94.0)]
    assert r.states[1] == StateTime("approved", 72, 3, 2, 96.0)
    # A target of 10 h for submitted: C1's 10 h stay is not over (over = longer than);
    # C2 24, C4 72.5 are.  Without a target a state is not reported.
    pol = replace(cpolicy, target_hours={"submitted": 10})
    r = compliance_report(db, now=NOW, policy=pol)
    assert r.states == [StateTime("submitted", 10, 5, 2, 72.5)]
    assert [o.number for o in r.overdue] == [n["C4"]]
    r = compliance_report(db, now=NOW, policy=replace(cpolicy, target_hours={}))
    assert r.states == [] and r.overdue == []


def test_empty(db: Database, shanghai_time_and_chinese: None, cpolicy: Policy) -> None:
    make_shop(db)
    assert compliance_report(db, now=NOW, policy=cpolicy) == ComplianceReport(None, None, 0)


# --- the command line ---------------------------------------------------------------------

rma = rma_on


def test_cli_json(db: Database, cshop: dict[str, str]) -> None:
    n = cshop
    # The command's "now" is the real clock (after 2026-11-25 on this machine, or the
    # open stays are simply shorter): compare what does not depend on it.
    data = json.loads(rma(db, "report", "compliance", "--json").stdout)
    assert data["slips"] == 5
    assert [(e["number"], e["created_by"], e["override_by"], e["reason"], e["failed_rules"])
            for e in data["exceptions"]] == [
        (n["C2"], "clerk", "boss2", "老客户", ["window"]),
        (n["C5"], "clerk", "owner", "补录", ["original_sale"])]
    assert data["late"] == [n["C2"], n["C4"]]
    assert [(x["number"], x["created_by"], x["rejected_by"], x["reason"])
            for x in data["rejected"]] == [(n["C3"], "clerk2", "owner", "包装已拆")]
    assert [(s["state"], s["target_hours"], s["stays"]) for s in data["states"]] == [
        ("submitted", 24, 5), ("approved", 72, 3), ("received", 24, 1)]
    data = json.loads(rma(db, "report", "compliance", "--json", "--since", "2026-11-21",
                          "--until", "2026-11-30").stdout)
    assert (data["since"], data["until"], data["slips"]) == ("2026-11-21", "2026-11-30", 3)
    assert data["rejected"] == []


def test_cli_table(db: Database, cshop: dict[str, str]) -> None:
    n = cshop
    text = rma(db, "--lang", "en", "report", "compliance").stdout
    for name in ("C2", "C5", "C3"):
        assert n[name] in text
    assert "boss2" in text and "老客户" in text and "包装已拆" in text
    zh = rma(db, "report", "compliance").stdout
    assert n["C2"] in zh and "补录" in zh


# --- export: XLSX (one sheet per section) and CSV (sections one after another) ---------------
# Shared with the reports screen's export test (tests/test_screen_reports.py).


def compliance_expected(r: ComplianceReport) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Each section of `r` (title, header row, rows) as openpyxl reads the XLSX back: times
    local and naive, hours as floats, rules and states by their labels."""
    t = i18n.t

    def local(dt: datetime) -> datetime:
        return dt.astimezone().replace(tzinfo=None, microsecond=0)

    return [
        (t("report_compliance_exceptions"),
         [t("col_number"), t("col_created_by"), t("col_created_at"), t("col_override_by"),
          t("col_failed_rules"), t("col_reason")],
         [[e.number, e.created_by, local(e.created_at), e.override_by,
           ", ".join(i18n.label("rule", x) for x in e.failed_rules), e.reason]
          for e in r.exceptions]),
        (t("report_compliance_late_title"), [t("col_number")], [[n] for n in r.late]),
        (t("report_compliance_rejected"),
         [t("col_number"), t("col_created_by"), t("col_rejected_by"), t("col_time"),
          t("col_reason")],
         [[x.number, x.created_by, x.rejected_by, local(x.rejected_at), x.reason]
          for x in r.rejected]),
        (t("report_compliance_states"),
         [t("col_status"), t("col_target_hours"), t("col_stays"), t("col_over_target"),
          t("col_longest_hours")],
         [[i18n.label("status", s.state), s.target_hours, s.stays, s.over_target,
           s.longest_hours] for s in r.states]),
        (t("report_compliance_overdue"),
         [t("col_number"), t("col_status"), t("col_since"), t("col_hours"),
          t("col_target_hours")],
         [[o.number, i18n.label("status", o.state), local(o.since), o.hours, o.target_hours]
          for o in r.overdue]),
    ]


def as_csv(sections: list[tuple[str, list[str], list[list[Any]]]]
           ) -> list[tuple[str, list[str], list[list[str]]]]:
    """The same sections as the CSV holds them (times to the minute, hours 1 decimal)."""
    def text(v: Any) -> str:
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M")
        if isinstance(v, float):
            return f"{v:.1f}"
        return "" if v is None else str(v)

    return [(title, head, [[text(v) for v in row] for row in rows])
            for title, head, rows in sections]


def read_csv_sections(path: Path) -> list[tuple[str, list[str], list[list[str]]]]:
    """Split a sections CSV at its empty rows: title row, header row, rows."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    blocks: list[list[list[str]]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        else:
            blocks.append([])
    for b in blocks:
        assert len(b[0]) == 1, b  # the title row holds the title alone
    return [(b[0][0], b[1], b[2:]) for b in blocks]


def read_xlsx_sections(path: Path) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Each sheet: its name, header row and rows."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        out.append((ws.title, rows[0], rows[1:]))
    return out


@pytest.fixture
def cli_now(monkeypatch: pytest.MonkeyPatch, cpolicy: Policy) -> None:
    """`rma report compliance` reads the report at NOW (the real clock moves the open
    stays), with the fixture's policy."""
    from rma_tui.reads import compliance

    real = compliance.compliance_report

    def at_now(db: Database, since: date | None = None, until: date | None = None,
               **_: Any) -> ComplianceReport:
        return real(db, since, until, now=NOW, policy=cpolicy)

    monkeypatch.setattr(compliance, "compliance_report", at_now)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_xlsx_and_csv_read_back(db: Database, cshop: dict[str, str], cpolicy: Policy,
                                    cli_now: None, tmp_path: Path, lang: str) -> None:
    n = cshop
    xlsx, csv_file = tmp_path / "c.xlsx", tmp_path / "c.csv"
    rma(db, "--lang", lang, "report", "compliance", "--format", "xlsx", "--out", str(xlsx))
    rma(db, "--lang", lang, "report", "compliance", "--format", "csv", "--out", str(csv_file))
    i18n.set_lang(lang)
    want = compliance_expected(compliance_report(db, now=NOW, policy=cpolicy))
    got = read_xlsx_sections(xlsx)
    assert [s[0] for s in got] == [s[0] for s in want]  # one sheet per section, in order
    assert got == want
    assert read_csv_sections(csv_file) == as_csv(want)
    # The hand-worked figures, as written (Shanghai time).
    sheets = {title: rows for title, _, rows in got}
    assert sheets[i18n.t("report_compliance_late_title")] == [[n["C2"]], [n["C4"]]]
    assert sheets[i18n.t("report_compliance_rejected")] == [
        [n["C3"], "clerk2", "owner", datetime(2026, 11, 20, 20, 30), "包装已拆"]]
    assert sheets[i18n.t("report_compliance_states")] == [
        [i18n.label("status", "submitted"), 24, 5, 1, 72.5],
        [i18n.label("status", "approved"), 72, 3, 0, 48.0],
        [i18n.label("status", "received"), 24, 1, 1, 99.0]]
    assert [r[:2] + r[3:] for r in sheets[i18n.t("report_compliance_overdue")]] == [
        [n["C1"], i18n.label("status", "received"), 99.0, 24],
        [n["C4"], i18n.label("status", "submitted"), 72.5, 24]]
    assert sheets[i18n.t("report_compliance_exceptions")][1][4] == i18n.label(
        "rule", "original_sale")


def test_cli_formats_csv_stdout_json_out_and_xlsx_needs_out(
        db: Database, cshop: dict[str, str], cpolicy: Policy, cli_now: None,
        tmp_path: Path) -> None:
    # CSV without --out: to stdout, the same sections.
    text = rma(db, "report", "compliance", "--format", "csv",
               "--since", "2026-11-21", "--until", "2026-11-30").stdout
    (tmp_path / "s.csv").write_text(text, encoding="utf-8-sig")
    i18n.set_lang("zh")
    want = compliance_expected(compliance_report(db, date(2026, 11, 21), date(2026, 11, 30),
                                                 now=NOW, policy=cpolicy))
    assert read_csv_sections(tmp_path / "s.csv") == as_csv(want)
    assert want[2][2] == []  # no rejections in this period: title and header only
    # --format json --out writes what --json prints.
    rma(db, "report", "compliance", "--format", "json", "--out", str(tmp_path / "c.json"))
    printed = json.loads(rma(db, "report", "compliance", "--json").stdout)
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8")) == printed
    assert printed["slips"] == 5
    # XLSX cannot go to the terminal.
    result = rma(db, "report", "compliance", "--format", "xlsx", code=1)
    assert "--out" in result.output
    assert list(tmp_path.glob("*.xlsx")) == []
