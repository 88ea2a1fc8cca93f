"""SKELETON, being written now: the settlement screen (issue 3)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rma_tui.screens.base import DeskScreen


class SettlementScreen(DeskScreen):
    """SKELETON: replaced by the real screen."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("settlement")
        yield Footer()
