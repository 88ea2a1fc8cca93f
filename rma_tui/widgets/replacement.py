"""The replacement of an exchange slip: a product search field, the matches to choose from,
and a line saying what goes out instead (by default the product coming back itself).

The picker does no database work: Enter with text in the field posts `Searched`; the
screen has the products found (by the sale finder, which runs every product search of the
desk) and hands them to `show_matches`, or for the default replacement to `show_same`.
Choosing a match posts `Chosen`; emptying the field posts `Cleared`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from rma_tui import i18n
from rma_tui.widgets.common import product_option

if TYPE_CHECKING:
    from rma_tui.service import ProductHit


@dataclass(frozen=True)
class ReplChoice:
    """The replacement product of an exchange, as shown."""

    sku: str
    name: str
    sellable: int | None = None
    price_fen: int | None = None


class ReplacementPicker(Vertical):
    """Chooses what goes out instead of what comes back; `chosen` is the product picked
    from a search (None: the same product, `same`, whose sellable stock is shown)."""

    class Searched(Message):
        """Enter in the field with a search typed."""

        def __init__(self, query: str) -> None:
            self.query = query
            super().__init__()

    class Chosen(Message):
        """A match was chosen from the list (`choice` None: it was no longer there)."""

        def __init__(self, choice: ReplChoice | None) -> None:
            self.choice = choice
            super().__init__()

    class Cleared(Message):
        """The field was emptied, so the replacement is the same product again."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.chosen: ReplChoice | None = None
        self.same: ReplChoice | None = None
        self._hits: list[ProductHit] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="entry-row"):
            yield Static(id="lbl-repl", classes="entry-label")
            yield Input(id="entry-repl", compact=True)
        yield Static(id="entry-repl-info")
        yield OptionList(id="entry-repl-results")
        yield Static(id="err-repl", classes="field-error")

    def relabel(self) -> None:
        """Redraw the texts in the current language."""
        self.query_one("#lbl-repl", Static).update(i18n.t("entry_replacement"))
        self.query_one("#entry-repl", Input).placeholder = i18n.t("entry_repl_placeholder")
        self.show_info()

    def forget(self) -> None:
        """No replacement chosen and no default known (a new slip)."""
        self.chosen = None
        self.same = None

    def hide_matches(self) -> None:
        """Put the list of matches away."""
        self.query_one("#entry-repl-results", OptionList).remove_class("-shown")

    def show_info(self) -> None:
        """Say what goes out: the chosen product, else the same one with its stock."""
        info = self.query_one("#entry-repl-info", Static)
        chosen = self.chosen
        if chosen is not None:
            info.update(i18n.t("entry_repl_chosen", sku=chosen.sku, name=chosen.name,
                               sellable="—" if chosen.sellable is None else chosen.sellable,
                               price_fen=chosen.price_fen or 0))
        elif self.same is not None:
            same = self.same
            info.update(i18n.t("entry_repl_same", sku=same.sku, name=same.name,
                               sellable=same.sellable))
        else:
            info.update("")

    def show_same_if_known(self, sku: str | None) -> bool:
        """Whether the default replacement `sku` (None: nothing picked) needs no look-up:
        its stock is known already (then the line is drawn again), else it is to be looked
        up and given to `show_same`."""
        if sku is None or (self.same is not None and self.same.sku == sku):
            self.show_info()
            return True
        return False

    def show_same(self, sku: str, products: list[ProductHit]) -> None:
        """The default replacement is the product `sku` coming back: show its stock (from
        the products a search for it found)."""
        self.same = next((ReplChoice(p.sku, p.name, p.sellable, p.unit_price_fen)
                          for p in products if p.sku == sku), None)
        self.show_info()

    def show_matches(self, products: list[ProductHit]) -> None:
        """List the products a search found to choose from (the cursor on the first)."""
        repl = self.query_one("#entry-repl-results", OptionList)
        self._hits = list(products)
        repl.clear_options()
        repl.add_options([Option(product_option(p), id=p.sku) for p in products])
        repl.set_class(bool(products), "-shown")
        if products:
            repl.highlighted = 0
            repl.focus()

    @on(Input.Changed, "#entry-repl")
    def _typed(self, event: Input.Changed) -> None:
        if not event.value.strip() and self.chosen is not None:
            self.chosen = None
            self.show_info()
            self.post_message(self.Cleared())

    @on(Input.Submitted, "#entry-repl")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.post_message(self.Searched(event.value.strip()))
        else:
            self.screen.focus_next()

    @on(OptionList.OptionSelected, "#entry-repl-results")
    def _match_chosen(self, event: OptionList.OptionSelected) -> None:
        hit = next((p for p in self._hits if p.sku == event.option.id), None)
        self.hide_matches()
        choice = None
        if hit is not None:
            choice = ReplChoice(hit.sku, hit.name, hit.sellable, hit.unit_price_fen)
            self.chosen = choice
            self.show_info()
        self.post_message(self.Chosen(choice))
