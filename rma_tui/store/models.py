"""SQLModel tables: the whole persistent shape of a shop's returns desk.

Money is integer fen (分) and quantities are integers everywhere. Times are stored
as timezone-aware UTC datetimes. Only `rma_tui.service` writes these tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# Every constraint gets a predictable name, so later migrations (batch mode on SQLite) and
# PostgreSQL refer to the same names. CHECK constraints are named by hand in each table.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Stock locations (库位) a unit can be in.
LOCATIONS = ("sellable", "pending", "defective", "scrap")

# The shop every row belongs to unless it says otherwise: a single shop (SQLite) is a chain
# of one, and the migration that brought shops in gave every older row to it.
DEFAULT_SHOP = "main"


def _shop_field(index: bool = False) -> Any:
    """The `shop` column: which shop (门店) a row belongs to, `main` when not said."""
    return Field(default=DEFAULT_SHOP, foreign_key="shops.code", max_length=16, index=index,
                 sa_column_kwargs={"server_default": DEFAULT_SHOP})


def _json(shape: str) -> dict[str, Any]:
    """Column options of a text column holding JSON: a JSON "object", or a "list" (where
    empty text means none). `verify` and the damage scan check that it parses as such."""
    return {"info": {"json": shape}}


class Shop(SQLModel, table=True):
    """A shop (门店) of the chain: its code (on every slip, sale, stock row) and name."""

    __tablename__ = "shops"
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=100)
    created_at: datetime


class Setting(SQLModel, table=True):
    """Shop-wide key/value settings (shop name, first-run done, ...)."""

    __tablename__ = "settings"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", max_length=2000)


class User(SQLModel, table=True):
    """A person who uses the desk, with one role and an optional PIN (scrypt hash)."""

    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    role: str = Field(max_length=16)
    pin_hash: str | None = Field(default=None, max_length=256)
    active: bool = Field(default=True)
    created_at: datetime
    # The shop this user works in; None: every shop (an owner or finance of the chain).
    shop: str | None = Field(default=None, foreign_key="shops.code", max_length=16)
    # Wrong PINs in a row, and the time before which no PIN is tried (after too many).
    pin_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    pin_locked_until: datetime | None = Field(default=None)


class Product(SQLModel, table=True):
    """A stock-keeping unit with its current list price, cost and reorder point."""

    __tablename__ = "products"
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True, unique=True, max_length=64)
    barcode: str | None = Field(default=None, index=True, max_length=64)
    name: str = Field(max_length=200)
    model: str = Field(default="", max_length=100)
    category: str = Field(default="", index=True, max_length=64)
    supplier: str = Field(default="", max_length=200)
    unit_price_fen: int = Field(default=0)
    unit_cost_fen: int = Field(default=0)
    reorder_point: int = Field(default=0)


class Customer(SQLModel, table=True):
    """A customer, found by phone, with the store-credit balance the shop owes them."""

    __tablename__ = "customers"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    phone: str = Field(index=True, unique=True, max_length=32)
    channel: str = Field(default="store", max_length=16)
    credit_fen: int = Field(default=0)


class Sale(SQLModel, table=True):
    """An original sale (order) that returns are made against."""

    __tablename__ = "sales"
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(index=True, unique=True, max_length=64)
    channel: str = Field(max_length=16)
    sold_at: datetime = Field(index=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    payment_method: str = Field(default="cash", max_length=16)
    shop: str = _shop_field(index=True)


class SaleLine(SQLModel, table=True):
    """One product on a sale: qty, the net unit price actually paid, the unit cost then."""

    __tablename__ = "sale_lines"
    __table_args__ = (
        CheckConstraint("qty > 0", name="ck_sale_lines_qty_positive"),
        Index("ix_sale_lines_product_qty", "product_id", "qty"),
        # Covering: the qty of a sale's lines from the index alone; every lookup by sale_id.
        Index("ix_sale_lines_sale_qty", "sale_id", "qty"),
        # Covering, for the reports over a million lines without joining sales: units sold
        # per period (range scans per month or week), per product within dates, per
        # customer and per channel (within dates too).
        Index("ix_sale_lines_sold_product_qty", "sold_at", "product_id", "qty"),
        Index("ix_sale_lines_customer_sold_qty", "customer_id", "sold_at", "qty"),
        Index("ix_sale_lines_channel_sold_qty", "channel", "sold_at", "qty"),
    )
    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sales.id")
    product_id: int = Field(foreign_key="products.id")
    qty: int
    unit_price_fen: int
    unit_cost_fen: int
    # Copied from the sale when it is recorded (a sale never changes afterwards), so that
    # the reports read sale lines alone: see the indexes above.
    sold_at: datetime
    channel: str = Field(max_length=16)
    customer_id: int | None = Field(default=None, foreign_key="customers.id")
    shop: str = _shop_field()


class Slip(SQLModel, table=True):
    """A return (TH-) or exchange (HH-) slip and where it is in its lifecycle."""

    __tablename__ = "slips"
    __table_args__ = (UniqueConstraint("channel", "platform_ref",
                                       name="uq_slips_channel_platform_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=32)
    type: str = Field(max_length=16)
    status: str = Field(index=True, max_length=16)
    channel: str = Field(max_length=16)
    sale_id: int | None = Field(default=None, foreign_key="sales.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    note: str = Field(default="", max_length=2000)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(index=True)
    updated_at: datetime
    verdict_json: str = Field(default="", max_length=8000, sa_column_kwargs=_json("list"))
    policy_ok: bool | None = Field(default=None)
    auto_approved: bool = Field(default=False)
    override_by: str | None = Field(default=None, max_length=64)
    override_reason: str | None = Field(default=None, max_length=2000)
    close_reason: str | None = Field(default=None, max_length=2000)
    refund_method: str | None = Field(default=None, max_length=16)
    gross_fen: int = Field(default=0)
    fee_fen: int = Field(default=0)
    refund_fen: int = Field(default=0)
    difference_fen: int = Field(default=0)
    settled_at: datetime | None = Field(default=None, index=True)
    # The shop that handles the return (may differ from the sale's: buy anywhere, return
    # anywhere); its stock and till take the goods and pay the refund.
    shop: str = _shop_field(index=True)
    # The online platform's after-sale request (售后单) this slip stands for: its refund id
    # (one slip per channel and refund id), sub-order, last status (ours, and the
    # platform's own word) and the buyer's nickname.
    platform_ref: str | None = Field(default=None, max_length=64, index=True)
    platform_suborder: str = Field(default="", max_length=64,
                                   sa_column_kwargs={"server_default": ""})
    platform_status: str = Field(default="", max_length=16,
                                 sa_column_kwargs={"server_default": ""})
    platform_status_raw: str = Field(default="", max_length=64,
                                     sa_column_kwargs={"server_default": ""})
    buyer: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    # The return parcel (退货物流): carrier and waybill number, scanned when it arrives.
    waybill_carrier: str = Field(default="", max_length=64,
                                 sa_column_kwargs={"server_default": ""})
    waybill_no: str | None = Field(default=None, max_length=64, index=True)
    # When the buyer asked on the platform: the policy's windows count up to then.
    requested_at: datetime | None = Field(default=None)
    # What the platform refunded the buyer, posted against its clearing account; once
    # recorded no other refund of the slip may be paid (I8).
    platform_refund_fen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    platform_refunded_at: datetime | None = Field(default=None)
    # What the platform's request last said the buyer asks (or was refunded).
    platform_amount_fen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A refund split in two: the part of `refund_fen` paid by `rest_method` (the rest of a
    # refund to the customer's account beyond what they owed); the other part went by
    # `refund_method`.
    rest_method: str | None = Field(default=None, max_length=16)
    rest_fen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class SlipLine(SQLModel, table=True):
    """One returned product on a slip, with its reason and (for exchanges) replacement."""

    __tablename__ = "slip_lines"
    __table_args__ = (CheckConstraint("qty > 0", name="ck_slip_lines_qty_positive"),)
    id: int | None = Field(default=None, primary_key=True)
    slip_id: int = Field(foreign_key="slips.id", index=True)
    sale_line_id: int | None = Field(default=None, foreign_key="sale_lines.id", index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    qty: int
    unit_price_fen: int
    unit_cost_fen: int
    reason_code: str = Field(max_length=32)
    reason_text: str = Field(default="", max_length=2000)
    packaging_intact: bool = Field(default=True)
    invoice_present: bool = Field(default=True)
    replacement_product_id: int | None = Field(default=None, foreign_key="products.id")
    replacement_qty: int = Field(default=0)
    replacement_unit_price_fen: int = Field(default=0)
    replacement_unit_cost_fen: int = Field(default=0)
    refund_fen: int = Field(default=0)
    # The part of this line's refund paid by the slip's `rest_method` (see Slip).
    rest_fen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Parcel(SQLModel, table=True):
    """A return parcel that arrived matching no slip (无主件): carrier, waybill, what was
    inside and who took it in; attached to a slip later, which then counts as received."""

    __tablename__ = "parcels"
    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(default="", max_length=64)
    waybill_no: str = Field(index=True, max_length=64)
    contents: str = Field(default="", max_length=2000)
    received_by: str = Field(max_length=64)
    received_at: datetime = Field(index=True)
    shop: str = _shop_field()
    slip_id: int | None = Field(default=None, foreign_key="slips.id", index=True)
    attached_by: str | None = Field(default=None, max_length=64)
    attached_at: datetime | None = Field(default=None)


class InspectionGrade(SQLModel, table=True):
    """How the received units of a slip line were graded."""

    __tablename__ = "inspection_grades"
    id: int | None = Field(default=None, primary_key=True)
    slip_line_id: int = Field(foreign_key="slip_lines.id", index=True, unique=True)
    resellable: int = Field(default=0)
    defective: int = Field(default=0)
    scrap: int = Field(default=0)
    note: str = Field(default="", max_length=2000)
    graded_by: str = Field(max_length=64)
    graded_at: datetime


class StockLevel(SQLModel, table=True):
    """Current quantity of a product in one location of one shop (equal to its moves, I1)."""

    __tablename__ = "stock_levels"
    __table_args__ = (CheckConstraint("qty >= 0", name="ck_stock_levels_non_negative"),)
    product_id: int = Field(foreign_key="products.id", primary_key=True)
    location: str = Field(primary_key=True, max_length=16)
    shop: str = Field(default=DEFAULT_SHOP, foreign_key="shops.code", primary_key=True,
                      max_length=16, sa_column_kwargs={"server_default": DEFAULT_SHOP})
    qty: int = Field(default=0)


class StockMove(SQLModel, table=True):
    """One change of stock in one location: the ledger that levels must equal."""

    __tablename__ = "stock_moves"
    __table_args__ = (Index("ix_stock_moves_product_location", "product_id", "location", "qty"),)
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id")
    location: str = Field(max_length=16)
    qty: int
    kind: str = Field(max_length=32)
    slip_id: int | None = Field(default=None, foreign_key="slips.id", index=True)
    sale_id: int | None = Field(default=None, foreign_key="sales.id")
    note: str = Field(default="", max_length=2000)
    user: str = Field(max_length=64)
    at: datetime
    # The move's value at cost. Kept for `defective` moves, whose unit cost depends on the
    # sale each unit came back from (I5), so they leave stock at the value they came in at.
    value_fen: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    shop: str = _shop_field()


class StockAlert(SQLModel, table=True):
    """A low-stock alert: open while sellable stock is at or under the reorder point."""

    __tablename__ = "stock_alerts"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    sellable: int
    reorder_point: int
    raised_at: datetime
    cleared_at: datetime | None = Field(default=None)
    shop: str = _shop_field()


class Account(SQLModel, table=True):
    """The chart of accounts (会计科目)."""

    __tablename__ = "accounts"
    code: str = Field(primary_key=True, max_length=16)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=64)
    kind: str = Field(max_length=16)


class JournalEntry(SQLModel, table=True):
    """A balanced journal entry (凭证)."""

    __tablename__ = "journal_entries"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    kind: str = Field(max_length=32)
    memo: str = Field(default="", max_length=500)
    slip_id: int | None = Field(default=None, foreign_key="slips.id", index=True)
    sale_id: int | None = Field(default=None, foreign_key="sales.id")
    user: str = Field(max_length=64)
    shop: str = _shop_field(index=True)


class Posting(SQLModel, table=True):
    """One debit or credit line of a journal entry."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("debit_fen >= 0 AND credit_fen >= 0", name="ck_postings_non_negative"),
    )
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="journal_entries.id", index=True)
    account_code: str = Field(foreign_key="accounts.code", index=True, max_length=16)
    debit_fen: int = Field(default=0)
    credit_fen: int = Field(default=0)


