"""Online platforms' after-sale export files (售后/退款导出) read through column maps.

Each platform writes its after-sale requests in its own layout: its own header names, its
own status words, its own reason texts. A *column map* (a TOML file, data not code) says
how one layout reads in our words; `read_platform_file` reads a file through one and
returns `service.PlatformRequestInput` records, money in integer fen and times aware UTC.

The maps shipped live in `rma_tui/data/platforms/`; a shop adds or fixes a layout without
code by putting its own `<name>.toml` in the folder named by `RMA_PLATFORM_MAPS` (a map
there replaces the shipped map of the same name).

A file is CSV (UTF-8 with or without BOM, or GBK/GB18030, as `rma_tui.imports` decodes
it) or XLSX (the first sheet). It is read whole and any bad row refuses the whole file: an
`ImportRowError` names the file, the 1-based line (the header is line 1; in a workbook,
the sheet's row number) and the column as the file spells it. Nothing here decides a
business rule: whether the order exists, or the amount is more than was paid, is the
service's to say.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rma_tui.errors import DomainError
from rma_tui.imports import ImportRowError, broken_field, decode, field_label, parse_int
from rma_tui.money_input import parse_yuan

if TYPE_CHECKING:
    from rma_tui.service import PlatformRequestInput

MAP_DIR = Path(__file__).parent / "data" / "platforms"
MAP_DIR_ENV = "RMA_PLATFORM_MAPS"

# Our fields, which a map's [columns] point the platform's headers at.
FIELDS = ("refund_id", "order", "suborder", "sku", "qty", "amount", "reason", "description",
          "status", "goods_status", "carrier", "waybill", "created", "modified", "buyer",
          "channel")

# The columns a file must have, per purpose: after-sale requests to open slips from, or
# the platform's refunds to reconcile (where a missing status means "refunded").
PURPOSES: dict[str, tuple[str, ...]] = {
    "requests": ("refund_id", "order", "status", "amount"),
    "reconcile": ("refund_id", "amount"),
}

_MAP_KEYS = ("name_zh", "name_en", "channel", "timezone", "columns", "statuses", "reasons")
_CHANNEL_CODE = re.compile(r"[a-z0-9_-]+")
_OFFSET = re.compile(r"([+-])(\d{2})(?::?(\d{2}))?")
# 2026-11-28, 2026/11/28 14:05, 2026-11-28 14:05:11, 2026-11-28T14:05:11.5+08:00 …
_WHEN = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
                   r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?"
                   r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)
# Taobao's console writes long numbers as ="3861200012345678901" so that Excel keeps them
# as text instead of turning them into 3.8612E+18.
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
_PROGRESS_EVERY = 500

# A cell as read: text, or (from a workbook) a date-time the sheet stored as one.
Cell = str | dt.datetime


@dataclass(frozen=True)
class PlatformMap:
    """One platform's layout: which header is which of our fields, and what its status
    values and reason texts mean in our words."""

    name: str  # the map's name (its file's stem): taobao, jd, pdd, oms …
    channel: str  # our channel code the requests belong to
    name_zh: str
    name_en: str
    timezone: dt.timezone  # the zone naive times in the file are in
    columns: dict[str, str]  # header, lower-cased and stripped -> our field (map order)
    statuses: dict[str, str]  # the platform's status value -> one of PLATFORM_STATUSES
    reasons: list[tuple[str, str]]  # the platform's reason text -> one of REASONS, in order
    source: str  # the map file it was read from

    def headers(self, field: str) -> list[str]:
        """The headers (lower-cased) this map reads as `field`, in the map's order."""
        return [h for h, f in self.columns.items() if f == field]

    def status_of(self, value: str) -> str | None:
        """Our status for the platform's status `value` (exact, then ignoring case)."""
        if value in self.statuses:
            return self.statuses[value]
        folded = value.casefold()
        return next((s for k, s in self.statuses.items() if k.casefold() == folded), None)

    def reason_of(self, text: str) -> str:
        """Our reason code for the platform's reason `text`: the map's entry equal to it,
        else the first entry (in the map's order) the text contains, else `other`."""
        folded = text.strip().casefold()
        if not folded:
            return "other"
        for key, code in self.reasons:
            if key.casefold() == folded:
                return code
        return next((code for key, code in self.reasons if key.casefold() in folded), "other")


