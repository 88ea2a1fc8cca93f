"""Read models: the plain, frozen values the service returns (users, slips, lines, sales,
stock rows, alerts, notifications, verify results) and the inputs it takes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from rma_tui.store.models import DEFAULT_SHOP


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
class PlatformRequestInput:
    """One after-sale request (售后申请) as a platform's export file states it, mapped to
    our words by the platform's column map (money in fen, times aware UTC)."""

    refund_id: str  # the platform's refund id (退款编号): one slip per refund id
    order: str  # the platform order number (订单编号): our sale's order number
    status: str  # one of PLATFORM_STATUSES
    amount_fen: int  # what the buyer asks back / the platform refunded (退款金额)
    sku: str = ""  # the shop's own SKU (商家编码); empty: the sale's only line
    qty: int = 1
    suborder: str = ""  # the platform's sub-order (子订单编号)
    reason: str = "other"  # one of REASONS
    reason_text: str = ""  # the platform's reason and the buyer's description
    platform_status: str = ""  # the platform's own status value, as in the file
    goods_status: str = ""  # the platform's word on the goods (货物状态)
    carrier: str = ""  # return parcel's carrier (物流公司)
    waybill: str = ""  # return parcel's waybill number (物流单号)
    requested_at: datetime | None = None  # when the buyer applied (申请时间)
    modified_at: datetime | None = None  # the platform's last change (修改时间)
    buyer: str = ""  # the buyer's nickname on the platform (买家昵称)
    channel: str = ""  # the row's own channel (generic OMS files); empty: the map's
    line: int = 0  # the file's line it came from (for messages)


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
    # A platform's after-sale request: its refund id, its state in our words and its own,
    # the buyer's nickname, the return parcel, what the platform refunded.
    platform_ref: str | None = None
    platform_status: str = ""
    platform_status_raw: str = ""
    buyer: str = ""
    waybill_carrier: str = ""
    waybill_no: str | None = None
    platform_refund_fen: int = 0
    # A split refund: the part paid by `rest_method` (the rest went by `refund_method`).
    rest_method: str | None = None
    rest_fen: int = 0
    # How the sale was paid (None: no sale): `original` of a sale on account goes back to
    # the customer's account.
    sale_payment: str | None = None

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
            "rest_method": self.rest_method,
            "rest_fen": self.rest_fen,
            "policy_ok": self.policy_ok,
            "verdict": [asdict(r) for r in self.verdict],
            "auto_approved": self.auto_approved,
            "override_by": self.override_by,
            "override_reason": self.override_reason,
            "close_reason": self.close_reason,
            "platform_ref": self.platform_ref,
            "platform_status": self.platform_status or None,
            "platform_refund_fen": self.platform_refund_fen,
            "buyer": self.buyer or None,
            "waybill": ({"carrier": self.waybill_carrier, "number": self.waybill_no}
                        if self.waybill_no else None),
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
    platform_ref: str | None = None  # the platform's refund id (售后单号), if any
    platform_status: str = ""  # its state in our words (PLATFORM_STATUSES)
    waybill_no: str | None = None  # the return parcel's waybill


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
    platform_ref: str | None = None  # the platform's refund id (售后单号), if any
    platform_status: str = ""  # its state in our words (PLATFORM_STATUSES)
