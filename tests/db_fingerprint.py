"""Proof that a refused request wrote nothing: a fingerprint of every row of every table.

`fingerprint(db)` reads each table named in `sqlite_master` (the schema itself included) in
rowid order, so an inserted, deleted, reordered or changed row - in any table, also ones
no model knows, such as `sqlite_sequence` - changes it. Compare before and after:

    before = fingerprint(db)
    ... a call that must be refused ...
    assert_unchanged(db, before)

`Template` is the per-example fresh start the bad-input tests share: a seeded database
built once per test session, copied (a plain file copy, milliseconds) for every example.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rma_tui.store.db import Database

Fingerprint = dict[str, list[tuple[Any, ...]]]


def _file_of(db: Database | str | Path) -> str:
    if isinstance(db, Database):
        return db.url.removeprefix("sqlite:///")
    return str(db)


def fingerprint(db: Database | str | Path) -> Fingerprint:
    """Every row of every table of an SQLite database (a Database or a file path), by table
    name, in rowid order; the schema rows of `sqlite_master` are under "sqlite_master".

    Read with the plain sqlite3 module on its own connection, so it sees only what was
    committed and cannot be fooled by the ORM's session state."""
    con = sqlite3.connect(f"file:{_file_of(db)}?mode=ro", uri=True)
    try:
        schema = con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        out: Fingerprint = {"sqlite_master": schema}
        for kind, name, _tbl, _sql in schema:
            if kind != "table":
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            out[name] = con.execute(f"SELECT * FROM {quoted} ORDER BY rowid").fetchall()
        return out
    finally:
        con.close()


def changed_tables(before: Fingerprint, after: Fingerprint) -> list[str]:
    """The names of the tables whose rows differ (added, removed or changed)."""
    return sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))


def assert_unchanged(db: Database | str | Path, before: Fingerprint, what: str = "") -> None:
    """Fail, naming the tables and the first differing rows, unless nothing was written."""
    after = fingerprint(db)
    if after == before:
        return
    detail = []
    for name in changed_tables(before, after):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        detail.append(f"{name}: +{sorted(new - old, key=repr)[:3]} "
                      f"-{sorted(old - new, key=repr)[:3]}")
    raise AssertionError(f"{what} wrote rows: " + "; ".join(detail))


class Template:
    """A seeded database built once (lazily) and copied for every example."""

    def __init__(self, seed: Callable[[Database], Any], prefix: str = "rma-bad-input-") -> None:
        self._seed = seed
        self._prefix = prefix
        self._path: Path | None = None
        self.info: Any = None  # whatever `seed` returned (slip numbers and the like)

    def path(self) -> Path:
        """The template file, built on first use."""
        if self._path is None or not self._path.exists():
            folder = Path(tempfile.mkdtemp(prefix=self._prefix + "tpl-"))
            path = folder / "template.db"
            db = Database(str(path))
            try:
                from rma_tui.store.migrate import upgrade

                upgrade(db)
                self.info = self._seed(db)
            finally:
                db.dispose()
            self._path = path
        return self._path

    @contextmanager
    def copy(self) -> Iterator[Database]:
        """A fresh copy of the template, open, removed afterwards."""
        src = self.path()
        folder = Path(tempfile.mkdtemp(prefix=self._prefix))
        shutil.copy(src, folder / "shop.db")
        db = Database(str(folder / "shop.db"))
        try:
            yield db
        finally:
            db.dispose()
            shutil.rmtree(folder, ignore_errors=True)