@dataclass(frozen=True)
class PlatformFile:
    """A platform's file read through its map: the records, in file order."""

    platform: str  # the map's name
    channel: str  # the map's channel (a record's own `channel`, when set, wins)
    file: str  # the file's name, as the messages name it
    encoding: str  # the text encoding used, or "xlsx" for a workbook
    rows: list[PlatformRequestInput]


# ---------------------------------------------------------------------------------------
# Column maps
# ---------------------------------------------------------------------------------------


def _map_files() -> dict[str, Path]:
    """Every map file by name: the shipped ones, then the shop's folder over them."""
    files = {p.stem: p for p in sorted(MAP_DIR.glob("*.toml"))}
    folder = os.environ.get(MAP_DIR_ENV, "").strip()
    if folder:
        own = Path(folder).expanduser()
        if not own.is_dir():
            # A mistyped folder would otherwise quietly fall back to the shipped maps.
            raise DomainError("platform_map_dir_missing", field="platform", path=str(own))
        files.update({p.stem: p for p in sorted(own.glob("*.toml"))})
    return files


def map_names() -> list[str]:
    """The names of every column map available (shipped and the shop's own), sorted."""
    return sorted(_map_files())


def load_map(name: str) -> PlatformMap:
    """The column map `name`, read and checked; `unknown_platform_map` if there is none,
    and a `platform_map_*` error naming the file and the entry if it is not a good map."""
    files = _map_files()
    path = files.get(name) or files.get(name.strip().lower())
    if path is None:
        raise DomainError("unknown_platform_map", field="platform", platform=name,
                          known=", ".join(sorted(files)))
    return _parse_map(path)


def _bad(file: str, entry: str, value: object, allowed: str) -> DomainError:
    shown = "[…]" if isinstance(value, dict | list) else repr(value)  # not a whole table
    return DomainError("platform_map_bad_entry", field="platform", file=file, entry=entry,
                       value=shown, allowed=allowed)


def _table(data: dict[str, Any], key: str, file: str) -> dict[str, str]:
    """The [key] table of a map: text keys to text values, stripped."""
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise _bad(file, key, table, "a table [" + key + "]")
    out: dict[str, str] = {}
    for k, v in table.items():
        if not isinstance(v, str) or not k.strip():
            raise _bad(file, f'{key}."{k}"', v, "text")
        out[k.strip()] = v.strip()
    return out


def _zone(text: str) -> dt.timezone | None:
    """A UTC offset as written in a map or a date ("+08:00", "+0800", "+08", "Z", "UTC")."""
    raw = text.strip().upper()
    if raw in ("UTC", "Z"):
        return dt.UTC
    m = _OFFSET.fullmatch(raw)
    if not m or int(m.group(2)) > 14 or int(m.group(3) or 0) > 59:
        return None
    offset = dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return dt.timezone(-offset if m.group(1) == "-" else offset)


