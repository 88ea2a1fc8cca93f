"""The modal that notes an after-sales follow-up (回访) on a customer.

Three fields: the note (required), the due date (YYYY-MM-DD, tomorrow by default, not
before today) and an optional slip number. What can be checked here is checked here and
said next to its field; the write itself runs in a worker (`service.add_follow_up`), and a
refusal from the service (an unknown slip, a slip of another customer) is shown next to the
field it names, with the dialog still open. Nothing is written until every field is right.
Dismisses with the `FollowUpView` written, or None when cancelled.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.errors import DomainError

if TYPE_CHECKING:
    from rma_tui.service import Database, FollowUpView

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Which error line shows a service refusal, by the field the refusal names.
_FIELD_ERRORS = {"note": "#fu-note-error", "due": "#fu-due-error", "slip": "#fu-slip-error",
                 "number": "#fu-slip-error"}


def parse_due(text: str, today: date) -> date:
    """The due date typed (YYYY-MM-DD), or a DomainError for field `due` (a day already gone
    is refused by the service)."""
    raw = (text or "").strip()
    if not raw:
        raise DomainError("required", field=i18n.t("cust_fu_due"))
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        # No field named: the message is shown right under the field it is about.
        raise DomainError("bad_date", value=raw) from None
    return day


class FollowUpDialog(ModalScreen["FollowUpView | None"]):
    """Note a follow-up for the customer with phone `phone`, written as `actor` at `now`."""

    DEFAULT_CSS = """
    FollowUpDialog .fu-label {
        margin-top: 1;
    }
    FollowUpDialog.-narrow .fu-label {
        margin-top: 0;
    }
    FollowUpDialog .fu-error {
        color: $error;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    class Saved(Message):
        """The worker's result: the follow-up written, or the refusal."""

        def __init__(self, view: FollowUpView | None, error: DomainError | None,
                     failure: str = "") -> None:
            self.view = view
            self.error = error
            self.failure = failure
            super().__init__()

    def __init__(self, database: Database, actor: str, name: str, phone: str,
                 now: datetime, slip: str | None = None) -> None:
        super().__init__(classes="dialog", id="follow-up-dialog")
        self.database = database
        self.actor = actor
        self.customer_name = name
        self.phone = phone
        self.now = now
        self.slip = slip
        self.today = now.astimezone().date()
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = i18n.t("cust_fu_title", name=self.customer_name, phone=self.phone)
            yield Label(i18n.t("cust_fu_note"), classes="fu-label")
            yield Input(placeholder=i18n.t("cust_fu_note_placeholder"), id="fu-note",
                        max_length=2000)
            yield Static("", id="fu-note-error", classes="fu-error", markup=False)
            yield Label(i18n.t("cust_fu_due"), classes="fu-label")
            yield Input((self.today + timedelta(days=1)).isoformat(), id="fu-due",
                        placeholder="YYYY-MM-DD", max_length=10)
            yield Static("", id="fu-due-error", classes="fu-error", markup=False)
            yield Label(i18n.t("cust_fu_slip"), classes="fu-label")
            yield Input(self.slip or "", id="fu-slip", max_length=32,
                        placeholder=i18n.t("cust_fu_slip_placeholder"))
            yield Static("", id="fu-slip-error", classes="fu-error", markup=False)
            yield Static("", id="dialog-error", classes="fu-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("cust_fu_save"), variant="primary", id="dialog-ok")
                yield Button(i18n.t("dlg_cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        self._clear()
        self.query_one("#fu-note", Input).focus()

    def _clear(self) -> None:
        for sel in ("#fu-note-error", "#fu-due-error", "#fu-slip-error", "#dialog-error"):
            err = self.query_one(sel, Static)
            err.update("")
            err.display = False

    def _error(self, selector: str, text: str, focus: str | None = None) -> None:
        err = self.query_one(selector, Static)
        err.update(text)
        err.display = True
        if focus:
            self.query_one(focus, Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        # Enter moves to the next field; Enter in the last one saves.
        event.stop()
        order = ["fu-note", "fu-due", "fu-slip"]
        index = order.index(event.input.id or "fu-slip")
        if index < len(order) - 1:
            self.query_one(f"#{order[index + 1]}", Input).focus()
        else:
            self.action_save()

    @on(Button.Pressed, "#dialog-ok")
    def action_save(self) -> None:
        """Check the fields; when all are right, write the follow-up (in a worker)."""
        if self.saving:
            return
        self._clear()
        note = self.query_one("#fu-note", Input).value.strip()
        ok = True
        if not note:
            self._error("#fu-note-error", i18n.t("required", field=i18n.t("cust_fu_note")),
                        "#fu-note")
            ok = False
        try:
            due = parse_due(self.query_one("#fu-due", Input).value, self.today)
        except DomainError as e:
            self._error("#fu-due-error", e.message(), None if not ok else "#fu-due")
            ok = False
        if not ok:
            return
        slip = self.query_one("#fu-slip", Input).value.strip().upper() or None
        self.saving = True
        self._save(note, due, slip)

    @work(thread=True, exclusive=True, group="follow-up-save")
    def _save(self, note: str, due: date, slip: str | None) -> None:
        worker = get_current_worker()
        from rma_tui import service

        try:
            # Due from the start of that local day: it shows in the morning's call list.
            start, _ = service.day_bounds(due)
            view = service.add_follow_up(self.database, self.actor, self.phone, note, start,
                                         slip_number=slip, now=self.now)
            result = self.Saved(view, None)
        except DomainError as e:
            result = self.Saved(None, e)
        except Exception as e:  # a database failure: said in the dialog, nothing written
            result = self.Saved(None, None, str(e).splitlines()[0] if str(e) else repr(e))
        if not worker.is_cancelled:
            self.post_message(result)

    def on_follow_up_dialog_saved(self, message: Saved) -> None:
        """Close with the follow-up written, or say why not next to its field."""
        self.saving = False
        if message.view is not None:
            self.dismiss(message.view)
            return
        if message.error is not None:
            selector = _FIELD_ERRORS.get(message.error.field or "", "#dialog-error")
            self._error(selector, message.error.message())
        else:
            self._error("#dialog-error", i18n.t("app_db_error", db=self.database.url,
                                                error=message.failure))

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Give up: nothing is written."""
        self.dismiss(None)
