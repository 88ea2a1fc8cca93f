"""The engine: pragmas, BEGIN IMMEDIATE for writes, rollback on error, file permissions."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import select

from rma_tui.store.db import Database, url_for
from rma_tui.store.models import Setting


def test_url_for_accepts_paths_and_urls(tmp_path):
    assert url_for("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert url_for(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"


def test_sqlite_pragmas(db):
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_new_database_file_is_private(tmp_path):
    path = tmp_path / "private" / "shop.db"
    Database(str(path)).dispose()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_write_rolls_back_on_error(db):
    with pytest.raises(RuntimeError):
        with db.write() as s:
            s.add(Setting(key="k", value="v"))
            s.flush()
            raise RuntimeError("boom")
    with db.read() as s:
        assert s.get(Setting, "k") is None


def test_second_writer_waits_instead_of_failing(db, tmp_path):
    """BEGIN IMMEDIATE: a writer that finds the lock taken waits (busy timeout), then wins."""
    other = Database(db.url)
    held = threading.Event()
    done: list[str] = []

    def hold_lock() -> None:
        with db.write() as s:
            s.add(Setting(key="a", value="1"))
            s.flush()
            held.set()
            time.sleep(0.5)

    t = threading.Thread(target=hold_lock)
    t.start()
    held.wait(5)
    with other.write() as s:  # must not raise "database is locked"
        row = s.get(Setting, "a")  # sees the first writer's commit: it waited for it
        done.append(row.value if row else "missing")
        s.add(Setting(key="b", value="2"))
    t.join()
    other.dispose()
    assert done == ["1"]
    with db.read() as s:
        assert {r.key for r in s.exec(select(Setting)).all()} >= {"a", "b"}
