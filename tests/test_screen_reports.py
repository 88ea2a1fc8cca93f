"""The reports screen: Pilot tests by keyboard that compare what is shown and exported with
the read functions `rma report` uses, and snapshots at 120x36 (zh, en) and 80x24.

The shop (conftest `make_shop` plus four sales and five slips, times UTC, the shop's zone
Asia/Shanghai): one return slip a month from July to October with 1, 2, 3 and 4 units of P1
(a straight line, so Holt's forecast for November is exactly 5 units), and the November
slip on SO-1 (1 x P1, 1 x P2) in the month still under way on TODAY.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import make_shop
from openpyxl import load_workbook
from pilot import settle, snapshot_app
from rich.console import Console
from test_compliance import (  # the hand-built compliance shop and its read-back helpers
    as_csv,
    compliance_expected,
    cpolicy,  # noqa: F401  (a fixture)
    cshop,  # noqa: F401  (a fixture)
    read_csv_sections,
    read_xlsx_sections,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, ProgressBar, Select, Static, TabbedContent

from rma_tui import export, i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.export import Column
from rma_tui.reads import reports
from rma_tui.reads.compliance import compliance_report
from rma_tui.reads.report_tables import (
    RETURNS_SUMMARY,
    ReportTable,
    cell_text,
    returns_table,
)
from rma_tui.screens import reports as reports_screen
from rma_tui.screens.dialogs import ConfirmDialog
from rma_tui.screens.reports import DIMENSIONS, ReportsScreen
from rma_tui.store.db import Database
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.report_export import ExportDialog, write_atomic

# Times show in the shop's zone whatever the machine's; the language is reset after.
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def seed(db: Database) -> None:
    """The shop of the module docstring."""
    make_shop(db, now=at(11, 20))
    sv.receive_purchase(db, "owner", "P1", 40, now=at(6, 1))
    sales = [("SO-7", "store", 7), ("SO-8", "online", 8), ("SO-9", "store", 9),
             ("SO-10", "online", 10)]
    sv.record_sales(db, "clerk", [
        sv.SaleInput(order, channel, at(month, 5), [sv.SaleLineInput("P1", 6, 2000)],
                     customer_phone="13800000001" if channel == "store" else None,
                     payment_method="cash")
        for order, channel, month in sales], now=at(11, 20))
    reasons = ["quality", "changed_mind", "quality", "size"]
    for units, ((order, _, month), reason) in enumerate(zip(sales, reasons, strict=True), 1):
        sv.create_slip(db, "clerk", order, "return", [sv.LineInput("P1", units, reason)],
                       now=at(month, 6))
    sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality"),
                                                   sv.LineInput("P2", 1, "damaged")],
                   now=at(11, 19))


@pytest.fixture
def shop(db: Database) -> Database:
    """The `db` fixture with `seed` applied."""
    seed(db)
    return db


async def open_reports(pilot: Pilot[None]) -> ReportsScreen:
    """Wait for the session, show the reports screen (key 0) at fixed times, wait for it."""
    await settle(pilot)
    await pilot.press("0")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    screen.today, screen.now = TODAY, NOW
    return screen


def app_for(db: Database, user: str = "owner", lang: str = "zh") -> RmaApp:
    return make_app(db.url, user, lang, refresh_seconds=0)


def shown(screen: ReportsScreen, view: str = "returns") -> list[list[str]]:
    """The cells of a report's table as shown, top to bottom."""
    table = screen.query_one(f"#rep-{view}-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def expected(report: ReportTable) -> list[list[str]]:
    """What the screen should show for `report`."""
    return [[cell_text(c.kind, v) for c, v in zip(report.columns, row, strict=True)]
            for row in report.rows]


def on_screen(rows: list[Any], by: str) -> ReportTable:
    """The returns report as the screen draws it: the summary of the full table."""
    return returns_table(rows, by, RETURNS_SUMMARY)


def message(screen: ReportsScreen) -> str:
    return str(screen.query_one(MessageLine).render())


# -- returns by dimension and range ----------------------------------------------------------


async def test_each_dimension_matches_the_report(shop: Database) -> None:
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        for i, by in enumerate(DIMENSIONS):
            if i:
                await pilot.press("b")
                await settle(pilot)
            assert screen.by == by
            assert screen.query_one("#rep-by", Select).value == by
            rows = reports.returns_report(shop, by)
            assert rows and shown(screen) == expected(on_screen(rows, by))
        # The hand-worked figures, by product: P1 1+2+3+4+1 = 11 units over 5 slips,
        # claimed 20.00 x 10 + 18.00 = 218.00, none settled (all pending), sold
        # 3 + 4 x 6 = 27 >= 20 for 18.00 x 3 + 20.00 x 24 = 534.00 -> 40.7% by units,
        # 218 / 534 = 40.8% by value; P2 sold 1 < 20: no rates.
        await pilot.press("b")  # back round to product
        await settle(pilot)
        # On screen: slips, units and value claimed, refunded, exchanged units, pending
        # units, sold, the two rates (the rest is in the export, below).
        assert shown(screen) == [
            ["P1", "Type-C 数据线", "5", "11", "218.00", "0.00", "0", "11", "27", "40.7%",
             "40.8%"],
            ["P2", "蓝牙耳机", "1", "1", "140.00", "0.00", "0", "1", "1", "", ""],
        ]
        full = returns_table(reports.returns_report(shop, "product"), "product")
        nothing = ["0", "0.00", *["0.00"] * 5, "0.00", "0", "0.00"]  # refunded .. exchanged
        assert expected(full) == [
            ["P1", "Type-C 数据线", "5", "11", "218.00", *nothing, "11", "218.00", "27",
             "534.00", "40.7%", "40.8%"],
            ["P2", "蓝牙耳机", "1", "1", "140.00", *nothing, "1", "140.00", "1", "140.00",
             "", ""],
        ]
        assert "20" in str(screen.query_one("#rep-note", Static).render())
        # Reasons are shown by their labels, not their codes.
        screen.query_one("#rep-by", Select).value = "reason"
        await settle(pilot)
        assert shown(screen)[0][0] == i18n.label("reason", "quality")


async def test_date_range_narrows_and_bad_date_keeps_rows(shop: Database) -> None:
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("d")
        since = screen.query_one("#rep-since", Input)
        assert screen.app.focused is since
        since.value = "2026-10-01"
        screen.query_one("#rep-until", Input).value = "2026-10-31"
        await pilot.press("enter")
        await settle(pilot)
        october = reports.returns_report(shop, "product", date(2026, 10, 1), date(2026, 10, 31))
        assert [r.units_claimed for r in october] == [4]
        assert shown(screen) == expected(on_screen(october, "product"))
        assert "2026-10-01" in message(screen)
        assert isinstance(screen.app.focused, DataTable)  # back on the report

        # A bad date: said, and the October rows stay.
        await pilot.press("d")
        since.value = "2026-13-01"
        await pilot.press("enter")
        await settle(pilot)
        assert "2026-13-01" in message(screen)
        assert screen.query_one(MessageLine).has_class("-error")
        assert screen.since == date(2026, 10, 1)
        assert shown(screen) == expected(on_screen(october, "product"))
        # A range the wrong way round: the same.
        since.value = "2026-11-05"
        await pilot.press("enter")
        await settle(pilot)
        assert "2026-11-05" in message(screen) and screen.since == date(2026, 10, 1)
        assert shown(screen) == expected(on_screen(october, "product"))

        # Blank both: all dates again.
        since.value = ""
        screen.query_one("#rep-until", Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert screen.since is None and screen.until is None
        assert shown(screen) == expected(on_screen(
            reports.returns_report(shop, "product"), "product"))


# -- export ----------------------------------------------------------------------------------


async def _export(pilot: Pilot[None], fmt: str, path: str) -> ExportDialog:
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#export-format", Select).value = fmt
    await pilot.pause()
    dialog.query_one("#export-path", Input).value = path
    dialog.query_one("#export-path", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    return dialog


def _raw(kind: str, value: Any) -> Any:
    """A report value as openpyxl reads it back: money in yuan (a number; compared
    exactly through its text), rates as floats (compared to 1e-12)."""
    if kind == "money":
        return _Yuan(Decimal(value) / 100)
    if kind == "rate" and value is not None:
        return pytest.approx(value, rel=1e-12)
    return value


class _Yuan:
    """Equal to a number read back from Excel with the same amount of yuan."""

    def __init__(self, amount: Decimal) -> None:
        self.amount = amount

    def __eq__(self, other: object) -> bool:
        return isinstance(other, int | float) and Decimal(str(other)) == self.amount

    def __repr__(self) -> str:
        return f"¥{self.amount}"


async def test_export_csv_and_xlsx_read_back(shop: Database, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "PROGRESS_EVERY", 1)  # every row moves the bar
    monkeypatch.setattr(reports_screen, "SHOWN_ROWS", 3)  # the screen draws 3 rows only
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("b")  # by reason
        await settle(pilot)
        rows = reports.returns_report(shop, "reason")
        report = returns_table(rows, "reason")
        assert len(report.rows) == 4  # quality, size, changed_mind, damaged
        assert shown(screen) == expected(on_screen(rows, "reason"))[:3]
        assert i18n.t("rep_rows_capped", shown=3, total=4) in str(
            screen.query_one("#rep-note", Static).render())

        # The default name says what and when; the suffix follows the format.
        await pilot.press("e")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportDialog)
        assert (dialog.query_one("#export-path", Input).value
                == "rma-returns-reason-2026-11-27.xlsx")
        dialog.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        assert (dialog.query_one("#export-path", Input).value
                == "rma-returns-reason-2026-11-27.csv")
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert not list(Path.cwd().glob("rma-returns-reason-*"))

        out = tmp_path / "out"
        out.mkdir()
        await _export(pilot, "csv", str(out / "r.csv"))
        assert pilot.app.screen is screen
        assert message(screen) == i18n.t("cli_report_written", path=str(out / "r.csv"))
        bar = screen.query_one("#rep-progress", ProgressBar)
        assert bar.total == 4 and bar.progress == 4
        with open(out / "r.csv", encoding="utf-8-sig", newline="") as fh:
            got = list(csv.reader(fh))
        assert got[0] == [c.header for c in report.columns]
        assert got[1:] == [[export._csv_cell(c.kind, v) for c, v in zip(report.columns, row,
                                                                          strict=True)]
                           for row in report.rows]
        # The same numbers as the report: units, value claimed in yuan, rate as a fraction.
        assert [int(r[2]) for r in got[1:]] == [r.units_claimed for r in rows]
        assert [Decimal(r[3]) for r in got[1:]] == [
            Decimal(r.value_claimed_fen) / 100 for r in rows]
        assert [float(r[-2]) for r in got[1:]] == pytest.approx([r.rate for r in rows],
                                                                abs=5e-5)  # 4 places

        # An existing file is replaced only when the user says so.
        (out / "old.csv").write_text("old", encoding="utf-8")
        await _export(pilot, "csv", str(out / "old.csv"))
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert (out / "old.csv").read_text(encoding="utf-8") == "old"
        await _export(pilot, "csv", str(out / "old.csv"))
        await pilot.press("y")
        await settle(pilot)
        assert (out / "old.csv").read_bytes() == (out / "r.csv").read_bytes()
        (out / "old.csv").unlink()

        await _export(pilot, "xlsx", str(out / "r.xlsx"))
        assert message(screen) == i18n.t("cli_report_written", path=str(out / "r.xlsx"))
        sheet = load_workbook(out / "r.xlsx").active
        assert sheet is not None
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert values[0] == [c.header for c in report.columns]
        assert values[1:] == [[_raw(c.kind, v) for c, v in zip(report.columns, row,
                                                                 strict=True)]
                              for row in report.rows]
        assert [r[2] for r in values[1:]] == [r.units_claimed for r in rows]
        assert [r[-2] for r in values[1:]] == pytest.approx([r.rate for r in rows])
        # No temporary file left beside them.
        assert sorted(p.name for p in out.iterdir()) == ["r.csv", "r.xlsx"]


async def test_export_to_missing_folder_is_refused(shop: Database, tmp_path: Path) -> None:
    async with app_for(shop, lang="en").run_test(size=(80, 24)) as pilot:
        await open_reports(pilot)
        dialog = await _export(pilot, "csv", str(tmp_path / "nope" / "r.csv"))
        assert pilot.app.screen is dialog  # stays open, says why
        error = str(dialog.query_one("#dialog-error", Static).render())
        assert "No such folder" in error and "nope" in error
        assert not (tmp_path / "nope").exists()


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    # A row that does not fit the columns fails half-way through the file.
    bad = ReportTable("t", [Column("a"), Column("b", "int")], [["x", 1], ["y"]])
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"r.{fmt}"
        with pytest.raises(ValueError):
            write_atomic(target, bad, fmt)
        assert list(tmp_path.iterdir()) == []
    # An older file at the path stays as it was.
    (tmp_path / "r.csv").write_text("old", encoding="utf-8")
    with pytest.raises(ValueError):
        write_atomic(tmp_path / "r.csv", bad, "csv")
    assert (tmp_path / "r.csv").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


async def test_export_failure_is_said(shop: Database, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: Path, *args: Any, **kwargs: Any) -> None:
        path.write_text("half a report", encoding="utf-8")  # then the disk fills up
        raise OSError("disk full")

    monkeypatch.setattr("rma_tui.widgets.report_export.write_table", broken)
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        out = tmp_path / "out"
        out.mkdir()
        await _export(pilot, "csv", str(out / "r.csv"))
        assert message(screen) == i18n.t("rep_export_failed", error="disk full")
        assert not screen.has_class("-exporting")
        assert list(out.iterdir()) == []  # nothing half-written left behind


# -- other views ------------------------------------------------------------------------------


async def test_problem_products_view(shop: Database) -> None:
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert screen.view == "problems"
        rows = shown(screen, "problems")
        want = reports.problem_products(shop, limit=20)
        assert [r[0] for r in rows] == [p.sku for p in want] == ["P1", "P2"]
        # P1: 11 of 27 sold, 218.00, quality leads with 1 + 3 + 1 = 5 units.
        assert rows[0][3:] == ["11", "27", "40.7%", "218.00",
                               f"{i18n.label('reason', 'quality')} (5)"]


async def test_trend_view_states_forecast(shop: Database) -> None:
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("v", "v")
        await settle(pilot)
        assert screen.view == "trend"
        rows = shown(screen, "trend")
        # July to October, 1..4 units; November (under way on TODAY) is forecast: 5.
        assert [r[:2] for r in rows] == [
            ["2026-07", "1"], ["2026-08", "2"], ["2026-09", "3"], ["2026-10", "4"],
            [f"2026-11 {i18n.t('report_forecast_mark')}", "5"]]
        assert rows[3][2] == "█" * 32 and rows[4][2] == "░" * 40
        notes = str(screen.query_one("#rep-trend-notes", Static).render())
        assert "Holt" in notes and "回测" in notes and "2026-11" in notes
        tf = reports.trend_forecast(shop, "month", today=TODAY)
        assert tf.forecast is not None and round(tf.forecast.next_value) == 5

        await pilot.press("m")  # slips: one a month
        await settle(pilot)
        assert screen.measure == "slips"
        assert [r[1] for r in shown(screen, "trend")] == ["1", "1", "1", "1", "1"]
        await pilot.press("m")  # value claimed, in yuan
        await settle(pilot)
        assert [r[1] for r in shown(screen, "trend")][:4] == [
            "20.00", "40.00", "60.00", "80.00"]
        await pilot.press("p")  # by week
        await settle(pilot)
        assert screen.period == "week"
        weekly = reports.trend_forecast(shop, "week", today=TODAY,
                                        measure="value_claimed_fen")
        assert shown(screen, "trend")[0][0] == weekly.points[0].period

        # Keys of other reports are not offered here.
        assert screen.check_action("next_by", ()) is False
        assert screen.check_action("next_period", ()) is True


async def test_compliance_view(shop: Database) -> None:
    async with app_for(shop, lang="en").run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("v", "v", "v")
        await settle(pilot)
        assert screen.view == "compliance"
        loaded = screen.reports["compliance"].data
        assert loaded.slips == 5
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(screen.query_one("#rep-compliance-body", Static).content)
        text = console.export_text()
        assert i18n.t("report_compliance_head", slips=5, exceptions=len(loaded.exceptions),
                      late=len(loaded.late), rejected=len(loaded.rejected),
                      overdue=len(loaded.overdue)) in " ".join(text.split())
        assert i18n.t("report_compliance_states") in text
        await pilot.press("e")  # exported by section; the hint names the CLI command too
        await settle(pilot)
        assert "rma report compliance" in message(screen)


# -- snapshots ------------------------------------------------------------------------------


def _snapshot_app(tmp_path: Path, lang: str) -> RmaApp:
    return snapshot_app(tmp_path, seed, "owner", lang)


async def _show_returns(pilot: Pilot[None]) -> None:
    await open_reports(pilot)
    await settle(pilot)


async def _show_trend(pilot: Pilot[None]) -> None:
    await open_reports(pilot)
    await pilot.press("v", "v")
    await settle(pilot)


def test_snapshot_reports_returns_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_show_returns)


def test_snapshot_reports_returns_en_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(120, 36),
                        run_before=_show_returns)


