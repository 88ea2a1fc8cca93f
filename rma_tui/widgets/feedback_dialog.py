"""The modal that asks the customer's feedback after a settlement (skippable)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from rma_tui import i18n


class FeedbackDialog(ModalScreen[tuple[int, str] | None]):
    """Score 1-5 and a comment. Dismisses with (score, comment), or None when skipped.

    The score is checked here only for being a number 1-5 so the dialog can say so next
    to the field; the service checks it again when it saves.
    """

    DEFAULT_CSS = """
    FeedbackDialog {
        align: center middle;
    }
    FeedbackDialog > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    FeedbackDialog .fb-title {
        text-style: bold;
    }
    FeedbackDialog .fb-prompt {
        color: $text-muted;
        margin-bottom: 1;
    }
    FeedbackDialog .fb-row {
        height: auto;
    }
    FeedbackDialog .fb-row Label {
        width: 14;
    }
    FeedbackDialog #fb-score {
        width: 8;
        background: $boost;
    }
    FeedbackDialog #fb-comment {
        width: 1fr;
        background: $boost;
    }
    FeedbackDialog #fb-error {
        color: $error;
        height: auto;
    }
    FeedbackDialog .fb-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    FeedbackDialog Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "skip", "skip", show=False),
    ]

    def __init__(self, slip: str) -> None:
        super().__init__()
        self.slip = slip

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"{i18n.t('fb_title')}  {self.slip}", classes="fb-title")
            yield Static(i18n.t("fb_prompt"), classes="fb-prompt")
            with Horizontal(classes="fb-row"):
                yield Label(i18n.t("fb_score"))
                yield Input(id="fb-score", type="integer", max_length=1, compact=True)
            with Horizontal(classes="fb-row"):
                yield Label(i18n.t("fb_comment"))
                yield Input(id="fb-comment", max_length=2000, compact=True)
            yield Static("", id="fb-error")
            with Horizontal(classes="fb-buttons"):
                yield Button(i18n.t("fb_save"), id="fb-save", variant="primary")
                yield Button(i18n.t("fb_skip"), id="fb-skip")

    def on_mount(self) -> None:
        self.query_one("#fb-score", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the score moves on to the comment; Enter in the comment saves."""
        event.stop()
        if event.input.id != "fb-score":
            self._save()
        elif self._score() is not None:
            self.query_one("#fb-error", Static).update("")
            self.query_one("#fb-comment", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or skip by button."""
        event.stop()
        if event.button.id == "fb-save":
            self._save()
        else:
            self.dismiss(None)

    def action_skip(self) -> None:
        """Close without feedback."""
        self.dismiss(None)

    def _score(self) -> int | None:
        """The score typed, or None after saying (under the fields) why it is not 1-5."""
        raw = self.query_one("#fb-score", Input).value.strip()
        if raw.isdigit() and 1 <= int(raw) <= 5:
            return int(raw)
        self.query_one("#fb-error", Static).update(
            i18n.t("bad_score", field=i18n.t("fb_score"), value=raw or "—"))
        self.query_one("#fb-score", Input).focus()
        return None

    def _save(self) -> None:
        score = self._score()
        if score is not None:
            self.dismiss((score, self.query_one("#fb-comment", Input).value.strip()))
