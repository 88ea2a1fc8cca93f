"""Section 2: every report on the big database, next to hand-written SQL for the same figures.

Each report is timed in-process (median of 5 runs after one warm-up) through
`rma_tui.reads.reports` / `rma_tui.reads.compliance`; its hand-written twin runs on a plain sqlite3
connection to the same file. The twin's figures are compared with the report's: a mismatch
is printed loudly and marked in the results (the timing of a wrong answer means nothing).

The hand SQL aggregates before it joins (sold units per product, then per supplier), and
uses the denormalised sale columns on `sale_lines` (sold_at, channel, customer_id) when the
schema has them, as the best query a person would write on that schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import NOW, Result, console, median_ms, raw_connect

LIVE = "s.status NOT IN ('rejected', 'cancelled')"
# Slip lines read in table order: grouping through ix_slip_lines_product_id (the planner's
# choice, to skip a sort) visits the table in random order and is ~3x slower.
LINES = "slip_lines sl NOT INDEXED"


def _ts(dt: datetime) -> str:
    """A time as stored in SQLite (naive UTC text)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _offset() -> int:
    off = datetime.now().astimezone().utcoffset()
    return int(off.total_seconds()) if off else 0


def period_sql(period: str, column: str) -> str:
    """The local month / week-Monday of a stored UTC time (as the reports compute it)."""
    secs = f"'{_offset():+d} seconds'"
    if period == "month":
        return f"strftime('%Y-%m', {column}, {secs})"
    return f"date({column}, {secs}, 'weekday 0', '-6 days')"


