"""Engine, sessions and schema upgrade.

Every write runs inside `Database.write()`: one transaction, opened on SQLite with
`BEGIN IMMEDIATE` so that a second writer waits for the lock (busy timeout) instead of
failing with "database is locked" half-way through. Reads use `Database.read()`.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from rma_tui.errors import DomainError
from rma_tui.store.cells import DamagedCell, describe, scan

BUSY_TIMEOUT_MS = 30_000

# PostgreSQL: the key of the advisory lock every write transaction takes first (see
# `Database.write`), and the session settings every connection gets.
PG_WRITE_LOCK_KEY = 0x726D61  # "rma"
PG_OPTIONS = f"-c timezone=UTC -c lock_timeout={BUSY_TIMEOUT_MS}"

# Storage trouble the user can act on, by SQLite primary result code (an extended code
# carries it in its low byte) and by PostgreSQL SQLSTATE. Anything else stays a plain
# database error: these are the ones with a clear cause and a clear remedy.
_SQLITE_KEYS = {
    3: "db_read_only",   # SQLITE_PERM
    5: "db_busy",        # SQLITE_BUSY: the busy timeout ran out
    6: "db_busy",        # SQLITE_LOCKED
    8: "db_read_only",   # SQLITE_READONLY (file, folder or file system)
    10: "db_io_error",   # SQLITE_IOERR (EIO, EFBIG past a file size limit, ...)
    11: "db_corrupt",    # SQLITE_CORRUPT
    13: "db_disk_full",  # SQLITE_FULL (ENOSPC, or max_page_count reached)
    14: "db_cant_open",  # SQLITE_CANTOPEN
    26: "db_corrupt",    # SQLITE_NOTADB
}
_PG_KEYS = {
    "53100": "db_disk_full",   # disk_full
    "25006": "db_read_only",   # read_only_sql_transaction (e.g. a standby server)
    "58030": "db_io_error",    # io_error
    "XX001": "db_corrupt",     # data_corrupted
    "55P03": "db_busy",        # lock_not_available (lock_timeout ran out)
    "40P01": "db_busy",        # deadlock_detected
    "40001": "db_busy",        # serialization_failure
}


def url_for(db: str) -> str:
    """Turn a `--db` value (a file path or an SQLAlchemy URL) into a URL. A PostgreSQL URL
    without a driver (`postgresql://`, `postgres://`) gets psycopg 3, the one installed."""
    if "://" in db:
        scheme, rest = db.split("://", 1)
        if scheme in ("postgres", "postgresql"):
            return f"postgresql+psycopg://{rest}"
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    """True when the URL names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for memory or other back ends."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder 0700 and the database file 0600 before SQLite does (umask-proof)."""
    if path.exists():
        return
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _ensure_wal(cur: Any) -> None:
    """Switch the file to WAL (it stays so). Changing the journal mode does not wait on the
    busy handler when another connection is just creating the file, so retry briefly."""
    if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so our BEGIN is the one used.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _ensure_wal(cur)
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


# The message keys of storage trouble: never an expected refusal (tests use this).
STORAGE_KEYS = frozenset(_SQLITE_KEYS.values()) | frozenset(_PG_KEYS.values())


