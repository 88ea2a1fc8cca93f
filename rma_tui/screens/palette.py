"""The command palette's desk provider: find a slip by its number, a customer by phone.

Typing part of a slip number (``0012``, ``TH-20261120``) lists matching slips; choosing one
opens the read-only slip view. Typing the start of a phone number (or part of a name) lists
customers; choosing one shows their name, phone and store credit. Screens and the app's
own actions come from `rma_tui.app.RmaApp.get_system_commands`.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import Hit, Hits, Provider

from rma_tui import i18n
from rma_tui.widgets.common import phone_text

if TYPE_CHECKING:
    from rma_tui.service import CustomerView, Database, SlipSummary
    from rma_tui.widgets.desk_app import DeskApp

# Fewer characters than this find too much to be useful (and cost a query per key).
MIN_QUERY = 2
LIMIT = 10


def _find(database: Database, query: str,
          shop: str | None = None) -> tuple[list[SlipSummary], list[CustomerView]]:
    """Slips (of `shop`; None: every shop) and customers (the chain's) matching `query`
    (runs in a thread)."""
    from rma_tui import service

    return (service.find_slips(database, query, limit=LIMIT, shop=shop),
            service.find_customers(database, query, limit=LIMIT))


class DeskCommands(Provider):
    """Slips by number and customers by phone, read from the shop's database."""

    @property
    def rma(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    async def search(self, query: str) -> Hits:
        """Look the query up as a slip number and as a phone number or name."""
        app = self.rma
        query = query.strip()
        if app.database is None or app.role is None or len(query) < MIN_QUERY:
            return
        try:
            # The database is read off the event loop, so typing stays smooth.
            slips, customers = await asyncio.to_thread(_find, app.database, query, app.shop)
        except Exception:  # a failed look-up just finds nothing; the screens say why
            return
        matcher = self.matcher(query)
        for slip in slips:
            text = f"{slip.number}  {i18n.label('type', slip.type)}  " \
                   f"{i18n.label('status', slip.status)}  {slip.customer or ''}".rstrip()
            # The service matched by substring; the fuzzy score only orders the hits.
            score = max(matcher.match(slip.number), 0.5)
            yield Hit(score, matcher.highlight(text), partial(app.show_slip, slip.number),
                      text=text, help=i18n.t("palette_slip_help"))
        for customer in customers:
            text = f"{phone_text(app.role, customer.phone)}  {customer.name}"
            score = max(matcher.match(text), 0.4)
            yield Hit(score, matcher.highlight(text), partial(_show_customer, app, customer),
                      text=text, help=i18n.t("palette_customer_help"))


def _show_customer(app: DeskApp, customer: CustomerView) -> None:
    """Say who the customer is and what store credit they have."""
    app.notify(i18n.t("palette_customer", name=customer.name,
                      phone=phone_text(app.role, customer.phone),
                      channel=customer.channel, credit_fen=customer.credit_fen),
               title=i18n.t("palette_customer_title"), timeout=10)
