"""`rma init`, `rma demo` and `rma verify`: making a shop's database and checking it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rma_tui.cli.common import (
    cli_state,
    echo,
    handled,
    open_db,
    side_note,
    signed_in_owner,
    sqlite_file,
)
from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.render import err, label, out, print_json, table

if TYPE_CHECKING:
    from rma_tui.service import Database

commands = typer.Typer()  # this module's top-level commands, added by cli.app


class Size(StrEnum):
    """Sizes of the demo shop."""

    small = "small"
    large = "large"


@commands.command()
@handled
def init(ctx: typer.Context) -> None:
    """Create or upgrade the database; the first user becomes the owner (初始化)."""
    from rma_tui import service as sv

    st = cli_state(ctx)
    database = open_db(ctx, create=True, prove=False)
    echo(t("db_ready", path=st.db))
    if not sv.list_users(database):
        u = sv.add_user(database, None, st.user, "owner")
        echo(t("cli_first_owner", name=u.name, role_label=label("role", u.role)))


def _has_data(db: str) -> bool:
    """True when the database holds any row beyond the reference data a migration seeds."""
    from sqlalchemy import create_engine, inspect, text

    from rma_tui.service import url_for

    path = sqlite_file(db)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return False
    engine = create_engine(url_for(db))
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                if name in ("alembic_version", "accounts", "chain_head"):
                    continue
                quoted = conn.dialect.identifier_preparer.quote(name)
                if conn.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first() is not None:
                    return True
        return False
    finally:
        engine.dispose()


@contextmanager
def _stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A transient rich progress bar on stderr, one task per stage."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = err()
    # Only on a terminal: piped or captured stderr gets no bar (and no stray newline).
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True,
                   disable=not console.is_terminal)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            text = t(f"demo_stage_{stage}")
            tasks[stage] = bar.add_task(stage if text == f"demo_stage_{stage}" else text,
                                        total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update


@commands.command()
@handled
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same shop).")] = 42,
    size: Annotated[Size, typer.Option(help="small (about 6,000 sale lines) or large (1M).")]
    = Size.small,
    force: Annotated[bool, typer.Option(
        "--force", help="Build the demo in place of a database that holds data (the owner "
        "only, with their PIN; the old file is kept as <db>.before-demo-<time>).")] = False,
) -> None:
    """Fill a database with a believable demo shop (演示数据).

    On SQLite the demo is built in a file beside the database and put in its place only
    when whole, so an interrupted build leaves the database as it was."""
    from rma_tui import service as sv

    st = cli_state(ctx)
    path = sqlite_file(st.db)
    if force and path is None:
        raise DomainError("cli_force_not_sqlite", field="db", db=st.db)
    actor: str | None = None
    if _has_data(st.db):
        if not force:
            raise DomainError("demo_exists", field="db", path=st.db)
        actor = signed_in_owner(ctx)  # a real shop is replaced: its owner, with their PIN
    if st.database is not None:  # nobody may hold the file while it is replaced
        st.database.dispose()
        st.database = None
    if path is None:
        database = open_db(ctx, create=True, prove=False)
        summary = _build_demo(database, seed, size)
    else:
        summary, kept = _demo_file(path, seed, size)
        database = open_db(ctx, prove=False)
        if actor is not None:
            sv.record_destructive(database, actor, "demo_replaced",
                                  {"kept": str(kept) if kept else None, "seed": seed})
        if kept is not None:
            side_note(t("demo_kept", path=str(kept)))
    echo(t("demo_ready", path=st.db))
    echo(t("cli_demo_summary", products=summary.products, customers=summary.customers,
            sales=summary.sales, sale_lines=summary.sale_lines, slips=summary.slips,
            low_stock=summary.low_stock, seconds=f"{summary.seconds:.1f}"))
    side_note(t("cli_demo_hint", db=st.db))


def _build_demo(database: Database, seed: int, size: Size) -> Any:
    from rma_tui.demo import build_demo

    with _stage_progress() as progress:
        return build_demo(database, seed=seed, size=size.value, progress=progress)


def _demo_file(path: Path, seed: int, size: Size) -> tuple[Any, Path | None]:
    """Build the demo into `<db>.demo-building` beside `path`, then put it in place: over a
    file with data by `backup.restore` (the old file kept as `<db>.before-demo-<time>`,
    returned), else by a rename. A build cut short (even by SIGKILL) leaves only the
    building file, which the next run removes."""
    import sqlite3

    from rma_tui import backup as bk
    from rma_tui.service import Database, upgrade

    building = path.with_name(path.name + ".demo-building")
    bk.remove_sqlite(building)
    database = Database(str(building))
    try:
        upgrade(database)
        summary = _build_demo(database, seed, size)
    finally:
        database.dispose()
    # Out of WAL mode: the whole demo is in the one file that is moved into place.
    conn = sqlite3.connect(building)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    kept: Path | None = None
    try:
        if bk.has_data(path):
            kept = bk.restore(building, path, force=True, keep_as="before-demo").before
        else:
            bk.remove_sqlite(path)  # an empty file, and any stray -wal / -shm of it
            building.replace(path)
    finally:
        bk.remove_sqlite(building)
    return summary, kept


@commands.command()
@handled
def verify(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check every invariant, the audit chain and the file; exit 1 on any failure (校验)."""
    from rma_tui import service as sv

    report = sv.verify(open_db(ctx))
    if as_json:
        print_json(report.as_dict())
    else:
        # Every check reads in the user's language; a failing one names the rows.
        rows = [(label("check", c.name), t("ok") if c.ok else t("fail"), c.message())
                for c in report.checks]
        out().print(table([t("col_check"), t("col_ok"), t("col_detail")], rows))
        echo(t("verify_ok") if report.ok else t("verify_failed"))
    if not report.ok:
        raise typer.Exit(1)
