"""The schema comes from the Alembic migrations: they create it, agree with the models,
back up an older database before upgrading it, and apply all-or-nothing."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from rma_tui import service as sv
from rma_tui.store import models  # noqa: F401  (registers every table)
from rma_tui.store.db import Database
from rma_tui.store.migrate import (
    MIGRATIONS_DIR,
    MigrationError,
    backup_sqlite,
    current_revision,
    head_revision,
    upgrade,
)

# The newest revision this version ships.
HEAD = "0009"
# A revision after the shipped head, written into a copy of the shipped migrations, so that a
# database can really be at an older revision than the scripts it is opened with.
REV_EXTRA = '''"""test only: add a table"""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("extra", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO extra (id) VALUES (1)")
    {fail}


def downgrade():
    op.drop_table("extra")
'''


def _scripts_with_extra(tmp_path: Path, fail: bool = False) -> Path:
    loc = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, loc, ignore=shutil.ignore_patterns("__pycache__"))
    body = REV_EXTRA.format(fail='raise RuntimeError("boom")' if fail else "pass", head=HEAD)
    (loc / "versions" / "9001_extra.py").write_text(body, encoding="utf-8")
    return loc


def _fresh(tmp_path: Path, name: str = "shop.db") -> Database:
    return Database(str(tmp_path / name))


def test_upgrade_creates_every_table_and_reference_rows(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    assert current_revision(db) is None
    assert upgrade(db) is None  # a fresh database needs no backup
    assert current_revision(db) == head_revision() == HEAD
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
        accounts = conn.execute(
            text("SELECT code, name_zh, name_en, kind FROM accounts ORDER BY code")
        ).all()
        head = conn.execute(text("SELECT id, seq, hash FROM chain_head")).all()
    # The migration's literal copy matches the live chart of accounts.
    assert [tuple(r) for r in accounts] == [(c, *v) for c, v in sorted(sv.ACCOUNTS.items())]
    assert [tuple(r) for r in head] == [(1, 0, "0" * 64)]

    # Twice is harmless: nothing changes, no backup, no duplicate rows.
    assert upgrade(db) is None
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM accounts")).scalar() == len(sv.ACCOUNTS)
        assert conn.execute(text("SELECT count(*) FROM chain_head")).scalar() == 1
    assert [p.name for p in tmp_path.iterdir() if ".bak-" in p.name] == []
    db.dispose()


def test_upgrade_leaves_pooled_connections_with_foreign_keys_on(tmp_path: Path) -> None:
    # upgrade() switches foreign_keys off for its own connection (batch migrations need it);
    # the pooled connection handed out next must have it back on.
    db = _fresh(tmp_path)
    upgrade(db)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()


def test_the_service_works_on_a_migrated_database(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    upgrade(db)
    sv.add_user(db, None, "owner", "owner", now=datetime(2026, 1, 1, tzinfo=UTC))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name, role FROM users")).all() == [("owner", "owner")]
    db.dispose()


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    upgrade(db)
    with db.engine.connect() as conn:
        # Nothing is ignored: alembic leaves out its own alembic_version table by itself;
        # types, nullability, indexes, unique constraints and foreign keys are compared.
        # (Autogenerate never compares CHECK constraints; the next test checks those.)
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    db.dispose()


def test_check_constraints_are_in_the_database(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    upgrade(db)
    expected = {
        (table.name, c.name)
        for table in SQLModel.metadata.tables.values()
        for c in table.constraints
        if c.__class__.__name__ == "CheckConstraint"
    }
    assert expected  # the models do declare some
    with db.engine.connect() as conn:
        insp = inspect(conn)
        found = {
            (t, c["name"]) for t in insp.get_table_names() for c in insp.get_check_constraints(t)
        }
    assert expected <= found
    db.dispose()


def test_upgrade_from_an_older_revision_backs_up_first(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    upgrade(db)  # at the shipped head
    sv.add_user(db, None, "owner", "owner", now=datetime(2026, 1, 1, tzinfo=UTC))
    sv.add_user(db, "owner", "clerk", "clerk", now=datetime(2026, 1, 1, tzinfo=UTC))

    scripts = _scripts_with_extra(tmp_path)
    backup = upgrade(db, script_location=scripts)
    assert current_revision(db) == "9001"
    assert backup is not None and backup.parent == tmp_path
    assert backup.name.startswith(f"shop.db.bak-{HEAD}-") and backup.name.endswith("Z")
    assert backup.stat().st_mode & 0o777 == 0o600

    # The backup is a complete, consistent database at the old revision with the same rows.
    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
        assert con.execute("SELECT name FROM users ORDER BY id").fetchall() == [
            ("owner",), ("clerk",)]
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == (len(sv.ACCOUNTS),)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "extra" not in tables
    finally:
        con.close()

    # At head now: upgrading again takes no second backup.
    assert upgrade(db, script_location=scripts) is None
    assert len([p for p in tmp_path.iterdir() if ".bak-" in p.name]) == 1
    db.dispose()


def test_backup_function_copies_a_populated_file(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    upgrade(db)
    sv.add_user(db, None, "owner", "owner", now=datetime(2026, 1, 1, tzinfo=UTC))
    when = datetime(2026, 11, 27, 8, 30, 5, tzinfo=UTC)
    first = backup_sqlite(tmp_path / "shop.db", "0001", now=when)
    second = backup_sqlite(tmp_path / "shop.db", "0001", now=when)  # same second
    assert first.name == "shop.db.bak-0001-20261127T083005Z"
    assert second != first and second.exists()  # never overwrites an earlier backup
    # Taken while our engine still holds the file open in WAL mode: all rows are there.
    con = sqlite3.connect(first)
    try:
        assert con.execute("SELECT name, role FROM users").fetchall() == [("owner", "owner")]
    finally:
        con.close()
    db.dispose()


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    # The whole upgrade is one transaction (BEGIN IMMEDIATE from db.py's hook, no commit by
    # alembic): the table 9001 created before failing must be gone, the version still HEAD.
    db = _fresh(tmp_path)
    upgrade(db)
    with pytest.raises(RuntimeError, match="boom"):
        upgrade(db, script_location=_scripts_with_extra(tmp_path, fail=True))
    assert current_revision(db) == HEAD
    with db.engine.connect() as conn:
        assert "extra" not in inspect(conn).get_table_names()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_a_database_not_made_by_migrations_is_refused(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    SQLModel.metadata.create_all(db.engine)
    with pytest.raises(MigrationError, match="no migration history"):
        upgrade(db)
    db.dispose()


def test_a_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    upgrade(db, script_location=_scripts_with_extra(tmp_path))
    with pytest.raises(MigrationError, match="does not know"):
        upgrade(db)  # the shipped scripts stop at HEAD
    db.dispose()


def test_two_processes_upgrading_at_once(tmp_path: Path) -> None:
    # Two engines (as two processes would have) upgrade the same new file together: the
    # second waits on BEGIN IMMEDIATE, then finds it at head; no error, no duplicate rows.
    dbs = [_fresh(tmp_path) for _ in range(2)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(d: Database) -> None:
        try:
            start.wait()
            upgrade(d)
        except BaseException as e:  # noqa: BLE001 - reported by the assert below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(d,)) for d in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert current_revision(dbs[0]) == HEAD
    with dbs[0].engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM accounts")).scalar() == len(sv.ACCOUNTS)
    for d in dbs:
        d.dispose()


def test_shipped_head_from_file_names_is_alembics_head() -> None:
    """The start-up shortcut reads the head from the file names; Alembic must agree, and
    every revision must follow the one before it (a straight line, numbered in order)."""
    from rma_tui.store.migrate import script_directory, shipped_head

    assert shipped_head() == head_revision() == HEAD
    revisions = list(reversed(list(script_directory().walk_revisions())))
    assert [r.revision for r in revisions] == [f"{i:04d}" for i in range(1, len(revisions) + 1)]
    assert all(r.down_revision == (revisions[i - 1].revision if i else None)
               for i, r in enumerate(revisions))
