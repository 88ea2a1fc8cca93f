"""The line above the slip entry form that says what just happened (saving, saved,
submitted, resumed, a fault), kept in the language of the moment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

from rma_tui import i18n

if TYPE_CHECKING:
    from rma_tui.service import SlipView


class EntryBanner(Static):
    """Shows one message, an i18n key with its parameters and a kind (`ok`, `review` or
    `info`, the class it is styled by), or nothing (hidden)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.message: tuple[str, dict[str, Any], str] | None = None

    @property
    def key(self) -> str | None:
        """The i18n key of the message shown (None: nothing is)."""
        return None if self.message is None else self.message[0]

    def say(self, key: str | None, params: dict[str, Any] | None = None,
            kind: str = "info") -> None:
        """Show the message `key` (None: hide the banner)."""
        self.message = None if key is None else (key, params or {}, kind)
        self.relabel()

    def slip_saved(self, slip: SlipView, submitted: bool) -> None:
        """Say what became of a slip just saved: a draft, approved at once on submit, or
        sent to review (naming the rules it did not pass)."""
        if not submitted:
            self.say("entry_draft_saved", {"number": slip.number}, "info")
        elif slip.status == "approved":
            self.say("entry_submitted_auto", {"number": slip.number}, "ok")
        else:
            failed = ",".join(r.rule for r in slip.verdict if not r.ok)
            self.say("entry_submitted_review", {"number": slip.number, "failed": failed},
                     "review")

    def relabel(self) -> None:
        """Redraw the message in the current language."""
        self.remove_class("-shown", "-ok", "-review", "-info")
        if self.message is None:
            return
        key, params, kind = self.message
        self.update(i18n.t(key, **params))
        self.add_class("-shown", f"-{kind}")
