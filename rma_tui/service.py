"""All business rules of the returns desk; the only code that changes data.

Every public function takes plain values and an actor (a user name), runs in one unit of
work (`Database.write()`, i.e. `BEGIN IMMEDIATE` on SQLite), returns plain read models
(dataclasses) and raises `DomainError` with an i18n key when a request is refused. Nothing
here imports textual. Mutating functions take an optional `request_id` (I7) and `now`
(for demo data and tests; default: the current UTC time).

The invariants of DESIGN.md are enforced where the write happens:
I1 `_move` keeps levels equal to moves and refuses negative stock; I2 `_post` refuses an
unbalanced entry; I3 `_returnable` under a row lock at create; I4 `_settle` checks what was
already refunded; I5 slip lines copy the sale line's unit cost; I6 `_transition` checks the
lifecycle and writes the chained audit event; I7 `_idempotent`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, or_, text, true, update
from sqlalchemy import select as sa_select  # sqlmodel's select types at most four columns
from sqlmodel import Session, SQLModel, col, select

from rma_tui.errors import DomainError
from rma_tui.policy import Policy, load_policy
from rma_tui.store.cells import MAX_YEAR, MIN_YEAR, ColumnRule, datetime_ok, scan
from rma_tui.store.db import Database
from rma_tui.store.models import (
    DEFAULT_SHOP,
    LOCATIONS,
    Account,
    AuditEvent,
    ChainHead,
    Counter,
    CreditMove,
    Customer,
    DailyClose,
    Feedback,
    FollowUp,
    InspectionGrade,
    JournalEntry,
    Notification,
    Posting,
    Product,
    RequestRecord,
    Sale,
    SaleLine,
    Setting,
    Shop,
    Slip,
    SlipLine,
    StockAlert,
    StockLevel,
    StockMove,
    SupplierReturn,
    User,
)

# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

ROLES = ("clerk", "warehouse", "finance", "owner")
SLIP_TYPES = ("return", "exchange")
STATUSES = (
    "draft",
    "submitted",
    "approved",
    "received",
    "inspected",
    "settled",
    "closed",
    "rejected",
    "cancelled",
)
TERMINAL = ("closed", "rejected", "cancelled")
# Slips in these states no longer hold returnable quantity (I3).
RELEASED = ("rejected", "cancelled")
REASONS = ("quality", "not_as_described", "wrong_item", "damaged", "size", "changed_mind", "other")
# Faults of the goods or the shop: covered by 三包, never charged a restocking fee.
FAULT_REASONS = ("quality", "not_as_described", "wrong_item", "damaged")
REFUND_METHODS = ("original", "cash", "credit", "receivable")
CHANNELS = ("store", "online")

# Lifecycle edges (I6): (from, to). `None` is "not yet existing".
TRANSITIONS: frozenset[tuple[str | None, str]] = frozenset(
    {
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("submitted", "rejected"),
        ("draft", "cancelled"),
        ("submitted", "cancelled"),
        ("approved", "cancelled"),
        ("approved", "received"),
        ("received", "inspected"),
        ("inspected", "settled"),
        ("settled", "closed"),
    }
)

CREATE_ROLES = ("clerk", "owner")
APPROVER_ROLES = ("owner", "finance")
CANCEL_ROLES = ("clerk", "finance", "owner")
WAREHOUSE_ROLES = ("warehouse", "owner")
SETTLE_ROLES = ("finance", "owner")
CLOSE_ROLES = ("clerk", "finance", "owner")
FEEDBACK_ROLES = ("clerk", "finance", "owner")
SALES_ROLES = ("clerk", "owner")
PURCHASE_ROLES = ("warehouse", "owner")

# Who acts next once a slip reaches a state (notifications).
NEXT_ROLES: dict[str, tuple[str, ...]] = {
    "draft": ("clerk",),
    "submitted": APPROVER_ROLES,
    "approved": ("warehouse",),
    "received": ("warehouse",),
    "inspected": ("finance",),
    "settled": ("clerk",),
    "rejected": ("clerk",),
    "cancelled": ("clerk",),
}

# Chart of accounts (会计科目): code -> (zh, en, kind). Seeded by the first migration.
ACCOUNTS: dict[str, tuple[str, str, str]] = {
    "1001": ("库存现金", "Cash on hand", "asset"),
    "1002": ("银行存款", "Bank (card / WeChat / Alipay)", "asset"),
    "1122": ("应收账款", "Accounts receivable", "asset"),
    "1405": ("库存商品", "Merchandise inventory", "asset"),
    "1406": ("残次品", "Defective goods", "asset"),
    "1409": ("门店调拨往来", "Inter-shop transfers", "asset"),
    "2202": ("应付账款", "Accounts payable", "liability"),
    "2205": ("顾客储值", "Customer store credit", "liability"),
    "4001": ("实收资本", "Owner's capital", "equity"),
    "6001": ("主营业务收入", "Sales revenue", "income"),
    "6003": ("销售退回与折让", "Sales returns and allowances", "contra_income"),
    "6051": ("其他业务收入", "Other income (restocking fees)", "income"),
    "6401": ("主营业务成本", "Cost of goods sold", "expense"),
    "6711": ("报废损失", "Inventory write-off", "expense"),
}
CASH, BANK, RECEIVABLE, INVENTORY, DEFECTIVE = "1001", "1002", "1122", "1405", "1406"
TRANSFERS = "1409"
PAYABLE, STORE_CREDIT, CAPITAL = "2202", "2205", "4001"
REVENUE, RETURNS, OTHER_INCOME, COGS, WRITE_OFF = "6001", "6003", "6051", "6401", "6711"

MAX_TEXT = 2000
MAX_QTY = 1_000_000
MAX_FEN = 10**12  # ten billion yuan: larger is a typo, not a sale
# A sale may be stamped a little after "now" by a till whose clock runs ahead; a day
# later is a mistake.
SALE_CLOCK_SLACK = timedelta(days=1)
JOURNAL_KINDS = ("sale", "purchase", "refund", "exchange", "return_cost", "stock_adjust",
                 "defective_repair", "defective_scrap", "supplier_return", "transfer")
MAX_ID = 2**63 - 1  # the largest row id SQLite and PostgreSQL (bigint) can hold

SYSTEM_USER = "system"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """`dt` as aware UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


_utc = as_utc


def local_day(dt: datetime) -> str:
    """The shop's local calendar day (YYYY-MM-DD) of an instant: days close in local time."""
    return as_utc(dt).astimezone().strftime("%Y-%m-%d")


# The calendar days the desk takes (a day more or less stays a valid date in every time
# zone): year 1 or 9999 is a typo, and would overflow the shifts into local time.
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 2), date(MAX_YEAR, 12, 30)


def check_day(day: date, field: str = "date") -> date:
    """`day` if the desk can use it (FIRST_DAY to LAST_DAY), else `date_out_of_range`."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError("date_out_of_range", field=field, value=day.isoformat(),
                          first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
    return day


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local calendar day starts and ends at (end exclusive)."""
    check_day(day)
    start = datetime(day.year, day.month, day.day).astimezone()
    end = (datetime(day.year, day.month, day.day) + timedelta(days=1)).astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)


# ---------------------------------------------------------------------------------------
# Read models
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserView:
    """A user as others see it (never the PIN hash)."""

    name: str
    role: str
    has_pin: bool
    active: bool
    shop: str | None = None  # the user's shop; None: every shop of the chain


@dataclass(frozen=True)
class RuleResult:
    """One policy rule's verdict on a slip."""

    rule: str
    ok: bool
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LineInput:
    """One line of a slip being created: what comes back, why, and what goes out instead."""

    sku: str
    qty: int
    reason: str
    reason_text: str = ""
    replacement_sku: str | None = None
    replacement_qty: int | None = None
    packaging_intact: bool = True
    invoice_present: bool = True
    unit_price_fen: int | None = None  # only for a slip without an original sale


@dataclass(frozen=True)
class GradeInput:
    """How the received units of one slip line were graded at inspection."""

    sku: str
    resellable: int
    defective: int
    scrap: int
    note: str = ""


@dataclass(frozen=True)
class SlipLineView:
    """One line of a slip, read back."""

    sku: str
    name: str
    qty: int
    unit_price_fen: int
    unit_cost_fen: int
    reason: str
    reason_text: str
    packaging_intact: bool
    invoice_present: bool
    replacement_sku: str | None
    replacement_qty: int
    replacement_unit_price_fen: int
    refund_fen: int
    grade: tuple[int, int, int] | None
    replacement_name: str | None = None
    replacement_sellable: int | None = None  # sellable stock of the replacement now


@dataclass(frozen=True)
class EventView:
    """One audit event of a slip."""

    action: str
    user: str
    at: datetime
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class SlipView:
    """A whole slip: header, amounts, lines, verdict and its history."""

    number: str
    type: str
    status: str
    channel: str
    customer: str | None
    customer_phone: str | None
    sale: str | None
    created_by: str
    created_at: datetime
    note: str
    gross_fen: int
    fee_fen: int
    refund_fen: int
    difference_fen: int
    refund_method: str | None
    policy_ok: bool | None
    verdict: list[RuleResult]
    auto_approved: bool
    override_by: str | None
    override_reason: str | None
    close_reason: str | None  # why it was rejected or cancelled
    lines: list[SlipLineView]
    events: list[EventView]
    feedback: tuple[int, str] | None
    customer_credit_fen: int | None = None  # the customer's store credit now
    shop: str = DEFAULT_SHOP  # the shop handling the return

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the `slip show --json` contract)."""
        return {
            "number": self.number,
            "type": self.type,
            "status": self.status,
            "channel": self.channel,
            "customer": self.customer,
            "customer_phone": self.customer_phone,
            "sale": self.sale,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "note": self.note,
            "lines": [
                {
                    "sku": ln.sku,
                    "name": ln.name,
                    "qty": ln.qty,
                    "unit_price_fen": ln.unit_price_fen,
                    "reason": ln.reason,
                    "reason_text": ln.reason_text,
                    "replacement_sku": ln.replacement_sku,
                    "replacement_qty": ln.replacement_qty,
                    "refund_fen": ln.refund_fen,
                    "grade": list(ln.grade) if ln.grade else None,
                }
                for ln in self.lines
            ],
            "gross_fen": self.gross_fen,
            "fee_fen": self.fee_fen,
            "refund_fen": self.refund_fen,
            "difference_fen": self.difference_fen,
            "refund_method": self.refund_method,
            "policy_ok": self.policy_ok,
            "verdict": [asdict(r) for r in self.verdict],
            "auto_approved": self.auto_approved,
            "override_by": self.override_by,
            "override_reason": self.override_reason,
            "close_reason": self.close_reason,
            "feedback": (
                {"score": self.feedback[0], "comment": self.feedback[1]} if self.feedback else None
            ),
            "events": [
                {
                    "action": e.action,
                    "user": e.user,
                    "at": e.at.isoformat(),
                    "from": e.from_status,
                    "to": e.to_status,
                }
                for e in self.events
            ],
        }


@dataclass(frozen=True)
class SlipSummary:
    """A slip in a list."""

    number: str
    type: str
    status: str
    channel: str
    customer: str | None
    created_by: str
    created_at: datetime
    refund_fen: int
    difference_fen: int
    shop: str = DEFAULT_SHOP


@dataclass(frozen=True)
class SaleLineView:
    """A sale line with how much of it has been returned and can still be."""

    sku: str
    name: str
    sold: int
    returned: int
    returnable: int
    unit_price_fen: int


@dataclass(frozen=True)
class SaleView:
    """An original sale with its lines."""

    order: str
    sold_at: datetime
    channel: str
    customer: str | None
    customer_phone: str | None
    payment_method: str
    total_fen: int
    lines: list[SaleLineView]


@dataclass(frozen=True)
class SaleSummary:
    """A sale in a list."""

    order: str
    sold_at: datetime
    channel: str
    customer: str | None
    total_fen: int


@dataclass(frozen=True)
class StockRow:
    """A product's stock in every location."""

    sku: str
    name: str
    sellable: int
    pending: int
    defective: int
    scrap: int
    reorder_point: int

    @property
    def low(self) -> bool:
        """True when sellable stock is at or under the reorder point."""
        return self.sellable <= self.reorder_point


@dataclass(frozen=True)
class AlertView:
    """An open low-stock alert."""

    sku: str
    name: str
    sellable: int
    reorder_point: int
    raised_at: datetime
    shop: str = DEFAULT_SHOP


@dataclass(frozen=True)
class NotificationView:
    """A notification for a role."""

    id: int
    role: str
    key: str
    slip: str | None
    params: dict[str, Any]
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class Finding:
    """One problem a check of `verify` found: an i18n key and its parameters, which name
    the rows (table, id, column) so that it reads in either language."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        """The finding in `lang` (default: the current language)."""
        from rma_tui.i18n import t

        return t(self.key, lang=lang, **self.params)

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON output."""
        return {"key": self.key, "params": self.params, "message_zh": self.text("zh"),
                "message_en": self.text("en")}


@dataclass(frozen=True)
class Check:
    """One check of `verify`."""

    name: str
    ok: bool
    detail: str  # plain English, for logs and JSON; failures name the rows
    params: dict[str, Any] = field(default_factory=dict)  # for a translated summary
    findings: tuple[Finding, ...] = ()  # what a failing check found, translatable

    def message(self, lang: str | None = None) -> str:
        """What the check says in `lang`: a sentence when it passed, its findings (which
        name the rows) when it failed."""
        from rma_tui.i18n import t

        if self.ok:
            return t(f"check_ok_{self.name.split()[0].lower()}", lang=lang, **self.params)
        return "; ".join(f.text(lang) for f in self.findings) or self.detail


