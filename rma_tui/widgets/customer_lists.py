"""The left of the customers screen: the customers a search found (`#cust-results`) and
the "to call back" list of follow-ups due (`#cust-callback`); the screen's CSS shows one
of them at a time. Under them a note that shows only when it says something.

Each table is drawn again only when its rows or the language changed, so the cursor stays
where the clerk left it. The lists read nothing themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from rma_tui import i18n
from rma_tui.widgets.common import phone_text
from rma_tui.widgets.customer_profile import due_text

if TYPE_CHECKING:
    from rma_tui.reads.customers import CustomerHit
    from rma_tui.service import FollowUpView


class CustomerLists(Vertical):
    """The customers found and the follow-ups due, with the note under them."""

    def __init__(self, *, id: str | None = None,  # noqa: A002 - Textual's name
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown_hits: tuple[object, ...] | None = None
        self._shown_call_back: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield DataTable(id="cust-results", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="cust-callback", cursor_type="row", zebra_stripes=True)
        yield Static(id="cust-left-note")

    def forget(self) -> None:
        """Draw both tables again at the next `show_*` (the language changed)."""
        self._shown_hits = self._shown_call_back = None

    def show_title(self, title: str, note: str) -> None:
        """The pane's title, and the note under the lists ("" hides it: a row is precious
        at 80x24)."""
        self.border_title = title
        label = self.query_one("#cust-left-note", Static)
        label.update(note)
        label.display = bool(note)

    def show_hits(self, hits: list[CustomerHit], current: str | None, role: str | None,
                  limit: int) -> None:
        """The first `limit` customers found, the cursor on the one whose phone is
        `current`; phones as user `role` may see them."""
        key = (i18n.get_lang(), tuple(hits))
        if key == self._shown_hits:
            return
        self._shown_hits = key
        table: DataTable[str | Text] = self.query_one("#cust-results", DataTable)
        table.clear(columns=True)
        table.add_column(i18n.t("col_customer"), key="name")
        table.add_column(i18n.t("col_phone"), key="phone")
        table.add_column(i18n.t("cust_col_slips"), key="slips")
        for h in hits[:limit]:
            table.add_row(Text(h.name), phone_text(role, h.phone),
                          Text(str(h.slips), justify="right"),
                          key=h.phone)
        index = next((i for i, h in enumerate(hits) if h.phone == current), None)
        if index is not None:
            table.move_cursor(row=index, animate=False, scroll=True)

    def show_call_back(self, rows: list[FollowUpView], now: datetime,
                       role: str | None) -> None:
        """The follow-ups due, overdue ones marked as of `now`; phones as user `role` may
        see them."""
        key = (i18n.get_lang(), tuple(rows))
        if key == self._shown_call_back:
            return
        self._shown_call_back = key
        table: DataTable[str | Text] = self.query_one("#cust-callback", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column(i18n.t("cust_col_due"), key="due")
        table.add_column(i18n.t("col_customer"), key="name")
        table.add_column(i18n.t("col_phone"), key="phone")
        table.add_column(i18n.t("cust_col_note"), key="note")
        theme = self.app.theme_variables
        for f in rows:
            table.add_row(due_text(f, now, theme), Text(f.customer_name),
                          phone_text(role, f.phone),
                          Text(f.note), key=str(f.id))
        if rows:
            table.move_cursor(row=min(max(row, 0), len(rows) - 1), animate=False)
