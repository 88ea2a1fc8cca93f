"""The shops of a chain (门店): opening and renaming them, which shop a user's reads show,
and stock moved between shops (调拨)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from rma_tui.errors import DomainError
from rma_tui.service.clock import as_utc, utcnow
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    may_work_in,
    move_stock,
    notify,
    once_per_request,
    post_entry,
    product_by_sku,
    qty_value,
    sellable_of,
    shop_code,
    text_value,
)
from rma_tui.service.views import ShopView, TransferView
from rma_tui.service.vocabulary import (
    INVENTORY,
    SHOP_CODE_CHARS,
    SHOP_ROLES,
    TRANSFER_ROLES,
    TRANSFERS,
    WAREHOUSE_ROLES,
)
from rma_tui.store.db import Database
from rma_tui.store.models import Setting, Shop, User


def add_shop(
    db: Database,
    actor: str,
    code: str,
    name: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> ShopView:
    """Open a shop in the chain: a short code (letters, digits, - or _) and a name.

    Only a chain-wide owner may. The code goes on every slip, sale and stock row of the
    shop and never changes."""
    now = now or utcnow()
    code = text_value(code, "code", required=True, max_len=16).lower()
    if not set(code) <= SHOP_CODE_CHARS:
        raise DomainError("bad_shop_code", field="code", code=code)
    name = text_value(name, "name", required=True, max_len=100)
    with db.write() as s:
        user = acting_user(s, actor, SHOP_ROLES)
        if user.shop is not None:
            raise DomainError("shop_denied", field="user", user=user.name, shop="*",
                              own=user.shop)

        def work() -> str:
            if s.get(Shop, code) is not None:
                raise DomainError("shop_exists", field="code", code=code)
            s.add(Shop(code=code, name=name, created_at=now))
            append_audit(s, user.name, "shop_add", now, detail={"code": code, "name": name},
                         request_id=request_id)
            return code

        once_per_request(s, request_id, "shop_add", [user.name, code, name], work, now)
        row = s.get(Shop, code)
        assert row is not None
        return ShopView(row.code, row.name, as_utc(row.created_at))


def rename_shop(
    db: Database,
    actor: str,
    code: str,
    name: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> ShopView:
    """Give a shop a new name (its code stays: it is on every row). A chain-wide owner may
    rename any shop, a shop's owner their own (e.g. `main` after `rma init`)."""
    now = now or utcnow()
    name = text_value(name, "name", required=True, max_len=100)
    with db.write() as s:
        user = acting_user(s, actor, SHOP_ROLES)
        code = shop_code(s, code, "code")
        may_work_in(user, code, "code")
        row = s.get(Shop, code)
        assert row is not None

        def work() -> str:
            before = row.name
            row.name = name
            s.add(row)
            append_audit(s, user.name, "shop_rename", now,
                         detail={"code": code, "from": before, "to": name}, request_id=request_id)
            return code

        once_per_request(s, request_id, "shop_rename", [user.name, code, name], work, now)
        return ShopView(row.code, row.name, as_utc(row.created_at))


def list_shops(db: Database) -> list[ShopView]:
    """Every shop of the chain, by code (a single shop has just `main`)."""
    with db.read() as s:
        return [ShopView(r.code, r.name, as_utc(r.created_at))
                for r in s.exec(select(Shop).order_by(col(Shop.code))).all()]


def view_shop(db: Database, user: str | None, shop: str | None = None) -> str | None:
    """Which shop a user's reads show: the shop asked for (if they may see it), else their
    own shop, else None (every shop: a chain-wide user, or no user at all on the shop's own
    machine). A clerk of one shop asking for another is refused, not quietly shown theirs."""
    with db.read() as s:
        who = None
        if user:
            who = s.exec(select(User).where(User.name == user)).first()
        if shop is not None:
            shop = shop_code(s, shop)
            if who is not None:
                may_work_in(who, shop)
            return shop
        return who.shop if who is not None else None


def transfer_stock(
    db: Database,
    actor: str,
    sku: str,
    qty: int,
    from_shop: str,
    to_shop: str,
    note: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
) -> TransferView:
    """Move sellable units from one shop to another (调拨): a transfer_out move in the
    sending shop and a transfer_in move in the receiving one, in one transaction.

    Valued at the product's cost: the sender's inventory (1405) goes to the inter-shop
    account (1409) and the receiver's comes from it, so each shop's books stay true and the
    chain's 1409 nets to zero. A user of one shop may only send from it."""
    now = now or utcnow()
    qty = qty_value(qty, "qty")
    note = text_value(note, "note")
    with db.write() as s:
        user = acting_user(s, actor, TRANSFER_ROLES)
        p = product_by_sku(s, sku)
        src = shop_code(s, from_shop, "from_shop")
        dst = shop_code(s, to_shop, "to_shop")
        may_work_in(user, src, "from_shop")
        if src == dst:
            raise DomainError("transfer_same_shop", field="to_shop", shop=src)
        value = qty * p.unit_cost_fen

        def work() -> str:
            memo = f"{p.sku} x{qty} {src}->{dst}"
            move_stock(s, p, "sellable", -qty, "transfer_out", user.name, now, note=note or memo,
                       shop=src)
            move_stock(s, p, "sellable", qty, "transfer_in", user.name, now, note=note or memo,
                       shop=dst)
            post_entry(s, "transfer", now, user.name,
                       [(TRANSFERS, value, 0), (INVENTORY, 0, value)],
                       memo=memo, shop=src)
            post_entry(s, "transfer", now, user.name,
                       [(INVENTORY, value, 0), (TRANSFERS, 0, value)],
                       memo=memo, shop=dst)
            append_audit(s, user.name, "transfer", now,
                         detail={"sku": p.sku, "qty": qty, "from": src, "to": dst, "value": value,
                           "note": note}, request_id=request_id)
            notify(s, WAREHOUSE_ROLES, "transfer_in", now, product=p, shop=dst, sku=p.sku,
                   name=p.name, qty=qty, src=src)
            return p.sku

        once_per_request(s, request_id, "transfer", [user.name, p.sku, qty, src, dst, note], work,
                         now)
        return TransferView(p.sku, qty, src, dst, value, sellable_of(s, p.id or 0, src),
                            sellable_of(s, p.id or 0, dst))


def get_setting(db: Database, key: str, default: str = "") -> str:
    """A shop setting."""
    with db.read() as s:
        row = s.get(Setting, key)
        return row.value if row else default


def set_setting(
    db: Database, actor: str, key: str, value: str, now: datetime | None = None
) -> None:
    """Change a shop setting (owner only)."""
    now = now or utcnow()
    key = text_value(key, "key", required=True, max_len=64)
    value = text_value(value, "value")
    with db.write() as s:
        user = acting_user(s, actor, ("owner",))
        row = s.get(Setting, key) or Setting(key=key)
        row.value = value
        s.add(row)
        append_audit(s, user.name, "setting", now, detail={"key": key, "value": value})