def test_snapshot_reports_trend_zh_120x36(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "zh"), terminal_size=(120, 36),
                        run_before=_show_trend)


def test_snapshot_reports_trend_en_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_snapshot_app(tmp_path, "en"), terminal_size=(80, 24),
                        run_before=_show_trend)


async def test_language_switch_relabels(shop: Database) -> None:
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        table = screen.query_one("#rep-returns-table", DataTable)
        assert str(table.ordered_columns[0].label) == "商品编码"
        await pilot.press("l")
        await settle(pilot)
        assert str(table.ordered_columns[0].label) == "SKU"
        tabs = screen.query_one("#rep-tabs", TabbedContent)
        assert str(tabs.get_tab("rep-trend").label) == "Trend & forecast"
        assert "at least 20 units" in str(screen.query_one("#rep-note", Static).render())
        # The same rows: only the words changed.
        assert shown(screen)[0][2:5] == ["5", "11", "218.00"]
        assert shown(screen)[0][-3:] == ["27", "40.7%", "40.8%"]


async def test_refresh_shows_new_returns_only_when_changed(shop: Database) -> None:
    async with app_for(shop).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        before = screen.reports["returns"]
        screen.reload()  # nothing changed: the report read before is kept
        await settle(pilot)
        assert screen.reports["returns"] is before
        # Another terminal makes a slip: the next refresh (key r) shows it.
        sv.create_slip(shop, "clerk2", "SO-1", "return", [sv.LineInput("P1", 1, "size")],
                       now=at(11, 20, 11))
        await pilot.press("r")
        await settle(pilot)
        assert screen.reports["returns"] is not before
        assert shown(screen)[0][2:4] == ["6", "12"]
        assert shown(screen) == expected(on_screen(
            reports.returns_report(shop, "product"), "product"))


