"""The live policy verdict of a slip being entered: every rule with ✓ / ✗ and what it
measured, then the refund or the exchange price difference.

The panel computes the verdict itself, in a thread worker (`service.preview_slip`), once
the form has stayed still for `PREVIEW_DELAY` (`schedule`). Each computation carries a
token; `invalidate` makes the ones under way stale, and the screen shows a `Computed`
verdict (or a refusal) only while `is_current(token)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from rma_tui import i18n
from rma_tui.widgets.worker_outcome import post_outcome

if TYPE_CHECKING:
    from textual.timer import Timer

    from rma_tui.service import Database, Preview
    from rma_tui.widgets.reason_form import SlipForm

# How long the form must stay still before the verdict is computed again (seconds).
PREVIEW_DELAY = 0.25


class VerdictPanel(Static):
    """Shows a `service.Preview`, or a hint saying what is still missing."""

    DEFAULT_CSS = """
    VerdictPanel {
        height: auto;
        padding: 0 1;
    }
    """

    class Computed(Message):
        """The verdict and amounts of the form as it was at `token`."""

        def __init__(self, token: int, preview: Preview, slip_type: str) -> None:
            self.token = token
            self.preview = preview
            self.slip_type = slip_type
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.preview: Preview | None = None
        self.slip_type = "return"
        self.hint_key = "entry_hint_pick"
        self.token = 0
        self._timer: Timer | None = None

    def schedule(self, due: Callable[[], object]) -> None:
        """Call `due` once nothing else was scheduled for `PREVIEW_DELAY` seconds (typing
        a quantity or a price does not start a read per key)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, due)

    def invalidate(self, pending: bool = False) -> None:
        """Make every verdict under way stale (the form has changed); `pending`: the
        scheduled call is dropped too."""
        if pending and self._timer is not None:
            self._timer.stop()
        self.token += 1

    def is_current(self, token: int) -> bool:
        """Whether a computation with `token` is still about the form as it stands."""
        return token == self.token

    def compute(self, database: Database, form: SlipForm,
                now: Callable[[], datetime | None], location: str) -> None:
        """Compute the verdict of `form` in a worker: a `Computed` message, or the
        service's refusal (with this token), bubbles up to the screen."""
        self._compute(database, form, now, location, self.token)

    @work(thread=True, exclusive=True, group="entry-preview")
    def _compute(self, database: Database, form: SlipForm,
                 now: Callable[[], datetime | None], location: str, token: int) -> None:
        def job() -> Message:
            from rma_tui import service

            preview = service.preview_slip(
                database, form.sale_order, form.slip_type,
                [service.LineInput(**ln) for ln in form.lines], channel=form.channel,
                now=now(), draft=form.draft_number)
            return self.Computed(token, preview, form.slip_type)

        post_outcome(self, job, location, token)

    def show_hint(self, key: str) -> None:
        """No verdict yet: say what is missing (an i18n key)."""
        self.preview = None
        self.hint_key = key
        self.relabel()

    def show_preview(self, preview: Preview, slip_type: str) -> None:
        """Show the verdict and amounts of a preview."""
        self.preview = preview
        self.slip_type = slip_type
        self.relabel()

    def relabel(self) -> None:
        """Redraw in the current language."""
        p = self.preview
        if p is None:
            self.update(Text(i18n.t(self.hint_key), style="dim"))
            return
        out = Text()
        for r in p.verdict:
            mark, style = ("✓", "bold") if r.ok else ("✗", "bold reverse")
            out.append(f"{mark} ", style=style)
            out.append(i18n.label("rule", r.rule), style="bold")
            detail = i18n.t(f"rule_{r.rule}_{'ok' if r.ok else 'fail'}", **r.params)
            out.append(f"  {detail}\n")
        amounts: dict[str, Any] = {
            "gross_fen": p.gross_fen, "fee_fen": p.fee_fen, "refund_fen": p.refund_fen,
            "replacement_fen": p.replacement_fen, "difference_fen": p.difference_fen}
        key = "entry_preview_refund" if self.slip_type == "return" else "entry_preview_exchange"
        out.append(i18n.t(key, **amounts) + "\n", style="bold")
        out.append(i18n.t("entry_verdict_pass" if p.policy_ok else "entry_verdict_review"),
                   style="italic")
        self.update(out)
