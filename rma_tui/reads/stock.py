"""Reads of the stock area: the paged stock list, a product's ledger, supplier returns.

Each read is one SQL query (aggregation in the database, never a loop over rows in
Python) and returns frozen dataclasses. Nothing here writes.

Shops: stock levels, moves and supplier returns belong to a shop. Each read takes
``shop``: one shop's rows, or (None) the whole chain's, levels summed over the shops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlmodel import col

from rma_tui.reads.reports import shop_conds as _shop
from rma_tui.store.models import (
    DEFAULT_SHOP,
    Product,
    Slip,
    StockLevel,
    StockMove,
    SupplierReturn,
)

if TYPE_CHECKING:
    from rma_tui.service import SupplierReturnView
    from rma_tui.store.db import Database

# Rows per page where the caller does not say.
PAGE = 50


@dataclass(frozen=True)
class StockItem:
    """One product's stock in every location, with what a search matches on."""

    sku: str
    name: str
    category: str
    supplier: str
    sellable: int
    pending: int
    defective: int
    scrap: int
    reorder_point: int
    unit_cost_fen: int

    @property
    def low(self) -> bool:
        """True when sellable stock is at or under the reorder point."""
        return self.sellable <= self.reorder_point


@dataclass(frozen=True)
class LedgerRow:
    """One stock move of a product: what, where, how many, on which slip, by whom, when."""

    id: int
    at: datetime
    kind: str
    location: str
    qty: int
    slip: str | None  # the return/exchange slip number (TH-/HH-), if any
    supplier_return: str | None  # the GT- number of a supplier return
    user: str
    note: str
    shop: str = DEFAULT_SHOP  # the shop whose stock moved


@dataclass(frozen=True)
class SupplierSummary:
    """Supplier returns of one supplier, added up."""

    supplier: str
    returns: int
    units: int
    value_fen: int  # what the goods were carried at
    expected_credit_fen: int


def _like(query: str) -> str:
    """A LIKE pattern matching `query` anywhere, with the wildcards in it taken literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _utc(at: datetime) -> datetime:
    from rma_tui.service import as_utc

    return as_utc(at)


def _stock_query(shop: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Products joined to their levels (one shop's, or every shop's), summed per location
    (conditional sums)."""
    from rma_tui.store.models import LOCATIONS

    sums = {
        loc: func.coalesce(func.sum(
            case((col(StockLevel.location) == loc, col(StockLevel.qty)), else_=0)), 0)
        for loc in LOCATIONS
    }
    on = col(StockLevel.product_id) == col(Product.id)
    if shop is not None:  # in the join: a product with no stock in the shop still shows
        on = on & (col(StockLevel.shop) == shop)
    q = (
        select(col(Product.sku), col(Product.name), col(Product.category),
               col(Product.supplier), col(Product.reorder_point), col(Product.unit_cost_fen),
               *sums.values())
        .join(StockLevel, on, isouter=True)
        .group_by(col(Product.id), col(Product.sku), col(Product.name), col(Product.category),
                  col(Product.supplier), col(Product.reorder_point), col(Product.unit_cost_fen))
        .order_by(col(Product.sku))
    )
    return q, sums


def _items(db: Database, q: Any) -> list[StockItem]:
    with db.read() as s:
        return [
            StockItem(sku, name, category or "", supplier or "", int(a), int(b), int(c), int(d),
                      int(rp), int(cost))
            for sku, name, category, supplier, rp, cost, a, b, c, d in s.execute(q).all()
        ]


