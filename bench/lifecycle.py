"""Section 1: slip lifecycle throughput through the service, next to a plain sqlite3 floor.

The service runs create → submit → approve → receive → inspect → settle (six transactions)
for returns and for exchanges. The floor writes the SAME rows: one service lifecycle of
each type is run first as a probe, every row it inserted (per step, per table) and the
slip's state after each step are recorded, and the floor replays them with plain sqlite3
— new ids, foreign keys remapped to the rows it made, the slip number drawn from the day's
counter, audit events chained with `service.event_hash` — in six `BEGIN IMMEDIATE`
transactions with the app's pragmas, in a copy of the same database file. It also does the
updates the service does (slip row, stock levels, chain head, counter, notifications read).
The rows per table per slip of both are diffed and must be equal.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.common import (
    NOW,
    Result,
    console,
    make_shop,
    new_db,
    raw_connect,
    reviewing_policy,
    table_counts,
)

TYPES = ("return", "exchange")
STEPS = ("create", "submit", "approve", "receive", "inspect", "settle")
SALES = 3000  # one line of 10 units each: 30,000 returnable units, more than any run needs


def _service_steps(sv: Any, db: Any, slip_type: str, order: str, sku: str,
                   now: datetime) -> list[tuple[str, Callable[[str], Any]]]:
    """The six service calls of one lifecycle; each takes the slip number (create ignores
    it and returns the new slip's view)."""
    repl = sku if slip_type == "exchange" else None
    return [
        ("create", lambda _n: sv.create_slip(
            db, "clerk", order, slip_type,
            [sv.LineInput(sku, 1, "quality", "屏幕有坏点", replacement_sku=repl)], now=now)),
        ("submit", lambda n: sv.submit_slip(db, "clerk", n, now=now)),
        ("approve", lambda n: sv.approve_slip(db, "owner", n, now=now)),
        ("receive", lambda n: sv.receive_slip(db, "warehouse", n, now=now)),
        ("inspect", lambda n: sv.inspect_slip(db, "warehouse", n,
                                              [sv.GradeInput(sku, 1, 0, 0)], now=now)),
        ("settle", lambda n: sv.settle_slip(db, "finance", n, "original", now=now)),
    ]


def _lifecycle(sv: Any, db: Any, slip_type: str, order: str, sku: str, now: datetime) -> str:
    number = ""
    for name, call in _service_steps(sv, db, slip_type, order, sku, now):
        view = call(number)
        if name == "create":
            number = view.number
    return number


def build_template(path: Path) -> list[tuple[str, str]]:
    """A shop with SALES one-line sales made yesterday; returns (order, sku) per sale."""
    from rma_tui import service as sv

    db = new_db(path)
    shop = make_shop(db, products=20, customers=200, stock=100_000)
    sold = NOW - timedelta(days=1)
    pairs = [(f"LC-{i:05d}", shop.skus[i % len(shop.skus)]) for i in range(SALES)]
    sv.record_sales(db, "clerk", [
        sv.SaleInput(order, "store", sold, [sv.SaleLineInput(sku, 10, 1800 + 10 * (i % 50))],
                     customer_phone=shop.phones[i % len(shop.phones)], payment_method="wechat")
        for i, (order, sku) in enumerate(pairs)], now=NOW)
    db.dispose()
    return pairs


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of an SQLite file (online backup API), WAL kept on."""
    from bench.common import remove_db

    remove_db(dst)
    with sqlite3.connect(str(src)) as a, sqlite3.connect(str(dst)) as b:
        a.backup(b)
    b.close()
    a.close()
    con = raw_connect(dst)
    con.close()


class ServiceRunner:
    """Lifecycles through the service on one file, timed in slices."""

    def __init__(self, path: Path, pairs: list[tuple[str, str]]) -> None:
        from rma_tui import service as sv
        from rma_tui.store.db import Database

        self.sv = sv
        sv.set_policy(reviewing_policy())
        self.db = Database(str(path))
        self.con = sqlite3.connect(str(path))  # for the row counts only
        self.pairs = pairs
        # Warm-up: one return per product first, so every product has its `pending` stock
        # row (made once per product, ever) and one exchange (the day's HH counter, made
        # once) before the rows are counted.
        k = len({sku for _, sku in pairs})
        for order, sku in pairs[:k]:
            _lifecycle(sv, self.db, "return", order, sku, NOW)
        _lifecycle(sv, self.db, "exchange", *pairs[k], NOW)
        self.k = k + 1

    def one(self, slip_type: str) -> None:
        """One lifecycle (six transactions) on the next sale."""
        order, sku = self.pairs[self.k % len(self.pairs)]
        self.k += 1
        _lifecycle(self.sv, self.db, slip_type, order, sku, NOW)

    def close(self) -> None:
        """Release the file and the policy."""
        self.con.close()
        self.db.dispose()
        self.sv.set_policy(None)


# ---------------------------------------------------------------------------------------
# The floor
# ---------------------------------------------------------------------------------------


@dataclass
class StepTemplate:
    """What one service step wrote: new rows per table and the slip row after it."""

    name: str
    inserts: list[tuple[str, list[str], list[tuple[Any, ...]]]] = field(default_factory=list)
    slip_after: dict[str, Any] = field(default_factory=dict)


def _id_tables(con: sqlite3.Connection) -> list[str]:
    """Tables with an integer `id` key, parents before children (foreign keys)."""
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite%' "
        "AND name != 'alembic_version'")]
    with_id = [t for t in names
               if any(c[1] == "id" for c in con.execute(f'PRAGMA table_info("{t}")'))]
    deps = {t: {r[2] for r in con.execute(f'PRAGMA foreign_key_list("{t}")')} - {t}
            for t in with_id}
    ordered: list[str] = []
    while len(ordered) < len(with_id):
        for t in with_id:
            if t not in ordered and all(d in ordered or d not in deps for d in deps[t]):
                ordered.append(t)
    return ordered


def probe(path: Path, slip_type: str, order: str, sku: str) -> list[StepTemplate]:
    """Run one service lifecycle in `path`, recording what each step wrote."""
    from rma_tui import service as sv
    from rma_tui.store.db import Database

    sv.set_policy(reviewing_policy())
    db = Database(str(path))
    con = sqlite3.connect(str(path))
    tables = _id_tables(con)
    steps: list[StepTemplate] = []
    number = ""
    try:
        for name, call in _service_steps(sv, db, slip_type, order, sku, NOW):
            top = {t: con.execute(f'SELECT coalesce(max(id), 0) FROM "{t}"').fetchone()[0]
                   for t in tables}
            view = call(number)
            if name == "create":
                number = view.number
            step = StepTemplate(name)
            for t in tables:
                cur = con.execute(f'SELECT * FROM "{t}" WHERE id > ? ORDER BY id', (top[t],))
                rows = cur.fetchall()
                if rows:
                    step.inserts.append((t, [d[0] for d in cur.description], rows))
            cur = con.execute("SELECT * FROM slips WHERE number = ?", (number,))
            step.slip_after = dict(zip([d[0] for d in cur.description], cur.fetchone(),
                                       strict=True))
            steps.append(step)
    finally:
        con.close()
        db.dispose()
        sv.set_policy(None)
    return steps


def _fk_map(con: sqlite3.Connection) -> dict[str, dict[str, str]]:
    """table -> {column: referenced table}."""
    out: dict[str, dict[str, str]] = {}
    for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        out[t] = {r[3]: r[2] for r in con.execute(f'PRAGMA foreign_key_list("{t}")')}
    return out


class Floor:
    """Replays probed lifecycles with plain sqlite3: the least work that writes those rows."""

    def __init__(self, path: Path, templates: dict[str, list[StepTemplate]]) -> None:
        from rma_tui import service as sv

        # Called with a namespace of the event's fields (it reads attributes only).
        self.event_hash: Any = sv.event_hash
        self.con = raw_connect(path)
        self.templates = templates
        self.fks = _fk_map(self.con)
        self.old_number = {t: next(s for s in steps if s.name == "create").slip_after["number"]
                           for t, steps in templates.items()}

    def lifecycle(self, slip_type: str) -> None:
        """One slip of `slip_type`, six transactions."""
        con = self.con
        old_number = self.old_number[slip_type]
        prefix, day, _ = old_number.split("-")
        idmap: dict[tuple[str, int], int] = {}
        number = ""
        slip_id = 0
        for step in self.templates[slip_type]:
            con.execute("BEGIN IMMEDIATE")
            try:
                at = step.slip_after["updated_at"]
                if step.name == "create":
                    con.execute("UPDATE counters SET value = value + 1 "
                                "WHERE prefix = ? AND day = ?", (prefix, day))
                    value = con.execute("SELECT value FROM counters WHERE prefix = ? AND day = ?",
                                        (prefix, day)).fetchone()[0]
                    number = f"{prefix}-{day}-{value:04d}"
                else:
                    # The service's read of the slip it moves on, and the released tasks.
                    con.execute("SELECT * FROM slips WHERE id = ?", (slip_id,)).fetchone()
                    con.execute("UPDATE notifications SET read_at = ? WHERE slip_id = ? AND "
                                "read_at IS NULL AND key != 'follow_up'", (at, slip_id))
                for table, cols, rows in step.inserts:
                    if table == "counters":  # the day's first slip made it: updated above
                        continue
                    fks = self.fks.get(table, {})
                    for row in rows:
                        values = dict(zip(cols, row, strict=True))
                        old_id = values.pop("id")
                        for c, v in values.items():
                            if isinstance(v, str) and old_number in v:
                                values[c] = v.replace(old_number, number)
                            elif c in fks and v is not None and (fks[c], v) in idmap:
                                values[c] = idmap[(fks[c], v)]
                        if table == "audit_events":
                            seq, prev = con.execute(
                                "SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
                            values["seq"], values["prev_hash"] = seq + 1, prev
                            ev = SimpleNamespace(**values)
                            ev.at = datetime.fromisoformat(values["at"])
                            values["hash"] = self.event_hash(prev, ev)
                            con.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1",
                                        (values["seq"], values["hash"]))
                        if table == "stock_moves":
                            con.execute("UPDATE stock_levels SET qty = qty + ? WHERE "
                                        "product_id = ? AND location = ?",
                                        (values["qty"], values["product_id"],
                                         values["location"]))
                        names = ", ".join(f'"{c}"' for c in values)
                        marks = ", ".join("?" for _ in values)
                        cur = con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                                          list(values.values()))
                        idmap[(table, old_id)] = int(cur.lastrowid or 0)
                        if table == "slips":
                            slip_id = int(cur.lastrowid or 0)
                if step.name != "create":
                    state = {c: v for c, v in step.slip_after.items() if c not in ("id", "number")}
                    sets = ", ".join(f'"{c}" = ?' for c in state)
                    con.execute(f"UPDATE slips SET {sets} WHERE id = ?",
                                [*state.values(), slip_id])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def one(self, slip_type: str) -> None:
        """One lifecycle (the runner interface shared with `ServiceRunner`)."""
        self.lifecycle(slip_type)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


def interleaved(runners: dict[str, Any], seconds: float, slice_s: float = 2.0
                ) -> dict[tuple[str, str], tuple[int, float, dict[str, int]]]:
    """Run each runner for `seconds` per slip type, in alternating slices of `slice_s`, so
    that load from elsewhere on the machine falls on all of them alike. Per (runner, type):
    slips, seconds, rows added per table."""
    out: dict[tuple[str, str], tuple[int, float, dict[str, int]]] = {}
    for slip_type in TYPES:
        acc = {name: [0, 0.0] for name in runners}
        before = {name: table_counts(r.con) for name, r in runners.items()}
        while any(a[1] < seconds for a in acc.values()):
            for name, r in runners.items():
                if acc[name][1] >= seconds:
                    continue
                t0 = time.perf_counter()
                while time.perf_counter() - t0 < slice_s:
                    r.one(slip_type)
                    acc[name][0] += 1
                acc[name][1] += time.perf_counter() - t0
        for name, r in runners.items():
            after = table_counts(r.con)
            out[(name, slip_type)] = (int(acc[name][0]), acc[name][1],
                                      {t: after[t] - before[name][t] for t in after})
    return out


def run(workdir: Path, scale: str) -> list[Result]:
    """The section: service and floor throughput per type, their ratio, the row check."""
    seconds = 20.0 if scale == "full" else 4.0
    template = workdir / "lifecycle-template.db"
    console.print("[dim]lifecycle: building the shop…[/]")
    pairs = build_template(template)
    svc_path, floor_path = workdir / "lifecycle-service.db", workdir / "lifecycle-floor.db"
    copy_db(template, svc_path)
    copy_db(template, floor_path)
    # The probe uses the last sales, the timed service run the first ones: no overlap.
    templates = {t: probe(floor_path, t, *pairs[-1 - i]) for i, t in enumerate(TYPES)}
    console.print(f"[dim]lifecycle: service and floor, {seconds:.0f} s each per type, "
                  "in alternating 2 s slices…[/]")
    runners: dict[str, Any] = {"service": ServiceRunner(svc_path, pairs[:-2]),
                               "floor": Floor(floor_path, templates)}
    try:
        got = interleaved(runners, seconds)
    finally:
        for r in runners.values():
            r.close()
    results = []
    for t in TYPES:
        sn, se, srows = got[("service", t)]
        fn, fe, frows = got[("floor", t)]
        s_rate, f_rate = sn / se, fn / fe
        per_s = {k: v / sn for k, v in srows.items() if v}
        per_f = {k: v / fn for k, v in frows.items() if v}
        same = per_s == per_f
        if not same:
            console.print(f"[bold red]lifecycle {t}: the floor's rows differ from the "
                          f"service's[/]\n  service {per_s}\n  floor   {per_f}")
        rows_note = f"{sum(per_s.values()):g} rows/slip in {len(per_s)} tables"
        results += [
            Result("lifecycle", f"{t}: service", s_rate, "slips/s", better="higher",
                   note=f"{sn} slips, {6 * s_rate:.0f} tx/s",
                   extra={"rows_per_slip": per_s}),
            Result("lifecycle", f"{t}: sqlite3 floor", f_rate, "slips/s", better="higher",
                   note=f"{fn} slips, {6 * f_rate:.0f} tx/s",
                   extra={"rows_per_slip": per_f}),
            Result("lifecycle", f"{t}: service / floor", s_rate / f_rate, "ratio",
                   target=1 / 3, better="higher",
                   note=("same rows: " + rows_note) if same else "ROWS DIFFER",
                   extra={"same_rows": same}),
        ]
    return results
