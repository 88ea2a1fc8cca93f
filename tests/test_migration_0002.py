"""Migration 0002 on a shop that already has data: a database made and filled at revision
0001 (with the scripts of that time) is upgraded by the shipped scripts. It is backed up
first, loses nothing, gets the new tables, each customer's credit balance as an "opening"
credit move, and its defective stock valued at the slip lines' unit cost (I5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from conftest import NOW
from migration_scripts import scripts_up_to
from sqlalchemy import inspect

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.migrate import current_revision, head_revision, upgrade

T0 = "2026-11-01 02:00:00.000000"  # how SQLAlchemy stores a UTC instant in SQLite
OLD_TABLES = ("customers", "products", "sales", "sale_lines", "slips", "slip_lines",
              "inspection_grades", "stock_moves", "stock_levels", "users", "audit_events",
              "journal_entries", "postings", "accounts", "chain_head")
NEW_TABLES = {"daily_closes", "supplier_returns", "credit_moves", "follow_ups"}


def scripts_at_0001(tmp_path: Path) -> Path:
    """A copy of the shipped migrations up to 0001: what the program shipped before."""
    loc = scripts_up_to(tmp_path / "migrations-0001", "0001")
    assert [p.name for p in (loc / "versions").glob("*.py")] == ["0001_initial.py"]
    return loc


def database_at_0001(tmp_path: Path) -> Database:
    db = Database(str(tmp_path / "shop.db"))
    upgrade(db, script_location=scripts_at_0001(tmp_path))
    assert current_revision(db) == "0001"
    return db


def execute(path: Path, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    con = sqlite3.connect(path)
    try:
        with con:
            for stmt, params in statements:
                con.execute(stmt, params)
    finally:
        con.close()


def fetch(path: Path, stmt: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(stmt, params).fetchall()
    finally:
        con.close()


def counts(path: Path, tables: tuple[str, ...] = OLD_TABLES) -> dict[str, int]:
    return {t: fetch(path, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def slip_row(slip_id: int, number: str, customer_id: int | None) -> tuple[str, tuple[Any, ...]]:
    return ("""INSERT INTO slips (id, number, type, status, channel, sale_id, customer_id, note,
               created_by, created_at, updated_at, verdict_json, policy_ok, auto_approved,
               gross_fen, fee_fen, refund_fen, difference_fen)
               VALUES (?, ?, 'return', 'inspected', 'store', 1, ?, '', 'clerk', ?, ?, '[]', 1,
                       1, 0, 0, 0, 0)""", (slip_id, number, customer_id, T0, T0))


def slip_line_row(line_id: int, slip_id: int, qty: int, cost: int,
                  sale_line_id: int = 1) -> tuple[str, tuple[Any, ...]]:
    return ("""INSERT INTO slip_lines (id, slip_id, sale_line_id, product_id, qty, unit_price_fen,
               unit_cost_fen, reason_code, reason_text, packaging_intact, invoice_present,
               replacement_qty, replacement_unit_price_fen, replacement_unit_cost_fen,
               refund_fen)
               VALUES (?, ?, ?, 1, ?, 1800, ?, 'quality', '', 1, 1, 0, 0, 0, 0)""",
            (line_id, slip_id, sale_line_id, qty, cost))


def grade_row(line_id: int, resellable: int, defective: int) -> tuple[str, tuple[Any, ...]]:
    return ("""INSERT INTO inspection_grades (slip_line_id, resellable, defective, scrap, note,
               graded_by, graded_at) VALUES (?, ?, ?, 0, '', 'warehouse', ?)""",
            (line_id, resellable, defective, T0))


def move_row(location: str, qty: int, kind: str,
             slip_id: int | None) -> tuple[str, tuple[Any, ...]]:
    return ("""INSERT INTO stock_moves (product_id, location, qty, kind, slip_id, note, user, at)
               VALUES (1, ?, ?, ?, ?, '', 'warehouse', ?)""", (location, qty, kind, slip_id, T0))


def shop_rows() -> list[tuple[str, tuple[Any, ...]]]:
    """A customer holding 5.00 of credit and one without; a cable (cost 8.00); a sale of 3;
    slip 1 returned all 3 of them: 1 graded resellable, 2 defective."""
    return [
        ("INSERT INTO users (name, role, active, created_at) VALUES ('warehouse', 'warehouse',"
         " 1, ?)", (T0,)),
        ("INSERT INTO customers (id, name, phone, channel, credit_fen)"
         " VALUES (1, '张三', '13800000001', 'store', 500)", ()),
        ("INSERT INTO customers (id, name, phone, channel, credit_fen)"
         " VALUES (2, '李四', '13900000002', 'store', 0)", ()),
        ("INSERT INTO products (id, sku, name, model, category, supplier, unit_price_fen,"
         " unit_cost_fen, reorder_point) VALUES (1, 'P1', '数据线', '', '', '', 2000, 800, 3)",
         ()),
        ("INSERT INTO sales (id, order_no, channel, sold_at, customer_id, payment_method)"
         " VALUES (1, 'SO-1', 'store', ?, 1, 'cash')", (T0,)),
        ("INSERT INTO sale_lines (id, sale_id, product_id, qty, unit_price_fen, unit_cost_fen)"
         " VALUES (1, 1, 1, 3, 1800, 800)", ()),
        slip_row(1, "TH-20261101-0001", 1),
        slip_line_row(1, 1, 3, 800),
        grade_row(1, 1, 2),
        move_row("sellable", 10, "purchase", None),
        move_row("sellable", -3, "sale", None),
        move_row("pending", 3, "receive", 1),
        move_row("pending", -3, "inspect", 1),
        move_row("sellable", 1, "inspect", 1),
        move_row("defective", 2, "inspect", 1),
        ("INSERT INTO stock_levels (product_id, location, qty) VALUES (1, 'sellable', 8),"
         " (1, 'pending', 0), (1, 'defective', 2)", ()),
    ]


def test_upgrade_from_0001_keeps_the_data_and_fills_the_new_columns(tmp_path: Path) -> None:
    db = database_at_0001(tmp_path)
    path = tmp_path / "shop.db"
    execute(path, shop_rows())
    before = counts(path)
    customers_before = fetch(path, "SELECT * FROM customers ORDER BY id")
    moves_before = fetch(path, "SELECT * FROM stock_moves ORDER BY id")

    backup = upgrade(db)  # the shipped scripts, 0002 and later included
    assert current_revision(db) == head_revision()

    # A backup at the old revision was taken first, with every row.
    assert backup is not None and backup.exists()
    assert backup.name.startswith("shop.db.bak-0001-")
    assert fetch(backup, "SELECT version_num FROM alembic_version") == [("0001",)]
    assert counts(backup) == before

    # Nothing lost, nothing changed but the new columns (value_fen here; 0006 adds the shop
    # and the inter-shop account).
    assert counts(path) == {**before, "accounts": before["accounts"] + 1}
    assert fetch(path, "SELECT * FROM customers ORDER BY id") == customers_before
    moves_after = fetch(path, "SELECT * FROM stock_moves ORDER BY id")
    assert [m[:-2] for m in moves_after] == moves_before
    assert {m[-1] for m in moves_after} == {"main"}
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        columns = {c["name"] for c in inspect(conn).get_columns("stock_moves")}
    assert NEW_TABLES <= tables and "value_fen" in columns

    # The defective units are carried at the slip line's unit cost; other moves at 0.
    assert fetch(path, "SELECT location, kind, qty, value_fen FROM stock_moves ORDER BY id") == [
        ("sellable", "purchase", 10, 0), ("sellable", "sale", -3, 0),
        ("pending", "receive", 3, 0), ("pending", "inspect", -3, 0),
        ("sellable", "inspect", 1, 0), ("defective", "inspect", 2, 1600)]

    # The credit already held is one opening move, so moves add up to the balance.
    opening = fetch(path, "SELECT customer_id, delta_fen, balance_fen, kind, slip_id, user"
                          " FROM credit_moves")
    assert opening == [(1, 500, 500, "opening", None, "system")]
    # (The raw rows hold credit without its 2205 posting: only the total is off, not the
    # customer's moves.)
    credit = {c.name: c for c in sv.verify(db).checks}["credit"]
    assert "customers hold 500, account 2205 says 0" in credit.detail
    assert "customer 13800000001" not in credit.detail
    for table in NEW_TABLES - {"credit_moves"}:
        assert fetch(path, f"SELECT count(*) FROM {table}") == [(0,)]

    # The upgraded shop works: its two defective cables go back to the supplier at 16.00.
    gt = sv.return_to_supplier(db, "warehouse", "P1", 2, supplier="线材厂", now=NOW)
    assert (gt.value_fen, gt.expected_credit_fen) == (1600, 1600)
    assert sv.stock(db)[0].defective == 0
    db.dispose()


def test_upgrade_values_each_defective_move_at_its_own_lines_cost(tmp_path: Path) -> None:
    # One slip, two lines of the same cable from two sale lines at different costs (8.00 and
    # 10.00), each graded defective: the moves are worth 8.00 and 10.00, 18.00 in all, the
    # value inspection posted to account 1406 for them.
    db = database_at_0001(tmp_path)
    path = tmp_path / "shop.db"
    rows = shop_rows()
    rows += [
        ("INSERT INTO sale_lines (id, sale_id, product_id, qty, unit_price_fen, unit_cost_fen)"
         " VALUES (2, 1, 1, 1, 1800, 1000), (3, 1, 1, 1, 1800, 800)", ()),
        slip_row(2, "TH-20261101-0002", 1),
        slip_line_row(2, 2, 1, 800, sale_line_id=3),
        slip_line_row(3, 2, 1, 1000, sale_line_id=2),
        grade_row(2, 0, 1),
        grade_row(3, 0, 1),
        move_row("defective", 1, "inspect", 2),
        move_row("defective", 1, "inspect", 2),
        ("UPDATE stock_levels SET qty = 4 WHERE location = 'defective'", ()),
    ]
    execute(path, rows)
    upgrade(db)
    got = fetch(path, "SELECT qty, value_fen FROM stock_moves WHERE slip_id = 2 ORDER BY id")
    assert got == [(1, 800), (1, 1000)]
    # So all four defective cables leave at what they came in at: 16.00 + 8.00 + 10.00.
    gt = sv.return_to_supplier(db, "warehouse", "P1", 4, supplier="线材厂", now=NOW)
    assert gt.value_fen == 3400
    db.dispose()
