"""`rma db …`: moving a shop's database (added to `rma` by rma_tui.cli.app).

    rma db copy --from SOURCE --to TARGET     every row of SOURCE into the empty TARGET
                                              (e.g. an SQLite file into PostgreSQL), then
                                              `verify` on TARGET; exit 1 unless it verifies
"""

from __future__ import annotations

from typing import Annotated

import typer

from rma_tui.cli.common import (
    cli_state,
    echo,
    fail,
    handled,
    side_note,
    sign_in,
)
from rma_tui.i18n import t

db_app = typer.Typer(help="Move a shop's database (数据库).", no_args_is_help=True)


@db_app.command("copy")
@handled
def copy_cmd(
    ctx: typer.Context,
    source: Annotated[str, typer.Option(
        "--from", help="The database to copy: an SQLite file or a URL (源).")],
    target: Annotated[str, typer.Option(
        "--to", help="An empty database: postgresql://user@host/db or a file (目标).")],
) -> None:
    """Copy a shop's whole history into an empty database, then verify it (复制数据库)."""
    from rich.progress import Progress

    from rma_tui import service as sv
    from rma_tui.dbcopy import copy_database
    from rma_tui.errors import DomainError
    from rma_tui.service import Database, sqlite_file

    src_path = sqlite_file(source)
    if src_path is not None and not src_path.exists():
        raise DomainError("cli_no_database_field", field="--from", path=str(src_path))
    dst_path = sqlite_file(target)
    if dst_path is not None and src_path is not None:
        # Never into the source's own files (its log, its lock, its kept copies).
        from rma_tui.outputs import belongs_to_database

        # (The very same file is refused by the copy itself, as the same database.)
        if dst_path.resolve() != src_path.resolve() and belongs_to_database(dst_path, src_path):
            raise DomainError("output_is_database", field="--to", path=str(dst_path),
                              db=str(src_path))
    src, dst = Database(source), Database(target)
    try:
        # The whole shop leaves in a copy: its owner, signed in on it, with their PIN.
        actor = sign_in(src, cli_state(ctx).user)
        if actor is not None:
            sv.authorize_destructive(src, actor.name)
        with Progress(transient=True) as bar:
            task = bar.add_task(t("db_copy_progress"), total=None)

            def progress(table: str, done: int, total: int) -> None:
                bar.update(task, description=f"{t('db_copy_progress')} {table}",
                           completed=done, total=total)

            result = copy_database(src, dst, progress)
        if actor is not None and result.verified:
            sv.record_destructive(dst, actor.name, "db_copied", {"source": src.where})
    finally:
        src.dispose()
        dst.dispose()
    for table, n in result.rows.items():
        if n:
            side_note(f"{table}: {n:,}")
    if not result.verified:
        raise fail(t("db_copy_not_verified", db=dst.where,
                      failures="; ".join(result.failures)))
    echo(t("db_copy_done", rows=sum(result.rows.values()), tables=len(result.rows),
            db=dst.where))
