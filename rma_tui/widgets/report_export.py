"""Exporting a report from the screen: what is written and under which default name, the
dialog asking format and file, a write that leaves either the whole file or nothing, and
the progress bar of that write.

``ExportDialog(default_stem)`` -> ``ExportRequest | None``
    Format (CSV or XLSX) and a path, default ``<stem>.<format>`` in the current folder;
    switching the format switches the default's suffix. A blank path, a folder that does
    not exist or a path that is a folder is said under the field and the dialog stays open.
``write_atomic(path, table, fmt, progress)``
    Writes to a hidden temporary file beside `path` and renames it into place, so an
    error half-way (disk full, a bad cell) leaves no half-written report behind. `table`
    is one `ReportTable`, or a list of them for a report of several sections (the
    compliance report: `rma_tui.export.write_sections`).
``export_content(view, data, params)``, ``export_stem(view, params, today)``
    What an export of a report writes, and its default file name.
``ExportProgress``
    The progress bar of an export: ``start(request, table)`` writes in a thread worker
    (through `write_atomic`), shows how far it got, and posts ``ExportProgress.Done``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from rma_tui import i18n
from rma_tui.export import FORMATS, write_sections, write_table
from rma_tui.outputs import belongs_to_database
from rma_tui.reads.report_tables import (
    ReportTable,
    compliance_tables,
    problems_table,
    returns_table,
    trend_table,
)

FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)"}


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for: an absolute path and a format in `FORMATS`."""

    path: Path
    fmt: str


def check_path(text: str, database: Path | None = None) -> tuple[Path | None, str]:
    """The absolute path for `text` (relative to the current folder), or None and why not:
    never the shop's database file `database` or anything of it (`rma_tui.outputs`)."""
    text = text.strip()
    if not text:
        return None, i18n.t("required", field=i18n.t("rep_export_path"))
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if database is not None and belongs_to_database(path, database):
        return None, i18n.t("output_is_database", path=str(path), db=str(database))
    if path.is_dir():
        return None, i18n.t("rep_export_is_dir", path=str(path))
    if not path.parent.is_dir():
        return None, i18n.t("rep_export_no_dir", folder=str(path.parent))
    return path, ""


def export_content(view: str, data: Any, params: tuple[Any, ...]
                   ) -> ReportTable | list[ReportTable] | None:
    """What an export of report `view` (`data` as read with `params`) writes: one table
    (the rows on screen; its title names the sheet), or for the compliance report its
    sections."""
    if view == "compliance":
        return compliance_tables(data)
    if view == "returns":
        return returns_table(data, params[1])
    if view == "problems":
        return problems_table(data)
    if view == "trend":
        return trend_table(data)
    return None


def export_stem(view: str, params: tuple[Any, ...], today: date) -> str:
    """The default file name (no suffix) of an export of report `view` read with `params`,
    e.g. rma-returns-product-2026-11-27."""
    parts = ["rma", view]
    if view == "returns":
        parts.append(params[1])
    elif view == "trend":
        parts += [params[1], params[2].removesuffix("_fen")]
    return "-".join([*parts, today.isoformat()])


def write_atomic(path: Path, table: ReportTable | Sequence[ReportTable], fmt: str,
                 progress: Callable[[int, int], None] | None = None) -> Path:
    """Write `table` (or several sections) to `path` as `fmt`; on any error nothing is left
    at `path` (an older file there stays as it was) and the error is raised."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(table, ReportTable):
            write_table(tmp, table.columns, table.rows, fmt, title=table.title,
                        progress=progress)
        else:
            write_sections(tmp, table, fmt, progress=progress)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Ask the format and the file of an export. Dismisses with the request, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, stem: str, fmt: str = "xlsx", database: Path | None = None) -> None:
        """`database`: the shop's SQLite file, which no export may be written over."""
        super().__init__(classes="dialog")
        self.stem = stem
        self.fmt = fmt
        self.database = database

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = i18n.t("rep_export_title")
            yield Label(i18n.t("rep_export_format"), classes="dialog-label")
            yield Select([(FORMAT_NAMES[f], f) for f in FORMATS], value=self.fmt,
                         allow_blank=False, id="export-format")
            yield Label(i18n.t("rep_export_path"), classes="dialog-label")
            yield Input(f"{self.stem}.{self.fmt}", id="export-path")
            yield Static("", id="dialog-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("dlg_ok"), variant="primary", id="dialog-ok")
                yield Button(i18n.t("dlg_cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        new = str(event.value)
        if new == self.fmt:
            return
        path = self.query_one("#export-path", Input)
        # The default name follows the format; a name the user typed keeps its own suffix.
        if path.value == f"{self.stem}.{self.fmt}":
            path.value = f"{self.stem}.{new}"
        self.fmt = new

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#dialog-ok")
    def action_ok(self) -> None:
        """Export to the path given, if it can be written."""
        path, problem = check_path(self.query_one("#export-path", Input).value, self.database)
        if path is None:
            self.query_one("#dialog-error", Static).update(problem)
            return
        self.dismiss(ExportRequest(path, self.fmt))

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Export nothing."""
        self.dismiss(None)


class ExportProgress(ProgressBar):
    """How far the export being written has got; the writing runs in its thread worker."""

    class Done(Message):
        """The export worker finished: `path` written, or `error` says why nothing was."""

        def __init__(self, path: str, error: str | None) -> None:
            self.path = path
            self.error = error
            super().__init__()

    def start(self, request: ExportRequest, table: ReportTable | list[ReportTable]) -> int:
        """Write `table` (or the sections) as asked, from nothing done yet; the number of
        rows to write."""
        rows = (len(table.rows) if isinstance(table, ReportTable)
                else sum(len(t.rows) for t in table))
        self.update(total=max(rows, 1), progress=0)
        self._export(request, table)
        return rows

    @work(thread=True, exclusive=True, group="reports-export")
    def _export(self, request: ExportRequest, table: ReportTable | list[ReportTable]) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            write_atomic(request.path, table, request.fmt, progress)
        except Exception as exc:  # said on screen; the temporary file is gone already
            error = str(exc) or type(exc).__name__
            self.post_message(self.Done(str(request.path), error))
            return
        self.post_message(self.Done(str(request.path), None))

    def _progress(self, done: int, total: int) -> None:
        self.update(total=max(total, 1), progress=done)
