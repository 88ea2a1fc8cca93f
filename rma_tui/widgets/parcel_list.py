"""The unmatched parcels (无主件) in a modal: pick one, type its slip's number, attach.

``ParcelListDialog(load, attach)`` -> ``(parcel id, what attach returned)``, or None when
closed without attaching. `load()` reads the parcels and `attach(parcel_id, number)` is the
service call; both run in the dialog's thread workers (the screen that opens it gives them,
so the dialog itself knows nothing of the service). A refusal keeps the dialog open and is
said under the field, so nothing is attached that the user did not see go through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.widgets.common import local_time

if TYPE_CHECKING:
    from rma_tui.service import ParcelView


class ParcelListDialog(ModalScreen[object]):
    """The unmatched parcels, oldest first, and a field for the slip number to attach the
    highlighted one to."""

    DEFAULT_CSS = """
    ParcelListDialog DataTable {
        height: auto;
        max-height: 12;
    }
    ParcelListDialog .parcel-hint {
        color: $text-muted;
        margin-top: 1;
    }
    ParcelListDialog .parcel-row {
        height: auto;
        margin-top: 1;
    }
    ParcelListDialog .parcel-row Label {
        width: 14;
        text-style: bold;
    }
    ParcelListDialog .parcel-row Input {
        width: 1fr;
    }
    ParcelListDialog .parcel-empty {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    class Loaded(Message):
        """The worker read the parcels (or could not: `failure`)."""

        def __init__(self, parcels: list[ParcelView], failure: str) -> None:
            self.parcels = parcels
            self.failure = failure
            super().__init__()

    class Attached(Message):
        """The worker's outcome of an attach: the result, or why not."""

        def __init__(self, parcel_id: int, result: object, error: DomainError | None,
                     failure: str) -> None:
            self.parcel_id = parcel_id
            self.result = result
            self.error = error
            self.failure = failure
            super().__init__()

    def __init__(self, load: Callable[[], Sequence[ParcelView]],
                 attach: Callable[[int, str], object]) -> None:
        super().__init__(classes="dialog", id="parcel-list")
        self.read_parcels = load
        self.attach_parcel = attach
        self.parcels: list[ParcelView] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = i18n.t("parcel_title")
            yield DataTable(id="parcel-table", cursor_type="row", zebra_stripes=True)
            yield Static(i18n.t("insp_parcels_loading"), classes="parcel-empty",
                         id="parcel-empty")
            yield Static(i18n.t("insp_parcels_hint"), classes="parcel-hint")
            with Horizontal(classes="parcel-row"):
                yield Label(i18n.t("insp_parcels_slip"))
                yield Input(max_length=32, id="parcel-slip")
            yield Static("", id="dialog-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("insp_key_attach"), variant="primary", id="dialog-ok")
                yield Button(i18n.t("dlg_cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#parcel-table").display = False
        self.error("")
        self._run_load()

    @work(thread=True, exclusive=True, group="parcel-load")
    def _run_load(self) -> None:
        worker = get_current_worker()
        try:
            message = self.Loaded(list(self.read_parcels()), "")
        except DomainError as exc:
            message = self.Loaded([], exc.message())
        except Exception as exc:  # a database failure: said in the dialog
            message = self.Loaded([], str(exc).splitlines()[0] if str(exc)
                                  else type(exc).__name__)
        if not worker.is_cancelled:
            self.post_message(message)

    def on_parcel_list_dialog_loaded(self, message: Loaded) -> None:
        """Show the parcels read; the list gets the keyboard when there are any."""
        self.parcels = message.parcels
        table: DataTable[str | Text] = self.query_one("#parcel-table", DataTable)
        table.clear(columns=True)
        for key in ("parcel_col_id", "parcel_col_carrier", "insp_col_waybill",
                    "parcel_col_contents", "parcel_col_received"):
            table.add_column(i18n.t(key), key=key)
        for p in self.parcels:
            table.add_row(Text(f"#{p.id}", justify="right"), Text(p.carrier or "—"),
                          p.waybill, Text(p.contents or "—"),
                          f"{local_time(p.received_at)} {p.received_by}", key=str(p.id))
        table.display = bool(self.parcels)
        empty = self.query_one("#parcel-empty", Static)
        empty.update(i18n.t("insp_parcels_empty"))
        empty.display = not self.parcels
        self.error(message.failure)
        if self.parcels:
            table.focus()
        else:
            self.query_one("#parcel-slip", Input).focus()

    @property
    def parcel(self) -> ParcelView | None:
        """The highlighted parcel."""
        table = self.query_one("#parcel-table", DataTable)
        if not self.parcels or table.row_count == 0:
            return None
        return self.parcels[min(max(table.cursor_row, 0), len(self.parcels) - 1)]

    def error(self, text: str) -> None:
        """Show `text` under the field (empty hides it)."""
        err = self.query_one("#dialog-error", Static)
        err.update(text)
        err.display = bool(text)

    @on(DataTable.RowSelected, "#parcel-table")
    def _picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one("#parcel-slip", Input).focus()

    @on(Input.Submitted, "#parcel-slip")
    @on(Button.Pressed, "#dialog-ok")
    def action_ok(self) -> None:
        """Attach the highlighted parcel to the slip typed (in a worker)."""
        parcel = self.parcel
        number = self.query_one("#parcel-slip", Input).value.strip()
        if parcel is None:
            self.error(i18n.t("insp_parcels_pick"))
            return
        if not number:
            self.error(i18n.t("required", field=i18n.t("insp_parcels_slip")))
            self.query_one("#parcel-slip", Input).focus()
            return
        if self.busy:
            return
        self.busy = True
        self._run_attach(parcel.id, number)

    @work(thread=True, exclusive=True, group="parcel-attach")
    def _run_attach(self, parcel_id: int, number: str) -> None:
        worker = get_current_worker()
        try:
            message = self.Attached(parcel_id, self.attach_parcel(parcel_id, number), None, "")
        except DomainError as exc:
            message = self.Attached(parcel_id, None, exc, "")
        except Exception as exc:  # a database failure: said in the dialog, which stays open
            message = self.Attached(parcel_id, None, None, str(exc).splitlines()[0]
                                    if str(exc) else type(exc).__name__)
        if not worker.is_cancelled:
            self.post_message(message)

    def on_parcel_list_dialog_attached(self, message: Attached) -> None:
        """Close with the result, or say why the service refused."""
        self.busy = False
        if message.error is None and not message.failure:
            self.dismiss((message.parcel_id, message.result))
            return
        self.error(message.error.message() if message.error is not None else message.failure)
        self.query_one("#parcel-slip", Input).focus()

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Close without attaching anything."""
        self.dismiss(None)