def _parse_map(path: Path) -> PlatformMap:
    """Read and check one map file (every entry in our words, or refused)."""
    from rma_tui.service import PLATFORM_STATUSES, REASONS

    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise DomainError("platform_map_bad_toml", field="platform", file=file,
                          detail=str(e)) from None
    for key in data:
        if key not in _MAP_KEYS:  # e.g. [column] for [columns]: a layout that reads nothing
            raise _bad(file, key, data[key], ", ".join(_MAP_KEYS))
    texts = {}
    for key, default in (("name_zh", path.stem), ("name_en", path.stem),
                         ("channel", path.stem.lower()), ("timezone", "+08:00")):
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise _bad(file, key, value, "text")
        texts[key] = value.strip()
    if not _CHANNEL_CODE.fullmatch(texts["channel"]):
        raise _bad(file, "channel", texts["channel"], "a-z 0-9 - _")
    columns: dict[str, str] = {}
    for header, fld in _table(data, "columns", file).items():
        key = header.lower()
        if fld not in FIELDS:
            raise DomainError("platform_map_bad_field", field="platform", file=file,
                              column=header, value=fld, allowed=", ".join(FIELDS))
        if columns.get(key, fld) != fld:  # "SKU" and "sku" read as two different fields
            raise _bad(file, f'columns."{header}"', fld, columns[key])
        columns[key] = fld
    statuses = _table(data, "statuses", file)
    for status, ours in statuses.items():
        if ours not in PLATFORM_STATUSES:
            raise DomainError("platform_map_bad_status", field="platform", file=file,
                              status=status, value=ours, allowed=", ".join(PLATFORM_STATUSES))
    reasons = list(_table(data, "reasons", file).items())
    for reason, ours in reasons:
        if ours not in REASONS:
            raise DomainError("platform_map_bad_reason", field="platform", file=file,
                              reason=reason, value=ours, allowed=", ".join(REASONS))
    zone = _zone(texts["timezone"])
    if zone is None:
        raise DomainError("platform_map_bad_timezone", field="platform", file=file,
                          value=texts["timezone"])
    return PlatformMap(name=path.stem, channel=texts["channel"], name_zh=texts["name_zh"],
                       name_en=texts["name_en"],
                       timezone=zone,
                       columns=columns, statuses=statuses, reasons=reasons, source=file)


# ---------------------------------------------------------------------------------------
# Reading the rows of a file (header first), each with its line number
# ---------------------------------------------------------------------------------------


def _csv_rows(text: str, file: str) -> list[tuple[int, list[Cell]]]:
    """The rows of a CSV text with their 1-based starting lines; a broken quote is an
    error naming its line and column (csv strict mode, as `rma_tui.imports` reads)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[Cell]]] = []
    names: list[str] = []
    start = 1
    try:
        for raw in reader:
            if not rows:
                names = [h.strip() for h in raw]
            elif len(raw) > len(names) and any(v.strip() for v in raw[len(names):]):
                # More fields than headers: an unquoted comma has shifted the columns.
                col = field_label(names, len(names))
                raise ImportRowError(file, start, col, DomainError(
                    "import_too_many_fields", field=col, got=len(raw), want=len(names)))
            rows.append((start, list(raw)))
            start = reader.line_num + 1
    except csv.Error as e:
        col = field_label(names, broken_field(text, start))
        raise ImportRowError(file, start, col, DomainError("import_bad_csv", field=col,
                                                           detail=str(e))) from None
    return rows


def _xlsx_cell(value: object) -> Cell:
    """A workbook cell as text, except a date-time, kept as one. A float becomes the
    shortest text that reads back as it (59.9, not 59.899999999999999), so that money
    read from it is exact."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))  # an id or a quantity stored as a number: 12.0 -> 12
        return str(Decimal(str(value)))
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes, file: str) -> list[tuple[int, list[Cell]]]:
    """The rows of a workbook's first sheet, numbered as the sheet numbers them."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # Read-only sheets yield an empty row for each row missing from the file, so
            # the count stays the sheet's own row number.
            return [(n, [_xlsx_cell(v) for v in row])
                    for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
        finally:
            book.close()
    except Exception as e:  # a damaged zip, missing parts, bad XML: all "cannot read"
        raise DomainError("platform_bad_xlsx", field="file", file=file,
                          detail=str(e) or type(e).__name__) from None


# ---------------------------------------------------------------------------------------
# Cells to our values (each error names its column; the caller adds file and line)
# ---------------------------------------------------------------------------------------


def _text(cell: Cell, column: str) -> str:
    """A cell as stripped text: ="…" unwrapped, NUL and a stray BOM refused."""
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    text = cell.strip()
    m = _EXCEL_TEXT.match(text)
    if m:
        text = m.group(1).strip()
    # Invisible, and a "\ufeff1865…" would be a refund id that looks like 1865… but is not.
    if "\x00" in text or "\ufeff" in text:
        raise DomainError("bad_text", field=column)
    return text


def _when(cell: Cell, column: str, zone: dt.timezone) -> dt.datetime | None:
    """A date or date-time (naive ones in the map's `zone`) as aware UTC; empty: None."""
    from rma_tui.service import check_day

    if isinstance(cell, dt.datetime):
        when = cell
    else:
        raw = _text(cell, column)
        if not raw:
            return None
        m = _WHEN.fullmatch(raw)
        if not m:
            raise DomainError("import_bad_date", field=column, value=raw)
        y, mo, d, h, mi, s, frac, off = m.groups()
        try:
            when = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0),
                               int(s or 0), int((frac or "0").ljust(6, "0")))
        except ValueError:  # 2026-02-30, 25:00
            raise DomainError("import_bad_date", field=column, value=raw) from None
        if off:
            offset = _zone(off)
            if offset is None:  # +25:00
                raise DomainError("import_bad_date", field=column, value=raw)
            when = when.replace(tzinfo=offset)
    check_day(when.date(), column)  # year 1 or 9999: a typo, and no zone to shift in
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(dt.UTC)


