"""Finding what comes back at slip entry: the search field (an order number, a phone, a
name; without a receipt a product), the list of matches to choose from, and the header
naming the sale once it is open. Every search of the entry desk runs here, the product
searches of the replacement picker too (one worker for them all, the newest wins).

Enter in the field posts `Searched`; the screen hands the database back to `find_sales`,
or without a receipt to `find_products`. An exact match (or the only one) is taken at
once; several are listed, and the one chosen is posted as `SaleChosen` / `ProductChosen`.
`open_sale` reads a sale whole and posts `SaleOpened`; products found for the replacement
bubble up as `ProductsFound`. The reads run in thread workers; a refusal or a fault
bubbles up as `ServiceRefused` / `ServiceFailed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from rma_tui import i18n
from rma_tui.money import yuan
from rma_tui.widgets.common import phone_text, product_option
from rma_tui.widgets.worker_outcome import post_outcome

if TYPE_CHECKING:
    from rma_tui.service import Database, ProductHit, SaleSummary, SaleView

# One page of search results (find_sales / search_products limit).
PAGE = 20


def sale_option(s: SaleSummary) -> str:
    """A found sale as one line of a list: order, time, customer, channel and total."""
    return "  ".join([s.order, s.sold_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                      s.customer or i18n.t("entry_walk_in"),
                      i18n.label("channel", s.channel), yuan(s.total_fen)])


class SaleFinder(Vertical):
    """The search for the original sale (or, without a receipt, the product)."""

    DEFAULT_CSS = """
    SaleFinder {
        height: auto;
    }
    """

    class Searched(Message):
        """Enter in the search field (`query` stripped; it may be empty)."""

        def __init__(self, query: str) -> None:
            self.query = query
            super().__init__()

    class SaleChosen(Message):
        """A sale to open: the exact match of a search, or the one chosen from the list."""

        def __init__(self, order: str) -> None:
            self.order = order
            super().__init__()

    class ProductChosen(Message):
        """Without a receipt, the product coming back: the exact match of a search, or the
        one chosen from the list."""

        def __init__(self, hit: ProductHit) -> None:
            self.hit = hit
            super().__init__()

    class SaleOpened(Message):
        """An original sale was read with its lines."""

        def __init__(self, sale: SaleView, asked: int = 0) -> None:
            self.sale = sale
            self.asked = asked
            super().__init__()

    class SalesFound(Message):
        """Sales matching the search (a page); for the finder itself, it goes no further."""

        bubble = False

        def __init__(self, query: str, sales: list[SaleSummary], asked: int = 0) -> None:
            self.query = query
            self.sales = sales
            self.asked = asked
            super().__init__()

    class ProductsFound(Message):
        """Products matching a search; `target` is "lines" (without a receipt: taken by
        the finder itself), "repl" (replacements to choose from) or "same" (the product
        coming back, as the default replacement)."""

        def __init__(self, target: str, query: str, products: list[ProductHit],
                     asked: int = 0) -> None:
            self.target = target
            self.query = query
            self.products = products
            self.asked = asked
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.no_receipt = False
        self._results: list[Any] = []
        # Counts the times the form was cleared: a search or a sale asked for before the
        # last clear answers too late (the clerk pressed F4 or Ctrl+N meanwhile), and
        # what it found is dropped rather than shown in the new form.
        self._asked = 0

    def compose(self) -> ComposeResult:
        with Horizontal(classes="entry-row"):
            yield Static(id="lbl-search", classes="entry-label")
            yield Input(id="entry-search", compact=True)
        yield Static(id="err-search", classes="field-error")
        yield OptionList(id="entry-results")
        yield Static(id="entry-sale-header")

    def show_mode(self, no_receipt: bool, sale: SaleView | None, role: str | None) -> None:
        """Label the search for a sale or (without a receipt) a product, and say which sale
        is open; the customer's phone as `role` may see it."""
        t = i18n.t
        self.no_receipt = no_receipt
        search = self.query_one("#entry-search", Input)
        label = self.query_one("#lbl-search", Static)
        header = self.query_one("#entry-sale-header", Static)
        if no_receipt:
            label.update(t("entry_product_label"))
            search.placeholder = t("entry_product_placeholder")
            header.update(t("entry_no_receipt_header"))
        else:
            label.update(t("entry_search_label"))
            search.placeholder = t("entry_search_placeholder")
            header.update(t("entry_no_sale_yet") if sale is None else t(
                "entry_sale_header", order=sale.order,
                sold_at=sale.sold_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                customer=" ".join(x for x in (sale.customer,
                                              phone_text(role, sale.customer_phone))
                                  if x)
                or t("entry_walk_in"),
                channel=sale.channel, payment=sale.payment_method,
                total_fen=sale.total_fen))

    def clear(self) -> None:
        """An empty search field; whatever is still being looked up is dropped."""
        self._asked += 1
        self.query_one("#entry-search", Input).value = ""

    def _stale(self, message: SaleOpened | SalesFound | ProductsFound) -> bool:
        # True (and the message stopped) when it answers a search made before a clear.
        if message.asked == self._asked:
            return False
        message.stop()
        return True

    def show_results(self, options: list[Option], hint: str | None) -> None:
        """List these matches (none: the list is put away) with a hint under the field."""
        results = self.query_one("#entry-results", OptionList)
        results.clear_options()
        results.add_options(options)
        results.set_class(bool(options), "-shown")
        err = self.query_one("#err-search", Static)
        err.update(hint or "")
        err.set_class(bool(hint), "-shown")

    def find_sales(self, database: Database, query: str, location: str) -> None:
        """Find the sales matching `query` (a page) and show them."""
        self._find_sales(database, query, location, self._asked)

    @work(thread=True, exclusive=True, group="entry-search")
    def _find_sales(self, database: Database, query: str, location: str, asked: int) -> None:
        from rma_tui import service

        post_outcome(self, lambda: self.SalesFound(query, service.find_sales(
            database, query, limit=PAGE), asked), location)

    def open_sale(self, database: Database, order: str, location: str) -> None:
        """Read the sale `order` with its lines; `SaleOpened` bubbles up."""
        self._open_sale(database, order, location, self._asked)

    @work(thread=True, exclusive=True, group="entry-sale")
    def _open_sale(self, database: Database, order: str, location: str, asked: int) -> None:
        from rma_tui import service

        post_outcome(self, lambda: self.SaleOpened(service.get_sale(database, order), asked),
                     location)

    def find_products(self, database: Database, target: str, query: str, shop: str | None,
                      location: str) -> None:
        """Find the products matching `query` with their sellable stock in `shop`, for
        `target` (see `ProductsFound`)."""
        self._find_products(database, target, query, shop, location, self._asked)

    @work(thread=True, exclusive=True, group="entry-products")
    def _find_products(self, database: Database, target: str, query: str, shop: str | None,
                       location: str, asked: int) -> None:
        from rma_tui import service

        post_outcome(self, lambda: self.ProductsFound(target, query, service.search_products(
            database, query, limit=PAGE, shop=shop), asked), location)

    def on_sale_finder_sale_opened(self, message: SaleOpened) -> None:
        """A sale asked for before the form was cleared goes no further."""
        self._stale(message)

    def on_sale_finder_products_found(self, message: ProductsFound) -> None:
        """Without a receipt: take the product typed (its SKU or barcode, or the only
        match), or list the matches to choose from."""
        if self._stale(message):
            return
        if message.target != "lines":
            return  # for the replacement picker: on to the screen
        message.stop()
        query, products = message.query, message.products
        exact = [p for p in products
                 if query.upper() in (p.sku.upper(), (p.barcode or "").upper())]
        hint = (i18n.t("entry_no_products", query=query) if not products
                else i18n.t("entry_more_results", n=PAGE) if len(products) >= PAGE
                else None)
        hit = self._offer(products, exact, [Option(product_option(p), id=p.sku)
                                            for p in products], hint, highlight=False)
        if hit is not None:
            self.post_message(self.ProductChosen(hit))

    def on_sale_finder_sales_found(self, message: SalesFound) -> None:
        """One exact match is taken at once; several are listed to choose from."""
        if self._stale(message):
            return
        query, sales = message.query, message.sales
        exact = [s for s in sales if s.order.upper() == query.upper()]
        hint = (i18n.t("entry_no_sales", query=query) if not sales
                else i18n.t("entry_more_results", n=PAGE) if len(sales) >= PAGE
                else i18n.t("entry_pick_sale"))
        sale = self._offer(sales, exact, [Option(sale_option(s), id=s.order) for s in sales],
                           hint, highlight=True)
        if sale is not None:
            self.post_message(self.SaleChosen(sale.order))

    def _offer(self, matches: list[Any], exact: list[Any], options: list[Option],
               hint: str | None, highlight: bool) -> Any:
        # The match to take at once (the first exact one, or the only one), else None with
        # the options listed and focused (`highlight`: the cursor on the first).
        self._results = list(matches)
        if exact or len(matches) == 1:
            self.show_results([], None)
            return (exact or matches)[0]
        self.show_results(options, hint)
        if matches:
            results = self.query_one("#entry-results", OptionList)
            if highlight:
                results.highlighted = 0
            results.focus()
        return None

    @on(Input.Submitted, "#entry-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.post_message(self.Searched(event.value.strip()))

    @on(OptionList.OptionSelected, "#entry-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id
        if chosen is None:
            return
        self.show_results([], None)
        if self.no_receipt:
            hit = next((p for p in self._results if p.sku == chosen), None)
            if hit is not None:
                self.post_message(self.ProductChosen(hit))
        else:
            self.post_message(self.SaleChosen(chosen))
