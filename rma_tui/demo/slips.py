"""The demo's return and exchange slips: which sale line each is against, why, and the
steps it takes through the lifecycle, each back-dated, all through the service."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rma_tui import service as sv
from rma_tui.demo.accounts import AccountPayment, pay
from rma_tui.demo.sales import (
    DemoProduct,
    SoldLine,
    open_hours,
    pick,
)
from rma_tui.demo.summary import (
    DemoSummary,
    Progress,
)
from rma_tui.demo.tables import (
    CANCEL_REASONS,
    EXCHANGE_REASONS,
    FEEDBACK,
    OVERRIDE_REASONS,
    REASON_TEXTS,
    REJECT_REASONS,
    RETURN_REASONS,
    SCORES,
    SPECIAL,
)
from rma_tui.errors import DomainError
from rma_tui.service import Database

CLERKS = ("clerk", "clerk2")


# How many slips end in each state (about 500 in all).
SLIP_TARGETS: dict[str, int] = {
    "draft": 22, "submitted": 18, "approved": 25, "received": 20, "inspected": 20,
    "settled": 55, "closed": 255, "rejected": 40, "cancelled": 45,
}


# How old (days) the sale behind a slip ending in each state may be: open work is recent.
SLIP_AGES: dict[str, tuple[float, float]] = {
    "draft": (0.3, 4), "submitted": (2, 20), "approved": (1, 10), "received": (2, 12),
    "inspected": (3, 15), "settled": (4, 25), "closed": (12, 360), "rejected": (4, 360),
    "cancelled": (3, 360),
}


@dataclass
class SlipPlan:
    """A planned slip: what it is, the state it should end in and its dated steps."""

    target: str
    type: str
    order: str
    channel: str
    has_customer: bool
    lines: list[sv.LineInput]
    creator: str
    steps: list[tuple[datetime, str]]
    grades: list[sv.GradeInput] = field(default_factory=list)
    method: str = "original"
    decision: str = "approve"
    reviewer: str = "owner"
    cancel_by: str = "clerk"
    cancel_reason: str = ""
    score: int = 0
    comment: str = ""
    number: str | None = None
    failed: list[sv.RuleResult] | None = None  # the rules it failed at submission
    dead: bool = False
    on_account: bool = False  # against a sale on the customer's account (赊账)


class SlipPlanner:
    """Chooses sale lines and writes out each slip's story, step by dated step."""

    def __init__(self, rng: random.Random, products: list[DemoProduct], pool: list[SoldLine],
                 avail: dict[int, int], today: datetime) -> None:
        self.rng = rng
        self.products = products
        self.pool = sorted(pool, key=lambda ln: (ln.at, ln.order, ln.product))
        self.times = [ln.at for ln in self.pool]
        self.by_order: dict[str, list[int]] = {}
        for i, ln in enumerate(self.pool):
            self.by_order.setdefault(ln.order, []).append(i)
        self.used: set[int] = set()
        self.avail = avail  # sellable stock left for exchanges, per product index
        self.today = today
        self.by_category: dict[str, list[int]] = {}
        for i, p in enumerate(products):
            if not p.low:
                self.by_category.setdefault(p.category, []).append(i)
        self.pol = sv.policy()
        self.skipped = 0

    def plan(self, targets: dict[str, int]) -> list[SlipPlan]:
        rng = self.rng
        order: list[str] = [st for st, n in targets.items() for _ in range(n)]
        rng.shuffle(order)
        out = []
        for target in order:
            for _ in range(60):
                slip = self._one(target)
                if slip is not None:
                    out.append(slip)
                    break
            else:
                self.skipped += 1
        return out

    def _candidate(self, lo_days: float, hi_days: float, special: bool | None) -> int | None:
        lo = bisect.bisect_left(self.times, self.today - timedelta(days=hi_days))
        hi = bisect.bisect_right(self.times, self.today - timedelta(days=lo_days))
        if hi <= lo:
            return None
        for _ in range(40):
            i = self.rng.randrange(lo, hi)
            if i in self.used:
                continue
            p = self.products[self.pool[i].product]
            if p.low:
                continue
            if special is not None and (p.category in SPECIAL) != special:
                continue
            return i
        return None

    def _one(self, target: str) -> SlipPlan | None:
        rng = self.rng
        lo_days, hi_days = SLIP_AGES[target]
        # How this slip will fare against the policy.
        if target in ("submitted", "rejected"):
            scenario = pick(rng, (("late", 40), ("opened", 22), ("excluded", 18), ("amount", 20)))
        else:
            scenario = pick(rng, (("ok", 92), ("late_fault", 5), ("opened_ok", 3)))
        if scenario == "excluded":
            idx = self._candidate(lo_days, hi_days, True)
        else:
            idx = self._candidate(lo_days, hi_days, None)
        if idx is None:
            return None
        ln = self.pool[idx]
        p = self.products[ln.product]
        limit_fen = self.pol.channel(ln.channel).auto_approve_limit_fen
        if scenario == "amount" and ln.qty * ln.price <= limit_fen:
            return None  # needs a dear item: try another line
        slip_type = "exchange" if rng.random() < 0.35 and scenario != "excluded" else "return"
        if p.category in SPECIAL:
            slip_type = "return"
        reason = pick(rng, EXCHANGE_REASONS if slip_type == "exchange" else RETURN_REASONS)
        if p.category in SPECIAL and scenario != "excluded":
            reason = rng.choice(("quality", "wrong_item"))  # only a fault lets these back
        packaging = True
        if scenario in ("late", "excluded", "opened", "opened_ok"):
            if reason in sv.FAULT_REASONS:
                reason = rng.choice(("changed_mind", "size")) if slip_type == "return" else "size"
            if scenario == "excluded":
                reason = "changed_mind"
                packaging = p.category != "数码卡券"
            if scenario in ("opened", "opened_ok"):
                packaging = False
        if scenario == "late_fault":
            reason = "quality"
        cp = self.pol.channel(ln.channel)
        fault = reason in sv.FAULT_REASONS
        limit = ((cp.quality_exchange_days if slip_type == "exchange" else cp.quality_return_days)
                 if fault else cp.no_reason_days)
        if scenario in ("late", "late_fault"):
            late = 10 if scenario == "late" else 4
            delay = timedelta(days=rng.uniform(limit + 1.5, limit + late))
        else:
            delay = timedelta(hours=rng.uniform(0.5, max(1.0, limit * 24 - 12)))
        # Part of a line now and then; all of it when the amount is what fails the policy.
        partial = ln.qty > 1 and scenario != "amount" and rng.random() < 0.4
        qty = rng.randint(1, ln.qty) if partial else ln.qty
        lines_idx = [(idx, qty, reason)]
        # Sometimes two lines of one order come back together.
        if rng.random() < 0.1 and scenario == "ok":
            for j in self.by_order[ln.order]:
                other = self.pool[j]
                if j != idx and j not in self.used and not self.products[other.product].low \
                        and self.products[other.product].category not in SPECIAL:
                    lines_idx.append((j, other.qty, reason))
                    break
        created = ln.at + delay
        steps = self._steps(target, created, ln.channel, rng)
        if steps is None or steps[-1][0] >= self.today - timedelta(minutes=5):
            return None
        slip_lines: list[sv.LineInput] = []
        grades: list[sv.GradeInput] = []
        gross = replacement_value = 0
        planned_out: list[tuple[int, int]] = []
        for j, q, r in lines_idx:
            sl = self.pool[j]
            prod = self.products[sl.product]
            repl_sku = None
            repl_qty = None
            if slip_type == "exchange":
                ri = self._replacement(sl.product, r)
                if ri is None or self.avail[ri] - q <= self.products[ri].reorder_point:
                    return None
                planned_out.append((ri, q))
                repl_sku, repl_qty = self.products[ri].sku, q
                replacement_value += q * self.products[ri].price
            gross += q * sl.price
            slip_lines.append(sv.LineInput(prod.sku, q, r, rng.choice(REASON_TEXTS[r]),
                                           replacement_sku=repl_sku, replacement_qty=repl_qty,
                                           packaging_intact=packaging,
                                           invoice_present=not (scenario == "amount")))
            grades.append(sv.GradeInput(prod.sku, *self._grade(rng, r, q)))
        for j, _, _ in lines_idx:
            self.used.add(j)
        for ri, q in planned_out:
            self.avail[ri] -= q
        slip = SlipPlan(target, slip_type, ln.order, ln.channel, ln.has_customer, slip_lines,
                     rng.choice(CLERKS), steps, grades, on_account=ln.on_account)
        slip.method = self._method(rng, slip_type, ln.has_customer, replacement_value - gross,
                                   ln.on_account)
        slip.decision = "reject" if target == "rejected" else "approve"
        slip.reviewer = "owner" if slip.decision == "approve" or rng.random() < 0.6 else "finance"
        slip.cancel_by = pick(rng, ((slip.creator, 60), ("owner", 25), ("finance", 15)))
        slip.cancel_reason = rng.choice(CANCEL_REASONS)
        slip.score = pick(rng, SCORES)
        slip.comment = rng.choice(FEEDBACK[slip.score]) if rng.random() < 0.8 else ""
        return slip

    def _replacement(self, product: int, reason: str) -> int | None:
        rng = self.rng
        p = self.products[product]
        same = reason in ("quality", "damaged", "not_as_described") and rng.random() < 0.85
        if same and not p.low:
            return product
        near = [i for i in self.by_category.get(p.category, [])
                if i != product and 0.6 * p.price <= self.products[i].price <= 1.6 * p.price]
        if not near:
            return None if p.low else product
        return rng.choice(near)

    @staticmethod
    def _grade(rng: random.Random, reason: str, qty: int) -> tuple[int, int, int]:
        if reason in ("quality", "not_as_described"):
            w = (20, 65, 15)
        elif reason == "damaged":
            w = (10, 40, 50)
        else:
            w = (90, 7, 3)
        g = [0, 0, 0]
        for _ in range(qty):
            g[rng.choices((0, 1, 2), weights=w)[0]] += 1
        return g[0], g[1], g[2]

    @staticmethod
    def _method(rng: random.Random, slip_type: str, has_customer: bool, diff: int,
                on_account: bool) -> str:
        if on_account:
            # A sale on account is mostly taken off the account (original or receivable);
            # money back from an exchange is paid out, as the debt may be settled by then.
            if slip_type == "exchange" and diff < 0:
                return "cash"
            return pick(rng, (("receivable", 45), ("original", 40), ("cash", 15)))
        if slip_type == "return" or diff < 0:
            m = pick(rng, (("original", 55), ("cash", 24), ("credit", 21)))
        elif diff > 0:  # the customer pays more: never from store credit they may not have
            m = pick(rng, (("original", 65), ("cash", 35)))
        else:
            m = "original"
        if m == "credit" and not has_customer:
            m = "original"
        return m

    @staticmethod
    def _steps(target: str, created: datetime, channel: str,
               rng: random.Random) -> list[tuple[datetime, str]] | None:
        def h(a: float, b: float) -> timedelta:
            return timedelta(hours=rng.uniform(a, b))

        t = open_hours(created, rng)
        steps = [(t, "create")]
        stage = ""
        if target == "draft":
            return steps
        if target == "cancelled":
            stage = pick(rng, (("draft", 35), ("submitted", 30), ("review", 35)))
            if stage == "draft":
                return steps + [(open_hours(t + h(1, 48), rng), "cancel")]
        t += h(0.05, 0.7)
        t = open_hours(t, rng)
        steps.append((t, "submit"))
        if target == "cancelled" and stage == "submitted":
            return steps + [(open_hours(t + h(1, 72), rng), "cancel")]
        if target == "submitted":
            return steps
        t += h(1, 30)
        t = open_hours(t, rng)
        steps.append((t, "review"))
        if target == "rejected":
            return steps
        if target == "cancelled":
            return steps + [(open_hours(t + h(2, 96), rng), "cancel")]
        if target == "approved":
            return steps
        t += h(0.2, 3) if channel == "store" else h(24, 120)
        t = open_hours(t, rng)
        steps.append((t, "receive"))
        if target == "received":
            return steps
        t += h(2, 48)
        t = open_hours(t, rng)
        steps.append((t, "inspect"))
        if target == "inspected":
            return steps
        t += h(2, 48)
        t = open_hours(t, rng)
        steps.append((t, "settle"))
        settled = t
        if rng.random() < 0.88:
            steps.append((open_hours(settled + h(20, 120), rng), "feedback"))
        if target == "closed":
            steps.append((open_hours(settled + h(24, 168), rng), "close"))
        return sorted(steps, key=lambda s: s[0])


