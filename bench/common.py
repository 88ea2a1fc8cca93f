"""Shared pieces of the benchmark: results, machine facts, timing, databases and shops.

Nothing here imports from `tests/`: the bench builds its own shops through `rma_tui.service`.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()

# The bench's present: every write is stamped relative to it, so runs are comparable.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

USERS = (("clerk", "clerk"), ("clerk2", "clerk"), ("warehouse", "warehouse"),
         ("finance", "finance"), ("boss2", "owner"))
PRAGMAS = ("PRAGMA busy_timeout = 30000", "PRAGMA synchronous = FULL",
           "PRAGMA foreign_keys = ON")


@dataclass
class Result:
    """One measured figure, with its target (if the issue sets one) and whether it is met.

    `better` says which way is good: "higher" (throughput) or "lower" (times, memory)."""

    section: str
    name: str
    value: float
    unit: str
    target: float | None = None
    better: str = "lower"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        """True / False against the target, None when there is no target."""
        if self.target is None:
            return None
        if self.better == "higher":
            return self.value >= self.target
        return self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        """A plain form for the JSON document."""
        d = asdict(self)
        d["passed"] = self.passed
        return d


def show(title: str, results: Sequence[Result]) -> None:
    """Print a section's results as one rich table."""
    table = Table(title=title, show_lines=False)
    for name, justify in (("figure", "left"), ("value", "right"), ("unit", "left"),
                          ("target", "right"), ("ok", "center"), ("note", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in results:
        target = "" if r.target is None else (
            f"{'≥' if r.better == 'higher' else '≤'} {fmt(r.target)}")
        ok = {True: "[green]pass[/]", False: "[red]MISS[/]", None: ""}[r.passed]
        table.add_row(r.name, fmt(r.value), r.unit, target, ok, r.note)
    console.print(table)


def fmt(x: float) -> str:
    """A figure with sensible precision."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    load = os.getloadavg()
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def median_ms(fn: Callable[[], Any], runs: int = 5, warmup: int = 1) -> tuple[float, Any]:
    """Median wall time of `fn` in milliseconds over `runs` runs after `warmup` runs, and
    the value of the last run."""
    value = None
    for _ in range(warmup):
        value = fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), value


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def remove_db(path: Path) -> None:
    """Delete an SQLite file and its WAL / shared-memory companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def new_db(path: Path) -> Any:
    """A fresh, migrated database at `path` (any old file there is removed)."""
    from rma_tui.store.db import Database
    from rma_tui.store.migrate import upgrade

    remove_db(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(str(path))
    upgrade(db)
    return db


def raw_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the app's pragmas, autocommit (we BEGIN ourselves)."""
    con = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    con.execute("PRAGMA journal_mode = WAL")
    for p in PRAGMAS:
        con.execute(p)
    return con


def reviewing_policy() -> Any:
    """The shop's policy with auto-approval off, so every lifecycle has its approve step."""
    from rma_tui import service as sv

    pol = sv.policy()
    return replace(pol, channels={k: replace(v, auto_approve=False)
                                  for k, v in pol.channels.items()})


@dataclass
class Shop:
    """What `make_shop` made: product SKUs and customer phones."""

    skus: list[str]
    phones: list[str]


def make_shop(db: Any, products: int = 50, customers: int = 400, stock: int = 1_000_000,
              now: datetime = NOW, opened: datetime | None = None) -> Shop:
    """Users (owner, clerk, clerk2, warehouse, finance, boss2), `products` products with
    `stock` units each bought in, and `customers` customers, all through the service."""
    from rma_tui import service as sv

    opened = opened or now - timedelta(days=800)
    sv.add_user(db, None, "owner", "owner", now=opened)
    for name, role in USERS:
        sv.add_user(db, "owner", name, role, now=opened)
    cats = ("数据线", "耳机", "充电器", "手机壳", "贴膜", "音箱")
    sups = ("深圳华强电子", "东莞立讯", "广州声学", "义乌小商品")
    skus = [f"SKU{i:04d}" for i in range(products)]
    sv.add_products(db, "owner", [
        sv.ProductInput(sku, f"商品{i}号 {cats[i % len(cats)]}", 1000 + 137 * (i % 40) * 10,
                        500 + 61 * (i % 40) * 10, category=cats[i % len(cats)],
                        supplier=sups[i % len(sups)], reorder_point=5)
        for i, sku in enumerate(skus)], now=opened)
    phones = [f"139{i:08d}" for i in range(customers)]
    sv.add_customers(db, "owner", [
        sv.CustomerInput(f"顾客{i}", ph, "online" if i % 3 == 0 else "store")
        for i, ph in enumerate(phones)], now=opened)
    for sku in skus:
        sv.receive_purchase(db, "owner", sku, stock, now=opened)
    return Shop(skus, phones)


def table_counts(con: sqlite3.Connection) -> dict[str, int]:
    """Row count of every table (for diffing around a piece of work)."""
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite%'")]
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names}
