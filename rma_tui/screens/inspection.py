"""SKELETON, being written now: the inspection screen (issue 3)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rma_tui.screens.base import DeskScreen


class InspectionScreen(DeskScreen):
    """SKELETON: replaced by the real screen."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("inspection")
        yield Footer()