def run_slips(db: Database, rng: random.Random, slips: list[SlipPlan], summary: DemoSummary,
              report: Progress, payments: Sequence[AccountPayment] = ()) -> None:
    """Play every slip's steps in time order across all slips, through the service, with
    the customers' payments of their accounts (in time order, `payments`) between them."""
    steps = sorted(((at, n, k, action) for n, slip in enumerate(slips)
                    for k, (at, action) in enumerate(slip.steps)),
                   key=lambda x: (x[0], x[1], x[2]))
    total = len(steps)
    report("slips", 0, total)
    due = list(payments)
    for done, (at, n, _, action) in enumerate(steps, 1):
        while due and due[0].at <= at:
            summary.account_payments += pay(db, due.pop(0)) > 0
        slip = slips[n]
        if slip.dead:
            continue
        try:
            _step(db, rng, slip, action, at, summary)
        except DomainError:
            # A real desk would be refused here too (e.g. stock short at settlement): the
            # slip stays where it is; counted so the demo can tell.
            slip.dead = True
            summary.slips_skipped += 1
        if done % 50 == 0 or done == total:
            report("slips", done, total)
    for payment in due:
        summary.account_payments += pay(db, payment) > 0


def _step(db: Database, rng: random.Random, slip: SlipPlan, action: str, at: datetime,
          summary: DemoSummary) -> None:
    if action == "create":
        note = "门店柜台受理" if slip.channel == "store" else "线上售后工单"
        slip.number = sv.create_slip(db, slip.creator, slip.order, slip.type, slip.lines,
                                     note=note, now=at).number
        return
    assert slip.number is not None
    if action == "submit":
        view = sv.submit_slip(db, slip.creator, slip.number, now=at)
        slip.failed = None if view.status != "submitted" else \
            [r for r in view.verdict if not r.ok]
    elif action == "review":
        if slip.failed is None:
            return  # approved automatically at submission: nothing for a person to do
        failed = [r.rule for r in slip.failed] or ["amount"]
        if slip.decision == "reject":
            first = slip.failed[0] if slip.failed else None
            if first is not None and first.rule == "window":
                reason = (f"购买已 {first.params.get('days')} 天，"
                          f"超过 {first.params.get('limit')} 天退换期限")
            elif first is not None and first.rule == "excluded_category":
                reason = ("卡券已拆封激活，不予退货" if first.params.get("category") == "数码卡券"
                          else f"{first.params.get('category')}类商品不支持无理由退货")
            else:
                reason = rng.choice(REJECT_REASONS.get(failed[0], ("不符合退换货政策",)))
            sv.reject_slip(db, slip.reviewer, slip.number, reason, now=at)
        else:
            reason = "；".join(rng.choice(OVERRIDE_REASONS.get(f, ("店长特批",))) for f in failed)
            sv.approve_slip(db, "owner", slip.number, override_reason=reason, now=at)
            summary.overrides += 1
    elif action == "cancel":
        sv.cancel_slip(db, slip.cancel_by, slip.number, slip.cancel_reason, now=at)
    elif action == "receive":
        sv.receive_slip(db, "warehouse", slip.number, now=at)
    elif action == "inspect":
        sv.inspect_slip(db, "warehouse", slip.number, slip.grades, now=at)
    elif action == "settle":
        # What the customer's account cannot take back is paid in cash.
        rest = ("cash" if slip.on_account and slip.type == "return" and slip.method != "cash"
                else None)
        sv.settle_slip(db, "finance", slip.number, slip.method, rest_method=rest, now=at)
    elif action == "feedback":
        sv.add_feedback(db, slip.creator, slip.number, slip.score, slip.comment, now=at)
        summary.feedback += 1
    elif action == "close":
        sv.close_slip(db, slip.creator, slip.number, now=at)
