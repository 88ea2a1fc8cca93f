"""Engine, sessions and schema upgrade.

Every write runs inside `Database.write()`: one transaction, opened on SQLite with
`BEGIN IMMEDIATE` so that a second writer waits for the lock (busy timeout) instead of
failing with "database is locked" half-way through. Reads use `Database.read()`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from rma_tui.errors import DomainError

BUSY_TIMEOUT_MS = 30_000

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
    "55P03": "db_busy",        # lock_not_available
}


def url_for(db: str) -> str:
    """Turn a `--db` value (a file path or an SQLAlchemy URL) into a URL."""
    if "://" in db:
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


class Database:
    """One database: a read engine and a write engine sharing one pool."""

    def __init__(self, db: str) -> None:
        self.url = url_for(db)
        self.sqlite = is_sqlite(self.url)
        # How messages name this database: the file, or the URL without its password.
        self.where = str(sqlite_path(self.url) or make_url(self.url).render_as_string(
            hide_password=True))
        path = sqlite_path(self.url)
        if path is not None:
            _prepare_sqlite_file(path)
        kwargs: dict[str, Any] = {}
        if self.sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
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
        with storage_errors(self.where), Session(self.write_engine,
                                                  expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        with storage_errors(self.where), Session(self.engine,
                                                  expire_on_commit=False) as session:
            with session.begin():
                yield session
                session.rollback()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
