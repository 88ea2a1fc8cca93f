"""Backing up and restoring an SQLite shop file (the logic behind `rma backup` / `rma restore`).

Both copy with SQLite's online backup API: one consistent snapshot of the source, WAL
included, taken while clerks keep working. Each new file is written into a temporary file
(0600) next to its final place, checked, fsynced and renamed: a reader never sees a
half-written file, and a refusal writes nothing.

Restore replaces the shop file only when no other connection has it open: it first turns
the old file out of WAL mode (which SQLite allows only to the sole connection), so no stale
`-wal` file can be replayed onto the restored one, then keeps the old data as
`<db>.before-restore-<UTC stamp>` and renames the checked copy into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rma_tui.errors import DomainError

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 30.0
# Tables a freshly migrated database already fills (reference data): not "shop data".
_SEEDED = {"alembic_version", "accounts", "chain_head", "shops"}


@dataclass(frozen=True)
class RestoreResult:
    """What `restore` did: the revision of the restored copy and where the old file went."""

    revision: str
    before: Path | None


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_next_to(target: Path) -> Path:
    """A new empty file (0600, mkstemp's mode) in the target's folder."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def remove_sqlite(path: Path) -> None:
    """Remove an SQLite file and its journal, write-ahead log, shared-memory and writers'
    lock files."""
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm"),
              Path(f"{path}.writers")):
        p.unlink(missing_ok=True)


def copy_sqlite(src: sqlite3.Connection, target: Path) -> None:
    """Copy the database of `src` into the (existing, empty) file `target` in one step of
    the backup API (one read transaction on the source: a consistent snapshot), then fsync."""
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
    _fsync(target)


def _integrity(conn: sqlite3.Connection) -> list[str]:
    # A damaged file's report may quote bytes that are not UTF-8.
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    return [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]


def _new_file(target: Path, src: sqlite3.Connection) -> Path:
    """Copy `src` into a checked temp file next to `target`; return the temp file."""
    tmp = _temp_next_to(target)
    try:
        copy_sqlite(src, tmp)
        check = sqlite3.connect(tmp)
        try:
            res = _integrity(check)
        finally:
            check.close()
        if res != ["ok"]:
            raise DomainError("backup_copy_corrupt", path=str(target), detail="; ".join(res[:3]))
    except BaseException:
        remove_sqlite(tmp)
        raise
    return tmp


@contextlib.contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    """A raw sqlite3 failure (disk full, read-only folder, ...) as a refused request."""
    try:
        yield
    except sqlite3.Error as e:
        raise DomainError("backup_sqlite_error", path=str(path), detail=str(e)) from None


def backup(source: Path, target: Path, *, force: bool = False) -> Path:
    """Copy the shop file `source` to `target` (0600); refuse an existing `target` unless
    `force`. The copy passed `integrity_check` before it took `target`'s name."""
    target = check_target(source, target, force=force)
    with _sqlite_errors(target):
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)
        try:
            tmp = _new_file(target, src)
        finally:
            src.close()
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    return target


def check_target(source: Path, target: Path, *, force: bool = False) -> Path:
    """Refuse a backup `target` that may not be written; return it as an absolute path."""
    target = target.expanduser().absolute()
    if not source.exists():
        raise DomainError("cli_no_database", field="db", path=str(source))
    if target.exists() and target.resolve() == source.resolve():
        raise DomainError("backup_same_file", path=str(target))
    if target.is_dir():
        raise DomainError("backup_is_dir", path=str(target))
    if target.exists() and not force:
        raise DomainError("backup_exists", path=str(target))
    if not target.parent.is_dir():
        raise DomainError("backup_no_folder", path=str(target.parent))
    return target


def file_size(path: Path) -> int:
    """The size of a database file in bytes."""
    return path.stat().st_size


# --- restore --------------------------------------------------------------------------------


def _open_ro(path: Path) -> sqlite3.Connection:
    """Read-only. With no `-wal` beside it the whole database is in the file: open it as
    immutable, so not even an empty `-wal`/`-shm` is created next to it."""
    still = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    return sqlite3.connect(f"{path.as_uri()}?mode=ro{still}", uri=True,
                           timeout=BUSY_TIMEOUT_S)


