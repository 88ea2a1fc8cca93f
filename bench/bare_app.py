"""The bare Textual app the start-up section compares the desk with: a Header, a Static and
a Footer; key 6 answers by changing the Static's text (the bench waits for that text)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    """As little as a Textual app can be and still have a header, body, footer and a key."""

    TITLE = "bare"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("6", "answer", "answer"),
                                             Binding("q", "quit", "quit")]

    def compose(self) -> ComposeResult:
        """Header, one Static, Footer."""
        yield Header()
        yield Static("waiting for a key", id="body")
        yield Footer()

    def action_answer(self) -> None:
        """Show that the key arrived."""
        self.query_one("#body", Static).update("ANSWERED-6")


if __name__ == "__main__":
    BareApp().run()
