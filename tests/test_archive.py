"""Monthly archives: a round trip (files read back with the csv module equal the database
rows), the manifest, and tampering after archiving caught at the right row, including a
chain rewritten consistently (every hash recomputed) that `verify` alone cannot see."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from test_reads_audit import TOTAL, row_id, seed_audit, tamper

from rma_tui import archive
from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.reads import audit as ra
from rma_tui.store.db import Database
from rma_tui.store.models import (
    AuditEvent,
    ChainHead,
    JournalEntry,
    Posting,
    Slip,
    SlipLine,
    StockMove,
)

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")
NOVEMBER_EVENTS = TOTAL - 3  # two purchases in October, a stock count in December


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, str]]:
    return db, seed_audit(db)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def db_rows(db: Database, model: type, keep: Callable[[Any], bool] = lambda r: True,
            order: str = "id") -> list[dict[str, str]]:
    """Every row of `model`'s table that `keep` accepts (typed values, so times are
    datetimes), each value as the archive writes it."""
    table = model.__table__  # type: ignore[attr-defined]
    with db.read() as s:
        rows = s.execute(select(*table.c).order_by(table.c[order])).all()
    return [{k: archive.cell(v) for k, v in r._mapping.items()} for r in rows if keep(r)]


def rewrite_chain(db: Database, seq: int, detail_json: str) -> None:
    """Edit audit row `seq` and recompute every hash from there on, and the head: a forger
    who knows the hash function. `verify` then passes."""
    with db.write() as s:
        rows = s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()
        prev = "0" * 64
        for ev in rows:
            if ev.seq == seq:
                ev.detail_json = detail_json
            ev.prev_hash = prev
            ev.hash = sv.event_hash(prev, ev)
            prev = ev.hash
            s.add(ev)
        head = s.get(ChainHead, 1)
        assert head is not None
        head.hash = prev
        s.add(head)


@pytest.fixture
def archived(seeded: tuple[Database, dict[str, str]], tmp_path: Path
             ) -> tuple[Database, Path, archive.Manifest]:
    db, _ = seeded
    out = tmp_path / "2026-11"
    manifest = archive.write_archive(db, "2026-11", out,
                                     now=datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    return db, out, manifest


def test_round_trip(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, manifest = archived
    assert sorted(p.name for p in out.iterdir()) == sorted([*archive.FILES, "manifest.json"])
    # November in Shanghai: 2026-10-31 16:00 UTC to 2026-11-30 16:00 UTC.
    assert manifest.starts_at == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert manifest.ends_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    start, end = manifest.starts_at, manifest.ends_at

    def within(at: datetime) -> bool:
        return start <= sv.as_utc(at) < end

    slips = db_rows(db, Slip, lambda r: within(r.created_at))
    slip_ids = {s["id"] for s in slips}
    entries = db_rows(db, JournalEntry, lambda r: within(r.at))
    entry_ids = {e["id"] for e in entries}
    expected = {
        "slips.csv": slips,
        "slip_lines.csv": db_rows(db, SlipLine, lambda r: str(r.slip_id) in slip_ids),
        "stock_moves.csv": db_rows(db, StockMove, lambda r: within(r.at)),
        "journal_entries.csv": entries,
        "postings.csv": db_rows(db, Posting, lambda r: str(r.entry_id) in entry_ids),
        "audit_events.csv": db_rows(db, AuditEvent, lambda r: r.seq not in (9, 10, 21), "seq"),
    }
    for name, rows in expected.items():
        got = read_csv(out / name)
        assert got == rows, name
        assert manifest.as_dict()["files"][name]["rows"] == len(rows)
    counts = {f.name: f.rows for f in manifest.files}
    assert counts["slips.csv"] == 2 and counts["slip_lines.csv"] == 2
    assert counts["audit_events.csv"] == NOVEMBER_EVENTS
    # October's purchases and December's count are in other months' archives.
    moves = read_csv(out / "stock_moves.csv")
    assert {m["kind"] for m in moves} >= {"sale", "return_in"}
    assert "purchase" not in {m["kind"] for m in moves}
    assert "adjust" not in {m["kind"] for m in moves}
    # Chinese text survives: the customer's reason and the reject reason.
    assert any(r["reason_text"] == "插头松动" for r in read_csv(out / "slip_lines.csv"))


def test_manifest(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, manifest = archived
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert doc["format"] == archive.FORMAT and doc["period"] == "2026-11"
    for name in archive.FILES:
        assert doc["files"][name]["sha256"] == hashlib.sha256(
            (out / name).read_bytes()).hexdigest()
    assert doc["chain_head"] == {"seq": TOTAL, "hash": sv.chain_head(db)[1]}
    last = read_csv(out / "audit_events.csv")[-1]
    assert doc["period_last_event"] == {"seq": 20, "hash": last["hash"]}
    assert doc["created_at"] == "2026-12-05T02:00:00+00:00"


def test_check_ok(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    result = archive.check_archive(db, out)
    assert result.ok, result.message("en")
    assert (result.files, result.events) == (6, NOVEMBER_EVENTS)
    assert "校验通过" in result.message("zh")
    # Work after archiving appends to the chain: the archive still checks out.
    sv.adjust_stock(db, "warehouse", "P2", "sellable", 1, "盘盈")
    assert archive.check_archive(db, out).ok


def test_altered_row_caught_by_verify_and_archive(
        archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    tamper(db, "UPDATE audit_events SET detail_json = replace(detail_json, '包装已拆', '无') "
               "WHERE seq = 20")
    chain = next(c for c in sv.verify(db).checks if c.name == "chain")
    assert not chain.ok and f"seq 20 (id {row_id(db, 20)})" in chain.detail
    status = ra.verify_trail(db)
    assert (status.kind, status.seq, status.id) == ("altered", 20, row_id(db, 20))
    result = archive.check_archive(db, out)
    assert result.problem is not None
    assert result.problem.key == "audit_arc_event_altered"
    assert result.problem.params["seq"] == 20


def test_rewritten_chain_passes_verify_but_not_the_archive(
        archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    with db.read() as s:
        original = s.exec(select(AuditEvent).where(AuditEvent.seq == 17)).one().detail_json
    rewrite_chain(db, 17, original.replace("1800", "180000"))
    assert sv.verify(db).ok  # the forger's chain is consistent...
    assert ra.verify_trail(db).ok
    result = archive.check_archive(db, out)  # ...but not the one the archive recorded
    assert result.problem is not None
    assert (result.problem.key, result.problem.params["seq"]) == ("audit_arc_event_altered", 17)
    assert "17" in result.message("en")


def test_rewrite_before_the_period_caught_at_the_head(
        archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    # Seq 9 is an October purchase, not in the November archive; rewriting it changes every
    # later hash, so the rows after it and the recorded head all differ.
    with db.read() as s:
        original = s.exec(select(AuditEvent).where(AuditEvent.seq == 9)).one().detail_json
    rewrite_chain(db, 9, original.replace('"qty": 10', '"qty": 1'))
    assert sv.verify(db).ok
    result = archive.check_archive(db, out)
    assert result.problem is not None
    assert (result.problem.key, result.problem.params["seq"]) == ("audit_arc_event_altered", 11)


def test_rewrite_after_the_period_caught_at_the_head(
        seeded: tuple[Database, dict[str, str]], tmp_path: Path) -> None:
    db, _ = seeded
    out = tmp_path / "oct"
    manifest = archive.write_archive(db, "2026-10", out)
    assert [f.rows for f in manifest.files if f.name == archive.AUDIT_FILE] == [2]
    assert manifest.head_seq == TOTAL and manifest.last_seq == 10
    with db.read() as s:
        original = s.exec(select(AuditEvent).where(AuditEvent.seq == 15)).one().detail_json
    rewrite_chain(db, 15, original.replace("{}", '{"x": 1}'))
    assert sv.verify(db).ok
    result = archive.check_archive(db, out)
    assert result.problem is not None
    assert (result.problem.key, result.problem.params["seq"]) == ("audit_arc_head_altered",
                                                                  TOTAL)


def test_deleted_last_row_caught(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    tamper(db, "DELETE FROM audit_events WHERE seq = :q", q=TOTAL)
    assert ra.verify_trail(db).kind == "head"
    result = archive.check_archive(db, out)
    assert result.problem is not None
    assert (result.problem.key, result.problem.params["seq"]) == ("audit_arc_head_missing",
                                                                  TOTAL)
    # Deleting the period's own last row is named at that row.
    tamper(db, "DELETE FROM audit_events WHERE seq = 20")
    result = archive.check_archive(db, out)
    assert result.problem is not None
    assert (result.problem.key, result.problem.params["seq"]) == ("audit_arc_event_missing", 20)


def test_edited_file_caught(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    path = out / "postings.csv"
    path.write_bytes(path.read_bytes().replace(b"1800", b"1900", 1))
    result = archive.check_archive(db, out)
    assert result.problem is not None
    assert (result.problem.key, result.problem.params["file"]) == ("audit_arc_file_hash",
                                                                   "postings.csv")
    (out / "slips.csv").unlink()
    assert archive.check_archive(db, out).problem.key == "audit_arc_file_missing"  # type: ignore[union-attr]


def test_forged_archive_row_caught(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    # Someone edits an archived event and fixes the manifest's sha256 to match: the row no
    # longer hashes to its own value.
    path = out / archive.AUDIT_FILE
    path.write_bytes(path.read_bytes().replace("包装已拆".encode(), "无".encode()))
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    doc["files"][archive.AUDIT_FILE]["sha256"] = archive.sha256_of(path)
    (out / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    result = archive.check_archive(db, out)
    assert result.problem is not None
    assert (result.problem.key, result.problem.params["seq"]) == ("audit_arc_archive_chain", 20)


def test_missing_manifest(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, _ = archived
    (out / "manifest.json").unlink()
    result = archive.check_archive(db, out)
    assert not result.ok and result.problem is not None
    assert result.problem.key == "audit_arc_manifest"


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "26-11", "2026/11", "", "abcd-ef",
                                    "2026-00"])
def test_bad_period_refused(db: Database, tmp_path: Path, period: str) -> None:
    with pytest.raises(DomainError) as e:
        archive.write_archive(db, period, tmp_path / "x")
    assert e.value.key == "audit_bad_period"
    assert not (tmp_path / "x").exists()


def test_existing_folder_needs_force(archived: tuple[Database, Path, archive.Manifest]) -> None:
    db, out, manifest = archived
    with pytest.raises(DomainError) as e:
        archive.write_archive(db, "2026-11", out)
    assert e.value.key == "audit_archive_exists"
    again = archive.write_archive(db, "2026-11", out, force=True,
                                  now=datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    assert again == manifest  # same data, same files, same hashes
    # An empty folder is fine without --force; a file in the way is not a folder.
    empty = out.parent / "empty"
    empty.mkdir()
    january = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    archive.write_archive(db, "2026-12", empty, now=january)
    blocker = out.parent / "file"
    blocker.write_text("x")
    with pytest.raises(DomainError) as e:
        archive.write_archive(db, "2026-12", blocker, force=True, now=january)
    assert e.value.key == "audit_archive_not_dir"
    # A month not begun yet: refused, nothing written.
    with pytest.raises(DomainError) as e:
        archive.write_archive(db, "2027-02", out.parent / "feb", now=january)
    assert e.value.key == "audit_period_future" and not (out.parent / "feb").exists()


def test_december_holds_the_count(seeded: tuple[Database, dict[str, str]],
                                  tmp_path: Path) -> None:
    db, _ = seeded
    manifest = archive.write_archive(db, "2026-12", tmp_path / "dec",
                                     now=datetime(2027, 1, 5, 2, 0, tzinfo=UTC))
    rows = {f.name: f.rows for f in manifest.files}
    assert rows == {"slips.csv": 0, "slip_lines.csv": 0, "stock_moves.csv": 1,
                    "journal_entries.csv": 1, "postings.csv": 2, "audit_events.csv": 1}
    assert manifest.last_seq == TOTAL
    assert archive.check_archive(db, tmp_path / "dec").ok
