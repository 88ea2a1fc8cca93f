"""The unit of work and what every write shares: validators that name the bad field, the
policy in force, the acting user and the shop a write lands in, request ids applied once
(I7), the hash-chained audit trail (I6), notifications, journal postings that balance (I2),
stock moves that keep levels equal to moves and never negative (I1), and the reads a write
needs (a product, a locked slip, what was already returned, what is on the shelf).

The names here are the package's own helpers: the other service modules use them, nothing
outside `rma_tui.service` does."""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, or_, update
from sqlmodel import Session, col, select

from rma_tui.datebounds import MAX_YEAR, MIN_YEAR
from rma_tui.errors import DomainError
from rma_tui.policy import Policy, current_policy, set_current_policy
from rma_tui.service.clock import as_utc, local_day
from rma_tui.service.views import StockRow
from rma_tui.service.vocabulary import MAX_FEN, MAX_QTY, MAX_TEXT, NEXT_ROLES, RELEASED, TRANSITIONS
from rma_tui.store.cells import datetime_ok
from rma_tui.store.models import (
    LOCATIONS,
    AuditEvent,
    ChainHead,
    Counter,
    DailyClose,
    JournalEntry,
    Notification,
    Posting,
    Product,
    RequestRecord,
    Shop,
    Slip,
    SlipLine,
    StockAlert,
    StockLevel,
    StockMove,
    User,
)


def text_value(
    value: str | None, field_name: str, required: bool = False, max_len: int = MAX_TEXT
) -> str:
    """Text a person typed, stripped; a DomainError naming `field_name` when it is required and
    empty, too long, or not storable text."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError("required", field=field_name)
    if len(value) > max_len:
        raise DomainError("too_long", field=field_name, max=max_len)
    if not _storable(value):
        raise DomainError("bad_text", field=field_name)
    return value


# Control characters a text may hold: tab and line breaks. Any other (ESC, BEL, DEL, the C1
# set ...) could repaint a clerk's terminal when the text is shown, or hide what it says.
_ALLOWED_CONTROLS = frozenset("\t\r\n")


def _storable(value: str) -> bool:
    """Text that can be stored and shown safely: valid UTF-8 (no lone surrogates, which
    undecodable command-line bytes become) and no control characters but tab and breaks."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
                   for ch in value)


def ascii_digits(value: str) -> bool:
    """Only 0-9: `str.isdigit` also takes full-width and other scripts' digits, which an
    input method may type but a later search or PIN check would never match."""
    return value.isascii() and value.isdigit()


def qty_value(value: Any, field_name: str, allow_zero: bool = False) -> int:
    """A quantity: an int, positive (or zero with `allow_zero`) and at most `MAX_QTY`; else a
    DomainError naming `field_name`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("not_integer", field=field_name, value=str(value))
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError("qty_positive", field=field_name, value=value)
    if value > MAX_QTY:
        raise DomainError("too_large", field=field_name, value=value)
    return value


def fen_value(value: Any, field_name: str) -> int:
    """An amount in integer fen, not negative and at most `MAX_FEN`; else a DomainError naming
    `field_name`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("not_integer", field=field_name, value=str(value))
    if value < 0:
        raise DomainError("money_negative", field=field_name, value=value)
    if value > MAX_FEN:
        raise DomainError("too_large", field=field_name, value=value)
    return value


def choice_of(value: str, allowed: Sequence[str], field_name: str) -> str:
    """`value` when it is one of `allowed`, else a DomainError listing them."""
    if value not in allowed:
        raise DomainError("bad_choice", field=field_name, value=value, allowed=", ".join(allowed))
    return value


def hash_pin(pin: str) -> str:
    """An scrypt hash of a PIN with a fresh salt: `scrypt$n$r$p$salt$hash` (hex)."""
    salt = secrets.token_bytes(16)
    n, r, p = 2**14, 8, 1
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the one whose scrypt hash `hash_pin` stored (a malformed hash: no)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            pin.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
        )
    except ValueError:  # a malformed stored hash never matches
        return False
    return secrets.compare_digest(got.hex(), digest)


def policy() -> Policy:
    """The policy in force (read once per process)."""
    return current_policy()


def set_policy(p: Policy | None) -> None:
    """Replace the policy in force (tests, or a shop reloading its file)."""
    set_current_policy(p)


