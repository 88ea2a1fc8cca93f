"""The policy's verdict on a slip and its amounts, as pure functions (no database): each
rule (original sale, window, excluded category, condition, amount) and the restocking fee."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rma_tui.errors import DomainError
from rma_tui.policy import Policy
from rma_tui.service.clock import as_utc
from rma_tui.service.views import Preview, RuleResult
from rma_tui.service.vocabulary import FAULT_REASONS, MAX_FEN
from rma_tui.store.models import Product, Sale, SaleLine


@dataclass
class Draft:
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


def evaluate(
    pol: Policy,
    channel: str,
    sale: Sale | None,
    slip_type: str,
    drafts: Sequence[Draft],
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
        (now.astimezone().date() - as_utc(sale.sold_at).astimezone().date()).days
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


def slip_amounts(pol: Policy, channel: str, slip_type: str, drafts: Sequence[Draft]) -> Preview:
    """The gross, restocking fee, refund and exchange difference of a slip's lines under the
    channel's policy (fills each draft line's fee and refund)."""
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