class Notification(SQLModel, table=True):
    """A message for the role that acts next on a slip (or an owner alert)."""

    __tablename__ = "notifications"
    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(index=True, max_length=16)
    key: str = Field(max_length=64)
    slip_id: int | None = Field(default=None, foreign_key="slips.id")
    product_id: int | None = Field(default=None, foreign_key="products.id")
    params_json: str = Field(default="{}", max_length=2000, sa_column_kwargs=_json("object"))
    created_at: datetime
    read_at: datetime | None = Field(default=None)
    # The shop whose people it is for; None: everyone with the role (the whole chain).
    shop: str | None = Field(default=None, foreign_key="shops.code", max_length=16)


class Feedback(SQLModel, table=True):
    """The customer's score (1-5) and comment on a settled slip."""

    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="ck_feedback_score"),)
    id: int | None = Field(default=None, primary_key=True)
    slip_id: int = Field(foreign_key="slips.id", unique=True)
    score: int
    comment: str = Field(default="", max_length=2000)
    by: str = Field(max_length=64)
    at: datetime


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained record of every state change and sensitive write."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # Covering, partial: each slip's state changes in chain order, for the time spent
        # in each state (a window over the trail without a sort) and a slip's last change.
        Index("ix_audit_events_slip_changes", "slip_id", "seq", "to_status", "at",
              sqlite_where=text("to_status IS NOT NULL AND slip_id IS NOT NULL"),
              postgresql_where=text("to_status IS NOT NULL AND slip_id IS NOT NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: datetime = Field(index=True)
    user: str = Field(max_length=64, index=True)
    action: str = Field(max_length=32)
    slip_id: int | None = Field(default=None, foreign_key="slips.id", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    detail_json: str = Field(default="{}", max_length=8000, sa_column_kwargs=_json("object"))
    request_id: str | None = Field(default=None, max_length=128)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ChainHead(SQLModel, table=True):
    """The single row holding the audit chain's head; locked to append in order."""

    __tablename__ = "chain_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0)
    hash: str = Field(default="0" * 64, max_length=64)


class Counter(SQLModel, table=True):
    """Per-prefix, per-day number sequences for slip numbers (TH-20261127-0001)."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("prefix", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=8)
    day: str = Field(max_length=8)
    value: int = Field(default=0)


class RequestRecord(SQLModel, table=True):
    """A request id already applied (I7): same id again returns the first result."""

    __tablename__ = "request_ids"
    request_id: str = Field(primary_key=True, max_length=128)
    operation: str = Field(max_length=32)
    fingerprint: str = Field(max_length=64)
    result: str = Field(default="", max_length=200)
    at: datetime


class SupplierReturn(SQLModel, table=True):
    """Defective goods sent back to their supplier (退供应商, GT-YYYYMMDD-NNNN).

    The goods leave `defective` stock at their defective value; the credit the supplier is
    expected to give reduces what the shop owes it (accounts payable)."""

    __tablename__ = "supplier_returns"
    __table_args__ = (CheckConstraint("qty > 0", name="ck_supplier_returns_qty_positive"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=32)
    supplier: str = Field(index=True, max_length=200)
    product_id: int = Field(foreign_key="products.id", index=True)
    qty: int
    unit_cost_fen: int
    expected_credit_fen: int
    note: str = Field(default="", max_length=2000)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(index=True)
    shop: str = _shop_field()


class FollowUp(SQLModel, table=True):
    """An after-sales follow-up (回访): a note to act on by a due date, done or not."""

    __tablename__ = "follow_ups"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    slip_id: int | None = Field(default=None, foreign_key="slips.id", index=True)
    role: str = Field(default="clerk", max_length=16)
    note: str = Field(max_length=2000)
    due_at: datetime = Field(index=True)
    auto: bool = Field(default=False)
    created_by: str = Field(max_length=64)
    created_at: datetime
    done_at: datetime | None = Field(default=None)
    done_by: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="", max_length=2000)


class CreditMove(SQLModel, table=True):
    """One change of a customer's store credit (储值), with the balance after it."""

    __tablename__ = "credit_moves"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    delta_fen: int
    balance_fen: int
    kind: str = Field(max_length=32)
    slip_id: int | None = Field(default=None, foreign_key="slips.id")
    user: str = Field(max_length=64)
    at: datetime


class ReceivableMove(SQLModel, table=True):
    """One change of what a customer owes a shop (应收账款): the subledger of account 1122.

    `delta_fen` > 0 the customer owes more (a sale on account, an exchange's difference
    charged to the account), < 0 less (a payment, a refund or exchange difference credited
    to the account). Per shop, the moves add up to the 1122 account's debit balance."""

    __tablename__ = "receivable_moves"
    __table_args__ = (Index("ix_receivable_moves_customer_shop", "customer_id", "shop"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    shop: str = _shop_field()
    delta_fen: int
    kind: str = Field(max_length=32)
    sale_id: int | None = Field(default=None, foreign_key="sales.id")
    slip_id: int | None = Field(default=None, foreign_key="slips.id")
    note: str = Field(default="", max_length=2000)
    user: str = Field(max_length=64)
    at: datetime


class DailyClose(SQLModel, table=True):
    """A closed business day (日结): its totals per payment account, who closed it, when.

    Once a day is closed no posting dated in it may be added; `verify` recomputes the
    recorded totals, so a changed posting inside a closed day is caught."""

    __tablename__ = "daily_closes"
    __table_args__ = (UniqueConstraint("day", "shop", name="uq_daily_closes_day_shop"),)
    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(max_length=10)
    shop: str = _shop_field()
    starts_at: datetime
    ends_at: datetime
    totals_json: str = Field(default="{}", max_length=8000, sa_column_kwargs=_json("object"))
    debit_fen: int
    credit_fen: int
    entries: int
    closed_by: str = Field(max_length=64)
    closed_at: datetime
