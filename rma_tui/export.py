"""Writing a report table to CSV or XLSX, the same for the CLI and the reports screen.

A table is its columns (header and kind) and rows of plain values. Kinds say how a value
is written: ``text`` and ``int`` as they are, ``money`` from integer fen to yuan (a
``Decimal``, never a float, and ``#,##0.00`` in Excel), ``rate`` a fraction (``0.0%`` in
Excel, empty when None), ``hours`` a duration in hours (one decimal), ``time`` a stored
(aware, UTC) datetime written in local time (a real date-time cell in Excel). CSV is
UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens the names right; XLSX
is written with openpyxl (a well-kept library; the shops' accountants live in Excel).
A `progress(done, total)` callback is called every `PROGRESS_EVERY` rows, so long exports
can show a bar.

A report of several tables (the compliance report) is written by `write_sections`: one
sheet per table in XLSX, the tables one after another in one CSV file.

Nothing a customer or clerk typed runs in the spreadsheet that opens the file (CSV or
formula injection, CWE-1236): XLSX text cells are typed as strings, never formulas, and a
CSV text cell that a spreadsheet would take for a formula (it begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) gets a leading single quote, as OWASP describes.
Numbers stay numbers: only text is touched.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

FORMATS = ("csv", "xlsx")
KINDS = ("text", "int", "money", "rate", "hours", "time")
# How a date-time is written to CSV (as `rma` prints it: local, to the minute).
TIME_FORMAT = "%Y-%m-%d %H:%M"
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    """A column of an exported table."""

    header: str
    kind: str = "text"


class Section(Protocol):
    """One titled table of a report of several (e.g. `ReportTable`)."""

    @property
    def title(self) -> str: ...  # noqa: D102

    @property
    def columns(self) -> Sequence[Column]: ...  # noqa: D102

    @property
    def rows(self) -> Sequence[Sequence[Any]]: ...  # noqa: D102


# What makes a spreadsheet read a text cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A text for a spreadsheet cell that cannot run: one a spreadsheet would take for a
    formula is prefixed with a single quote (shown as text, the quote hidden)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_cell(value: Any) -> Any:
    """`value` for a CSV cell: text made safe (`safe_text`), anything else as it is."""
    return safe_text(value) if isinstance(value, str) else value


def _local(value: datetime) -> datetime:
    """A stored time in the machine's local zone (naive UTC is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone()


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "money":
        return Decimal(int(value)) / 100
    if kind == "hours":
        return float(value)
    if kind == "time":
        # Excel has no time zones: the shop's local time, to the second.
        return _local(value).replace(tzinfo=None, microsecond=0)
    return value


def _csv_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(int(value)) / 100:.2f}"
    if kind == "rate":
        return f"{float(value):.4f}"
    if kind == "hours":
        return f"{float(value):.1f}"
    if kind == "time":
        return _local(value).strftime(TIME_FORMAT)
    return safe_cell(value) if isinstance(value, str) else str(value)


def write_table(path: Path, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
                fmt: str | None = None, title: str = "",
                progress: Callable[[int, int], None] | None = None) -> Path:
    """Write `rows` under `columns` to `path` as CSV or XLSX (by `fmt`, else the suffix)."""
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    total = len(rows)
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([safe_cell(c.header) for c in columns])
            for i, row in enumerate(rows, 1):
                writer.writerow([_csv_cell(c.kind, v) for c, v in zip(columns, row, strict=True)])
                if progress and i % PROGRESS_EVERY == 0:
                    progress(i, total)
    else:
        _write_xlsx(path, columns, rows, title, progress)
    if progress and (total == 0 or total % PROGRESS_EVERY):
        progress(total, total)
    return path


def _write_xlsx(path: Path, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
                title: str, progress: Callable[[int, int], None] | None) -> None:
    from openpyxl import Workbook

    total = len(rows)
    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None

    def tick(i: int) -> None:
        if progress and i % PROGRESS_EVERY == 0:
            progress(i, total)

    _fill_sheet(ws, _sheet_title(title, set()), columns, rows, tick)
    wb.save(path)


def _sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name for `title`: no []:*?/\\, at most 31 characters, unique in `taken`."""
    safe = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "report"
    name, n = safe, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = safe[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _fill_sheet(ws: Any, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
                tick: Callable[[int], None]) -> None:
    """Header row (bold, frozen), the rows, number formats and column widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.title = title
    _append_text_safe(ws, [c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, row in enumerate(rows, 1):
        _append_text_safe(ws, [_cell(c.kind, v) for c, v in zip(columns, row, strict=True)])
        tick(i)
    formats = {"money": "#,##0.00", "rate": "0.0%", "int": "0", "hours": "0.0",
               "time": "yyyy-mm-dd hh:mm"}
    for j, c in enumerate(columns, 1):
        letter = get_column_letter(j)
        if c.kind in formats:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = formats[c.kind]
        # Wide enough for the header and the longest value (CJK characters count double).
        longest = max([_width(c.header)]
                      + [16 if c.kind == "time" else _width(r[j - 1]) for r in rows[:500]])
        ws.column_dimensions[letter].width = min(max(8, longest + 2), 60)
    ws.freeze_panes = "A2"


def _append_text_safe(ws: Any, values: Sequence[Any]) -> None:
    """Append a row; every text cell is typed as a string (openpyxl would make one that
    begins with "=" a live formula)."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def write_sections(path: Path, sections: Sequence[Section], fmt: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Path:
    """Write a report of several tables to `path` as CSV or XLSX (by `fmt`, else the suffix).

    XLSX: one sheet per section, named by its title, each with its own bold header row.
    CSV: **one file**, the sections one after another, each as a row holding its title, its
    header row and its rows, with an empty row between sections. One file rather than a
    folder of files, because the screen's dialog and `--out` both name one file and the
    same path works for either format; and the file opened in Excel reads top to bottom like
    the printed report. A reader splits it at the empty rows (a data row is never empty).
    `progress(done, total)` counts rows over all sections.
    """
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    total = sum(len(s.rows) for s in sections)
    done = 0

    def tick(_: int) -> None:
        nonlocal done
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)

    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            for k, section in enumerate(sections):
                if k:
                    writer.writerow([])
                writer.writerow([safe_cell(section.title)])
                writer.writerow([safe_cell(c.header) for c in section.columns])
                for i, row in enumerate(section.rows, 1):
                    writer.writerow([_csv_cell(c.kind, v)
                                     for c, v in zip(section.columns, row, strict=True)])
                    tick(i)
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=False)
        taken: set[str] = set()
        for k, section in enumerate(sections):
            ws = wb.active if k == 0 else wb.create_sheet()
            assert ws is not None
            _fill_sheet(ws, _sheet_title(section.title, taken), section.columns,
                        section.rows, tick)
        wb.save(path)
    if progress and (total == 0 or total % PROGRESS_EVERY):
        progress(total, total)
    return path


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
