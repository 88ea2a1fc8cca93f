"""Where the slip entry form says what the service refused: an error slot (`#err-<slot>`,
a `.field-error` Static) next to each field, chosen by the field the refusal names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widget import Widget

    from rma_tui.errors import DomainError

# Error slots next to the fields, by the service's field names (see `slot_for`).
SLOTS = ("search", "lines", "price", "phone", "reason", "reason-text", "repl", "note", "form")


def slot_for(field_name: str | None) -> str:
    """Which error slot shows an error about `field_name` ("lines[1].qty" -> "lines")."""
    name = field_name or ""
    tail = name.rsplit(".", 1)[-1] if name.startswith("lines[") else name
    return {
        "sale": "search", "customer": "search", "lines": "lines", "qty": "lines",
        "sku": "lines", "unit_price": "price", "reason": "reason",
        "reason_text": "reason-text", "replacement_sku": "repl", "replacement_qty": "repl",
        "note": "note",
    }.get(tail, "form")


def show_field_error(root: Widget, error: DomainError | None, no_receipt: bool) -> None:
    """Show `error` in the slot under `root` next to the field it names, scrolled into
    view, and clear every other slot (None: clear them all). Without a receipt an error
    about the customer belongs to the phone typed in the form."""
    target = None if error is None else slot_for(error.field)
    if target == "search" and no_receipt:
        target = "phone"
    for slot in SLOTS:
        widget = root.query_one(f"#err-{slot}", Static)
        if slot == target and error is not None:
            widget.update(error.message())
            widget.add_class("-shown")
        else:
            widget.update("")
            widget.remove_class("-shown")
    if target is not None:
        root.query_one(f"#err-{target}").scroll_visible()
