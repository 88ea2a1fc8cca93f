"""The field a warehouse user scans (or types) a return parcel's waybill into."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from rma_tui import i18n
from rma_tui.widgets.stock_form import FormField

# Waybills are short; a scanner that sends something else is cut off here, not stored.
MAX_WAYBILL = 64


def parcel_fields() -> list[FormField]:
    """What is asked of a parcel whose waybill no slip has: its carrier and what is inside
    (the service's field names, so a refusal is said under its field)."""
    return [FormField("carrier", i18n.t("parcel_col_carrier"), max_length=64),
            FormField("contents", i18n.t("parcel_col_contents"), max_length=500)]


class WaybillScan(Horizontal):
    """A titled one-line field; Enter posts `Scanned` with what it holds (stripped, may
    be empty: the screen decides what an empty Enter means). Where rows are scarce (the
    screen's stylesheet drops the border) the title is shown as a label before the field
    instead."""

    DEFAULT_CSS = """
    WaybillScan {
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        height: auto;
    }
    WaybillScan:focus-within {
        border: round $accent;
    }
    WaybillScan Input {
        width: 1fr;
    }
    WaybillScan .waybill-label {
        display: none;
        width: auto;
        padding-right: 1;
        text-style: bold;
    }
    """

    class Scanned(Message):
        """Enter in the field: the waybill typed or scanned ("" when empty)."""

        def __init__(self, scan: WaybillScan, waybill: str) -> None:
            self.scan = scan
            self.waybill = waybill
            super().__init__()

    def compose(self) -> ComposeResult:
        yield Label(classes="waybill-label")
        yield Input(max_length=MAX_WAYBILL, compact=True, id="waybill-input")

    def on_mount(self) -> None:
        self.relabel()

    @property
    def input(self) -> Input:
        """The field itself."""
        return self.query_one("#waybill-input", Input)

    @on(Input.Submitted, "#waybill-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        # Scanners and people put spaces between the digit groups; the number is the same.
        self.post_message(self.Scanned(self, event.value.replace(" ", "").strip()))

    def clear(self) -> None:
        """Empty the field for the next parcel."""
        self.input.value = ""

    def focus_input(self) -> None:
        """Put the keyboard focus in the field."""
        self.input.focus()

    def relabel(self) -> None:
        """The title, the keys around it and the hint in the current language."""
        self.border_title = i18n.t("insp_waybill_title")
        self.query_one(".waybill-label", Label).update(i18n.t("insp_waybill_title"))
        self.border_subtitle = i18n.t("insp_waybill_keys")
        self.input.placeholder = i18n.t("insp_waybill_placeholder")
