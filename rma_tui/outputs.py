"""Where a command may write a file: never over the shop's database, and never over an
existing file without being told to.

Reports, exports, archives, backups and copies all take a path from the person at the
terminal. A path that is the live database (or its write-ahead log, its shared-memory or
journal file, its writers' lock, or one of the copies kept beside it: the backups taken
before a schema upgrade, a restore, a demo or a copy) is refused, whatever `--force` says:
writing a CSV there destroys the shop. Symbolic and hard links to those files are refused
too. Any other existing file is replaced only with `--force` (or, in the app, after asking).
"""

from __future__ import annotations

import os
from pathlib import Path

from rma_tui.errors import DomainError

# Files that live beside the database file and belong to it.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal", ".writers", ".demo-building")
# Copies of the database kept beside it, by the part of their name after the file's own.
KEPT_COPY_MARKS = (".bak-", ".before-restore-", ".before-demo-", ".before-copy-")


def _same(a: Path, b: Path) -> bool:
    """True when `a` and `b` are the same file (after links), or would be once created."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def belongs_to_database(path: Path, database: Path) -> bool:
    """True when `path` is the database file `database`, one of its companion files, or a
    copy of it kept beside it."""
    real = Path(os.path.realpath(path.expanduser()))
    db = Path(os.path.realpath(database.expanduser()))
    if _same(real, db):
        return True
    if real.parent == db.parent and real.name.startswith(db.name):
        rest = real.name[len(db.name):]
        if rest in COMPANION_SUFFIXES or rest.startswith(KEPT_COPY_MARKS):
            return True
    if not real.exists():
        return False
    # A hard link elsewhere to one of the database's files is that file.
    try:
        siblings = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
    except OSError:
        return False
    return any(_same(real, p) for p in siblings if p.is_file())


def check_output(path: Path, database: Path | None, force: bool = False,
                 field: str = "--out") -> Path:
    """`path` if a command may write it: not the database or anything of it (`database`:
    the SQLite file, None for a server), not a folder, and not an existing file unless
    `force`. Raises a DomainError naming the path otherwise."""
    target = path.expanduser()
    if database is not None and belongs_to_database(target, database):
        raise DomainError("output_is_database", field=field, path=str(path),
                          db=str(database))
    if target.is_dir():
        raise DomainError("output_is_dir", field=field, path=str(path))
    if target.exists() and not force:
        raise DomainError("output_exists", field=field, path=str(path))
    return target
