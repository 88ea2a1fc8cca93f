"""A slip read back whole as a SlipView: header, lines with their grades, verdict,
events, feedback and its platform request."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from rma_tui.service.clock import as_utc
from rma_tui.service.unit import sellable_of
from rma_tui.service.views import EventView, RuleResult, SlipLineView, SlipView
from rma_tui.store.models import (
    AuditEvent,
    Customer,
    Feedback,
    InspectionGrade,
    Product,
    Sale,
    Slip,
    SlipLine,
)


def lines_with_products(s: Session, slip: Slip) -> list[tuple[SlipLine, Product]]:
    """A slip's lines in order, each with its product."""
    return list(s.exec(
        select(SlipLine, Product)
        .join(Product, col(Product.id) == col(SlipLine.product_id))
        .where(SlipLine.slip_id == slip.id)
        .order_by(col(SlipLine.id))
    ).all())


def slip_view_of(s: Session, number: str) -> SlipView:
    """The whole read model of slip `number`: lines, verdict, events, feedback."""
    slip = s.exec(select(Slip).where(Slip.number == number)).one()
    customer = s.get(Customer, slip.customer_id) if slip.customer_id else None
    sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
    rows = lines_with_products(s, slip)
    lines = []
    for ln, p in rows:
        repl = s.get(Product, ln.replacement_product_id) if ln.replacement_product_id else None
        g = s.exec(select(InspectionGrade).where(InspectionGrade.slip_line_id == ln.id)).first()
        lines.append(
            SlipLineView(
                sku=p.sku,
                name=p.name,
                qty=ln.qty,
                unit_price_fen=ln.unit_price_fen,
                unit_cost_fen=ln.unit_cost_fen,
                reason=ln.reason_code,
                reason_text=ln.reason_text,
                packaging_intact=ln.packaging_intact,
                invoice_present=ln.invoice_present,
                replacement_sku=repl.sku if repl else None,
                replacement_qty=ln.replacement_qty,
                replacement_unit_price_fen=ln.replacement_unit_price_fen,
                refund_fen=ln.refund_fen,
                grade=(g.resellable, g.defective, g.scrap) if g else None,
                replacement_name=repl.name if repl else None,
                replacement_sellable=sellable_of(s, repl.id or 0, slip.shop) if repl else None,
            )
        )
    events = [
        EventView(
            e.action, e.user, as_utc(e.at), e.from_status, e.to_status, json.loads(e.detail_json)
        )
        for e in s.exec(
            select(AuditEvent).where(AuditEvent.slip_id == slip.id).order_by(col(AuditEvent.seq))
        ).all()
    ]
    fb = s.exec(select(Feedback).where(Feedback.slip_id == slip.id)).first()
    verdict = [RuleResult(**r) for r in json.loads(slip.verdict_json)] if slip.verdict_json else []
    return SlipView(
        number=slip.number,
        type=slip.type,
        status=slip.status,
        channel=slip.channel,
        customer=customer.name if customer else None,
        customer_phone=customer.phone if customer else None,
        customer_credit_fen=customer.credit_fen if customer else None,
        sale_payment=sale.payment_method if sale else None,
        sale=sale.order_no if sale else None,
        created_by=slip.created_by,
        created_at=as_utc(slip.created_at),
        note=slip.note,
        gross_fen=slip.gross_fen,
        fee_fen=slip.fee_fen,
        refund_fen=slip.refund_fen,
        difference_fen=slip.difference_fen,
        refund_method=slip.refund_method,
        rest_method=slip.rest_method,
        rest_fen=slip.rest_fen,
        policy_ok=slip.policy_ok,
        verdict=verdict,
        auto_approved=slip.auto_approved,
        override_by=slip.override_by,
        override_reason=slip.override_reason,
        close_reason=slip.close_reason,
        lines=lines,
        events=events,
        feedback=(fb.score, fb.comment) if fb else None,
        shop=slip.shop,
        platform_ref=slip.platform_ref,
        platform_status=slip.platform_status,
        platform_status_raw=slip.platform_status_raw,
        buyer=slip.buyer,
        waybill_carrier=slip.waybill_carrier,
        waybill_no=slip.waybill_no,
        platform_refund_fen=slip.platform_refund_fen,
    )
