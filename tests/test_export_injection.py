"""Exports never run what a customer typed (CSV / formula injection, CWE-1236).

A product or customer named like a spreadsheet formula comes out of every file meant for a
spreadsheet as inert text: XLSX cells typed as strings (never openpyxl's formula type
"f"), CSV cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
prefixed with a single quote (OWASP), and numbers still numbers (a negative amount is not
quoted).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import rma_on
from conftest import NOW, make_shop

from rma_tui import export
from rma_tui import service as sv
from rma_tui.export import Column, safe_text, write_sections, write_table
from rma_tui.store.db import Database

HOSTILE = ['=HYPERLINK("http://x";"y")', "+1+1", "-2+3", "@SUM(1+1)", "\tcmd", "\rcmd",
           "=1+1"]


def _cells_are_inert(rows: list[list[str]]) -> None:
    """No CSV cell could run: it is a number, or text not starting like a formula."""
    for row in rows:
        for cell in row:
            if cell.startswith(export.FORMULA_STARTS):
                Decimal(cell)  # a number such as -12.34 may begin with "-": it must be one


def _xlsx_inert(path: Path) -> list[list[object]]:
    wb = openpyxl.load_workbook(path)
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
            values.append([c.value for c in row])
    return values


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_text_quotes_what_would_run(text: str) -> None:
    assert safe_text(text) == "'" + text
    assert safe_text("蓝牙耳机 =1") == "蓝牙耳机 =1"  # only a leading sign matters


def test_write_table_keeps_text_text_and_numbers_numbers(tmp_path: Path) -> None:
    columns = [Column("商品", "text"), Column("件数", "int"), Column("退款", "money")]
    rows = [[name, -1, -1234] for name in HOSTILE]
    path = write_table(tmp_path / "t.csv", columns, rows)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert [r[0] for r in got[1:]] == ["'" + h for h in HOSTILE]
    assert all(r[1:] == ["-1", "-12.34"] for r in got[1:])  # numbers are not quoted
    _cells_are_inert(got)
    values = _xlsx_inert(write_table(tmp_path / "t.xlsx", columns, rows))
    # Exact text, typed as a string (XML keeps a carriage return as a line feed).
    assert [r[0] for r in values[1:]] == [h.replace("\r", "\n") for h in HOSTILE]
    assert all(r[1] == -1 and Decimal(str(r[2])) == Decimal("-12.34") for r in values[1:])


def test_write_sections_too(tmp_path: Path) -> None:
    class Section:
        title = "=危险"
        columns = [Column("=列"), Column("数", "int")]
        rows = [[h, 3] for h in HOSTILE]

    path = write_sections(tmp_path / "s.csv", [Section()])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    _cells_are_inert(got)
    assert got[0] == ["'=危险"] and got[1] == ["'=列", "数"]
    values = _xlsx_inert(write_sections(tmp_path / "s.xlsx", [Section()]))
    assert [r[0] for r in values[1:]] == [h.replace("\r", "\n") for h in HOSTILE]


@pytest.fixture
def hostile_shop(db: Database) -> Database:
    """The tiny shop with a product and a customer named like formulas, sold and returned
    (settled, so every report has rows)."""
    make_shop(db)
    sv.add_products(db, "owner", [sv.ProductInput("P9", HOSTILE[0], 3000, 1000,
                                                  category="=cat", supplier="@supplier")],
                    now=NOW)
    sv.add_customers(db, "owner", [sv.CustomerInput("@SUM(1+1)", "13900000009", "store")],
                     now=NOW)
    sv.receive_purchase(db, "owner", "P9", 5, now=NOW)
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "=SO-9", "store", NOW - timedelta(days=1), [sv.SaleLineInput("P9", 2, 3000)],
        customer_phone="13900000009", payment_method="cash")], now=NOW)
    at = NOW + timedelta(minutes=5)
    n = sv.create_slip(db, "clerk", "=SO-9", "return",
                       [sv.LineInput("P9", 1, "quality", "-不亮了")], now=at).number
    for step, who in ((sv.submit_slip, "clerk"), (sv.receive_slip, "warehouse")):
        step(db, who, n, now=at)
    sv.inspect_slip(db, "warehouse", n, [sv.GradeInput("P9", 0, 1, 0)], now=at)
    sv.settle_slip(db, "finance", n, "cash", now=at)
    return db


@pytest.mark.parametrize("report", [
    ("returns", "--by", "product"), ("returns", "--by", "customer"),
    ("returns", "--by", "supplier"), ("problems",), ("compliance",),
])
def test_every_report_export_is_inert(hostile_shop: Database, tmp_path: Path,
                                      report: tuple[str, ...]) -> None:
    text = rma_on(hostile_shop, "report", *report, "--format", "csv", user="owner").stdout
    rows = list(csv.reader(io.StringIO(text)))
    _cells_are_inert(rows)
    flat = [c for r in rows for c in r]
    if report[-1] in ("product", "customer"):  # the hostile names are there, made safe
        assert any(c.startswith("'=HYPERLINK") or c == "'@SUM(1+1)" for c in flat), flat
    out = tmp_path / "r.csv"
    rma_on(hostile_shop, "report", *report, "--format", "csv", "--out", str(out), user="owner")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        _cells_are_inert(list(csv.reader(fh)))
    xlsx = tmp_path / "r.xlsx"
    rma_on(hostile_shop, "report", *report, "--format", "xlsx", "--out", str(xlsx),
           user="owner")
    values = [c for r in _xlsx_inert(xlsx) for c in r]
    if report[-1] == "product":
        assert HOSTILE[0] in values  # exact text in the workbook
