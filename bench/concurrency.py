"""Section 5: 1, 2, 4 and 8 writer processes on one SQLite file.

Each writer (multiprocessing, spawn) runs whole slip lifecycles through the service on the
same few products and the same sales for N seconds, timing every service call (one write
transaction each). Reported per writer count: p50 / p99 / max latency, total writes/s, and
errors — any exception that is not a business refusal (a `DomainError`), e.g. "database is
locked"; there must be none. Refusals (two writers taking the same last unit) are counted
apart.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import time
import traceback
from pathlib import Path
from typing import Any

from bench.common import NOW, Result, console, percentile

WRITERS = (1, 2, 4, 8)


def writer(path: str, pairs: list[tuple[str, str]], seconds: float, seed: int,
           barrier: Any, out: Any) -> None:
    """One writer process: lifecycles until the time is up; puts its figures on `out`."""
    from bench.common import reviewing_policy
    from bench.lifecycle import _service_steps
    from rma_tui import service as sv
    from rma_tui.errors import DomainError
    from rma_tui.store.db import Database

    sv.set_policy(reviewing_policy())
    db = Database(path)
    rng = random.Random(seed)
    lat: list[float] = []
    refusals = errors = slips = 0
    first_error = ""
    # One untimed lifecycle first: imports, policy and statement caches warm, as in a
    # desk that has been open a while (else the first write holds the lock for long).
    steps = _service_steps(sv, db, "return", *pairs[seed % len(pairs)], NOW)
    number = ""
    for name, call in steps:
        view = call(number)
        number = view.number if name == "create" else number
    barrier.wait()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        order, sku = rng.choice(pairs)
        slip_type = "exchange" if rng.random() < 0.3 else "return"
        number = ""
        try:
            for name, call in _service_steps(sv, db, slip_type, order, sku, NOW):
                t0 = time.perf_counter()
                view = call(number)
                lat.append((time.perf_counter() - t0) * 1000)
                if name == "create":
                    number = view.number
            slips += 1
        except DomainError:
            refusals += 1
        except Exception:  # any other failure is what this section looks for
            errors += 1
            first_error = first_error or traceback.format_exc(limit=3)
    db.dispose()
    out.put({"lat": lat, "refusals": refusals, "errors": errors, "slips": slips,
             "first_error": first_error})


def run(workdir: Path, scale: str) -> list[Result]:
    """The section: one fresh copy of the lifecycle shop per writer count."""
    from bench.lifecycle import build_template, copy_db

    seconds = 20.0 if scale == "full" else 3.0
    template = workdir / "concurrency-template.db"
    console.print("[dim]concurrency: building the shop…[/]")
    # The same few products: 3,000 sales over the first 5 products only.
    pairs = [(o, s) for o, s in build_template(template)
             if s in ("SKU0000", "SKU0001", "SKU0002", "SKU0003", "SKU0004")]
    ctx = mp.get_context("spawn")
    results = []
    for n in WRITERS:
        path = workdir / f"concurrency-{n}.db"
        copy_db(template, path)
        barrier = ctx.Barrier(n + 1)
        out = ctx.Queue()
        procs = [ctx.Process(target=writer, args=(str(path), pairs, seconds, 100 + i,
                                                  barrier, out)) for i in range(n)]
        for p in procs:
            p.start()
        barrier.wait()
        t0 = time.perf_counter()
        got = [out.get(timeout=seconds + 300) for _ in procs]
        elapsed = time.perf_counter() - t0
        for p in procs:
            p.join()
        lat = [x for g in got for x in g["lat"]]
        errors = sum(g["errors"] for g in got)
        refusals = sum(g["refusals"] for g in got)
        slips = sum(g["slips"] for g in got)
        for g in got:
            if g["first_error"]:
                console.print(f"[bold red]concurrency {n}: {g['first_error']}[/]")
                break
        p50, p99 = percentile(lat, 50), percentile(lat, 99)
        results += [
            Result("concurrency", f"{n} writers: p50 latency", p50, "ms"),
            Result("concurrency", f"{n} writers: p99 latency", p99, "ms",
                   note=f"max {max(lat, default=0):.0f} ms"),
            Result("concurrency", f"{n} writers: writes/s", len(lat) / elapsed, "tx/s",
                   better="higher", note=f"{slips} lifecycles, {refusals} refusals"),
            Result("concurrency", f"{n} writers: errors", errors, "errors", target=0,
                   extra={"max_ms": max(lat, default=0), "writes": len(lat),
                          "refusals": refusals, "slips": slips}),
        ]
    return results
