"""The demo shop's online platforms: a few orders on 淘宝, 京东 and 拼多多 paid through the
platform, and their after-sale requests in every state the platforms report (asked,
agreed, the buyer shipped, refunded before the goods came, closed), brought in as the
platforms' files would bring them; one parcel received by its waybill and refunded by the
platform, and one parcel that matches nothing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from rma_tui import service as sv
from rma_tui.demo.summary import DemoSummary, Progress

# (channel, order number prefix, carrier, waybill prefix) of each platform in the demo.
PLATFORMS = (
    ("taobao", "38612", "中通快递", "7531"),
    ("jd", "29876", "京东快递", "JDVA"),
    ("pdd", "2611-", "韵达快递", "4312"),
)
# The platform states the demo's requests are in, in order, per platform.
STATES = ("requested", "agreed", "shipped", "shipped", "refunded", "closed")
REASONS = (("changed_mind", "七天无理由退换货"), ("size", "尺码不合适"),
           ("quality", "质量问题：开线"), ("not_as_described", "与描述不符"))


def platform_after_sales(db: sv.Database, rng: random.Random, skus: list[str],
                         today: datetime, summary: DemoSummary, report: Progress) -> None:
    """Orders sold 4 to 6 days before `today` and their requests, imported 2 days before;
    every event before `today`. `skus` are products with sellable stock to spare."""
    report("platforms", 0, 3)
    sold = today - timedelta(days=6)
    sales: list[sv.SaleInput] = []
    requests: dict[str, list[sv.PlatformRequestInput]] = {}
    n = 0
    for channel, prefix, carrier, waybill in PLATFORMS:
        for k, state in enumerate(STATES):
            n += 1
            sku = skus[n % len(skus)]
            price = rng.randint(20, 160) * 100 - 10
            order = f"{prefix}{rng.randint(10**11, 10**12 - 1)}"
            at = sold + timedelta(hours=8 * k + rng.randint(0, 6))
            sales.append(sv.SaleInput(order, channel, at, [sv.SaleLineInput(sku, 1, price)],
                                      payment_method="platform"))
            reason, text = REASONS[(n + k) % len(REASONS)]
            shipped = state == "shipped"
            requests.setdefault(channel, []).append(sv.PlatformRequestInput(
                refund_id=f"{channel.upper()}-RF-{n:04d}", order=order, status=state,
                amount_fen=price, sku=sku, reason=reason, reason_text=text,
                platform_status=state, carrier=carrier if shipped else "",
                waybill=f"{waybill}{rng.randint(10**9, 10**10 - 1)}" if shipped else "",
                requested_at=at + timedelta(days=2, hours=3),
                modified_at=at + timedelta(days=3), buyer=f"买家{rng.randint(100, 999)}"))
    sv.record_sales(db, "clerk", sales, now=sold + timedelta(days=2))
    summary.sales += len(sales)
    summary.sale_lines += len(sales)
    report("platforms", 1, 3)
    at = today - timedelta(days=2)
    for channel, rows in requests.items():
        at += timedelta(minutes=20)
        sv.import_requests(db, "clerk", channel, rows, now=at)
    report("platforms", 2, 3)
    # The warehouse scans the first Taobao parcel; finance settles it with the platform.
    first = next(r for r in requests["taobao"] if r.waybill)
    scan = sv.receive_by_waybill(db, "warehouse", first.waybill, now=at + timedelta(hours=3))
    if scan.slip is not None:
        number = scan.slip.number
        sv.inspect_slip(db, "warehouse", number, [sv.GradeInput(first.sku, 1, 0, 0)],
                        now=at + timedelta(hours=4))
        sv.settle_slip(db, "finance", number, "platform", now=at + timedelta(hours=5))
    sv.receive_by_waybill(db, "warehouse", f"SF{rng.randint(10**11, 10**12 - 1)}",
                          carrier="顺丰速运", contents="一件未拆封的商品，面单无订单号",
                          now=at + timedelta(hours=6))
    report("platforms", 3, 3)
