"""Property: whatever lifecycles slips go through, the reports' refunded figures are the
journal's — per month, per week, per channel and per shop, in the whole chain and in each
shop — and every claimed unit and fen is in exactly one of refunded (with its fee),
exchanged or pending.

Each example starts from a copy of one template (two shops, `main` and `east`, each with
its users, stock and a counter and an online sale) and draws up to a dozen slips: which
shop takes it, against which sale, return or exchange, how far it goes (a draft, pending,
settled by a drawn method, cancelled or rejected), when it is made and how long it takes to
settle (over three months, so claims and refunds fall in different periods). The events run
in time order; a step the desk refuses (e.g. stock short for an exchange) leaves the slip
where it is, which the property must survive as well.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.reads import finance as fin
from rma_tui.reads import reports
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")

START = NOW - timedelta(days=100)  # the sales; slips from the next day over ~3 months
SHOPS = {"main": ("clerk", "warehouse", "finance"), "east": ("clerk_e", "ware_e", "fin_e")}
SALES = [(f"SO-{shop}-{channel}", shop, channel) for shop in SHOPS for channel in
         ("store", "online")]
SKUS = {"P1": 2000, "P2": 15000, "P3": 5000}
ENDS = ("draft", "pending", "settled", "settled", "settled", "settled", "cancelled", "rejected")
METHODS = ("original", "cash", "credit")
_TEMPLATE: list[Path] = []


def _template() -> Path:
    """Two shops with their users, 40 of each product in each, and the four sales (10 of
    each product on each); built once per process."""
    if _TEMPLATE and _TEMPLATE[0].exists():
        return _TEMPLATE[0]
    path = Path(tempfile.mkdtemp(prefix="rma-reports-tpl-")) / "template.db"
    db = Database(str(path))
    upgrade(db)
    t0 = START - timedelta(days=10)
    sv.add_user(db, None, "owner", "owner", now=t0)
    sv.add_shop(db, "owner", "east", "东门店", now=t0)
    for shop, (clerk, ware, finance) in SHOPS.items():
        for name, role in ((clerk, "clerk"), (ware, "warehouse"), (finance, "finance")):
            sv.add_user(db, "owner", name, role, shop=shop, now=t0)
    sv.add_products(db, "owner", [sv.ProductInput(sku, f"商品{sku}", price, price // 3)
                                  for sku, price in SKUS.items()], now=t0)
    sv.add_customers(db, "owner", [sv.CustomerInput("张三", "13800000001", "store")], now=t0)
    for shop, (clerk, ware, _) in SHOPS.items():
        for sku in SKUS:
            sv.receive_purchase(db, ware, sku, 40, now=t0)
        sv.record_sales(db, clerk, [
            sv.SaleInput(order, channel, START, [sv.SaleLineInput(sku, 10, price)
                                                 for sku, price in SKUS.items()],
                         customer_phone="13800000001", payment_method="wechat")
            for order, s, channel in SALES if s == shop], now=START)
    db.dispose()
    _TEMPLATE[:] = [path]
    return path


plans = st.lists(st.fixed_dictionaries({
    "shop": st.sampled_from(list(SHOPS)),
    "sale": st.sampled_from([order for order, _, _ in SALES]),
    "sku": st.sampled_from(list(SKUS)),
    "qty": st.integers(1, 3),
    "type": st.sampled_from(("return", "return", "exchange")),
    "reason": st.sampled_from(("quality", "changed_mind", "size")),
    "end": st.sampled_from(ENDS),
    "method": st.sampled_from(METHODS),
    "day": st.integers(1, 80),
    "hour": st.integers(0, 23),
    "takes": st.integers(0, 40),
}), min_size=3, max_size=12)


def _events(plan: dict[str, Any], i: int) -> list[tuple[datetime, int, str]]:
    """The timed steps of one slip: made, then (unless a draft) on to its end."""
    made = START + timedelta(days=plan["day"], hours=plan["hour"])
    steps = [(made, i, "create")]
    if plan["end"] != "draft":
        steps.append((made + timedelta(minutes=1), i, "submit"))
    if plan["end"] in ("cancelled", "rejected"):
        steps.append((made + timedelta(minutes=2), i, plan["end"]))
    if plan["end"] == "settled":
        steps.append((made + timedelta(days=plan["takes"], minutes=3), i, "settle"))
    return steps


def _run(db: Database, plans_: list[dict[str, Any]]) -> None:
    """Play every slip's steps in time order; a refused step ends that slip there."""
    numbers: dict[int, str] = {}
    for at, i, step in sorted(e for n, p in enumerate(plans_) for e in _events(p, n)):
        plan = plans_[i]
        clerk, ware, finance = SHOPS[plan["shop"]]
        if step != "create" and i not in numbers:
            continue  # its creation was refused
        try:
            if step == "create":
                line = sv.LineInput(plan["sku"], plan["qty"], plan["reason"],
                                    **({"replacement_sku": plan["sku"],
                                        "replacement_qty": plan["qty"]}
                                       if plan["type"] == "exchange" else {}))
                numbers[i] = sv.create_slip(db, clerk, plan["sale"], plan["type"], [line],
                                            now=at).number
            elif step == "submit":
                slip = sv.submit_slip(db, clerk, numbers[i], now=at)
                if slip.status == "submitted" and plan["end"] != "rejected":
                    sv.approve_slip(db, "owner", numbers[i], now=at, override_reason=(
                        None if slip.policy_ok else "测试 override"))
            elif step in ("cancelled", "rejected"):
                if step == "cancelled":
                    sv.cancel_slip(db, clerk, numbers[i], "顾客不要了", now=at)
                elif sv.get_slip(db, numbers[i]).status == "submitted":
                    sv.reject_slip(db, "owner", numbers[i], "不符合条件", now=at)
            else:
                number = numbers[i]
                sv.receive_slip(db, ware, number, now=at)
                sv.inspect_slip(db, ware, number,
                                [sv.GradeInput(plan["sku"], plan["qty"], 0, 0)], now=at)
                sv.settle_slip(db, finance, number, plan["method"], now=at)
        except DomainError:
            continue


