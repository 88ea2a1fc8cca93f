"""CSV import of products, customers and sales (the `rma import` command's engine).

A file is read whole, decoded (UTF-8 with or without BOM, else GB18030, the superset of
the GBK that Chinese shop software and Excel often write), parsed row by row into the
service's input records, and handed to the service in ONE call, which inserts the whole
batch in one transaction. Any bad row therefore refuses the whole file: an
`ImportRowError` names the file, the 1-based line (the header is line 1) and the column.

Money is read with `decimal.Decimal` and converted to integer fen exactly; a price with
fractions of a fen, a negative price, NaN or text is refused. Nothing here decides a
business rule: roles, duplicates, stock and unknown SKUs are the service's to refuse; this
module only maps the service's `[i].field` error back to the CSV line it came from.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rma_tui.errors import DomainError
from rma_tui.money_input import parse_yuan

if TYPE_CHECKING:
    from rma_tui.store.db import Database

KINDS = ("products", "customers", "sales")

# Columns of each kind: (required, optional). Header names are matched case-insensitively.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "products": (("sku", "name", "unit_price", "unit_cost"),
                 ("barcode", "model", "category", "supplier", "reorder_point")),
    "customers": (("name", "phone"), ("channel",)),
    "sales": (("order", "sold_at", "channel", "sku", "qty", "unit_price"),
              ("customer_phone", "unit_cost", "payment_method")),
}

# The service names some fields differently from the CSV columns.
_FIELD_TO_COLUMN = {"customer": "customer_phone"}

Progress = Callable[[int, int], None]


class ImportRowError(DomainError):
    """One bad row (or header) of an import file: file, line, column and the reason.

    The message is composed in the language asked for, from the wrapped error's own key,
    so it stays bilingual."""

    def __init__(self, file: str, line: int | None, column: str | None,
                 cause: DomainError) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.cause = cause
        super().__init__("import_row_error", field=column, file=file,
                         line=line if line is not None else "?", column=column or "?")

    def message(self, lang: str | None = None) -> str:
        """`file, line N, column C: <the reason>` in `lang`."""
        from rma_tui.i18n import t

        where = t("import_row_error", lang=lang, file=self.file,
                  line=self.line if self.line is not None else "?",
                  column=self.column or "?", field=self.column or "")
        return f"{where}: {self.cause.message(lang)}"


@dataclass
class ImportResult:
    """What an import did: how many records went in, from how many rows, read how."""

    kind: str
    file: str
    encoding: str
    rows: int
    records: int


@dataclass
class _Row:
    line: int
    values: dict[str, str]


@dataclass
class _SaleRows:
    """The rows of one order in the file: the header fields come from the first."""

    order: str
    first_line: int
    line_of_item: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


def decode(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a file's bytes: the given encoding, else UTF-8 (BOM or not), else GB18030.

    Returns (text, encoding used)."""
    if encoding:
        try:
            # A BOM is not text: "--encoding utf-8" on an Excel "UTF-8 with BOM" file must
            # not turn the first column into "\ufeffsku".
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except LookupError:
            raise DomainError("import_bad_encoding", field="encoding", file=file,
                              encoding=encoding) from None
        except UnicodeDecodeError as e:
            raise DomainError("import_decode_failed", field="encoding", file=file,
                              encoding=encoding, offset=e.start) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data":
            # UTF-8 up to a character cut off at the very end: a truncated UTF-8 file, not
            # a GB18030 one (decoding it as GB18030 would import mojibake without a word).
            raise DomainError("import_decode_failed", field="encoding", file=file,
                              encoding="utf-8", offset=e.start) from None
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        raise DomainError("import_decode_failed", field="encoding", file=file,
                          encoding="utf-8, gb18030", offset=e.start) from None


def broken_field(text: str, line: int) -> int:
    """The 0-based field of the row starting at 1-based `line` of `text` where the csv
    module gave up: the one whose quote never closes, has text after its closing quote, or
    passes the csv field size limit. (csv.Error says what, not where; the clerk needs the
    column.)"""
    lines = io.StringIO(text, newline="")
    for _ in range(line - 1):
        lines.readline()
    rest = lines.read()
    limit = csv.field_size_limit()
    field = size = i = 0
    at_start, quoted = True, False
    while i < len(rest):
        c = rest[i]
        size += 1
        if size > limit:
            return field
        if quoted:
            if c == '"':
                if rest.startswith('"', i + 1):  # "" is one quote inside the field
                    i += 2
                    continue
                quoted = False
                if i + 1 < len(rest) and rest[i + 1] not in ",\r\n":
                    return field  # text after the closing quote
            i += 1
            continue
        if c in "\r\n":
            return field  # the row ended without a quoting problem: its last field
        if c == ",":
            field, size, at_start = field + 1, 0, True
            i += 1
            continue
        quoted = c == '"' and at_start
        at_start = False
        i += 1
    return field  # end of the file inside quotes: the field that opened them