def _money(cell: Cell, column: str) -> int:
    return parse_yuan(_text(cell, column), column)


def _qty(cell: Cell, column: str) -> int:
    raw = _text(cell, column)
    qty = parse_int(raw, column, 1)
    if qty <= 0:
        raise DomainError("qty_positive", field=column, value=raw)
    return qty


# ---------------------------------------------------------------------------------------
# The file through its map
# ---------------------------------------------------------------------------------------


def _layout(header: list[Cell], line: int, pmap: PlatformMap, purpose: str,
            file: str) -> dict[str, list[tuple[int, str]]]:
    """Field -> the (position, header as written) of the file's columns that hold it, in
    the map's order (the first with a value wins). Unknown headers are left out."""
    try:
        shown = [_text(h, str(i + 1)) for i, h in enumerate(header)]
    except DomainError as e:
        raise ImportRowError(file, line, e.field, e) from None
    lowered = [h.lower() for h in shown]
    layout: dict[str, list[tuple[int, str]]] = {}
    for key, fld in pmap.columns.items():
        at = [i for i, h in enumerate(lowered) if h == key]
        if len(at) > 1:  # which of two 退款金额 columns is the amount? Neither, say so.
            raise ImportRowError(file, line, shown[at[1]], DomainError(
                "import_duplicate_column", field=shown[at[1]], column=shown[at[1]]))
        if at:
            layout.setdefault(fld, []).append((at[0], shown[at[0]]))
    for fld in PURPOSES[purpose]:
        if fld not in layout:
            raise ImportRowError(file, line, fld, DomainError(
                "import_missing_column", field=fld,
                column=" / ".join(pmap.headers(fld)) or fld))
    return layout


