"""Return parcels matched by waybill (退货物流单号): a scanned waybill receives its slip; a
parcel that matches nothing is kept as an unmatched parcel (无主件) until it is attached
to a slip, which then counts as received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.clock import as_utc, utcnow
from rma_tui.service.slip_view import slip_view_of
from rma_tui.service.slips import receive_in
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    locked_slip,
    may_work_in,
    text_value,
    write_shop,
)
from rma_tui.service.views import SlipView
from rma_tui.service.vocabulary import WAREHOUSE_ROLES
from rma_tui.store.db import Database
from rma_tui.store.models import Parcel, Slip


@dataclass(frozen=True)
class ParcelView:
    """An unmatched parcel (无主件), and the slip it was attached to once it is."""

    id: int
    carrier: str
    waybill: str
    contents: str
    received_by: str
    received_at: datetime
    shop: str
    slip: str | None
    attached_by: str | None
    attached_at: datetime | None


@dataclass(frozen=True)
class ParcelScan:
    """What a scanned waybill did: received its slip, or was kept as an unmatched parcel."""

    slip: SlipView | None
    parcel: ParcelView | None


def _waybill(value: str) -> str:
    return text_value(value, "waybill", required=True, max_len=64).replace(" ", "")


def _slips_with(s: Session, waybill: str) -> list[Slip]:
    # Carriers print letters in either case; the number is the same parcel.
    return list(s.exec(select(Slip).where(func.upper(Slip.waybill_no) == waybill.upper())
                       .order_by(col(Slip.id))).all())


def slip_by_waybill(db: Database, waybill: str) -> SlipView | None:
    """The slip whose return parcel has this waybill, if one has (the newest)."""
    waybill = _waybill(waybill)
    with db.read() as s:
        found = _slips_with(s, waybill)
        return slip_view_of(s, found[-1].number) if found else None


def _parcel_view(s: Session, p: Parcel) -> ParcelView:
    number = s.get(Slip, p.slip_id).number if p.slip_id else None  # type: ignore[union-attr]
    return ParcelView(p.id or 0, p.carrier, p.waybill_no, p.contents, p.received_by,
                      as_utc(p.received_at), p.shop, number, p.attached_by,
                      as_utc(p.attached_at) if p.attached_at else None)


def receive_by_waybill(db: Database, actor: str, waybill: str, carrier: str = "",
                       contents: str = "", now: datetime | None = None,
                       shop: str | None = None) -> ParcelScan:
    """A parcel arrives: the slip with its waybill is received; when none has it, the
    parcel is recorded as unmatched (carrier, waybill, what is inside, who took it in)."""
    at = now or utcnow()
    waybill = _waybill(waybill)
    carrier = text_value(carrier, "carrier", max_len=64)
    contents = text_value(contents, "contents")
    with db.write() as s:
        user = acting_user(s, actor, WAREHOUSE_ROLES)
        open_ones = [x for x in _slips_with(s, waybill) if x.status == "approved"]
        found = _slips_with(s, waybill)
        if len(open_ones) > 1:
            raise DomainError("waybill_many_slips", field="waybill", waybill=waybill,
                              slips=", ".join(x.number for x in open_ones))
        if found and not open_ones and found[-1].status not in ("draft", "submitted"):
            raise DomainError("waybill_already_received", field="waybill", waybill=waybill,
                              slip=found[-1].number, status=found[-1].status)
        if open_ones or found:
            slip = locked_slip(s, (open_ones or found)[-1].number)
            may_work_in(user, slip.shop, "waybill")
            receive_in(s, slip, user.name, at, detail={"waybill": waybill})
            return ParcelScan(slip_view_of(s, slip.number), None)
        where = write_shop(s, user, shop)
        known = s.exec(select(Parcel).where(func.upper(Parcel.waybill_no) == waybill.upper())
                       .order_by(col(Parcel.id))).first()
        if known is not None and known.slip_id is None:
            raise DomainError("parcel_exists", field="waybill", waybill=waybill)
        if known is not None:  # scanned again after it was attached: already received
            done = s.get(Slip, known.slip_id)
            raise DomainError("parcel_attached", field="waybill", parcel=known.id,
                              slip=done.number if done else "?")
        parcel = Parcel(carrier=carrier, waybill_no=waybill, contents=contents,
                        received_by=user.name, received_at=at, shop=where)
        s.add(parcel)
        s.flush()
        append_audit(s, user.name, "parcel_unmatched", at,
                     detail={"parcel": parcel.id, "waybill": waybill, "carrier": carrier,
                             "contents": contents})
        return ParcelScan(None, _parcel_view(s, parcel))


def list_parcels(db: Database, include_attached: bool = False,
                 shop: str | None = None) -> list[ParcelView]:
    """Unmatched parcels, oldest first (with `include_attached`, those attached too)."""
    with db.read() as s:
        q = select(Parcel).order_by(col(Parcel.received_at), col(Parcel.id))
        if not include_attached:
            q = q.where(col(Parcel.slip_id).is_(None))
        if shop is not None:
            q = q.where(Parcel.shop == shop)
        return [_parcel_view(s, p) for p in s.exec(q).all()]


def attach_parcel(db: Database, actor: str, parcel_id: int, number: str,
                  now: datetime | None = None) -> SlipView:
    """Attach an unmatched parcel to its slip: the slip is received with it, and takes the
    parcel's waybill when it had none."""
    at = now or utcnow()
    with db.write() as s:
        user = acting_user(s, actor, WAREHOUSE_ROLES)
        parcel = s.get(Parcel, parcel_id)
        if parcel is None:
            raise DomainError("unknown_parcel", field="parcel", parcel=parcel_id)
        if parcel.slip_id is not None:
            done = s.get(Slip, parcel.slip_id)
            raise DomainError("parcel_attached", field="parcel", parcel=parcel_id,
                              slip=done.number if done else "?")
        slip = locked_slip(s, number)
        may_work_in(user, slip.shop, "number")
        if not slip.waybill_no:
            slip.waybill_no, slip.waybill_carrier = parcel.waybill_no, parcel.carrier
        receive_in(s, slip, user.name, at, detail={"parcel": parcel.id,
                                                    "waybill": parcel.waybill_no})
        parcel.slip_id, parcel.attached_by, parcel.attached_at = slip.id, user.name, at
        s.add(parcel)
        return slip_view_of(s, slip.number)
