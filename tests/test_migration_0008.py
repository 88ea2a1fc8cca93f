"""Migration 0008 (platform requests, unmatched parcels): a shop's `online` slips and sales
at 0007 come through with every value kept and empty platform fields, and still verify;
`online` stays a channel the desk takes. The 0007 database is made by the desk itself and
taken down to 0007 by the revision's own downgrade."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from conftest import NOW
from migration_scripts import downgrade_to

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.migrate import current_revision, head_revision, upgrade

OLD_TABLES = ("slips", "slip_lines", "sales", "sale_lines", "journal_entries", "postings",
              "audit_events", "stock_moves")


def _columns(path: Path) -> dict[str, list[str]]:
    """The columns each old table has at 0007, less those 0008 adds to slips."""
    con = sqlite3.connect(path)
    try:
        return {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")
                    if t != "slips" or not r[1].startswith(("platform_", "waybill_"))
                    and r[1] not in ("buyer", "requested_at")]
                for t in OLD_TABLES}
    finally:
        con.close()


def _rows(path: Path, columns: dict[str, list[str]]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the old tables, in the given columns (later revisions add others)."""
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY 1").fetchall()
                for t, cols in columns.items()}
    finally:
        con.close()


def test_online_slips_at_0007_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    d = Database(str(path))
    upgrade(d)
    sv.add_user(d, None, "owner", "owner", now=NOW)
    sv.add_user(d, "owner", "clerk", "clerk", now=NOW)
    sv.add_user(d, "owner", "finance", "finance", now=NOW)
    sv.add_products(d, "owner", [sv.ProductInput("P1", "数据线", 2000, 800)], now=NOW)
    sv.receive_purchase(d, "owner", "P1", 5, now=NOW - timedelta(days=9))
    sv.record_sales(d, "clerk", [sv.SaleInput("WEB-1", "online", NOW - timedelta(days=2),
                                              [sv.SaleLineInput("P1", 2, 1800)],
                                              payment_method="alipay")], now=NOW)
    n = sv.create_slip(d, "clerk", "WEB-1", "return", [sv.LineInput("P1", 1, "size")],
                       now=NOW).number
    sv.submit_slip(d, "clerk", n, now=NOW)
    sv.receive_slip(d, "owner", n, now=NOW)
    sv.inspect_slip(d, "owner", n, [sv.GradeInput("P1", 1, 0, 0)], now=NOW)
    sv.settle_slip(d, "finance", n, "original", now=NOW)
    downgrade_to(d, "0007")
    assert current_revision(d) == "0007"
    d.dispose()
    con = sqlite3.connect(path)
    try:
        assert "platform_ref" not in [r[1] for r in con.execute("PRAGMA table_info(slips)")]
        assert not con.execute("SELECT name FROM sqlite_master WHERE name = 'parcels'"
                               ).fetchall()
    finally:
        con.close()
    columns = _columns(path)
    before = _rows(path, columns)
    d = Database(str(path))
    try:
        assert upgrade(d) is not None  # an older database is backed up first
        assert current_revision(d) == head_revision()
        assert _rows(path, columns) == before  # every value kept
        v = sv.get_slip(d, n)
        assert (v.channel, v.sale, v.status, v.refund_method, v.refund_fen) == \
            ("online", "WEB-1", "settled", "original", 1800)
        assert (v.platform_ref, v.platform_status, v.waybill_no, v.platform_refund_fen,
                v.buyer) == (None, "", None, 0, "")
        assert sv.list_parcels(d) == []
        assert "online" in sv.channel_codes()
        report = sv.verify(d)
        assert report.ok, [c for c in report.checks if not c.ok]
    finally:
        d.dispose()
