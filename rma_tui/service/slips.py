"""Slips through their lifecycle: preview, create (I3 under the write lock, I5), edit a
draft, submit (the policy's verdict, auto-approval), approve, reject, cancel, receive and
inspect; and a slip read back as a SlipView."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.channels import channel_value
from rma_tui.service.clock import as_utc, utcnow
from rma_tui.service.rules import Draft, evaluate, slip_amounts
from rma_tui.service.slip_view import lines_with_products, slip_view_of
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    choice_of,
    fen_value,
    locked_slip,
    may_work_in,
    move_stock,
    next_number,
    once_per_request,
    policy,
    post_entry,
    product_by_sku,
    qty_value,
    returned_qty,
    text_value,
    transition,
    write_shop,
)
from rma_tui.service.views import (
    GradeInput,
    LineInput,
    Preview,
    SlipView,
)
from rma_tui.service.vocabulary import (
    APPROVER_ROLES,
    CANCEL_ROLES,
    COGS,
    CREATE_ROLES,
    DEFECTIVE,
    INVENTORY,
    REASONS,
    SLIP_TYPES,
    SYSTEM_USER,
    TRANSITIONS,
    WAREHOUSE_ROLES,
    WRITE_OFF,
)
from rma_tui.store.db import Database
from rma_tui.store.models import (
    Customer,
    InspectionGrade,
    Product,
    Sale,
    SaleLine,
    Slip,
    SlipLine,
    User,
)


def _resolve_lines(
    s: Session,
    sale: Sale | None,
    slip_type: str,
    lines: Sequence[LineInput],
    exclude_slip_id: int | None = None,
) -> list[Draft]:
    """Check each input line against the sale: returnable quantity (I3), price and cost (I5)."""
    if not lines:
        raise DomainError("no_lines", field="lines")
    sale_lines: list[tuple[SaleLine, Product]] = []
    if sale is not None:
        sale_lines = list(
            s.exec(
                select(SaleLine, Product)
                .join(Product, col(Product.id) == col(SaleLine.product_id))
                .where(SaleLine.sale_id == sale.id)
                .order_by(col(SaleLine.id))
                .with_for_update()
            ).all()
        )
    taken: dict[int, int] = {}
    out: list[Draft] = []
    for i, ln in enumerate(lines):
        where = f"lines[{i + 1}]."
        qty = qty_value(ln.qty, where + "qty")
        reason = choice_of(ln.reason, REASONS, where + "reason")
        reason_text = text_value(ln.reason_text, where + "reason_text")
        product = product_by_sku(s, ln.sku, where + "sku")
        sale_line: SaleLine | None = None
        if sale is not None:
            candidates = [sl for sl, p in sale_lines if p.id == product.id]
            if not candidates:
                raise DomainError(
                    "sku_not_in_sale", field=where + "sku", sku=product.sku, order=sale.order_no
                )
            best_left = 0
            for sl in candidates:
                left = (
                    sl.qty
                    - returned_qty(s, sl.id or 0, exclude_slip_id)
                    - taken.get(sl.id or 0, 0)
                )
                best_left = max(best_left, left)
                if left >= qty:
                    sale_line = sl
                    break
            if sale_line is None:
                raise DomainError(
                    "over_returnable",
                    field=where + "qty",
                    sku=product.sku,
                    qty=qty,
                    returnable=best_left,
                )
            taken[sale_line.id or 0] = taken.get(sale_line.id or 0, 0) + qty
            price, cost = sale_line.unit_price_fen, sale_line.unit_cost_fen
        else:
            if ln.unit_price_fen is None:
                raise DomainError("required", field=where + "unit_price")
            price, cost = fen_value(ln.unit_price_fen, where + "unit_price"), product.unit_cost_fen
        replacement: Product | None = None
        repl_qty = 0
        if slip_type == "exchange":
            replacement = product_by_sku(s, ln.replacement_sku or product.sku,
                                         where + "replacement_sku")
            repl_qty = qty_value(
                ln.replacement_qty if ln.replacement_qty is not None else qty,
                where + "replacement_qty",
            )
        elif ln.replacement_sku or ln.replacement_qty:
            raise DomainError("replacement_on_return", field=where + "replacement_sku")
        out.append(
            Draft(
                product,
                sale_line,
                qty,
                price,
                cost,
                reason,
                reason_text,
                bool(ln.packaging_intact),
                bool(ln.invoice_present),
                replacement,
                repl_qty,
            )
        )
    return out


def sale_by_order(s: Session, order: str | None) -> Sale | None:
    """The sale with this order number (None when none is given), or `unknown_sale`."""
    if order is None or not order.strip():
        return None
    order = text_value(order, "sale", max_len=64)
    sale = s.exec(select(Sale).where(Sale.order_no == order)).first()
    if sale is None:
        raise DomainError("unknown_sale", field="sale", order=order)
    return sale


def preview_slip(
    db: Database,
    sale_order: str | None,
    slip_type: str,
    lines: Sequence[LineInput],
    channel: str | None = None,
    now: datetime | None = None,
    draft: str | None = None,
) -> Preview:
    """Amounts and policy verdict of a slip that is not saved (for live entry screens).

    `draft` names a draft being changed: its own units do not count against it."""
    now = now or utcnow()
    choice_of(slip_type, SLIP_TYPES, "type")
    with db.read() as s:
        sale = sale_by_order(s, sale_order)
        ch = sale.channel if sale else channel_value(channel or "store")
        exclude = locked_slip(s, draft, lock=False).id if draft else None
        drafts = _resolve_lines(s, sale, slip_type, lines, exclude_slip_id=exclude)
        amounts = slip_amounts(policy(), ch, slip_type, drafts)
        verdict = evaluate(policy(), ch, sale, slip_type, drafts, now)
        return Preview(
            amounts.gross_fen,
            amounts.fee_fen,
            amounts.refund_fen,
            amounts.replacement_fen,
            amounts.difference_fen,
            verdict,
        )


def create_slip(
    db: Database,
    actor: str,
    sale_order: str | None,
    slip_type: str,
    lines: Sequence[LineInput],
    note: str = "",
    customer_phone: str | None = None,
    channel: str | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> SlipView:
    """Record a return or exchange slip (draft) against an original sale.

    The slip belongs to the shop handling it: the one named, else the clerk's own, else (a
    chain-wide user) the sale's. A sale from any shop of the chain may be returned there.

    Refuses more than the returnable quantity of any sale line (I3), under the write lock,
    so two clerks racing for the last unit cannot both win. Prices and costs are the sale
    line's (I4, I5). A slip without a sale is allowed as a draft; approving it needs the
    owner's override.
    """
    now = now or utcnow()
    slip_type = choice_of(slip_type, SLIP_TYPES, "type")
    note = text_value(note, "note")
    payload = [
        actor,
        sale_order,
        slip_type,
        [asdict(x) for x in lines],
        note,
        customer_phone,
        channel,
        shop,
    ]
    with db.write() as s:
        user = acting_user(s, actor, CREATE_ROLES)

        def work() -> str:
            sale = sale_by_order(s, sale_order)
            where = write_shop(s, user, shop, sale.shop if sale is not None else None)
            if sale is not None:
                ch = sale.channel
                customer_id = sale.customer_id
            else:
                ch = channel_value(channel or "store")
                customer_id = None
                # No receipt: the note says why; approval then needs the owner (a policy
                # exception, see evaluate's original_sale rule).
                if not note:
                    raise DomainError("no_sale_needs_note", field="note")
            if customer_phone:
                cust = s.exec(
                    select(Customer).where(Customer.phone == customer_phone.strip())
                ).first()
                if cust is None:
                    raise DomainError("unknown_customer", field="customer", phone=customer_phone)
                if sale is not None and sale.customer_id not in (None, cust.id):
                    raise DomainError("customer_mismatch", field="customer", phone=customer_phone)
                customer_id = cust.id
            slip = new_slip(s, user, sale, slip_type, lines, ch, customer_id, note, where, now,
                            request_id)
            return slip.number

        number, _ = once_per_request(s, request_id, "create", payload, work, now)
        return slip_view_of(s, number)


def new_slip(s: Session, user: User, sale: Sale | None, slip_type: str,
             lines: Sequence[LineInput], channel: str, customer_id: int | None, note: str,
             shop: str, now: datetime, request_id: str | None = None,
             **platform: Any) -> Slip:
    """Write a new draft slip and its lines inside the caller's unit of work: returnable
    quantities (I3), the sale line's price and cost (I5), the amounts, the audit event.
    `platform` holds a platform request's own columns of the slip (refund id, buyer …)."""
    drafts = _resolve_lines(s, sale, slip_type, lines)
    amounts = slip_amounts(policy(), channel, slip_type, drafts)
    prefix = "TH" if slip_type == "return" else "HH"
    slip = Slip(
        number=next_number(s, prefix, now),
        type=slip_type,
        status="draft",
        channel=channel,
        sale_id=sale.id if sale else None,
        customer_id=customer_id,
        note=note,
        created_by=user.name,
        created_at=now,
        updated_at=now,
        gross_fen=amounts.gross_fen,
        fee_fen=amounts.fee_fen,
        refund_fen=amounts.refund_fen,
        difference_fen=amounts.difference_fen,
        shop=shop,
        **platform,
    )
    s.add(slip)
    s.flush()
    _write_lines(s, slip, drafts)
    detail: dict[str, Any] = {"sale": sale.order_no if sale else None,
                              "gross_fen": amounts.gross_fen, "shop": shop}
    if platform.get("platform_ref"):
        detail["platform_ref"] = platform["platform_ref"]
    transition(s, slip, "draft", user.name, now, "create", detail=detail,
               request_id=request_id, notify_roles=("clerk",), new=True)
    return slip