def field_label(names: list[str], index: int) -> str:
    """The name of column `index` (0-based) for a message: its header name, or its
    1-based position when the header has none for it."""
    return names[index] if index < len(names) and names[index] else str(index + 1)


def read_rows(text: str, kind: str, file: str,
              progress: Progress | None = None) -> list[_Row]:
    """The data rows of a CSV text, each with its 1-based starting line number."""
    required, optional = COLUMNS[kind]
    total_lines = max(text.count("\n"), 1)
    # strict: an unclosed quote or text after a closing quote is an error (named with its
    # line), not a field that silently swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRowError(file, 1, None, DomainError("import_empty", field="header")) from None
    except csv.Error as e:  # e.g. an unclosed quote, or a field over the csv field limit
        col = str(broken_field(text, 1) + 1)
        raise ImportRowError(file, 1, col, DomainError("import_bad_csv", field=col,
                                                       detail=str(e))) from None
    names = [h.strip().lower() for h in header]
    for col in required:
        if col not in names:
            raise ImportRowError(file, 1, col, DomainError("import_missing_column",
                                                           field=col, column=col))
    known = set(required) | set(optional)
    for col in names:
        if col and col not in known:
            raise ImportRowError(file, 1, col, DomainError(
                "import_unknown_column", field=col, column=col,
                allowed=", ".join(required + optional)))
    seen: set[str] = set()
    for col in names:
        if col and col in seen:
            raise ImportRowError(file, 1, col, DomainError("import_duplicate_column",
                                                           field=col, column=col))
        seen.add(col)
    rows: list[_Row] = []
    start = reader.line_num + 1
    try:
        for raw in reader:
            line = start
            start = reader.line_num + 1
            if not any(v.strip() for v in raw):
                continue  # blank lines (Excel often leaves some at the end)
            if len(raw) > len(names):
                col = field_label(names, len(names))  # the first field past the header
                raise ImportRowError(file, line, col, DomainError(
                    "import_too_many_fields", field=col, got=len(raw), want=len(names)))
            values = {n: (raw[i].strip() if i < len(raw) else "") for i, n in enumerate(names)
                      if n}
            for col, value in values.items():
                # NUL, or a BOM left in the middle by concatenated files: invisible, and a
                # "\ufeffP1" would be a different SKU that looks exactly like P1.
                if "\x00" in value or "\ufeff" in value:
                    raise ImportRowError(file, line, col, DomainError("bad_text", field=col))
            rows.append(_Row(line, values))
            if progress is not None and len(rows) % 500 == 0:
                progress(min(reader.line_num, total_lines), total_lines)
    except csv.Error as e:
        col = field_label(names, broken_field(text, start))
        raise ImportRowError(file, start, col, DomainError("import_bad_csv", field=col,
                                                           detail=str(e))) from None
    if progress is not None:
        progress(total_lines, total_lines)
    return rows


# ---------------------------------------------------------------------------------------
# Field parsers (each error names its column; the caller adds file and line)
# ---------------------------------------------------------------------------------------



def parse_int(text: str, column: str, default: int | None = None) -> int:
    """A whole number (quantities, reorder points); empty gives `default` if there is one."""
    raw = text.strip()
    if not raw:
        if default is not None:
            return default
        raise DomainError("required", field=column)
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise DomainError("not_integer", field=column, value=text)
    return int(raw)


def parse_when(text: str, column: str) -> datetime:
    """An ISO date or date-time; a naive one is local time. Returns an aware datetime."""
    raw = text.strip()
    if not raw:
        raise DomainError("required", field=column)
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError("import_bad_date", field=column, value=text) from None
    from rma_tui.service import check_day

    check_day(dt.date(), column)  # year 1 or 9999: a typo, and no local time to shift to
    # astimezone() on a naive datetime reads it as local time.
    return dt.astimezone() if dt.tzinfo is None else dt


# ---------------------------------------------------------------------------------------
# Kinds
# ---------------------------------------------------------------------------------------


def _row_error(file: str, row: _Row, e: DomainError) -> ImportRowError:
    return ImportRowError(file, row.line, e.field, e)


def _parse_products(rows: list[_Row], file: str) -> list[Any]:
    from rma_tui.service import ProductInput

    out = []
    for row in rows:
        v = row.values
        try:
            out.append(ProductInput(
                sku=v["sku"], name=v["name"],
                unit_price_fen=parse_yuan(v["unit_price"], "unit_price"),
                unit_cost_fen=parse_yuan(v["unit_cost"], "unit_cost"),
                barcode=v.get("barcode") or None, model=v.get("model", ""),
                category=v.get("category", ""), supplier=v.get("supplier", ""),
                reorder_point=parse_int(v.get("reorder_point", ""), "reorder_point", 0),
            ))
        except DomainError as e:
            raise _row_error(file, row, e) from None
    return out


def _parse_customers(rows: list[_Row], file: str) -> list[Any]:
    from rma_tui.service import CustomerInput

    return [CustomerInput(name=r.values["name"], phone=r.values["phone"],
                          channel=r.values.get("channel") or "store") for r in rows]


