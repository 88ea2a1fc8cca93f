"""What every screen of the desk shares: typed access to the app and the hooks it calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from rma_tui.app import RmaApp


class DeskScreen(Screen[None]):
    """Base of the desk's screens.

    The app calls `reload()` after the session is loaded, on refresh (r, and every few
    seconds) and when the screen is shown; `relabel()` after a language switch. A screen
    reads `self.rma.database` (None until the session is loaded), `self.rma.user` and
    `self.rma.role`, does database work in a thread worker and posts the results back as
    messages.
    """

    @property
    def rma(self) -> RmaApp:
        """The app, typed."""
        return cast("RmaApp", self.app)

    def reload(self) -> None:
        """Read the screen's data again."""

    def relabel(self) -> None:
        """Redraw every text in the current language."""