# -- compliance export (the hand-built shop of tests/test_compliance.py) ---------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_compliance_export_xlsx_and_csv_read_back(
        db: Database, cshop: dict[str, str], cpolicy: Any,  # noqa: F811
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setattr(export, "PROGRESS_EVERY", 1)
    async with app_for(db, lang=lang).run_test(size=(120, 36)) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("v", "v", "v")
        await settle(pilot)
        assert screen.view == "compliance"
        want = compliance_expected(compliance_report(db, now=NOW, policy=cpolicy))
        assert compliance_expected(screen.reports["compliance"].data) == want
        rows = sum(len(s[2]) for s in want)
        assert rows == 2 + 2 + 1 + 3 + 4  # C1, C2, C4, C5 over target at the screen's NOW

        await pilot.press("e")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportDialog)
        assert (dialog.query_one("#export-path", Input).value
                == "rma-compliance-2026-11-27.xlsx")
        assert "rma report compliance" in message(screen)
        await pilot.press("escape")
        await settle(pilot)

        out = tmp_path / "out"
        out.mkdir()
        await _export(pilot, "xlsx", str(out / "c.xlsx"))
        assert pilot.app.screen is screen
        assert message(screen) == i18n.t("cli_report_written", path=str(out / "c.xlsx"))
        bar = screen.query_one("#rep-progress", ProgressBar)
        assert bar.total == rows and bar.progress == rows
        assert read_xlsx_sections(out / "c.xlsx") == want

        await _export(pilot, "csv", str(out / "c.csv"))
        assert message(screen) == i18n.t("cli_report_written", path=str(out / "c.csv"))
        assert read_csv_sections(out / "c.csv") == as_csv(want)
        # The hand-worked figures: C3 rejected by the owner, at 20:30 Shanghai time.
        rejected = read_csv_sections(out / "c.csv")[2]
        assert rejected[0] == i18n.t("report_compliance_rejected")
        assert rejected[2] == [[cshop["C3"], "clerk2", "owner", "2026-11-20 20:30", "包装已拆"]]
        assert sorted(p.name for p in out.iterdir()) == ["c.csv", "c.xlsx"]


def test_long_titles_break_where_their_lines_are_even() -> None:
    from rma_tui.widgets.report_grid import two_lines

    assert two_lines("商品编码") == "商品编码"  # 8 cells: whole
    assert two_lines("已退款金额") == "已退款\n金额"
    assert two_lines("退货率(件数)") == "退货率\n(件数)"
    assert two_lines("Units exchanged") == "Units\nexchanged"
    assert two_lines("Rate (units)") == "Rate\n(units)"
    assert two_lines("Refunded") == "Refunded"
