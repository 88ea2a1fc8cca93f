"""Online platforms' after-sale requests (售后申请) as slips: imported from the platforms'
own export files (once per refund id, I7), moved along as the platform's status changes
where our lifecycle allows, refunds the platform made posted against its clearing account
(once, I8), and what cannot be applied listed as a conflict for a person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.channels import channel_value
from rma_tui.service.clock import utcnow
from rma_tui.service.settle import record_platform_refund
from rma_tui.service.slips import end_in, new_slip, submit_in
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    notify,
    text_value,
    write_shop,
)
from rma_tui.service.views import LineInput, PlatformRequestInput
from rma_tui.service.vocabulary import PLATFORM_STATUSES, REASONS, TERMINAL
from rma_tui.store.db import Database
from rma_tui.store.models import Product, Sale, SaleLine, Slip, User

# Who brings the platforms' requests in: the after-sales clerk at the counter or the
# warehouse that handles the parcels, and the owner.
IMPORT_REQUEST_ROLES = ("clerk", "warehouse", "owner")

# The platform's word that ends a request without a refund.
_ENDED = ("refused", "closed")


@dataclass(frozen=True)
class RequestConflict:
    """A request that could not be applied: the refund id, our slip (if any), why (an i18n
    key and its parameters)."""

    refund_id: str
    slip: str | None
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    line: int = 0

    def why(self, lang: str | None = None) -> str:
        """The reason in `lang`."""
        from rma_tui.i18n import t

        return t(self.key, lang=lang, **self.params)


@dataclass(frozen=True)
class RequestImport:
    """What an import of platform requests did, by slip number."""

    channel: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    conflicts: list[RequestConflict]

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The `rma import requests --json` contract."""
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "conflicts": [{"refund_id": c.refund_id, "slip": c.slip, "why": c.why(lang),
                               "key": c.key, "line": c.line} for c in self.conflicts]}


def import_requests(
    db: Database,
    actor: str,
    channel: str,
    requests: Sequence[PlatformRequestInput],
    now: datetime | None = None,
    shop: str | None = None,
) -> RequestImport:
    """Bring a platform's after-sale requests in, all in one unit of work.

    A new refund id becomes a return slip in its channel, linked to the sale by the order
    number, submitted (the policy judged at the buyer's application time); an unknown
    order gives a slip without sale for the owner. A known refund id with nothing new
    changes nothing; a new platform status moves the slip where the lifecycle allows
    (waybill recorded, cancelled when the platform closed it, the platform's refund
    posted); anything else is a conflict, and each conflict leaves its slip as it was."""
    at = now or utcnow()
    default_channel = channel_value(channel, "platform")
    for r in requests:
        if r.status not in PLATFORM_STATUSES:
            raise DomainError("bad_choice", field="status", value=r.status,
                              allowed=", ".join(PLATFORM_STATUSES))
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    conflicts: list[RequestConflict] = []
    with db.write() as s:
        user = acting_user(s, actor, IMPORT_REQUEST_ROLES)
        where = write_shop(s, user, shop)
        for r in requests:
            ch = channel_value(r.channel, "channel") if r.channel else default_channel
            ref = text_value(r.refund_id, "refund_id", required=True, max_len=64)
            slip = s.exec(select(Slip).where(Slip.channel == ch,
                                             Slip.platform_ref == ref)).first()
            try:
                with s.begin_nested():  # a conflict undoes its own request only
                    if slip is None:
                        created.append(_create(s, user, ch, ref, r, where, at))
                    elif _update(s, user, slip, r, at):
                        updated.append(slip.number)
                    else:
                        unchanged.append(slip.number)
            except DomainError as e:
                conflicts.append(RequestConflict(ref, slip.number if slip else None, e.key,
                                                 {**e.params, "field": e.field or ""}, r.line))
                if slip is not None:
                    s.refresh(slip)
        if created or updated:
            append_audit(s, user.name, "platform_import", at,
                         detail={"channel": default_channel, "created": len(created),
                                 "updated": len(updated), "conflicts": len(conflicts)})
    return RequestImport(default_channel, created, updated, unchanged, conflicts)


def _platform_columns(r: PlatformRequestInput, ref: str) -> dict[str, Any]:
    return {
        "platform_ref": ref,
        "platform_suborder": text_value(r.suborder, "suborder", max_len=64),
        "platform_status": r.status,
        "platform_status_raw": text_value(r.platform_status, "status", max_len=64),
        "buyer": text_value(r.buyer, "buyer", max_len=100),
        "waybill_carrier": text_value(r.carrier, "carrier", max_len=64),
        "waybill_no": text_value(r.waybill, "waybill", max_len=64) or None,
        "requested_at": r.requested_at,
        "platform_amount_fen": r.amount_fen,
    }


