"""The lines of an original sale, to pick what comes back: space picks, +/- or digits set
the quantity, Enter moves on. The table keeps the picks; the screen reads them. It also
knows how a sale's lines look while a draft against it is resumed, and which pick asks
for more than can still come back."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money import yuan

if TYPE_CHECKING:
    from rma_tui.service import SaleView, SlipLineView

# Digits typed within this many seconds of each other make one number ("1", "2" -> 12).
DIGIT_GAP_SECONDS = 1.0


@dataclass(frozen=True)
class LineRow:
    """One row: a sale line (sold / returned / returnable) or, without a receipt, a product
    (no counts; the price comes from the form)."""

    sku: str
    name: str
    sold: int | None = None
    returned: int | None = None
    returnable: int | None = None
    unit_price_fen: int | None = None


class SaleLinesTable(DataTable[Text]):
    """Rows of a sale with a pick mark and the quantity taken on this slip."""

    DEFAULT_CSS = """
    SaleLinesTable {
        height: auto;
        max-height: 12;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_line", "pick", show=False),
        Binding("plus,equals_sign,right", "more", "+1", show=False),
        Binding("minus,left", "less", "-1", show=False),
    ]

    # The name last: a long name is what a narrow pane cuts, never the numbers.
    COLUMNS = ("entry_col_take", "col_sku", "col_sold", "col_returned", "col_returnable",
               "col_unit_price", "col_name")

    class PicksChanged(Message):
        """The picked lines or their quantities changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.lines: list[LineRow] = []
        self.picks: dict[int, int] = {}
        self._digits = ""
        self._digit_at = 0.0

    def on_mount(self) -> None:
        """Columns in the current language."""
        self.relabel()

    def relabel(self) -> None:
        """Rebuild the columns (and rows) in the current language."""
        self.clear(columns=True)
        for key in self.COLUMNS:
            self.add_column(i18n.t(key), key=key)
        self._fill()

    def show(self, rows: list[LineRow], picks: dict[int, int] | None = None) -> None:
        """Show these rows with these picks (row index -> quantity)."""
        self.lines = list(rows)
        self.picks = dict(picks or {})
        self._fill()
        self.post_message(self.PicksChanged())

    def show_sale(self, sale: SaleView, held: dict[str, int] | None = None) -> None:
        """Show the lines of `sale`, none picked. `held`: units per SKU that the resumed
        draft itself holds; the sale counts them as returned, so they are given back."""
        held = dict(held or {})
        rows = []
        for ln in sale.lines:
            back = min(held.get(ln.sku, 0), ln.returned)
            held[ln.sku] = held.get(ln.sku, 0) - back
            rows.append(LineRow(ln.sku, ln.name, ln.sold, ln.returned - back,
                                ln.returnable + back, ln.unit_price_fen))
        self.show(rows, {})

    def resume(self, sale: SaleView, lines: list[SlipLineView]) -> None:
        """Show the lines of `sale` with the draft's `lines` picked again."""
        held: dict[str, int] = {}
        for ln in lines:
            held[ln.sku] = held.get(ln.sku, 0) + ln.qty
        self.show_sale(sale, held)
        picks: dict[int, int] = {}
        for ln in lines:
            left = ln.qty
            for i, row in enumerate(self.lines):
                if row.sku == ln.sku and left > 0 and i not in picks:
                    picks[i] = left
                    left = 0
        self.show(self.lines, picks)

    def first_picked_sku(self) -> str | None:
        """The SKU of the first line picked (None: nothing is)."""
        picked = sorted(self.picks)
        return self.lines[picked[0]].sku if picked else None

    def over_returnable(self) -> DomainError | None:
        """The refusal the service would give for the first pick over its returnable
        count (None: every pick can still come back)."""
        for n, i in enumerate(sorted(self.picks), start=1):
            row, qty = self.lines[i], self.picks[i]
            if row.returnable is not None and qty > row.returnable:
                return DomainError("over_returnable", field=f"lines[{n}].qty", sku=row.sku,
                                   qty=qty, returnable=row.returnable)
        return None

    def _fill(self) -> None:
        self.clear()
        for i, row in enumerate(self.lines):
            self.add_row(*self._cells(i, row), key=str(i))

    def _cells(self, i: int, row: LineRow) -> list[Text]:
        def num(v: int | None) -> Text:
            return Text("—" if v is None else str(v), justify="right")

        qty = self.picks.get(i)
        over = qty is not None and row.returnable is not None and qty > row.returnable
        take = Text(f"✓ {qty}" if qty is not None else "·", justify="right",
                    style="bold reverse" if over else "bold" if qty is not None else "dim")
        price = "—" if row.unit_price_fen is None else yuan(row.unit_price_fen)
        return [take, Text(row.sku), num(row.sold), num(row.returned), num(row.returnable),
                Text(price, justify="right"), Text(row.name)]

    def _redraw(self, i: int) -> None:
        for key, cell in zip(self.COLUMNS, self._cells(i, self.lines[i]), strict=True):
            self.update_cell(str(i), key, cell)
        self.post_message(self.PicksChanged())

    def set_prices(self, unit_price_fen: int | None) -> None:
        """Without a receipt the price is typed in the form: show it on every row."""
        self.lines = [replace(row, unit_price_fen=unit_price_fen) for row in self.lines]
        for i in range(len(self.lines)):
            self._redraw(i)

    def _current(self) -> int | None:
        return self.cursor_row if 0 <= self.cursor_row < len(self.lines) else None

    def pick(self, i: int, qty: int) -> None:
        """Pick row `i` with `qty` (0 unpicks it). Any quantity is kept, even one over the
        returnable count: the service refuses it and the screen says why."""
        if qty <= 0:
            self.picks.pop(i, None)
        else:
            self.picks[i] = qty
        self._redraw(i)

    def action_toggle_line(self) -> None:
        """Pick the row under the cursor with one unit, or unpick it."""
        i = self._current()
        if i is not None:
            self.pick(i, 0 if i in self.picks else 1)

    def action_more(self) -> None:
        """One more unit of the row under the cursor (picking it if needed)."""
        i = self._current()
        if i is not None:
            self.pick(i, self.picks.get(i, 0) + 1)

    def action_less(self) -> None:
        """One unit less (unpicks at zero)."""
        i = self._current()
        if i is not None and i in self.picks:
            self.pick(i, self.picks[i] - 1)

    def on_key(self, event: events.Key) -> None:
        """Digits type the quantity of the row under the cursor."""
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        event.prevent_default()
        i = self._current()
        if i is None:
            return
        now = time.monotonic()
        if now - self._digit_at > DIGIT_GAP_SECONDS:
            self._digits = ""
        self._digit_at = now
        self._digits = (self._digits + event.character)[-6:]
        self.pick(i, int(self._digits))
