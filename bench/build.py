"""The big database of the reports and start-up sections, built once and cached.

* Sale lines go through the service (`service.record_sales`, in chunks of 50,000 lines),
  so any column the service fills in (now or later) is filled here too.
* Slips are bulk-inserted with plain sqlite3 `executemany` for speed: every column named,
  a realistic mix of types, reasons, channels and statuses, created over the sales period;
  each slip line is against a real sale line of the slip's sale with qty ≤ sold and refund
  ≤ paid. Each slip's state changes are audit events on the hash chain (`event_hash`), in
  time order, so the compliance report's time-in-state has real stays to measure.
* The file is kept in the work folder with a stamp (sizes, seed, schema revision); a second
  run with the same stamp reuses it.

The bulk slips carry no stock moves, journal postings or notifications: the reports read
slips, slip lines, sales and the audit trail only.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.common import NOW, console, make_shop, new_db, raw_connect, remove_db

SIZES = {"quick": (50_000, 10_000), "full": (1_000_000, 200_000)}  # sale lines, slips
SEED = 7
VERSION = 1  # bump when the builder changes what it writes
CHUNK = 50_000
DAYS = 730  # the sales period: two years before NOW

STATUS_MIX = (("closed", 50), ("settled", 12), ("rejected", 7), ("cancelled", 8), ("draft", 3),
              ("submitted", 4), ("approved", 5), ("received", 4), ("inspected", 7))
REASON_MIX = (("quality", 32), ("changed_mind", 20), ("size", 14), ("not_as_described", 12),
              ("damaged", 9), ("wrong_item", 7), ("other", 6))
REASON_TEXT = {"quality": "屏幕有坏点", "changed_mind": "不想要了", "size": "尺寸不合适",
               "not_as_described": "与描述不符", "damaged": "外包装压坏", "wrong_item": "发错货",
               "other": "其他原因"}
METHODS = ("original", "cash", "credit")
PATHS = {  # the states a slip went through, by where it ended
    "draft": ("draft",),
    "submitted": ("draft", "submitted"),
    "approved": ("draft", "submitted", "approved"),
    "received": ("draft", "submitted", "approved", "received"),
    "inspected": ("draft", "submitted", "approved", "received", "inspected"),
    "settled": ("draft", "submitted", "approved", "received", "inspected", "settled"),
    "closed": ("draft", "submitted", "approved", "received", "inspected", "settled", "closed"),
    "rejected": ("draft", "submitted", "rejected"),
    "cancelled": ("draft", "cancelled"),
}
ACTIONS = {"draft": "create", "submitted": "submit", "approved": "approve",
           "received": "receive", "inspected": "inspect", "settled": "settle",
           "closed": "close", "rejected": "reject", "cancelled": "cancel"}
ACTOR = {"draft": "clerk", "submitted": "clerk", "approved": "owner", "received": "warehouse",
         "inspected": "warehouse", "settled": "finance", "closed": "owner",
         "rejected": "owner", "cancelled": "clerk"}
# Hours a slip typically stays in each state before the next (mean of an exponential).
STAY_HOURS = {"draft": 0.5, "submitted": 10, "approved": 40, "received": 12, "inspected": 14,
              "settled": 100}


def _pick(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _ts(dt: datetime) -> str:
    """A time as SQLAlchemy stores it in SQLite (naive UTC text)."""
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def stamp_of(scale: str) -> dict[str, Any]:
    """What a cached database must match to be reused."""
    from rma_tui.store.migrate import head_revision

    lines, slips = SIZES[scale]
    return {"version": VERSION, "seed": SEED, "sale_lines": lines, "slips": slips,
            "schema": head_revision()}


def big_db(workdir: Path, scale: str) -> Path:
    """The big database for `scale`, reused from `workdir` when its stamp matches."""
    path = workdir / f"big-{scale}.db"
    stamp_file = workdir / f"big-{scale}.stamp.json"
    want = stamp_of(scale)
    if path.exists() and stamp_file.exists():
        try:
            if json.loads(stamp_file.read_text()) == want:
                console.print(f"[dim]big database: reusing {path}[/]")
                return path
        except ValueError:
            pass
    stamp_file.unlink(missing_ok=True)
    t0 = time.perf_counter()
    build(path, *SIZES[scale])
    stamp_file.write_text(json.dumps(want))
    console.print(f"[dim]big database: built in {time.perf_counter() - t0:.0f} s[/]")
    return path


def build(path: Path, sale_lines: int, slips: int, seed: int = SEED) -> None:
    """Build the shop, its sales (service) and its slips (bulk) in `path`."""
    rng = random.Random(seed)
    remove_db(path)
    db = new_db(path)
    products = 300
    shop = make_shop(db, products=products, customers=20_000,
                     stock=min(1_000_000, sale_lines // 4 + 10_000),  # the best seller needs ~10%
                     now=NOW - timedelta(days=DAYS + 1))
    _sales(db, rng, shop.skus, shop.phones, sale_lines)
    db.dispose()
    _slips(path, rng, slips)
    con = raw_connect(path)
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _sales(db: Any, rng: random.Random, skus: list[str], phones: list[str], total: int) -> None:
    from rma_tui import service as sv

    prices = {}
    with db.read() as s:
        from sqlmodel import select

        from rma_tui.store.models import Product
        for p in s.exec(select(Product)).all():
            prices[p.sku] = p.unit_price_fen
    # Popular products sell more (a long tail), as in a real shop.
    weights = [1.0 / (1 + i % 97) ** 0.8 for i in range(len(skus))]
    start = NOW - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / (total / 2.5)  # about 2.5 lines per order
    at = start
    made = n_order = 0
    chunk: list[Any] = []
    chunk_lines = 0
    t0 = time.perf_counter()
    while made < total:
        n = min(rng.choice((1, 1, 2, 2, 3, 4)), total - made)
        picked = rng.choices(skus, weights=weights, k=n)
        lines = [sv.SaleLineInput(sku, rng.choice((1, 1, 1, 2, 2, 3, 5)),
                                  prices[sku] * rng.choice((100, 100, 95, 90, 85)) // 100)
                 for sku in picked]
        online = rng.random() < 0.4
        n_order += 1
        at += step * rng.uniform(0.5, 1.5)
        chunk.append(sv.SaleInput(
            f"{'WX' if online else 'SO'}-{n_order:08d}", "online" if online else "store",
            min(at, NOW - timedelta(hours=2)),
            lines, customer_phone=rng.choice(phones) if online or rng.random() < 0.6 else None,
            payment_method=rng.choice(("cash", "card", "wechat", "alipay"))))
        made += n
        chunk_lines += n
        if chunk_lines >= CHUNK or made >= total:
            sv.record_sales(db, "clerk", chunk, now=min(at, NOW))
            chunk, chunk_lines = [], 0
            console.print(f"[dim]  sales {made:,}/{total:,} "
                          f"({made / (time.perf_counter() - t0):,.0f} lines/s)[/]")


def _slips(path: Path, rng: random.Random, total: int) -> None:
    from rma_tui import service as sv

    con = raw_connect(path)
    # Every sale's lines, grouped; slips are made against a sample of the sales.
    rows = con.execute(
        "SELECT sl.id, sl.sale_id, sl.product_id, sl.qty, sl.unit_price_fen, sl.unit_cost_fen, "
        "s.sold_at, s.channel, s.customer_id FROM sale_lines sl JOIN sales s "
        "ON s.id = sl.sale_id ORDER BY sl.sale_id, sl.id").fetchall()
    by_sale: dict[int, list[Any]] = {}
    for r in rows:
        by_sale.setdefault(r[1], []).append(r)
    del rows
    sale_ids = list(by_sale)
    if total > len(sale_ids):
        raise SystemExit(f"bench: {total} slips need at least as many sales ({len(sale_ids)})")
    chosen = sorted(rng.sample(sale_ids, total),
                    key=lambda sid: by_sale[sid][0][6])  # in time order
    slip_rows, line_rows, events = [], [], []
    counters: dict[tuple[str, str], int] = {}
    end = (NOW - timedelta(hours=1)).replace(tzinfo=None)  # stored times are naive UTC
    for slip_id, sid in enumerate(chosen, start=_next_id(con, "slips")):
        lines = by_sale[sid]
        sold_at = datetime.fromisoformat(lines[0][6])
        channel, customer_id = lines[0][7], lines[0][8]
        slip_type = "exchange" if rng.random() < 0.3 else "return"
        status = _pick(rng, STATUS_MIX)
        created = min(sold_at + timedelta(hours=rng.uniform(2, 24 * 20)), end)
        prefix = "HH" if slip_type == "exchange" else "TH"
        day = created.strftime("%Y%m%d")
        counters[(prefix, day)] = counters.get((prefix, day), 0) + 1
        number = f"{prefix}-{day}-{counters[(prefix, day)]:04d}"
        reason = _pick(rng, REASON_MIX)
        late = rng.random() < 0.06
        policy_ok = not late and rng.random() > 0.04
        taken = lines[: 2 if len(lines) > 1 and rng.random() < 0.2 else 1]
        gross = 0
        for ln in taken:
            qty = rng.randint(1, ln[3])
            gross += qty * ln[4]
            line_rows.append((
                slip_id, ln[0], ln[2], qty, ln[4], ln[5], reason, REASON_TEXT[reason],
                True, True, ln[2] if slip_type == "exchange" else None,
                qty if slip_type == "exchange" else 0,
                ln[4] if slip_type == "exchange" else 0,
                ln[5] if slip_type == "exchange" else 0, qty * ln[4]))
        verdict = [{"rule": "original_sale", "ok": True, "params": {}},
                   {"rule": "window", "ok": not late,
                    "params": {"days": (created - sold_at).days, "limit": 7}},
                   {"rule": "excluded_category", "ok": True, "params": {}},
                   {"rule": "condition", "ok": True, "params": {}},
                   {"rule": "amount", "ok": policy_ok or late,
                    "params": {"amount_fen": gross, "limit_fen": 30000}}]
        path_ = PATHS[status]
        # The times of each state change, from the slip's creation on.
        times = [created]
        for st in path_[1:]:
            prev = path_[path_.index(st) - 1]
            times.append(min(times[-1] + timedelta(hours=rng.expovariate(
                1 / STAY_HOURS.get(prev, 10))), end))
        settled = status in ("settled", "closed")
        approved = "approved" in path_
        auto = approved and policy_ok and rng.random() < 0.6
        override = approved and not policy_ok
        submitted = "submitted" in path_
        slip_rows.append((
            slip_id, number, slip_type, status, channel, sid, customer_id, "",
            rng.choice(("clerk", "clerk2")), _ts(created), _ts(times[-1]),
            json.dumps(verdict, ensure_ascii=False) if submitted else "",
            policy_ok if submitted else None, auto,
            "owner" if override else None, "老顾客，店长特批" if override else None,
            "顾客不同意处理方案" if status in ("rejected", "cancelled") else None,
            rng.choice(METHODS) if settled else None,
            gross, 0, gross if settled and slip_type == "return" else 0, 0,
            _ts(times[path_.index("settled")]) if settled else None))
        for i, st in enumerate(path_):
            user = "system" if st == "approved" and auto else ACTOR[st]
            events.append((times[i], slip_id, path_[i - 1] if i else None, st, user))
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        "INSERT INTO slips (id, number, type, status, channel, sale_id, customer_id, note, "
        "created_by, created_at, updated_at, verdict_json, policy_ok, auto_approved, "
        "override_by, override_reason, close_reason, refund_method, gross_fen, fee_fen, "
        "refund_fen, difference_fen, settled_at) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", slip_rows)
    con.executemany(
        "INSERT INTO slip_lines (slip_id, sale_line_id, product_id, qty, unit_price_fen, "
        "unit_cost_fen, reason_code, reason_text, packaging_intact, invoice_present, "
        "replacement_product_id, replacement_qty, replacement_unit_price_fen, "
        "replacement_unit_cost_fen, refund_fen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        line_rows)
    counter_rows = [(p, d, v) for (p, d), v in counters.items()]
    con.executemany("INSERT INTO counters (prefix, day, value) VALUES (?,?,?) "
                    "ON CONFLICT (prefix, day) DO UPDATE SET value = value + excluded.value",
                    counter_rows)
    _audit(con, sv.event_hash, sorted(events, key=lambda e: (e[0], e[1])))
    con.execute("COMMIT")
    con.close()
    console.print(f"[dim]  slips {len(slip_rows):,}, lines {len(line_rows):,}, "
                  f"audit events {len(events):,}[/]")


def _next_id(con: sqlite3.Connection, table: str) -> int:
    return int(con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def _audit(con: sqlite3.Connection, event_hash: Any, events: list[Any]) -> None:
    """Append the state changes to the hash chain, in time order."""
    seq, head = con.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
    rows = []
    for at, slip_id, before, to, user in events:
        seq += 1
        detail = "{}"
        ev = SimpleNamespace(seq=seq, at=at, user=user, action=ACTIONS[to], slip_id=slip_id,
                             from_status=before, to_status=to, detail_json=detail,
                             request_id=None)
        h = event_hash(head, ev)
        rows.append((seq, _ts(at), user, ACTIONS[to], slip_id, before, to, detail, None,
                     head, h))
        head = h
    con.executemany(
        "INSERT INTO audit_events (seq, at, user, action, slip_id, from_status, to_status, "
        "detail_json, request_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, head))
