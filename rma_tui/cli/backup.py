"""`rma backup` and `rma restore` (added to `rma` by rma_tui.cli.app).

    rma backup FILE [--force]     a consistent copy of the SQLite shop file, taken while
                                  clerks work; checked (integrity + verify) afterwards
    rma restore FILE [--force]    check FILE, keep the current file as
                                  <db>.before-restore-<UTC stamp>, put FILE in its place

PostgreSQL has its own tools (pg_dump / pg_restore); both commands refuse a server URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rma_tui.cli.common import (
    cli_state,
    echo,
    fail,
    handled,
    open_db,
    output_path,
    side_note,
    signed_in_owner,
    sqlite_file,
)
from rma_tui.errors import DomainError
from rma_tui.i18n import t

if TYPE_CHECKING:
    from rma_tui.service import Database, VerifyReport

commands = typer.Typer()  # this module's top-level commands, added by cli.app


Force = Annotated[bool, typer.Option("--force", help="Replace an existing file (覆盖).")]


def _sqlite_or_refuse(ctx: typer.Context) -> Path:
    st = cli_state(ctx)
    path = sqlite_file(st.db)
    if path is None:
        raise DomainError("backup_not_sqlite", field="db", db=st.db)
    return path


def _failures(report: VerifyReport) -> str:
    return "; ".join(f"{c.name}: {c.detail}" for c in report.checks if not c.ok)


def _facts(database: Database) -> tuple[VerifyReport, str, int, str]:
    """verify, the schema revision and the audit chain head of a database."""
    from rma_tui import service as sv
    from rma_tui.service import current_revision

    report = sv.verify(database)
    seq, head = sv.chain_head(database)
    return report, current_revision(database) or "—", seq, head


@commands.command("backup")
@handled
def backup_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to write (备份文件).")],
    force: Force = False,
) -> None:
    """Copy the shop database to FILE while others keep working, then check the copy (备份)."""
    from rma_tui import backup as bk
    from rma_tui.service import Database

    source = _sqlite_or_refuse(ctx)
    bk.check_target(source, file, force=force)  # refuse before opening anything
    output_path(ctx, file, force, field="FILE")  # never over the database, its log or its copies
    open_db(ctx)  # refuses a missing file; brings the schema to head first; signs the user in
    target = bk.backup(source, file, force=force)
    copy = Database(str(target))
    try:
        report, revision, seq, head = _facts(copy)
    finally:
        copy.dispose()
    echo(t("backup_done", path=str(target), size=bk.file_size(target), revision=revision,
            seq=seq, hash=head))
    if not report.ok:
        raise fail(t("backup_verify_failed", path=str(target), detail=_failures(report)))


@commands.command("restore")
@handled
def restore_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to restore (备份文件).")],
    force: Force = False,
) -> None:
    """Check FILE and put it in place of the shop database; the old one is kept (恢复)."""
    from rma_tui import backup as bk
    from rma_tui import service as sv

    st = cli_state(ctx)
    target = _sqlite_or_refuse(ctx)
    actor: str | None = None
    if target.exists() and bk.has_data(target):
        # The shop is rolled back: its owner, with their PIN, and it is recorded. A file
        # that no longer reads as a database has no owner to ask; its bytes are kept.
        try:
            actor = signed_in_owner(ctx)
        except DomainError as e:
            if e.key not in ("db_corrupt", "db_damaged"):
                raise
        if st.database is not None:  # nobody may hold the file while it is replaced
            st.database.dispose()
            st.database = None
    result = bk.restore(file, target, force=force)
    if result.before is not None:
        side_note(t("backup_before_kept", path=str(result.before)))
    # An older backup is upgraded here (with its own .bak copy). Its users may differ from
    # the replaced file's: the owner was signed in there.
    database = open_db(ctx, prove=False)
    if actor is not None:
        sv.record_destructive(database, actor, "restored", {
            "backup": str(file), "kept": str(result.before) if result.before else None})
    report, revision, seq, head = _facts(database)
    echo(t("backup_restored", backup=str(file), path=str(target), revision=revision,
            seq=seq, hash=head))
    if not report.ok:
        raise fail(t("backup_verify_failed", path=str(target), detail=_failures(report)))
