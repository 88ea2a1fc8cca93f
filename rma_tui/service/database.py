"""The shop's database as the desk and the command line open it.

The screens and the CLI never reach into `rma_tui.store`: what they need of it, the
`Database` handle, where a `--db` value points, and bringing a file to the newest schema,
they take from here (through the service's public face), so the storage can change
behind one door.
"""

from __future__ import annotations

from pathlib import Path

from rma_tui.store.db import Database, sqlite_path, url_for
from rma_tui.store.migrate import MigrationError, current_revision, upgrade

__all__ = ["Database", "MigrationError", "current_revision", "sqlite_file", "sqlite_path",
           "upgrade", "url_for"]


def sqlite_file(db: str) -> Path | None:
    """The SQLite file behind a `--db` value (a path or a URL), or None for a server URL
    or an in-memory database."""
    return sqlite_path(url_for(db))
