"""Stock operations: counted corrections (盘点), reorder points, defective goods repaired
or scrapped, and goods sent back to their supplier (退供应商)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.clock import as_utc, utcnow
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    check_alert,
    choice_of,
    fen_value,
    move_stock,
    next_number,
    notify,
    once_per_request,
    only_shop,
    post_entry,
    product_by_sku,
    qty_value,
    sellable_of,
    stock_rows,
    text_value,
    write_shop,
)
from rma_tui.service.views import StockRow, SupplierReturnView
from rma_tui.service.vocabulary import (
    ADJUST_LOCATIONS,
    DEFECTIVE,
    DEFECTIVE_ACTIONS,
    INVENTORY,
    MAX_QTY,
    OTHER_INCOME,
    PAYABLE,
    STOCK_ROLES,
    WRITE_OFF,
)
from rma_tui.store.db import Database
from rma_tui.store.models import Product, StockLevel, StockMove, SupplierReturn


def _delta(value: Any, field_name: str) -> int:
    """A signed, non-zero quantity change."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("not_integer", field=field_name, value=str(value))
    if value == 0:
        raise DomainError("delta_zero", field=field_name)
    if abs(value) > MAX_QTY:
        raise DomainError("too_large", field=field_name, value=value)
    return value


def _defective_held(s: Session, product: Product, shop: str) -> tuple[int, int]:
    """A shop's defective units of a product and the value they came in at."""
    held, value = s.execute(
        select(
            func.coalesce(func.sum(StockMove.qty), 0),
            func.coalesce(func.sum(StockMove.value_fen), 0),
        ).where(StockMove.product_id == product.id, StockMove.location == "defective",
                StockMove.shop == shop)
    ).one()
    return int(held), int(value)


def _defective_value(s: Session, product: Product, qty: int, shop: str) -> int:
    """The cost value of `qty` defective units leaving a shop's stock, at the average they
    came in at.

    The last units out take the whole remaining value, so the defective account empties
    exactly with the stock."""
    held, value = _defective_held(s, product, shop)
    if held < qty:
        raise DomainError(
            "stock_short", field="qty", sku=product.sku, location="defective", have=held,
            need=qty, shop=shop)
    return value if qty == held else value * qty // held


