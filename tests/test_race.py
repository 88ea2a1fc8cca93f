"""Concurrency: separate processes racing on one SQLite file (I3 and I7 under contention).

Workers are started once with the "spawn" context (a fresh interpreter each, as two counter
terminals would be) and released together by a Barrier for every round, so the rounds share
the start-up cost. Each worker answers per round with ("ok", number), ("error", key) for a
DomainError, or ("crash", repr) for anything else (e.g. "database is locked").
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import timedelta
from typing import Any

from conftest import NOW, make_shop
from sqlalchemy import text

from rma_tui import service as sv
from rma_tui.store.db import Database

ROUNDS = 5
WORKERS = 3


def _worker(path: str, task: str, actor: str, targets: list[str], barrier: Any,
            out: Any) -> None:
    """Run one process's side of every round; never raise (report instead)."""
    from rma_tui import service
    from rma_tui.errors import DomainError
    from rma_tui.store.db import STORAGE_KEYS
    from rma_tui.store.db import Database as Db

    db = Db(path)
    try:
        for i, target in enumerate(targets):
            # Connect before the start line, so what races is the write itself.
            service.get_user(db, actor)
            barrier.wait(timeout=120)
            try:
                if task == "create":
                    v = service.create_slip(db, actor, target, "return",
                                            [service.LineInput("P1", 1, "quality")], now=NOW)
                else:
                    v = service.settle_slip(db, actor, target, "cash", now=NOW)
                out.put((i, actor, "ok", v.number))
            except DomainError as e:  # storage trouble (db_busy ...) is a crash, not a refusal
                out.put((i, actor, "crash" if e.key in STORAGE_KEYS else "error", e.key))
            except Exception as e:  # noqa: BLE001  (reported to the test, which fails)
                out.put((i, actor, "crash", repr(e)))
    finally:
        db.dispose()


def _race(path: str, task: str, actors: list[str], targets: list[str]) -> dict[int, list[tuple]]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(actors))
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(path, task, a, targets, barrier, out))
             for a in actors]
    for p in procs:
        p.start()
    results: dict[int, list[tuple]] = {i: [] for i in range(len(targets))}
    try:
        for _ in range(len(actors) * len(targets)):
            i, actor, kind, value = out.get(timeout=180)
            results[i].append((actor, kind, value))
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return results


def _count(db: Database, stmt: str, **params: Any) -> int:
    with db.engine.connect() as c:
        return int(c.execute(text(stmt), params).scalar_one())


def test_processes_racing_for_the_last_returnable_unit(db):
    make_shop(db)
    orders = [f"SO-RACE-{i}" for i in range(ROUNDS)]
    sv.receive_purchase(db, "owner", "P1", 2 * ROUNDS, now=NOW - timedelta(days=3))
    sv.record_sales(db, "clerk", [
        sv.SaleInput(o, "store", NOW - timedelta(days=1), [sv.SaleLineInput("P1", 2, 1800)],
                     customer_phone="13800000001") for o in orders], now=NOW)
    # One unit of each sale is already on a slip: exactly one is left to race for.
    for o in orders:
        sv.create_slip(db, "owner", o, "return", [sv.LineInput("P1", 1, "quality")], now=NOW)
    path = db.url.removeprefix("sqlite:///")
    actors = ["clerk", "clerk2", "owner"][:WORKERS]
    results = _race(path, "create", actors, orders)
    for i, order in enumerate(orders):
        got = results[i]
        assert not [r for r in got if r[1] == "crash"], got
        winners = [r for r in got if r[1] == "ok"]
        losers = [r for r in got if r[1] == "error"]
        assert len(winners) == 1, got
        assert [r[2] for r in losers] == ["over_returnable"] * (len(actors) - 1), got
        sale = sv.get_sale(db, order)
        assert [(ln.sold, ln.returned, ln.returnable) for ln in sale.lines] == [(2, 2, 0)]
        assert _count(db, "SELECT count(*) FROM slips s JOIN sales o ON o.id = s.sale_id "
                          "WHERE o.order_no = :o", o=order) == 2
    rep = sv.verify(db)
    assert rep.ok, [c for c in rep.checks if not c.ok]


def test_processes_racing_to_settle_the_same_slip(db):
    make_shop(db)
    sv.receive_purchase(db, "owner", "P1", 2 * ROUNDS, now=NOW - timedelta(days=3))
    orders = [f"SO-SET-{i}" for i in range(ROUNDS)]
    sv.record_sales(db, "clerk", [
        sv.SaleInput(o, "store", NOW - timedelta(days=1), [sv.SaleLineInput("P1", 1, 1800)],
                     customer_phone="13800000001") for o in orders], now=NOW)
    numbers = []
    for o in orders:
        n = sv.create_slip(db, "clerk", o, "return", [sv.LineInput("P1", 1, "quality")],
                           now=NOW).number
        sv.submit_slip(db, "clerk", n, now=NOW)
        sv.receive_slip(db, "warehouse", n, now=NOW)
        sv.inspect_slip(db, "warehouse", n, [sv.GradeInput("P1", 1, 0, 0)], now=NOW)
        numbers.append(n)
    path = db.url.removeprefix("sqlite:///")
    actors = ["finance", "owner", "boss2"][:WORKERS]
    results = _race(path, "settle", actors, numbers)
    for i, n in enumerate(numbers):
        got = results[i]
        assert not [r for r in got if r[1] == "crash"], got
        assert len([r for r in got if r[1] == "ok"]) == 1, got
        assert sorted(r[2] for r in got if r[1] == "error") == (
            ["bad_transition"] * (len(actors) - 1)), got
        assert sv.get_slip(db, n).status == "settled"
        assert _count(db, "SELECT count(*) FROM journal_entries e JOIN slips s "
                          "ON s.id = e.slip_id WHERE s.number = :n AND e.kind = 'refund'",
                      n=n) == 1
    assert _count(db, "SELECT coalesce(sum(p.credit_fen), 0) FROM postings p "
                      "JOIN journal_entries e ON e.id = p.entry_id "
                      "WHERE e.kind = 'refund' AND p.account_code = '1001'") == 1800 * ROUNDS
    rep = sv.verify(db)
    assert rep.ok, [c for c in rep.checks if not c.ok]
