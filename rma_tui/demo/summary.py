"""What the demo build reports as it goes and when it is done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[str, int, int], None]


@dataclass
class DemoSummary:
    """What `build_demo` made: counts per kind, slips per state and how long it took."""

    seed: int
    size: str
    users: int = 0
    products: int = 0
    customers: int = 0
    purchases: int = 0
    sales: int = 0
    sale_lines: int = 0
    slips: int = 0
    slips_by_status: dict[str, int] = field(default_factory=dict)
    slips_skipped: int = 0
    overrides: int = 0
    feedback: int = 0
    account_sales: int = 0  # sales on the customer's account (赊账)
    account_payments: int = 0  # payments of those accounts
    supplier_returns: int = 0
    repairs: int = 0
    follow_ups_done: int = 0
    days_closed: int = 0
    low_stock: int = 0
    seconds: float = 0.0
