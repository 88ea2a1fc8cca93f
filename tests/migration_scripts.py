"""The migration scripts as an older version of the program shipped them, for tests that
make a database at an old revision and upgrade it with today's scripts."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from alembic.config import Config

from rma_tui.store.db import Database
from rma_tui.store.migrate import MIGRATIONS_DIR


def scripts_up_to(dest: Path, revision: str) -> Path:
    """Copy the shipped migrations into `dest`, leaving out every revision after
    `revision` (revision files are numbered: `0003_….py`); return `dest`."""
    def later(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n == "__pycache__"
                or (n[:4].isdigit() and n.endswith(".py") and n[:4] > revision)}

    shutil.copytree(MIGRATIONS_DIR, dest, ignore=later)
    return dest


def downgrade_to(d: Database, revision: str) -> None:
    """Take an SQLite database down to `revision` with the revisions' own downgrades."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # As migrate.upgrade does: SQLite's batch mode rebuilds tables, which foreign_keys=ON
    # would refuse; the pragma is set outside the transaction.
    with d.write_engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, revision)
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