class Hand:
    """Hand-written SQL for each report, on one plain connection."""

    def __init__(self, path: Path) -> None:
        self.con = raw_connect(path)
        cols = {r[1] for r in self.con.execute("PRAGMA table_info(sale_lines)")}
        # Sales columns copied onto the lines (if the schema has them): no join needed.
        self.denorm = {"sold_at", "channel", "customer_id"} <= cols

    def q(self, sql: str, *params: Any) -> list[Any]:
        """Run one query."""
        return self.con.execute(sql, params).fetchall()

    def _sold_by(self, column: str) -> str:
        """Units sold per a column of the sale."""
        if self.denorm:
            return f"SELECT {column.replace('s.', 'l.')}, sum(l.qty) FROM sale_lines l GROUP BY 1"
        return ("SELECT " + column.replace("s.", "x.") + ", sum(l.qty) FROM sale_lines l "
                "JOIN sales x ON x.id = l.sale_id GROUP BY 1")

    # Per dimension: the group's key, the joins it needs from a slip line, the GROUP BY.
    KEYS: dict[str, tuple[str, str, str]] = {
        "product": ("p.sku", "JOIN products p ON p.id = sl.product_id", "sl.product_id"),
        "reason": ("sl.reason_code", "", "1"),
        "channel": ("s.channel", "", "1"),
        "customer": ("c.phone", "LEFT JOIN customers c ON c.id = s.customer_id",
                     "s.customer_id"),
        "supplier": ("p.supplier", "JOIN products p ON p.id = sl.product_id", "p.supplier"),
        "shop": ("s.shop", "", "1"),
    }

    def returns(self, by: str) -> dict[str, tuple[int, int, int, int, int]]:
        """key -> (slips, units claimed, value claimed, refunded, units sold), as
        `returns_report(by)`: claims by the slip's creation, refunds by their entry."""
        if by in self.KEYS:
            key, joins, group = self.KEYS[by]
            claim_key = refund_key = key
        else:
            joins, group = "", "1"
            claim_key, refund_key = period_sql(by, "s.created_at"), period_sql(by, "e.at")
        claimed = {r[0]: r[1:] for r in self.q(
            f"SELECT {claim_key}, count(DISTINCT sl.slip_id), sum(sl.qty), "
            f"sum(sl.qty * sl.unit_price_fen) FROM {LINES} JOIN slips s ON s.id = sl.slip_id "
            f"{joins} WHERE {LIVE} GROUP BY {group}")}
        refunded = dict(self.q(
            f"SELECT {refund_key}, sum(sl.refund_fen) FROM journal_entries e "
            f"JOIN slips s ON s.id = e.slip_id JOIN {LINES} ON sl.slip_id = s.id {joins} "
            f"WHERE e.kind = 'refund' GROUP BY {group}"))
        sold: dict[Any, int]
        if by in ("product", "supplier"):
            sold = dict(self.q(f"SELECT p.{'sku' if by == 'product' else 'supplier'}, "
                               "sum(x.q) FROM (SELECT product_id, sum(qty) q FROM "
                               "sale_lines GROUP BY product_id) x "
                               "JOIN products p ON p.id = x.product_id GROUP BY 1"))
        elif by == "reason":
            total = self.q("SELECT sum(qty) FROM sale_lines")[0][0] or 0
            sold = {k: total for k in (*claimed, *refunded)}
        elif by == "customer":
            sold = dict(self._sold_customers())
        elif by in ("channel", "shop"):  # the shop that took the return; sales by the seller
            sold = dict(self.q(self._sold_by(f"s.{by}")))
        else:
            sold = self._sold_by_period(by)
        return {("" if k is None else str(k)):
                (*claimed.get(k, (0, 0, 0)), refunded.get(k, 0), sold.get(k, 0))
                for k in {*claimed, *refunded}}

    def _sold_by_period(self, period: str) -> dict[str, int]:
        """Units sold per local period: each period a range of the stored UTC times, so a
        covering index on sold_at is read by range (no function of every row)."""
        from rma_tui.reads.reports import local_day_start

        table = "sale_lines" if self.denorm else "sales"
        lo, hi = self.q(f"SELECT min(sold_at), max(sold_at) FROM {table}")[0]
        if lo is None:
            return {}
        first = datetime.fromisoformat(lo).replace(tzinfo=UTC).astimezone().date()
        last = datetime.fromisoformat(hi).replace(tzinfo=UTC).astimezone().date()
        if period == "month":
            day = first.replace(day=1)
        else:
            day = first - timedelta(days=first.weekday())
        rows = []
        while day <= last:
            nxt = ((day.replace(day=28) + timedelta(days=4)).replace(day=1)
                   if period == "month" else day + timedelta(days=7))
            key = day.strftime("%Y-%m") if period == "month" else day.isoformat()
            rows.append(f"('{key}', '{_ts(local_day_start(day))}', "
                        f"'{_ts(local_day_start(nxt))}')")
            day = nxt
        facts = ("sale_lines l" if self.denorm else
                 "sale_lines l JOIN sales x ON x.id = l.sale_id")
        when = "l.sold_at" if self.denorm else "x.sold_at"
        return dict(self.q(f"WITH p(k, lo, hi) AS (VALUES {', '.join(rows)}) "
                           f"SELECT p.k, sum(l.qty) FROM p JOIN {facts} "
                           f"ON {when} >= p.lo AND {when} < p.hi GROUP BY p.k"))

    def _sold_customers(self) -> list[Any]:
        if self.denorm:
            inner = "SELECT customer_id cid, sum(qty) q FROM sale_lines GROUP BY 1"
        else:
            inner = ("SELECT x.customer_id cid, sum(l.qty) q FROM sale_lines l "
                     "JOIN sales x ON x.id = l.sale_id GROUP BY 1")
        return self.q(f"SELECT c.phone, t.q FROM ({inner}) t "
                      "LEFT JOIN customers c ON c.id = t.cid")

    def problems(self, min_sample: int, limit: int = 10) -> list[tuple[Any, ...]]:
        """The problem products, ranked in SQL as `problem_products` ranks them."""
        return self.q(f"""
            WITH g AS (SELECT sl.product_id p, sl.reason_code r, sum(sl.qty) u,
                              sum(sl.qty * sl.unit_price_fen) f
                       FROM {LINES} JOIN slips s ON s.id = sl.slip_id
                       WHERE {LIVE} GROUP BY 1, 2),
                 t AS (SELECT p, sum(u) units, sum(f) claimed FROM g GROUP BY p),
                 top AS (SELECT p, r, u, row_number() OVER (PARTITION BY p
                                                            ORDER BY u DESC, r) rn FROM g),
                 sold AS (SELECT product_id p, sum(qty) q FROM sale_lines
                          WHERE product_id IN (SELECT p FROM t) GROUP BY product_id),
                 x AS (SELECT pr.sku, pr.name, pr.supplier, t.units, coalesce(sold.q, 0) q,
                              t.claimed, top.r, top.u
                       FROM t JOIN top ON top.p = t.p AND top.rn = 1
                       JOIN products pr ON pr.id = t.p LEFT JOIN sold ON sold.p = t.p)
            SELECT sku, units, q, CASE WHEN q >= ? AND q > 0 THEN units * 1.0 / q END rate,
                   claimed, r, u
            FROM x ORDER BY rate IS NULL, rate DESC, claimed DESC, sku LIMIT ?""",
                      min_sample, limit)

    def trend(self, period: str) -> dict[str, tuple[int, int, int]]:
        """period -> (slips, units, value claimed) for periods with returns."""
        return {r[0]: (r[1], r[2], r[3]) for r in self.q(
            f"SELECT {period_sql(period, 's.created_at')}, count(DISTINCT sl.slip_id), "
            f"sum(sl.qty), sum(sl.qty * sl.unit_price_fen) FROM {LINES} JOIN slips s "
            f"ON s.id = sl.slip_id WHERE {LIVE} GROUP BY 1")}

    def compliance(self, targets: dict[str, int], now: datetime, limit: int = 500
                   ) -> dict[str, Any]:
        """The compliance figures: slips, exceptions, late, rejected, stays, overdue."""
        import json

        slips = self.q("SELECT count(*) FROM slips")[0][0]
        failed = self.q("SELECT number, override_by, verdict_json FROM slips "
                        "WHERE policy_ok = 0 ORDER BY created_at LIMIT ?", limit)
        exceptions, late = [], []
        for number, override_by, verdict in failed:
            rules = [r["rule"] for r in json.loads(verdict or "[]") if not r.get("ok")]
            if "window" in rules:
                late.append(number)
            if override_by:
                exceptions.append(number)
        rejected = [r[0] for r in self.q(
            "SELECT s.number FROM slips s JOIN audit_events a ON a.slip_id = s.id "
            "AND a.to_status = 'rejected' WHERE s.status = 'rejected' ORDER BY a.at LIMIT ?",
            limit)]
        case = " ".join(f"WHEN '{k}' THEN {v}" for k, v in targets.items())
        states = ", ".join(f"'{k}'" for k in targets)
        now_s = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        # One pass of the window function (the CTE is materialised) serves both parts.
        rows = self.q(f"""
            WITH c AS MATERIALIZED (
                SELECT slip_id, to_status st, at start,
                       lead(at) OVER (PARTITION BY slip_id ORDER BY seq) e
                FROM audit_events NOT INDEXED
                WHERE to_status IS NOT NULL AND slip_id IS NOT NULL),
            h AS (SELECT slip_id, st, start, e,
                         (julianday(coalesce(e, ?)) - julianday(start)) * 24.0 hrs,
                         CASE st {case} END tgt
                  FROM c WHERE st IN ({states}))
            SELECT 0, st, count(*), sum(hrs > tgt), max(hrs) FROM h GROUP BY st
            UNION ALL
            SELECT * FROM (SELECT 1, s.number, NULL, NULL, h.hrs FROM h
                           JOIN slips s ON s.id = h.slip_id
                           WHERE h.e IS NULL AND h.hrs > h.tgt ORDER BY h.start LIMIT ?)""",
                      now_s, limit)
        order = list(targets)
        stays = sorted(((r[1], r[2], int(r[3] or 0), round(float(r[4] or 0.0), 1))
                        for r in rows if r[0] == 0), key=lambda x: order.index(x[0]))
        overdue = [r[1] for r in rows if r[0] == 1]
        return {"slips": slips, "exceptions": exceptions, "late": late,
                "rejected": rejected, "states": stays, "overdue": overdue}


