"""`rma_tui.export.write_table`: CSV and XLSX written, read back and compared cell by cell."""

from __future__ import annotations

import csv
from decimal import Decimal

import openpyxl
import pytest

from rma_tui import export
from rma_tui.export import Column, write_table

COLUMNS = [Column("商品", "text"), Column("件数", "int"), Column("退款", "money"),
           Column("退货率", "rate")]
ROWS = [
    ["Type-C 数据线", 4, 7600, 0.4],        # 76.00 yuan, 40%
    ["蓝牙耳机", 1, 123456789, None],         # 1,234,567.89 yuan, no rate
    ["零", 0, 5, 2 / 3],                     # 0.05 yuan, 0.6667
    ["负", 2, -1234, 0.0],                   # -12.34 yuan (a reversal)
]


def test_csv_read_back(tmp_path) -> None:
    path = write_table(tmp_path / "t.csv", COLUMNS, ROWS)  # format from the suffix
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads the Chinese right
    with open(path, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got == [
        ["商品", "件数", "退款", "退货率"],
        # money fen -> yuan with 2 decimals; rate with 4 decimals; None -> empty
        ["Type-C 数据线", "4", "76.00", "0.4000"],
        ["蓝牙耳机", "1", "1234567.89", ""],
        ["零", "0", "0.05", "0.6667"],       # 2/3 = 0.66666.. -> 0.6667
        ["负", "2", "-12.34", "0.0000"],
    ]


def test_csv_explicit_format_wins_over_suffix(tmp_path) -> None:
    path = write_table(tmp_path / "t.txt", COLUMNS[:2], [["a", 1]], fmt="csv")
    assert path.read_text(encoding="utf-8-sig").splitlines() == ["商品,件数", "a,1"]


def test_unknown_format(tmp_path) -> None:
    with pytest.raises(ValueError):
        write_table(tmp_path / "t.pdf", COLUMNS, ROWS)


def test_xlsx_read_back(tmp_path) -> None:
    path = write_table(tmp_path / "t.xlsx", COLUMNS, ROWS, title="退货/统计[商品]")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    # Sheet title without the characters Excel forbids ("/", "[", "]")
    assert ws.title == "退货统计商品"
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == ["商品", "件数", "退款", "退货率"]
    expected = [
        ["Type-C 数据线", 4, Decimal("76.00"), 0.4],
        ["蓝牙耳机", 1, Decimal("1234567.89"), None],
        ["零", 0, Decimal("0.05"), 2 / 3],
        ["负", 2, Decimal("-12.34"), 0.0],
    ]
    assert len(values) == 1 + len(expected)
    for got, want in zip(values[1:], expected, strict=True):
        assert got[0] == want[0] and got[1] == want[1]
        # Money is stored as a number of yuan: compare to the cent
        assert Decimal(str(got[2])).quantize(Decimal("0.01")) == want[2]
        assert got[3] == (None if want[3] is None else pytest.approx(want[3]))
    # Number formats, bold header, frozen header row
    for row in ws.iter_rows(min_row=2):
        assert row[1].number_format == "0"
        assert row[2].number_format == "#,##0.00"
        assert row[3].number_format == "0.0%"
    assert all(c.font.bold for c in ws[1])
    assert not ws["A2"].font.bold
    assert ws.freeze_panes == "A2"


def test_xlsx_untitled_and_empty(tmp_path) -> None:
    path = write_table(tmp_path / "e.xlsx", COLUMNS, [], fmt="xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    assert ws.title == "report"
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [["商品", "件数", "退款",
                                                                 "退货率"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_progress_ends_with_total(tmp_path, monkeypatch, fmt: str) -> None:
    monkeypatch.setattr(export, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int]] = []
    rows = [[f"p{i}", i, i * 100, None] for i in range(5)]
    write_table(tmp_path / f"p.{fmt}", COLUMNS, rows, progress=lambda d, t: calls.append((d, t)))
    # every 2 rows: (2, 5), (4, 5); then (5, 5) at the end
    assert calls == [(2, 5), (4, 5), (5, 5)]
    calls.clear()
    write_table(tmp_path / f"q.{fmt}", COLUMNS, [], progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 0)]


# -- several sections: `write_sections` (the compliance report) ------------------------------


class _Section:
    """A titled table, as `write_sections` takes it."""

    def __init__(self, title: str, columns: list[Column], rows: list[list[object]]) -> None:
        self.title, self.columns, self.rows = title, columns, rows


def _sections() -> list[_Section]:
    from datetime import UTC, datetime

    at = datetime(2026, 11, 20, 4, 30, 15, 999, tzinfo=UTC)  # 12:30:15 in Shanghai
    return [
        _Section("例外: [特批]", [Column("单号"), Column("时间", "time"), Column("退款", "money")],
                 [["TH-1", at, 1250], ["TH-2", None, 0]]),
        _Section("空的", [Column("单号")], []),
        _Section("时效", [Column("状态"), Column("次数", "int"), Column("最长（小时）", "hours")],
                 [["已提交", 5, 72.5], ["已收货", 1, 99.0]]),
        _Section("时效", [Column("单号")], [["TH-3"]]),  # the same title twice
    ]


def test_sections_csv_one_file_title_header_blank_between(tmp_path,
                                                          shanghai_time_and_chinese) -> None:
    path = export.write_sections(tmp_path / "c.csv", _sections())
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got == [
        ["例外: [特批]"], ["单号", "时间", "退款"],
        ["TH-1", "2026-11-20 12:30", "12.50"], ["TH-2", "", "0.00"],
        [],
        ["空的"], ["单号"],
        [],
        ["时效"], ["状态", "次数", "最长（小时）"],
        ["已提交", "5", "72.5"], ["已收货", "1", "99.0"],
        [],
        ["时效"], ["单号"], ["TH-3"],
    ]


def test_sections_xlsx_one_sheet_each(tmp_path, shanghai_time_and_chinese) -> None:
    from datetime import datetime

    path = export.write_sections(tmp_path / "c.xlsx", _sections())
    wb = openpyxl.load_workbook(path)
    # Sheet names lose []:*?/\ and stay unique.
    assert wb.sheetnames == ["例外 特批", "空的", "时效", "时效 (2)"]
    values = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    assert values["例外 特批"] == [["单号", "时间", "退款"],
                                 ["TH-1", datetime(2026, 11, 20, 12, 30, 15), 12.5],
                                 ["TH-2", None, 0]]
    assert values["空的"] == [["单号"]]
    assert values["时效"] == [["状态", "次数", "最长（小时）"], ["已提交", 5, 72.5],
                             ["已收货", 1, 99.0]]
    assert values["时效 (2)"] == [["单号"], ["TH-3"]]
    ws = wb["例外 特批"]
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["C2"].number_format == "#,##0.00"
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert wb["时效"]["C2"].number_format == "0.0"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sections_progress_counts_all_rows(tmp_path, monkeypatch, fmt: str) -> None:
    monkeypatch.setattr(export, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int]] = []
    sections = [s for s in _sections() if all("时间" != c.header for c in s.columns)]
    export.write_sections(tmp_path / f"p.{fmt}", sections,
                          progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2, 3), (3, 3)]  # 0 + 2 + 1 rows
    with pytest.raises(ValueError, match="unknown export format"):
        export.write_sections(tmp_path / "p.txt", sections)
