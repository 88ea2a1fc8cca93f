"""Bad import files: encodings (GBK / GB18030 detected, anything else
refused with a hint), truncated files, malformed CSV and random byte mutations, bad cells.

The rule (rma_tui/imports.py): a file with any bad row is refused whole - the message names
the file, the line and the column, and nothing is written - while a file that is valid
(also one a cut or a mutation happens to leave valid) is imported with exactly the rows it
holds. Never an exception other than a DomainError.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import rma_on
from db_fingerprint import assert_unchanged, fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql
from test_bad_input_service import SHOP

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.imports import ImportRowError, import_file
from rma_tui.money_input import parse_yuan
from rma_tui.store.db import Database

# RMA_LONG=1 (the battery's long mode) tries ten times as many examples.
LONG = os.environ.get("RMA_LONG") == "1"
SETTINGS = settings(max_examples=60 * (10 if LONG else 1), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# Valid files, one per kind; every name has Chinese, one a quoted comma, one an emoji.
VALID = {
    "products": ("sku,name,unit_price,unit_cost,category,reorder_point\n"
                 "P10,数据线😀,19.90,8.00,数据线,2\n"
                 'P11,"耳机, 蓝牙",150,60,耳机,\n'
                 "P12,快充充电头,25.5,10,充电器,1\n"),
    "customers": ("name,phone,channel\n"
                  "李四,13900000001,store\n"
                  '"王五, 🙂",13900000002,online\n'
                  "赵六,139-0000-0003,\n"),
    "sales": ("order,sold_at,channel,sku,qty,unit_price,customer_phone,payment_method\n"
              "SO-10,2026-11-19 10:00,store,P1,2,18.00,13800000001,wechat\n"
              "SO-10,2026-11-19 10:00,store,P2,1,140,13800000001,wechat\n"
              "SO-11,2026-11-18,online,P1,1,20,,\n"),
}
# The same without anything GBK cannot encode (the emoji).
GBK_SAFE = {k: v.replace("😀", "").replace("🙂", "") for k, v in VALID.items()}


@pytest.fixture(autouse=True)
def _chinese_after() -> Iterator[None]:
    """`--lang en` sets the process-wide language: put Chinese back for the next test."""
    yield
    i18n.set_lang("zh")


def write(data: bytes, name: str = "file.csv") -> Path:
    """The bytes in a fresh temporary file."""
    folder = Path(tempfile.mkdtemp(prefix="rma-bad-import-"))
    path = folder / name
    path.write_bytes(data)
    return path


def rows_of(db: Database, kind: str) -> set[tuple[Any, ...]]:
    """What the database holds of `kind`, in the terms of the CSV columns."""
    q = {
        "products": "SELECT sku, name, unit_price_fen, unit_cost_fen, category, reorder_point"
                    " FROM products",
        "customers": "SELECT name, phone, channel FROM customers",
        "sales": "SELECT s.order_no, s.channel, p.sku, l.qty, l.unit_price_fen,"
                 " s.payment_method FROM sale_lines l JOIN sales s ON s.id = l.sale_id"
                 " JOIN products p ON p.id = l.product_id",
    }[kind]
    with db.engine.connect() as c:
        return {tuple(r) for r in c.execute(sql(q))}


def expected_rows(text: str, kind: str) -> set[tuple[Any, ...]]:
    """An independent reading of a CSV text that was accepted: the rows it must have added."""
    table = list(csv.reader(io.StringIO(text, newline="")))
    names = [h.strip().lower() for h in table[0]]
    out = set()
    for raw in table[1:]:
        if not any(v.strip() for v in raw):
            continue
        v = {n: (raw[i].strip() if i < len(raw) else "") for i, n in enumerate(names)}
        if kind == "products":
            out.add((v["sku"], v["name"], parse_yuan(v["unit_price"], "p"),
                     parse_yuan(v["unit_cost"], "c"), v.get("category", ""),
                     int(v.get("reorder_point") or 0)))
        elif kind == "customers":
            out.add((v["name"], v["phone"], v.get("channel") or "store"))
        else:
            out.add((v["order"], v["channel"], v["sku"], int(v["qty"]),
                     parse_yuan(v["unit_price"], "p"), v.get("payment_method") or "cash"))
    return out


def attempt(db: Database, kind: str, data: bytes, encoding: str | None = None) -> Any:
    """Import `data` as `kind`: the ImportResult, or the DomainError after checking that the
    refusal names the file (and the line, for a row) and wrote nothing. Any other exception
    fails the test."""
    path = write(data)
    before = fingerprint(db)
    old = rows_of(db, kind)
    try:
        result = import_file(db, "owner", kind, path, encoding=encoding)
    except DomainError as e:
        assert_unchanged(db, before, f"refused import ({e.key})")
        zh, en = e.message("zh"), e.message("en")
        assert path.name in zh and path.name in en, (zh, en)
        assert zh != en and (b"{" in data or "{" not in zh + en), (zh, en)
        if isinstance(e, ImportRowError):
            assert e.line is not None and f"第 {e.line} 行" in zh and f"line {e.line}" in en
            if e.cause.key != "import_empty":  # an empty file has no column to name
                assert e.column and f"列 {e.column}" in zh and f"column {e.column}" in en
        return e
    new = rows_of(db, kind) - old
    return result, new


def decoded(data: bytes, encoding: str) -> str:
    """The text the importer read, by the encoding it says it used."""
    return data.decode("utf-8-sig" if encoding == "utf-8" else encoding).removeprefix("\ufeff")


# ---------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(VALID))
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_encodings_are_detected_and_rows_exact(kind: str, encoding: str) -> None:
    """A GBK file (as Excel on a Chinese Windows writes it), GB18030 (emoji too), UTF-8 and
    UTF-8 with a BOM: detected, every row imported exactly."""
    body = GBK_SAFE[kind] if encoding == "gbk" else VALID[kind]
    with SHOP.copy() as db:
        got = attempt(db, kind, body.encode(encoding))
        assert not isinstance(got, DomainError), got.message("en")
        result, new = got
        detected = "gb18030" if encoding.startswith("gb") and not body.isascii() else "utf-8"
        assert result.encoding == detected
        assert new == expected_rows(body, kind) and len(new) == 3


def test_gbk_file_through_the_command_line() -> None:
    """`rma import customers FILE` on a GBK file: exit 0, says how it was read, rows in."""
    path = write(GBK_SAFE["customers"].encode("gbk"), "客户.csv")
    with SHOP.copy() as db:
        r = rma_on(db, "import", "customers", str(path), user="clerk")
        assert "gb18030" in r.stderr and "3" in r.stdout
        assert {"李四", "王五,", "赵六"} <= {n for n, _p, _c in rows_of(db, "customers")}


@pytest.mark.parametrize(("data", "encoding"), [
    (GBK_SAFE["customers"].encode("utf-16"), None),           # BOM FF FE: not GB18030
    (GBK_SAFE["customers"].encode("utf-16-be"), None),
    (VALID["customers"].encode("utf-8")[:-9] + b"\xe6\x9d", None),  # cut inside a char
    (GBK_SAFE["customers"].encode("gbk"), "utf-8"),           # told wrong
    (VALID["customers"].encode("utf-8"), "ascii"),
])
def test_undecodable_files_are_refused_naming_the_encoding(data: bytes,
                                                           encoding: str | None) -> None:
    """Neither UTF-8 nor GB18030 (or not the encoding given): refused naming the file and
    the encoding tried, nothing written."""
    with SHOP.copy() as db:
        e = attempt(db, "customers", data, encoding)
        assert isinstance(e, DomainError) and e.key == "import_decode_failed", e
        assert (encoding or "utf-8") in e.message("en")


@pytest.mark.parametrize("keep", [1, 2])
def test_utf8_cut_inside_the_last_character_is_refused(keep: int) -> None:
    """A UTF-8 file cut inside its very last character (the copy stopped short): refused as
    undecodable UTF-8, not read as GB18030 mojibake."""
    data = "sku,name,unit_price,unit_cost,category\nP10,USB-C,1,1,电源".encode()
    data = data[: len(data) - 6 + keep]
    with SHOP.copy() as db:
        e = attempt(db, "products", data)
        assert isinstance(e, DomainError) and e.key == "import_decode_failed", e
        assert "utf-8" in e.message("en") and "gb18030" not in e.message("en")


def test_utf16_with_the_encoding_given_is_imported() -> None:
    """The remedy works: the same UTF-16 file with `--encoding utf-16` goes in."""
    data = GBK_SAFE["customers"].encode("utf-16")
    with SHOP.copy() as db:
        r = rma_on(db, "import", "customers", str(write(data)), "--encoding", "utf-16",
                   user="clerk")
        assert "3" in r.stdout
        assert ("李四", "13900000001", "store") in rows_of(db, "customers")


def test_utf8_bom_with_the_encoding_given_is_imported() -> None:
    """`--encoding utf-8` on an Excel "UTF-8 with BOM" file: the BOM is not a column name."""
    with SHOP.copy() as db:
        got = attempt(db, "products", VALID["products"].encode("utf-8-sig"), "utf-8")
        assert not isinstance(got, DomainError), got.message("en")
        assert got[1] == expected_rows(VALID["products"], "products")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unknown_encoding_is_named(lang: str) -> None:
    """`--encoding nosuch`: exit 1, the encoding and the file named, nothing written."""
    path = write(VALID["customers"].encode(), "c.csv")
    with SHOP.copy() as db:
        before = fingerprint(db)
        r = rma_on(db, "--lang", lang, "import", "customers", str(path), "--encoding", "nosuch",
                   code=1, user="clerk")
        assert "nosuch" in r.stderr and "c.csv" in r.stderr and "Traceback" not in r.stderr
        assert_unchanged(db, before, "import --encoding nosuch")


def test_undecodable_file_suggests_encoding_option() -> None:
    """The refusal tells the clerk about `--encoding` (the brief's "or ask for it")."""
    with SHOP.copy() as db:
        e = attempt(db, "customers", GBK_SAFE["customers"].encode("utf-16"))
        assert "--encoding" in e.message("zh") and "--encoding" in e.message("en")


# ---------------------------------------------------------------------------------------
# Truncated and mutated files
# ---------------------------------------------------------------------------------------


def check_consistent(db: Database, kind: str, data: bytes) -> None:
    """Refused (checked by `attempt`) or accepted with exactly the rows the text holds."""
    got = attempt(db, kind, data)
    if isinstance(got, DomainError):
        return
    result, new = got
    assert new == expected_rows(decoded(data, result.encoding), kind), result
    assert result.records == (len({r[0] for r in new}) if kind == "sales" else len(new))


# Files to cut: the valid ones, and one whose only Chinese is in a last, optional-valued
# column - cut inside that character, it used to be read as GB18030 and imported as mojibake
# ("电源" cut after two bytes came in as category "鐢").
TRUNCATE = [*sorted(VALID.items()),
            ("products", "sku,name,unit_price,unit_cost,category\n"
                         "P10,USB-C,1,1,配件\nP11,Cable,2,1,电源\n")]


@SETTINGS
@given(source=st.sampled_from(TRUNCATE), cut=st.floats(0, 1, exclude_max=True))
def test_truncated_file_is_refused_or_exactly_its_rows(source: tuple[str, str],
                                                       cut: float) -> None:
    """A file cut at any byte (mid-character, mid-quoted field, mid-number): refused naming
    file and line with nothing written, or - when the cut leaves a valid file - exactly
    the rows that are there, never a misreading of them."""
    kind, body = source
    data = body.encode("utf-8")[: int(cut * len(body.encode("utf-8")))]
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # cut inside a character: no reading of it is the file's own
    with SHOP.copy() as db:
        got = attempt(db, kind, data)
        if not isinstance(got, DomainError):
            # Never mojibake: what goes in is the UTF-8 text of the prefix, row for row.
            assert text is not None, f"a UTF-8 file cut mid-character was read as {got[0]}"
            assert got[1] == expected_rows(text, kind)


INTERESTING = [b'"', b",", b"\n", b"\r", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff", b"\xe6",
               b" ", b"-", b"9", b"\t", b";"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid file of some kind with one to four random byte edits."""
    kind = draw(st.sampled_from(sorted(VALID)))
    data = bytearray(VALID[kind].encode(draw(st.sampled_from(["utf-8", "gb18030"]))))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "replace", "delete"]))
        piece = draw(st.one_of(st.sampled_from(INTERESTING), st.binary(min_size=1, max_size=3)))
        if op == "insert":
            data[at:at] = piece
        elif op == "replace":
            data[at:at + len(piece)] = piece
        else:
            del data[at:at + draw(st.integers(1, 5))]
    return kind, bytes(data)


@SETTINGS
@given(case=mutated())
def test_mutated_file_is_refused_or_exactly_its_rows(case: tuple[str, bytes]) -> None:
    """Random byte edits (quotes, commas, newlines, NUL, BOMs, bytes invalid in UTF-8):
    never an unhandled exception; refused with nothing written, or accepted exactly."""
    kind, data = case
    with SHOP.copy() as db:
        check_consistent(db, kind, data)


# ---------------------------------------------------------------------------------------
# Malformed CSV and bad cells, one of each
# ---------------------------------------------------------------------------------------

P_HEAD = "sku,name,unit_price,unit_cost\n"
S_HEAD = "order,sold_at,channel,sku,qty,unit_price\n"

MALFORMED: list[tuple[str, str, str, int, str | None]] = [
    # (name, kind, text, line, column)
    ("unclosed quote", "products", P_HEAD + 'P10,"数据线,1,1\nP11,耳机,2,1\n', 2, "name"),
    ("text after quote", "products", P_HEAD + 'P10,"数据"线,1,1\n', 2, "name"),
    ("quote in a later field", "products", P_HEAD + 'P10,a,1,1\nP11,b,"2,1\n', 3,
     "unit_price"),
    ("field over the csv limit", "products", P_HEAD + "P10," + "长" * 200_000 + ",1,1\n", 2,
     "name"),
    ("unclosed quote in header", "products", '"sku,name,unit_price,unit_cost\n', 1, "1"),
    ("text after quote in header", "products", 'sku,"name"x,unit_price,unit_cost\n', 1, "2"),
    ("extra field", "products", P_HEAD + "P10,数据线,1,1\nP11,耳机,2,1,多余\n", 3, "5"),
    ("missing column", "products", "sku,name,unit_price\nP10,数据线,1\n", 1, "unit_cost"),
    ("duplicate column", "products", "sku,name,unit_price,unit_cost,NAME\nP10,a,1,1,b\n", 1,
     "name"),
    ("unknown column", "products", "sku,name,unit_price,unit_cost,colour\nP10,a,1,1,red\n", 1,
     "colour"),
    ("empty file", "products", "", 1, None),
    ("NUL in a cell", "products", P_HEAD + "P10,数据\x00线,1,1\n", 2, "name"),
    ("BOM in the middle", "products", P_HEAD + "P10,数据线,1,1\n\ufeffP11,耳机,2,1\n", 3, "sku"),
    ("missing cell", "products", P_HEAD + "P10,数据线,1\n", 2, "unit_cost"),
    ("price 3 decimals", "products", P_HEAD + "P10,数据线,1.999,1\n", 2, "unit_price"),
    ("price NaN", "products", P_HEAD + "P10,数据线,NaN,1\n", 2, "unit_price"),
    ("price negative", "products", P_HEAD + "P10,数据线,-1,1\n", 2, "unit_price"),
    ("price huge", "products", P_HEAD + "P10,数据线,1e999999999,1\n", 2, "unit_price"),
    ("price rounds away", "products", P_HEAD + "P10,数据线,1.0000000000000000000000000001,1\n",
     2, "unit_price"),
    ("sku twice", "products", P_HEAD + "P10,a,1,1\nP10,b,1,1\n", 3, "sku"),
    ("sku exists", "products", P_HEAD + "P10,a,1,1\nP1,b,1,1\n", 3, "sku"),
    ("sku too long", "products", P_HEAD + "P" * 65 + ",a,1,1\n", 2, "sku"),
    ("name blank", "products", P_HEAD + "P10,  ,1,1\n", 2, "name"),
    ("reorder point text", "products", "sku,name,unit_price,unit_cost,reorder_point\n"
     "P10,a,1,1,三\n", 2, "reorder_point"),
    ("qty 0", "sales", S_HEAD + "SO-10,2026-11-19,store,P1,0,18\n", 2, "qty"),
    ("qty -1", "sales", S_HEAD + "SO-10,2026-11-19,store,P1,-1,18\n", 2, "qty"),
    ("qty huge", "sales", S_HEAD + "SO-10,2026-11-19,store,P1," + "9" * 30 + ",18\n", 2, "qty"),
    ("qty decimal", "sales", S_HEAD + "SO-10,2026-11-19,store,P1,1.5,18\n", 2, "qty"),
    ("unknown sku in sales", "sales", S_HEAD + "SO-10,2026-11-19,store,P1,1,18\n"
     "SO-10,2026-11-19,store,P404,1,18\n", 3, "sku"),
    ("order exists", "sales", S_HEAD + "SO-1,2026-11-19,store,P1,1,18\n", 2, "order"),
    ("bad date", "sales", S_HEAD + "SO-10,2026-13-01,store,P1,1,18\n", 2, "sold_at"),
    ("bad channel", "sales", S_HEAD + "SO-10,2026-11-19,tv,P1,1,18\n", 2, "channel"),
    ("stock short", "sales", S_HEAD + "SO-10,2026-11-19,store,P2,100,18\n", 2, "qty"),
    ("order rows disagree", "sales", S_HEAD + "SO-10,2026-11-19,store,P1,1,18\n"
     "SO-10,2026-11-19,online,P2,1,18\n", 3, "channel"),
    ("bad phone", "customers", "name,phone\n李四,139abc\n", 2, "phone"),
    ("phone exists", "customers", "name,phone\n李四,13800000001\n", 2, "phone"),
]


@pytest.mark.parametrize(("kind", "text", "line", "column"), [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed_file_is_refused_naming_line_and_column(kind: str, text: str, line: int,
                                                          column: str | None) -> None:
    """Each kind of broken file: refused whole, naming the file, the line and (where there
    is one) the column, nothing written."""
    with SHOP.copy() as db:
        e = attempt(db, kind, text.encode("utf-8"))
        assert isinstance(e, ImportRowError), getattr(e, "key", e)
        assert (e.line, e.column) == (line, column), (e.line, e.column, e.message("en"))
        if column is not None:
            assert f"列 {column}" in e.message("zh") and f"column {column}" in e.message("en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_row_through_the_command_line(lang: str) -> None:
    """`rma import sales FILE` with one bad cell: exit 1, file, line and column on stderr in
    the language asked for, nothing written."""
    path = write((S_HEAD + "SO-10,2026-11-19,store,P1,1,18\n"
                  "SO-11,2026-11-19,store,P1,1,1.234\n").encode("gbk"), "销售.csv")
    with SHOP.copy() as db:
        before = fingerprint(db)
        r = rma_on(db, "--lang", lang, "import", "sales", str(path), code=1, user="clerk")
        where = "销售.csv 第 3 行，列 unit_price" if lang == "zh" else \
            "销售.csv, line 3, column unit_price"
        assert where in r.stderr and "1.234" in r.stderr and "Traceback" not in r.stderr
        assert_unchanged(db, before, "import sales")


@pytest.mark.parametrize("variant", ["crlf", "blank lines", "no final newline", "spaces"])
def test_harmless_variations_are_accepted_exactly(variant: str) -> None:
    """CRLF line ends, blank lines (Excel leaves some), no final newline, padded cells: the
    same rows as the plain file."""
    body = VALID["products"]
    text = {"crlf": body.replace("\n", "\r\n"),
            "blank lines": body.replace("\n", "\n\n", 2) + ",,,\n\n",
            "no final newline": body.rstrip("\n"),
            "spaces": "".join(ln if '"' in ln else ln.replace(",", " , ")
                              for ln in body.splitlines(keepends=True))}[variant]
    with SHOP.copy() as db:
        got = attempt(db, "products", text.encode("utf-8"))
        assert not isinstance(got, DomainError), got.message("en")
        assert got[1] == expected_rows(body, "products")


def test_sales_import_keeps_time_and_stock_right() -> None:
    """The valid sales file moves exactly its units out of sellable stock."""
    with SHOP.copy() as db:
        from rma_tui import service as sv

        before = {r.sku: r.sellable for r in sv.stock(db)}
        attempt(db, "sales", VALID["sales"].encode())
        after = {r.sku: r.sellable for r in sv.stock(db)}
        assert (before["P1"] - after["P1"], before["P2"] - after["P2"]) == (3, 1)
        sale = sv.get_sale(db, "SO-10")
        assert sale.total_fen == 2 * 1800 + 14000
