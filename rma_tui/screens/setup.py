"""First-run setup: on an empty database the desk asks the shop's name, the owner's account
and PIN (twice) and the channels it sells through, then signs in as that owner.

Nothing is written until every field is right: the two PINs are compared here, the rest is
checked by `service.setup_shop`, whose `DomainError.field` says which field to mark. The
schema is created (migrations) just before the shop itself, so a mistyped `--db` that is
never submitted leaves no file behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.policy import current_policy
from rma_tui.widgets.desk_bindings import translate_bindings

if TYPE_CHECKING:
    from rma_tui.service import Database, UserView
    from rma_tui.widgets.desk_app import DeskApp

# The counter and the generic online shop are ticked at first; the platforms when the
# shop sells there.
FIRST_CHANNELS = ("store", "online")


def channel_choices() -> tuple[str, ...]:
    """The sales channels a shop can choose: the policy file's (read without the service,
    so this screen paints before sqlmodel is imported)."""
    return current_policy().channel_codes()
# Every field that can carry an error, in the order shown.
FIELDS = ("shop_name", "owner", "pin", "pin2", "channels")


class SetupScreen(Screen[None]):
    """The first-run form. Submits with Enter on the last field, ctrl+s or the button."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "save"),
    ]

    class Failed(Message):
        """The shop was not set up: an i18n key and parameters, and the field it is about."""

        def __init__(self, key: str, field: str | None, params: dict[str, Any]) -> None:
            self.key = key
            self.field = field
            self.params = params
            super().__init__()

    class Done(Message):
        """The shop is set up and `owner` may sign in."""

        def __init__(self, database: Database, owner: UserView) -> None:
            self.database = database
            self.owner = owner
            super().__init__()

    def __init__(self) -> None:
        super().__init__(id="setup")

    @property
    def rma(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="setup-body"):
            yield Static(id="setup-intro")
            for name, password in (("shop_name", False), ("owner", False), ("pin", True),
                                   ("pin2", True)):
                with Horizontal(classes="setup-row"):
                    yield Label(id=f"label-{name}", classes="setup-label")
                    yield Input(id=f"setup-{name}", password=password,
                                restrict=r"[0-9]*" if password else None,
                                max_length=12 if password else 100)
                yield Static(id=f"error-{name}", classes="setup-error")
            with Horizontal(classes="setup-row", id="setup-channels"):
                yield Label(id="label-channels", classes="setup-label")
                with Container(id="setup-channel-boxes"):
                    for channel in channel_choices():
                        yield Checkbox(value=channel in FIRST_CHANNELS,
                                       id=f"channel-{channel}")
            yield Static(id="error-channels", classes="setup-error")
            with Horizontal(id="setup-buttons"):
                yield Button(variant="primary", id="setup-submit")
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()
        for name in FIELDS:
            self._error(name, "")
        self.query_one("#setup-shop_name", Input).focus()

    def relabel(self) -> None:
        """Every text in the current language."""
        self.query_one("#setup-intro", Static).update(
            i18n.t("setup_intro", db=self.rma.db_location))
        for name in FIELDS:
            self.query_one(f"#label-{name}", Label).update(i18n.t(f"setup_{name}"))
        self.query_one("#setup-owner", Input).placeholder = i18n.t("setup_owner_hint")
        self.query_one("#setup-pin", Input).placeholder = i18n.t("setup_pin_hint")
        for channel in channel_choices():
            self.query_one(f"#channel-{channel}", Checkbox).label = i18n.label("channel", channel)
        self.query_one("#setup-submit", Button).label = i18n.t("setup_submit")
        self.sub_title = i18n.t("setup_title")
        # The footer text of ctrl+s follows the language (bindings are made at class time).
        translate_bindings(self, {"submit": "setup_key_save"})

    def _error(self, name: str, text: str) -> None:
        err = self.query_one(f"#error-{name}", Static)
        err.update(text)
        err.display = bool(text)
        row = self.query_one(f"#setup-{name}")
        row.set_class(bool(text), "-invalid")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # Enter moves on like Tab; on the last field it submits.
        if event.input.id == "setup-pin2":
            self.action_submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#setup-submit")
    def action_submit(self) -> None:
        """Check the form and, when it is right, set the shop up (in a worker)."""
        for name in FIELDS:
            self._error(name, "")
        values = {name: self.query_one(f"#setup-{name}", Input).value
                  for name in ("shop_name", "owner", "pin", "pin2")}
        channels = [c for c in channel_choices() if self.query_one(f"#channel-{c}", Checkbox).value]
        # The owner approves exceptions and settles money: their account needs a PIN.
        if not values["pin"]:
            self._fail("required", "pin", {})
            return
        if values["pin"] != values["pin2"]:
            self._fail("setup_pin_mismatch", "pin2", {})
            return
        self._save(values["shop_name"], values["owner"], values["pin"], channels)

    @work(thread=True, exclusive=True, group="setup")
    def _save(self, shop_name: str, owner: str, pin: str, channels: list[str]) -> None:
        worker = get_current_worker()
        message: Message
        try:
            from rma_tui import service
            from rma_tui.errors import DomainError
            from rma_tui.service import Database, upgrade

            database = self.rma.database or Database(self.rma.db_location)
            try:
                upgrade(database)
                user = service.setup_shop(database, shop_name, owner, pin, channels)
            except DomainError as exc:
                message = self.Failed(exc.key, exc.field, dict(exc.params))
            else:
                message = self.Done(database, user)
        except Exception as exc:  # the database itself failed: said under the form
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message = self.Failed("app_db_error", None,
                                  {"db": self.rma.db_location, "error": text})
        if not worker.is_cancelled:
            self.post_message(message)

    def _fail(self, key: str, field: str | None, params: dict[str, Any]) -> None:
        name = field if field in FIELDS else "channels" if field == "channels" else None
        target = name or "shop_name"
        if key == "bad_pin":  # the service's message is about signing in; say what is wanted
            key = "setup_pin_format"
        label = i18n.t(f"setup_{target}") if name else ""
        self._error(target, i18n.t(key, **{**params, "field": label}))
        widget = self.query_one(f"#setup-{target}")
        (widget.query(Checkbox).first() if target == "channels" else widget).focus()

    def on_setup_screen_failed(self, message: Failed) -> None:
        """Mark the field the service refused (nothing was saved)."""
        self._fail(message.key, message.field, message.params)

    def on_setup_screen_done(self, message: Done) -> None:
        """Hand over to the app: it signs in as the owner and loads the home screen."""
        self.rma.setup_done(message.database, message.owner)
