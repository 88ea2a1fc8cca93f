"""The live policy verdict of a slip being entered: every rule with ✓ / ✗ and what it
measured, then the refund or the exchange price difference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from rma_tui import i18n

if TYPE_CHECKING:
    from rma_tui.service import Preview


class VerdictPanel(Static):
    """Shows a `service.Preview`, or a hint saying what is still missing."""

    DEFAULT_CSS = """
    VerdictPanel {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.preview: Preview | None = None
        self.slip_type = "return"
        self.hint_key = "entry_hint_pick"

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
