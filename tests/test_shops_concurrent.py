"""Two shops of a chain run the counter workflow at the same time on one database (the
"done when"), on PostgreSQL and on SQLite.

Shops `main` and `east` each have their own clerk, owner, warehouse and finance users and
enough units of P1 on the shelf (STOCK). Two worker processes per shop (two counters each;
4 with RMA_LONG=1), spawned and released together, loop for RMA_CONCURRENCY_SECONDS
(default 8; at most ROUNDS rounds each) through the whole workflow with their shop's users:
a cash sale of 2 units, a return of 1 against it (create, submit, approve when not approved
automatically, receive, inspect as resellable, settle in cash), and now and then a transfer
of 1 unit to the other shop. Every call is a shop user's, so each write lands in its own
shop — except the transfers, which touch both.
Any refusal or error is a failure: nothing here should ever be refused.

Afterwards each shop's stock and money are exactly what its workers report — sellable =
STOCK - sold + resold - sent + received, nothing pending, cash (1001) = sales - refunds in
that shop's entries, inter-shop account 1409 = (sent - received) x cost per shop and 0 for the
chain — every slip belongs to the shop of the clerk who made it, slip numbers are unique
across the chain, and `verify` is clean.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from conftest import NOW, make_shop
from processes import run_together
from sqlalchemy import text

from rma_tui import service as sv
from rma_tui.store.db import Database

LONG = os.environ.get("RMA_LONG") == "1"
COUNTERS = 4 if LONG else 2  # worker processes per shop
SECONDS = float(os.environ.get("RMA_CONCURRENCY_SECONDS", "8"))
ROUNDS = 150  # at most, per counter: a fast machine stops here, a slow one at SECONDS
SHOPS = ("main", "east")
# Units of P1 in each shop before the run: a round takes at most 2 out for good (sells 2,
# takes 1 back, may send 1 away), so no counter ever runs short.
STOCK = COUNTERS * ROUNDS * 2 + 10
PRICE, COST = 1800, 800  # P1 sold at 18.00; its cost is 8.00 (make_shop)
START_TIMEOUT = 180.0  # spawn + imports on a busy 2-core machine


def _users(shop: str) -> dict[str, str]:
    return {role: f"{role}_{shop}" for role in ("clerk", "owner", "warehouse", "finance")}


def _counter(url: str, shop: str, seed: int, seconds: float, barrier: Any, out: Any) -> None:
    """One counter of one shop: sales, returns through their whole lifecycle, transfers.

    Never raises: anything unexpected is reported (and fails the test)."""
    from rma_tui import service
    from rma_tui.store.db import Database as Db

    rng = random.Random(seed)
    u = _users(shop)
    other = next(s for s in SHOPS if s != shop)
    done: Counter[str] = Counter()
    cash_in = refunds = 0
    slips: list[str] = []
    failures: list[str] = []
    writes: list[float] = []
    db = Db(url)

    def timed(fn: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(db, *args, now=NOW, **kwargs)
        finally:
            writes.append(time.perf_counter() - t0)

    try:
        service.get_user(db, u["clerk"])  # connect before the start line
        barrier.wait(timeout=START_TIMEOUT)
        deadline = time.monotonic() + seconds
        i = 0
        while time.monotonic() < deadline and i < ROUNDS:
            i += 1
            order = f"{shop}-{seed}-{i}"
            timed(service.record_sales, u["clerk"], [service.SaleInput(
                order, "store", NOW - timedelta(days=1),
                [service.SaleLineInput("P1", 2, PRICE)], customer_phone="13800000001",
                payment_method="cash")])
            done["sold"] += 2
            cash_in += 2 * PRICE
            v = timed(service.create_slip, u["clerk"], order, "return",
                      [service.LineInput("P1", 1, "quality")])
            slips.append(v.number)
            v = timed(service.submit_slip, u["clerk"], v.number)
            if v.status == "submitted":
                timed(service.approve_slip, u["owner"], v.number)
            timed(service.receive_slip, u["warehouse"], v.number)
            timed(service.inspect_slip, u["warehouse"], v.number,
                  [service.GradeInput("P1", 1, 0, 0)])
            v = timed(service.settle_slip, u["finance"], v.number, "cash")
            done["resold"] += 1
            refunds += v.refund_fen
            if rng.random() < 0.4:
                timed(service.transfer_stock, u["warehouse"], "P1", 1, shop, other)
                done["sent"] += 1
    except Exception as e:  # noqa: BLE001  (reported to the test, which fails)
        failures.append(f"{shop} counter {seed}: {e!r}")
    finally:
        db.dispose()
        out.put({"shop": shop, "done": dict(done), "cash_in": cash_in, "refunds": refunds,
                 "slips": slips, "failures": failures, "writes": writes})


def _q(db: Database, stmt: str, **params: Any) -> list[Any]:
    with db.engine.connect() as c:
        return list(c.execute(text(stmt), params).all())


def _setup(db: Database) -> None:
    """The tiny shop as `main`, shop `east`, each shop's four users and STOCK x P1."""
    make_shop(db)
    sv.add_shop(db, "owner", "east", "东门店", now=NOW)
    for shop in SHOPS:
        for role, name in _users(shop).items():
            sv.add_user(db, "owner", name, role, shop=shop, now=NOW)
    # main already holds 10 - 3 (make_shop's SO-1): top both shops up to exactly STOCK.
    have = {s: next(r for r in sv.stock(db, shop=s) if r.sku == "P1").sellable for s in SHOPS}
    for shop in SHOPS:
        sv.receive_purchase(db, _users(shop)["warehouse"], "P1", STOCK - have[shop],
                            now=NOW - timedelta(days=5))