def _write_lines(s: Session, slip: Slip, drafts: Sequence[Draft]) -> None:
    for d in drafts:
        s.add(
            SlipLine(
                slip_id=slip.id or 0,
                sale_line_id=d.sale_line.id if d.sale_line else None,
                product_id=d.product.id or 0,
                qty=d.qty,
                unit_price_fen=d.unit_price_fen,
                unit_cost_fen=d.unit_cost_fen,
                reason_code=d.reason,
                reason_text=d.reason_text,
                packaging_intact=d.packaging_intact,
                invoice_present=d.invoice_present,
                replacement_product_id=d.replacement.id if d.replacement else None,
                replacement_qty=d.replacement_qty,
                replacement_unit_price_fen=d.replacement_price_fen,
                replacement_unit_cost_fen=d.replacement.unit_cost_fen if d.replacement else 0,
                refund_fen=d.gross_fen - d.fee_fen,
            )
        )


def update_draft(
    db: Database,
    actor: str,
    number: str,
    lines: Sequence[LineInput],
    note: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Replace a draft's lines and note: a draft saved earlier, resumed and changed.

    Only a draft, only by its creator or an owner. The returnable quantity (I3) is checked
    again, not counting what this draft itself held."""
    at = now or utcnow()
    note = text_value(note, "note")

    def body(s: Session, slip: Slip, user: User) -> None:
        if slip.status != "draft":
            raise DomainError("not_draft", field="status", slip=slip.number, status=slip.status)
        if user.name != slip.created_by and user.role != "owner":
            raise DomainError(
                "not_your_draft", field="user", slip=slip.number, creator=slip.created_by
            )
        if slip.sale_id is None and not note:
            raise DomainError("no_sale_needs_note", field="note")
        sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
        drafts = _resolve_lines(s, sale, slip.type, lines, exclude_slip_id=slip.id)
        amounts = slip_amounts(policy(), slip.channel, slip.type, drafts)
        s.execute(delete(SlipLine).where(col(SlipLine.slip_id) == slip.id))
        _write_lines(s, slip, drafts)
        slip.note = note
        slip.gross_fen, slip.fee_fen = amounts.gross_fen, amounts.fee_fen
        slip.refund_fen, slip.difference_fen = amounts.refund_fen, amounts.difference_fen
        slip.updated_at = at
        s.add(slip)
        append_audit(
            s,
            user.name,
            "edit",
            at,
            slip,
            detail={"gross_fen": amounts.gross_fen},
            request_id=request_id,
        )

    return slip_step(
        db,
        actor,
        CREATE_ROLES,
        number,
        "edit",
        [[asdict(x) for x in lines], note],
        body,
        request_id,
        at,
    )


def slip_step(
    db: Database,
    actor: str,
    roles: Sequence[str],
    number: str,
    operation: str,
    payload: list[Any],
    body: Callable[[Session, Slip, User], None],
    request_id: str | None,
    now: datetime,
    to: str | None = None,
) -> SlipView:
    """The frame every slip action shares: one unit of work, the actor's role, the slip
    row locked, the lifecycle edge to `to` checked before any side effect, and the whole
    action applied once per request id (I7). `body` does the action's own work."""
    with db.write() as s:
        user = acting_user(s, actor, roles)
        slip = locked_slip(s, number)
        may_work_in(user, slip.shop, "number")

        def work() -> str:
            if to is not None and (slip.status, to) not in TRANSITIONS:
                raise DomainError(
                    "bad_transition", field="status", slip=slip.number, status=slip.status, to=to
                )
            body(s, slip, user)
            return slip.number

        once_per_request(s, request_id, operation, [actor, slip.number, *payload], work, now)
        return slip_view_of(s, slip.number)


def submit_slip(
    db: Database,
    actor: str,
    number: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Submit a draft: evaluate the policy; approve it automatically when every rule passes."""
    at = now or utcnow()

    def body(s: Session, slip: Slip, user: User) -> None:
        submit_in(s, slip, user.name, at, request_id)

    return slip_step(
        db, actor, CREATE_ROLES, number, "submit", [], body, request_id, at, to="submitted"
    )


def submit_in(s: Session, slip: Slip, user: str, at: datetime,
              request_id: str | None = None) -> None:
    """Submit a draft inside the caller's unit of work: the policy's verdict, judged at the
    time the customer asked (a platform's application time, else the slip's making), and
    approval at once when every rule passes and the channel allows it."""
    sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
    asked = as_utc(slip.requested_at) if slip.requested_at else as_utc(slip.created_at)
    verdict = evaluate(policy(), slip.channel, sale, slip.type, _drafts_of(s, slip), asked)
    ok = all(r.ok for r in verdict)
    slip.verdict_json = json.dumps([asdict(r) for r in verdict], ensure_ascii=False)
    slip.policy_ok = ok
    failed = [r.rule for r in verdict if not r.ok]
    auto = ok and policy().channel(slip.channel).auto_approve
    transition(
        s,
        slip,
        "submitted",
        user,
        at,
        "submit",
        detail={"policy_ok": ok, "failed": failed},
        request_id=request_id,
        # Who reviews: nobody when it will be approved at once; the owner for an
        # exception; any approver for a clean slip in a shop that reviews everything.
        notify_roles=("owner",) if not ok else (() if auto else APPROVER_ROLES),
    )
    if auto:
        slip.auto_approved = True
        transition(s, slip, "approved", SYSTEM_USER, at, "approve", detail={"auto": True})


def _drafts_of(s: Session, slip: Slip) -> list[Draft]:

    rows = lines_with_products(s, slip)
    out = []
    for ln, p in rows:
        repl = s.get(Product, ln.replacement_product_id) if ln.replacement_product_id else None
        sl = s.get(SaleLine, ln.sale_line_id) if ln.sale_line_id else None
        out.append(
            Draft(
                p,
                sl,
                ln.qty,
                ln.unit_price_fen,
                ln.unit_cost_fen,
                ln.reason_code,
                ln.reason_text,
                ln.packaging_intact,
                ln.invoice_present,
                repl,
                ln.replacement_qty,
                ln.unit_price_fen * ln.qty - ln.refund_fen,
            )
        )
    return out


def approve_slip(
    db: Database,
    actor: str,
    number: str,
    override_reason: str | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Approve a submitted slip. Never by its creator; a policy exception needs the owner
    and a reason."""
    at = now or utcnow()
    reason = text_value(override_reason, "reason")

    def body(s: Session, slip: Slip, user: User) -> None:
        if slip.created_by == user.name:
            raise DomainError("own_slip", field="user", user=user.name, slip=slip.number)
        detail: dict[str, Any] = {}
        if not slip.policy_ok:
            if user.role != "owner":
                raise DomainError("exception_needs_owner", field="user", slip=slip.number)
            if not reason:
                raise DomainError("exception_needs_reason", field="reason", slip=slip.number)
            slip.override_by, slip.override_reason = user.name, reason
            detail = {"override": True, "reason": reason}
        transition(
            s, slip, "approved", user.name, at, "approve", detail=detail, request_id=request_id
        )

    return slip_step(
        db, actor, APPROVER_ROLES, number, "approve", [reason], body, request_id, at, to="approved"
    )


def reject_slip(
    db: Database,
    actor: str,
    number: str,
    reason: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Reject a submitted slip, with a reason; never by its creator."""
    return _end_with_reason(db, actor, number, reason, "reject", "rejected", APPROVER_ROLES,
                            request_id, now, not_by_creator=True)


def cancel_slip(
    db: Database,
    actor: str,
    number: str,
    reason: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Cancel a draft, submitted or approved slip, with a reason."""
    return _end_with_reason(db, actor, number, reason, "cancel", "cancelled", CANCEL_ROLES,
                            request_id, now)


def _end_with_reason(db: Database, actor: str, number: str, reason: str, action: str, to: str,
                     roles: Sequence[str], request_id: str | None, now: datetime | None,
                     not_by_creator: bool = False) -> SlipView:
    # Reject or cancel: the reason is kept on the slip and in the audit event of the step.
    at = now or utcnow()
    reason = text_value(reason, "reason", required=True)

    def body(s: Session, slip: Slip, user: User) -> None:
        if not_by_creator and slip.created_by == user.name:
            raise DomainError("own_slip", field="user", user=user.name, slip=slip.number)
        end_in(s, slip, user.name, to, action, reason, at, request_id)

    return slip_step(db, actor, roles, number, action, [reason], body, request_id, at, to=to)


def end_in(s: Session, slip: Slip, user: str, to: str, action: str, reason: str,
           at: datetime, request_id: str | None = None) -> None:
    """Reject or cancel inside the caller's unit of work, the reason kept on the slip and in
    the step's audit event. A slip the platform has refunded cannot end so: the money is
    out, so its goods are still received and graded."""
    if slip.platform_refund_fen:
        raise DomainError("platform_refunded_cannot_end", field="status", slip=slip.number,
                          refund=slip.platform_refund_fen)
    slip.close_reason = reason
    transition(s, slip, to, user, at, action, detail={"reason": reason},
               request_id=request_id)


def receive_slip(
    db: Database,
    actor: str,
    number: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Goods physically arrive: each line's quantity goes into `pending` (待检)."""
    at = now or utcnow()

    def body(s: Session, slip: Slip, user: User) -> None:
        receive_in(s, slip, user.name, at, request_id)

    return slip_step(
        db, actor, WAREHOUSE_ROLES, number, "receive", [], body, request_id, at, to="received"
    )


def receive_in(s: Session, slip: Slip, user: str, at: datetime,
               request_id: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """The goods arrived, inside the caller's unit of work: every line into `pending`."""
    if (slip.status, "received") not in TRANSITIONS:
        raise DomainError("bad_transition", field="status", slip=slip.number,
                          status=slip.status, to="received")
    for d in _drafts_of(s, slip):
        move_stock(s, d.product, "pending", d.qty, "return_in", user, at, slip)
    transition(s, slip, "received", user, at, "receive", detail=detail, request_id=request_id)


def inspect_slip(
    db: Database,
    actor: str,
    number: str,
    grades: Sequence[GradeInput],
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Grade every received unit: resellable -> sellable, defective -> defective,
    scrap -> written off. Grades must add up to each line's quantity. Cost is reversed at
    the original sale's unit cost (I5)."""
    at = now or utcnow()

    def body(s: Session, slip: Slip, user: User) -> None:
        _inspect(s, slip, grades, user.name, at)
        transition(
            s,
            slip,
            "inspected",
            user.name,
            at,
            "inspect",
            detail={"grades": [asdict(g) for g in grades]},
            request_id=request_id,
        )

    return slip_step(
        db,
        actor,
        WAREHOUSE_ROLES,
        number,
        "inspect",
        [[asdict(g) for g in grades]],
        body,
        request_id,
        at,
        to="inspected",
    )


def _inspect(
    s: Session, slip: Slip, grades: Sequence[GradeInput], user: str, now: datetime
) -> None:
    lines = lines_with_products(s, slip)
    by_sku: dict[str, list[GradeInput]] = {}
    for i, g in enumerate(grades):
        where = f"grades[{i + 1}]."
        for name in ("resellable", "defective", "scrap"):
            qty_value(getattr(g, name), where + name, allow_zero=True)
        text_value(g.note, where + "note")
        by_sku.setdefault(g.sku.strip(), []).append(g)
    known = {p.sku for _, p in lines}
    for sku in by_sku:
        if sku not in known:
            raise DomainError("sku_not_in_slip", field="grades.sku", sku=sku, slip=slip.number)
    totals = {"resell": 0, "defective": 0, "scrap": 0}
    for ln, p in lines:
        queue = by_sku.get(p.sku, [])
        if not queue:
            raise DomainError("grade_missing", field="grades", sku=p.sku)
        g = queue.pop(0)
        if g.resellable + g.defective + g.scrap != ln.qty:
            raise DomainError(
                "grade_sum",
                field="grades",
                sku=p.sku,
                qty=ln.qty,
                total=g.resellable + g.defective + g.scrap,
            )
        s.add(
            InspectionGrade(
                slip_line_id=ln.id or 0,
                resellable=g.resellable,
                defective=g.defective,
                scrap=g.scrap,
                note=g.note.strip(),
                graded_by=user,
                graded_at=now,
            )
        )
        move_stock(s, p, "pending", -ln.qty, "inspect", user, now, slip)
        move_stock(s, p, "sellable", g.resellable, "inspect", user, now, slip)
        move_stock(
            s,
            p,
            "defective",
            g.defective,
            "inspect",
            user,
            now,
            slip,
            value_fen=g.defective * ln.unit_cost_fen,
        )
        move_stock(s, p, "scrap", g.scrap, "inspect", user, now, slip)
        totals["resell"] += g.resellable * ln.unit_cost_fen
        totals["defective"] += g.defective * ln.unit_cost_fen
        totals["scrap"] += g.scrap * ln.unit_cost_fen
    leftover = [sku for sku, q in by_sku.items() if q]
    if leftover:
        raise DomainError("grade_extra", field="grades", sku=leftover[0])
    post_entry(
        s,
        "return_cost",
        now,
        user,
        [
            (INVENTORY, totals["resell"], 0),
            (DEFECTIVE, totals["defective"], 0),
            (WRITE_OFF, totals["scrap"], 0),
            (COGS, 0, sum(totals.values())),
        ],
        memo=slip.number,
        slip=slip,
    )