def _parse_sales(rows: list[_Row], file: str) -> tuple[list[Any], list[_SaleRows]]:
    """Group rows by order (rows of one order are the lines of one sale, in file order)."""
    from rma_tui.service import SaleInput, SaleLineInput

    heads: dict[str, dict[str, Any]] = {}
    groups: dict[str, _SaleRows] = {}
    lines: dict[str, list[Any]] = {}
    for row in rows:
        v = row.values
        try:
            order = v["order"]
            if not order:
                raise DomainError("required", field="order")
            head = {
                "sold_at": parse_when(v["sold_at"], "sold_at"),
                "channel": v["channel"],
                "customer_phone": v.get("customer_phone") or None,
                "payment_method": v.get("payment_method") or "cash",
            }
            if order in heads:
                for col, value in head.items():
                    if heads[order][col] != value:
                        raise DomainError("import_order_mismatch", field=col, order=order,
                                          line=groups[order].first_line)
            else:
                heads[order] = head
                groups[order] = _SaleRows(order, row.line)
                lines[order] = []
            cost = v.get("unit_cost", "")
            lines[order].append(SaleLineInput(
                sku=v["sku"], qty=parse_int(v["qty"], "qty"),
                unit_price_fen=parse_yuan(v["unit_price"], "unit_price"),
                unit_cost_fen=parse_yuan(cost, "unit_cost") if cost else None,
            ))
            groups[order].line_of_item.append(row.line)
        except DomainError as e:
            raise _row_error(file, row, e) from None
    sales = [SaleInput(order_no=o, channel=h["channel"], sold_at=h["sold_at"], lines=lines[o],
                       customer_phone=h["customer_phone"], payment_method=h["payment_method"])
             for o, h in heads.items()]
    return sales, list(groups.values())


_INDEXED = re.compile(r"^\[(\d+)\]\.(?:lines\[(\d+)\]\.)?(.+)$")


def _locate(e: DomainError, kind: str, file: str, rows: list[_Row],
            groups: list[_SaleRows]) -> ImportRowError:
    """Map a service error about record `[i]` (or naming a key) back to its CSV line."""
    fld = e.field or ""
    m = _INDEXED.match(fld)
    if m:
        i, j, name = int(m.group(1)), m.group(2), m.group(3)
        column = _FIELD_TO_COLUMN.get(name, name)
        if kind == "sales":
            g = groups[i - 1]
            line = g.line_of_item[int(j) - 1] if j else g.first_line
        else:
            line = rows[i - 1].line
        return ImportRowError(file, line, column, e)
    # Errors about a key (duplicate / existing / short stock) name it in their params:
    # point at the last row holding it (for a duplicate inside the file, that is the
    # second one; for a key already in the database, the only one).
    for param, column in (("sku", "sku"), ("phone", "phone"), ("order", "order")):
        value = e.params.get(param)
        if value is None:
            continue
        hits = [r.line for r in rows if r.values.get(column) == str(value)]
        if hits:
            dup = e.key.endswith("_exists") and len(hits) > 1
            col = "qty" if e.key == "stock_short" else column
            return ImportRowError(file, hits[1] if dup else hits[0], col, e)
    return ImportRowError(file, None, e.field, e)


def import_file(db: Database, actor: str, kind: str, path: str | Path,
                encoding: str | None = None, progress: Progress | None = None,
                shop: str | None = None) -> ImportResult:
    """Import one CSV file of `kind` as `actor`: all of it, or (on any error) nothing.

    Sales belong to `shop` (None: the actor's own shop, or the chain's only one; see
    `service.record_sales`); products and customers are the whole chain's."""
    from rma_tui import service as sv

    if kind not in KINDS:
        raise DomainError("bad_choice", field="kind", value=kind, allowed=", ".join(KINDS))
    p = Path(path)
    file = p.name
    try:
        data = p.read_bytes()
    except OSError as e:
        raise DomainError("import_cannot_read", field="file", file=str(p),
                          detail=e.strerror or str(e)) from None
    text, used = decode(data, file, encoding)
    rows = read_rows(text, kind, file, progress)
    if not rows:  # a header and nothing else: nothing to do, nothing to audit
        return ImportResult(kind, file, used, 0, 0)
    groups: list[_SaleRows] = []
    try:
        if kind == "products":
            records = _parse_products(rows, file)
            n = sv.add_products(db, actor, records)
        elif kind == "customers":
            records = _parse_customers(rows, file)
            n = sv.add_customers(db, actor, records)
        else:
            records, groups = _parse_sales(rows, file)
            n = sv.record_sales(db, actor, records, shop=shop)
    except ImportRowError:
        raise
    except DomainError as e:
        if e.field in ("user", "shop"):  # who may import, and where: not about a row
            raise
        raise _locate(e, kind, file, rows, groups) from None
    return ImportResult(kind, file, used, len(rows), n)
