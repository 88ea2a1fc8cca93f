"""SKELETON, being written now: the entry screen (issue 3)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rma_tui.screens.base import DeskScreen


class SlipEntryScreen(DeskScreen):
    """SKELETON: replaced by the real screen."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("entry")
        yield Footer()