def storage_error(exc: BaseException, where: str) -> DomainError | None:
    """A DomainError for storage trouble (disk full, read-only, I/O, busy, damaged), or None
    when `exc` is some other database error. `where` names the database in the message."""
    orig = getattr(exc, "orig", None) or exc
    key: str | None = None
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        key = _SQLITE_KEYS.get(code & 0xFF)
    else:
        key = _PG_KEYS.get(str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", "")))
    if key is None:
        return None
    detail = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    return DomainError(key, field="database", db=where, detail=detail,
                       seconds=BUSY_TIMEOUT_MS // 1000)


@contextmanager
def storage_errors(where: str) -> Iterator[None]:
    """Raise storage trouble as a DomainError (its cause kept); the transaction has already
    been rolled back by the session when the error gets here."""
    try:
        yield
    except (DBAPIError, sqlite3.Error) as e:
        translated = storage_error(e, where)
        if translated is None:
            raise
        raise translated from e


# Errors that reading a damaged cell causes (the ORM's datetime parser, a number that is
# text, bytes where text belongs): worth a scan of the cells before they are reported.
_DAMAGE_SIGNS: tuple[type[BaseException], ...] = (
    ValueError, TypeError, OverflowError, AttributeError, KeyError, IndexError)


def _looks_like_damage(exc: BaseException) -> bool:
    if isinstance(exc, DomainError):
        return False
    if isinstance(exc, DBAPIError):  # SQLite could not decode a cell as UTF-8
        return "decode" in str(exc.orig)
    return isinstance(exc, _DAMAGE_SIGNS)


@contextmanager
def _writers_turn(lock_path: Path | None, where: str) -> Iterator[None]:
    """Take this file's writers' turn: an exclusive `flock` on `<db>.writers`, held from
    before `BEGIN IMMEDIATE` to after `COMMIT`.

    Why: SQLite's busy handler does not queue. A writer that has waited a while sleeps
    100 ms between tries while newcomers try after 1-2 ms, so under steady load one writer
    can lose for many seconds (12.7 s was measured with 8 processes). Here every waiter
    tries every few milliseconds, so each release goes to any of them alike and nobody
    starves. The wait is bounded by the same busy timeout (then `db_busy`). Where the lock
    file cannot be made (a read-only folder), writes go on without it: SQLite still
    serialises them."""
    if lock_path is None:
        yield
        return
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DomainError("db_busy", field="database", db=where, detail="",
                                      seconds=BUSY_TIMEOUT_MS // 1000) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.004)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class Database:
    """One database: a read engine and a write engine sharing one pool."""

    def __init__(self, db: str) -> None:
        self.url = url_for(db)
        self.sqlite = is_sqlite(self.url)
        path = sqlite_path(self.url)
        # The SQLite file (None for a server): outputs must never be written over it.
        self.file: Path | None = path
        # How messages name this database: the file, or the URL without its password.
        self.where = str(path or make_url(self.url).render_as_string(hide_password=True))
        if path is not None:
            _prepare_sqlite_file(path)
        # The writers' turn lock beside an SQLite file (see `_writers_turn`);
        # RMA_WRITE_TURNS=0 leaves the waiting to SQLite's busy handler alone.
        self.writers_lock: Path | None = None
        if path is not None and os.environ.get("RMA_WRITE_TURNS", "1") != "0":
            self.writers_lock = path.with_name(path.name + ".writers")
        kwargs: dict[str, Any] = {}
        if self.sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        elif make_url(self.url).get_backend_name() == "postgresql":
            # Times in UTC whatever the server's zone (the reads shift to local time
            # themselves), and lock waits bounded like SQLite's busy timeout.
            kwargs["connect_args"] = {"options": PG_OPTIONS}
            kwargs["pool_pre_ping"] = True  # a restarted server is not an error to a desk
        self.engine: Engine = create_engine(self.url, **kwargs)
        self.write_engine: Engine
        if self.sqlite:
            _install_sqlite_hooks(self.engine)
            self.write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            self.write_engine = self.engine

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work that writes: commits on success, rolls back on any error.

        Storage trouble (disk full, read-only, I/O error, busy past the timeout) comes out
        as a DomainError naming it, after the rollback."""
        with storage_errors(self.where), _writers_turn(self.writers_lock, self.where), \
                self.damage_named(), \
                Session(self.write_engine, expire_on_commit=False) as session:
            with session.begin():
                if not self.sqlite:
                    self.take_write_lock(session)
                yield session

    def take_write_lock(self, conn: Any) -> None:
        """PostgreSQL: one writer at a time, as `BEGIN IMMEDIATE` gives on SQLite. Every
        write checks, then inserts (the next slip number, a request id, a stock level, an
        order): under READ COMMITTED two writers would both pass the check, and they lock
        rows in different orders (deadlocks). The advisory lock is held to the end of the
        transaction; every write also updates the audit chain head, so they were one at a
        time at their end anyway — now from their start."""
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK_KEY})

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        with storage_errors(self.where), self.damage_named(), \
                Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session
                session.rollback()

    def damaged_cells(self, limit: int = 3) -> list[DamagedCell]:
        """Cells that break their column's type (a text where a number belongs, a bad
        datetime, bytes that are not UTF-8, ...), at most `limit`; [] when none is."""
        from sqlmodel import SQLModel

        from rma_tui.store import models  # noqa: F401  (the tables, for SQLModel.metadata)

        with storage_errors(self.where), self.engine.connect() as conn, conn.begin():
            return scan(conn, SQLModel.metadata.sorted_tables, {}, limit)

    def damage_error(self, exc: BaseException) -> DomainError | None:
        """A DomainError naming the damaged cells when `exc` looks like what reading one
        causes and there are any; else None (the error is something else)."""
        if not _looks_like_damage(exc):
            return None
        try:
            cells = self.damaged_cells()
        except Exception:  # could not even scan: the original error says more
            return None
        if not cells:
            return None
        return DomainError("db_damaged", field="database", db=self.where, cells=describe(cells))

    @contextmanager
    def damage_named(self) -> Iterator[None]:
        """Raise an error caused by a damaged cell as a DomainError that names the cells
        and says what to do (rma verify, a backup), instead of a traceback."""
        try:
            yield
        except Exception as exc:
            named = self.damage_error(exc)
            if named is None:
                raise
            raise named from exc

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
