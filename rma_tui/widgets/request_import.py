"""Importing a platform's after-sale request file from the desk: the form's fields, and a
modal with what the import did (counts, and every conflict with why).

The form is a `StockFormDialog` with `request_import_fields(choices)` and
`request_import_submit(database, actor, shop)`, which reads the file and calls the service
and gives `(file name, service.RequestImport)`. ``ImportReportDialog(file, result)`` then
shows the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.widgets.stock_form import FormField

if TYPE_CHECKING:
    from rma_tui.service import Database, RequestImport


def request_import_fields(choices: tuple[tuple[str, str], ...]) -> list[FormField]:
    """Platform (a drop-down of `choices`), the file's path and an optional encoding. The
    path's errors name the field by its label too (a blank path is said that way)."""
    return [FormField("platform", i18n.t("imp_platform"), choices=choices),
            FormField("file", i18n.t("imp_file"), max_length=1000,
                      aliases=(i18n.t("imp_file"),)),
            FormField("encoding", i18n.t("imp_encoding"), max_length=32,
                      placeholder=i18n.t("imp_encoding_hint"))]


def request_import_submit(database: Database, actor: str,
                          shop: str | None) -> Callable[[dict[str, str]], object]:
    """The form's submit (run in the dialog's worker): read the file through the chosen
    platform's column map, then bring every request in as `actor` (into `shop` where a
    chain-wide user picked one); gives (the file's name, the service's RequestImport)."""

    def submit(values: dict[str, str]) -> object:
        from rma_tui import service
        from rma_tui.platform_files import read_platform_file

        path = values["file"].strip()
        if not path:
            raise DomainError("required", field=i18n.t("imp_file"))
        pf = read_platform_file(Path(path).expanduser(), values["platform"],
                                encoding=values["encoding"].strip() or None)
        return pf.file, service.import_requests(database, actor, pf.channel, pf.rows,
                                                shop=shop)

    return submit


def counts_params(result: RequestImport) -> dict[str, Any]:
    """The counts of an import, as the parameters of its messages."""
    return {"channel": result.channel, "created": len(result.created),
            "updated": len(result.updated), "unchanged": len(result.unchanged),
            "conflicts": len(result.conflicts)}


class ImportReportDialog(ModalScreen[None]):
    """What an import did: created / updated / unchanged counts and the slips, then each
    conflict (line, refund id, slip) with why it needs a person."""

    DEFAULT_CSS = """
    ImportReportDialog #imp-counts {
        margin-top: 1;
        text-style: bold;
    }
    ImportReportDialog #imp-slips {
        color: $text-muted;
    }
    ImportReportDialog #imp-conflicts {
        height: auto;
        max-height: 20;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", show=False)]

    def __init__(self, file: str, result: RequestImport) -> None:
        super().__init__(classes="dialog", id="import-report")
        self.file = file
        self.result = result

    def compose(self) -> ComposeResult:
        result = self.result
        with Vertical(classes="dialog-box") as box:
            box.border_title = i18n.t("imp_report_title", file=self.file)
            yield Static(i18n.t("imp_counts", **counts_params(result)), id="imp-counts")
            slips = [f"{i18n.t(f'req_{name}')} {', '.join(numbers)}"
                     for name, numbers in (("created", result.created),
                                           ("updated", result.updated)) if numbers]
            yield Static("\n".join(slips), id="imp-slips", markup=False)
            with VerticalScroll(id="imp-conflicts"):
                yield Static(self._conflicts(), id="imp-conflict-list")
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("dlg_ok"), variant="primary", id="dialog-ok")

    def _conflicts(self) -> Text:
        conflicts = self.result.conflicts
        if not conflicts:
            return Text(i18n.t("imp_no_conflicts"), style="dim")
        text = Text()
        for c in conflicts:
            if text:
                text.append("\n")
            where = " · ".join(x for x in (
                f"{i18n.t('req_col_line')} {c.line}" if c.line else "", c.refund_id,
                c.slip or "") if x)
            text.append(f"{where}\n", style="bold")
            text.append(f"  {c.why()}")
        return text

    def on_mount(self) -> None:
        self.query_one("#imp-slips").display = bool(self.result.created or
                                                    self.result.updated)
        self.query_one("#dialog-ok", Button).focus()

    @on(Button.Pressed, "#dialog-ok")
    def action_close(self) -> None:
        """Close the report."""
        self.dismiss(None)
