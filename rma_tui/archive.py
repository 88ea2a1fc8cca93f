"""Monthly archives (归档): one local calendar month of slips, stock moves, journal and audit
events as CSV files, with a manifest that pins them down.

`write_archive(db, "2026-11", dir)` writes, from one read snapshot of the database:

    slips.csv            slips created in the month        (every column of `slips`)
    slip_lines.csv       the lines of those slips
    stock_moves.csv      stock moves dated in the month
    journal_entries.csv  journal entries dated in the month
    postings.csv         the postings of those entries
    audit_events.csv     audit events dated in the month   (with prev_hash and hash)
    manifest.json        period, row counts, sha256 of each file, the audit chain head
                         (seq, hash) at archive time and the period's last event (seq, hash)

CSV files are UTF-8 with a BOM (Excel on a Chinese Windows then reads the names right);
times are UTC in ISO 8601, money integer fen, booleans 1/0, NULL an empty cell.

`check_archive(db, dir)` proves an archive and the database still agree: each file's
sha256 and row count match the manifest; each archived audit row hashes to its own value;
the database still holds every archived audit row unchanged (all columns); and the row at
the recorded chain head still has the recorded hash. The last test is what catches a chain
that was rewritten consistently after archiving (every hash recomputed, the head table
updated), which `verify` alone cannot see: a rewrite anywhere at or before the head changes
the head's hash. The first mismatch is named.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.service import as_utc, day_bounds, event_hash, utcnow
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

FORMAT = "rma-archive/1"
MANIFEST = "manifest.json"
AUDIT_FILE = "audit_events.csv"
# File order in the manifest and on screen.
FILES = ("slips.csv", "slip_lines.csv", "stock_moves.csv", "journal_entries.csv",
         "postings.csv", AUDIT_FILE)
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_CHUNK = 500  # audit rows looked up per query when checking


@dataclass(frozen=True)
class ArchiveFile:
    """One CSV of an archive: its name, data rows (without the header) and sha256."""

    name: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What `manifest.json` records about an archive."""

    period: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    files: list[ArchiveFile]
    head_seq: int
    head_hash: str
    last_seq: int | None
    last_hash: str | None

    def as_dict(self) -> dict[str, Any]:
        """The manifest.json document."""
        return {
            "format": FORMAT,
            "period": self.period,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "created_at": self.created_at.isoformat(),
            "files": {f.name: {"rows": f.rows, "sha256": f.sha256} for f in self.files},
            "chain_head": {"seq": self.head_seq, "hash": self.head_hash},
            "period_last_event": (None if self.last_seq is None
                                  else {"seq": self.last_seq, "hash": self.last_hash}),
        }