@dataclass(frozen=True)
class VerifyReport:
    """The result of `verify`: every invariant with its verdict."""

    checks: list[Check]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        """The `verify --json` contract: each check's name, verdict and English detail,
        and for a failing one its findings (key, params, zh and en text)."""
        return {
            "ok": self.ok,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail,
                        **({"findings": [f.as_dict() for f in c.findings]} if c.findings
                           else {})}
                       for c in self.checks],
        }


@dataclass(frozen=True)
class Preview:
    """What a slip would be: amounts and the policy verdict, before anything is saved."""

    gross_fen: int
    fee_fen: int
    refund_fen: int
    replacement_fen: int
    difference_fen: int
    verdict: list[RuleResult]

    @property
    def policy_ok(self) -> bool:
        """True when every rule passed."""
        return all(r.ok for r in self.verdict)


# ---------------------------------------------------------------------------------------
# Small validators (every bad input names its field)
# ---------------------------------------------------------------------------------------


def _text(
    value: str | None, field_name: str, required: bool = False, max_len: int = MAX_TEXT
) -> str:
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


def _ascii_digits(value: str) -> bool:
    """Only 0-9: `str.isdigit` also takes full-width and other scripts' digits, which an
    input method may type but a later search or PIN check would never match."""
    return value.isascii() and value.isdigit()