def _postings(db: Database) -> list[tuple[date, str, str, int, str]]:
    """Each refund entry's refund (its credit to the refund account) as (local day, the
    slip's channel, the slip's shop, amount, the entry's shop)."""
    with db.engine.connect() as c:
        rows = c.execute(text("""
            SELECT e.at, s.channel, s.shop, sum(p.credit_fen), e.shop
            FROM journal_entries e JOIN slips s ON s.id = e.slip_id
            JOIN postings p ON p.entry_id = e.id
            WHERE e.kind = 'refund' AND p.account_code <> :fee
            GROUP BY e.id, e.at, s.channel, s.shop, e.shop"""), {"fee": sv.OTHER_INCOME}).all()
    out = []
    for at, channel, shop, amount, entry_shop in rows:
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        out.append((when.replace(tzinfo=when.tzinfo or UTC).astimezone().date(), channel,
                    shop, int(amount), entry_shop))
    return out


def _months() -> list[tuple[date, date]]:
    """Every calendar month of the three the slips span (first and last day)."""
    first = START.astimezone().date().replace(day=1)
    out = []
    while first <= (START + timedelta(days=130)).astimezone().date():
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append((first, nxt - timedelta(days=1)))
        first = nxt
    return out


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plans_=plans)
def test_report_refunds_are_the_journal_per_period_channel_and_shop(
        plans_: list[dict[str, Any]]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="rma-reports-"))
    shutil.copy(_template(), folder / "shop.db")
    db = Database(str(folder / "shop.db"))
    try:
        _run(db, plans_)
        posts = _postings(db)
        # A refund is posted by the shop that handled the slip.
        assert all(shop == entry_shop for _, _, shop, _, entry_shop in posts)
        total = sum(p[3] for p in posts)
        for by in reports.DIMENSIONS:
            rows = [r for r in reports.returns_report(db, by) if r.key != reports.TOTAL_KEY]
            assert sum(r.refund_fen for r in rows) == total, by
            assert sum(sum(r.refund_by_method.values()) for r in rows) == total, by
            # Every claimed unit and fen is refunded (with its fee), exchanged or pending.
            assert sum(r.units_claimed for r in rows) == sum(
                r.units_refunded + r.units_exchanged + r.units_pending for r in rows), by
            assert sum(r.value_claimed_fen for r in rows) == sum(
                r.refund_fen + r.fees_fen + r.value_exchanged_fen + r.value_pending_fen
                for r in rows), by
        for shop in (None, *SHOPS):
            mine = [p for p in posts if shop is None or p[2] == shop]
            channels = Counter[str]()
            for _, channel, _, amount, _ in mine:
                channels[channel] += amount
            got = {r.key: r.refund_fen for r in reports.returns_report(db, "channel",
                                                                        shop=shop)}
            assert {k: v for k, v in got.items() if v} == {k: v for k, v in channels.items()
                                                           if v}, shop
            for since, until in _months():
                want = sum(p[3] for p in mine if since <= p[0] <= until)
                month = reports.returns_report(db, "month", since, until, shop=shop)
                week = reports.returns_report(db, "week", since, until, shop=shop)
                by_shop = reports.returns_report(db, "shop", since, until, shop=shop)
                assert sum(r.refund_fen for r in month) == want, (shop, since)
                assert sum(r.refund_fen for r in week) == want, (shop, since)
                assert sum(r.refund_fen for r in by_shop
                           if r.key != reports.TOTAL_KEY) == want, (shop, since)
                assert sum(r.refund_fen for r in fin.refunds_by_day(
                    db, since, until, shop=shop)) == want, (shop, since)
        assert sv.verify(db).ok
    finally:
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
