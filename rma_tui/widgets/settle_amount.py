"""What the settlement screen shows of the highlighted slip: the money that moves, the
replacements' stock, and how a refund to the customer's account splits when they owe the
shop less than the refund (the part beyond the debt goes a way the clerk picks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from rma_tui import i18n
from rma_tui.money import yuan

if TYPE_CHECKING:
    from rma_tui.service import SlipView


@dataclass(frozen=True)
class SettleInfo:
    """The highlighted slip with what settling it needs: the sellable stock of each
    replacement SKU, the customer's store credit and what they owe the slip's shop (None:
    no customer)."""

    view: SlipView
    sellable: dict[str, int]
    names: dict[str, str]
    credit_fen: int | None
    # Whether the slip's channel is a platform that refunds its buyers (then, and only
    # then, "refunded by the platform" is offered).
    platform_channel: bool = False
    owed_fen: int | None = None


def to_account(view: SlipView, method: str) -> bool:
    """Whether settling by `method` credits the customer's account (the service's rule;
    the service is loaded by the time a slip is shown)."""
    from rma_tui import service

    return service.credits_account(method, view.sale_payment)


def split(info: SettleInfo, method: str) -> tuple[int, int] | None:
    """A return's refund to the account as (what comes off the debt, the rest), when the
    customer owes less than the refund; None when there is nothing to split."""
    from rma_tui import service

    view = info.view
    if view.type != "return" or not to_account(view, method):
        return None
    part, rest = service.account_split(view.refund_fen, info.owed_fen or 0)
    return (part, rest) if rest else None


def rest_choices(view: SlipView) -> tuple[str, ...]:
    """The ways the rest may go: never one that is the customer's account again."""
    from rma_tui import service

    return tuple(m for m in service.REST_METHODS if not to_account(view, m))


def difference_text(diff: int) -> str:
    """Who pays whom for an exchange's price difference (replacement - returned)."""
    if diff > 0:
        return i18n.t("settle_customer_pays", amount_fen=diff)
    if diff < 0:
        return i18n.t("settle_shop_pays", amount_fen=-diff)
    return i18n.t("settle_no_difference")


def rest_text(info: SettleInfo, method: str, rest: str) -> str:
    """The split in a sentence ("" when the refund does not split)."""
    parts = split(info, method)
    if parts is None:
        return ""
    return i18n.t("settle_rest", part_fen=parts[0], rest_fen=parts[1], rest=rest)


def amount_table(info: SettleInfo, method: str) -> Table:
    """The money of the highlighted slip, and the customer's credit and debt."""
    view = info.view
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    grid.title = i18n.t("settle_amount_heading")
    grid.title_justify = "left"
    grid.title_style = "bold"
    if view.type == "return":
        grid.add_row(i18n.t("settle_gross"), yuan(view.gross_fen))
        grid.add_row(i18n.t("settle_fee"), yuan(-view.fee_fen) if view.fee_fen else yuan(0))
        grid.add_row(i18n.t("settle_refund"), Text(yuan(view.refund_fen), style="bold"))
    else:
        replacement = sum(ln.replacement_qty * ln.replacement_unit_price_fen
                          for ln in view.lines)
        grid.add_row(i18n.t("settle_returned_value"), yuan(view.gross_fen))
        grid.add_row(i18n.t("settle_replacement_value"), yuan(replacement))
        grid.add_row(i18n.t("col_difference"),
                     Text(difference_text(view.difference_fen), style="bold"))
    if info.credit_fen is not None:
        grid.add_row(i18n.t("col_customer"), i18n.t("settle_credit",
                                                  customer=view.customer or "",
                                                  credit_fen=info.credit_fen))
        if info.owed_fen or to_account(view, method):
            grid.add_row(i18n.t("settle_owed"), yuan(info.owed_fen or 0))
    else:
        grid.add_row(i18n.t("col_customer"), i18n.t("settle_no_customer"))
    return grid


def stock_table(info: SettleInfo) -> Table:
    """Each replacement with its sellable stock, marked when short."""
    grid = Table.grid(padding=(0, 1))
    grid.title = i18n.t("settle_stock_heading")
    grid.title_justify = "left"
    grid.title_style = "bold"
    grid.add_column()
    need: dict[str, int] = {}
    for ln in info.view.lines:
        if ln.replacement_sku:
            need[ln.replacement_sku] = need.get(ln.replacement_sku, 0) + ln.replacement_qty
    for ln in info.view.lines:
        if not ln.replacement_sku:
            continue
        sku = ln.replacement_sku
        have = info.sellable.get(sku, 0)
        text = Text(i18n.t("settle_stock_line", sku=sku, name=info.names.get(sku, ""),
                           qty=ln.replacement_qty, sellable=have))
        if have < need[sku]:
            text.append("  " + i18n.t("settle_stock_short", short=need[sku] - have),
                        style="bold reverse")
        grid.add_row(text)
    return grid