def check_backup(path: Path) -> tuple[sqlite3.Connection, str]:
    """Open the backup read-only and check it: an SQLite file, intact, an rma database at a
    revision this program knows. Return the open connection and the revision."""
    from rma_tui.store.migrate import head_revision, script_directory

    if not path.exists():
        raise DomainError("backup_missing", path=str(path))
    if not path.is_file():
        raise DomainError("backup_is_dir", path=str(path))
    with path.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise DomainError("backup_not_sqlite_file", path=str(path))
    conn = _open_ro(path)
    try:
        try:
            res = _integrity(conn)
        except sqlite3.DatabaseError as e:
            raise DomainError("backup_corrupt", path=str(path), detail=str(e)) from None
        if res != ["ok"]:
            raise DomainError("backup_corrupt", path=str(path), detail="; ".join(res[:3]))
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
        if "alembic_version" not in tables or "chain_head" not in tables:
            raise DomainError("backup_not_rma", path=str(path))
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = str(row[0]) if row else ""
        known = {s.revision for s in script_directory().walk_revisions()}
        if revision not in known:
            raise DomainError("backup_newer", path=str(path), revision=revision or "—",
                              head=head_revision())
    except BaseException:
        conn.close()
        raise
    return conn, revision


def has_data(path: Path) -> bool:
    """True when the SQLite file holds any row beyond a migration's reference data (an
    unreadable file counts as holding data: it is not ours to throw away)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        conn = _open_ro(path)
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
            for name in names:
                if name in _SEEDED or name.startswith("sqlite_"):
                    continue
                quoted = '"' + name.replace('"', '""') + '"'
                if conn.execute(f"SELECT 1 FROM {quoted} LIMIT 1").fetchone() is not None:
                    return True
            return False
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True


def _keep_raw(target: Path, before: Path) -> None:
    """Move an unreadable shop file's bytes (and its `-wal`) to `before` unchanged."""
    try:
        shutil.copyfile(target, before)
        _fsync(before)
        wal = Path(f"{target}-wal")
        if wal.exists():
            kept = Path(f"{before}-wal")
            fd = os.open(kept, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            shutil.copyfile(wal, kept)
            _fsync(kept)
    except BaseException:
        remove_sqlite(before)
        raise
    for p in (Path(f"{target}-wal"), Path(f"{target}-shm"), Path(f"{target}-journal")):
        p.unlink(missing_ok=True)


def _take_old(target: Path, stamp: str, keep_as: str = "before-restore"
              ) -> tuple[sqlite3.Connection | None, Path]:
    """Keep the current file's data as `<db>.<keep_as>-<stamp>` and leave the current
    file out of WAL mode with no `-wal` beside it, still open and locked by the returned
    connection (so nobody writes to it before it is replaced). A file SQLite cannot read is
    kept byte for byte instead (and no connection is returned)."""
    base = f"{target.name}.{keep_as}-{stamp}"
    before = target.with_name(base)
    n = 1
    while before.exists():
        n += 1
        before = target.with_name(f"{base}-{n}")
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        fd = os.open(before, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        try:
            copy_sqlite(conn, before)
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError):  # busy, disk full, I/O: give up
                remove_sqlite(before)
                raise
            # Not readable as a database (damaged): keep its bytes as they are.
            conn.close()
            _keep_raw(target, before)
            return None, before
        except BaseException:
            remove_sqlite(before)
            raise
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "wal"
        if str(mode).lower() != "delete":
            remove_sqlite(before)
            raise DomainError("backup_restore_in_use", path=str(target))
        # Hold the file: nobody can open a write (or, in rollback mode, read) transaction on
        # the old file between here and the rename.
        conn.execute("BEGIN EXCLUSIVE")
    except BaseException:
        conn.close()
        raise
    return conn, before


def restore(backup_file: Path, target: Path, *, force: bool = False,
            now: datetime | None = None, keep_as: str = "before-restore") -> RestoreResult:
    """Put the checked backup in place of the shop file `target` (atomically); the old
    file's data is kept as `<db>.<keep_as>-<UTC stamp>`."""
    backup_file = backup_file.expanduser().absolute()
    if target.exists() and backup_file.exists() and target.resolve() == backup_file.resolve():
        raise DomainError("backup_same_file", path=str(target))
    with _sqlite_errors(backup_file):
        src, revision = check_backup(backup_file)
    try:
        if target.exists() and has_data(target) and not force:
            raise DomainError("backup_restore_exists", path=str(target))
        if not target.parent.exists():
            target.parent.mkdir(parents=True, mode=0o700)
        with _sqlite_errors(target):
            tmp = _new_file(target, src)
    finally:
        src.close()
    old: sqlite3.Connection | None = None
    before: Path | None = None
    try:
        with _sqlite_errors(target):
            if target.exists():
                old, before = _take_old(target, _stamp(now), keep_as)
            else:
                remove_sqlite(target)  # stray -wal/-shm of a file that is gone
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        remove_sqlite(tmp)
        raise
    finally:
        if old is not None:
            with contextlib.suppress(sqlite3.Error):
                old.execute("ROLLBACK")
            old.close()
    return RestoreResult(revision=revision, before=before)
