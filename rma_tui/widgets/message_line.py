"""A line that tells the user what just happened, in the language of the moment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from rma_tui import i18n
from rma_tui.errors import DomainError

if TYPE_CHECKING:
    from rma_tui.widgets.common import Problem


class MessageLine(Static):
    """Shows a success (an i18n key and its parameters) or an error (a DomainError or a
    Problem), styled `-ok` / `-error`; `relabel()` redraws it after a language switch."""

    DEFAULT_CSS = """
    MessageLine {
        height: auto;
    }
    MessageLine.-ok {
        color: $success;
    }
    MessageLine.-error {
        color: $error;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._message: tuple[str, str, dict[str, object]] | None = None
        self._error: DomainError | Problem | None = None

    def say(self, kind: str, key: str, **params: object) -> None:
        """Show a message of `kind` ("ok" or "error") from an i18n key."""
        self._message, self._error = (kind, key, params), None
        self.relabel()

    def say_error(self, error: DomainError | Problem) -> None:
        """Show why something was refused or failed."""
        self._message, self._error = None, error
        self.relabel()

    def relabel(self) -> None:
        """Draw the current message in the current language."""
        self.remove_class("-ok", "-error")
        if self._error is not None:
            self.update(self._error.message() if isinstance(self._error, DomainError)
                        else self._error.text())
            self.add_class("-error")
        elif self._message is not None:
            kind, key, params = self._message
            self.update(i18n.t(key, None, **params))
            self.add_class(f"-{kind}")
        else:
            self.update("")
