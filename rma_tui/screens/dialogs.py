"""Modal dialogs shared by every screen of the desk.

Each dialog is a `ModalScreen[T]` that `dismiss(value)`es; push it with a callback or
await it from a worker::

    from rma_tui.screens.dialogs import ConfirmDialog, TextPromptDialog

    def done(ok: bool | None) -> None:
        if ok:
            ...

    self.app.push_screen(ConfirmDialog(i18n.t("settle_confirm_title"),
                                       i18n.t("settle_confirm_body", amount=...)), done)
    self.app.push_screen(TextPromptDialog(i18n.t("reject_title"), i18n.t("reject_reason")),
                         lambda reason: reason and self._reject(reason))

``ConfirmDialog(title, message="", *, confirm=None, cancel=None)`` -> ``bool``
    True on the confirm button / Enter / y, False on the cancel button / Escape / n.
``TextPromptDialog(title, label, *, value="", placeholder="", required=True,
password=False, max_length=0)`` -> ``str | None``
    The text typed (stripped) on Enter / OK, None on Escape / Cancel. With ``required`` an
    empty answer is not accepted: the dialog says so under the field and stays open.
    ``error`` (a method) shows a message under the field from outside, for callers that
    validate after the fact.
``ShopSwitchDialog(shops, current)`` -> ``str | None``
    A chain-wide user picks a shop: ``ALL_SHOPS`` (every shop), a shop code, or None
    (Escape: no change).
``SwitchUserDialog(database, current=None)`` -> ``UserView | None``
    Asks a user name, then that user's PIN if it has one (checked with
    ``service.check_pin`` in a worker); an unknown/disabled user or a wrong PIN is said
    under the field and the dialog stays open. Dismisses with the new user, or None.

Every text is in the current language (`rma_tui.i18n`); all texts are passed in already
translated, except the buttons' defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from rma_tui import i18n

if TYPE_CHECKING:
    from rma_tui.service import Database, ShopView, UserView

# What the shop switcher gives for "every shop" (no shop code can contain "*").
ALL_SHOPS = "*"


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question. Dismisses with True (confirmed) or False (cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", show=False),
        Binding("y", "confirm", show=False),
    ]

    def __init__(self, title: str, message: str = "", *, confirm: str | None = None,
                 cancel: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.message = message
        self.confirm_label = confirm or i18n.t("dlg_confirm")
        self.cancel_label = cancel or i18n.t("dlg_cancel")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self.title_text
            if self.message:
                yield Static(self.message, classes="dialog-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm_label, variant="primary", id="dialog-confirm")
                yield Button(self.cancel_label, id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-confirm", Button).focus()

    @on(Button.Pressed, "#dialog-confirm")
    def action_confirm(self) -> None:
        """Answer yes."""
        self.dismiss(True)

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Answer no."""
        self.dismiss(False)


class TextPromptDialog(ModalScreen[str | None]):
    """Ask for one line of text. Dismisses with the stripped text, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, label: str, *, value: str = "", placeholder: str = "",
                 required: bool = True, password: bool = False, max_length: int = 0) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.label = label
        self.value = value
        self.placeholder = placeholder
        self.required = required
        self.password = password
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self.title_text
            yield Label(self.label, classes="dialog-label", markup=False)
            yield Input(self.value, placeholder=self.placeholder, password=self.password,
                        max_length=self.max_length, id="dialog-input")
            yield Static("", id="dialog-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("dlg_ok"), variant="primary", id="dialog-ok")
                yield Button(i18n.t("dlg_cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-error").display = False
        self.query_one("#dialog-input", Input).focus()

    def error(self, message: str) -> None:
        """Show `message` under the field (empty hides it)."""
        err = self.query_one("#dialog-error", Static)
        err.update(message)
        err.display = bool(message)

    @on(Input.Submitted, "#dialog-input")
    @on(Button.Pressed, "#dialog-ok")
    def action_ok(self) -> None:
        """Accept the text (unless it is required and empty)."""
        text = self.query_one("#dialog-input", Input).value.strip()
        if self.required and not text:
            self.error(i18n.t("required", field=self.label))
            self.query_one("#dialog-input", Input).focus()
            return
        self.dismiss(text)

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Give up: dismiss with None."""
        self.dismiss(None)


