"""A row (or grid) of boxes: how many slips are in each state."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static


class StatusCount(Vertical):
    """One state: its label above its count. Clicking it posts `StatusCounts.Selected`."""

    def __init__(self, status: str, label: str, count: int) -> None:
        super().__init__(id=f"status-{status}", classes=f"status-cell status-{status}")
        self.status = status
        self._label = label
        self._count = count

    def compose(self) -> ComposeResult:
        yield Static(self._label, id=f"label-{self.status}", classes="status-label")
        yield Static(str(self._count), id=f"count-{self.status}", classes="status-count")

    def show(self, label: str, count: int) -> None:
        """Change the label and the count shown."""
        self._label, self._count = label, count
        if self.is_mounted:
            self.query_one(f"#label-{self.status}", Static).update(label)
            self.query_one(f"#count-{self.status}", Static).update(str(count))
        self.set_class(count == 0, "-zero")

    def on_click(self) -> None:
        self.post_message(StatusCounts.Selected(self.status))


class StatusCounts(Widget):
    """Counts per slip state. The states come with the data (`show`), in the order given."""

    DEFAULT_CSS = """
    StatusCounts {
        layout: grid;
        grid-size: 9;
        grid-gutter: 0 1;
        height: auto;
    }
    StatusCounts .status-cell {
        height: 4;
        border: round $primary;
        padding: 0 1;
    }
    StatusCounts .status-cell.-zero {
        border: round $panel-lighten-2;
    }
    StatusCounts .status-label {
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusCounts .status-count {
        text-style: bold;
    }
    """

    class Selected(Message):
        """The user picked a state (clicked its box)."""

        def __init__(self, status: str) -> None:
            self.status = status
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.counts: dict[str, int] = {}

    async def show(self, counts: Mapping[str, int], label: Callable[[str], str]) -> None:
        """Show `counts` (state -> number); `label(state)` names each state."""
        cells = {cell.status: cell for cell in self.query(StatusCount)}
        if list(cells) != list(counts):
            await self.remove_children()
            await self.mount_all(StatusCount(st, label(st), n) for st, n in counts.items())
            cells = {cell.status: cell for cell in self.query(StatusCount)}
        for st, n in counts.items():
            cells[st].show(label(st), n)
        self.counts = dict(counts)
