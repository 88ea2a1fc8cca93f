"""What the desk shows of a slip that stands for an online platform's after-sale request:
the slip number with the platform's refund id under it, the platform's status as a badge,
and the platform's side of the slip as labelled rows (refund id, buyer, parcel, refund)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from rma_tui import i18n
from rma_tui.money import yuan

if TYPE_CHECKING:
    from rma_tui.service import SlipView


def number_cell(number: str, platform_ref: str | None) -> str | Text:
    """The slip number; with the platform's refund id (售后单号) dimmed on a second line
    when the slip has one (the row is then two lines high)."""
    if not platform_ref:
        return number
    text = Text(number)
    text.append("\n")
    text.append(platform_ref, style="dim")
    return text


def platform_status_badge(status: str, colour: str = "") -> Text:
    """The platform's status in our words (`service.PLATFORM_STATUSES`), in `colour` (a
    theme colour resolved by the caller); no status known is a dash."""
    if not status:
        return Text(i18n.t("none"), style="dim")
    return Text(i18n.label("platform_status", status), style=colour)


def platform_rows(slip: SlipView) -> list[tuple[str, str]]:
    """The platform's side of a slip that stands for its after-sale request, as (i18n key
    of the label, value) rows: the refund id and status, the buyer, the return parcel and
    what the platform refunded; none for a counter slip."""
    if not slip.platform_ref:
        return []
    state = (i18n.label("platform_status", slip.platform_status) if slip.platform_status
             else slip.platform_status_raw or i18n.t("none"))
    rows = [("slip_platform_ref", f"{slip.platform_ref} · {state}")]
    if slip.buyer:
        rows.append(("slip_buyer", slip.buyer))
    if slip.waybill_no:
        rows.append(("slip_waybill", " ".join(x for x in (slip.waybill_carrier,
                                                          slip.waybill_no) if x)))
    if slip.platform_refund_fen:
        rows.append(("slip_platform_refund", yuan(slip.platform_refund_fen)))
    return rows
