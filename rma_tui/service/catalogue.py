"""Products, customers, original sales (imported in bulk) and purchases from suppliers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, select

from rma_tui.errors import DomainError
from rma_tui.service.channels import channel_value, clearing_account, is_platform
from rma_tui.service.clock import as_utc, check_day, day_bounds, local_day, utcnow
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    ascii_digits,
    check_alert,
    choice_of,
    fen_value,
    move_stock,
    once_per_request,
    post_entries,
    post_entry,
    product_by_sku,
    qty_value,
    stock_rows,
    text_value,
    write_shop,
)
from rma_tui.service.views import CustomerInput, ProductInput, SaleInput, StockRow
from rma_tui.service.vocabulary import (
    BANK,
    CASH,
    COGS,
    INVENTORY,
    PAYABLE,
    PAYMENT_METHODS,
    PURCHASE_ROLES,
    RECEIVABLE,
    REVENUE,
    SALE_CLOCK_SLACK,
    SALES_ROLES,
)
from rma_tui.store.db import Database
from rma_tui.store.models import (
    Customer,
    Product,
    ReceivableMove,
    Sale,
    SaleLine,
    StockAlert,
    StockLevel,
    StockMove,
)


def _check_product(p: ProductInput, where: str = "") -> ProductInput:
    pre = f"{where}" if where else ""
    text_value(p.sku, pre + "sku", required=True, max_len=64)
    text_value(p.name, pre + "name", required=True, max_len=200)
    text_value(p.model, pre + "model", max_len=100)
    text_value(p.category, pre + "category", max_len=64)
    text_value(p.supplier, pre + "supplier", max_len=200)
    text_value(p.barcode, pre + "barcode", max_len=64)
    fen_value(p.unit_price_fen, pre + "unit_price")
    fen_value(p.unit_cost_fen, pre + "unit_cost")
    qty_value(p.reorder_point, pre + "reorder_point", allow_zero=True)
    return p


def _check_customer(c: CustomerInput, where: str = "") -> CustomerInput:
    text_value(c.name, where + "name", required=True, max_len=100)
    phone = text_value(c.phone, where + "phone", required=True, max_len=32)
    if not ascii_digits(phone.replace("-", "").replace("+", "").replace(" ", "")):
        raise DomainError("bad_phone", field=where + "phone", value=phone)
    channel_value(c.channel, where + "channel")
    return c


def add_products(
    db: Database, actor: str, products: Sequence[ProductInput], now: datetime | None = None
) -> int:
    """Add products in one transaction; a duplicate SKU refuses the whole batch."""
    now = now or utcnow()
    for i, p in enumerate(products):
        _check_product(p, f"[{i + 1}].")
    with db.write() as s:
        user = acting_user(s, actor, ("owner", "warehouse"))
        skus = [p.sku.strip() for p in products]
        dup = {k for k in skus if skus.count(k) > 1}
        existing = set(s.exec(select(Product.sku).where(col(Product.sku).in_(skus))).all())
        if dup or existing:
            raise DomainError("sku_exists", field="sku", sku=sorted(dup | existing)[0])
        if products:
            s.execute(
                insert(Product),
                [
                    {
                        "sku": p.sku.strip(),
                        "name": p.name.strip(),
                        "barcode": (p.barcode or None),
                        "model": p.model,
                        "category": p.category,
                        "supplier": p.supplier,
                        "unit_price_fen": p.unit_price_fen,
                        "unit_cost_fen": p.unit_cost_fen,
                        "reorder_point": p.reorder_point,
                    }
                    for p in products
                ],
            )
        append_audit(s, user.name, "product_import", now, detail={"count": len(products)})
    return len(products)


def add_customers(
    db: Database, actor: str, customers: Sequence[CustomerInput], now: datetime | None = None
) -> int:
    """Add customers in one transaction; a duplicate phone refuses the whole batch."""
    now = now or utcnow()
    for i, c in enumerate(customers):
        _check_customer(c, f"[{i + 1}].")
    with db.write() as s:
        user = acting_user(s, actor, ("owner", "clerk"))
        phones = [c.phone.strip() for c in customers]
        dup = {k for k in phones if phones.count(k) > 1}
        existing = set(s.exec(select(Customer.phone).where(col(Customer.phone).in_(phones))).all())
        if dup or existing:
            raise DomainError("phone_exists", field="phone", phone=sorted(dup | existing)[0])
        if customers:
            s.execute(
                insert(Customer),
                [
                    {
                        "name": c.name.strip(),
                        "phone": c.phone.strip(),
                        "channel": c.channel,
                        "credit_fen": 0,
                    }
                    for c in customers
                ],
            )
        append_audit(s, user.name, "customer_import", now, detail={"count": len(customers)})
    return len(customers)


def payment_account(s: Session, method: str, channel: str) -> str:
    """The account a payment method lands in: cash on hand for cash, the platform's clearing
    account (平台往来) for money paid through a platform, the customer's account
    (receivable) for a sale on credit, else the bank."""
    if method == "platform":
        return clearing_account(s, channel)
    if method == "account":
        return RECEIVABLE
    return CASH if method == "cash" else BANK


def record_sales(
    db: Database, actor: str, sales: Sequence[SaleInput], now: datetime | None = None,
    shop: str | None = None,
) -> int:
    """Record (import) original sales of one shop in one transaction, in bulk.

    Each sale takes its goods out of the shop's sellable stock (refused if short) and posts
    revenue and cost. Bulk Core inserts keep a million lines within seconds; the rules are
    the same as for one sale.
    """
    now = now or utcnow()
    with db.write() as s:
        user = acting_user(s, actor, SALES_ROLES)
        where_sold = write_shop(s, user, shop)
        products = {p.sku: p for p in s.exec(select(Product)).all()}
        # Two columns, not ORM objects: a shop may have tens of thousands of customers.
        customers: dict[str, int | None] = {
            phone: cid for phone, cid in s.execute(select(Customer.phone, Customer.id)).all()}
        orders = [x.order_no.strip() for x in sales]
        seen: set[str] = set()
        for i, sale in enumerate(sales):
            where = f"[{i + 1}]."
            order = text_value(sale.order_no, where + "order", required=True, max_len=64)
            if order in seen:
                raise DomainError("order_exists", field=where + "order", order=order)
            seen.add(order)
            if not isinstance(sale.sold_at, datetime):
                raise DomainError("bad_date", field=where + "sold_at", value=str(sale.sold_at))
            check_day(as_utc(sale.sold_at).date(), where + "sold_at")
            # Against the real clock too: `now` may back-date the recording (imports, demo).
            if as_utc(sale.sold_at) > max(now, utcnow()) + SALE_CLOCK_SLACK:  # a typo'd year
                raise DomainError("sold_in_future", field=where + "sold_at",
                                  value=local_day(as_utc(sale.sold_at)))
            channel_value(sale.channel, where + "channel")
            choice_of(sale.payment_method, PAYMENT_METHODS, where + "payment_method")
            if sale.payment_method == "platform" and not is_platform(sale.channel):
                raise DomainError("platform_payment_elsewhere", field=where + "payment_method",
                                  channel=sale.channel)
            if sale.payment_method == "account" and not sale.customer_phone:
                raise DomainError("account_needs_customer", field=where + "customer")
            if sale.customer_phone and sale.customer_phone not in customers:
                raise DomainError(
                    "unknown_customer", field=where + "customer", phone=sale.customer_phone
                )
            if not sale.lines:
                raise DomainError("no_lines", field=where + "lines")
            for j, ln in enumerate(sale.lines):
                lw = f"{where}lines[{j + 1}]."
                if ln.sku not in products:
                    raise DomainError("unknown_sku", field=lw + "sku", sku=ln.sku)
                qty_value(ln.qty, lw + "qty")
                fen_value(ln.unit_price_fen, lw + "unit_price")
                if ln.unit_cost_fen is not None:
                    fen_value(ln.unit_cost_fen, lw + "unit_cost")
        for chunk_start in range(0, len(orders), 5000):
            chunk = orders[chunk_start : chunk_start + 5000]
            hit = s.exec(select(Sale.order_no).where(col(Sale.order_no).in_(chunk))).first()
            if hit:
                raise DomainError("order_exists", field="order", order=hit)
        _bulk_sales(s, sales, products, customers, user.name, now, where_sold)
        append_audit(s, user.name, "sale_import", now,
                     detail={"count": len(sales), "shop": where_sold})
    return len(sales)


def _bulk_sales(
    s: Session,
    sales: Sequence[SaleInput],
    products: dict[str, Product],
    customers: dict[str, int | None],
    user: str,
    now: datetime,
    shop: str,
) -> None:
    sale_rows, line_rows, move_rows = [], [], []
    out: dict[int, int] = {}
    # One journal entry per day, channel and payment method (日结 style) keeps the journal
    # small for big imports while revenue and cost stay exact.
    day_totals: dict[tuple[str, str, str], list[int]] = {}
    # Ids come back from the database (RETURNING), never computed here: PostgreSQL's
    # sequences must stay in step.
    # A Core insert on the table, not the ORM entity: the ORM bulk path splits rows whose
    # None columns differ (sales with and without a customer) into tiny batches and splices
    # their RETURNING rows quadratically (27k mixed sales: 9.8 s instead of 0.4 s).
    sale_table = Sale.__table__  # type: ignore[attr-defined]
    if sales:
        ids = (
            s.execute(
                insert(sale_table).returning(sale_table.c.id, sort_by_parameter_order=True),
                [
                    {
                        "order_no": x.order_no.strip(),
                        "channel": x.channel,
                        "sold_at": as_utc(x.sold_at),
                        "customer_id": customers.get(x.customer_phone or "", None),
                        "payment_method": x.payment_method,
                        "shop": shop,
                    }
                    for x in sales
                ],
            )
            .scalars()
            .all()
        )
    else:
        ids = []
    owed_rows = []
    for sid, sale in zip(ids, sales, strict=True):
        sold_at = as_utc(sale.sold_at)
        if sale.payment_method == "account":  # the customer owes what the sale is worth
            owed_rows.append({
                "customer_id": customers[sale.customer_phone or ""], "shop": shop,
                "delta_fen": sum(ln.qty * ln.unit_price_fen for ln in sale.lines),
                "kind": "sale", "sale_id": sid, "slip_id": None, "note": "",
                "user": user, "at": sold_at})
        sale_rows.append(
            {
                "id": sid,
                "order_no": sale.order_no.strip(),
                "channel": sale.channel,
                "sold_at": sold_at,
                "customer_id": customers.get(sale.customer_phone or "", None),
                "payment_method": sale.payment_method,
            }
        )
        key = (local_day(sold_at), sale.payment_method,
               sale.channel if sale.payment_method == "platform" else "")
        tot = day_totals.setdefault(key, [0, 0])
        for ln in sale.lines:
            p = products[ln.sku]
            cost = p.unit_cost_fen if ln.unit_cost_fen is None else ln.unit_cost_fen
            line_rows.append(
                {
                    "sale_id": sid,
                    "product_id": p.id,
                    "qty": ln.qty,
                    "unit_price_fen": ln.unit_price_fen,
                    "unit_cost_fen": cost,
                    # the sale's own, copied for the reports (see SaleLine)
                    "sold_at": sold_at,
                    "channel": sale.channel,
                    "customer_id": customers.get(sale.customer_phone or "", None),
                    "shop": shop,
                }
            )
            move_rows.append(
                {
                    "product_id": p.id,
                    "location": "sellable",
                    "qty": -ln.qty,
                    "kind": "sale",
                    "sale_id": sid,
                    "note": "",
                    "user": user,
                    "at": sold_at,
                    "shop": shop,
                }
            )
            out[p.id or 0] = out.get(p.id or 0, 0) + ln.qty
            tot[0] += ln.qty * ln.unit_price_fen
            tot[1] += ln.qty * cost
    # Every product's sellable level in one read (locked), not one read per product.
    have = {pid: qty for pid, qty in s.execute(
        select(StockLevel.product_id, StockLevel.qty)
        .where(col(StockLevel.product_id).in_(list(out)), StockLevel.location == "sellable",
               StockLevel.shop == shop)
        .with_for_update()).all()}
    for pid, qty in out.items():
        if have.get(pid, 0) < qty:
            sku = next(p.sku for p in products.values() if p.id == pid)
            raise DomainError("stock_short", field="qty", sku=sku, location="sellable",
                              have=have.get(pid, 0), need=qty, shop=shop)
    if sale_rows:
        # Core, not ORM, for the same reason as the sales above (customer_id may be None).
        s.execute(insert(SaleLine.__table__), line_rows)  # type: ignore[attr-defined]
        s.execute(insert(StockMove.__table__), move_rows)  # type: ignore[attr-defined]
    if owed_rows:
        s.execute(insert(ReceivableMove.__table__), owed_rows)  # type: ignore[attr-defined]
    levels = StockLevel.__table__  # type: ignore[attr-defined]
    if out:  # one executemany for every product
        s.execute(
            update(levels)
            .where(levels.c.product_id == bindparam("pid"), levels.c.location == "sellable",
                   levels.c.shop == shop)
            .values(qty=levels.c.qty - bindparam("taken")),
            [{"pid": pid, "taken": qty} for pid, qty in out.items()])
    # Noon of the shop's local day the sales were made on: the day a close counts them.
    post_entries(s, "sale", user, [
        (day_bounds(date.fromisoformat(day))[0] + timedelta(hours=12),
         [(payment_account(s, method, channel), revenue, 0), (REVENUE, 0, revenue),
          (COGS, cost, 0), (INVENTORY, 0, cost)],
         f"sales {day} {method} {channel}".rstrip())
        for (day, method, channel), (revenue, cost) in sorted(day_totals.items())], shop=shop)
    # Only products whose low-stock state changes need `check_alert` (one read each).
    alerted = set(s.execute(select(StockAlert.product_id).where(
        col(StockAlert.product_id).in_(list(out)), StockAlert.shop == shop,
        col(StockAlert.cleared_at).is_(None))
    ).scalars().all())
    by_id = {p.id: p for p in products.values()}
    for pid, qty in out.items():
        p, left = by_id[pid], have[pid] - qty
        if (left <= p.reorder_point) != (pid in alerted):
            check_alert(s, p, left, now, shop)


def receive_purchase(
    db: Database,
    actor: str,
    sku: str,
    qty: int,
    unit_cost_fen: int | None = None,
    note: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> StockRow:
    """Goods received from a supplier (进货) into a shop: its sellable stock up, inventory
    against payable."""
    now = now or utcnow()
    qty = qty_value(qty, "qty")
    note = text_value(note, "note")
    with db.write() as s:
        user = acting_user(s, actor, PURCHASE_ROLES)
        p = product_by_sku(s, sku)
        into = write_shop(s, user, shop)
        cost = p.unit_cost_fen if unit_cost_fen is None else fen_value(unit_cost_fen, "unit_cost")

        def work() -> str:
            move_stock(s, p, "sellable", qty, "purchase", user.name, now, note=note, shop=into)
            post_entry(
                s,
                "purchase",
                now,
                user.name,
                [(INVENTORY, qty * cost, 0), (PAYABLE, 0, qty * cost)],
                memo=f"{p.sku} x{qty}",
                shop=into,
            )
            append_audit(
                s,
                user.name,
                "purchase",
                now,
                detail={"sku": p.sku, "qty": qty, "cost": cost, "shop": into},
                request_id=request_id,
            )
            return p.sku

        once_per_request(s, request_id, "purchase", [user.name, p.sku, qty, cost, note, into], work,
                         now)
        return stock_rows(s, [p.id or 0], into)[0]
