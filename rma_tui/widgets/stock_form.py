"""The stock screen's write dialogs: a few labelled fields, checked by the service itself.

``StockFormDialog(title, fields, submit, info="")`` -> the value `submit` returned, or None
when cancelled. `submit(values)` gets the fields' texts by name and runs in a thread
worker; it parses them and calls the service. A `DomainError` keeps the dialog open and is
shown under the field it names (or under the form when it names none of them), so bad
input writes nothing and the user sees exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.errors import DomainError


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name (the service's field name), label and start value.

    With `choices` ((value, label) pairs) the field is a drop-down instead of a text box.
    `aliases` are further service field names whose errors belong under this field."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 0
    aliases: tuple[str, ...] = ()


def whole_number(text: str, field: str, signed: bool = False) -> int:
    """What was typed as an int ("+3", "-2", "５" too); a DomainError naming `field` if not."""
    raw = text.strip().replace("＋", "+").replace("－", "-")
    if not raw:
        raise DomainError("required", field=field)
    body = raw[1:] if raw[:1] in "+-" and signed else raw
    if not body.isdigit():
        raise DomainError("not_integer", field=field, value=text.strip())
    return int(raw)


class StockFormDialog(ModalScreen[object]):
    """A modal form whose `submit` is the service call; dismisses with its result."""

    DEFAULT_CSS = """
    StockFormDialog .stock-form-row {
        height: auto;
    }
    StockFormDialog .stock-form-label {
        width: 16;
        padding: 1 1 0 0;
        text-style: bold;
    }
    StockFormDialog .stock-form-row Input,
    StockFormDialog .stock-form-row Select {
        width: 1fr;
    }
    StockFormDialog .stock-form-info {
        color: $text-muted;
        margin-top: 1;
    }
    StockFormDialog .stock-form-error {
        color: $error;
        padding-left: 16;
    }
    StockFormDialog #stock-form-error {
        padding-left: 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    class Finished(Message):
        """The worker's outcome: the service's result, or the error that refused it."""

        def __init__(self, result: object, error: DomainError | None, failure: str) -> None:
            self.result = result
            self.error = error
            self.failure = failure
            super().__init__()

    def __init__(self, title: str, fields: Sequence[FormField],
                 submit: Callable[[dict[str, str]], object], info: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.fields = list(fields)
        self.submit = submit
        self.info = info
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self.title_text
            if self.info:
                yield Static(self.info, classes="stock-form-info", markup=False)
            for f in self.fields:
                with Horizontal(classes="stock-form-row"):
                    yield Label(f.label, classes="stock-form-label", markup=False)
                    if f.choices:
                        yield Select([(text, value) for value, text in f.choices],
                                     value=f.value or f.choices[0][0], allow_blank=False,
                                     id=f"field-{f.name}")
                    else:
                        yield Input(f.value, placeholder=f.placeholder,
                                    max_length=f.max_length, id=f"field-{f.name}")
                yield Static("", id=f"error-{f.name}", classes="stock-form-error", markup=False)
            yield Static("", id="stock-form-error", classes="stock-form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("dlg_ok"), variant="primary", id="dialog-ok")
                yield Button(i18n.t("dlg_cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        self._clear_errors()
        first = next((f for f in self.fields if not f.choices), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()

    def values(self) -> dict[str, str]:
        """The fields' current texts (a drop-down's chosen value) by name."""
        result: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, Select):
                result[f.name] = str(widget.value)
            elif isinstance(widget, Input):
                result[f.name] = widget.value
        return result

    def _clear_errors(self) -> None:
        for f in self.fields:
            self.query_one(f"#error-{f.name}").display = False
        self.query_one("#stock-form-error").display = False

    def show_error(self, error: DomainError | None, failure: str = "") -> None:
        """Show the refusal under the field it is about (else under the form)."""
        self._clear_errors()
        target = None
        if error is not None:
            target = next((f for f in self.fields
                           if error.field in (f.name, *f.aliases)), None)
        where = f"#error-{target.name}" if target is not None else "#stock-form-error"
        label = self.query_one(where, Static)
        label.update(error.message() if error is not None else failure)
        label.display = True
        if target is not None:
            self.query_one(f"#field-{target.name}").focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#dialog-ok")
    def action_ok(self) -> None:
        """Hand the values to the service (in a worker); nothing is written unless it agrees."""
        if self.busy:
            return
        self.busy = True
        self._run(self.values())

    @work(thread=True, exclusive=True, group="stock-form")
    def _run(self, values: dict[str, str]) -> None:
        worker = get_current_worker()
        try:
            result = self.submit(values)
        except DomainError as exc:
            outcome = self.Finished(None, exc, "")
        except Exception as exc:  # a database failure: said in the dialog, which stays open
            outcome = self.Finished(None, None, str(exc).splitlines()[0] if str(exc) else
                                    type(exc).__name__)
        else:
            outcome = self.Finished(result, None, "")
        if not worker.is_cancelled:
            self.post_message(outcome)

    def on_stock_form_dialog_finished(self, message: Finished) -> None:
        """Close with the result, or show why the service refused."""
        self.busy = False
        if message.error is None and not message.failure:
            self.dismiss(message.result)
        else:
            self.show_error(message.error, message.failure)

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Give up: nothing is written."""
        self.dismiss(None)
