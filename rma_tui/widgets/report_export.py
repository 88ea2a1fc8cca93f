"""Exporting a report from the screen: the dialog asking format and file, and a write that
leaves either the whole file or nothing.

``ExportDialog(default_stem)`` -> ``ExportRequest | None``
    Format (CSV or XLSX) and a path, default ``<stem>.<format>`` in the current folder;
    switching the format switches the default's suffix. A blank path, a folder that does
    not exist or a path that is a folder is said under the field and the dialog stays open.
``write_atomic(path, table, fmt, progress)``
    Writes to a hidden temporary file beside `path` and renames it into place, so an
    error half-way (disk full, a bad cell) leaves no half-written report behind. `table`
    is one `ReportTable`, or a list of them for a report of several sections (the
    compliance report: `rma_tui.export.write_sections`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from rma_tui import i18n
from rma_tui.export import FORMATS, write_sections, write_table
from rma_tui.outputs import belongs_to_database
from rma_tui.reads.report_tables import ReportTable

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