def _report_returns(rows: list[Any]) -> dict[str, tuple[int, int, int, int, int]]:
    return {r.key: (r.slips, r.units_claimed, r.value_claimed_fen, r.refund_fen, r.units_sold)
            for r in rows}


def _report_compliance(rep: Any) -> dict[str, Any]:
    return {"slips": rep.slips, "exceptions": [e.number for e in rep.exceptions],
            "late": rep.late, "rejected": [r.number for r in rep.rejected],
            "states": [(s.state, s.stays, s.over_target, s.longest_hours) for s in rep.states],
            "overdue": [o.number for o in rep.overdue]}


def cases(db: Any, hand: Hand) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """(name, report call returning comparable figures, hand call returning the same)."""
    from rma_tui import service as sv
    from rma_tui.reads import compliance, reports
    from rma_tui.reads.forecast import forecast_next

    pol = sv.policy()
    targets = {k: v for k, v in pol.target_hours.items() if v > 0}
    today = NOW.date()
    out: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = []
    for by in reports.DIMENSIONS:
        def report_by(by: str = by) -> Any:
            return _report_returns(reports.returns_report(db, by, policy=pol))

        def hand_by(by: str = by) -> Any:
            return hand.returns(by)

        out.append((f"returns by {by}", report_by, hand_by))
    out.append(("problem products",
                lambda: [(p.sku, p.units_claimed, p.units_sold, p.rate, p.value_claimed_fen,
                          p.top_reason, p.top_reason_units)
                         for p in reports.problem_products(db, policy=pol)],
                lambda: [tuple(r) for r in hand.problems(pol.min_sample)]))
    for period in reports.PERIODS:
        def report_trend(period: str = period) -> Any:
            return {p.period: (p.slips, p.units, p.value_claimed_fen)
                    for p in reports.trend(db, period) if p.slips}

        def hand_trend(period: str = period) -> Any:
            return hand.trend(period)

        out.append((f"trend {period}", report_trend, hand_trend))

        def report_fc(period: str = period) -> Any:
            tf = reports.trend_forecast(db, period, today=today)
            return ({p.period: (p.slips, p.units, p.value_claimed_fen)
                     for p in tf.points if p.slips},
                    tf.forecast)

        def hand_fc(period: str = period) -> Any:
            found = hand.trend(period)
            current = (f"{today.year:04d}-{today.month:02d}" if period == "month" else
                       reports.period_of(period, today))
            done = {k: v for k, v in sorted(found.items()) if k < current}
            # The series with the quiet periods as zeros, as the report feeds the forecast.
            series, k = [], min(done)
            while k <= max(done):
                series.append(float(done.get(k, (0, 0, 0))[1]))
                k = reports.next_period(period, k)
            return done, forecast_next(series)

        out.append((f"trend_forecast {period}", report_fc, hand_fc))
    out.append(("compliance report",
                lambda: _report_compliance(compliance.compliance_report(db, now=NOW,
                                                                        policy=pol)),
                lambda: hand.compliance(targets, NOW)))
    return out


