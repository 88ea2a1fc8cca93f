"""A believable demo shop (演示数据): a phone-accessories and small-appliances store.

`build_demo` fills a freshly migrated, empty database through the public functions of
`rma_tui.service` only, so the demo obeys every rule a real shop does (I1-I7): users,
about 150 products, 400 customers, opening stock and restocking, twelve months of sales
(one bulk `record_sales` call for `small`; 50k-line chunks for `large`), then about 500
return/exchange slips spread over every state of the lifecycle, each step back-dated with
an explicit `now`.

Deterministic: one `random.Random(seed)` drives everything and every time is an offset
from `today` (UTC midnight), so the same seed on the same day gives the same database.
Slip numbers are made by the service from the local calendar day, so they also depend on
the machine's time zone.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from rma_tui import service as sv
from rma_tui.demo.accounts import AccountSale, plan_payments
from rma_tui.demo.platforms import platform_after_sales
from rma_tui.demo.sales import (
    SalesGenerator,
    SoldLine,
    make_customers,
    make_products,
    products_to_add,
)
from rma_tui.demo.slips import (
    CLERKS,
    SLIP_TARGETS,
    SlipPlanner,
    run_slips,
)
from rma_tui.demo.summary import (
    DemoSummary,
    Progress,
)
from rma_tui.demo.tables import (
    CALL_OUTCOMES,
    CHEAP_CATEGORIES,
)
from rma_tui.errors import DomainError
from rma_tui.service import Database

SIZES = {"small": 6_000, "large": 1_000_000}  # sale lines


CHUNK_LINES = 50_000  # sale lines per `record_sales` call for big imports (bounded memory)


USERS = (("owner", "owner"), ("clerk", "clerk"), ("clerk2", "clerk"),
         ("warehouse", "warehouse"), ("finance", "finance"))


LOW_STOCK_PRODUCTS = 8


def build_demo(db: Database, seed: int = 42, size: str = "small",
               progress: Progress | None = None, today: datetime | None = None) -> DemoSummary:
    """Fill an empty, migrated database with a demo shop and return what was made.

    `size` is "small" (about 6,000 sale lines) or "large" (1,000,000, for benchmarks);
    `today` (default: the current UTC day at midnight) is the demo's present: every event
    happens before it. The same seed and `today` give the same database.
    """
    if size not in SIZES:
        raise DomainError("bad_choice", field="size", value=size, allowed=", ".join(SIZES))
    started = time.perf_counter()
    report: Progress = progress or (lambda stage, done, total: None)
    if today is None:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif today.tzinfo is None:
        today = today.replace(tzinfo=UTC)
    today = today.astimezone(UTC)
    rng = random.Random(seed)
    summary = DemoSummary(seed=seed, size=size)

    # -- people and catalogue ------------------------------------------------------------
    products = make_products(rng)
    low = rng.sample([i for i, p in enumerate(products) if p.category in CHEAP_CATEGORIES],
                     LOW_STOCK_PRODUCTS)
    for i in low:
        products[i].low = True
    product_inputs = products_to_add(rng, products)
    customers = make_customers(rng)
    gen = SalesGenerator(rng, products, customers, today, SIZES[size])
    t0 = gen.first_day_start() - timedelta(days=3)  # the shop opens its books
    at = t0.replace(hour=1)
    report("setup", 0, 3)
    sv.add_user(db, None, "owner", "owner", now=at)
    for name, role in USERS[1:]:
        at += timedelta(minutes=3)
        sv.add_user(db, "owner", name, role, now=at)
    summary.users = len(USERS)
    report("setup", 1, 3)
    at += timedelta(minutes=10)
    summary.products = sv.add_products(db, "owner", product_inputs, now=at)
    report("setup", 2, 3)
    at += timedelta(minutes=10)
    summary.customers = sv.add_customers(db, "owner", customers, now=at)
    report("setup", 3, 3)

    # -- stock and sales -----------------------------------------------------------------
    level = [0] * len(products)
    index = {p.sku: i for i, p in enumerate(products)}
    # What each product keeps on the shelf at the end; low ones end at their reorder point.
    remainder = [rng.randint(0, p.reorder_point) if p.low else p.reorder_point + rng.randint(6, 40)
                 for p in products]
    # Restocking keeps a buffer between periods; low ones are always bought just in time.
    buffer = [remainder[i] if p.low else p.reorder_point * 3 + 20
              for i, p in enumerate(products)]
    pool: list[SoldLine] = []
    on_account: list[AccountSale] = []
    keep = min(1.0, 12_000 / SIZES[size])  # large: keep a sample of orders for the slips
    total = SIZES[size]
    chunk_size = total if size == "small" else CHUNK_LINES
    done = 0
    report("sales", 0, total)
    for n_chunk, chunk in enumerate(gen.chunks(chunk_size)):
        last = done + sum(len(s.lines) for s in chunk) >= total
        demand = [0] * len(products)
        for sale in chunk:
            for ln in sale.lines:
                demand[index[ln.sku]] += ln.qty
        # Restock (进货) before the period: enough for its sales plus what stays on the shelf;
        # when buying anyway, also the next period's likely sales (this one's), so a product
        # is reordered about every other period.
        when = (chunk[0].sold_at - timedelta(hours=2)) if n_chunk else t0.replace(hour=2)
        for i, p in enumerate(products):
            want = demand[i] + (remainder[i] if last else buffer[i])
            if level[i] < want:
                if not last and not p.low:
                    want += demand[i]
                when += timedelta(seconds=20)
                sv.receive_purchase(db, "warehouse", p.sku, want - level[i],
                                    note="期初建账" if n_chunk == 0 else "补货", now=when)
                summary.purchases += 1
                level[i] = want
        sv.record_sales(db, rng.choice(CLERKS), chunk, now=when + timedelta(minutes=5))
        for sale in chunk:
            take = keep >= 1.0 or rng.random() < keep
            for ln in sale.lines:
                i = index[ln.sku]
                level[i] -= ln.qty
                if take:
                    pool.append(SoldLine(sale.sold_at, sale.order_no, sale.channel,
                                      sale.customer_phone is not None, i, ln.qty,
                                      ln.unit_price_fen, sale.payment_method == "account"))
            if sale.payment_method == "account" and sale.customer_phone:
                on_account.append(AccountSale(sale.sold_at, sale.customer_phone, sum(
                    ln.qty * ln.unit_price_fen for ln in sale.lines)))
            done += len(sale.lines)
        summary.sales += len(chunk)
        report("sales", min(done, total), total)
    summary.sale_lines = done
    report("sales", done, done)  # the target was an estimate: finish the bar on the real count

    # -- slips ---------------------------------------------------------------------------
    planner = SlipPlanner(rng, products, pool, dict(enumerate(level)), today)
    slips = planner.plan(SLIP_TARGETS)
    summary.slips_skipped = planner.skipped
    summary.account_sales = len(on_account)
    run_slips(db, rng, slips, summary, report, plan_payments(rng, on_account, today))
    spare = [r.sku for r in sv.stock(db) if r.sellable > r.reorder_point + 5]
    platform_after_sales(db, rng, spare[:12], today, summary, report)
    aftercare(db, rng, today, summary, report)

    counts = sv.count_by_status(db)
    summary.slips_by_status = counts
    summary.slips = sum(counts.values())
    summary.low_stock = len(sv.alerts(db))
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


# Days before the demo's present that finance has closed (日结).
CLOSED_DAYS = 30


def aftercare(db: Database, rng: random.Random, today: datetime, summary: DemoSummary,
               report: Progress) -> None:
    """What the back office did after the counter: defective goods back to suppliers or
    repaired, one stock count corrected, old follow-ups called back, and the last month's
    days closed. Every event is just before `today`; the closes come last and stop short of
    the current local day, so the desk can still post today."""
    report("aftercare", 0, 4)
    at = today - timedelta(hours=2)
    defective = [r for r in sv.stock(db) if r.defective > 0]
    for r in defective[:4]:
        if r.defective < 2:
            continue
        at += timedelta(minutes=7)
        value = None if rng.random() < 0.5 else rng.randint(50, 150) * 10
        sv.return_to_supplier(db, "warehouse", r.sku, r.defective - 1, expected_credit_fen=value,
                              note="整批退回原厂", now=at)
        summary.supplier_returns += 1
    for r in defective[4:7]:
        at += timedelta(minutes=7)
        sv.dispose_defective(db, "warehouse", r.sku, 1, "repair", note="更换外壳后可售", now=at)
        summary.repairs += 1
    counted = [r for r in sv.stock(db) if not r.low and r.sellable > r.reorder_point + 5]
    if counted:
        at += timedelta(minutes=7)
        sv.adjust_stock(db, "warehouse", rng.choice(counted).sku, "sellable", -1,
                        "月末盘点短少 1 件", now=at)
    report("aftercare", 1, 4)
    for fu in sv.follow_ups(db, due_by=today - timedelta(days=7), limit=10_000):
        done_at = min(fu.due_at + timedelta(hours=rng.randint(1, 30)), today - timedelta(hours=3))
        sv.complete_follow_up(db, "clerk", fu.id, rng.choice(CALL_OUTCOMES), now=done_at)
        summary.follow_ups_done += 1
    report("aftercare", 2, 4)
    close_at = today - timedelta(minutes=1)
    last = (close_at.astimezone().date()) - timedelta(days=1)
    for back in range(CLOSED_DAYS - 1, -1, -1):
        day = last - timedelta(days=back)
        _, end = sv.day_bounds(day)
        sv.close_day(db, "finance", day, now=min(end + timedelta(minutes=30), close_at))
        summary.days_closed += 1
    report("aftercare", 4, 4)