def _create(s: Session, user: User, channel: str, ref: str, r: PlatformRequestInput,
            shop: str, at: datetime) -> str:
    if r.reason not in REASONS:
        raise DomainError("bad_choice", field="reason", value=r.reason,
                          allowed=", ".join(REASONS))
    sale = s.exec(select(Sale).where(Sale.order_no == r.order.strip())).first()
    reason_text = text_value(r.reason_text, "reason_text")
    if sale is not None:
        sku = r.sku.strip() or _only_sku(s, sale)
        line = LineInput(sku, r.qty, r.reason, reason_text)
        note = ""
    else:
        if not r.sku.strip():
            raise DomainError("platform_needs_sku", field="sku", order=r.order)
        price = r.amount_fen // r.qty if r.qty > 0 else 0
        line = LineInput(r.sku.strip(), r.qty, r.reason, reason_text, unit_price_fen=price)
        note = f"平台订单 {r.order} 不在本店销售记录中 / platform order {r.order} not found"
    slip = new_slip(s, user, sale, "return", [line], channel,
                    sale.customer_id if sale else None, note, shop, at,
                    **_platform_columns(r, ref))
    submit_in(s, slip, user.name, at)
    if sale is None:
        notify(s, ("owner",), "platform_order_unknown", at, slip, order=r.order,
               refund_id=ref, channel=channel)
    _follow(s, user, slip, r, at)
    return slip.number


def _only_sku(s: Session, sale: Sale) -> str:
    skus = s.exec(select(Product.sku).join(SaleLine, col(SaleLine.product_id) == Product.id)
                  .where(SaleLine.sale_id == sale.id).distinct()).all()
    if len(skus) != 1:
        raise DomainError("platform_needs_sku", field="sku", order=sale.order_no)
    return skus[0]


def _follow(s: Session, user: User, slip: Slip, r: PlatformRequestInput, at: datetime) -> None:
    """Do what the platform's status asks of a slip that already carries it."""
    if r.status in _ENDED and slip.status not in TERMINAL:
        end_in(s, slip, user.name, "cancelled", "cancel",
               f"平台售后{'已拒绝' if r.status == 'refused' else '已关闭'} / platform "
               f"request {r.status} ({r.platform_status or r.status})", at)
    elif r.status == "refunded" and not slip.platform_refund_fen:
        if slip.status in ("rejected", "cancelled"):
            raise DomainError("platform_refund_on_ended", field="status", slip=slip.number,
                              status=slip.status)
        record_platform_refund(s, slip, r.amount_fen, user.name, at,
                               refunded_at=r.modified_at or r.requested_at)


def _update(s: Session, user: User, slip: Slip, r: PlatformRequestInput, at: datetime) -> bool:
    """Apply what changed on the platform; False when nothing did."""
    carrier, waybill = r.carrier.strip(), r.waybill.strip() or None
    same = (slip.platform_status == r.status and slip.platform_amount_fen == r.amount_fen
            and (waybill is None or (slip.waybill_no == waybill
                                     and slip.waybill_carrier == carrier)))
    if same:
        return False
    before = {"status": slip.platform_status, "waybill": slip.waybill_no,
              "amount_fen": slip.platform_amount_fen}
    if slip.platform_status in ("refunded", *_ENDED) and r.status != slip.platform_status:
        raise DomainError("platform_status_back", field="status", slip=slip.number,
                          was=slip.platform_status, now=r.status)
    if waybill is not None and waybill != slip.waybill_no:
        if slip.waybill_no and slip.status not in ("draft", "submitted", "approved"):
            raise DomainError("platform_waybill_after_receipt", field="waybill",
                              slip=slip.number, was=slip.waybill_no, now=waybill,
                              status=slip.status)
        slip.waybill_no, slip.waybill_carrier = waybill, carrier
    if r.status == "refunded" and slip.platform_refund_fen \
            and slip.platform_refund_fen != r.amount_fen:
        raise DomainError("platform_refund_differs", field="amount", slip=slip.number,
                          ours=slip.platform_refund_fen, theirs=r.amount_fen)
    if r.status in _ENDED and slip.status in TERMINAL and slip.status != "cancelled":
        raise DomainError("platform_closed_after", field="status", slip=slip.number,
                          status=slip.status, now=r.status)
    if r.status in _ENDED and slip.status not in ("draft", "submitted", "approved", *TERMINAL):
        raise DomainError("platform_closed_after", field="status", slip=slip.number,
                          status=slip.status, now=r.status)
    slip.platform_status = r.status
    slip.platform_status_raw = r.platform_status
    slip.platform_amount_fen = r.amount_fen
    s.add(slip)
    _follow(s, user, slip, r, at)
    append_audit(s, user.name, "platform_update", at, slip,
                 detail={"before": before, "status": r.status, "waybill": slip.waybill_no,
                         "amount_fen": r.amount_fen})
    return True
