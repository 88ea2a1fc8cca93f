"""A paged list of slips in one state (a work queue) with a titled border."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from rma_tui import i18n

if TYPE_CHECKING:
    from rma_tui.service import SlipSummary

# One column: its header's i18n key and the cell text of a slip.
Column = tuple[str, Callable[["SlipSummary"], str]]


class SlipQueue(Vertical):
    """Slips one page at a time. The screen reads the pages; this widget shows them, keeps
    the cursor on the same slip across refreshes and asks for the next page (`NeedMore`)
    when the cursor reaches the last row."""

    DEFAULT_CSS = """
    SlipQueue {
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        height: 1fr;
    }
    SlipQueue:focus-within {
        border: round $accent;
    }
    SlipQueue DataTable {
        height: 1fr;
    }
    SlipQueue .queue-empty {
        color: $text-muted;
        padding: 0 1;
    }
    """

    class Highlighted(Message):
        """The cursor moved onto a slip (None: the list is empty)."""

        def __init__(self, queue: SlipQueue, number: str | None) -> None:
            self.queue = queue
            self.number = number
            super().__init__()

    class Selected(Message):
        """Enter on a slip."""

        def __init__(self, queue: SlipQueue, number: str) -> None:
            self.queue = queue
            self.number = number
            super().__init__()

    class NeedMore(Message):
        """The cursor is on the last row and there are more slips to read."""

        def __init__(self, queue: SlipQueue) -> None:
            self.queue = queue
            super().__init__()

    def __init__(self, kind: str, title_key: str, empty_key: str, columns: Sequence[Column],
                 *, id: str | None = None) -> None:
        super().__init__(id=id, classes="slip-queue")
        self.kind = kind
        self.title_key = title_key
        self.empty_key = empty_key
        self.columns = list(columns)
        self.rows: list[SlipSummary] = []
        self.more = False
        self.loaded = False
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Static(classes="queue-empty")

    def on_mount(self) -> None:
        self.query_one(DataTable).display = False
        self.query_one(".queue-empty", Static).display = False
        self.relabel()

    @property
    def table(self) -> DataTable[str]:
        """The table of slips."""
        return self.query_one(DataTable)

    @property
    def number(self) -> str | None:
        """The slip under the cursor."""
        table = self.table
        if not self.rows or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), table.row_count - 1)
        return self.rows[row].number

    def relabel(self) -> None:
        """Redraw the headers and texts in the current language."""
        self._shown = None
        self._title()
        self.query_one(".queue-empty", Static).update(i18n.t(self.empty_key))
        if self.loaded:
            self.show(self.rows, self.more)

    def _title(self) -> None:
        count = i18n.t("insp_more", count=len(self.rows)) if self.more else str(len(self.rows))
        suffix = f" ({count})" if self.loaded else ""
        self.border_title = f"{i18n.t(self.title_key)}{suffix}"

    def show(self, rows: list[SlipSummary], more: bool) -> None:
        """Show `rows` (the pages read so far); `more`: a further page exists."""
        before = self.number
        self.loaded = True
        self.rows, self.more = rows, more
        self._title()
        key = (i18n.get_lang(), tuple(rows), more)
        if key == self._shown:
            return
        self._shown = key
        table = self.table
        cursor = table.cursor_row
        table.clear(columns=True)
        cells = [[fn(s) for _, fn in self.columns] for s in rows]
        # Widths measured here (CJK counts two cells), not left to the table's idle pass.
        for i, (header_key, _) in enumerate(self.columns):
            header = i18n.t(header_key)
            width = max([cell_len(header), *(cell_len(c[i]) for c in cells)])
            table.add_column(header, width=width)
        for s, row in zip(rows, cells, strict=True):
            table.add_row(*row, key=s.number)
        table.display = bool(rows)
        self.query_one(".queue-empty", Static).display = not rows
        if rows:
            numbers = [s.number for s in rows]
            # The same slip if it is still there, else the same place in the list.
            target = numbers.index(before) if before in numbers else min(cursor, len(rows) - 1)
            table.move_cursor(row=target, animate=False)
        if self.number != before:
            self.post_message(self.Highlighted(self, self.number))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Say which slip is under the cursor; ask for more at the last row."""
        event.stop()
        if not self.rows:
            return
        self.post_message(self.Highlighted(self, self.number))
        if self.more and event.cursor_row >= len(self.rows) - 1:
            self.post_message(self.NeedMore(self))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row."""
        event.stop()
        number = self.number
        if number is not None:
            self.post_message(self.Selected(self, number))

    def select(self, number: str) -> bool:
        """Put the cursor on slip `number`; False when the list does not hold it."""
        numbers = [s.number for s in self.rows]
        if number not in numbers:
            return False
        self.table.move_cursor(row=numbers.index(number), animate=False)
        return True

    def focus_table(self) -> None:
        """Put the keyboard focus on the list."""
        self.table.focus()
