"""`rma` commands for the audit area (added to `rma` by rma_tui.cli.app).

    rma audit [--slip N] [--user U] [--action A] [--since D] [--until D] [--limit N]
              [--before SEQ] [--json]          the trail, newest first, paged by seq
    rma archive --period YYYY-MM --out DIR [--force] [--json]
                                               a month's slips, moves, journal and audit
                                               events as CSV, with the chain head
    rma archive-check DIR [--json]             exit 1 when the archive and the database
                                               disagree, naming the first mismatch

(`rma verify` checks the chain itself; it lives in cli/setup.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rma_tui.cli.common import (
    AsJson,
    acting_user,
    cli_state,
    echo,
    fail,
    handled,
    open_db,
    output_path,
    parse_date,
    read_shop,
    side_note,
    signed_in_owner,
)
from rma_tui.i18n import t
from rma_tui.render import label, local_time, out, print_json, table

commands = typer.Typer()  # this module's top-level commands, added by cli.app


@commands.command("audit")
@handled
def audit(
    ctx: typer.Context,
    slip: Annotated[str | None, typer.Option(
        "--slip", help="Slip number, or part of it (单号).")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who acted (操作人).")] = None,
    action: Annotated[str | None, typer.Option(
        "--action", help="Action code, e.g. approve, settle, stock_adjust (操作).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="First day, YYYY-MM-DD local (起始日期).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Last day, YYYY-MM-DD local, inclusive (截止日期).")] = None,
    limit: Annotated[int, typer.Option(
        "--limit", min=1, max=10_000, help="Rows per page.")] = 50,
    before: Annotated[int | None, typer.Option(
        "--before", min=1, help="Only events with seq below this (the next page).")] = None,
    as_json: AsJson = False,
) -> None:
    """The audit trail, newest first (审计记录)."""
    from rma_tui.reads.audit import AuditFilter, audit_trail, change_text

    filt = AuditFilter(slip=slip or "", user=user or "", action=action or "",
                       since=parse_date(since, "--since"), until=parse_date(until, "--until"),
                       shop=read_shop(ctx, None))  # a shop's user: their shop's trail only
    page = audit_trail(open_db(ctx), filt, limit=limit, before=before)
    if as_json:
        print_json({"events": [r.as_dict() for r in page.rows],
                    "next_before": page.next_before})
        return
    if not page.rows:
        echo(t("audit_empty"))
        return
    out().print(table(
        [t("audit_col_seq"), t("col_at"), t("col_user"), t("col_action"), t("audit_col_slip"),
         t("audit_col_change"), t("audit_col_summary")],
        [(r.seq, local_time(r.at, seconds=True), r.user, label("action", r.action),
          r.slip or "", change_text(r.from_status, r.to_status), r.summary())
         for r in page.rows], right=(0,)))
    if page.next_before is not None:
        echo(t("audit_more", before=page.next_before))


@commands.command("archive")
@handled
def archive_cmd(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(
        "--period", help="The local month to archive, YYYY-MM (期间).")],
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Folder to write the CSV files and manifest.json into.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Write into a folder that already holds files.")] = False,
    as_json: AsJson = False,
) -> None:
    """Archive a month: slips, stock moves, journal and audit events as CSV, plus the audit
    chain head (月度归档)."""
    from rma_tui import service as sv
    from rma_tui.archive import FILES, MANIFEST, write_archive

    database = open_db(ctx)
    sv.authorize_archive(database, acting_user(ctx))
    for name in (*FILES, MANIFEST):  # never into the database or its files
        output_path(ctx, out_dir / name, force=True)
    kept = None
    if force and out_dir.is_dir() and any(out_dir.iterdir()):
        # Over an older archive: the owner, with a PIN; its files are kept, and recorded.
        actor = signed_in_owner(ctx)
        kept = _keep_folder(out_dir)
        sv.record_destructive(database, actor or cli_state(ctx).user, "archive_replaced",
                              {"path": str(out_dir), "kept": str(kept)})
    manifest = write_archive(database, period, out_dir, force=force)
    if kept is not None:
        side_note(t("archive_kept", path=str(kept)))
    if as_json:
        print_json({**manifest.as_dict(), "path": str(out_dir)})
        return
    echo(t("audit_archive_written", period=manifest.period, path=str(out_dir)))
    out().print(table([t("audit_col_file"), t("audit_col_rows"), t("audit_col_sha256")],
                      [(f.name, f.rows, f.sha256) for f in manifest.files], right=(1,)))
    echo(t("audit_archive_head", seq=manifest.head_seq, hash=manifest.head_hash))
    if manifest.last_seq is None:
        echo(t("audit_archive_no_events"))
    else:
        echo(t("audit_archive_last", seq=manifest.last_seq, hash=manifest.last_hash))
    side_note(t("audit_archive_open_safely"))


def _keep_folder(folder: Path) -> Path:
    """A copy of `folder` beside it, `<folder>.before-<UTC stamp>` (0700)."""
    import shutil
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = folder.with_name(f"{folder.name}.before-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = folder.with_name(f"{folder.name}.before-{stamp}-{n}")
    shutil.copytree(folder, kept)
    kept.chmod(0o700)
    return kept


@commands.command("archive-check")
@handled
def archive_check(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="The archive folder (with manifest.json).")],
    as_json: AsJson = False,
) -> None:
    """Check an archive against its manifest and the database; exit 1 naming the first
    mismatch (归档校验)."""
    from rma_tui import service as sv
    from rma_tui.archive import check_archive

    database = open_db(ctx)
    sv.authorize_archive(database, acting_user(ctx))
    result = check_archive(database, folder)
    if as_json:
        print_json(result.as_dict())
        if not result.ok:
            raise typer.Exit(1)
        return
    if not result.ok:
        raise fail(result.message())
    echo(result.message())
    side_note(t("audit_archive_open_safely"))