class SwitchUserDialog(ModalScreen["UserView | None"]):
    """Sign in as another user: the name, then the PIN when that user has one.

    The database is read in a worker; the result comes back as `Checked`. A refused
    attempt keeps the dialog open with the reason under the field, so the caller only ever
    gets a user who proved who they are (or None).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    class Checked(Message):
        """The worker's verdict: the user when accepted, else what to say (an i18n key, or
        the service's refusal in words: too many wrong PINs, and until when)."""

        def __init__(self, user: UserView | None, problem: str, needs_pin: bool,
                     said: str = "") -> None:
            self.user = user
            self.problem = problem
            self.needs_pin = needs_pin
            self.said = said
            super().__init__()

    def __init__(self, database: Database, current: str | None = None,
                 ask_pin: bool = False) -> None:
        """`ask_pin`: `current` is the user to sign in (the one the desk was started as):
        their name is filled in and their PIN asked at once."""
        super().__init__(classes="dialog", id="switch-user")
        self.database = database
        self.current = current
        self.ask_pin = ask_pin
        # The name whose PIN field is shown (typing another name hides it again).
        self.pin_for: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = i18n.t("switch_user_title")
            yield Label(i18n.t("switch_user_name"), classes="dialog-label")
            yield Input(placeholder=self.current or "", id="switch-name", max_length=64)
            yield Label(i18n.t("switch_user_pin"), classes="dialog-label", id="switch-pin-label")
            yield Input(password=True, id="switch-pin", max_length=12, restrict=r"[0-9]*")
            yield Static("", id="dialog-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("dlg_ok"), variant="primary", id="dialog-ok")
                yield Button(i18n.t("dlg_cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        # The PIN field appears only once the name is known to belong to a user with a PIN.
        self._show_pin(False)
        self.query_one("#dialog-error").display = False
        if self.ask_pin and self.current:
            self.pin_for = self.current
            self.query_one("#switch-name", Input).value = self.current
            self._show_pin(True)
            self.query_one("#switch-pin", Input).focus()
        else:
            self.query_one("#switch-name", Input).focus()

    def _show_pin(self, show: bool) -> None:
        self.query_one("#switch-pin-label").display = show
        self.query_one("#switch-pin").display = show

    def error(self, message: str) -> None:
        """Show `message` under the fields (empty hides it)."""
        err = self.query_one("#dialog-error", Static)
        err.update(message)
        err.display = bool(message)

    @on(Input.Changed, "#switch-name")
    def _name_changed(self, event: Input.Changed) -> None:
        if event.value.strip() == self.pin_for:
            return  # still the name whose PIN is asked
        # Another name: whatever was said about the previous one no longer holds.
        self.pin_for = None
        self._show_pin(False)
        self.query_one("#switch-pin", Input).value = ""
        self.error("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#dialog-ok")
    def action_ok(self) -> None:
        """Check what was typed so far."""
        name = self.query_one("#switch-name", Input).value.strip()
        if not name:
            self.error(i18n.t("required", field=i18n.t("switch_user_name")))
            return
        pin_input = self.query_one("#switch-pin", Input)
        pin = pin_input.value if pin_input.display else None
        self._check(name, pin)

    @work(thread=True, exclusive=True, group="switch-user")
    def _check(self, name: str, pin: str | None) -> None:
        worker = get_current_worker()
        from rma_tui import service
        from rma_tui.errors import DomainError

        try:
            user = service.get_user(self.database, name)
            if user is None or not user.active:
                result = self.Checked(None, "switch_user_unknown", False)
            elif user.has_pin and pin is None:
                result = self.Checked(None, "", True)  # now ask the PIN
            else:  # the service counts wrong PINs (too many and the user must wait)
                result = self.Checked(service.sign_in(self.database, name, pin), "",
                                      user.has_pin)
        except DomainError as exc:
            if exc.key == "pin_wrong":
                result = self.Checked(None, "switch_user_bad_pin", True)
            else:
                result = self.Checked(None, "", exc.key != "unknown_user", exc.message())
        except Exception:  # a database failure: say so, keep the dialog
            result = self.Checked(None, "switch_user_failed", False)
        if not worker.is_cancelled:
            self.post_message(result)

    def on_switch_user_dialog_checked(self, message: Checked) -> None:
        """Accept the user, ask the PIN, or say why not."""
        if message.user is not None:
            self.dismiss(message.user)
            return
        pin = self.query_one("#switch-pin", Input)
        name = self.query_one("#switch-name", Input).value.strip()
        if message.needs_pin:
            self.pin_for = name
            self._show_pin(True)
            pin.value = ""
            pin.focus()
        self.error(message.said or (i18n.t(message.problem, user=name) if message.problem
                                    else ""))

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Keep the current user."""
        self.dismiss(None)


class ShopSwitchDialog(ModalScreen[str | None]):
    """Pick the shop the desk shows: every shop first, then each shop (code and name).

    Dismisses with `ALL_SHOPS`, a shop code, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, shops: Sequence[ShopView], current: str | None) -> None:
        super().__init__(classes="dialog", id="switch-shop")
        self.shops = list(shops)
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(i18n.t("app_all_shops"), id=ALL_SHOPS)]
        options += [Option(f"{s.code:<10} {s.name}", id=s.code) for s in self.shops]
        with Vertical(classes="dialog-box") as box:
            box.border_title = i18n.t("switch_shop_title")
            yield OptionList(*options, id="switch-shop-list")
            with Horizontal(classes="dialog-buttons"):
                yield Button(i18n.t("dlg_ok"), variant="primary", id="dialog-ok")
                yield Button(i18n.t("dlg_cancel"), id="dialog-cancel")

    def on_mount(self) -> None:
        chooser = self.query_one(OptionList)
        chooser.highlighted = chooser.get_option_index(self.current or ALL_SHOPS)
        chooser.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#dialog-ok")
    def action_ok(self) -> None:
        """Take the highlighted shop."""
        chooser = self.query_one(OptionList)
        if chooser.highlighted is not None:
            self.dismiss(chooser.get_option_at_index(chooser.highlighted).id)

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        """Keep the shop shown now."""
        self.dismiss(None)