def stock_items(db: Database, query: str = "", low_only: bool = False,
                defective_only: bool = False, limit: int = PAGE,
                offset: int = 0, shop: str | None = None) -> list[StockItem]:
    """A page of products with their stock, by SKU: in `shop`, or (None) summed over the
    chain.

    `query` matches SKU, barcode, name, category or supplier (case-insensitive, anywhere);
    `low_only` keeps products at or under their reorder point, `defective_only` those with
    defective units. One query: levels summed per location with conditional sums."""
    q, sums = _stock_query(shop)
    text = query.strip()
    if text:
        pattern = _like(text)
        q = q.where(or_(*(
            func.lower(func.coalesce(field, "")).like(pattern, escape="\\")
            for field in (col(Product.sku), col(Product.barcode), col(Product.name),
                          col(Product.category), col(Product.supplier))
        )))
    having = []
    if low_only:
        having.append(sums["sellable"] <= col(Product.reorder_point))
    if defective_only:
        having.append(sums["defective"] > 0)
    if having:
        q = q.having(and_(*having))
    return _items(db, q.limit(limit).offset(offset))


def stock_item(db: Database, sku: str, shop: str | None = None) -> StockItem | None:
    """One product's stock in `shop` or the chain (None for an unknown SKU)."""
    q, _ = _stock_query(shop)
    rows = _items(db, q.where(col(Product.sku) == sku))
    return rows[0] if rows else None


def ledger(db: Database, sku: str, limit: int = PAGE, offset: int = 0,
           shop: str | None = None) -> list[LedgerRow]:
    """A product's stock moves, newest first, each with its shop; only `shop`'s moves when
    given (an empty list for an unknown SKU)."""
    # A supplier return's move carries its GT- number in the note (service.return_to_supplier).
    gt = case((col(StockMove.kind) == "supplier_return", col(StockMove.note)),
              else_=cast(literal(None), String))
    q = (
        select(col(StockMove.id), col(StockMove.at), col(StockMove.kind),
               col(StockMove.location), col(StockMove.qty), col(Slip.number), gt,
               col(StockMove.user), col(StockMove.note), col(StockMove.shop))
        .join(Product, col(Product.id) == col(StockMove.product_id))
        .join(Slip, col(Slip.id) == col(StockMove.slip_id), isouter=True)
        .where(col(Product.sku) == sku, *_shop(StockMove.shop, shop))
        .order_by(col(StockMove.at).desc(), col(StockMove.id).desc())
        .limit(limit).offset(offset)
    )
    with db.read() as s:
        return [
            LedgerRow(int(i), _utc(at), kind, location, int(qty), number, ret, user,
                      "" if ret is not None else (note or ""), where)
            for i, at, kind, location, qty, number, ret, user, note, where
            in s.execute(q).all()
        ]


def supplier_summaries(db: Database, limit: int = PAGE, offset: int = 0,
                       shop: str | None = None) -> list[SupplierSummary]:
    """Supplier returns per supplier (most units first, then by name); `shop`'s only, when
    given."""
    # The carried value of each return is what its move took out of defective stock.
    value = (
        select(col(StockMove.note).label("number"),
               func.sum(-col(StockMove.value_fen)).label("value"))
        .where(col(StockMove.kind) == "supplier_return")
        .group_by(col(StockMove.note))
        .subquery()
    )
    units = func.sum(col(SupplierReturn.qty))
    q = (
        select(col(SupplierReturn.supplier), func.count(col(SupplierReturn.id)), units,
               func.coalesce(func.sum(value.c.value), 0),
               func.sum(col(SupplierReturn.expected_credit_fen)))
        .join(value, value.c.number == col(SupplierReturn.number), isouter=True)
        .where(*_shop(SupplierReturn.shop, shop))
        .group_by(col(SupplierReturn.supplier))
        .order_by(units.desc(), col(SupplierReturn.supplier))
        .limit(limit).offset(offset)
    )
    with db.read() as s:
        return [SupplierSummary(name, int(n), int(u), int(v), int(c))
                for name, n, u, v, c in s.execute(q).all()]


def supplier_return_list(db: Database, supplier: str | None = None, limit: int = PAGE,
                         offset: int = 0, shop: str | None = None) -> list[SupplierReturnView]:
    """Supplier returns newest first, only `supplier`'s / `shop`'s when given (the
    service's read)."""
    from rma_tui import service

    return service.supplier_returns(db, supplier=supplier, limit=limit, offset=offset,
                                    shop=shop)
