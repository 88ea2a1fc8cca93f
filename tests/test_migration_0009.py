"""Migration 0009 (customer receivables): what a shop posted to accounts receivable (1122)
before the subledger existed becomes its customers' moves, so `verify` finds the subledger
equal to the account from the first day; slips keep every value and get no rest part.

The 0008 database is made by the desk itself and taken down by the revision's own
downgrade: an exchange to the customer's account (they owe the dearer replacement's
difference, +132.00) and a refund to it (−18.00); a refund of a customer-less slip in cash
posts nothing to 1122."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import NOW, make_shop
from migration_scripts import downgrade_to
from slip_flow import bring, clock

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.migrate import current_revision, head_revision, upgrade


def _tables(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        con.close()


def test_receivable_postings_at_0008_become_the_customers_moves(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    d = Database(str(path))
    upgrade(d)
    make_shop(d)
    at = clock(NOW)
    x = sv.create_slip(d, "clerk", "SO-1", "exchange",
                       [sv.LineInput("P1", 1, "quality", replacement_sku="P2")], now=next(at))
    bring(d, x.number, "settled", at, method="receivable")
    r = sv.create_slip(d, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                       now=next(at))
    bring(d, r.number, "settled", at, method="receivable")
    downgrade_to(d, "0008")
    assert current_revision(d) == "0008"
    d.dispose()
    assert "receivable_moves" not in _tables(path)

    d = Database(str(path))
    try:
        assert upgrade(d) is not None
        assert current_revision(d) == head_revision()
        st = sv.customer_statement(d, "13800000001")
        assert [(m.kind, m.slip, m.delta_fen, m.balance_fen) for m in st.lines] == [
            ("exchange", x.number, 13200, 13200), ("refund", r.number, -1800, 11400)]
        v = sv.get_slip(d, r.number)
        assert (v.refund_method, v.refund_fen, v.rest_method, v.rest_fen) == (
            "receivable", 1800, None, 0)
        report = sv.verify(d)
        assert report.ok, [c for c in report.checks if not c.ok]
        # The backfilled debt is the customer's to pay, as any other.
        assert sv.record_payment(d, "finance", "13800000001", 11400, now=NOW) == 0
    finally:
        d.dispose()
