"""Copy a shop's whole history from one database to another (`rma db copy`): an SQLite
shop moving onto the PostgreSQL server of a chain, or any database into an empty one.

The source is read in one snapshot and the target written in ONE transaction: every table
of the schema, in foreign-key order, every row with its own id, so slips, postings and the
audit chain keep their numbers and hashes. Both must be at the same (newest) schema; the
target must be empty. Afterwards PostgreSQL's id sequences are moved past the copied ids,
the row counts are compared table by table and `verify` runs on the target: a copy that
does not verify is reported as such (and exits non-zero in the CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Integer, delete, func, insert, select, text
from sqlmodel import SQLModel

from rma_tui.errors import DomainError
from rma_tui.store.db import Database

CHUNK = 5_000  # rows read and written at a time (memory stays flat for a million lines)
# Tables the migrations themselves fill (the chart of accounts, the empty audit chain head,
# the default shop): an empty target has these rows, and the source's replace them.
MIGRATION_ROWS = frozenset({"accounts", "chain_head", "shops"})

Progress = Callable[[str, int, int], None]  # table, rows copied so far, rows in the table


@dataclass(frozen=True)
class CopyResult:
    """What was copied: rows per table, and whether the target verifies."""

    rows: dict[str, int]
    verified: bool
    failures: list[str]


def copy_database(source: Database, target: Database,
                  progress: Progress | None = None) -> CopyResult:
    """Copy every row of `source` into the empty `target` (both brought to the newest
    schema first). Refuses a target holding any row (`copy_target_not_empty`)."""
    from rma_tui import service as sv
    from rma_tui.store import models  # noqa: F401  (the tables must be in the metadata)
    from rma_tui.store.migrate import upgrade

    if source.url == target.url:
        raise DomainError("copy_same_database", field="--to", db=target.where)
    upgrade(source)
    upgrade(target)
    tables = list(SQLModel.metadata.sorted_tables)  # parents before children
    with target.read() as t:
        for table in tables:
            if table.name in MIGRATION_ROWS:
                continue
            if t.execute(select(func.count()).select_from(table)).scalar_one():
                raise DomainError("copy_target_not_empty", field="--to", db=target.where,
                                  table=table.name)
    counts: dict[str, int] = {}
    with source.read() as s, target.write() as t:
        for table in tables:
            if table.name in MIGRATION_ROWS:  # the source's own rows replace them
                t.execute(delete(table))
            total = int(s.execute(select(func.count()).select_from(table)).scalar_one())
            done = 0
            order = list(table.primary_key.columns)
            result = s.execute(select(table).order_by(*order)).mappings()
            while chunk := result.fetchmany(CHUNK):
                t.execute(insert(table), [dict(row) for row in chunk])
                done += len(chunk)
                if progress is not None:
                    progress(table.name, done, total)
            counts[table.name] = done
        if not target.sqlite:
            _move_sequences(t, tables)
    failures = [f"{name}: {n} -> {m}" for name, n, m in _recount(target, tables, counts)
                if n != m]
    report = sv.verify(target)
    failures += [f"{c.name}: {c.detail}" for c in report.checks if not c.ok]
    return CopyResult(counts, not failures, failures)


def _move_sequences(t: object, tables: list) -> None:  # type: ignore[type-arg]
    """PostgreSQL: each serial id's sequence continues after the largest copied id (rows
    were inserted with their ids, which does not advance a sequence)."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue  # a text key (settings, request ids) has no sequence
        t.execute(  # type: ignore[attr-defined]
            text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                 f"COALESCE((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"))


def _recount(target: Database, tables: list, counts: dict[str, int]  # type: ignore[type-arg]
             ) -> list[tuple[str, int, int]]:
    with target.read() as t:
        return [(table.name, counts[table.name],
                 int(t.execute(select(func.count()).select_from(table)).scalar_one()))
                for table in tables]
