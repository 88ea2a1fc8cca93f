"""Section 4: CSV import of sale lines through `rma_tui.imports` (the engine of
`rma import sales`) into a fresh shop: lines per second, and a check that every line
arrived (the row count of `sale_lines` grew by the file's lines)."""

from __future__ import annotations

import csv
import random
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from bench.common import NOW, Result, console, make_shop, new_db

SIZES = {"quick": 50_000, "full": 1_000_000}


def write_csv(path: Path, lines: int, skus: list[str], phones: list[str],
              seed: int = 11) -> int:
    """Orders of 1–4 lines over the shop's products and customers; returns the lines."""
    rng = random.Random(seed)
    start = NOW - timedelta(days=365)
    made = order = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["order", "sold_at", "channel", "sku", "qty", "unit_price",
                    "customer_phone", "payment_method"])
        while made < lines:
            order += 1
            n = min(rng.randint(1, 4), lines - made)
            online = rng.random() < 0.4
            at = (start + timedelta(seconds=order * 20)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            phone = rng.choice(phones) if online or rng.random() < 0.5 else ""
            pay = rng.choice(("cash", "card", "wechat", "alipay"))
            for sku in rng.sample(skus, n):
                w.writerow([f"IM-{order:08d}", at, "online" if online else "store", sku,
                            rng.randint(1, 3), f"{rng.randint(500, 30000) / 100:.2f}", phone,
                            pay])
            made += n
    return made


def run(workdir: Path, scale: str) -> list[Result]:
    """Build a fresh shop, write the CSV, import it, count the rows."""
    from rma_tui import imports

    lines = SIZES[scale]
    path = workdir / "import-shop.db"
    db = new_db(path)
    shop = make_shop(db, products=300, customers=20_000,
                     stock=min(1_000_000, lines // 40 + 10_000))
    csv_path = workdir / f"sales-{lines}.csv"
    written = write_csv(csv_path, lines, shop.skus, shop.phones)
    con = sqlite3.connect(str(path))
    before = con.execute("SELECT count(*) FROM sale_lines").fetchone()[0]
    console.print(f"[dim]import: {written:,} lines ({csv_path.stat().st_size / 1e6:.0f} MB)…[/]")
    t0 = time.perf_counter()
    result = imports.import_file(db, "clerk", "sales", csv_path)
    elapsed = time.perf_counter() - t0
    after = con.execute("SELECT count(*) FROM sale_lines").fetchone()[0]
    con.close()
    db.dispose()
    arrived = after - before
    ok = arrived == written == result.rows
    if not ok:
        console.print(f"[bold red]import: {written} lines written, {result.rows} read, "
                      f"{arrived} arrived[/]")
    return [Result("import", "sales CSV import", written / elapsed, "lines/s", target=100_000,
                   better="higher",
                   note=f"{written:,} lines, {result.records:,} orders in {elapsed:.1f} s; "
                   + ("all arrived" if ok else "ROWS MISSING"),
                   extra={"lines": written, "seconds": elapsed, "arrived": arrived})]
