"""Concurrency: a mixed workload of several processes on one SQLite file, and on one
PostgreSQL database (`[postgresql]`, 8 s by default).

4 worker processes (8 with RMA_LONG=1), started with the "spawn" context and released
together by a Barrier, each run for RMA_CONCURRENCY_SECONDS (default 12) over the same two
products, the same three big sales and one sale of a few units that they race for to the
last unit (half of the creates), choosing at random (seeded per worker) among
create+submit, approve, receive, inspect and settle, every write through the service with the
worker's own Database. Each write is timed (perf_counter around the service call); a
DomainError is an expected refusal (a lost race, stock short ...), anything else — above all
"database is locked" — is a failure. Afterwards the file must hold exactly what the workers
report: every slip they created, no sale line over-returned, stock equal to the moves and to
what the workers graded and issued, one refund/exchange entry per settled slip, verify clean.
The p50/p99 write latencies are printed (`pytest -s`) and shown in the test's message.

Races of N processes for the last unit / the same settlement are in tests/test_race.py.
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
WORKERS = 8 if LONG else 4
SECONDS = float(os.environ.get("RMA_CONCURRENCY_SECONDS", "12"))
# On PostgreSQL (the same test, run a second time) a shorter run keeps the suite fast;
# RMA_CONCURRENCY_SECONDS, when set, rules both.
PG_SECONDS = float(os.environ.get("RMA_CONCURRENCY_SECONDS", "8"))
ORDERS = ["SO-MIX-1", "SO-MIX-2", "SO-MIX-3"]
SOLD = {"P1": 1000, "P2": 500}  # units of each product on each of the sales
# A sale of a few units, which a third of the creates race for: "never more than sold" is
# reached there, not only held far below a limit.
FEW_ORDER = "SO-MIX-FEW"
FEW = {"P1": 3, "P2": 2}
EXTRA_STOCK = {"P1": 6, "P2": 3}  # sellable stock left for exchanges after the sales
OPS = ("create", "submit", "approve", "receive", "inspect", "settle")
WEIGHTS = (4, 0, 2, 2, 2, 2)  # submit always follows a successful create
CREATORS = ("clerk", "clerk2", "owner")
APPROVERS = ("owner", "boss2", "finance")
SETTLERS = ("finance", "owner", "boss2")
START_TIMEOUT = 180.0  # spawn + import of every worker, on a busy 2-core machine


def _pick(db: Any, status: str, rng: random.Random) -> tuple[str, str, bool] | None:
    """A random recent slip in `status` (number, creator, policy ok), read outside any
    write; by the time the write runs another worker may have moved it on."""
    with db.engine.connect() as c:
        rows = c.execute(
            text("SELECT number, created_by, policy_ok FROM slips WHERE status = :s "
                 "ORDER BY id DESC LIMIT 20"), {"s": status}).all()
    if not rows:
        return None
    number, creator, ok = rng.choice(rows)
    return str(number), str(creator), bool(ok)


def _worker(path: str, seed: int, seconds: float, barrier: Any, out: Any) -> None:
    """One counter terminal: loop over random actions until the time is up; report once.

    Never raises: anything unexpected is reported (and fails the test)."""
    from rma_tui import service
    from rma_tui.errors import DomainError
    from rma_tui.store.db import STORAGE_KEYS
    from rma_tui.store.db import Database as Db

    rng = random.Random(seed)
    lat: dict[str, list[float]] = {op: [] for op in OPS}
    refusals: Counter[str] = Counter()
    failures: list[str] = []
    created: list[str] = []
    created_qty: Counter[tuple[str, str]] = Counter()  # (order, sku) -> units on my slips
    resold: Counter[str] = Counter()  # sku -> units graded resellable (back to sellable)
    issued: Counter[str] = Counter()  # sku -> units issued by my exchange settlements
    settled: list[str] = []
    db = Db(path)
    try:
        service.get_user(db, "owner")  # connect before the start line
        barrier.wait(timeout=START_TIMEOUT)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            op = rng.choices(OPS, WEIGHTS)[0]
            call: Any = None
            if op == "create":
                order = rng.choice((*ORDERS, FEW_ORDER, FEW_ORDER, FEW_ORDER))
                typ = rng.choice(("return", "return", "exchange"))
                if order == FEW_ORDER:
                    # One product, mostly one unit: the last unit of each is then claimed
                    # within seconds even on a slow run, and the race ends at the limit.
                    skus = [rng.choice(("P1", "P2"))]
                else:
                    skus = rng.sample(("P1", "P2"), rng.randint(1, 2))
                lines = []
                for sku in skus:
                    q = rng.choice((1, 1, 2)) if order == FEW_ORDER else rng.randint(1, 3)
                    if typ == "exchange":
                        lines.append(service.LineInput(
                            sku, q, "quality", replacement_sku=rng.choice(("P1", "P2")),
                            replacement_qty=q))
                    else:
                        lines.append(service.LineInput(
                            sku, q, rng.choice(("quality", "changed_mind"))))
                actor = rng.choice(CREATORS)

                def call(order=order, typ=typ, lines=lines, actor=actor) -> Any:
                    return service.create_slip(db, actor, order, typ, lines, now=NOW)
            else:
                status = {"approve": "submitted", "receive": "approved",
                          "inspect": "received", "settle": "inspected"}[op]
                picked = _pick(db, status, rng)
                if picked is None:
                    continue
                number, creator, policy_ok = picked
                if op == "approve":
                    # Never the creator; a policy exception needs an owner and a reason.
                    actor = rng.choice([a for a in APPROVERS if a != creator
                                        and (policy_ok or a != "finance")])
                    reason = None if policy_ok else "并发测试 override"

                    def call(number=number, actor=actor, reason=reason) -> Any:
                        return service.approve_slip(db, actor, number, override_reason=reason,
                                                    now=NOW)
                elif op == "receive":
                    def call(number=number) -> Any:
                        return service.receive_slip(db, "warehouse", number, now=NOW)
                elif op == "inspect":
                    grades = []
                    for ln in service.get_slip(db, number).lines:
                        r = rng.randint(0, ln.qty)
                        d = rng.randint(0, ln.qty - r)
                        grades.append(service.GradeInput(ln.sku, r, d, ln.qty - r - d))

                    def call(number=number, grades=grades) -> Any:
                        return service.inspect_slip(db, "warehouse", number, grades, now=NOW)
                else:
                    actor = rng.choice(SETTLERS)
                    method = rng.choice(("cash", "original"))

                    def call(number=number, actor=actor, method=method) -> Any:
                        return service.settle_slip(db, actor, number, method, now=NOW)
            steps = [(op, call)]
            while steps:
                name, fn = steps.pop(0)
                t0 = time.perf_counter()
                try:
                    v = fn()
                except DomainError as e:
                    lat[name].append(time.perf_counter() - t0)
                    if e.key in STORAGE_KEYS:  # e.g. db_busy: the lock was never had
                        failures.append(f"{name}: {e.key} {e.params.get('detail')}")
                    else:
                        refusals[f"{name}:{e.key}"] += 1
                    continue
                except Exception as e:  # noqa: BLE001  (reported to the test, which fails)
                    lat[name].append(time.perf_counter() - t0)
                    failures.append(f"{name}: {e!r}")
                    continue
                lat[name].append(time.perf_counter() - t0)
                if name == "create":
                    created.append(v.number)
                    for ln in v.lines:
                        created_qty[(v.sale, ln.sku)] += ln.qty
                    steps.append(("submit", lambda n=v.number, a=v.created_by:
                                  service.submit_slip(db, a, n, now=NOW)))
                elif name == "inspect":
                    for ln in v.lines:
                        assert ln.grade is not None
                        resold[ln.sku] += ln.grade[0]
                elif name == "settle":
                    settled.append(v.number)
                    if v.type == "exchange":
                        for ln in v.lines:
                            if ln.replacement_sku:
                                issued[ln.replacement_sku] += ln.replacement_qty
    except Exception as e:  # noqa: BLE001
        failures.append(f"worker: {e!r}")
    finally:
        db.dispose()
        out.put({"seed": seed, "lat": lat, "refusals": dict(refusals), "failures": failures,
                 "created": created, "created_qty": dict(created_qty), "resold": dict(resold),
                 "issued": dict(issued), "settled": settled})


def _q(db: Database, stmt: str, **params: Any) -> list[Any]:
    with db.engine.connect() as c:
        return list(c.execute(text(stmt), params).all())


def _pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(p * len(s)))] * 1000 if s else 0.0


def _setup(db: Database) -> dict[str, int]:
    """The shop, three big sales, a little spare stock; returns sellable per sku."""
    make_shop(db)
    for sku, n in SOLD.items():
        sv.receive_purchase(db, "owner", sku, n * len(ORDERS) + FEW[sku] + EXTRA_STOCK[sku],
                            now=NOW - timedelta(days=5))
    sv.record_sales(db, "clerk", [
        sv.SaleInput(o, "store", NOW - timedelta(days=1),
                     [sv.SaleLineInput("P1", SOLD["P1"], 1800),
                      sv.SaleLineInput("P2", SOLD["P2"], 14000)],
                     customer_phone="13800000001") for o in ORDERS]
                    + [sv.SaleInput(FEW_ORDER, "store", NOW - timedelta(days=1),
                                    [sv.SaleLineInput(sku, n, 1800) for sku, n in FEW.items()],
                                    customer_phone="13800000001")], now=NOW)
    return {r.sku: r.sellable for r in sv.stock(db)}


def test_mixed_workload_of_processes_on_one_file(db):
    before = _setup(db)
    path = db.url.removeprefix("sqlite:///")  # a file, or the PostgreSQL URL as it is
    seconds = SECONDS if db.sqlite else PG_SECONDS
    reports, wall = run_together(_worker, [(path, 1000 + i, seconds) for i in range(WORKERS)],
                                 START_TIMEOUT + seconds + 120)

    # Latency per operation and overall (printed; visible with -s and in any failure).
    lines = []
    every: list[float] = []
    for op in OPS:
        xs = [x for r in reports for x in r["lat"][op]]
        every += xs
        lines.append(f"  {op:8} n={len(xs):5}  p50 {_pct(xs, 0.5):7.1f} ms  "
                     f"p99 {_pct(xs, 0.99):7.1f} ms  max {_pct(xs, 1.0):7.1f} ms")
    refusals: Counter[str] = Counter()
    for r in reports:
        refusals.update(r["refusals"])
    summary = (f"{WORKERS} processes, {seconds:g} s each ({wall:.1f} s wall): "
               f"p50 write latency {_pct(every, 0.5):.1f} ms, "
               f"p99 write latency {_pct(every, 0.99):.1f} ms over {len(every)} writes, "
               f"{sum(x > 1 for x in every)} over 1 s, max {_pct(every, 1.0):.0f} ms\n"
               + "\n".join(lines) + f"\n  refusals: {dict(sorted(refusals.items()))}")
    print("\n" + summary)

    failures = [f for r in reports for f in r["failures"]]
    assert not failures, (failures[:20], summary)
    assert {k.split(":")[1] for k in refusals} <= {
        "bad_transition", "over_returnable", "stock_short", "own_slip", "over_refund",
    }, summary
    created = [n for r in reports for n in r["created"]]
    settled = [n for r in reports for n in r["settled"]]
    assert len(created) > WORKERS and settled, summary  # the workload really ran

    # Every slip a worker was told it created is there, and no other.
    assert sorted(n for (n,) in _q(db, "SELECT number FROM slips")) == sorted(created)
    # No lost update on what was returned: what the workers put on slips is what is held
    # per sale line, and never more than was sold (released slips hold nothing; none here).
    held = {(o, sku): (int(q), int(sold)) for o, sku, q, sold in _q(db, """
        SELECT o.order_no, p.sku, coalesce(sum(CASE WHEN s.status NOT IN
               ('rejected','cancelled') THEN l.qty END), 0), sl.qty
        FROM sale_lines sl JOIN sales o ON o.id = sl.sale_id
        JOIN products p ON p.id = sl.product_id
        LEFT JOIN slip_lines l ON l.sale_line_id = sl.id LEFT JOIN slips s ON s.id = l.slip_id
        WHERE o.order_no LIKE 'SO-MIX-%' GROUP BY sl.id, o.order_no, p.sku, sl.qty""")}
    reported: Counter[tuple[str, str]] = Counter()
    for r in reports:
        for key, q in r["created_qty"].items():
            reported[key] += q
    for key, (q, sold) in held.items():
        assert q <= sold, (key, q, sold)
        assert q == reported.get(key, 0), (key, q, reported.get(key, 0))
    # The few units were raced for to the last one, and the losers were told so.
    for sku, n in FEW.items():
        assert held[(FEW_ORDER, sku)] == (n, n), (sku, held[(FEW_ORDER, sku)], summary)
    assert refusals["create:over_returnable"] > 0, summary
    # Stock: sellable == before + graded resellable - issued by exchanges (as reported);
    # pending == received but not yet inspected.
    resold: Counter[str] = Counter()
    issued: Counter[str] = Counter()
    for r in reports:
        resold.update(r["resold"])
        issued.update(r["issued"])
    now_stock = {r.sku: r for r in sv.stock(db)}
    for sku in SOLD:
        assert now_stock[sku].sellable == before[sku] + resold[sku] - issued[sku], (
            sku, now_stock[sku], before[sku], resold[sku], issued[sku])
    pending = dict((str(k), int(v)) for k, v in _q(db, """
        SELECT p.sku, coalesce(sum(l.qty), 0) FROM slip_lines l
        JOIN slips s ON s.id = l.slip_id JOIN products p ON p.id = l.product_id
        WHERE s.status = 'received' GROUP BY p.sku"""))
    for sku in SOLD:
        assert now_stock[sku].pending == pending.get(sku, 0), (sku, now_stock[sku], pending)
    # Exactly one refund/exchange entry per settled slip, none for any other slip.
    entries = dict((str(n), int(c)) for n, c in _q(db, """
        SELECT s.number, count(e.id) FROM slips s LEFT JOIN journal_entries e
        ON e.slip_id = s.id AND e.kind IN ('refund', 'exchange') GROUP BY s.id, s.number"""))
    status = dict((str(n), str(st)) for n, st in _q(db, "SELECT number, status FROM slips"))
    assert sorted(n for n, st in status.items() if st == "settled") == sorted(settled)
    for n, c in entries.items():
        assert c == (1 if status[n] == "settled" else 0), (n, status[n], c)
    rep = sv.verify(db)
    assert rep.ok, ([c for c in rep.checks if not c.ok], summary)
    if db.sqlite:  # the storage check is SQLite's (PostgreSQL has no PRAGMA)
        ok = _q(db, "PRAGMA integrity_check")
        assert ok == [("ok",)], ok
