"""Small rendering helpers for the command line: money, local times, labels, rich tables.

Nothing here knows a business rule; it only turns plain values into text. Money is
integer fen (分) and is formatted with integer arithmetic, never through a float.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


def local_time(dt: datetime | None, seconds: bool = False) -> str:
    """A stored (UTC) time shown in the machine's local time zone."""
    if dt is None:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return dt.astimezone().strftime(fmt)


def label(kind: str, code: str | None) -> str:
    """The current language's label of a code (status, reason, type, ...), or the code."""
    if code is None:
        return ""
    try:
        from rma_tui.i18n import label as _label
    except ImportError:  # i18n without labels: show the code itself
        return code
    try:
        return str(_label(kind, code))
    except Exception:  # an unknown kind must never break output
        return code


def _width(stream: Any) -> int | None:
    # Piped or captured output has no terminal width; rich would assume 80 columns and
    # wrap slip numbers and CJK names. Give it room instead (tables only take what they
    # need), unless COLUMNS says otherwise.
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):
        tty = False
    return None if tty or os.environ.get("COLUMNS") else 200


def out() -> Console:
    """A console on standard output (looked up at call time, so tests can capture it)."""
    return Console(file=sys.stdout, highlight=False, width=_width(sys.stdout))


def err() -> Console:
    """A console on standard error: errors, progress bars and notes."""
    return Console(file=sys.stderr, highlight=False, width=_width(sys.stderr))


def cell(value: Any) -> Text:
    """A table cell that is never parsed as rich markup (user text may hold brackets)."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None,
          right: Iterable[int] = ()) -> Table:
    """A rich table; `right` lists the columns (numbers, money) to right-align."""
    right_cols = set(right)
    t = Table(title=title, show_lines=False, header_style="bold")
    for i, h in enumerate(headers):
        # The first column is the key (slip number, SKU, order): never wrap it.
        t.add_column(h, justify="right" if i in right_cols else "left", no_wrap=i == 0)
    for row in rows:
        t.add_row(*[cell(v) for v in row])
    return t


def pairs(rows: Iterable[tuple[str, Any]], title: str | None = None,
          right: bool = False) -> Table:
    """A two-column table of label -> value, without a header row (slip or sale heads)."""
    t = Table(title=title, show_header=False)
    t.add_column(style="bold", no_wrap=True)
    t.add_column(justify="right" if right else "left")
    for key, value in rows:
        t.add_row(cell(key), cell(value))
    return t


def print_json(obj: Any) -> None:
    """JSON on standard output (UTF-8, Chinese kept readable), one document."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
