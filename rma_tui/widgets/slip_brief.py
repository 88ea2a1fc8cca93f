"""A compact, read-only picture of one slip: who and what, line by line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rma_tui import i18n
from rma_tui.money import yuan
from rma_tui.widgets.common import local_time, phone_text
from rma_tui.widgets.platform_cells import platform_rows

if TYPE_CHECKING:
    from rma_tui.service import SlipView


def slip_brief(view: SlipView, role: str | None = None) -> RenderableType:
    """The slip's number, type, customer, sale and creator, then its lines (the customer's
    phone as user `role` may see it)."""
    head = Text()
    head.append(view.number, style="bold")
    head.append(f"  {i18n.label('type', view.type)} · {i18n.label('status', view.status)}")
    who = Text(style="dim")
    customer = " ".join(x for x in (view.customer, phone_text(role, view.customer_phone))
                        if x) or i18n.t("none")
    who.append(f"{i18n.t('col_customer')} {customer}  ")
    who.append(f"{i18n.t('col_sale')} {view.sale or i18n.t('none')}  ")
    who.append(f"{i18n.t('col_created_by')} {view.created_by} {local_time(view.created_at)}")
    lines = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    exchange = view.type == "exchange"
    lines.add_column(i18n.t("col_sku"), no_wrap=True)
    lines.add_column(i18n.t("col_name"), ratio=1)
    lines.add_column(i18n.t("col_qty"), justify="right", no_wrap=True)
    lines.add_column(i18n.t("col_unit_price"), justify="right", no_wrap=True)
    lines.add_column(i18n.t("col_reason"))
    if exchange:
        lines.add_column(i18n.t("col_replacement_sku"), no_wrap=True)
    for ln in view.lines:
        reason = i18n.label("reason", ln.reason)
        if ln.reason_text:
            sep = "：" if i18n.get_lang() == "zh" else ": "
            reason = f"{reason}{sep}{ln.reason_text}"
        cells = [ln.sku, ln.name, str(ln.qty), yuan(ln.unit_price_fen), reason]
        if exchange:
            cells.append(f"{ln.replacement_sku} × {ln.replacement_qty}"
                         if ln.replacement_sku else i18n.t("none"))
        lines.add_row(*cells)
    parts: list[RenderableType] = [head, who, lines]
    platform = platform_rows(view)
    if platform:
        parts.insert(2, Text("  ".join(f"{i18n.t(key)} {value}" for key, value in platform),
                             style="dim"))
    if view.note:
        parts.insert(2, Text(f"{i18n.t('col_note')} {view.note}", style="dim"))
    return Group(*parts)
