"""Writing a report table to CSV or XLSX, the same for the CLI and the reports screen.

A table is its columns (header and kind) and rows of plain values. Kinds say how a value
is written: ``text`` and ``int`` as they are, ``money`` from integer fen to yuan (a
``Decimal``, never a float, and ``#,##0.00`` in Excel), ``rate`` a fraction (``0.0%`` in
Excel, empty when None). CSV is UTF-8 with a byte-order mark, so Excel on a Chinese
Windows opens the names right; XLSX is written with openpyxl (a well-kept library; the
shops' accountants live in Excel). A `progress(done, total)` callback is called every
`PROGRESS_EVERY` rows, so long exports can show a bar.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMATS = ("csv", "xlsx")
KINDS = ("text", "int", "money", "rate")
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    """A column of an exported table."""

    header: str
    kind: str = "text"


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "money":
        return Decimal(int(value)) / 100
    return value


def _csv_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(int(value)) / 100:.2f}"
    if kind == "rate":
        return f"{float(value):.4f}"
    return str(value)


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
            writer.writerow([c.header for c in columns])
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
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    total = len(rows)
    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    # Sheet titles cannot hold []:*?/\ and are at most 31 characters.
    safe = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    ws.title = safe or "report"
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, row in enumerate(rows, 1):
        ws.append([_cell(c.kind, v) for c, v in zip(columns, row, strict=True)])
        if progress and i % PROGRESS_EVERY == 0:
            progress(i, total)
    formats = {"money": "#,##0.00", "rate": "0.0%", "int": "0"}
    for j, c in enumerate(columns, 1):
        letter = get_column_letter(j)
        if c.kind in formats:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = formats[c.kind]
        # Wide enough for the header and the longest value (CJK characters count double).
        longest = max([_width(c.header)] + [_width(r[j - 1]) for r in rows[:500]])
        ws.column_dimensions[letter].width = min(max(8, longest + 2), 60)
    ws.freeze_panes = "A2"
    wb.save(path)


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
