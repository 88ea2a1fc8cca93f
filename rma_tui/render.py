"""Small rendering helpers for the command line and the app: money, local times, labels,
rich tables, and the parts of a slip both show the same way.

Nothing here knows a business rule; it only turns plain values into text. Money is
integer fen (分) and is formatted with integer arithmetic, never through a float.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rma_tui.service import SlipView


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
        # A narrow column folds its title onto two lines rather than cutting it short.
        t.add_column(Text(h, overflow="fold"), justify="right" if i in right_cols else "left",
                     no_wrap=i == 0)
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


def slip_money_rows(v: SlipView) -> list[tuple[str, str]]:
    """A slip's amounts as (title, yuan) rows: gross, fee, refund, an exchange's difference
    and the refund method once chosen."""
    from rma_tui.i18n import t
    from rma_tui.money import fen_text

    rows = [(t("col_gross"), fen_text(v.gross_fen)), (t("col_fee"), fen_text(v.fee_fen)),
            (t("col_refund"), fen_text(v.refund_fen))]
    if v.type == "exchange":
        rows.append((t("col_difference"), fen_text(v.difference_fen)))
    if v.refund_method:
        rows.append((t("col_method"), label("method", v.refund_method)))
    return rows


def slip_verdict_table(v: SlipView) -> Table | None:
    """The policy's verdict on a slip, rule by rule (None before there is one)."""
    from rma_tui.i18n import t

    if not v.verdict:
        return None
    return table(
        [t("col_rule"), t("col_result"), t("col_detail")],
        [(label("rule", r.rule), t("ok") if r.ok else t("fail"),
          t(f"rule_{r.rule}_{'ok' if r.ok else 'fail'}", **r.params)) for r in v.verdict],
        title=t("policy_heading"))


def slip_events_table(v: SlipView) -> Table:
    """A slip's history: who moved it from which state to which, and when."""
    from rma_tui.i18n import t

    return table(
        [t("col_at"), t("col_user"), t("col_action"), t("col_from"), t("col_to")],
        [(local_time(e.at), e.user, label("action", e.action), label("status", e.from_status),
          label("status", e.to_status)) for e in v.events],
        title=t("events_heading"))
