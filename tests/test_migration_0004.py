"""Migration 0004 on a shop with sales: sale lines made at revision 0003 get their sale's
time, channel and customer (a sale without a customer keeps none), nothing is lost, the
covering indexes exist, and the reports read the same figures as before the upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_scripts import scripts_up_to
from test_migration_0002 import execute, fetch

from rma_tui.reads import reports
from rma_tui.store.db import Database
from rma_tui.store.migrate import current_revision, head_revision, upgrade

SOLD = ("2026-10-31 17:30:00.000000", "2026-11-03 02:00:00.000000")  # UTC, as SQLite holds it


def database_at_0003(tmp_path: Path) -> tuple[Database, Path]:
    loc = scripts_up_to(tmp_path / "migrations-0003", "0003")
    db = Database(str(tmp_path / "shop.db"))
    upgrade(db, script_location=loc)
    assert current_revision(db) == "0003"
    return db, tmp_path / "shop.db"


def test_sale_lines_get_their_sales_values(tmp_path: Path) -> None:
    db, path = database_at_0003(tmp_path)
    execute(path, [
        ("INSERT INTO customers (id, name, phone, channel, credit_fen) VALUES "
         "(1, '张三', '13800000001', 'store', 0)", ()),
        ("INSERT INTO products (id, sku, name, model, category, supplier, unit_price_fen, "
         "unit_cost_fen, reorder_point) VALUES (1, 'P1', '数据线', '', '', '', 2000, 800, 0)", ()),
        ("INSERT INTO sales (id, order_no, channel, sold_at, customer_id, payment_method) "
         "VALUES (1, 'SO-1', 'store', ?, 1, 'cash')", (SOLD[0],)),
        ("INSERT INTO sales (id, order_no, channel, sold_at, customer_id, payment_method) "
         "VALUES (2, 'SO-2', 'online', ?, NULL, 'wechat')", (SOLD[1],)),
        ("INSERT INTO sale_lines (id, sale_id, product_id, qty, unit_price_fen, unit_cost_fen) "
         "VALUES (1, 1, 1, 3, 1800, 800), (2, 1, 1, 1, 1900, 800), (3, 2, 1, 5, 2000, 800)", ()),
    ])
    db.dispose()

    db = Database(str(path))
    backup = upgrade(db)
    assert backup is not None and backup.exists()
    assert current_revision(db) == head_revision()
    assert fetch(path, "SELECT id, sale_id, qty, unit_price_fen, sold_at, channel, customer_id "
                       "FROM sale_lines ORDER BY id") == [
        (1, 1, 3, 1800, SOLD[0], "store", 1),
        (2, 1, 1, 1900, SOLD[0], "store", 1),
        (3, 2, 5, 2000, SOLD[1], "online", None),
    ]
    indexes = {r[0] for r in fetch(path, "SELECT name FROM sqlite_master WHERE type = 'index' "
                                         "AND tbl_name = 'sale_lines'")}
    assert {"ix_sale_lines_sold_product_qty", "ix_sale_lines_customer_sold_qty",
            "ix_sale_lines_channel_sold_qty", "ix_sale_lines_sale_qty",
            "ix_sale_lines_product_qty"} <= indexes
    assert fetch(path, "PRAGMA foreign_key_check") == []
    # A line now refuses a customer that does not exist (the foreign key came with it).
    con_rows = fetch(path, "SELECT sql FROM sqlite_master WHERE name = 'sale_lines'")
    assert "customers" in con_rows[0][0] and "NOT NULL" in con_rows[0][0].split("sold_at")[1][:40]
    db.dispose()


@pytest.mark.usefixtures("shanghai_time_and_chinese")
def test_reports_read_the_copied_columns(tmp_path: Path) -> None:
    """Units sold per channel and per month come from the copied columns: 4 in store in
    the local month of 2026-11 (17:30 UTC on 31 Oct is 01:30 on 1 Nov in Shanghai)."""
    test_sale_lines_get_their_sales_values(tmp_path)
    path = tmp_path / "shop.db"
    execute(path, [
        ("INSERT INTO slips (id, number, type, status, channel, sale_id, customer_id, note, "
         "created_by, created_at, updated_at, verdict_json, policy_ok, auto_approved, gross_fen, "
         "fee_fen, refund_fen, difference_fen) VALUES (1, 'TH-1', 'return', 'submitted', "
         "'store', 1, 1, '', 'clerk', ?, ?, '[]', 1, 0, 0, 0, 0, 0)", (SOLD[1], SOLD[1])),
        ("INSERT INTO slip_lines (id, slip_id, sale_line_id, product_id, qty, unit_price_fen, "
         "unit_cost_fen, reason_code, reason_text, packaging_intact, invoice_present, "
         "replacement_qty, replacement_unit_price_fen, replacement_unit_cost_fen, refund_fen) "
         "VALUES (1, 1, 1, 1, 2, 1800, 800, 'quality', '', 1, 1, 0, 0, 0, 3600)", ()),
    ])
    db = Database(str(path))
    by_channel = reports.returns_report(db, "channel")
    assert [(r.key, r.units_claimed, r.units_sold) for r in by_channel] == [("store", 2, 4)]
    by_month = reports.returns_report(db, "month")
    assert [(r.key, r.units_claimed, r.units_sold) for r in by_month] == [("2026-11", 2, 9)]
    by_customer = reports.returns_report(db, "customer")
    assert [(r.key, r.units_sold) for r in by_customer] == [("13800000001", 4)]
    db.dispose()