def _record(line: int, row: list[Cell], layout: dict[str, list[tuple[int, str]]],
            pmap: PlatformMap) -> PlatformRequestInput:
    """One data row as our record (a DomainError naming the column if a cell is bad)."""
    from rma_tui.service import PlatformRequestInput

    def cell(fld: str) -> tuple[Cell, str]:
        places = layout.get(fld, [])
        for i, column in places:
            value = row[i] if i < len(row) else ""
            if isinstance(value, dt.datetime) or value.strip():
                return value, column
        return "", places[0][1] if places else fld

    def text(fld: str, required: bool = False) -> str:
        value, column = cell(fld)
        out = _text(value, column)
        if required and not out:
            raise DomainError("required", field=column)
        return out

    refund_id = text("refund_id", required=True)
    order = text("order", required="order" in layout)
    raw_status, status = "", "refunded"  # a refund export without a status: all refunded
    if "status" in layout:
        raw_status = text("status", required=True)
        found = pmap.status_of(raw_status)
        if found is None:
            raise DomainError("platform_unknown_status", field=cell("status")[1],
                              value=raw_status, known=", ".join(pmap.statuses))
        status = found
    reason, description = text("reason"), text("description")
    return PlatformRequestInput(
        refund_id=refund_id, order=order, status=status,
        amount_fen=_money(*cell("amount")), sku=text("sku"), qty=_qty(*cell("qty")),
        suborder=text("suborder"), reason=pmap.reason_of(reason),
        reason_text="；".join(x for x in (reason, description) if x),
        platform_status=raw_status, goods_status=text("goods_status"),
        carrier=text("carrier"), waybill=text("waybill"),
        requested_at=_when(*cell("created"), pmap.timezone),
        modified_at=_when(*cell("modified"), pmap.timezone),
        buyer=text("buyer"), channel=text("channel").lower(), line=line)


def read_platform_file(path: str | Path, platform: str, encoding: str | None = None,
                       purpose: str = "requests",
                       progress: Callable[[int, int], None] | None = None) -> PlatformFile:
    """Read one export file of `platform` (a map name) for `purpose` ("requests": the
    after-sale requests; "reconcile": the refunds the platform made).

    CSV (`encoding` given, else UTF-8 with or without BOM, else GB18030) or XLSX (by its
    name or its content; `encoding` does not apply). Columns may come in any order, those
    the map does not know are ignored, blank rows are skipped. Any bad row refuses the
    whole file with an `ImportRowError` naming file, line and column; a refund id twice
    is kept once when both rows say the same, refused at the later line otherwise.
    `progress(done, total)` is called now and then with line numbers."""
    if purpose not in PURPOSES:
        raise DomainError("bad_choice", field="purpose", value=purpose,
                          allowed=", ".join(PURPOSES))
    pmap = load_map(platform)
    p = Path(path)
    file = p.name
    try:
        data = p.read_bytes()
    except OSError as e:
        raise DomainError("import_cannot_read", field="file", file=str(p),
                          detail=e.strerror or str(e)) from None
    if data.startswith(b"\xd0\xcf\x11\xe0") or p.suffix.lower() == ".xls":
        raise DomainError("platform_xls_unsupported", field="file", file=file)
    if data.startswith(b"PK\x03\x04") or p.suffix.lower() in (".xlsx", ".xlsm"):
        used, rows = "xlsx", _xlsx_rows(data, file)
    else:
        text, used = decode(data, file, encoding)
        rows = _csv_rows(text, file)
    rows = [(n, r) for n, r in rows if any(isinstance(c, dt.datetime) or c.strip() for c in r)]
    if not rows:
        raise ImportRowError(file, 1, None, DomainError("import_empty", field="header"))
    (head_line, header), body = rows[0], rows[1:]
    layout = _layout(header, head_line, pmap, purpose, file)
    last = body[-1][0] if body else head_line
    seen: dict[str, PlatformRequestInput] = {}
    for done, (line, row) in enumerate(body, start=1):
        try:
            rec = _record(line, row, layout, pmap)
        except DomainError as e:
            raise ImportRowError(file, line, e.field, e) from None
        first = seen.get(rec.refund_id)
        if first is None:
            seen[rec.refund_id] = rec
        elif replace(first, line=0) != replace(rec, line=0):
            column = layout["refund_id"][0][1]
            raise ImportRowError(file, line, column, DomainError(
                "platform_duplicate_refund", field=column, refund_id=rec.refund_id,
                line=first.line))
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(line, last)
    if progress is not None:
        progress(last, last)
    return PlatformFile(platform=pmap.name, channel=pmap.channel, file=file, encoding=used,
                        rows=list(seen.values()))
