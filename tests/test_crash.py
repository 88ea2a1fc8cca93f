"""Crash battery: a child process runs slip lifecycles and is killed with SIGKILL at random
points. After each kill the file is intact, `verify` is clean, no slip is partial, and
every step the child reported as committed is in the database.

Quick mode: RMA_CRASH_KILLS kills (default 100); RMA_LONG=1: 1,000 kills. The workers are
forked from one pre-imported server (tests/crash_child.py --serve) so a kill costs the
random wait, not the ~0.6 s of imports; `test_crash_plain_child` also runs the script on
its own (a fresh interpreter per kill) a few times.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import make_shop

from rma_tui import service as sv
from rma_tui.store.db import Database

CHILD = Path(__file__).with_name("crash_child.py")
LONG = os.environ.get("RMA_LONG") == "1"
KILLS = 1000 if LONG else int(os.environ.get("RMA_CRASH_KILLS", "100"))
ORDER = ("draft", "submitted", "approved", "received", "inspected", "settled")
LATER = {s: set(ORDER[i:]) for i, s in enumerate(ORDER)}
for _s in ("draft", "submitted", "approved"):
    LATER[_s].add("cancelled")
LATER["cancelled"] = {"cancelled"}
START_TIMEOUT = 20.0  # seconds for a worker to report that it started


def _lines(state: Path) -> list[str]:
    return state.read_text().splitlines() if state.exists() else []


def _wait_lines(state: Path, before: int, proc: subprocess.Popen[Any] | None) -> None:
    """Wait until the state file has more than `before` lines (the child goes on)."""
    deadline = time.monotonic() + START_TIMEOUT
    while len(_lines(state)) <= before:
        assert proc is None or proc.poll() is None, "the crash child died on its own"
        assert time.monotonic() < deadline, "the crash child stopped reporting in time"
        time.sleep(0.005)


def _wait_dead(pid: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, f"worker {pid} did not die"
        time.sleep(0.002)


def check_after_kill(path: str, state: Path) -> int:
    """Every check the issue asks for after one kill; returns how many slips there are."""
    con = sqlite3.connect(path, timeout=30)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        slips = {n: (i, t, st, note) for i, n, t, st, note in con.execute(
            "SELECT id, number, type, status, note FROM slips")}
        n_lines = dict(con.execute("SELECT slip_id, count(*) FROM slip_lines GROUP BY slip_id"))
        line_qty: dict[int, dict[int, int]] = defaultdict(dict)
        for sid, pid, q in con.execute("SELECT slip_id, product_id, sum(qty) FROM slip_lines "
                                       "GROUP BY slip_id, product_id"):
            line_qty[sid][pid] = q
        moves: dict[tuple[int, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for sid, kind, pid, q in con.execute(
                "SELECT slip_id, kind, product_id, qty FROM stock_moves "
                "WHERE slip_id IS NOT NULL"):
            moves[(sid, kind)][pid] += q
        graded = dict(con.execute(
            "SELECT l.slip_id, count(*) FROM inspection_grades g "
            "JOIN slip_lines l ON l.id = g.slip_line_id GROUP BY l.slip_id"))
        entries: dict[int, set[str]] = defaultdict(set)
        for sid, kind in con.execute(
                "SELECT slip_id, kind FROM journal_entries WHERE slip_id IS NOT NULL"):
            entries[sid].add(kind)
        to_status: dict[int, set[str]] = defaultdict(set)
        for sid, to in con.execute(
                "SELECT slip_id, to_status FROM audit_events WHERE slip_id IS NOT NULL"):
            to_status[sid].add(to)
        settled = {i: (m, t) for i, m, t in con.execute(
            "SELECT id, refund_method, type FROM slips WHERE status = 'settled'")}
        credit = {sid for (sid,) in con.execute(
            "SELECT DISTINCT slip_id FROM credit_moves WHERE slip_id IS NOT NULL")}
    finally:
        con.close()
    for number, (sid, typ, status, note) in slips.items():
        where = f"{number} ({status})"
        assert note.startswith("lines="), where
        assert n_lines.get(sid, 0) == int(note[6:]), f"{where}: lines missing"
        assert status in to_status[sid], f"{where}: no audit event to {status}"
        path_ = {"draft"} if status == "cancelled" else set(ORDER[:ORDER.index(status) + 1])
        if status in ORDER[3:]:
            path_ |= {"submitted", "approved"}
        assert path_ <= to_status[sid], f"{where}: audit has only {to_status[sid]}"
        reached = ORDER.index(status) if status in ORDER else 0
        if reached >= ORDER.index("received"):
            assert dict(moves[(sid, "return_in")]) == line_qty[sid], f"{where}: return_in"
        else:
            assert (sid, "return_in") not in moves, f"{where}: goods in too early"
        if reached >= ORDER.index("inspected"):
            assert graded.get(sid) == n_lines[sid], f"{where}: grades missing"
            assert "return_cost" in entries[sid], f"{where}: no return_cost entry"
            assert (sid, "inspect") in moves, f"{where}: no inspect moves"
        else:
            assert sid not in graded and "return_cost" not in entries[sid], where
        want = "refund" if typ == "return" else "exchange"
        if status == "settled":
            assert want in entries[sid], f"{where}: no {want} entry"
            method, _ = settled[sid]
            if typ == "exchange":
                assert (sid, "exchange_out") in moves, f"{where}: replacement not issued"
            if method == "credit" and typ == "return":
                assert sid in credit, f"{where}: no credit move"
        else:
            assert want not in entries[sid] and sid not in credit, f"{where}: paid early"
            assert (sid, "exchange_out") not in moves, f"{where}: issued early"
    # Every step the child reported as committed is there, at that status or later.
    for line in _lines(state):
        number, status = line.split()
        if status == "started":
            continue
        assert number in slips, f"reported {number} {status} but it is not there"
        assert slips[number][2] in LATER[status], f"{number}: reported {status}, " \
            f"database has {slips[number][2]}"
    db = Database(path)
    try:
        report = sv.verify(db)
    finally:
        db.dispose()
    assert report.ok, [c for c in report.checks if not c.ok]
    return len(slips)


def _shop(tmp_path: Path) -> str:
    from rma_tui.store.migrate import upgrade

    path = str(tmp_path / "shop.db")
    db = Database(path)
    upgrade(db)
    make_shop(db)
    db.dispose()
    return path


def test_crash_kills(tmp_path: Path) -> None:
    path = _shop(tmp_path)
    state = tmp_path / "state.txt"
    rng = random.Random(20261127)
    server = subprocess.Popen(
        [sys.executable, str(CHILD), "--serve"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, cwd=CHILD.parent.parent)
    assert server.stdin is not None and server.stdout is not None
    t0 = time.monotonic()
    slips = pid = 0
    try:
        for _ in range(KILLS):
            before = len(_lines(state))
            server.stdin.write(f"{path} {state} {rng.randrange(10**9)}\n")
            server.stdin.flush()
            ready, _, _ = select.select([server.stdout], [], [], START_TIMEOUT)
            assert ready, "the fork server did not answer"
            pid = int(server.stdout.readline())
            _wait_lines(state, before, server)
            # Kill after a random number of further commits plus a moment, not after a
            # random time: on a loaded machine a fixed time lands ever earlier in the
            # lifecycle, and the kills would stop reaching settlement.
            _wait_lines(state, len(_lines(state)) + rng.randrange(0, 9), server)
            time.sleep(rng.uniform(0, 0.05))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pytest.fail("the crash worker died on its own before the kill (see stderr)")
            _wait_dead(pid)
            pid = 0
            slips = check_after_kill(path, state)
    finally:
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        server.kill()
        server.wait(timeout=10)
    spent = time.monotonic() - t0
    db = Database(path)
    try:
        by_status = sv.count_by_status(db)
    finally:
        db.dispose()
    print(f"\ncrash: {KILLS} kills, {slips} slips {by_status}, {spent:.1f} s "
          f"({spent / KILLS * 1000:.0f} ms a kill)")
    # The kills landed all over the lifecycle: many slips were left half-way, many finished.
    unfinished = sum(n for st, n in by_status.items() if st not in ("settled", "cancelled"))
    assert unfinished >= KILLS // 4 and by_status.get("settled", 0) >= KILLS // 4
    assert sum(1 for st in ORDER[:-1] if by_status.get(st)) >= 4


def test_crash_plain_child(tmp_path: Path) -> None:
    """The script on its own, a fresh interpreter per run, killed a few times."""
    path = _shop(tmp_path)
    state = tmp_path / "state.txt"
    rng = random.Random(7)
    for _ in range(3):
        before = len(_lines(state))
        proc = subprocess.Popen([sys.executable, str(CHILD), path, str(state),
                                 str(rng.randrange(10**9))], cwd=CHILD.parent.parent)
        try:
            _wait_lines(state, before, proc)
            time.sleep(rng.uniform(0.05, 0.4))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        check_after_kill(path, state)


def test_checker_catches_partial_and_unreported(tmp_path: Path) -> None:
    """The after-kill checks have teeth: a missing line, a missing move, a status the
    database does not have."""
    from crash_child import lifecycle

    path = _shop(tmp_path)
    state = tmp_path / "state.txt"
    fd = os.open(state, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    db = Database(path)
    rng = random.Random(3)
    for _ in range(6):
        lifecycle(db, rng, fd)
    os.close(fd)
    draft = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                           note="lines=1")
    db.dispose()
    check_after_kill(path, state)
    good = state.read_text()

    def broken(sql: str, extra: str = "") -> None:
        copy = tmp_path / "copy.db"
        src, dst = sqlite3.connect(path), sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.execute("PRAGMA foreign_keys = OFF")
        if sql:
            dst.execute(sql)
        dst.commit()
        dst.close()
        state.write_text(good + extra)
        with pytest.raises(AssertionError):
            check_after_kill(str(copy), state)
        copy.unlink()

    broken(f"UPDATE slips SET note = 'lines=2' WHERE number = '{draft.number}'")
    broken("DELETE FROM stock_moves WHERE id = (SELECT max(id) FROM stock_moves "
           "WHERE kind = 'return_in')")
    broken("DELETE FROM journal_entries WHERE id = (SELECT max(id) FROM journal_entries "
           "WHERE kind IN ('refund', 'exchange'))")
    broken("", f"{draft.number} settled\n")
    broken("", "RMA-NOPE draft\n")
    state.write_text(good)
