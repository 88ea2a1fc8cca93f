"""The reads the screens and the CLI use: slips, sales, stock, alerts, notifications, the
counter's searches and the review queue."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, true, update
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.clock import as_utc, utcnow
from rma_tui.service.slip_view import slip_view_of
from rma_tui.service.slips import sale_by_order
from rma_tui.service.unit import (
    acting_user,
    choice_of,
    locked_slip,
    may_work_in,
    policy,
    shop_code,
    stock_rows,
)
from rma_tui.service.views import (
    AlertView,
    CustomerView,
    NotificationView,
    ProductHit,
    QueueItem,
    SaleLineView,
    SaleSummary,
    SaleView,
    SlipSummary,
    SlipView,
    StockRow,
)
from rma_tui.service.vocabulary import MAX_ID, RELEASED, STATUSES
from rma_tui.store.db import Database
from rma_tui.store.models import (
    Customer,
    Notification,
    Product,
    Sale,
    SaleLine,
    Slip,
    SlipLine,
    StockAlert,
    StockLevel,
    User,
)


def get_slip(db: Database, number: str, viewer: str | None = None) -> SlipView:
    """One slip, whole. A `viewer` of one shop may only see that shop's slips
    (shop_denied); without a viewer (or chain-wide) any slip."""
    with db.read() as s:
        slip = locked_slip(s, number, lock=False)
        if viewer:
            who = s.exec(select(User).where(User.name == viewer)).first()
            if who is not None:
                may_work_in(who, slip.shop, "number")
        return slip_view_of(s, slip.number)


def list_slips(
    db: Database,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
    oldest_first: bool = False,
    created_by: str | None = None,
    shop: str | None = None,
) -> list[SlipSummary]:
    """Slips, newest first (or oldest first for work queues), a page at a time; optionally
    only those one user created (a clerk's own drafts), or one shop's."""
    if status is not None:
        choice_of(status, STATUSES, "status")
    with db.read() as s:
        q = select(Slip, Customer).join(
            Customer, col(Customer.id) == col(Slip.customer_id), isouter=True
        )
        if status is not None:
            q = q.where(Slip.status == status)
        if created_by is not None:
            q = q.where(Slip.created_by == created_by)
        if shop is not None:
            q = q.where(Slip.shop == shop)
        order = col(Slip.id).asc() if oldest_first else col(Slip.id).desc()
        q = q.order_by(order).offset(offset).limit(limit)
        return [_summary(sl, c) for sl, c in s.exec(q).all()]


def count_by_status(db: Database, shop: str | None = None) -> dict[str, int]:
    """How many slips are in each state (every state present, zero included), in one shop
    or (None) the whole chain."""
    with db.read() as s:
        q = select(Slip.status, func.count()).group_by(col(Slip.status))
        if shop is not None:
            q = q.where(Slip.shop == shop)
        rows = s.exec(q).all()
        got = {st: int(n) for st, n in rows}
        return {st: got.get(st, 0) for st in STATUSES}


def get_sale(db: Database, order: str) -> SaleView:
    """A sale with sold / returned / returnable per line."""
    with db.read() as s:
        sale = sale_by_order(s, order)
        assert sale is not None
        customer = s.get(Customer, sale.customer_id) if sale.customer_id else None
        # Only this sale's lines: summing every slip line in the shop costs 0.3 s at 100k.
        this_sale = select(SaleLine.id).where(SaleLine.sale_id == sale.id)
        returned = (
            select(SlipLine.sale_line_id, func.sum(SlipLine.qty).label("qty"))
            .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
            .where(col(Slip.status).not_in(RELEASED), col(SlipLine.sale_line_id).in_(this_sale))
            .group_by(col(SlipLine.sale_line_id))
            .subquery()
        )
        rows = s.exec(
            select(SaleLine, Product, func.coalesce(returned.c.qty, 0))
            .join(Product, col(Product.id) == col(SaleLine.product_id))
            .join(returned, returned.c.sale_line_id == col(SaleLine.id), isouter=True)
            .where(SaleLine.sale_id == sale.id)
            .order_by(col(SaleLine.id))
        ).all()
        lines = [
            SaleLineView(p.sku, p.name, sl.qty, int(r), sl.qty - int(r), sl.unit_price_fen)
            for sl, p, r in rows
        ]
        return SaleView(
            sale.order_no,
            as_utc(sale.sold_at),
            sale.channel,
            customer.name if customer else None,
            customer.phone if customer else None,
            sale.payment_method,
            sum(sl.qty * sl.unit_price_fen for sl, _, _ in rows),
            lines,
        )


def list_sales(
    db: Database, customer_phone: str | None = None, limit: int = 50, offset: int = 0
) -> list[SaleSummary]:
    """Sales, newest first, optionally of one customer (by phone)."""
    with db.read() as s:
        total = (
            select(SaleLine.sale_id, func.sum(SaleLine.qty * SaleLine.unit_price_fen).label("t"))
            .group_by(col(SaleLine.sale_id))
            .subquery()
        )
        q = (
            select(Sale, Customer, total.c.t)
            .join(Customer, col(Customer.id) == col(Sale.customer_id), isouter=True)
            .join(total, total.c.sale_id == col(Sale.id))
        )
        if customer_phone:
            cust = s.exec(select(Customer).where(Customer.phone == customer_phone.strip())).first()
            if cust is None:
                raise DomainError("unknown_customer", field="customer", phone=customer_phone)
            q = q.where(Sale.customer_id == cust.id)
        q = q.order_by(col(Sale.sold_at).desc(), col(Sale.id).desc()).offset(offset).limit(limit)
        return [
            SaleSummary(
                sale.order_no, as_utc(sale.sold_at), sale.channel, c.name if c else None,
                int(t or 0)
            )
            for sale, c, t in s.exec(q).all()
        ]


def stock(db: Database, low_only: bool = False, shop: str | None = None) -> list[StockRow]:
    """Stock per product in every location, by SKU: one shop's, or (None) the chain's."""
    with db.read() as s:
        rows = stock_rows(s, shop=shop)
        return [r for r in rows if r.low] if low_only else rows


def alerts(db: Database, shop: str | None = None) -> list[AlertView]:
    """Open low-stock alerts, oldest first: one shop's, or (None) every shop's."""
    with db.read() as s:
        q = (
            select(StockAlert, Product, StockLevel.qty)
            .join(Product, col(Product.id) == col(StockAlert.product_id))
            .join(
                StockLevel,
                (col(StockLevel.product_id) == col(Product.id))
                & (StockLevel.location == "sellable")
                & (col(StockLevel.shop) == col(StockAlert.shop)),
                isouter=True,
            )
            .where(col(StockAlert.cleared_at).is_(None))
            .order_by(col(StockAlert.raised_at), col(StockAlert.id))  # one order everywhere
        )
        if shop is not None:
            q = q.where(StockAlert.shop == shop)
        return [
            AlertView(p.sku, p.name, int(q or 0), p.reorder_point, as_utc(a.raised_at), a.shop)
            for a, p, q in s.exec(q).all()
        ]


def _for_shop(shop: str | None) -> Any:
    """Notifications a shop's people see: their shop's and the chain's (None: all)."""
    if shop is None:
        return true()
    return or_(col(Notification.shop).is_(None), col(Notification.shop) == shop)


def notifications(
    db: Database, role: str, unread_only: bool = True, limit: int = 50,
    shop: str | None = None,
) -> list[NotificationView]:
    """A role's notifications, newest first; in one shop, that shop's and the chain's."""
    with db.read() as s:
        q = select(Notification).where(Notification.role == role, _for_shop(shop))
        if unread_only:
            q = q.where(col(Notification.read_at).is_(None))
        q = q.order_by(col(Notification.id).desc()).limit(limit)
        out = []
        for n in s.exec(q).all():
            params = json.loads(n.params_json)
            out.append(
                NotificationView(
                    n.id or 0,
                    n.role,
                    n.key,
                    params.get("slip"),
                    params,
                    as_utc(n.created_at),
                    n.read_at is not None,
                )
            )
        return out


def count_notifications(db: Database, role: str, shop: str | None = None) -> int:
    """How many unread notifications a role has (in one shop: its and the chain's)."""
    with db.read() as s:
        return int(
            s.exec(
                select(func.count())
                .select_from(Notification)
                .where(Notification.role == role, col(Notification.read_at).is_(None),
                       _for_shop(shop))
            ).one()
        )


def mark_notifications_read(
    db: Database, actor: str, ids: Sequence[int] | None = None, now: datetime | None = None,
    shop: str | None = None,
) -> int:
    """Mark the actor's role's notifications read (all, or the given ids): those the actor
    sees — in their own shop, or for a chain-wide user in `shop` (None: every shop)."""
    now = now or utcnow()
    with db.write() as s:
        user = acting_user(s, actor)
        if shop is not None:
            shop = shop_code(s, shop)
            may_work_in(user, shop)
        q = update(Notification).where(
            col(Notification.role) == user.role,
            col(Notification.read_at).is_(None),
            _for_shop(user.shop or shop),
        )
        if ids is not None:
            ids = list(ids)
            for i in ids:
                if isinstance(i, bool) or not isinstance(i, int) or not 0 < i <= MAX_ID:
                    raise DomainError("not_integer", field="ids", value=str(i))
            q = q.where(col(Notification.id).in_(ids))
        return int(s.execute(q.values(read_at=now)).rowcount or 0)  # type: ignore[attr-defined]


# Failed policy rules as the review queue names them.
RULE_FLAGS = {
    "window": "late",
    "amount": "over_limit",
    "original_sale": "no_sale",
    "excluded_category": "excluded",
    "condition": "opened",
}


REPEAT_WINDOW_DAYS = 365


def _sale_summaries(s: Session, sale_ids: Sequence[int]) -> list[SaleSummary]:
    if not sale_ids:
        return []
    total = (
        select(SaleLine.sale_id, func.sum(SaleLine.qty * SaleLine.unit_price_fen).label("t"))
        .where(col(SaleLine.sale_id).in_(list(sale_ids)))
        .group_by(col(SaleLine.sale_id))
        .subquery()
    )
    rows = s.exec(
        select(Sale, Customer, total.c.t)
        .join(Customer, col(Customer.id) == col(Sale.customer_id), isouter=True)
        .join(total, total.c.sale_id == col(Sale.id))
    ).all()
    by_id = {
        sale.id: SaleSummary(
            sale.order_no, as_utc(sale.sold_at), sale.channel, c.name if c else None, int(t or 0)
        )
        for sale, c, t in rows
    }
    return [by_id[i] for i in sale_ids if i in by_id]


def find_sales(db: Database, query: str, limit: int = 20) -> list[SaleSummary]:
    """Original sales matching what a clerk typed or scanned: an order number (exact, then
    prefix), a customer's phone, or a product's barcode or SKU; newest first."""
    q = (query or "").strip()
    if not q or len(q) > 64:
        return []
    with db.read() as s:
        ids: list[int] = []

        def add(found: Iterable[int | None]) -> None:
            for i in found:
                if i is not None and i not in ids and len(ids) < limit:
                    ids.append(i)

        add(s.exec(select(Sale.id).where(Sale.order_no == q)).all())
        add(
            s.exec(
                select(Sale.id)
                .where(col(Sale.order_no).ilike(f"{q}%"))
                .order_by(col(Sale.sold_at).desc())
                .limit(limit)
            ).all()
        )
        cust = s.exec(select(Customer.id).where(Customer.phone == q)).first()
        if cust is not None:
            add(
                s.exec(
                    select(Sale.id)
                    .where(Sale.customer_id == cust)
                    .order_by(col(Sale.sold_at).desc())
                    .limit(limit)
                ).all()
            )
        prod = s.exec(
            select(Product.id).where(or_(col(Product.barcode) == q, col(Product.sku) == q))
        ).first()
        if prod is not None:
            add(
                s.exec(
                    select(Sale.id)
                    .join(SaleLine, col(SaleLine.sale_id) == col(Sale.id))
                    .where(SaleLine.product_id == prod)
                    .order_by(col(Sale.sold_at).desc())
                    .limit(limit)
                ).all()
            )
        return _sale_summaries(s, ids)


def search_products(
    db: Database, query: str, limit: int = 20, shop: str | None = None
) -> list[ProductHit]:
    """Products by SKU or barcode (exact or prefix) or name/model (containing), with their
    sellable stock in one shop (None: the chain's): the replacement picker of an exchange."""
    q = (query or "").strip()
    with db.read() as s:
        sellable = (
            select(StockLevel.product_id, func.sum(StockLevel.qty).label("qty"))
            .where(StockLevel.location == "sellable",
                   true() if shop is None else StockLevel.shop == shop)
            .group_by(col(StockLevel.product_id))
            .subquery()
        )
        stmt = select(Product, func.coalesce(sellable.c.qty, 0)).join(
            sellable, sellable.c.product_id == col(Product.id), isouter=True
        )
        if q:
            like = f"%{q}%"
            stmt = stmt.where(
                or_(
                    # ilike: SQLite's LIKE ignores ASCII case, PostgreSQL's does not
                    col(Product.sku).ilike(f"{q}%"),
                    col(Product.barcode) == q,
                    col(Product.name).ilike(like),
                    col(Product.model).ilike(like),
                )
            )
        rows = s.exec(stmt.order_by(col(Product.sku)).limit(limit)).all()
        return [
            ProductHit(p.sku, p.barcode, p.name, p.model, p.category, p.unit_price_fen, int(qty))
            for p, qty in rows
        ]


def find_customers(db: Database, query: str, limit: int = 20) -> list[CustomerView]:
    """Customers by phone (prefix) or name (containing)."""
    q = (query or "").strip()
    if not q:
        return []
    with db.read() as s:
        rows = s.exec(
            select(Customer)
            .where(or_(col(Customer.phone).like(f"{q}%"), col(Customer.name).ilike(f"%{q}%")))
            .order_by(col(Customer.phone))
            .limit(limit)
        ).all()
        return [CustomerView(c.name, c.phone, c.channel, c.credit_fen) for c in rows]


def find_slips(
    db: Database, query: str, limit: int = 20, shop: str | None = None
) -> list[SlipSummary]:
    """Slips whose number contains what was typed (e.g. `0012` or `TH-20261127`), in one
    shop or (None) the chain."""
    q = (query or "").strip().upper()
    if not q:
        return []
    with db.read() as s:
        rows = s.exec(
            select(Slip, Customer)
            .join(Customer, col(Customer.id) == col(Slip.customer_id), isouter=True)
            .where(col(Slip.number).like(f"%{q}%"),
                   true() if shop is None else Slip.shop == shop)
            .order_by(col(Slip.id).desc())
            .limit(limit)
        ).all()
        return [_summary(sl, c) for sl, c in rows]


def _summary(sl: Slip, c: Customer | None) -> SlipSummary:
    return SlipSummary(
        sl.number,
        sl.type,
        sl.status,
        sl.channel,
        c.name if c else None,
        sl.created_by,
        as_utc(sl.created_at),
        sl.refund_fen,
        sl.difference_fen,
        sl.shop,
        sl.platform_ref,
        sl.platform_status,
        sl.waybill_no,
    )


def review_queue(
    db: Database, limit: int = 50, offset: int = 0, shop: str | None = None
) -> list[QueueItem]:
    """Submitted slips, oldest first, each with its flags: the failed policy rules (late,
    over the auto-approve amount, no original sale, excluded, opened) and repeat returner
    (the customer's slips in the year before reach the policy's threshold, in any shop of
    the chain). One shop's slips, or (None) every shop's."""
    threshold = policy().repeat_returner_threshold
    with db.read() as s:
        rows = s.exec(
            select(Slip, Customer, Sale)
            .join(Customer, col(Customer.id) == col(Slip.customer_id), isouter=True)
            .join(Sale, col(Sale.id) == col(Slip.sale_id), isouter=True)
            .where(Slip.status == "submitted", true() if shop is None else Slip.shop == shop)
            .order_by(col(Slip.id))
            .offset(offset)
            .limit(limit)
        ).all()
        out = []
        for sl, c, sale in rows:
            flags = [
                RULE_FLAGS.get(r["rule"], r["rule"])
                for r in (json.loads(sl.verdict_json) if sl.verdict_json else [])
                if not r["ok"]
            ]
            if c is not None and slips_in_year(s, c.id or 0, as_utc(sl.created_at)) >= threshold:
                flags.append("repeat_returner")
            out.append(
                QueueItem(
                    sl.number,
                    sl.type,
                    sl.channel,
                    c.name if c else None,
                    c.phone if c else None,
                    sale.order_no if sale else None,
                    sl.created_by,
                    as_utc(sl.created_at),
                    sl.gross_fen,
                    sl.refund_fen,
                    sl.difference_fen,
                    tuple(flags),
                    sl.platform_ref,
                    sl.platform_status,
                )
            )
        return out


def repeat_window(customer_id: Any, until: datetime) -> list[Any]:
    """The repeat-returner rule's slips as SQL conditions: the customer's slips not
    cancelled, created in the REPEAT_WINDOW_DAYS up to `until` (review queue and customers
    screen count the same slips)."""
    return [
        Slip.customer_id == customer_id,
        col(Slip.status) != "cancelled",
        col(Slip.created_at) > until - timedelta(days=REPEAT_WINDOW_DAYS),
        col(Slip.created_at) <= until,
    ]


def slips_in_year(s: Session, customer_id: int, until: datetime) -> int:
    """How many slips the customer had in the repeat-returns window ending at `until`."""
    return int(
        s.exec(
            select(func.count()).select_from(Slip).where(*repeat_window(customer_id, until))
        ).one()
    )