def run(path: Path) -> list[Result]:
    """Time every report and its hand SQL on the database at `path`."""
    from rma_tui.store.db import Database

    db = Database(str(path))
    hand = Hand(path)
    con = sqlite3.connect(str(path))
    lines = con.execute("SELECT count(*) FROM sale_lines").fetchone()[0]
    slips = con.execute("SELECT count(*) FROM slips").fetchone()[0]
    con.close()
    console.print(f"[dim]reports on {lines:,} sale lines, {slips:,} slips "
                  f"(hand SQL {'with' if hand.denorm else 'without'} sale columns on lines)[/]")
    results = []
    try:
        for name, report, handmade in cases(db, hand):
            r_ms, r_val = median_ms(report)
            h_ms, h_val = median_ms(handmade)
            same = r_val == h_val
            if not same:
                console.print(f"[bold red]MISMATCH {name}: the report and the hand SQL "
                              f"differ[/]\n  report {str(r_val)[:400]}\n  hand   "
                              f"{str(h_val)[:400]}")
            results.append(Result("reports", name, r_ms, "ms", target=300,
                                  note=f"hand {h_ms:.0f} ms, ×{r_ms / h_ms:.2f}"
                                  + ("" if same else "  FIGURES DIFFER"),
                                  extra={"hand_ms": h_ms, "same_figures": same}))
            results.append(Result("reports", f"{name}: report / hand", r_ms / h_ms, "ratio",
                                  target=1.5))
    finally:
        hand.con.close()
        db.dispose()
    return results
