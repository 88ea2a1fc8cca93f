"""The desk's vocabulary: states and lifecycle edges, roles and who may do what, reasons,
channels, refund and payment methods, the chart of accounts, and the limits of inputs.

Plain constants only (no database, no SQLAlchemy): screens, the CLI and the reads may import
them before anything heavy is loaded."""

from __future__ import annotations

from datetime import timedelta

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


REFUND_METHODS = ("original", "cash", "credit", "receivable", "platform")
# How the rest of a refund is paid when the customer owes the shop less than it.
REST_METHODS = ("cash", "credit", "original")
# What changes what a customer owes (receivable_moves.kind): a sale on account, a payment,
# a refund or an exchange difference to the account.
RECEIVABLE_MOVE_KINDS = ("sale", "payment", "refund", "exchange")


# A platform after-sale request's state, in our words (each platform's own values are
# mapped to these by its column map): asked, agreed (the buyer may send the goods back),
# shipped (the buyer sent them), refused by the seller, closed, refunded by the platform.
PLATFORM_STATUSES = ("requested", "agreed", "shipped", "refused", "closed", "refunded")


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
                 "defective_repair", "defective_scrap", "supplier_return", "transfer",
                 "receivable_payment")


MAX_ID = 2**63 - 1  # the largest row id SQLite and PostgreSQL (bigint) can hold


SYSTEM_USER = "system"


UNLOCK_ROLES = ("owner",)


# Commands that replace or overwrite the shop's data (a demo built over it, a backup
# restored over it, an archive written over an older one, a copy made into another
# database): the owner only, recorded in the audit trail.
DESTRUCTIVE_ROLES = ("owner",)


DESTRUCTIVE_ACTIONS = ("demo_replaced", "restored", "archive_replaced", "db_copied")


# Who may archive the books: an archive holds the whole chain's audit trail and journal,
# so a chain-wide owner or finance.
ARCHIVE_ROLES = ("owner", "finance")


# Roles whose work needs a customer's whole phone number (the counter, call-backs); other
# roles see it masked. In exported files only the owner's carry it whole.
PHONE_ROLES = ("clerk", "owner")


EXPORT_PHONE_ROLES = ("owner",)


SHOP_ROLES = ("owner",)


TRANSFER_ROLES = PURCHASE_ROLES


SHOP_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


# `platform`: the buyer paid through the online platform, which holds the money until it
# settles with the shop (the channel's clearing account, 平台往来).
# `account`: on credit (赊账), owed by the customer (accounts receivable, 1122).
PAYMENT_METHODS = ("cash", "card", "wechat", "alipay", "platform", "account")


STOCK_ROLES = PURCHASE_ROLES


# Counted corrections (盘点) apply to goods on the shelf and in the defective cage; pending
# and scrap only change through inspection and disposal.
ADJUST_LOCATIONS = ("sellable", "defective")


DEFECTIVE_ACTIONS = ("repair", "scrap")


CLOSE_DAY_ROLES = SETTLE_ROLES


FOLLOW_UP_ROLES = FEEDBACK_ROLES