def adjust_stock(
    db: Database,
    actor: str,
    sku: str,
    location: str,
    delta: int,
    reason: str,
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> StockRow:
    """Correct a shop's counted stock (盘点) up or down with a reason; the loss or gain is
    written off.

    Sellable units are valued at the product's cost, defective ones at their defective value;
    a loss debits write-off (6711), a gain credits it."""
    now = now or utcnow()
    location = choice_of(location, ADJUST_LOCATIONS, "location")
    delta = _delta(delta, "qty")
    reason = text_value(reason, "reason", required=True)
    with db.write() as s:
        user = acting_user(s, actor, STOCK_ROLES)
        p = product_by_sku(s, sku)
        where = write_shop(s, user, shop)

        def work() -> str:
            if location == "sellable":
                value = abs(delta) * p.unit_cost_fen
            elif delta < 0:
                value = _defective_value(s, p, -delta, where)
            else:
                value = delta * _defective_unit_cost(s, p, where)
            signed = value if delta > 0 else -value
            account = INVENTORY if location == "sellable" else DEFECTIVE
            move_stock(
                s,
                p,
                location,
                delta,
                "adjust",
                user.name,
                now,
                note=reason,
                value_fen=signed if location == "defective" else 0,
                shop=where,
            )
            lines = [(account, value, 0), (WRITE_OFF, 0, value)]
            if delta < 0:
                lines = [(WRITE_OFF, value, 0), (account, 0, value)]
            post_entry(s, "stock_adjust", now, user.name, lines,
                       memo=f"{p.sku} {delta:+d} {reason}",
                       shop=where)
            append_audit(
                s,
                user.name,
                "stock_adjust",
                now,
                detail={
                    "sku": p.sku,
                    "location": location,
                    "qty": delta,
                    "value": value,
                    "reason": reason,
                    "shop": where,
                },
                request_id=request_id,
            )
            return p.sku

        once_per_request(
            s, request_id, "stock_adjust", [user.name, p.sku, location, delta, reason, where],
            work, now
        )
        return stock_rows(s, [p.id or 0], where)[0]


def _defective_unit_cost(s: Session, product: Product, shop: str) -> int:
    """Unit cost for defective units found by a count: the average held, else today's cost."""
    held, value = _defective_held(s, product, shop)
    return value // held if held > 0 else product.unit_cost_fen


def set_reorder_point(
    db: Database,
    actor: str,
    sku: str,
    reorder_point: int,
    request_id: str | None = None,
    now: datetime | None = None,
) -> StockRow:
    """Set the sellable level at or under which a product is low; the alert follows at once."""
    now = now or utcnow()
    reorder_point = qty_value(reorder_point, "reorder_point", allow_zero=True)
    with db.write() as s:
        user = acting_user(s, actor, STOCK_ROLES)
        p = product_by_sku(s, sku)

        def work() -> str:
            before = p.reorder_point
            p.reorder_point = reorder_point
            s.add(p)
            s.flush()
            # The point is the chain's; each shop's alert follows its own sellable stock, in
            # the shops that stock the product (a single shop: always).
            only = only_shop(s)
            stocked = [only] if only is not None else s.exec(
                select(StockLevel.shop).where(StockLevel.product_id == p.id,
                                              StockLevel.location == "sellable")
                .order_by(col(StockLevel.shop))).all()
            for where in stocked:
                check_alert(s, p, sellable_of(s, p.id or 0, where), now, where)
            append_audit(
                s,
                user.name,
                "reorder_point",
                now,
                detail={"sku": p.sku, "from": before, "to": reorder_point},
                request_id=request_id,
            )
            return p.sku

        once_per_request(s, request_id, "reorder_point", [user.name, p.sku, reorder_point],
                         work, now)
        return stock_rows(s, [p.id or 0], user.shop)[0]


def dispose_defective(
    db: Database,
    actor: str,
    sku: str,
    qty: int,
    action: str,
    note: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> StockRow:
    """Repair a shop's defective units back to sellable (repair) or write them off (scrap).

    The defective value moves to inventory (1405) on repair, to write-off (6711) on scrap."""
    now = now or utcnow()
    action = choice_of(action, DEFECTIVE_ACTIONS, "action")
    qty = qty_value(qty, "qty")
    note = text_value(note, "note")
    with db.write() as s:
        user = acting_user(s, actor, STOCK_ROLES)
        p = product_by_sku(s, sku)
        where = write_shop(s, user, shop)

        def work() -> str:
            value = _defective_value(s, p, qty, where)
            to = "sellable" if action == "repair" else "scrap"
            move_stock(s, p, "defective", -qty, action, user.name, now, note=note, value_fen=-value,
                       shop=where)
            move_stock(s, p, to, qty, action, user.name, now, note=note, shop=where)
            account = INVENTORY if action == "repair" else WRITE_OFF
            post_entry(
                s,
                f"defective_{action}",
                now,
                user.name,
                [(account, value, 0), (DEFECTIVE, 0, value)],
                memo=f"{p.sku} x{qty}",
                shop=where,
            )
            append_audit(
                s,
                user.name,
                f"defective_{action}",
                now,
                detail={"sku": p.sku, "qty": qty, "value": value, "note": note, "shop": where},
                request_id=request_id,
            )
            return p.sku

        once_per_request(s, request_id, f"defective_{action}", [user.name, p.sku, qty, note, where],
                         work, now)
        return stock_rows(s, [p.id or 0], where)[0]


def return_to_supplier(
    db: Database,
    actor: str,
    sku: str,
    qty: int,
    supplier: str | None = None,
    expected_credit_fen: int | None = None,
    note: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> SupplierReturnView:
    """Send a shop's defective units back to their supplier (退供应商) as a GT- slip.

    The supplier defaults to the product's; the expected credit defaults to the goods'
    defective value. It reduces accounts payable (2202); any gap to the carried value is
    written off (6711) or, above it, other income (6051)."""
    now = now or utcnow()
    qty = qty_value(qty, "qty")
    note = text_value(note, "note")
    credit = (None if expected_credit_fen is None
              else fen_value(expected_credit_fen, "expected_credit"))
    with db.write() as s:
        user = acting_user(s, actor, STOCK_ROLES)
        p = product_by_sku(s, sku)
        name = text_value(
            supplier if supplier is not None else p.supplier, "supplier", required=True, max_len=200
        )
        where = write_shop(s, user, shop)

        def work() -> str:
            value = _defective_value(s, p, qty, where)
            expected = value if credit is None else credit
            number = next_number(s, "GT", now)
            row = SupplierReturn(
                number=number,
                supplier=name,
                product_id=p.id or 0,
                qty=qty,
                unit_cost_fen=value // qty,
                expected_credit_fen=expected,
                note=note,
                created_by=user.name,
                created_at=now,
                shop=where,
            )
            s.add(row)
            move_stock(
                s,
                p,
                "defective",
                -qty,
                "supplier_return",
                user.name,
                now,
                note=number,
                value_fen=-value,
                shop=where,
            )
            post_entry(
                s,
                "supplier_return",
                now,
                user.name,
                [
                    (PAYABLE, expected, 0),
                    (WRITE_OFF, max(value - expected, 0), 0),
                    (DEFECTIVE, 0, value),
                    (OTHER_INCOME, 0, max(expected - value, 0)),
                ],
                memo=f"{number} {name}",
                shop=where,
            )
            append_audit(
                s,
                user.name,
                "supplier_return",
                now,
                detail={
                    "number": number,
                    "supplier": name,
                    "sku": p.sku,
                    "qty": qty,
                    "value": value,
                    "expected_credit": expected,
                },
                request_id=request_id,
            )
            notify(
                s,
                ("finance",),
                "supplier_return",
                now,
                product=p,
                shop=where,
                number=number,
                supplier=name,
                sku=p.sku,
                qty=qty,
                expected_credit=expected,
            )
            return number

        number, _ = once_per_request(
            s, request_id, "supplier_return", [user.name, p.sku, qty, name, credit, note, where],
            work, now
        )
        return _supplier_return_view(s, number)


def _supplier_return_view(s: Session, number: str) -> SupplierReturnView:
    r, p = s.exec(
        select(SupplierReturn, Product)
        .join(Product, col(Product.id) == col(SupplierReturn.product_id))
        .where(SupplierReturn.number == number)
    ).one()
    value = -int(
        s.exec(
            select(func.coalesce(func.sum(StockMove.value_fen), 0)).where(
                StockMove.kind == "supplier_return", StockMove.note == number
            )
        ).one()
    )
    return SupplierReturnView(
        r.number,
        r.supplier,
        p.sku,
        p.name,
        r.qty,
        value,
        r.expected_credit_fen,
        r.note,
        r.created_by,
        as_utc(r.created_at),
    )


def supplier_returns(
    db: Database, supplier: str | None = None, limit: int = 200, offset: int = 0,
    shop: str | None = None,
) -> list[SupplierReturnView]:
    """Supplier returns, newest first; only one supplier's when `supplier` is given, only
    one shop's when `shop` is."""
    with db.read() as s:
        q = select(SupplierReturn.number)
        if supplier:
            q = q.where(SupplierReturn.supplier == supplier.strip())
        if shop is not None:
            q = q.where(SupplierReturn.shop == shop)
        q = q.order_by(col(SupplierReturn.id).desc()).offset(offset).limit(limit)
        return [_supplier_return_view(s, n) for n in s.exec(q).all()]
