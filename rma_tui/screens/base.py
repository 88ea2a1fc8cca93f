"""What every screen of the desk shares: typed access to the app, the hooks it calls, and
the read-in-a-worker pattern every screen follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from rma_tui.widgets.common import Problem, problem_from

if TYPE_CHECKING:
    from rma_tui.service import Database
    from rma_tui.widgets.desk_app import DeskApp

# The audit chain head: (seq, hash) of its last event.
Head = tuple[int, str]


class ProblemMessage(Message):
    """A worker could not read or write: `problem` says why (subclassed per screen)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__()


def head_if_changed(database: Database, known: Head | None) -> Head | None:
    """The audit chain head now, or None when it is still `known`: every change in the
    shop appends an audit event, so an unchanged head means what was read is still true
    (one one-row read decides whether a screen reads again)."""
    from rma_tui import service

    head = service.chain_head(database)
    return None if head == known else head


class DeskScreen(Screen[None]):
    """Base of the desk's screens.

    The app calls `reload()` after the session is loaded, on refresh (r, and every few
    seconds) and when the screen is shown; `relabel()` after a language switch. A screen
    reads `self.rma.database` (None until the session is loaded), `self.rma.user` and
    `self.rma.role`, does database work in a thread worker and posts the results back as
    messages.
    """

    # The shop (app.shop) the screen's data was last read for; the app calls
    # `shop_changed()` when it differs, so that cached reads are not shown for another shop.
    read_for_shop: str | None = None

    @property
    def rma(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    def reload(self) -> None:
        """Read the screen's data again."""

    def relabel(self) -> None:
        """Redraw every text in the current language."""

    def shop_changed(self) -> None:
        """The desk now shows another shop (app.shop): forget what was read for the last
        one (the app calls `reload()` right after)."""

    def post_read(self, read: Callable[[], Message | None],
                  failed: Callable[[Problem], Message], location: str) -> None:
        """In a thread worker: post the message `read` gives (None: nothing to post), or on
        an error `failed(problem)` (shown on screen; the next refresh tries again). Nothing
        is posted once the worker has been cancelled."""
        worker = get_current_worker()
        try:
            message = read()
        except Exception as exc:  # said, not raised
            message = failed(problem_from(exc, location))
        if message is not None and not worker.is_cancelled:
            self.post_message(message)
