"""Worker processes released together, for the concurrency tests: each is spawned (a fresh
interpreter, like a second terminal), waits at a barrier until all are up, and puts one
report (a dict) on a queue before it ends."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from typing import Any


def run_together(target: Callable[..., None], arg_lists: Sequence[tuple[Any, ...]],
                 timeout: float) -> tuple[list[dict[str, Any]], float]:
    """Run `target(*args, barrier, out)` in one process per `args`; return every report and
    the wall time. Fails unless each process put its report within `timeout` s and exited 0
    (a stuck one is killed)."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(arg_lists))
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, out)) for args in arg_lists]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    reports: list[dict[str, Any]] = []
    try:
        for _ in procs:
            reports.append(out.get(timeout=timeout))
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    wall = time.monotonic() - t0
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return reports, wall
