"""CSV import (rma_tui/imports.py): exact money, encodings, line numbers, all-or-nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import Shop
from sqlmodel import func, select

from rma_tui.errors import DomainError
from rma_tui.imports import (
    ImportRowError,
    decode,
    import_file,
    parse_int,
    parse_when,
    read_rows,
)
from rma_tui.money_input import parse_yuan as parse_money
from rma_tui.store.db import Database
from rma_tui.store.models import Customer, Product, Sale


@pytest.mark.parametrize(("text", "fen"), [
    ("12.5", 1250), ("12.50", 1250), ("12", 1200), ("0", 0), ("0.01", 1), (" 7.10 ", 710),
    ("¥3", 300), ("￥3.3", 330), ("12.500", 1250), ("1e3", 100000),
    ("99999999.99", 9999999999),
])
def test_parse_money_exact(text: str, fen: int) -> None:
    assert parse_money(text, "unit_price") == fen


@pytest.mark.parametrize(("text", "key"), [
    ("12.505", "import_money_precision"), ("0.001", "import_money_precision"),
    ("-1", "money_negative"), ("-0.01", "money_negative"),
    ("NaN", "import_bad_money"), ("inf", "import_bad_money"), ("abc", "import_bad_money"),
    ("1,000", "import_bad_money"), ("", "required"), ("¥", "required"),
])
def test_parse_money_refuses(text: str, key: str) -> None:
    with pytest.raises(DomainError) as e:
        parse_money(text, "unit_price")
    assert e.value.key == key and e.value.field == "unit_price"


def test_parse_money_never_uses_float() -> None:
    # 0.29 * 100 as a float is 28.999999999999996; the Decimal path must give exactly 29.
    assert parse_money("0.29", "p") == 29
    assert parse_money("1.15", "p") == 115


def test_parse_int() -> None:
    assert parse_int("3", "qty") == 3
    assert parse_int("", "reorder_point", 0) == 0
    for bad in ("1.5", "x", "3件"):
        with pytest.raises(DomainError) as e:
            parse_int(bad, "qty")
        assert e.value.key == "not_integer" and e.value.field == "qty"
    with pytest.raises(DomainError):
        parse_int("", "qty")


def test_parse_when_naive_is_local_aware_is_kept() -> None:
    assert parse_when("2026-11-01", "sold_at") == datetime(2026, 11, 1).astimezone()
    assert parse_when("2026-11-01 14:30", "sold_at") == datetime(2026, 11, 1, 14, 30).astimezone()
    got = parse_when("2026-11-01T14:30:00+08:00", "sold_at")
    assert got.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    with pytest.raises(DomainError) as e:
        parse_when("11/01/2026", "sold_at")
    assert e.value.key == "import_bad_date"


def test_decode_utf8_bom_gbk_and_explicit() -> None:
    body = "name,phone\n张三,138\n"
    assert decode(("\ufeff" + body).encode("utf-8"), "f.csv") == (body, "utf-8")
    assert decode(body.encode("utf-8"), "f.csv") == (body, "utf-8")
    assert decode(body.encode("gbk"), "f.csv") == (body, "gb18030")
    assert decode(body.encode("gbk"), "f.csv", "gbk") == (body, "gbk")
    with pytest.raises(DomainError) as e:
        decode(body.encode("gbk"), "f.csv", "utf-8")
    assert e.value.key == "import_decode_failed"
    with pytest.raises(DomainError) as e:
        decode(b"x", "f.csv", "klingon")
    assert e.value.key == "import_bad_encoding"


def test_read_rows_line_numbers_with_quotes_and_blank_lines() -> None:
    text = ('Name , PHONE\n'
            '"张,三",1\n'
            '\n'
            '"多行\n地址",2\n'
            'x,3\n')
    rows = read_rows(text, "customers", "c.csv")
    assert [(r.line, r.values["name"], r.values["phone"]) for r in rows] == [
        (2, "张,三", "1"), (4, "多行\n地址", "2"), (6, "x", "3")]


@pytest.mark.parametrize(("text", "key", "line"), [
    ("", "import_empty", 1),
    ("name\nx\n", "import_missing_column", 1),
    ("name,phone,age\nx,1,3\n", "import_unknown_column", 1),
    ("name,phone,phone\nx,1,2\n", "import_duplicate_column", 1),
    ("name,phone\nx,1\ny,2,3\n", "import_too_many_fields", 3),
])
def test_read_rows_refuses(text: str, key: str, line: int) -> None:
    with pytest.raises(ImportRowError) as e:
        read_rows(text, "customers", "c.csv")
    assert e.value.cause.key == key and e.value.line == line
    assert "c.csv" in e.value.message("en") and "c.csv" in e.value.message("zh")


def test_progress_reports_to_the_end() -> None:
    calls: list[tuple[int, int]] = []
    body = "name,phone\n" + "".join(f"n{i},{i}\n" for i in range(1200))
    read_rows(body, "customers", "c.csv", progress=lambda d, t: calls.append((d, t)))
    assert len(calls) >= 3 and calls[-1][0] == calls[-1][1]
    assert all(a <= b for (a, _), (b, _) in zip(calls, calls[1:], strict=False))


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_import_file_maps_service_errors_to_lines(shop: Shop, tmp_path: Path) -> None:
    db = shop.db
    f = tmp_path / "p.csv"
    f.write_text("sku,name,unit_price,unit_cost\nA1,甲,1,1\nA2,乙,1,1\nA1,丙,1,1\n",
                 encoding="utf-8")
    with pytest.raises(ImportRowError) as e:
        import_file(db, "owner", "products", f)
    assert (e.value.file, e.value.line, e.value.column) == ("p.csv", 4, "sku")
    assert _count(db, Product) == 2
    # Who may import is the service's rule, and not about a row.
    f.write_text("sku,name,unit_price,unit_cost\nA1,甲,1,1\n", encoding="utf-8")
    with pytest.raises(DomainError) as e2:
        import_file(db, "clerk", "products", f)
    assert e2.value.key == "role_denied" and not isinstance(e2.value, ImportRowError)
    res = import_file(db, "warehouse", "products", f)
    assert (res.kind, res.file, res.encoding, res.rows, res.records) == (
        "products", "p.csv", "utf-8", 1, 1)


def test_import_sales_errors_name_the_line_of_the_item(shop: Shop, tmp_path: Path) -> None:
    db = shop.db
    f = tmp_path / "s.csv"
    f.write_text("order,sold_at,channel,customer_phone,sku,qty,unit_price\n"
                 "S1,2026-11-01,store,,P1,1,18\n"
                 "S2,2026-11-01,store,13800000001,P1,1,18\n"
                 "S2,2026-11-01,store,13800000001,P2,0,18\n", encoding="utf-8")
    with pytest.raises(ImportRowError) as e:
        import_file(db, "clerk", "sales", f)
    assert (e.value.line, e.value.column, e.value.cause.key) == (4, "qty", "qty_positive")
    f.write_text("order,sold_at,channel,customer_phone,sku,qty,unit_price\n"
                 "S1,2026-11-01,store,,P1,1,18\n"
                 "S2,2026-11-01,store,139,P1,1,18\n", encoding="utf-8")
    with pytest.raises(ImportRowError) as e:
        import_file(db, "clerk", "sales", f)
    assert (e.value.line, e.value.column) == (3, "customer_phone")
    f.write_text("order,sold_at,channel,sku,qty,unit_price\n"
                 "S1,2026-11-01,store,P1,1,18\n"
                 "S1,2026-11-02,store,P2,1,18\n", encoding="utf-8")
    with pytest.raises(ImportRowError) as e:
        import_file(db, "clerk", "sales", f)
    assert (e.value.line, e.value.column, e.value.cause.key) == (
        3, "sold_at", "import_order_mismatch")
    f.write_text("order,sold_at,channel,sku,qty,unit_price\n"
                 "S1,2026-11-01,shop,P1,1,18\n", encoding="utf-8")
    with pytest.raises(ImportRowError) as e:
        import_file(db, "clerk", "sales", f)
    assert (e.value.line, e.value.column) == (2, "channel")
    assert _count(db, Sale) == 1  # only the fixture's SO-1


def test_import_customers_defaults_channel(db: Database, tmp_path: Path) -> None:
    from rma_tui import service as sv

    sv.add_user(db, None, "owner", "owner")
    f = tmp_path / "c.csv"
    f.write_bytes("name,phone\r\n王五,13900000003\r\n".encode("gb18030"))
    res = import_file(db, "owner", "customers", f)
    assert res.encoding == "gb18030" and res.records == 1
    with db.read() as s:
        c = s.exec(select(Customer)).one()
        assert (c.name, c.phone, c.channel) == ("王五", "13900000003", "store")


def test_header_only_file_changes_nothing(shop: Shop, tmp_path: Path) -> None:
    from sqlalchemy import text

    f = tmp_path / "p.csv"
    f.write_text("sku,name,unit_price,unit_cost\n\n", encoding="utf-8")
    with shop.db.read() as s:
        events = s.execute(text("SELECT count(*) FROM audit_events")).scalar()
    assert import_file(shop.db, "owner", "products", f).records == 0
    with shop.db.read() as s:
        assert s.execute(text("SELECT count(*) FROM audit_events")).scalar() == events
