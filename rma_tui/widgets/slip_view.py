"""A read-only pane with one slip, whole: header, lines, the policy verdict rule by rule,
the amounts and the history.

Usage (any screen that has a `service.SlipView`)::

    from rma_tui.widgets.slip_view import SlipDetail

    def compose(self):
        yield SlipDetail(id="detail")          # a VerticalScroll: focusable, scrolls by keys

    # later, in the message handler that received the slip from a worker:
    self.query_one(SlipDetail).show(slip)      # or show(None) for "no slip selected"
    # after a language switch:
    self.query_one(SlipDetail).relabel()

* ``show(slip, history=True)`` draws `slip` (a `service.SlipView`, or None); ``history``
  leaves out the audit events when False (a short pane).
* ``relabel()`` draws the same slip again in the current language.
* ``slip`` is the slip shown (None when none is).
* ``border_title`` is set to the slip number (with its status); style the border as you like.

The pane does no database work and imports nothing from the service at run time, so it may
be composed before the database is open. Colours come from the app's theme (success, error);
secondary text is dim; no colour is fixed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from rma_tui import i18n
from rma_tui.money import yuan
from rma_tui.widgets.common import local_time, phone_text
from rma_tui.widgets.platform_cells import platform_rows

if TYPE_CHECKING:
    from rma_tui.service import SlipView


class SlipDetail(VerticalScroll):
    """One slip, read-only: header, lines, verdict rule by rule, amounts, history."""

    DEFAULT_CSS = """
    SlipDetail {
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
        height: 1fr;
    }
    SlipDetail:focus {
        border: round $accent;
    }
    SlipDetail > #slip-view-body {
        width: 100%;
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.slip: SlipView | None = None
        self._history = True

    def compose(self) -> ComposeResult:
        yield Static(i18n.t("slip_view_empty"), id="slip-view-body")

    def show(self, slip: SlipView | None, history: bool = True) -> None:
        """Draw `slip` (None: "no slip selected"); scrolls back to the top on a new slip."""
        new = slip is None or self.slip is None or slip.number != self.slip.number
        self.slip, self._history = slip, history
        self._draw()
        if new:
            self.scroll_home(animate=False)

    def relabel(self) -> None:
        """Draw the shown slip again in the current language."""
        self._draw()

    # -- drawing --------------------------------------------------------------------------

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        body = self.query_one("#slip-view-body", Static)
        slip = self.slip
        if slip is None:
            self.border_title = None
            body.update(Text(i18n.t("slip_view_empty"), style="dim"))
            return
        self.border_title = f"{slip.number} · {i18n.label('status', slip.status)}"
        body.update(self._render_slip(slip))

    def _colour(self, name: str) -> str:
        # The theme's colour for `name` (e.g. "error"), resolved now: rich renderables take
        # plain styles, but the colour still comes from the theme in use.
        return self.app.theme_variables.get(name, "")

    def _render_slip(self, slip: SlipView) -> RenderableType:
        muted = "dim"
        parts: list[RenderableType] = [self._header(slip, muted)]
        parts += [Text(""), Text(i18n.t("lines_heading"), style="bold"), self._lines(slip)]
        parts += [Text(""), Text(i18n.t("policy_heading"), style="bold"), self._verdict(slip)]
        parts += [Text(""), Text(i18n.t("slip_view_amounts"), style="bold"), self._amounts(slip)]
        if self._history and slip.events:
            parts += [Text(""), Text(i18n.t("events_heading"), style="bold"),
                      self._events(slip, muted)]
        return Group(*parts)

    def _header(self, slip: SlipView, muted: str) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style=muted, no_wrap=True)
        grid.add_column(ratio=1)
        role = getattr(self.app, "role", None)
        customer = " ".join(x for x in (slip.customer, phone_text(role, slip.customer_phone))
                            if x)
        rows = [
            ("col_type", f"{i18n.label('type', slip.type)} · "
                         f"{i18n.label('channel', slip.channel)}"),
            ("col_customer", customer or i18n.t("none")),
            ("col_sale", slip.sale or i18n.t("none")),
            ("col_created_by", f"{slip.created_by} · {local_time(slip.created_at)}"),
        ]
        rows += platform_rows(slip)
        if slip.note:
            rows.append(("col_note", slip.note))
        for key, value in rows:
            grid.add_row(i18n.t(key), Text(value))
        return grid

    def _lines(self, slip: SlipView) -> RenderableType:
        # Each line on two rows (the product, then qty x price, reason and condition) rather
        # than a table: a long product name then never squeezes the numbers in a narrow pane.
        grid = Table.grid(padding=(0, 0))
        grid.add_column(ratio=1)
        sep = "：" if i18n.get_lang() == "zh" else ": "
        for ln in slip.lines:
            grid.add_row(Text(f"{ln.sku} {ln.name}"))
            detail = Text()
            detail.append(f"{ln.qty} × {yuan(ln.unit_price_fen)}", style="bold")
            reason = i18n.label("reason", ln.reason)
            if ln.reason_text:
                reason += f"{sep}{ln.reason_text}"
            notes = [reason]
            if not ln.packaging_intact:
                notes.append(i18n.t("slip_view_opened"))
            if not ln.invoice_present:
                notes.append(i18n.t("slip_view_no_invoice"))
            if ln.replacement_sku:
                notes.append(i18n.t("slip_view_exchange_for", sku=ln.replacement_sku,
                                    qty=ln.replacement_qty))
            detail.append(" · " + " · ".join(notes), style="dim")
            grid.add_row(Padding(detail, (0, 0, 0, 2)))
        return grid

    def _verdict(self, slip: SlipView) -> RenderableType:
        if not slip.verdict:
            return Text(i18n.t("slip_view_policy_unchecked"), style="dim")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        ok_style, fail_style = self._colour("success"), f"bold {self._colour('error')}"
        for r in slip.verdict:
            mark = Text("✓", style=ok_style) if r.ok else Text("✗", style=fail_style)
            detail = i18n.t(f"rule_{r.rule}_{'ok' if r.ok else 'fail'}", **r.params)
            grid.add_row(mark, Text(detail, style="" if r.ok else fail_style))
        if slip.override_by:
            grid.add_row(Text("!", style="bold"), Text(i18n.t(
                "slip_view_override", by=slip.override_by, reason=slip.override_reason or "")))
        elif slip.auto_approved:
            grid.add_row(Text("✓", style=ok_style), Text(i18n.t("slip_view_auto")))
        return grid

    def _amounts(self, slip: SlipView) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        rows = [("col_gross", slip.gross_fen), ("col_fee", slip.fee_fen),
                ("col_refund", slip.refund_fen)]
        if slip.type == "exchange":
            rows.append(("col_difference", slip.difference_fen))
        for key, fen in rows:
            grid.add_row(i18n.t(key), yuan(fen))
        if slip.refund_method:
            grid.add_row(i18n.t("col_method"), i18n.label("method", slip.refund_method))
        return grid

    def _events(self, slip: SlipView, muted: str) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style=muted, no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for e in slip.events:
            grid.add_row(local_time(e.at), i18n.label("action", e.action), Text(e.user))
        return grid