@dataclass(frozen=True)
class ArchiveProblem:
    """The first way an archive and the database disagree: an i18n key (`audit_arc_*`)
    and its parameters (file, seq, id, ...)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str | None = None) -> str:
        """The problem in words."""
        return i18n.t(self.key, lang, **self.params)


@dataclass(frozen=True)
class ArchiveCheck:
    """The result of `check_archive`."""

    period: str
    files: int
    events: int
    problem: ArchiveProblem | None

    @property
    def ok(self) -> bool:
        """True when the archive and the database agree."""
        return self.problem is None

    def message(self, lang: str | None = None) -> str:
        """The verdict in words, naming the first mismatch."""
        if self.problem is None:
            return i18n.t("audit_archive_ok", lang, period=self.period, files=self.files,
                          events=self.events)
        return i18n.t("audit_archive_bad", lang, problem=self.problem.message(lang))

    def as_dict(self) -> dict[str, Any]:
        """The `archive-check --json` contract."""
        return {"ok": self.ok, "period": self.period, "files": self.files,
                "events": self.events,
                "problem": None if self.problem is None else {
                    "key": self.problem.key, **self.problem.params,
                    "message": self.problem.message("en")}}


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """The UTC instants the local calendar month "YYYY-MM" starts and ends at (end
    exclusive); a DomainError for anything else."""
    m = _PERIOD.match((period or "").strip())
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise DomainError("audit_bad_period", field="--period", value=period)
    year, month = int(m.group(1)), int(m.group(2))
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return day_bounds(date(year, month, 1))[0], day_bounds(nxt)[0]


def cell(value: Any) -> str:
    """A stored value as archive text: UTC ISO times, 1/0 booleans, "" for NULL."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _queries(start: datetime, end: datetime) -> dict[str, tuple[Table, Select[Any]]]:
    slips, lines = _table(Slip), _table(SlipLine)
    moves, entries = _table(StockMove), _table(JournalEntry)
    postings, events = _table(Posting), _table(AuditEvent)

    def within(column: Any) -> Any:
        return (column >= start) & (column < end)

    return {
        "slips.csv": (slips, select(*slips.c).where(within(slips.c.created_at))
                      .order_by(slips.c.id)),
        "slip_lines.csv": (lines, select(*lines.c)
                           .select_from(lines.join(slips, lines.c.slip_id == slips.c.id))
                           .where(within(slips.c.created_at)).order_by(lines.c.id)),
        "stock_moves.csv": (moves, select(*moves.c).where(within(moves.c.at))
                            .order_by(moves.c.id)),
        "journal_entries.csv": (entries, select(*entries.c).where(within(entries.c.at))
                                .order_by(entries.c.id)),
        "postings.csv": (postings, select(*postings.c)
                         .select_from(postings.join(entries,
                                                    postings.c.entry_id == entries.c.id))
                         .where(within(entries.c.at)).order_by(postings.c.id)),
        AUDIT_FILE: (events, select(*events.c).where(within(events.c.at))
                     .order_by(events.c.seq)),
    }


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def write_archive(db: Database, period: str, out_dir: Path | str, force: bool = False,
                  now: datetime | None = None) -> Manifest:
    """Write the archive of local month `period` ("YYYY-MM") into `out_dir`.

    Refuses a bad period, and a folder that exists and holds anything unless `force`
    (then the archive's own files are overwritten; nothing else is deleted). Every file is
    read from one snapshot, so the counts, the files and the chain head agree; the
    manifest is written last, so a half-written archive has none and fails its check."""
    start, end = period_bounds(period)
    period = period.strip()
    if start > (now or utcnow()):  # a month not begun has nothing to archive: a typo
        raise DomainError("audit_period_future", field="--period", value=period)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DomainError("audit_archive_not_dir", field="--out", path=str(out))
    if out.exists() and any(out.iterdir()) and not force:
        raise DomainError("audit_archive_exists", field="--out", path=str(out))
    # The archive holds customers' names and phones: only its owner may read the folder.
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    written: list[ArchiveFile] = []
    last: tuple[int, str] | None = None
    with db.read() as s:
        # The head first, in the same read transaction as the rows: a snapshot.
        head_row = s.get(ChainHead, 1)
        head = (head_row.seq, head_row.hash) if head_row else (0, "0" * 64)
        for name, (table, query) in _queries(start, end).items():
            rows = 0
            with open(out / name, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow([c.name for c in table.c])
                for row in s.execute(query.execution_options(yield_per=2000)):
                    writer.writerow([cell(v) for v in row])
                    rows += 1
                    if name == AUDIT_FILE:
                        last = (row.seq, row.hash)
            written.append(ArchiveFile(name, rows, sha256_of(out / name)))
    manifest = Manifest(period, start, end, as_utc(now or utcnow()), written, head[0], head[1],
                        last[0] if last else None, last[1] if last else None)
    (out / MANIFEST).write_text(json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2)
                                + "\n", encoding="utf-8")
    return manifest


# ---------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------


def _read_manifest(folder: Path) -> dict[str, Any] | ArchiveProblem:
    path = folder / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return ArchiveProblem("audit_arc_manifest", {"path": str(path),
                                                     "detail": type(exc).__name__})
    files = doc.get("files") if isinstance(doc, dict) else None
    head = doc.get("chain_head") if isinstance(doc, dict) else None
    if (not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(files, dict)
            or AUDIT_FILE not in files or not isinstance(head, dict)
            or not isinstance(head.get("seq"), int) or not isinstance(head.get("hash"), str)):
        return ArchiveProblem("audit_arc_manifest", {"path": str(path), "detail": "format"})
    return doc


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        return header, list(reader)


