"""Child process for the crash battery (tests/test_crash.py): runs full slip lifecycles
through the service for ever, until the parent kills it with SIGKILL.

    python tests/crash_child.py DB_PATH STATE_FILE SEED     run one worker (until killed)
    python tests/crash_child.py --serve                     fork server (see below)

After each step whose commit returned, one line `number status` is appended to STATE_FILE
and fsynced, so the file only ever names what the database has committed. A slip's note
says how many lines it was created with (`lines=N`), so the parent can tell a partial slip.

The fork server imports the service once, then for each stdin line `DB STATE SEED` forks a
worker and prints its pid; the parent kills the worker (not the server). That saves the
~0.6 s of imports per kill. Only `rma_tui.service` and the store are imported (no Textual).
"""

from __future__ import annotations

import os
import random
import signal
import sys
import uuid
from datetime import timedelta

from rma_tui import service as sv
from rma_tui.store.db import Database

SKUS = ("P1", "P2")


def _report(fd: int, number: str, status: str) -> None:
    os.write(fd, f"{number} {status}\n".encode())
    os.fsync(fd)


def _sell(db: Database, rng: random.Random) -> tuple[str, list[tuple[str, int]]]:
    """Top up stock when low, then record a fresh sale to return goods against."""
    levels = {r.sku: r.sellable for r in sv.stock(db)}
    lines = [(sku, rng.randint(1, 3)) for sku in SKUS if rng.random() < 0.8] or [("P1", 2)]
    for sku, qty in lines:
        if levels.get(sku, 0) < qty + 10:
            sv.receive_purchase(db, "warehouse", sku, 50)
    order = "C-" + uuid.uuid4().hex[:16]
    price = {"P1": 1800, "P2": 14000}
    sv.record_sales(db, "clerk", [sv.SaleInput(
        order, "store", sv.utcnow() - timedelta(days=1),
        [sv.SaleLineInput(sku, qty, price[sku]) for sku, qty in lines],
        customer_phone="13800000001",
        # A counter sale: paid any way but through a platform.
        payment_method=rng.choice([m for m in sv.PAYMENT_METHODS if m != "platform"]))])
    return order, lines


def lifecycle(db: Database, rng: random.Random, fd: int) -> None:
    """One slip from sale to settlement (sometimes stopping early or being cancelled)."""
    order, sold = _sell(db, rng)
    slip_type = rng.choice(sv.SLIP_TYPES)
    lines = []
    for sku, qty in sold:
        n = rng.randint(1, qty)
        lines.append(sv.LineInput(
            sku, n, rng.choice(sv.REASONS), "崩溃测试 💥",
            replacement_sku=rng.choice(SKUS) if slip_type == "exchange" else None,
            packaging_intact=rng.random() < 0.8, invoice_present=rng.random() < 0.9))
    view = sv.create_slip(db, "clerk", order, slip_type, lines, note=f"lines={len(lines)}")
    number = view.number
    _report(fd, number, view.status)
    if rng.random() < 0.05:
        _report(fd, number, sv.cancel_slip(db, "clerk", number, "不要了").status)
        return
    view = sv.submit_slip(db, "clerk", number)
    _report(fd, number, view.status)
    if view.status == "submitted":
        view = sv.approve_slip(db, "owner", number, override_reason="崩溃测试")
        _report(fd, number, view.status)
    _report(fd, number, sv.receive_slip(db, "warehouse", number).status)
    grades = []
    for ln in view.lines:
        a = rng.randint(0, ln.qty)
        b = rng.randint(0, ln.qty - a)
        grades.append(sv.GradeInput(ln.sku, a, b, ln.qty - a - b))
    _report(fd, number, sv.inspect_slip(db, "warehouse", number, grades).status)
    method = rng.choice(sv.REFUND_METHODS)
    try:
        view = sv.settle_slip(db, "finance", number, method)
    except sv.DomainError:  # e.g. not enough store credit for a dearer replacement
        view = sv.settle_slip(db, "finance", number, "cash")
    _report(fd, number, view.status)


def work(db_path: str, state_path: str, seed: int) -> None:
    """Run lifecycles for ever (until killed)."""
    rng = random.Random(seed)
    fd = os.open(state_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    db = Database(db_path)
    _report(fd, "-", "started")
    while True:
        lifecycle(db, rng, fd)


def serve() -> None:
    """Fork a worker per request line; print its pid."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    for line in sys.stdin:
        db_path, state_path, seed = line.split()
        pid = os.fork()
        if pid == 0:
            try:
                work(db_path, state_path, int(seed))
            finally:
                os._exit(3)
        print(pid, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        work(sys.argv[1], sys.argv[2], int(sys.argv[3]))
