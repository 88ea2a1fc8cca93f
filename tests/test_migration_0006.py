"""Migration 0006 (shops) on a shop with history, on SQLite and PostgreSQL: every row made at
revision 0005 belongs to the default shop `main` (named after the shop's name setting),
nothing is lost, stock levels are keyed by shop and a day closes per shop afterwards, the
inter-shop account exists, users stay chain-wide, and the service reads the same stock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pgserver
import pytest
from migration_scripts import scripts_up_to
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.migrate import current_revision, head_revision, upgrade

T = datetime(2026, 11, 19, 4, 0, tzinfo=UTC)
SHOP_TABLES = ("sales", "sale_lines", "slips", "stock_levels", "stock_moves", "stock_alerts",
               "journal_entries", "daily_closes", "supplier_returns")


@pytest.fixture
def empty_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A database with no schema at all: an SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        d = Database(str(tmp_path / "shop.db"))
        yield d
        d.dispose()
        return
    pg = request.getfixturevalue("pg_template")
    name = pgserver.fresh_name("m")
    d = Database(pg.host.create_database(name))
    try:
        yield d
    finally:
        d.dispose()
        pg.host.drop_database(name)


def run(db: Database, *statements: tuple[str, dict[str, Any]]) -> None:
    with db.engine.begin() as c:
        for stmt, params in statements:
            c.execute(text(stmt), params)


def rows(db: Database, stmt: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as c:
        return [tuple(r) for r in c.execute(text(stmt)).all()]


def history_at_0005(db: Database) -> None:
    """A small shop's history written as revision 0005 held it (no shop anywhere)."""
    t = {"t": T}
    run(db,
        ("INSERT INTO settings (key, value) VALUES ('shop_name', '星河数码')", {}),
        ("INSERT INTO users (id, name, role, active, created_at) "
         "VALUES (1, 'owner', 'owner', true, :t)", t),
        ("INSERT INTO customers (id, name, phone, channel, credit_fen) "
         "VALUES (1, '张三', '13800000001', 'store', 0)", {}),
        ("INSERT INTO products (id, sku, name, model, category, supplier, unit_price_fen, "
         "unit_cost_fen, reorder_point) VALUES (1, 'P1', '数据线', '', '', '', 2000, 800, 9)", {}),
        ("INSERT INTO sales (id, order_no, channel, sold_at, customer_id, payment_method) "
         "VALUES (1, 'SO-1', 'store', :t, 1, 'cash')", t),
        ("INSERT INTO sale_lines (id, sale_id, product_id, qty, unit_price_fen, unit_cost_fen, "
         "sold_at, channel, customer_id) VALUES (1, 1, 1, 2, 1800, 800, :t, 'store', 1)", t),
        ("INSERT INTO stock_levels (product_id, location, qty) VALUES (1, 'sellable', 5), "
         "(1, 'defective', 1)", {}),
        ("INSERT INTO stock_moves (id, product_id, location, qty, kind, note, \"user\", at, "
         "value_fen) VALUES (1, 1, 'sellable', 7, 'purchase', '', 'owner', :t, 0), "
         "(2, 1, 'sellable', -2, 'sale', '', 'owner', :t, 0), "
         "(3, 1, 'defective', 1, 'adjust', '', 'owner', :t, 800)", t),
        ("INSERT INTO stock_alerts (id, product_id, sellable, reorder_point, raised_at) "
         "VALUES (1, 1, 5, 9, :t)", t),
        ("INSERT INTO journal_entries (id, at, kind, memo, \"user\") "
         "VALUES (1, :t, 'purchase', '', 'owner')", t),
        ("INSERT INTO postings (id, entry_id, account_code, debit_fen, credit_fen) "
         "VALUES (1, 1, '1405', 5600, 0), (2, 1, '2202', 0, 5600)", {}),
        ("INSERT INTO daily_closes (id, day, starts_at, ends_at, totals_json, debit_fen, "
         "credit_fen, entries, closed_by, closed_at) "
         "VALUES (1, '2026-11-18', :t, :t, '{}', 0, 0, 0, 'owner', :t)", t),
        ("INSERT INTO notifications (id, role, key, params_json, created_at) "
         "VALUES (1, 'owner', 'low_stock', '{}', :t)", t),
    )


def test_a_shops_history_moves_into_the_default_shop(empty_db: Database, tmp_path: Path
                                                      ) -> None:
    db = empty_db
    upgrade(db, script_location=scripts_up_to(tmp_path / "migrations-0005", "0005"))
    assert current_revision(db) == "0005"
    history_at_0005(db)
    before = {t: rows(db, f"SELECT count(*) FROM {t}") for t in (*SHOP_TABLES, "postings")}

    upgrade(db)
    assert current_revision(db) == head_revision()
    assert rows(db, "SELECT code, name FROM shops") == [("main", "星河数码")]
    for table in SHOP_TABLES:
        assert rows(db, f"SELECT count(*) FROM {table}") == before[table], table
        got = rows(db, f"SELECT DISTINCT shop FROM {table}")
        assert got in ([("main",)], []), (table, got)
    assert rows(db, "SELECT product_id, location, shop, qty FROM stock_levels "
                    "ORDER BY location") == [(1, "defective", "main", 1),
                                             (1, "sellable", "main", 5)]
    assert rows(db, "SELECT name, shop FROM users") == [("owner", None)]
    assert rows(db, "SELECT shop FROM notifications") == [(None,)]
    assert rows(db, "SELECT code, kind FROM accounts WHERE code = '1409'") == [("1409", "asset")]

    # A second shop can now hold its own level of the same product, and close the same day;
    # the default shop cannot close that day twice.
    run(db, ("INSERT INTO shops (code, name, created_at) VALUES ('east', '东门店', :t)",
             {"t": T}),
        ("INSERT INTO stock_levels (product_id, location, shop, qty) "
         "VALUES (1, 'sellable', 'east', 0)", {}),
        # (ids given: rows inserted with ids did not move PostgreSQL's sequences on)
        ("INSERT INTO daily_closes (id, day, starts_at, ends_at, totals_json, debit_fen, "
         "credit_fen, entries, closed_by, closed_at, shop) "
         "VALUES (2, '2026-11-18', :t, :t, '{}', 0, 0, 0, 'owner', :t, 'east')", {"t": T}))
    with pytest.raises(IntegrityError):
        run(db, ("INSERT INTO daily_closes (id, day, starts_at, ends_at, totals_json, "
                 "debit_fen, credit_fen, entries, closed_by, closed_at, shop) VALUES "
                 "(3, '2026-11-18', :t, :t, '{}', 0, 0, 0, 'owner', :t, 'main')", {"t": T}))
    with pytest.raises(IntegrityError):  # the shop must exist
        run(db, ("INSERT INTO stock_levels (product_id, location, shop, qty) "
                 "VALUES (1, 'sellable', 'west', 0)", {}))

    # The service reads the same stock, and the chain's total is the two shops'.
    assert [(r.sku, r.sellable, r.defective) for r in sv.stock(db, shop="main")] == [
        ("P1", 5, 1)]
    assert [(r.sku, r.sellable) for r in sv.stock(db)] == [("P1", 5)]
    checks = {c.name: c.ok for c in sv.verify(db).checks}
    assert checks["I1 stock"] and checks["I2 money"], checks