def _event_from(header: Sequence[str], values: Sequence[str]) -> AuditEvent:
    """An archived audit row as an AuditEvent (to recompute its hash)."""
    r = dict(zip(header, values, strict=True))

    def opt(name: str) -> str | None:
        return r[name] or None

    return AuditEvent(id=int(r["id"]), seq=int(r["seq"]), at=datetime.fromisoformat(r["at"]),
                      user=r["user"], action=r["action"],
                      slip_id=int(r["slip_id"]) if r["slip_id"] else None,
                      from_status=opt("from_status"), to_status=opt("to_status"),
                      detail_json=r["detail_json"], request_id=opt("request_id"),
                      prev_hash=r["prev_hash"], hash=r["hash"])


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def check_archive(db: Database, folder: Path | str) -> ArchiveCheck:
    """Check archive `folder` against itself and against the database (see the module
    doc); the first mismatch is named in `problem`."""
    folder = Path(folder)
    doc = _read_manifest(folder)
    if isinstance(doc, ArchiveProblem):
        return ArchiveCheck("", 0, 0, doc)
    period = str(doc.get("period", ""))
    files: dict[str, Any] = doc["files"]

    def failed(key: str, **params: Any) -> ArchiveCheck:
        return ArchiveCheck(period, len(files), 0, ArchiveProblem(key, params))

    audit: tuple[list[str], list[list[str]]] = ([], [])
    for name, info in files.items():
        path = folder / name
        if not path.is_file():
            return failed("audit_arc_file_missing", file=name)
        if not isinstance(info, dict) or sha256_of(path) != info.get("sha256"):
            return failed("audit_arc_file_hash", file=name)
        header, rows = _csv_rows(path)
        if len(rows) != info.get("rows"):
            return failed("audit_arc_file_rows", file=name, found=len(rows),
                          expected=info.get("rows"))
        if name == AUDIT_FILE:
            audit = (header, rows)
    header, rows = audit
    if header != [c.name for c in _table(AuditEvent).c]:
        return failed("audit_arc_manifest", path=str(folder / AUDIT_FILE), detail="columns")

    # Each archived row hashes to its own value, and links to the one before it.
    by_seq: dict[int, list[str]] = {}
    previous: AuditEvent | None = None
    for values in rows:
        try:
            ev = _event_from(header, values)
        except (ValueError, KeyError):
            return failed("audit_arc_archive_chain", seq=values[1] if len(values) > 1 else "?",
                          id=values[0] if values else "?")
        linked = previous is None or previous.seq != ev.seq - 1 or ev.prev_hash == previous.hash
        if not linked or event_hash(ev.prev_hash, ev) != ev.hash:
            return failed("audit_arc_archive_chain", seq=ev.seq, id=ev.id)
        by_seq[ev.seq] = list(values)
        previous = ev

    # The database still holds every archived row, column for column.
    events = _table(AuditEvent)
    seqs = sorted(by_seq)
    head_seq, head_hash = int(doc["chain_head"]["seq"]), str(doc["chain_head"]["hash"])
    unreadable: set[int] = set()  # rows whose cells no longer read (damaged, tampered)
    with db.read() as s:
        live: dict[int, list[str]] = {}
        for part in _chunks(seqs, _CHUNK):
            try:
                for row in s.execute(select(*events.c).where(events.c.seq.in_(part))):
                    live[row.seq] = [cell(v) for v in row]
            except (ValueError, TypeError, DBAPIError):
                for seq in part:  # one at a time, to name the first row that does not read
                    try:
                        one = s.execute(select(*events.c).where(events.c.seq == seq)).first()
                    except (ValueError, TypeError, DBAPIError):
                        unreadable.add(seq)
                        continue
                    if one is not None:
                        live[one.seq] = [cell(v) for v in one]
        head_row = (s.execute(select(events.c.id, events.c.hash)
                              .where(events.c.seq == head_seq)).first()
                    if head_seq > 0 else None)
    for seq in seqs:
        archived = by_seq[seq]
        if seq in unreadable:
            return failed("audit_arc_event_altered", seq=seq, id=archived[0])
        if seq not in live:
            return failed("audit_arc_event_missing", seq=seq, id=archived[0])
        if live[seq] != archived:
            return failed("audit_arc_event_altered", seq=seq, id=archived[0])
    # The recorded head: a consistent rewrite at or before it changes its hash.
    if head_seq > 0:
        if head_row is None:
            return failed("audit_arc_head_missing", seq=head_seq)
        if head_row.hash != head_hash:
            return failed("audit_arc_head_altered", seq=head_seq, id=head_row.id)
    return ArchiveCheck(period, len(files), len(rows), None)