def acting_user(s: Session, name: str | None, roles: Sequence[str] | None = None) -> User:
    """The active user `name` inside the unit of work; a DomainError when there is none
    (`unknown_user`) or, with `roles`, when their role may not act (`role_refusal`)."""
    if not name:
        raise DomainError("unknown_user", field="user", user="")
    if not _storable(name):  # no such user can exist; and the name must not reach SQL
        raise DomainError("unknown_user", field="user", user=name.encode(
            "utf-8", "backslashreplace").decode("ascii", "backslashreplace"))
    user = s.exec(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        raise DomainError("unknown_user", field="user", user=name)
    if roles is not None:
        refused = role_refusal(user.name, user.role, roles)
        if refused is not None:
            raise refused
    return user


def role_refusal(name: str, role: str, roles: Sequence[str]) -> DomainError | None:
    """The refusal a user of `role` gets for an action open to `roles` (None if allowed).

    The service raises it on every write; screens ask first, so as not to open a dialog for
    an action that would be refused anyway."""
    if role in roles:
        return None
    return DomainError("role_denied", field="user", user=name, role=role, allowed=", ".join(roles))


def shop_code(s: Session, shop: str, field_name: str = "shop") -> str:
    """A shop code that exists (refused by name otherwise); codes are lower case, so
    `EAST` is `east`."""
    shop = text_value(shop, field_name, required=True, max_len=16).lower()
    if s.get(Shop, shop) is None:
        raise DomainError("unknown_shop", field=field_name, shop=shop)
    return shop


def may_work_in(user: User, shop: str, field_name: str = "shop") -> None:
    """Refuse a user of one shop acting in another (a chain-wide user may act anywhere)."""
    if user.shop is not None and user.shop != shop:
        raise DomainError("shop_denied", field=field_name, user=user.name, shop=shop,
                          own=user.shop)


def write_shop(s: Session, user: User, shop: str | None, fallback: str | None = None) -> str:
    """The shop a write goes to: the one named (if the user may work there), else the
    user's own, else `fallback` (a slip's sale's shop), else the chain's only shop.

    A chain-wide user in a chain of several shops must name one: guessing would put stock
    or money in the wrong shop."""
    if shop is not None:
        shop = shop_code(s, shop)
        may_work_in(user, shop)
        return shop
    if user.shop is not None:
        return user.shop
    if fallback is not None:
        return fallback
    only = only_shop(s)
    if only is None:
        raise DomainError("shop_required", field="shop", user=user.name)
    return only


def _fingerprint(operation: str, payload: Any) -> str:
    blob = json.dumps([operation, payload], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def once_per_request(
    s: Session,
    request_id: str | None,
    operation: str,
    payload: Any,
    work: Callable[[], str],
    now: datetime,
) -> tuple[str, bool]:
    """Run `work` once per request id (I7). Returns (result, replayed)."""
    if request_id is None:
        return work(), False
    request_id = text_value(request_id, "request_id", required=True, max_len=128)
    fp = _fingerprint(operation, payload)
    rec = s.get(RequestRecord, request_id)
    if rec is not None:
        if rec.operation != operation or rec.fingerprint != fp:
            raise DomainError("request_id_conflict", field="request_id", request_id=request_id)
        return rec.result, True
    result = work()
    s.add(
        RequestRecord(
            request_id=request_id, operation=operation, fingerprint=fp, result=result, at=now
        )
    )
    s.flush()
    return result, False


# The audit row's columns in the order the chain hashes them.
CHAIN_COLUMNS = ("seq", "at", "user", "action", "slip_id", "from_status", "to_status",
                  "detail_json", "request_id")


UNREADABLE = object()  # a cell that is not what its column holds (bytes, bad UTF-8)


def chain_row_hash(prev_hash: str, values: Sequence[Any]) -> str | None:
    """The chain hash of an audit row given as `CHAIN_COLUMNS` values: sha256(previous
    hash + canonical JSON of the row). None when a value cannot be what the desk wrote
    (an unreadable time or text), so the row hashes to nothing it recorded."""
    seq, at, *rest = values
    when = raw_datetime(at)
    if when is None or not isinstance(seq, int) or any(v is UNREADABLE for v in rest):
        return None
    try:
        canonical = json.dumps([seq, when.isoformat(), *rest], ensure_ascii=False,
                               separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def raw_datetime(value: Any) -> datetime | None:
    """A datetime cell, read with the ORM or without (SQLite hands back text, PostgreSQL a
    datetime), as aware UTC; None when it does not read as one."""
    if isinstance(value, datetime):
        return as_utc(value) if MIN_YEAR <= value.year <= MAX_YEAR else None
    if isinstance(value, str) and datetime_ok(value):
        return as_utc(datetime.fromisoformat(value))
    return None


def event_hash(prev_hash: str, ev: AuditEvent) -> str:
    """The chain hash of an audit event: sha256(previous hash + canonical event); empty
    for an event whose values cannot be hashed (it then breaks the chain visibly)."""
    return chain_row_hash(prev_hash, [getattr(ev, name) for name in CHAIN_COLUMNS]) or ""


def append_audit(
    s: Session,
    user: str,
    action: str,
    now: datetime,
    slip: Slip | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    """Append one event to the hash-chained audit trail (I6) in the same transaction as the
    change it records."""
    head = s.exec(select(ChainHead).where(ChainHead.id == 1).with_for_update()).first()
    if head is None:
        head = ChainHead(id=1, seq=0, hash="0" * 64)
        s.add(head)
        s.flush()
    ev = AuditEvent(
        seq=head.seq + 1,
        at=as_utc(now),
        user=user,
        action=action,
        slip_id=slip.id if slip else None,
        from_status=from_status,
        to_status=to_status,
        detail_json=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str),
        # The same normalised id `once_per_request` records (stripped), or I7's check loses it.
        request_id=(request_id or "").strip() or None,
        prev_hash=head.hash,
        hash="",
    )
    ev.hash = event_hash(head.hash, ev)
    head.seq, head.hash = ev.seq, ev.hash
    s.add(ev)
    s.add(head)
    return ev


def notify(
    s: Session,
    roles: Iterable[str],
    key: str,
    now: datetime,
    slip: Slip | None = None,
    product: Product | None = None,
    shop: str | None = None,
    **params: Any,
) -> None:
    """Tell each role something; only that shop's people (and chain-wide ones) when
    `shop` is given, and a slip's notice goes to the slip's shop."""
    where = slip.shop if slip is not None else shop
    for role in roles:
        s.add(
            Notification(
                role=role,
                key=key,
                shop=where,
                slip_id=slip.id if slip else None,
                product_id=product.id if product else None,
                params_json=json.dumps(
                    {"slip": slip.number if slip else None, **params},
                    ensure_ascii=False,
                    default=str,
                ),
                created_at=now,
            )
        )


def transition(
    s: Session,
    slip: Slip,
    to: str,
    user: str,
    now: datetime,
    action: str,
    detail: dict[str, Any] | None = None,
    request_id: str | None = None,
    notify_roles: Sequence[str] | None = None,
    new: bool = False,
) -> None:
    """Move a slip along the lifecycle (I6): check the edge, audit it, notify who is next.

    `new` marks the slip's first state (the edge from "not yet existing")."""
    before = None if new else slip.status
    if (before, to) not in TRANSITIONS:
        raise DomainError("bad_transition", field="status", slip=slip.number, status=before, to=to)
    slip.status = to
    slip.updated_at = now
    s.add(slip)
    s.flush()
    append_audit(s, user, action, now, slip, before, to, detail, request_id)
    # What was asked of the previous step is done once the slip moves on.
    s.execute(
        update(Notification)
        .where(
            col(Notification.slip_id) == slip.id,
            col(Notification.read_at).is_(None),
            # A follow-up (回访) is done when it is marked done, not when the slip moves on.
            col(Notification.key) != "follow_up",
        )
        .values(read_at=now)
    )
    roles = NEXT_ROLES.get(to, ()) if notify_roles is None else notify_roles
    notify(s, roles, f"slip_{to}", now, slip, by=user)


def post_entry(
    s: Session,
    kind: str,
    now: datetime,
    user: str,
    lines: Sequence[tuple[str, int, int]],
    memo: str = "",
    slip: Slip | None = None,
    sale_id: int | None = None,
    *,
    shop: str | None = None,
) -> None:
    """Write a journal entry from (account, debit, credit) lines; refuse it unless balanced (I2).

    It belongs to `shop`, or to the slip's shop (one of the two must be given)."""
    post_entries(s, kind, user, [(now, lines, memo)], slip_id=slip.id if slip else None,
                 sale_id=sale_id, shop=_shop_of_write(shop, slip))


def post_entries(
    s: Session,
    kind: str,
    user: str,
    entries: Sequence[tuple[datetime, Sequence[tuple[str, int, int]], str]],
    slip_id: int | None = None,
    sale_id: int | None = None,
    *,
    shop: str,
) -> None:
    """Write a shop's journal entries of one kind, each (at, lines, memo) with (account,
    debit, credit) lines; refuse all unless each balances (I2) and none falls on a day the
    shop has closed.
    Three statements whatever their number (an import posts one entry per day and method)."""
    kept = []
    for at, lines, memo in entries:
        lines = [(a, d, c) for a, d, c in lines if d or c]
        if not lines:
            continue
        debit = sum(d for _, d, _ in lines)
        credit = sum(c for _, _, c in lines)
        if debit != credit or any(d < 0 or c < 0 for _, d, c in lines):
            raise DomainError("journal_unbalanced", field="journal", debit=debit, credit=credit)
        # Every total stays bounded, not only each input: an entry of 1,000,000 units at
        # ten billion yuan would make the books' sums overflow (and is a typo anyway).
        if debit > MAX_FEN:
            raise DomainError("amount_too_large", field="amount", amount_fen=debit,
                              limit_fen=MAX_FEN)
        kept.append((at, lines, memo))
    if not kept:
        return
    # A closed day (日结) takes no more postings: its books were counted and signed.
    days = sorted({local_day(at) for at, _, _ in kept})
    closed = s.exec(select(DailyClose.day).where(
        col(DailyClose.day).in_(days), DailyClose.shop == shop)).first()
    if closed is not None:
        raise DomainError("day_closed", field="date", day=closed)
    table = JournalEntry.__table__  # type: ignore[attr-defined]
    ids = s.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [{"at": at, "kind": kind, "memo": memo, "slip_id": slip_id, "sale_id": sale_id,
          "user": user, "shop": shop} for at, _, memo in kept],
    ).scalars().all()
    s.execute(insert(Posting.__table__), [  # type: ignore[attr-defined]
        {"entry_id": entry_id, "account_code": a, "debit_fen": d, "credit_fen": c}
        for entry_id, (_, lines, _) in zip(ids, kept, strict=True) for a, d, c in lines])


def _shop_of_write(shop: str | None, slip: Slip | None) -> str:
    if shop is not None:
        return shop
    if slip is None:  # a programming error, not a user's: every write names its shop
        raise ValueError("a stock move or journal entry needs a shop or a slip")
    return slip.shop


def _level(s: Session, product_id: int, location: str, shop: str) -> StockLevel:
    lvl = s.exec(
        select(StockLevel)
        .where(StockLevel.product_id == product_id, StockLevel.location == location,
               StockLevel.shop == shop)
        .with_for_update()
    ).first()
    if lvl is None:
        lvl = StockLevel(product_id=product_id, location=location, shop=shop, qty=0)
        s.add(lvl)
        s.flush()
    return lvl


def move_stock(
    s: Session,
    product: Product,
    location: str,
    qty: int,
    kind: str,
    user: str,
    now: datetime,
    slip: Slip | None = None,
    sale_id: int | None = None,
    note: str = "",
    value_fen: int = 0,
    *,
    shop: str | None = None,
) -> None:
    """Change stock in one place of one shop by a move (I1): the level follows, never
    below zero. The shop is `shop`, or the slip's (one of the two must be given).

    `value_fen` is the move's value at cost, signed like `qty` (kept for defective stock)."""
    if qty == 0:
        return
    shop = _shop_of_write(shop, slip)
    lvl = _level(s, product.id or 0, location, shop)
    if lvl.qty + qty < 0:
        raise DomainError(
            "stock_short", field="qty", sku=product.sku, location=location, have=lvl.qty,
            need=-qty, shop=shop)
    if lvl.qty + qty > MAX_QTY:
        raise DomainError("stock_too_large", field="qty", sku=product.sku, location=location,
                          have=lvl.qty, qty=qty, limit=MAX_QTY, shop=shop)
    lvl.qty += qty
    s.add(lvl)
    s.add(
        StockMove(
            product_id=product.id or 0,
            location=location,
            qty=qty,
            kind=kind,
            slip_id=slip.id if slip else None,
            sale_id=sale_id,
            note=note,
            user=user,
            at=now,
            value_fen=value_fen,
            shop=shop,
        )
    )
    if location == "sellable":
        check_alert(s, product, lvl.qty, now, shop)


def check_alert(s: Session, product: Product, sellable: int, now: datetime, shop: str) -> None:
    """Raise a shop's low-stock alert when its sellable stock reaches the reorder point;
    clear it above."""
    open_alert = s.exec(
        select(StockAlert).where(
            StockAlert.product_id == product.id, StockAlert.shop == shop,
            col(StockAlert.cleared_at).is_(None)
        )
    ).first()
    low = sellable <= product.reorder_point
    if low and open_alert is None:
        s.add(
            StockAlert(
                product_id=product.id or 0,
                sellable=sellable,
                reorder_point=product.reorder_point,
                raised_at=now,
                shop=shop,
            )
        )
        notify(
            s,
            ("owner",),
            "low_stock",
            now,
            product=product,
            shop=shop,
            sku=product.sku,
            name=product.name,
            sellable=sellable,
            reorder_point=product.reorder_point,
        )
    elif not low and open_alert is not None:
        open_alert.cleared_at = now
        s.add(open_alert)


def product_by_sku(s: Session, sku: str, field_name: str = "sku") -> Product:
    """The product with this SKU, or a DomainError (`unknown_sku`) naming `field_name`."""
    sku = text_value(sku, field_name, required=True, max_len=64)
    p = s.exec(select(Product).where(Product.sku == sku)).first()
    if p is None:
        raise DomainError("unknown_sku", field=field_name, sku=sku)
    return p


def locked_slip(s: Session, number: str, lock: bool = True) -> Slip:
    """The slip `number`, locked for the rest of the unit of work (`lock`), or `unknown_slip`."""
    number = text_value(number, "number", required=True, max_len=32)
    q = select(Slip).where(Slip.number == number)
    if lock:
        q = q.with_for_update()
    slip = s.exec(q).first()
    if slip is None:
        raise DomainError("unknown_slip", field="number", number=number)
    return slip


def next_number(s: Session, prefix: str, now: datetime) -> str:
    """The next slip number of the local day for `prefix` (TH- / HH-), from a locked counter."""
    day = now.astimezone().strftime("%Y%m%d")
    ctr = s.exec(
        select(Counter).where(Counter.prefix == prefix, Counter.day == day).with_for_update()
    ).first()
    if ctr is None:
        ctr = Counter(prefix=prefix, day=day, value=0)
    ctr.value += 1
    s.add(ctr)
    s.flush()
    return f"{prefix}-{day}-{ctr.value:04d}"


def refund_counted() -> Any:
    """The slips whose refund counts against what was paid (I4, I8): settled or closed,
    or refunded by the platform whatever their state (the money is out)."""
    return or_(col(Slip.status).in_(("settled", "closed")), col(Slip.platform_refund_fen) > 0)


def returned_qty(s: Session, sale_line_id: int, exclude_slip_id: int | None = None) -> int:
    """Units of a sale line already on slips that are not rejected or cancelled (for I3),
    leaving out slip `exclude_slip_id`."""
    q = (
        select(func.coalesce(func.sum(SlipLine.qty), 0))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(SlipLine.sale_line_id == sale_line_id, col(Slip.status).not_in(RELEASED))
    )
    if exclude_slip_id is not None:
        q = q.where(Slip.id != exclude_slip_id)
    return int(s.exec(q).one())


def only_shop(s: Session) -> str | None:
    """The chain's shop when it has just one (a single shop), else None."""
    codes = s.exec(select(Shop.code).limit(2)).all()
    return codes[0] if len(codes) == 1 else None


def sellable_of(s: Session, product_id: int, shop: str | None) -> int:
    """A product's sellable units in one shop (None: the whole chain)."""
    q = select(func.coalesce(func.sum(StockLevel.qty), 0)).where(
        StockLevel.product_id == product_id, StockLevel.location == "sellable")
    if shop is not None:
        q = q.where(StockLevel.shop == shop)
    return int(s.exec(q).one())


def stock_rows(
    s: Session, product_ids: Sequence[int] | None = None, shop: str | None = None
) -> list[StockRow]:
    """Products' stock in every location of one shop (None: summed over the chain)."""
    cols = [
        func.coalesce(
            func.sum(case((col(StockLevel.location) == loc, col(StockLevel.qty)), else_=0)), 0
        )
        for loc in LOCATIONS
    ]
    on = col(StockLevel.product_id) == col(Product.id)
    if shop is not None:
        on = on & (col(StockLevel.shop) == shop)
    q = (
        select(Product.sku, Product.name, Product.reorder_point, *cols)
        .join(StockLevel, on, isouter=True)
        .group_by(col(Product.id), col(Product.sku), col(Product.name), col(Product.reorder_point))
        .order_by(col(Product.sku))
    )
    if product_ids is not None:
        q = q.where(col(Product.id).in_(product_ids))
    return [
        StockRow(sku, name, int(a), int(b), int(c), int(d), rp)
        for sku, name, rp, a, b, c, d in s.execute(q).all()
    ]