def test_two_shops_run_the_counter_workflow_at_once(db: Database) -> None:
    _setup(db)
    cash_before = {s: _account(db, "1001", s) for s in SHOPS}
    url = db.url.removeprefix("sqlite:///")  # a file, or the PostgreSQL URL as it is
    n = COUNTERS * len(SHOPS)
    reports, wall = run_together(
        _counter, [(url, shop, 100 * k + j, SECONDS) for k, shop in enumerate(SHOPS)
                   for j in range(COUNTERS)], START_TIMEOUT + SECONDS + 120)
    writes = sorted(x for r in reports for x in r["writes"])
    summary = (f"{n} counters in {len(SHOPS)} shops, {SECONDS:g} s ({wall:.1f} s wall): "
               f"{len(writes)} writes, p50 {writes[len(writes) // 2] * 1000:.0f} ms, "
               f"p99 {writes[int(len(writes) * 0.99)] * 1000:.0f} ms" if writes else "no writes")
    print("\n" + summary)
    failures = [f for r in reports for f in r["failures"]]
    assert not failures, (failures[:10], summary)

    per: dict[str, Counter[str]] = {s: Counter() for s in SHOPS}
    cash = {s: 0 for s in SHOPS}
    made: dict[str, list[str]] = {s: [] for s in SHOPS}
    for r in reports:
        per[r["shop"]].update(r["done"])
        cash[r["shop"]] += r["cash_in"] - r["refunds"]
        made[r["shop"]] += r["slips"]
    for shop in SHOPS:  # the workload really ran, in both shops at once
        assert per[shop]["resold"] >= 1, (shop, per, summary)

    for shop in SHOPS:
        other = next(s for s in SHOPS if s != shop)
        row = next(r for r in sv.stock(db, shop=shop) if r.sku == "P1")
        expected = (STOCK - per[shop]["sold"] + per[shop]["resold"] - per[shop]["sent"]
                    + per[other]["sent"])
        assert (row.sellable, row.pending, row.defective) == (expected, 0, 0), (shop, row)
        assert _account(db, "1001", shop) - cash_before[shop] == cash[shop], shop
        assert _account(db, "1409", shop) == (per[shop]["sent"] - per[other]["sent"]) * COST
        # Every slip of the shop is one its own clerks made, and settled there.
        rows = _q(db, "SELECT number, status, created_by FROM slips WHERE shop = :s", s=shop)
        assert sorted(num for num, _, _ in rows) == sorted(made[shop]), shop
        assert {(st, by) for _, st, by in rows} <= {("settled", f"clerk_{shop}")}, shop
        refunds = _q(db, """SELECT count(*) FROM journal_entries e JOIN slips s
                            ON s.id = e.slip_id WHERE e.kind = 'refund' AND e.shop = :s
                            AND s.shop = :s""", s=shop)
        assert refunds == [(len(made[shop]),)], shop
    assert _account(db, "1409") == 0
    numbers = [num for (num,) in _q(db, "SELECT number FROM slips")]
    assert len(numbers) == len(set(numbers)) == sum(len(m) for m in made.values())
    rep = sv.verify(db)
    assert rep.ok, ([c for c in rep.checks if not c.ok], summary)


def _account(db: Database, code: str, shop: str | None = None) -> int:
    """Σ debit - Σ credit of an account in one shop's entries (None: the chain's)."""
    where = "" if shop is None else "AND e.shop = :shop"
    return int(_q(db, f"""
        SELECT coalesce(sum(p.debit_fen - p.credit_fen), 0) FROM postings p
        JOIN journal_entries e ON e.id = p.entry_id WHERE p.account_code = :code {where}""",
        code=code, shop=shop)[0][0])