def _qty(value: Any, field_name: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("not_integer", field=field_name, value=str(value))
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError("qty_positive", field=field_name, value=value)
    if value > MAX_QTY:
        raise DomainError("too_large", field=field_name, value=value)
    return value


def _fen(value: Any, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("not_integer", field=field_name, value=str(value))
    if value < 0:
        raise DomainError("money_negative", field=field_name, value=value)
    if value > MAX_FEN:
        raise DomainError("too_large", field=field_name, value=value)
    return value


def _choice(value: str, allowed: Sequence[str], field_name: str) -> str:
    if value not in allowed:
        raise DomainError("bad_choice", field=field_name, value=value, allowed=", ".join(allowed))
    return value


def hash_pin(pin: str) -> str:
    """An scrypt hash of a PIN with a fresh salt: `scrypt$n$r$p$salt$hash` (hex)."""
    salt = secrets.token_bytes(16)
    n, r, p = 2**14, 8, 1
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def _pin_matches(pin: str, stored: str) -> bool:
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


# ---------------------------------------------------------------------------------------
# Unit-of-work helpers
# ---------------------------------------------------------------------------------------

_POLICY: Policy | None = None


def policy() -> Policy:
    """The policy in force (read once per process)."""
    global _POLICY
    if _POLICY is None:
        _POLICY = load_policy()
    return _POLICY


def set_policy(p: Policy | None) -> None:
    """Replace the policy in force (tests, or a shop reloading its file)."""
    global _POLICY
    _POLICY = p


def _actor(s: Session, name: str | None, roles: Sequence[str] | None = None) -> User:
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


def _shop_code(s: Session, shop: str, field_name: str = "shop") -> str:
    """A shop code that exists (refused by name otherwise); codes are lower case, so
    `EAST` is `east`."""
    shop = _text(shop, field_name, required=True, max_len=16).lower()
    if s.get(Shop, shop) is None:
        raise DomainError("unknown_shop", field=field_name, shop=shop)
    return shop


def _may_work_in(user: User, shop: str, field_name: str = "shop") -> None:
    """Refuse a user of one shop acting in another (a chain-wide user may act anywhere)."""
    if user.shop is not None and user.shop != shop:
        raise DomainError("shop_denied", field=field_name, user=user.name, shop=shop,
                          own=user.shop)


def _write_shop(s: Session, user: User, shop: str | None, fallback: str | None = None) -> str:
    """The shop a write goes to: the one named (if the user may work there), else the
    user's own, else `fallback` (a slip's sale's shop), else the chain's only shop.

    A chain-wide user in a chain of several shops must name one: guessing would put stock
    or money in the wrong shop."""
    if shop is not None:
        shop = _shop_code(s, shop)
        _may_work_in(user, shop)
        return shop
    if user.shop is not None:
        return user.shop
    if fallback is not None:
        return fallback
    only = _only_shop(s)
    if only is None:
        raise DomainError("shop_required", field="shop", user=user.name)
    return only


def _fingerprint(operation: str, payload: Any) -> str:
    blob = json.dumps([operation, payload], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _idempotent(
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
    request_id = _text(request_id, "request_id", required=True, max_len=128)
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
_CHAIN_COLUMNS = ("seq", "at", "user", "action", "slip_id", "from_status", "to_status",
                  "detail_json", "request_id")
_UNREADABLE = object()  # a cell that is not what its column holds (bytes, bad UTF-8)


def _row_hash(prev_hash: str, values: Sequence[Any]) -> str | None:
    """The chain hash of an audit row given as `_CHAIN_COLUMNS` values: sha256(previous
    hash + canonical JSON of the row). None when a value cannot be what the desk wrote
    (an unreadable time or text), so the row hashes to nothing it recorded."""
    seq, at, *rest = values
    when = _raw_datetime(at)
    if when is None or not isinstance(seq, int) or any(v is _UNREADABLE for v in rest):
        return None
    try:
        canonical = json.dumps([seq, when.isoformat(), *rest], ensure_ascii=False,
                               separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _raw_datetime(value: Any) -> datetime | None:
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
    return _row_hash(prev_hash, [getattr(ev, name) for name in _CHAIN_COLUMNS]) or ""


def _audit(
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
    head = s.exec(select(ChainHead).where(ChainHead.id == 1).with_for_update()).first()
    if head is None:
        head = ChainHead(id=1, seq=0, hash="0" * 64)
        s.add(head)
        s.flush()
    ev = AuditEvent(
        seq=head.seq + 1,
        at=_utc(now),
        user=user,
        action=action,
        slip_id=slip.id if slip else None,
        from_status=from_status,
        to_status=to_status,
        detail_json=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str),
        # The same normalised id `_idempotent` records (stripped), or I7's check loses it.
        request_id=(request_id or "").strip() or None,
        prev_hash=head.hash,
        hash="",
    )
    ev.hash = event_hash(head.hash, ev)
    head.seq, head.hash = ev.seq, ev.hash
    s.add(ev)
    s.add(head)
    return ev


def _notify(
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


def _transition(
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
    _audit(s, user, action, now, slip, before, to, detail, request_id)
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
    _notify(s, roles, f"slip_{to}", now, slip, by=user)


def _post(
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
    _post_many(s, kind, user, [(now, lines, memo)], slip_id=slip.id if slip else None,
               sale_id=sale_id, shop=_shop_of_write(shop, slip))


def _post_many(
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


def _move(
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
        _check_alert(s, product, lvl.qty, now, shop)


def _check_alert(s: Session, product: Product, sellable: int, now: datetime, shop: str) -> None:
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
        _notify(
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


def _product(s: Session, sku: str, field_name: str = "sku") -> Product:
    sku = _text(sku, field_name, required=True, max_len=64)
    p = s.exec(select(Product).where(Product.sku == sku)).first()
    if p is None:
        raise DomainError("unknown_sku", field=field_name, sku=sku)
    return p


def _slip(s: Session, number: str, lock: bool = True) -> Slip:
    number = _text(number, "number", required=True, max_len=32)
    q = select(Slip).where(Slip.number == number)
    if lock:
        q = q.with_for_update()
    slip = s.exec(q).first()
    if slip is None:
        raise DomainError("unknown_slip", field="number", number=number)
    return slip


def _next_number(s: Session, prefix: str, now: datetime) -> str:
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


def _returned_qty(s: Session, sale_line_id: int, exclude_slip_id: int | None = None) -> int:
    q = (
        select(func.coalesce(func.sum(SlipLine.qty), 0))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(SlipLine.sale_line_id == sale_line_id, col(Slip.status).not_in(RELEASED))
    )
    if exclude_slip_id is not None:
        q = q.where(Slip.id != exclude_slip_id)
    return int(s.exec(q).one())


# ---------------------------------------------------------------------------------------
# Users and settings
# ---------------------------------------------------------------------------------------


def add_user(
    db: Database,
    actor: str | None,
    name: str,
    role: str,
    pin: str | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> UserView:
    """Add a user. Only an owner may, except the very first user, who must be an owner.

    `shop` ties the user to one shop of the chain (they see and act there only); None: every
    shop. An owner of one shop adds users of that shop only."""
    now = now or utcnow()
    name = _text(name, "name", required=True, max_len=64)
    role = _choice(role, ROLES, "role")
    pin = _pin(pin)
    with db.write() as s:
        first = s.exec(select(func.count()).select_from(User)).one() == 0
        if first:
            if role != "owner":
                raise DomainError("first_user_owner", field="role")
            by = actor or name
        elif actor is None and request_id and s.get(RequestRecord, request_id.strip()):
            # I7: the first owner's request (made with no actor) replayed later answers as
            # then; `_idempotent` still refuses it unless it is the very same request.
            by = name
        else:
            by = _actor(s, actor, ("owner",)).name

        def work() -> str:
            if s.exec(select(User).where(User.name == name)).first() is not None:
                raise DomainError("user_exists", field="name", name=name)
            home = None if shop is None else _shop_code(s, shop)
            adder = s.exec(select(User).where(User.name == by)).first()
            if adder is not None and adder.shop is not None and home != adder.shop:
                # A shop's owner cannot make chain-wide users or users of other shops.
                raise DomainError("shop_denied", field="shop", user=by, shop=home or "*",
                                  own=adder.shop)
            s.add(
                User(name=name, role=role, pin_hash=hash_pin(pin) if pin else None, created_at=now,
                     shop=home)
            )
            _audit(
                s, by, "user_add", now, detail={"name": name, "role": role, "shop": home},
                request_id=request_id
            )
            return name

        _idempotent(s, request_id, "user_add", [by, name, role, bool(pin), shop], work, now)
        user = s.exec(select(User).where(User.name == name)).one()
        return _user_view(user)


def _pin(pin: str | None) -> str | None:
    """A PIN is 4 to 12 digits (or none at all)."""
    if pin is None:
        return None
    pin = pin.strip()
    if not _ascii_digits(pin) or not 4 <= len(pin) <= 12:
        raise DomainError("bad_pin", field="pin")
    return pin


def _user_view(u: User) -> UserView:
    return UserView(u.name, u.role, u.pin_hash is not None, u.active, u.shop)


def list_users(db: Database) -> list[UserView]:
    """Every user, by name."""
    with db.read() as s:
        rows = s.exec(select(User).order_by(col(User.name))).all()
        return [_user_view(u) for u in rows]


def get_user(db: Database, name: str) -> UserView | None:
    """One user, or None."""
    with db.read() as s:
        u = s.exec(select(User).where(User.name == name)).first()
        return _user_view(u) if u else None


# Wrong PINs in a row a user may make before waiting; the first wait, doubling with each
# further wrong PIN, up to the longest (the owner can clear it at any time).
PIN_TRIES = 5
PIN_FIRST_WAIT = timedelta(minutes=1)
PIN_LONGEST_WAIT = timedelta(days=1)
UNLOCK_ROLES = ("owner",)


def pin_wait(failures: int) -> timedelta:
    """How long a user waits after `failures` wrong PINs in a row (none below PIN_TRIES)."""
    if failures < PIN_TRIES:
        return timedelta(0)
    return min(PIN_FIRST_WAIT * 2 ** min(failures - PIN_TRIES, 20), PIN_LONGEST_WAIT)


def sign_in(db: Database, name: str, pin: str | None, now: datetime | None = None) -> UserView:
    """Prove that the person at the terminal is user `name`: a known, active user, with the
    right PIN when it has one. Every read and write asks this first.

    Wrong PINs are counted: after PIN_TRIES in a row the user must wait (`pin_locked`,
    saying until when), longer after each further wrong one, or until the owner clears it
    (`unlock_user`); the wait is recorded in the audit trail. A right PIN starts the count
    again. Refusals: `unknown_user`, `pin_required` (a PIN user gave none), `pin_wrong`,
    `pin_locked`."""
    now = now or utcnow()
    with db.write() as s:
        user = _actor(s, name)
        if user.pin_hash is None:
            return _user_view(user)
        until = as_utc(user.pin_locked_until) if user.pin_locked_until is not None else None
        if until is not None and until > now:
            raise DomainError("pin_locked", field="pin", user=user.name,
                              until=until.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        if pin is None:
            raise DomainError("pin_required", field="pin", user=user.name)
        if _pin_matches(pin, user.pin_hash):
            if user.pin_failures or user.pin_locked_until is not None:
                user.pin_failures, user.pin_locked_until = 0, None
                s.add(user)
            return _user_view(user)
        user.pin_failures += 1
        wait = pin_wait(user.pin_failures)
        if wait:
            user.pin_locked_until = now + wait
            _audit(s, user.name, "pin_locked", now,
                   detail={"user": user.name, "failures": user.pin_failures,
                           "until": (now + wait).isoformat()})
        s.add(user)
    # Raised after the commit: the count of wrong PINs must be kept.
    raise DomainError("pin_wrong", field="pin", user=name)


def check_pin(db: Database, name: str, pin: str, now: datetime | None = None) -> bool:
    """True when `sign_in` accepts user `name` with `pin` (counted like any try)."""
    try:
        sign_in(db, name, pin, now=now)
    except DomainError:
        return False
    return True


def set_pin(db: Database, actor: str, name: str, pin: str, request_id: str | None = None,
            now: datetime | None = None) -> UserView:
    """Give user `name` a new PIN (4-12 digits): the owner for anyone, anyone for
    themselves; audited (never the PIN). Clears any wait for wrong PINs."""
    now = now or utcnow()
    secret = _pin(pin)
    if secret is None:
        raise DomainError("required", field="pin")
    with db.write() as s:
        who = _actor(s, actor)
        user = s.exec(select(User).where(User.name == name)).first()
        if user is None:
            raise DomainError("unknown_user", field="name", user=name)
        if who.name != user.name:
            refused = role_refusal(who.name, who.role, UNLOCK_ROLES)
            if refused is not None:
                raise refused

        def work() -> str:
            user.pin_hash = hash_pin(secret)
            user.pin_failures, user.pin_locked_until = 0, None
            s.add(user)
            _audit(s, who.name, "pin_set", now, detail={"user": user.name},
                   request_id=request_id)
            return user.name

        # The PIN stays out of the request's fingerprint (it is stored nowhere but hashed).
        _idempotent(s, request_id, "set_pin", [who.name, name], work, now)
        return _user_view(user)


def unlock_user(db: Database, actor: str, name: str, request_id: str | None = None,
                now: datetime | None = None) -> UserView:
    """Clear a user's wrong-PIN count and wait (owner only); audited."""
    now = now or utcnow()
    with db.write() as s:
        owner = _actor(s, actor, UNLOCK_ROLES)
        user = s.exec(select(User).where(User.name == name)).first()
        if user is None:
            raise DomainError("unknown_user", field="name", user=name)

        def work() -> str:
            _audit(s, owner.name, "pin_unlocked", now,
                   detail={"user": user.name, "failures": user.pin_failures},
                   request_id=request_id)
            user.pin_failures, user.pin_locked_until = 0, None
            s.add(user)
            return user.name

        _idempotent(s, request_id, "unlock_user", [owner.name, name], work, now)
        return _user_view(user)


# Commands that replace or overwrite the shop's data (a demo built over it, a backup
# restored over it, an archive written over an older one, a copy made into another
# database): the owner only, recorded in the audit trail.
DESTRUCTIVE_ROLES = ("owner",)
DESTRUCTIVE_ACTIONS = ("demo_replaced", "restored", "archive_replaced", "db_copied")


def authorize_destructive(db: Database, actor: str) -> UserView:
    """The signed-in `actor`, if they may run a command that replaces the shop's data: the
    owner, and where any user of the shop has a PIN, an owner with a PIN of their own (who
    gave it when signing in). Refused otherwise (`role_denied`, `destructive_needs_pin`)."""
    with db.read() as s:
        user = _actor(s, actor, DESTRUCTIVE_ROLES)
        pins = s.exec(select(func.count()).select_from(User).where(
            col(User.pin_hash).is_not(None))).one()
        if pins and user.pin_hash is None:
            raise DomainError("destructive_needs_pin", field="user", user=user.name)
        return _user_view(user)


def record_destructive(db: Database, actor: str, action: str, detail: dict[str, Any],
                       now: datetime | None = None) -> None:
    """Put a destructive command in the audit trail of the database it left behind (the
    new demo, the restored backup, the copy): who ran it, what it replaced and where the
    replaced data was kept. `actor` was signed in on the database the command ran against
    (and may not exist in this one)."""
    _choice(action, DESTRUCTIVE_ACTIONS, "action")
    with db.write() as s:
        _audit(s, _text(actor, "user", required=True, max_len=64), action, now or utcnow(),
               detail=detail)


# Who may archive the books: an archive holds the whole chain's audit trail and journal,
# so a chain-wide owner or finance.
ARCHIVE_ROLES = ("owner", "finance")


def authorize_archive(db: Database, actor: str) -> UserView:
    """The signed-in `actor`, if they may write or check an archive: a chain-wide owner or
    finance (`role_denied`; a shop's own user: `archive_chain_only`)."""
    with db.read() as s:
        user = _actor(s, actor, ARCHIVE_ROLES)
        if user.shop is not None:
            raise DomainError("archive_chain_only", field="user", user=user.name,
                              shop=user.shop)
        return _user_view(user)


# Roles whose work needs a customer's whole phone number (the counter, call-backs); other
# roles see it masked. In exported files only the owner's carry it whole.
PHONE_ROLES = ("clerk", "owner")
EXPORT_PHONE_ROLES = ("owner",)


def masked_phone(phone: str) -> str:
    """A phone number with its middle hidden: 13800002248 -> 138****2248 (a short one
    keeps only its last two digits)."""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 1) + phone[-2:]


def phone_for(role: str | None, phone: str | None, export: bool = False) -> str | None:
    """A customer's phone as user `role` may see it: whole for the roles whose work needs
    it (in exported files only for the owner), else masked."""
    if not phone:
        return phone
    roles = EXPORT_PHONE_ROLES if export else PHONE_ROLES
    return phone if role in roles else masked_phone(phone)


# ---------------------------------------------------------------------------------------
# Shops of a chain (门店): who sees which, and stock moved between them (调拨)
# ---------------------------------------------------------------------------------------

SHOP_ROLES = ("owner",)
TRANSFER_ROLES = PURCHASE_ROLES
SHOP_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class ShopView:
    """A shop of the chain."""

    code: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class TransferView:
    """Stock moved from one shop to another (调拨): both moves' shops, at cost."""

    sku: str
    qty: int
    from_shop: str
    to_shop: str
    value_fen: int
    from_sellable: int
    to_sellable: int


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
    code = _text(code, "code", required=True, max_len=16).lower()
    if not set(code) <= SHOP_CODE_CHARS:
        raise DomainError("bad_shop_code", field="code", code=code)
    name = _text(name, "name", required=True, max_len=100)
    with db.write() as s:
        user = _actor(s, actor, SHOP_ROLES)
        if user.shop is not None:
            raise DomainError("shop_denied", field="user", user=user.name, shop="*",
                              own=user.shop)

        def work() -> str:
            if s.get(Shop, code) is not None:
                raise DomainError("shop_exists", field="code", code=code)
            s.add(Shop(code=code, name=name, created_at=now))
            _audit(s, user.name, "shop_add", now, detail={"code": code, "name": name},
                   request_id=request_id)
            return code

        _idempotent(s, request_id, "shop_add", [user.name, code, name], work, now)
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
    name = _text(name, "name", required=True, max_len=100)
    with db.write() as s:
        user = _actor(s, actor, SHOP_ROLES)
        code = _shop_code(s, code, "code")
        _may_work_in(user, code, "code")
        row = s.get(Shop, code)
        assert row is not None

        def work() -> str:
            before = row.name
            row.name = name
            s.add(row)
            _audit(s, user.name, "shop_rename", now,
                   detail={"code": code, "from": before, "to": name}, request_id=request_id)
            return code

        _idempotent(s, request_id, "shop_rename", [user.name, code, name], work, now)
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
            shop = _shop_code(s, shop)
            if who is not None:
                _may_work_in(who, shop)
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
    qty = _qty(qty, "qty")
    note = _text(note, "note")
    with db.write() as s:
        user = _actor(s, actor, TRANSFER_ROLES)
        p = _product(s, sku)
        src = _shop_code(s, from_shop, "from_shop")
        dst = _shop_code(s, to_shop, "to_shop")
        _may_work_in(user, src, "from_shop")
        if src == dst:
            raise DomainError("transfer_same_shop", field="to_shop", shop=src)
        value = qty * p.unit_cost_fen

        def work() -> str:
            memo = f"{p.sku} x{qty} {src}->{dst}"
            _move(s, p, "sellable", -qty, "transfer_out", user.name, now, note=note or memo,
                  shop=src)
            _move(s, p, "sellable", qty, "transfer_in", user.name, now, note=note or memo,
                  shop=dst)
            _post(s, "transfer", now, user.name, [(TRANSFERS, value, 0), (INVENTORY, 0, value)],
                  memo=memo, shop=src)
            _post(s, "transfer", now, user.name, [(INVENTORY, value, 0), (TRANSFERS, 0, value)],
                  memo=memo, shop=dst)
            _audit(s, user.name, "transfer", now,
                   detail={"sku": p.sku, "qty": qty, "from": src, "to": dst, "value": value,
                           "note": note}, request_id=request_id)
            _notify(s, WAREHOUSE_ROLES, "transfer_in", now, product=p, shop=dst, sku=p.sku,
                    name=p.name, qty=qty, src=src)
            return p.sku

        _idempotent(s, request_id, "transfer", [user.name, p.sku, qty, src, dst, note], work,
                    now)
        return TransferView(p.sku, qty, src, dst, value, _sellable(s, p.id or 0, src),
                            _sellable(s, p.id or 0, dst))


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
    key = _text(key, "key", required=True, max_len=64)
    value = _text(value, "value")
    with db.write() as s:
        user = _actor(s, actor, ("owner",))
        row = s.get(Setting, key) or Setting(key=key)
        row.value = value
        s.add(row)
        _audit(s, user.name, "setting", now, detail={"key": key, "value": value})


# ---------------------------------------------------------------------------------------
# Catalogue, customers, sales and purchases
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductInput:
    """A product to add or import."""

    sku: str
    name: str
    unit_price_fen: int
    unit_cost_fen: int
    barcode: str | None = None
    model: str = ""
    category: str = ""
    supplier: str = ""
    reorder_point: int = 0


@dataclass(frozen=True)
class CustomerInput:
    """A customer to add or import."""

    name: str
    phone: str
    channel: str = "store"


@dataclass(frozen=True)
class SaleLineInput:
    """One line of a sale to record or import."""

    sku: str
    qty: int
    unit_price_fen: int
    unit_cost_fen: int | None = None  # default: the product's cost now


@dataclass(frozen=True)
class SaleInput:
    """A sale to record or import."""

    order_no: str
    channel: str
    sold_at: datetime
    lines: list[SaleLineInput]
    customer_phone: str | None = None
    payment_method: str = "cash"


PAYMENT_METHODS = ("cash", "card", "wechat", "alipay")


def _check_product(p: ProductInput, where: str = "") -> ProductInput:
    pre = f"{where}" if where else ""
    _text(p.sku, pre + "sku", required=True, max_len=64)
    _text(p.name, pre + "name", required=True, max_len=200)
    _text(p.model, pre + "model", max_len=100)
    _text(p.category, pre + "category", max_len=64)
    _text(p.supplier, pre + "supplier", max_len=200)
    _text(p.barcode, pre + "barcode", max_len=64)
    _fen(p.unit_price_fen, pre + "unit_price")
    _fen(p.unit_cost_fen, pre + "unit_cost")
    _qty(p.reorder_point, pre + "reorder_point", allow_zero=True)
    return p


def _check_customer(c: CustomerInput, where: str = "") -> CustomerInput:
    _text(c.name, where + "name", required=True, max_len=100)
    phone = _text(c.phone, where + "phone", required=True, max_len=32)
    if not _ascii_digits(phone.replace("-", "").replace("+", "").replace(" ", "")):
        raise DomainError("bad_phone", field=where + "phone", value=phone)
    _choice(c.channel, CHANNELS, where + "channel")
    return c


def add_products(
    db: Database, actor: str, products: Sequence[ProductInput], now: datetime | None = None
) -> int:
    """Add products in one transaction; a duplicate SKU refuses the whole batch."""
    now = now or utcnow()
    for i, p in enumerate(products):
        _check_product(p, f"[{i + 1}].")
    with db.write() as s:
        user = _actor(s, actor, ("owner", "warehouse"))
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
        _audit(s, user.name, "product_import", now, detail={"count": len(products)})
    return len(products)


def add_customers(
    db: Database, actor: str, customers: Sequence[CustomerInput], now: datetime | None = None
) -> int:
    """Add customers in one transaction; a duplicate phone refuses the whole batch."""
    now = now or utcnow()
    for i, c in enumerate(customers):
        _check_customer(c, f"[{i + 1}].")
    with db.write() as s:
        user = _actor(s, actor, ("owner", "clerk"))
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
        _audit(s, user.name, "customer_import", now, detail={"count": len(customers)})
    return len(customers)


def _payment_account(method: str) -> str:
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
        user = _actor(s, actor, SALES_ROLES)
        where_sold = _write_shop(s, user, shop)
        products = {p.sku: p for p in s.exec(select(Product)).all()}
        # Two columns, not ORM objects: a shop may have tens of thousands of customers.
        customers: dict[str, int | None] = {
            phone: cid for phone, cid in s.execute(select(Customer.phone, Customer.id)).all()}
        orders = [x.order_no.strip() for x in sales]
        seen: set[str] = set()
        for i, sale in enumerate(sales):
            where = f"[{i + 1}]."
            order = _text(sale.order_no, where + "order", required=True, max_len=64)
            if order in seen:
                raise DomainError("order_exists", field=where + "order", order=order)
            seen.add(order)
            if not isinstance(sale.sold_at, datetime):
                raise DomainError("bad_date", field=where + "sold_at", value=str(sale.sold_at))
            check_day(_utc(sale.sold_at).date(), where + "sold_at")
            # Against the real clock too: `now` may back-date the recording (imports, demo).
            if _utc(sale.sold_at) > max(now, utcnow()) + SALE_CLOCK_SLACK:  # a typo'd year
                raise DomainError("sold_in_future", field=where + "sold_at",
                                  value=local_day(_utc(sale.sold_at)))
            _choice(sale.channel, CHANNELS, where + "channel")
            _choice(sale.payment_method, PAYMENT_METHODS, where + "payment_method")
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
                _qty(ln.qty, lw + "qty")
                _fen(ln.unit_price_fen, lw + "unit_price")
                if ln.unit_cost_fen is not None:
                    _fen(ln.unit_cost_fen, lw + "unit_cost")
        for chunk_start in range(0, len(orders), 5000):
            chunk = orders[chunk_start : chunk_start + 5000]
            hit = s.exec(select(Sale.order_no).where(col(Sale.order_no).in_(chunk))).first()
            if hit:
                raise DomainError("order_exists", field="order", order=hit)
        _bulk_sales(s, sales, products, customers, user.name, now, where_sold)
        _audit(s, user.name, "sale_import", now,
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
    day_totals: dict[tuple[str, str], list[int]] = {}
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
                        "sold_at": _utc(x.sold_at),
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
    for sid, sale in zip(ids, sales, strict=True):
        sold_at = _utc(sale.sold_at)
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
        key = (local_day(sold_at), sale.payment_method)
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
    levels = StockLevel.__table__  # type: ignore[attr-defined]
    if out:  # one executemany for every product
        s.execute(
            update(levels)
            .where(levels.c.product_id == bindparam("pid"), levels.c.location == "sellable",
                   levels.c.shop == shop)
            .values(qty=levels.c.qty - bindparam("taken")),
            [{"pid": pid, "taken": qty} for pid, qty in out.items()])
    # Noon of the shop's local day the sales were made on: the day a close counts them.
    _post_many(s, "sale", user, [
        (day_bounds(date.fromisoformat(day))[0] + timedelta(hours=12),
         [(_payment_account(method), revenue, 0), (REVENUE, 0, revenue),
          (COGS, cost, 0), (INVENTORY, 0, cost)],
         f"sales {day} {method}")
        for (day, method), (revenue, cost) in sorted(day_totals.items())], shop=shop)
    # Only products whose low-stock state changes need `_check_alert` (one read each).
    alerted = set(s.execute(select(StockAlert.product_id).where(
        col(StockAlert.product_id).in_(list(out)), StockAlert.shop == shop,
        col(StockAlert.cleared_at).is_(None))
    ).scalars().all())
    by_id = {p.id: p for p in products.values()}
    for pid, qty in out.items():
        p, left = by_id[pid], have[pid] - qty
        if (left <= p.reorder_point) != (pid in alerted):
            _check_alert(s, p, left, now, shop)


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
    qty = _qty(qty, "qty")
    note = _text(note, "note")
    with db.write() as s:
        user = _actor(s, actor, PURCHASE_ROLES)
        p = _product(s, sku)
        into = _write_shop(s, user, shop)
        cost = p.unit_cost_fen if unit_cost_fen is None else _fen(unit_cost_fen, "unit_cost")

        def work() -> str:
            _move(s, p, "sellable", qty, "purchase", user.name, now, note=note, shop=into)
            _post(
                s,
                "purchase",
                now,
                user.name,
                [(INVENTORY, qty * cost, 0), (PAYABLE, 0, qty * cost)],
                memo=f"{p.sku} x{qty}",
                shop=into,
            )
            _audit(
                s,
                user.name,
                "purchase",
                now,
                detail={"sku": p.sku, "qty": qty, "cost": cost, "shop": into},
                request_id=request_id,
            )
            return p.sku

        _idempotent(s, request_id, "purchase", [user.name, p.sku, qty, cost, note, into], work,
                    now)
        return _stock_rows(s, [p.id or 0], into)[0]


# ---------------------------------------------------------------------------------------
# Slips: policy, amounts, lifecycle
# ---------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A slip line resolved against the database, before it is written."""

    product: Product
    sale_line: SaleLine | None
    qty: int
    unit_price_fen: int
    unit_cost_fen: int
    reason: str
    reason_text: str
    packaging_intact: bool
    invoice_present: bool
    replacement: Product | None
    replacement_qty: int
    fee_fen: int = 0

    @property
    def replacement_price_fen(self) -> int:
        """A like-for-like swap (same product, same quantity) keeps the price paid, so the
        customer's discount stands; anything else is sold at today's price."""
        if self.replacement is None:
            return 0
        if self.replacement.id == self.product.id and self.replacement_qty == self.qty:
            return self.unit_price_fen
        return self.replacement.unit_price_fen

    @property
    def gross_fen(self) -> int:
        return self.qty * self.unit_price_fen


def _fee(gross: int, bp: int) -> int:
    """A restocking fee in fen: round half up of gross × bp / 10000, integers only."""
    return (gross * bp + 5000) // 10000


def _resolve_lines(
    s: Session,
    sale: Sale | None,
    slip_type: str,
    lines: Sequence[LineInput],
    exclude_slip_id: int | None = None,
) -> list[_Draft]:
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
    out: list[_Draft] = []
    for i, ln in enumerate(lines):
        where = f"lines[{i + 1}]."
        qty = _qty(ln.qty, where + "qty")
        reason = _choice(ln.reason, REASONS, where + "reason")
        reason_text = _text(ln.reason_text, where + "reason_text")
        product = _product(s, ln.sku, where + "sku")
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
                    - _returned_qty(s, sl.id or 0, exclude_slip_id)
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
            price, cost = _fen(ln.unit_price_fen, where + "unit_price"), product.unit_cost_fen
        replacement: Product | None = None
        repl_qty = 0
        if slip_type == "exchange":
            replacement = _product(s, ln.replacement_sku or product.sku, where + "replacement_sku")
            repl_qty = _qty(
                ln.replacement_qty if ln.replacement_qty is not None else qty,
                where + "replacement_qty",
            )
        elif ln.replacement_sku or ln.replacement_qty:
            raise DomainError("replacement_on_return", field=where + "replacement_sku")
        out.append(
            _Draft(
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


def _evaluate(
    pol: Policy,
    channel: str,
    sale: Sale | None,
    slip_type: str,
    drafts: Sequence[_Draft],
    now: datetime,
) -> list[RuleResult]:
    """The policy verdict: every rule with pass/fail and what it measured."""
    cp = pol.channel(channel)
    rules: list[RuleResult] = [
        RuleResult("original_sale", sale is not None, {"order": sale.order_no if sale else None})
    ]
    # Windows count calendar days in the shop's local time, from the sale to the day the
    # customer came back (the slip's creation), as a shop counts "7 days".
    days = (
        (now.astimezone().date() - _utc(sale.sold_at).astimezone().date()).days
        if sale is not None
        else None
    )
    window_fail: dict[str, Any] | None = None
    limit_used = 0
    for d in drafts:
        fault = d.reason in FAULT_REASONS
        if fault:
            limit = cp.quality_exchange_days if slip_type == "exchange" else cp.quality_return_days
        else:
            limit = cp.no_reason_days
        limit_used = max(limit_used, limit)
        if days is not None and days > limit and window_fail is None:
            window_fail = {"sku": d.product.sku, "days": days, "limit": limit, "reason": d.reason}
    rules.append(
        RuleResult(
            "window", window_fail is None, window_fail or {"days": days, "limit": limit_used}
        )
    )
    excluded = next(
        (
            d
            for d in drafts
            if d.reason not in FAULT_REASONS
            and (
                d.product.category in pol.excluded_categories
                or (d.product.category in pol.digital_categories and not d.packaging_intact)
            )
        ),
        None,
    )
    rules.append(
        RuleResult(
            "excluded_category",
            excluded is None,
            {"sku": excluded.product.sku, "category": excluded.product.category}
            if excluded
            else {},
        )
    )
    unpacked = next(
        (d for d in drafts if d.reason not in FAULT_REASONS and not d.packaging_intact), None
    )
    rules.append(
        RuleResult("condition", unpacked is None, {"sku": unpacked.product.sku} if unpacked else {})
    )
    amount = sum(d.gross_fen for d in drafts)
    rules.append(
        RuleResult(
            "amount",
            amount <= cp.auto_approve_limit_fen,
            {"amount_fen": amount, "limit_fen": cp.auto_approve_limit_fen},
        )
    )
    return rules


def _amounts(pol: Policy, channel: str, slip_type: str, drafts: Sequence[_Draft]) -> Preview:
    cp = pol.channel(channel)
    gross = fee = replacement = 0
    for d in drafts:
        d.fee_fen = (
            _fee(d.gross_fen, cp.restocking_fee_bp)
            if slip_type == "return" and d.reason not in FAULT_REASONS
            else 0
        )
        gross += d.gross_fen
        fee += d.fee_fen
        if d.replacement is not None:
            replacement += d.replacement_qty * d.replacement_price_fen
    for total in (gross, replacement):
        if total > MAX_FEN:  # each line was in range; together they are a typo
            raise DomainError("too_large", field="lines", value=total)
    if slip_type == "return":
        return Preview(gross, fee, gross - fee, 0, 0, [])
    return Preview(gross, 0, 0, replacement, replacement - gross, [])


def _sale_by_order(s: Session, order: str | None) -> Sale | None:
    if order is None or not order.strip():
        return None
    order = _text(order, "sale", max_len=64)
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
    _choice(slip_type, SLIP_TYPES, "type")
    with db.read() as s:
        sale = _sale_by_order(s, sale_order)
        ch = sale.channel if sale else _choice(channel or "store", CHANNELS, "channel")
        exclude = _slip(s, draft, lock=False).id if draft else None
        drafts = _resolve_lines(s, sale, slip_type, lines, exclude_slip_id=exclude)
        amounts = _amounts(policy(), ch, slip_type, drafts)
        verdict = _evaluate(policy(), ch, sale, slip_type, drafts, now)
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
    slip_type = _choice(slip_type, SLIP_TYPES, "type")
    note = _text(note, "note")
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
        user = _actor(s, actor, CREATE_ROLES)

        def work() -> str:
            sale = _sale_by_order(s, sale_order)
            where = _write_shop(s, user, shop, sale.shop if sale is not None else None)
            if sale is not None:
                ch = sale.channel
                customer_id = sale.customer_id
            else:
                ch = _choice(channel or "store", CHANNELS, "channel")
                customer_id = None
                # No receipt: the note says why; approval then needs the owner (a policy
                # exception, see _evaluate's original_sale rule).
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
            drafts = _resolve_lines(s, sale, slip_type, lines)
            amounts = _amounts(policy(), ch, slip_type, drafts)
            prefix = "TH" if slip_type == "return" else "HH"
            slip = Slip(
                number=_next_number(s, prefix, now),
                type=slip_type,
                status="draft",
                channel=ch,
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
                shop=where,
            )
            s.add(slip)
            s.flush()
            _write_lines(s, slip, drafts)
            _transition(
                s,
                slip,
                "draft",
                user.name,
                now,
                "create",
                detail={"sale": sale_order, "gross_fen": amounts.gross_fen, "shop": where},
                request_id=request_id,
                notify_roles=("clerk",),
                new=True,
            )
            return slip.number

        number, _ = _idempotent(s, request_id, "create", payload, work, now)
        return _slip_view(s, number)


def _write_lines(s: Session, slip: Slip, drafts: Sequence[_Draft]) -> None:
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
    note = _text(note, "note")

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
        amounts = _amounts(policy(), slip.channel, slip.type, drafts)
        s.execute(delete(SlipLine).where(col(SlipLine.slip_id) == slip.id))
        _write_lines(s, slip, drafts)
        slip.note = note
        slip.gross_fen, slip.fee_fen = amounts.gross_fen, amounts.fee_fen
        slip.refund_fen, slip.difference_fen = amounts.refund_fen, amounts.difference_fen
        slip.updated_at = at
        s.add(slip)
        _audit(
            s,
            user.name,
            "edit",
            at,
            slip,
            detail={"gross_fen": amounts.gross_fen},
            request_id=request_id,
        )

    return _slip_step(
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


def _slip_step(
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
        user = _actor(s, actor, roles)
        slip = _slip(s, number)
        _may_work_in(user, slip.shop, "number")

        def work() -> str:
            if to is not None and (slip.status, to) not in TRANSITIONS:
                raise DomainError(
                    "bad_transition", field="status", slip=slip.number, status=slip.status, to=to
                )
            body(s, slip, user)
            return slip.number

        _idempotent(s, request_id, operation, [actor, slip.number, *payload], work, now)
        return _slip_view(s, slip.number)


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
        sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
        verdict = _evaluate(
            policy(), slip.channel, sale, slip.type, _drafts_of(s, slip), _utc(slip.created_at)
        )
        ok = all(r.ok for r in verdict)
        slip.verdict_json = json.dumps([asdict(r) for r in verdict], ensure_ascii=False)
        slip.policy_ok = ok
        failed = [r.rule for r in verdict if not r.ok]
        auto = ok and policy().channel(slip.channel).auto_approve
        _transition(
            s,
            slip,
            "submitted",
            user.name,
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
            _transition(s, slip, "approved", SYSTEM_USER, at, "approve", detail={"auto": True})

    return _slip_step(
        db, actor, CREATE_ROLES, number, "submit", [], body, request_id, at, to="submitted"
    )


def _drafts_of(s: Session, slip: Slip) -> list[_Draft]:

    rows = s.exec(
        select(SlipLine, Product)
        .join(Product, col(Product.id) == col(SlipLine.product_id))
        .where(SlipLine.slip_id == slip.id)
        .order_by(col(SlipLine.id))
    ).all()
    out = []
    for ln, p in rows:
        repl = s.get(Product, ln.replacement_product_id) if ln.replacement_product_id else None
        sl = s.get(SaleLine, ln.sale_line_id) if ln.sale_line_id else None
        out.append(
            _Draft(
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
    reason = _text(override_reason, "reason")

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
        _transition(
            s, slip, "approved", user.name, at, "approve", detail=detail, request_id=request_id
        )

    return _slip_step(
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
    at = now or utcnow()
    reason = _text(reason, "reason", required=True)

    def body(s: Session, slip: Slip, user: User) -> None:
        if slip.created_by == user.name:
            raise DomainError("own_slip", field="user", user=user.name, slip=slip.number)
        slip.close_reason = reason
        _transition(
            s,
            slip,
            "rejected",
            user.name,
            at,
            "reject",
            detail={"reason": reason},
            request_id=request_id,
        )

    return _slip_step(
        db, actor, APPROVER_ROLES, number, "reject", [reason], body, request_id, at, to="rejected"
    )


def cancel_slip(
    db: Database,
    actor: str,
    number: str,
    reason: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Cancel a draft, submitted or approved slip, with a reason."""
    at = now or utcnow()
    reason = _text(reason, "reason", required=True)

    def body(s: Session, slip: Slip, user: User) -> None:
        slip.close_reason = reason
        _transition(
            s,
            slip,
            "cancelled",
            user.name,
            at,
            "cancel",
            detail={"reason": reason},
            request_id=request_id,
        )

    return _slip_step(
        db, actor, CANCEL_ROLES, number, "cancel", [reason], body, request_id, at, to="cancelled"
    )


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
        for d in _drafts_of(s, slip):
            _move(s, d.product, "pending", d.qty, "return_in", user.name, at, slip)
        _transition(s, slip, "received", user.name, at, "receive", request_id=request_id)

    return _slip_step(
        db, actor, WAREHOUSE_ROLES, number, "receive", [], body, request_id, at, to="received"
    )


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
        _transition(
            s,
            slip,
            "inspected",
            user.name,
            at,
            "inspect",
            detail={"grades": [asdict(g) for g in grades]},
            request_id=request_id,
        )

    return _slip_step(
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
    lines = s.exec(
        select(SlipLine, Product)
        .join(Product, col(Product.id) == col(SlipLine.product_id))
        .where(SlipLine.slip_id == slip.id)
        .order_by(col(SlipLine.id))
    ).all()
    by_sku: dict[str, list[GradeInput]] = {}
    for i, g in enumerate(grades):
        where = f"grades[{i + 1}]."
        for name in ("resellable", "defective", "scrap"):
            _qty(getattr(g, name), where + name, allow_zero=True)
        _text(g.note, where + "note")
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
        _move(s, p, "pending", -ln.qty, "inspect", user, now, slip)
        _move(s, p, "sellable", g.resellable, "inspect", user, now, slip)
        _move(
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
        _move(s, p, "scrap", g.scrap, "inspect", user, now, slip)
        totals["resell"] += g.resellable * ln.unit_cost_fen
        totals["defective"] += g.defective * ln.unit_cost_fen
        totals["scrap"] += g.scrap * ln.unit_cost_fen
    leftover = [sku for sku, q in by_sku.items() if q]
    if leftover:
        raise DomainError("grade_extra", field="grades", sku=leftover[0])
    _post(
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


def _refund_account(method: str, sale: Sale | None) -> str:
    if method == "original":
        return _payment_account(sale.payment_method) if sale else CASH
    return {"cash": CASH, "credit": STORE_CREDIT, "receivable": RECEIVABLE}[method]


def settle_slip(
    db: Database,
    actor: str,
    number: str,
    method: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Execute the refund or the exchange and post the money.

    A return refunds what was paid for the units, less any restocking fee. An exchange
    issues the replacement from sellable stock (refused when short) and settles the price
    difference either way. The refund never exceeds what was paid minus what was already
    refunded (I4).
    """
    at = now or utcnow()
    method = _choice(method, REFUND_METHODS, "method")

    def body(s: Session, slip: Slip, user: User) -> None:
        _settle(s, slip, method, user.name, at)
        _transition(
            s,
            slip,
            "settled",
            user.name,
            at,
            "settle",
            detail={
                "method": method,
                "refund_fen": slip.refund_fen,
                "difference_fen": slip.difference_fen,
            },
            request_id=request_id,
        )

    return _slip_step(
        db, actor, SETTLE_ROLES, number, "settle", [method], body, request_id, at, to="settled"
    )


def _settle(s: Session, slip: Slip, method: str, user: str, now: datetime) -> None:

    sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
    lines = s.exec(
        select(SlipLine).where(SlipLine.slip_id == slip.id).order_by(col(SlipLine.id))
    ).all()
    # I4: what is credited per sale line never exceeds what was paid for it.
    for ln in lines:
        if ln.sale_line_id is None:
            continue
        sl = s.get(SaleLine, ln.sale_line_id)
        assert sl is not None
        already = int(
            s.exec(
                select(func.coalesce(func.sum(SlipLine.refund_fen + 0), 0))
                .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
                .where(
                    SlipLine.sale_line_id == sl.id,
                    Slip.id != slip.id,
                    col(Slip.status).in_(("settled", "closed")),
                )
            ).one()
        )
        if already + ln.qty * ln.unit_price_fen > sl.qty * sl.unit_price_fen:
            sku = s.exec(select(Product.sku).where(Product.id == ln.product_id)).one()
            raise DomainError(
                "over_refund",
                field="refund",
                sku=sku,
                paid=sl.qty * sl.unit_price_fen,
                already=already,
            )
    customer = s.get(Customer, slip.customer_id) if slip.customer_id else None
    account = _refund_account(method, sale)
    if method in ("credit", "receivable") and customer is None:
        raise DomainError("method_needs_customer", field="method", method=method)
    gross = sum(ln.qty * ln.unit_price_fen for ln in lines)
    slip.refund_method = method
    slip.settled_at = now
    if slip.type == "return":
        fee = sum(ln.qty * ln.unit_price_fen - ln.refund_fen for ln in lines)
        refund = gross - fee
        _post(
            s,
            "refund",
            now,
            user,
            [
                (RETURNS, gross, 0),
                (account, 0, refund),
                (OTHER_INCOME, 0, fee),
            ],
            memo=slip.number,
            slip=slip,
        )
        if method == "credit" and customer is not None:
            _credit(s, customer, refund, "refund", user, now, slip)
        slip.gross_fen, slip.fee_fen, slip.refund_fen = gross, fee, refund
        return
    # Exchange: issue each replacement from sellable stock at today's price and cost.
    replacement_value = replacement_cost = 0
    for ln in lines:
        repl = s.get(Product, ln.replacement_product_id)
        assert repl is not None
        _move(s, repl, "sellable", -ln.replacement_qty, "exchange_out", user, now, slip)
        replacement_value += ln.replacement_qty * ln.replacement_unit_price_fen
        replacement_cost += ln.replacement_qty * ln.replacement_unit_cost_fen
    diff = replacement_value - gross
    if method == "credit" and customer is not None:
        if diff > 0 and customer.credit_fen < diff:
            raise DomainError("credit_short", field="method", have=customer.credit_fen, need=diff)
        _credit(s, customer, -diff, "exchange", user, now, slip)
    _post(
        s,
        "exchange",
        now,
        user,
        [
            (RETURNS, gross, 0),
            (REVENUE, 0, replacement_value),
            (account, max(diff, 0), max(-diff, 0)),
            (COGS, replacement_cost, 0),
            (INVENTORY, 0, replacement_cost),
        ],
        memo=slip.number,
        slip=slip,
    )
    slip.gross_fen, slip.difference_fen = gross, diff
    slip.refund_fen = max(-diff, 0)


def close_slip(
    db: Database,
    actor: str,
    number: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Close a settled slip; from then on it never changes."""
    at = now or utcnow()

    def body(s: Session, slip: Slip, user: User) -> None:
        _transition(s, slip, "closed", user.name, at, "close", request_id=request_id)

    return _slip_step(
        db, actor, CLOSE_ROLES, number, "close", [], body, request_id, at, to="closed"
    )


def add_feedback(
    db: Database,
    actor: str,
    number: str,
    score: int,
    comment: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
) -> SlipView:
    """Record the customer's feedback (score 1-5, comment) on a settled or closed slip."""
    at = now or utcnow()
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("bad_score", field="score", value=str(score))
    comment = _text(comment, "comment")

    def body(s: Session, slip: Slip, user: User) -> None:
        if slip.status not in ("settled", "closed"):
            raise DomainError(
                "feedback_not_settled", field="number", slip=slip.number, status=slip.status
            )
        if s.exec(select(Feedback).where(Feedback.slip_id == slip.id)).first():
            raise DomainError("feedback_exists", field="number", slip=slip.number)
        s.add(Feedback(slip_id=slip.id or 0, score=score, comment=comment, by=user.name, at=at))
        _audit(s, user.name, "feedback", at, slip, detail={"score": score}, request_id=request_id)
        pol = policy()
        if score <= pol.low_score and slip.customer_id is not None:
            # An unhappy customer gets a call back from the counter (回访), unasked.
            _open_follow_up(
                s,
                slip.customer_id,
                f"★{score} {comment}".strip(),
                at + timedelta(days=pol.follow_up_days),
                SYSTEM_USER,
                at,
                slip=slip,
                auto=True,
            )

    return _slip_step(
        db, actor, FEEDBACK_ROLES, number, "feedback", [score, comment], body, request_id, at
    )


# ---------------------------------------------------------------------------------------
# Stock operations: adjustments, reorder points, defective goods, supplier returns (退供应商)
# ---------------------------------------------------------------------------------------

STOCK_ROLES = PURCHASE_ROLES
# Counted corrections (盘点) apply to goods on the shelf and in the defective cage; pending
# and scrap only change through inspection and disposal.
ADJUST_LOCATIONS = ("sellable", "defective")
DEFECTIVE_ACTIONS = ("repair", "scrap")
CLOSE_DAY_ROLES = SETTLE_ROLES
FOLLOW_UP_ROLES = FEEDBACK_ROLES


@dataclass(frozen=True)
class SupplierReturnView:
    """A return of defective goods to the supplier (GT-YYYYMMDD-NNNN)."""

    number: str
    supplier: str
    sku: str
    name: str
    qty: int
    value_fen: int  # what the goods were carried at (their defective value)
    expected_credit_fen: int  # what the supplier is expected to credit
    note: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class FollowUpView:
    """An after-sales follow-up (回访) on a customer."""

    id: int
    customer_name: str
    phone: str
    slip: str | None
    role: str
    note: str
    due_at: datetime
    auto: bool
    created_by: str
    done_at: datetime | None
    done_by: str | None
    outcome: str

    @property
    def done(self) -> bool:
        """True once somebody marked it done."""
        return self.done_at is not None


@dataclass(frozen=True)
class DayCloseView:
    """A closed business day (日结) and its totals."""

    day: str
    debit_fen: int
    credit_fen: int
    entries: int
    totals: dict[str, Any]
    closed_by: str
    closed_at: datetime
    shop: str | None = DEFAULT_SHOP  # None: the chain's totals (never closed as one)


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
    location = _choice(location, ADJUST_LOCATIONS, "location")
    delta = _delta(delta, "qty")
    reason = _text(reason, "reason", required=True)
    with db.write() as s:
        user = _actor(s, actor, STOCK_ROLES)
        p = _product(s, sku)
        where = _write_shop(s, user, shop)

        def work() -> str:
            if location == "sellable":
                value = abs(delta) * p.unit_cost_fen
            elif delta < 0:
                value = _defective_value(s, p, -delta, where)
            else:
                value = delta * _defective_unit_cost(s, p, where)
            signed = value if delta > 0 else -value
            account = INVENTORY if location == "sellable" else DEFECTIVE
            _move(
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
            _post(s, "stock_adjust", now, user.name, lines, memo=f"{p.sku} {delta:+d} {reason}",
                  shop=where)
            _audit(
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

        _idempotent(
            s, request_id, "stock_adjust", [user.name, p.sku, location, delta, reason, where],
            work, now
        )
        return _stock_rows(s, [p.id or 0], where)[0]


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
    reorder_point = _qty(reorder_point, "reorder_point", allow_zero=True)
    with db.write() as s:
        user = _actor(s, actor, STOCK_ROLES)
        p = _product(s, sku)

        def work() -> str:
            before = p.reorder_point
            p.reorder_point = reorder_point
            s.add(p)
            s.flush()
            # The point is the chain's; each shop's alert follows its own sellable stock, in
            # the shops that stock the product (a single shop: always).
            only = _only_shop(s)
            stocked = [only] if only is not None else s.exec(
                select(StockLevel.shop).where(StockLevel.product_id == p.id,
                                              StockLevel.location == "sellable")
                .order_by(col(StockLevel.shop))).all()
            for where in stocked:
                _check_alert(s, p, _sellable(s, p.id or 0, where), now, where)
            _audit(
                s,
                user.name,
                "reorder_point",
                now,
                detail={"sku": p.sku, "from": before, "to": reorder_point},
                request_id=request_id,
            )
            return p.sku

        _idempotent(s, request_id, "reorder_point", [user.name, p.sku, reorder_point], work, now)
        return _stock_rows(s, [p.id or 0], user.shop)[0]


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
    action = _choice(action, DEFECTIVE_ACTIONS, "action")
    qty = _qty(qty, "qty")
    note = _text(note, "note")
    with db.write() as s:
        user = _actor(s, actor, STOCK_ROLES)
        p = _product(s, sku)
        where = _write_shop(s, user, shop)

        def work() -> str:
            value = _defective_value(s, p, qty, where)
            to = "sellable" if action == "repair" else "scrap"
            _move(s, p, "defective", -qty, action, user.name, now, note=note, value_fen=-value,
                  shop=where)
            _move(s, p, to, qty, action, user.name, now, note=note, shop=where)
            account = INVENTORY if action == "repair" else WRITE_OFF
            _post(
                s,
                f"defective_{action}",
                now,
                user.name,
                [(account, value, 0), (DEFECTIVE, 0, value)],
                memo=f"{p.sku} x{qty}",
                shop=where,
            )
            _audit(
                s,
                user.name,
                f"defective_{action}",
                now,
                detail={"sku": p.sku, "qty": qty, "value": value, "note": note, "shop": where},
                request_id=request_id,
            )
            return p.sku

        _idempotent(s, request_id, f"defective_{action}", [user.name, p.sku, qty, note, where],
                    work, now)
        return _stock_rows(s, [p.id or 0], where)[0]


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
    qty = _qty(qty, "qty")
    note = _text(note, "note")
    credit = None if expected_credit_fen is None else _fen(expected_credit_fen, "expected_credit")
    with db.write() as s:
        user = _actor(s, actor, STOCK_ROLES)
        p = _product(s, sku)
        name = _text(
            supplier if supplier is not None else p.supplier, "supplier", required=True, max_len=200
        )
        where = _write_shop(s, user, shop)

        def work() -> str:
            value = _defective_value(s, p, qty, where)
            expected = value if credit is None else credit
            number = _next_number(s, "GT", now)
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
            _move(
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
            _post(
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
            _audit(
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
            _notify(
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

        number, _ = _idempotent(
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


# ---------------------------------------------------------------------------------------
# Customer care: store-credit moves, follow-ups (回访)
# ---------------------------------------------------------------------------------------


def _credit(
    s: Session,
    customer: Customer,
    delta: int,
    kind: str,
    user: str,
    now: datetime,
    slip: Slip | None = None,
) -> None:
    """Change a customer's store credit by one recorded move (never below zero)."""
    if delta == 0:
        return
    if customer.credit_fen + delta < 0:
        raise DomainError("credit_short", field="method", have=customer.credit_fen, need=-delta)
    customer.credit_fen += delta
    s.add(customer)
    s.add(
        CreditMove(
            customer_id=customer.id or 0,
            delta_fen=delta,
            balance_fen=customer.credit_fen,
            kind=kind,
            slip_id=slip.id if slip else None,
            user=user,
            at=now,
        )
    )


def _customer(s: Session, phone: str) -> Customer:
    phone = _text(phone, "phone", required=True, max_len=32)
    c = s.exec(select(Customer).where(Customer.phone == phone)).first()
    if c is None:
        raise DomainError("unknown_customer", field="phone", phone=phone)
    return c


def _open_follow_up(
    s: Session,
    customer_id: int,
    note: str,
    due_at: datetime,
    user: str,
    now: datetime,
    slip: Slip | None = None,
    role: str = "clerk",
    auto: bool = False,
) -> FollowUp:
    fu = FollowUp(
        customer_id=customer_id,
        slip_id=slip.id if slip else None,
        role=role,
        note=note,
        due_at=as_utc(due_at),
        auto=auto,
        created_by=user,
        created_at=now,
    )
    s.add(fu)
    s.flush()
    c = s.get(Customer, customer_id)
    _notify(
        s,
        (role,),
        "follow_up",
        now,
        slip=slip,
        id=fu.id,
        customer=c.name if c else "",
        phone=c.phone if c else "",
        due=local_day(due_at),
    )
    return fu


def add_follow_up(
    db: Database,
    actor: str,
    phone: str,
    note: str,
    due_at: datetime,
    slip_number: str | None = None,
    role: str = "clerk",
    request_id: str | None = None,
    now: datetime | None = None,
) -> FollowUpView:
    """Note an after-sales follow-up on a customer, due at `due_at` (for `role`, the clerk)."""
    now = now or utcnow()
    note = _text(note, "note", required=True)
    role = _choice(role, ROLES, "role")
    if not isinstance(due_at, datetime):
        raise DomainError("bad_date", field="due", value=str(due_at))
    # A call-back is planned ahead: a day already gone would be overdue the moment it is made.
    if local_day(due_at) < local_day(now):
        raise DomainError(
            "due_in_past", field="due", due=local_day(due_at), today=local_day(now)
        )
    with db.write() as s:
        user = _actor(s, actor, FOLLOW_UP_ROLES)
        c = _customer(s, phone)
        slip = _slip(s, slip_number, lock=False) if slip_number else None
        if slip is not None and slip.customer_id != c.id:
            raise DomainError("slip_not_customer", field="slip", slip=slip.number, phone=c.phone)

        def work() -> str:
            fu = _open_follow_up(s, c.id or 0, note, due_at, user.name, now, slip, role)
            _audit(
                s,
                user.name,
                "follow_up",
                now,
                slip,
                detail={"id": fu.id, "phone": c.phone, "due": as_utc(due_at).isoformat()},
                request_id=request_id,
            )
            return str(fu.id)

        fid, _ = _idempotent(
            s,
            request_id,
            "follow_up",
            [user.name, c.phone, note, as_utc(due_at).isoformat(), slip_number, role],
            work,
            now,
        )
        return _follow_up_views(s, [int(fid)])[0]


def complete_follow_up(
    db: Database,
    actor: str,
    follow_up_id: int,
    outcome: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
) -> FollowUpView:
    """Mark a follow-up done, with what came of it."""
    now = now or utcnow()
    fid = _qty(follow_up_id, "id")
    outcome = _text(outcome, "outcome")
    with db.write() as s:
        user = _actor(s, actor, FOLLOW_UP_ROLES)
        fu = s.exec(select(FollowUp).where(FollowUp.id == fid).with_for_update()).first()
        if fu is None:
            raise DomainError("unknown_follow_up", field="id", id=fid)

        def work() -> str:
            if fu.done_at is not None:
                raise DomainError("follow_up_done", field="id", id=fid)
            fu.done_at, fu.done_by, fu.outcome = now, user.name, outcome
            s.add(fu)
            slip = s.get(Slip, fu.slip_id) if fu.slip_id else None
            _audit(
                s,
                user.name,
                "follow_up_done",
                now,
                slip,
                detail={"id": fid, "outcome": outcome},
                request_id=request_id,
            )
            s.execute(
                update(Notification)
                .where(
                    col(Notification.key) == "follow_up",
                    col(Notification.read_at).is_(None),
                    col(Notification.params_json).contains(f'"id": {fid},'),
                )
                .values(read_at=now)
            )
            return str(fid)

        _idempotent(s, request_id, "follow_up_done", [user.name, fid, outcome], work, now)
        return _follow_up_views(s, [fid])[0]


def _follow_up_views(s: Session, ids: Sequence[int]) -> list[FollowUpView]:
    rows = s.exec(
        select(FollowUp, Customer, Slip.number)
        .join(Customer, col(Customer.id) == col(FollowUp.customer_id))
        .join(Slip, col(Slip.id) == col(FollowUp.slip_id), isouter=True)
        .where(col(FollowUp.id).in_(list(ids)))
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
    ).all()
    return [
        FollowUpView(
            fu.id or 0,
            c.name,
            c.phone,
            number,
            fu.role,
            fu.note,
            as_utc(fu.due_at),
            fu.auto,
            fu.created_by,
            as_utc(fu.done_at) if fu.done_at else None,
            fu.done_by,
            fu.outcome,
        )
        for fu, c, number in rows
    ]


def follow_ups(
    db: Database,
    phone: str | None = None,
    due_by: datetime | None = None,
    open_only: bool = True,
    limit: int = 200,
) -> list[FollowUpView]:
    """Follow-ups by due time: one customer's (`phone`), or the "to call back" list of
    everything open and due by `due_by`."""
    with db.read() as s:
        q = select(FollowUp.id).join(Customer, col(Customer.id) == col(FollowUp.customer_id))
        if phone:
            q = q.where(Customer.phone == phone.strip())
        if open_only:
            q = q.where(col(FollowUp.done_at).is_(None))
        if due_by is not None:
            q = q.where(col(FollowUp.due_at) <= as_utc(due_by))
        q = q.order_by(col(FollowUp.due_at), col(FollowUp.id)).limit(limit)
        return _follow_up_views(s, [int(i) for i in s.exec(q).all() if i is not None])


# ---------------------------------------------------------------------------------------
# Daily close (日结)
# ---------------------------------------------------------------------------------------


def _day_totals(
    s: Session, start: datetime, end: datetime, shop: str | None
) -> tuple[int, int, int, dict[str, Any]]:
    """Σ debit, Σ credit, entry count and the per-account / per-method totals of a shop's
    day (None: the whole chain's)."""
    in_day = (col(JournalEntry.at) >= start) & (col(JournalEntry.at) < end)
    sold = (col(Sale.sold_at) >= start) & (col(Sale.sold_at) < end)
    settled = (col(Slip.settled_at) >= start) & (col(Slip.settled_at) < end)
    if shop is not None:
        in_day &= col(JournalEntry.shop) == shop
        sold &= col(Sale.shop) == shop
        settled &= col(Slip.shop) == shop
    per_account = s.execute(
        select(Posting.account_code, func.sum(Posting.debit_fen), func.sum(Posting.credit_fen))
        .join(JournalEntry, col(JournalEntry.id) == col(Posting.entry_id))
        .where(in_day)
        .group_by(col(Posting.account_code))
        .order_by(col(Posting.account_code))
    ).all()
    entries = int(s.exec(select(func.count()).select_from(JournalEntry).where(in_day)).one())
    sales = s.execute(
        select(Sale.payment_method, func.sum(SaleLine.qty * SaleLine.unit_price_fen))
        .join(SaleLine, col(SaleLine.sale_id) == col(Sale.id))
        .where(sold)
        .group_by(col(Sale.payment_method))
    ).all()
    refunds = s.execute(
        select(Slip.refund_method, func.sum(Slip.refund_fen), func.count())
        .where(settled, Slip.type == "return")
        .group_by(col(Slip.refund_method))
    ).all()
    exchanges = s.execute(
        select(
            Slip.refund_method,
            func.sum(case((col(Slip.difference_fen) > 0, col(Slip.difference_fen)), else_=0)),
            func.sum(case((col(Slip.difference_fen) < 0, -col(Slip.difference_fen)), else_=0)),
        )
        .where(settled, Slip.type == "exchange")
        .group_by(col(Slip.refund_method))
    ).all()
    totals: dict[str, Any] = {
        "accounts": {a: [int(d or 0), int(c or 0)] for a, d, c in per_account},
        "sales": {m: int(v or 0) for m, v in sales},
        "refunds": {m: int(v or 0) for m, v, _ in refunds},
        "refund_slips": {m: int(n) for m, _, n in refunds},
        "exchange_in": {m: int(v or 0) for m, v, _ in exchanges if v},
        "exchange_out": {m: int(v or 0) for m, _, v in exchanges if v},
    }
    debit = sum(d for d, _ in totals["accounts"].values())
    credit = sum(c for _, c in totals["accounts"].values())
    return debit, credit, entries, totals


def _only_shop(s: Session) -> str | None:
    """The chain's shop when it has just one (a single shop), else None."""
    codes = s.exec(select(Shop.code).limit(2)).all()
    return codes[0] if len(codes) == 1 else None


def day_totals(db: Database, day: date, shop: str | None = None) -> DayCloseView:
    """A shop's day totals as a close would record them (closed_by empty while it is open).

    Without a shop: the only shop's, or in a chain the sum of every shop's (never closed as
    one: each shop closes its own day)."""
    start, end = day_bounds(day)
    with db.read() as s:
        if shop is not None:
            shop = _shop_code(s, shop)
        else:
            shop = _only_shop(s)
        if shop is not None:
            closed = s.exec(select(DailyClose).where(
                DailyClose.day == day.isoformat(), DailyClose.shop == shop)).first()
            if closed is not None:
                return _close_view(closed)
        debit, credit, entries, totals = _day_totals(s, start, end, shop)
        return DayCloseView(day.isoformat(), debit, credit, entries, totals, "", start, shop)


def _close_view(c: DailyClose) -> DayCloseView:
    return DayCloseView(
        c.day,
        c.debit_fen,
        c.credit_fen,
        c.entries,
        json.loads(c.totals_json),
        c.closed_by,
        as_utc(c.closed_at),
        c.shop,
    )


def close_day(
    db: Database,
    actor: str,
    day: date,
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> DayCloseView:
    """Close a shop's business day (日结): record its totals and who closed it; after this no
    posting of that shop dated that day can be added. Refused for a future day, a closed day
    or an uneven one."""
    now = now or utcnow()
    if not isinstance(day, date) or isinstance(day, datetime):
        raise DomainError("bad_date", field="date", value=str(day))
    if day.isoformat() > local_day(now):
        raise DomainError("day_in_future", field="date", day=day.isoformat())
    start, end = day_bounds(day)
    with db.write() as s:
        user = _actor(s, actor, CLOSE_DAY_ROLES)
        where = _write_shop(s, user, shop)
        this_day = (DailyClose.day == day.isoformat()) & (DailyClose.shop == where)

        def work() -> str:
            if s.exec(select(DailyClose.id).where(this_day)).first():
                raise DomainError("day_closed", field="date", day=day.isoformat())
            debit, credit, entries, totals = _day_totals(s, start, end, where)
            if debit != credit:
                raise DomainError("journal_unbalanced", field="journal", debit=debit, credit=credit)
            s.add(
                DailyClose(
                    day=day.isoformat(),
                    starts_at=start,
                    ends_at=end,
                    totals_json=json.dumps(totals, sort_keys=True),
                    debit_fen=debit,
                    credit_fen=credit,
                    entries=entries,
                    closed_by=user.name,
                    closed_at=now,
                    shop=where,
                )
            )
            _audit(
                s,
                user.name,
                "close_day",
                now,
                detail={
                    "day": day.isoformat(),
                    "debit": debit,
                    "credit": credit,
                    "entries": entries,
                    "shop": where,
                },
                request_id=request_id,
            )
            return day.isoformat()

        _idempotent(s, request_id, "close_day", [user.name, day.isoformat(), where], work, now)
        closed = s.exec(select(DailyClose).where(this_day)).one()
        return _close_view(closed)


def closed_days(db: Database, limit: int = 60, shop: str | None = None) -> list[DayCloseView]:
    """The most recent closed days, newest first: one shop's, or (None) every shop's."""
    with db.read() as s:
        q = select(DailyClose)
        if shop is not None:
            q = q.where(DailyClose.shop == shop)
        rows = s.exec(q.order_by(col(DailyClose.day).desc(), col(DailyClose.shop))
                      .limit(limit)).all()
        return [_close_view(c) for c in rows]


# ---------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------


def _sellable(s: Session, product_id: int, shop: str | None) -> int:
    """A product's sellable units in one shop (None: the whole chain)."""
    q = select(func.coalesce(func.sum(StockLevel.qty), 0)).where(
        StockLevel.product_id == product_id, StockLevel.location == "sellable")
    if shop is not None:
        q = q.where(StockLevel.shop == shop)
    return int(s.exec(q).one())


def _slip_view(s: Session, number: str) -> SlipView:
    slip = s.exec(select(Slip).where(Slip.number == number)).one()
    customer = s.get(Customer, slip.customer_id) if slip.customer_id else None
    sale = s.get(Sale, slip.sale_id) if slip.sale_id else None
    rows = s.exec(
        select(SlipLine, Product)
        .join(Product, col(Product.id) == col(SlipLine.product_id))
        .where(SlipLine.slip_id == slip.id)
        .order_by(col(SlipLine.id))
    ).all()
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
                replacement_sellable=_sellable(s, repl.id or 0, slip.shop) if repl else None,
            )
        )
    events = [
        EventView(
            e.action, e.user, _utc(e.at), e.from_status, e.to_status, json.loads(e.detail_json)
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
        sale=sale.order_no if sale else None,
        created_by=slip.created_by,
        created_at=_utc(slip.created_at),
        note=slip.note,
        gross_fen=slip.gross_fen,
        fee_fen=slip.fee_fen,
        refund_fen=slip.refund_fen,
        difference_fen=slip.difference_fen,
        refund_method=slip.refund_method,
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
    )


def get_slip(db: Database, number: str, viewer: str | None = None) -> SlipView:
    """One slip, whole. A `viewer` of one shop may only see that shop's slips
    (shop_denied); without a viewer (or chain-wide) any slip."""
    with db.read() as s:
        slip = _slip(s, number, lock=False)
        if viewer:
            who = s.exec(select(User).where(User.name == viewer)).first()
            if who is not None:
                _may_work_in(who, slip.shop, "number")
        return _slip_view(s, slip.number)


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
        _choice(status, STATUSES, "status")
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
        sale = _sale_by_order(s, order)
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
            _utc(sale.sold_at),
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
                sale.order_no, _utc(sale.sold_at), sale.channel, c.name if c else None, int(t or 0)
            )
            for sale, c, t in s.exec(q).all()
        ]


def _stock_rows(
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


def stock(db: Database, low_only: bool = False, shop: str | None = None) -> list[StockRow]:
    """Stock per product in every location, by SKU: one shop's, or (None) the chain's."""
    with db.read() as s:
        rows = _stock_rows(s, shop=shop)
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
            AlertView(p.sku, p.name, int(q or 0), p.reorder_point, _utc(a.raised_at), a.shop)
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
                    _utc(n.created_at),
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
        user = _actor(s, actor)
        if shop is not None:
            shop = _shop_code(s, shop)
            _may_work_in(user, shop)
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


# ---------------------------------------------------------------------------------------
# Reads for the counter screens: finding sales, products, customers, slips; the queue
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductHit:
    """A product found by SKU, barcode or name, with its sellable stock."""

    sku: str
    barcode: str | None
    name: str
    model: str
    category: str
    unit_price_fen: int
    sellable: int


@dataclass(frozen=True)
class CustomerView:
    """A customer with the store credit the shop owes them."""

    name: str
    phone: str
    channel: str
    credit_fen: int


@dataclass(frozen=True)
class QueueItem:
    """A submitted slip waiting for review, with what makes it need a person."""

    number: str
    type: str
    channel: str
    customer: str | None
    customer_phone: str | None
    sale: str | None
    created_by: str
    created_at: datetime
    gross_fen: int
    refund_fen: int
    difference_fen: int
    flags: tuple[str, ...]


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
            sale.order_no, _utc(sale.sold_at), sale.channel, c.name if c else None, int(t or 0)
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
        _utc(sl.created_at),
        sl.refund_fen,
        sl.difference_fen,
        sl.shop,
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
            if c is not None and _slips_in_year(s, c.id or 0, _utc(sl.created_at)) >= threshold:
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
                    _utc(sl.created_at),
                    sl.gross_fen,
                    sl.refund_fen,
                    sl.difference_fen,
                    tuple(flags),
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


def _slips_in_year(s: Session, customer_id: int, until: datetime) -> int:
    return int(
        s.exec(
            select(func.count()).select_from(Slip).where(*repeat_window(customer_id, until))
        ).one()
    )


def needs_setup(db: Database) -> bool:
    """True for a database with no users yet: the app runs its first-run setup."""
    with db.read() as s:
        return s.exec(select(func.count()).select_from(User)).one() == 0


def setup_shop(
    db: Database,
    shop_name: str,
    owner: str,
    pin: str | None,
    channels: Sequence[str] = CHANNELS,
    now: datetime | None = None,
) -> UserView:
    """First-run setup of an empty database: the shop's name, the owner's account (with a
    PIN) and the channels it sells through, in one transaction."""
    at = now or utcnow()
    shop_name = _text(shop_name, "shop_name", required=True, max_len=100)
    owner = _text(owner, "owner", required=True, max_len=64)
    pin = _pin(pin)
    chosen = [_choice(c, CHANNELS, "channels") for c in channels]
    if not chosen:
        raise DomainError("required", field="channels")
    with db.write() as s:
        if s.exec(select(func.count()).select_from(User)).one():
            raise DomainError("already_set_up", field="owner")
        s.add(
            User(name=owner, role="owner", pin_hash=hash_pin(pin) if pin else None, created_at=at)
        )
        s.add(Setting(key="shop_name", value=shop_name))
        s.add(Setting(key="channels", value=",".join(chosen)))
        first = s.get(Shop, DEFAULT_SHOP)
        if first is not None:  # the default shop takes the shop's name
            first.name = shop_name
            s.add(first)
        _audit(
            s,
            owner,
            "setup",
            at,
            detail={"shop_name": shop_name, "owner": owner, "channels": chosen},
        )
    return UserView(owner, "owner", pin is not None, True)


# ---------------------------------------------------------------------------------------
# Verify: the invariants of DESIGN.md, checked over the whole database
# ---------------------------------------------------------------------------------------

# Bounds of the values a cell may hold (`verify` reports any other as damage). Money per row
# stays within MAX_FEN, so the sums of a journal of millions of rows cannot overflow; a
# day's totals are sums themselves.
MAX_DAY_FEN = 10**15
_ACCOUNT_KINDS = frozenset(kind for _, _, kind in ACCOUNTS.values())


def cell_rules() -> dict[tuple[str, str], ColumnRule]:
    """What each column may hold beyond its type (and the JSON shape its model declares):
    the desk's vocabulary and the bounds of quantities and money."""
    def one_of(values: Iterable[str]) -> ColumnRule:
        return ColumnRule(allowed=frozenset(values))

    qty = ColumnRule(low=0, high=MAX_QTY)
    rules: dict[tuple[str, str], ColumnRule] = {
        ("slips", "type"): one_of(SLIP_TYPES),
        ("slips", "status"): one_of(STATUSES),
        ("slips", "refund_method"): one_of(REFUND_METHODS),
        ("sales", "payment_method"): one_of(PAYMENT_METHODS),
        ("slip_lines", "reason_code"): one_of(REASONS),
        ("stock_levels", "location"): one_of(LOCATIONS),
        ("stock_moves", "location"): one_of(LOCATIONS),
        ("journal_entries", "kind"): one_of(JOURNAL_KINDS),
        ("audit_events", "from_status"): one_of(STATUSES),
        ("audit_events", "to_status"): one_of(STATUSES),
        ("accounts", "kind"): one_of(_ACCOUNT_KINDS),
        ("sale_lines", "qty"): ColumnRule(low=1, high=MAX_QTY),
        ("slip_lines", "qty"): ColumnRule(low=1, high=MAX_QTY),
        ("supplier_returns", "qty"): ColumnRule(low=1, high=MAX_QTY),
        ("slip_lines", "replacement_qty"): qty,
        ("inspection_grades", "resellable"): qty,
        ("inspection_grades", "defective"): qty,
        ("inspection_grades", "scrap"): qty,
        ("stock_levels", "qty"): qty,
        ("stock_moves", "qty"): ColumnRule(low=-MAX_QTY, high=MAX_QTY),
        ("stock_alerts", "sellable"): qty,
        ("stock_alerts", "reorder_point"): qty,
        ("products", "reorder_point"): qty,
        ("feedback", "score"): ColumnRule(low=1, high=5),
        ("daily_closes", "entries"): ColumnRule(low=0, high=MAX_ID),
    }
    for name in ("slips", "sales", "sale_lines", "customers"):
        rules[(name, "channel")] = one_of(CHANNELS)
    for name in ("users", "notifications", "follow_ups"):
        rules[(name, "role")] = one_of(ROLES)
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("_fen") and (table.name, column.name) not in rules:
                rules[(table.name, column.name)] = ColumnRule(low=-MAX_FEN, high=MAX_FEN)
    rules[("daily_closes", "debit_fen")] = ColumnRule(low=0, high=MAX_DAY_FEN)
    rules[("daily_closes", "credit_fen")] = ColumnRule(low=0, high=MAX_DAY_FEN)
    return rules


def damage_error(db: Database | str, exc: BaseException) -> DomainError | None:
    """A DomainError naming the damaged cells when `exc` came from reading one, else None.

    For the places that meet an unexpected error (the CLI, the app's screens): a damaged
    database is said as such, with what to do, instead of a traceback. `db` is the open
    database or where it is (a path or URL)."""
    if isinstance(db, Database):
        return db.damage_error(exc)
    try:
        database = Database(db)
    except Exception:
        return None
    try:
        return database.damage_error(exc)
    finally:
        database.dispose()


_CHECK_ROW_LIMIT = 10  # findings kept per check (the SQL asks for at most 5 of each kind)


def _checked(name: str, findings: Sequence[Finding], ok_detail: str,
             params: dict[str, Any] | None = None) -> Check:
    """A check's result: passing with `ok_detail`, or failing with its findings (the
    English text of the first of them is the detail)."""
    kept = tuple(findings[:_CHECK_ROW_LIMIT])
    detail = "; ".join(f.text("en") for f in kept) or ok_detail
    return Check(name, not kept, detail, params or {}, kept)


def _guarded(db: Database, name: str, run: Callable[[Session], Check]) -> Check:
    """Run one check in its own read transaction; whatever it meets (a damaged value, an
    overflowing sum), the result is a failing check, never an exception."""
    try:
        with db.read() as s:
            return run(s)
    except Exception as exc:
        if isinstance(exc, DomainError):
            error = exc.message("en")
        else:
            error = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0]
        error = error[:200] or type(exc).__name__
        return _checked(name, [Finding("verify_check_crashed", {"error": error})], "")


def verify(db: Database) -> VerifyReport:
    """Check every cell, I1-I7, the audit chain, store credit, closed days and (on SQLite)
    the file's integrity. Never raises on damaged data: each check runs on its own, and
    whatever it cannot read is a failing check naming it."""
    checks: list[Check] = []
    if db.sqlite:
        checks.append(_guarded(db, "integrity", _check_integrity))
    checks.append(_guarded(db, "cells", _check_cells))
    for name, run in _CHECKS:
        checks.append(_guarded(db, name, run))
    return VerifyReport(checks)


def _check_integrity(s: Session) -> Check:
    res = [str(r[0]) for r in s.execute(text("PRAGMA integrity_check")).all()]
    findings = [] if res == ["ok"] else [Finding("verify_integrity", {"detail": r})
                                          for r in res[:5]]
    return _checked("integrity", findings, "ok")


def _check_cells(s: Session) -> Check:
    cells = scan(s.connection(), SQLModel.metadata.sorted_tables, cell_rules(),
                 limit=_CHECK_ROW_LIMIT)
    findings = [Finding("verify_cell", c.as_dict()) for c in cells]
    return _checked("cells", findings, "every cell holds what its column allows",
                    {"tables": len(SQLModel.metadata.sorted_tables)})


def _check_credit(s: Session) -> Check:
    """Each customer's credit moves add up to their balance; all balances = the 2205 account."""
    moved = (
        select(CreditMove.customer_id, func.sum(CreditMove.delta_fen).label("m"))
        .group_by(col(CreditMove.customer_id))
        .subquery()
    )
    bad = s.execute(
        select(Customer.phone, Customer.credit_fen, moved.c.m)
        .join(moved, moved.c.customer_id == col(Customer.id), isouter=True)
        .where(col(Customer.credit_fen) != func.coalesce(moved.c.m, 0))
        .limit(5)
    ).all()
    findings = [Finding("verify_credit_customer", {"phone": p, "balance": b, "moves": m})
                for p, b, m in bad]
    held = int(s.exec(select(func.coalesce(func.sum(Customer.credit_fen), 0))).one())
    owed = int(
        s.exec(
            select(func.coalesce(func.sum(Posting.credit_fen - Posting.debit_fen), 0)).where(
                Posting.account_code == STORE_CREDIT
            )
        ).one()
    )
    if held != owed:
        findings.append(Finding("verify_credit_account", {"held": held, "owed": owed}))
    return _checked("credit", findings, f"balances = moves = 2205 ({held})", {"total": held})


def _check_closes(s: Session) -> Check:
    """A closed day's postings are what they were when it was closed: every account's
    debit and credit, the entries, and the sales and refunds by method."""
    findings: list[Finding] = []
    rows = s.execute(text(
        "SELECT id, day, shop, starts_at, ends_at, debit_fen, credit_fen, entries, totals_json "
        "FROM daily_closes ORDER BY day, shop")).all()
    for row_id, day, shop, starts, ends, debit0, credit0, entries0, totals_json in rows:
        start, end = _raw_datetime(starts), _raw_datetime(ends)
        try:
            recorded = json.loads(totals_json)
        except (TypeError, ValueError):
            recorded = None
        if start is None or end is None or not isinstance(recorded, dict):
            findings.append(Finding("verify_close_unreadable", {"day": day, "shop": shop,
                                                                "id": row_id}))
            continue
        debit, credit, entries, totals = _day_totals(s, start, end, shop)
        if (debit, credit, entries) != (debit0, credit0, entries0):
            findings.append(Finding("verify_close_totals", {
                "day": day, "shop": shop, "debit": debit0, "credit": credit0,
                "entries": entries0, "now_debit": debit, "now_credit": credit,
                "now_entries": entries}))
            continue
        for part in sorted(set(totals) | set(recorded)):
            then, now = recorded.get(part, {}), totals.get(part, {})
            for key in sorted(set(then) | set(now), key=str):
                if then.get(key) != now.get(key):
                    findings.append(Finding("verify_close_part", {
                        "day": day, "shop": shop, "part": part, "item": key,
                        "then": then.get(key), "now": now.get(key)}))
    return _checked("daily-close", findings, "closed days unchanged")


def _check_stock(s: Session) -> Check:
    moves = (
        select(StockMove.product_id, StockMove.location, StockMove.shop,
               func.sum(StockMove.qty).label("q"))
        .group_by(col(StockMove.product_id), col(StockMove.location), col(StockMove.shop))
        .subquery()
    )
    same_place = ((moves.c.product_id == StockLevel.product_id)
                  & (moves.c.location == StockLevel.location) & (moves.c.shop == StockLevel.shop))
    bad = s.execute(
        sa_select(col(StockLevel.product_id), col(StockLevel.location), col(StockLevel.shop),
                  col(StockLevel.qty), moves.c.q)
        .join(moves, same_place, isouter=True)
        .where(or_(col(StockLevel.qty) != func.coalesce(moves.c.q, 0), col(StockLevel.qty) < 0))
        .limit(5)
    ).all()
    orphan = s.execute(
        select(moves.c.product_id, moves.c.location, moves.c.shop, moves.c.q)
        .join(StockLevel, same_place, isouter=True)
        .where(col(StockLevel.product_id).is_(None), moves.c.q != 0)
        .limit(5)
    ).all()
    findings = [Finding("verify_stock_level", {"product": p, "location": loc, "shop": sh,
                                               "level": lv, "moves": mv})
                for p, loc, sh, lv, mv in bad]
    findings += [Finding("verify_stock_orphan", {"product": p, "location": loc, "shop": sh,
                                                 "moves": q})
                 for p, loc, sh, q in orphan]
    return _checked("I1 stock", findings, "levels = Σ moves, none negative")


def _check_journal(s: Session) -> Check:
    bad = s.execute(
        select(Posting.entry_id, func.sum(Posting.debit_fen), func.sum(Posting.credit_fen))
        .group_by(col(Posting.entry_id))
        .having(func.sum(Posting.debit_fen) != func.sum(Posting.credit_fen))
        .limit(5)
    ).all()
    d, c = s.execute(
        select(
            func.coalesce(func.sum(Posting.debit_fen), 0),
            func.coalesce(func.sum(Posting.credit_fen), 0),
        )
    ).one()
    findings = [Finding("verify_entry_unbalanced", {"entry": e, "debit": dd, "credit": cc})
                for e, dd, cc in bad]
    if d != c:
        findings.append(Finding("verify_journal_unbalanced", {"debit": d, "credit": c}))
    return _checked("I2 money", findings, f"Σ debit = Σ credit = {d}", {"total": d})


def _check_returnable(s: Session) -> Check:
    returned = (
        select(SlipLine.sale_line_id, func.sum(SlipLine.qty).label("q"))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(col(Slip.status).not_in(RELEASED), col(SlipLine.sale_line_id).is_not(None))
        .group_by(col(SlipLine.sale_line_id))
        .subquery()
    )
    bad = s.execute(
        select(SaleLine.id, SaleLine.qty, returned.c.q)
        .join(returned, returned.c.sale_line_id == col(SaleLine.id))
        .where(returned.c.q > SaleLine.qty)
        .limit(5)
    ).all()
    findings = [Finding("verify_over_returned", {"line": i, "sold": q, "returned": r})
                for i, q, r in bad]
    return _checked("I3 returnable", findings, "returned ≤ sold")


def _check_refunds(s: Session) -> Check:
    refunded = (
        select(SlipLine.sale_line_id, func.sum(SlipLine.refund_fen).label("r"))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(
            col(Slip.status).in_(("settled", "closed")),
            col(SlipLine.sale_line_id).is_not(None),
        )
        .group_by(col(SlipLine.sale_line_id))
        .subquery()
    )
    bad = s.execute(
        select(SaleLine.id, SaleLine.qty * SaleLine.unit_price_fen, refunded.c.r)
        .join(refunded, refunded.c.sale_line_id == col(SaleLine.id))
        .where(refunded.c.r > SaleLine.qty * SaleLine.unit_price_fen)
        .limit(5)
    ).all()
    zero = s.execute(select(SlipLine.id).where(SlipLine.qty <= 0).limit(5)).all()
    findings = [Finding("verify_over_refunded", {"line": i, "paid": p, "refunded": r})
                for i, p, r in bad]
    findings += [Finding("verify_zero_qty", {"line": i}) for (i,) in zero]
    # A settled slip's money must match its lines: no refund beyond what the lines carry.
    over = s.execute(
        select(Slip.number)
        .where(
            Slip.type == "return",
            col(Slip.status).in_(("settled", "closed")),
            Slip.refund_fen > Slip.gross_fen,
        )
        .limit(5)
    ).all()
    findings += [Finding("verify_refund_over_gross", {"slip": n}) for (n,) in over]
    return _checked("I4 refund", findings, "refunds ≤ paid")


def _check_cost(s: Session) -> Check:
    bad = s.execute(
        select(SlipLine.id, SlipLine.unit_cost_fen, SaleLine.unit_cost_fen)
        .join(SaleLine, col(SaleLine.id) == col(SlipLine.sale_line_id))
        .where(SlipLine.unit_cost_fen != SaleLine.unit_cost_fen)
        .limit(5)
    ).all()
    # The cost reversed at inspection must equal Σ qty × original unit cost of the slip.
    reversed_cost = (
        select(JournalEntry.slip_id, func.sum(Posting.credit_fen).label("c"))
        .join(Posting, col(Posting.entry_id) == col(JournalEntry.id))
        .where(JournalEntry.kind == "return_cost", Posting.account_code == COGS)
        .group_by(col(JournalEntry.slip_id))
        .subquery()
    )
    expected = (
        select(SlipLine.slip_id, func.sum(SlipLine.qty * SlipLine.unit_cost_fen).label("e"))
        .group_by(col(SlipLine.slip_id))
        .subquery()
    )
    mism = s.execute(
        select(reversed_cost.c.slip_id, reversed_cost.c.c, expected.c.e)
        .join(expected, expected.c.slip_id == reversed_cost.c.slip_id)
        .where(reversed_cost.c.c != expected.c.e)
        .limit(5)
    ).all()
    findings = [Finding("verify_line_cost", {"line": i, "cost": a, "sale_cost": b})
                for i, a, b in bad]
    findings += [Finding("verify_reversed_cost", {"slip": i, "reversed": c, "expected": e})
                 for i, c, e in mism]
    return _checked("I5 cost", findings, "returns valued at sale cost")


def _check_lifecycle(s: Session) -> Check:
    findings: list[Finding] = []
    edges = s.execute(
        select(func.min(AuditEvent.seq), AuditEvent.from_status, AuditEvent.to_status)
        .where(col(AuditEvent.to_status).is_not(None))
        .group_by(col(AuditEvent.from_status), col(AuditEvent.to_status))
    ).all()
    for seq, a, b in edges:
        if (a, b) not in TRANSITIONS:
            findings.append(Finding("verify_bad_edge", {"seq": seq, "from_status": a,
                                                        "to_status": b}))
    last = (
        select(AuditEvent.slip_id, func.max(AuditEvent.seq).label("m"))
        .where(col(AuditEvent.to_status).is_not(None))
        .group_by(col(AuditEvent.slip_id))
        .subquery()
    )
    mism = s.execute(
        select(Slip.number, Slip.status, AuditEvent.to_status)
        .join(last, last.c.slip_id == col(Slip.id), isouter=True)
        .join(AuditEvent, col(AuditEvent.seq) == last.c.m, isouter=True)
        .where(
            or_(col(AuditEvent.to_status).is_(None), col(AuditEvent.to_status) != col(Slip.status))
        )
        .limit(5)
    ).all()
    findings += [Finding("verify_status_not_audited", {"slip": n, "status": st, "audit": a})
                 for n, st, a in mism]
    return _checked("I6 lifecycle", findings[:5], "every change audited")


def _raw_rows(s: Session, table: str, names: Sequence[str],
              order: str | None = None) -> Iterable[tuple[Any, ...]]:
    """The columns `names` of every row of `table`, read without the ORM's type processing:
    on SQLite text and bytes come as bytes and are decoded here (`_UNREADABLE` when they
    are not UTF-8), so a damaged cell is a value that does not fit, never an exception."""
    quote = s.get_bind().dialect.identifier_preparer.quote
    if s.get_bind().dialect.name == "sqlite":
        picks = ", ".join(f"CASE WHEN typeof({quote(n)}) IN ('text', 'blob') "
                          f"THEN CAST({quote(n)} AS BLOB) ELSE {quote(n)} END" for n in names)
    else:
        picks = ", ".join(quote(n) for n in names)
    q = f"SELECT {picks} FROM {quote(table)}" + (f" ORDER BY {quote(order)}" if order else "")
    for row in s.execute(text(q)).yield_per(2000):
        yield tuple(_decoded(v) for v in row)


def _decoded(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return _UNREADABLE
    return value


def verify_chain(s: Session) -> Check:
    """Recompute the audit hash chain; name the first broken row. Damaged cells in a row
    (a bad datetime, bytes, text that is not UTF-8) make that row the broken one.

    A failed check's params say where, for screens: `problem` "altered" (row `seq`/`id`
    does not hash to what it says), "missing" (seq `seq` is absent; the next row found is
    `found_seq`/`id`), "head" (the head names `seq`, the chain ends at `found_seq`) or
    "no_head" (rows without a head: the tail may have gone with it)."""
    prev = "0" * 64
    expect_seq = 1
    count = 0
    rows = _raw_rows(s, "audit_events", ("id", *_CHAIN_COLUMNS, "prev_hash", "hash"), "seq")
    for row in rows:
        row_id, seq, values, prev_hash, row_hash = row[0], row[1], row[1:-2], row[-2], row[-1]
        count += 1
        if seq != expect_seq:
            params = {"problem": "missing", "seq": expect_seq, "found_seq": seq, "id": row_id}
            return _checked("chain", [Finding("verify_chain_missing", params)], "", params)
        if prev_hash != prev or _row_hash(prev, values) != row_hash:
            params = {"problem": "altered", "seq": seq, "found_seq": seq, "id": row_id}
            return _checked("chain", [Finding("verify_chain_altered", params)], "", params)
        prev = row_hash
        expect_seq += 1
    head = next((h[1:] for h in _raw_rows(s, "chain_head", ("id", "seq", "hash")) if h[0] == 1),
                None)
    if head is None and count:
        params = {"problem": "no_head", "seq": None, "found_seq": count, "id": None}
        return _checked("chain", [Finding("verify_chain_no_head", params)], "", params)
    if head is not None and (head[0] != count or head[1] != prev):
        params = {"problem": "head", "seq": head[0], "found_seq": count, "id": None}
        return _checked("chain", [Finding("verify_chain_head", params)], "", params)
    return _checked("chain", [], f"{count} events, head {prev[:12]}",
                    {"count": count, "head": prev[:12]})


def _check_requests(s: Session) -> Check:
    dup = s.execute(
        select(AuditEvent.request_id, func.count())
        .where(col(AuditEvent.request_id).is_not(None))
        .group_by(col(AuditEvent.request_id))
        .having(func.count() > 1)
        .limit(5)
    ).all()
    orphan = s.execute(
        select(RequestRecord.request_id)
        .join(AuditEvent, col(AuditEvent.request_id) == col(RequestRecord.request_id), isouter=True)
        .where(col(AuditEvent.id).is_(None))
        .limit(5)
    ).all()
    findings = [Finding("verify_request_twice", {"request": r, "count": n}) for r, n in dup]
    findings += [Finding("verify_request_orphan", {"request": r}) for (r,) in orphan]
    return _checked("I7 requests", findings, "each request applied once")


# The checks after the file and the cells, in the order they are reported.
_CHECKS: tuple[tuple[str, Callable[[Session], Check]], ...] = (
    ("I1 stock", _check_stock),
    ("I2 money", _check_journal),
    ("I3 returnable", _check_returnable),
    ("I4 refund", _check_refunds),
    ("I5 cost", _check_cost),
    ("I6 lifecycle", _check_lifecycle),
    ("chain", verify_chain),
    ("I7 requests", _check_requests),
    ("credit", _check_credit),
    ("daily-close", _check_closes),
)


def chain_head(db: Database) -> tuple[int, str]:
    """The audit chain head (seq, hash), for archives."""
    with db.read() as s:
        head = s.get(ChainHead, 1)
        return (head.seq, head.hash) if head else (0, "0" * 64)


def accounts(db: Database) -> list[Account]:
    """The chart of accounts."""
    with db.read() as s:
        return list(s.exec(select(Account).order_by(col(Account.code))).all())


def account_balances(db: Database) -> dict[str, tuple[int, int]]:
    """Σ debit and Σ credit per account code."""
    with db.read() as s:
        rows = s.execute(
            select(
                Posting.account_code, func.sum(Posting.debit_fen), func.sum(Posting.credit_fen)
            ).group_by(col(Posting.account_code))
        ).all()
        return {a: (int(d), int(c)) for a, d, c in rows}
