"""Damaged cells: every value of every table, checked against what its column may hold.

`rma verify` exists for the day the data is damaged or tampered with, so this module never
reads through the ORM's type processors (a bad datetime makes them raise). It asks the
database with plain SQL which cells break their column's type or rules, and reports each
one by table, row and column; nothing found is the normal answer.

On SQLite any cell can hold anything (text in an integer column, bytes that are not UTF-8,
a datetime that is not one), so every column is checked by its declared type. On
PostgreSQL the server enforces types and encodings; what is left is the rules a service
gives (allowed values, bounds, JSON shapes) and the range of datetimes.

A column that holds JSON says so in its model (`info={"json": "object" | "list"}`); the
service adds what only it knows through `ColumnRule`s: a column's allowed values and
integer bounds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, TypeDecorator, text
from sqlalchemy.engine import Connection

from rma_tui.datebounds import MAX_YEAR, MIN_YEAR

# How a bad value is shown: at most this many characters.
SHOWN_CHARS = 40
# The canonical stored form (SQLAlchemy's SQLite DATETIME): "YYYY-MM-DD HH:MM:SS.ffffff".
_CANONICAL_DATETIME = (
    "[1-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]"
    ".[0-9][0-9][0-9][0-9][0-9][0-9]"
)

# Problem codes, in the order a cell is tested (the first that applies is reported).
NULL = "null"
NOT_INTEGER = "not_integer"
NOT_BOOLEAN = "not_boolean"
NOT_TEXT = "not_text"
NOT_UTF8 = "not_utf8"
BAD_DATETIME = "bad_datetime"
BAD_JSON = "bad_json"
OUT_OF_RANGE = "out_of_range"
UNKNOWN_VALUE = "unknown_value"
NO_PARENT = "no_parent"
PROBLEMS = (NULL, NOT_INTEGER, NOT_BOOLEAN, NOT_TEXT, NOT_UTF8, BAD_DATETIME, BAD_JSON,
            OUT_OF_RANGE, UNKNOWN_VALUE, NO_PARENT)


@dataclass(frozen=True)
class ColumnRule:
    """What a column may hold beyond its type: one of `allowed`, an integer within
    [`low`, `high`], or JSON of a shape (`json`: "object", or "list" where empty text
    also means none)."""

    allowed: frozenset[str] | None = None
    low: int | None = None
    high: int | None = None
    json: str | None = None


@dataclass(frozen=True)
class DamagedCell:
    """One cell that breaks its column: where it is, what is wrong, and what is there."""

    table: str
    row: str  # the row's key: its id, or "column=value" pairs of its primary key
    column: str
    problem: str  # one of PROBLEMS
    value: str  # what the cell holds, shortened and printable

    def as_dict(self) -> dict[str, str]:
        """A plain form for JSON output."""
        return {"table": self.table, "row": self.row, "column": self.column,
                "problem": self.problem, "value": self.value}


def describe(cells: Sequence[DamagedCell]) -> str:
    """Damaged cells named for a message: "audit_events 5 at='garbage'; …"."""
    return "; ".join(f"{c.table} {c.row} {c.column}='{c.value}'" for c in cells)


def shown(raw: Any) -> str:
    """A cell's value as a short printable text, whatever it is (bytes that are not UTF-8
    are shown escaped)."""
    if raw is None:
        return "NULL"
    if isinstance(raw, bytes | bytearray | memoryview):
        value = bytes(raw).decode("utf-8", errors="backslashreplace")
    else:
        value = str(raw)
    value = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"


def datetime_ok(value: str) -> bool:
    """True when `value` reads as the naive (UTC) datetime the ORM expects, in a year the
    desk can shift into local time and back."""
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return False
    return dt.tzinfo is None and MIN_YEAR <= dt.year <= MAX_YEAR


def json_ok(value: str, shape: str) -> bool:
    """True when `value` is JSON of `shape` ("object", or "list" where "" means none)."""
    if shape == "list" and value == "":
        return True
    try:
        parsed = json.loads(value)
    except ValueError:
        return False
    return isinstance(parsed, dict) if shape == "object" else isinstance(parsed, list)


def column_kind(column: Column[Any]) -> str:
    """How a column is checked: "integer", "boolean", "text", "datetime" or "other"."""
    t: Any = column.type
    while isinstance(t, TypeDecorator):  # SQLModel's AutoString, UTCDateTime
        t = t.impl_instance
    if isinstance(t, Boolean):
        return "boolean"
    if isinstance(t, DateTime):
        return "datetime"
    if isinstance(t, Integer):
        return "integer"
    if isinstance(t, String):
        return "text"
    return "other"


def scan(conn: Connection, tables: Sequence[Table], rules: Mapping[tuple[str, str], ColumnRule],
         limit: int = 100) -> list[DamagedCell]:
    """Every damaged cell of `tables` (at most `limit`), table by table in the order given.

    `conn` is a connection in a read transaction; nothing is written."""
    scanner = _SqliteScan(conn, rules) if conn.dialect.name == "sqlite" else _ServerScan(
        conn, rules)
    found: list[DamagedCell] = []
    for table in tables:
        for cell in scanner.table(table):
            found.append(cell)
            if len(found) >= limit:
                return found
    if isinstance(scanner, _SqliteScan):
        for cell in scanner.foreign_keys({t.name for t in tables}):
            found.append(cell)
            if len(found) >= limit:
                break
    return found


class _Scan:
    """What both back ends share: quoting, the rules, and naming a row."""

    def __init__(self, conn: Connection, rules: Mapping[tuple[str, str], ColumnRule]) -> None:
        self.conn = conn
        self.rules = rules
        self.quote = conn.dialect.identifier_preparer.quote

    def rule(self, table: Table, column: Column[Any]) -> ColumnRule:
        """The column's rule: the one given for it, with the JSON shape its model
        declares (`info["json"]`)."""
        rule = self.rules.get((table.name, column.name), ColumnRule())
        shape = column.info.get("json")
        if shape is not None and rule.json is None:
            rule = ColumnRule(rule.allowed, rule.low, rule.high, shape)
        return rule

    @staticmethod
    def allowed_sql(rule: ColumnRule) -> str:
        values = sorted(rule.allowed or ())
        return ", ".join("'" + v.replace("'", "''") + "'" for v in values)

    def key_text(self, table: Table, key: Sequence[Any]) -> str:
        names = [c.name for c in table.primary_key.columns]
        if names == ["id"]:
            return shown(key[0])
        return ", ".join(f"{n}={shown(v)}" for n, v in zip(names, key, strict=True))

    def table(self, table: Table) -> Iterator[DamagedCell]:  # pragma: no cover - abstract
        raise NotImplementedError


class _SqliteScan(_Scan):
    """SQLite: any cell may hold any type, so each column is checked by its declared type."""

    def conditions(self, table: Table, column: Column[Any]) -> list[tuple[str, str]]:
        """(problem, SQL that is true for a bad cell) in the order they are tested."""
        c = self.quote(column.name)
        kind = column_kind(column)
        rule = self.rule(table, column)
        out: list[tuple[str, str]] = []
        if not column.nullable:
            out.append((NULL, f"{c} IS NULL"))
        if kind == "integer":
            out.append((NOT_INTEGER, f"typeof({c}) NOT IN ('integer', 'null')"))
        elif kind == "boolean":
            out.append((NOT_BOOLEAN, f"typeof({c}) NOT IN ('integer', 'null') "
                                     f"OR {c} NOT IN (0, 1)"))
        elif kind in ("text", "datetime"):
            problem = NOT_TEXT if kind == "text" else BAD_DATETIME
            out.append((problem, f"typeof({c}) NOT IN ('text', 'null')"))
        if kind == "text" and rule.json is not None:
            shape = "object" if rule.json == "object" else "array"
            empty_ok = f"{c} <> '' AND " if rule.json == "list" else ""
            out.append((BAD_JSON, f"typeof({c}) = 'text' AND {empty_ok}"
                                  f"(CASE WHEN json_valid({c}) THEN json_type({c}) END) "
                                  f"IS NOT '{shape}'"))
        if kind == "integer" and (rule.low is not None or rule.high is not None):
            bounds = []
            if rule.low is not None:
                bounds.append(f"{c} < {int(rule.low)}")
            if rule.high is not None:
                bounds.append(f"{c} > {int(rule.high)}")
            out.append((OUT_OF_RANGE, f"typeof({c}) = 'integer' AND ({' OR '.join(bounds)})"))
        if kind == "text" and rule.allowed is not None:
            out.append((UNKNOWN_VALUE, f"typeof({c}) = 'text' AND {c} NOT IN "
                                       f"({self.allowed_sql(rule)})"))
        return out

    def candidates(self, column: Column[Any]) -> str | None:
        """SQL true for a cell that only Python can judge: a datetime not in the canonical
        form (it may still read), and text with any byte outside printable ASCII (it may
        not be UTF-8)."""
        c = self.quote(column.name)
        kind = column_kind(column)
        if kind == "datetime":
            return (f"typeof({c}) = 'text' AND NOT (length({c}) = 26 AND {c} GLOB "
                    f"'{_CANONICAL_DATETIME}' AND {c} >= '{MIN_YEAR}' AND {c} < "
                    f"'{MAX_YEAR + 1}' AND substr(datetime({c}), 1, 19) = substr({c}, 1, 19))")
        if kind == "text":
            return f"typeof({c}) = 'text' AND {c} GLOB '*[^ -~]*'"
        return None

    def table(self, table: Table) -> Iterator[DamagedCell]:
        name = self.quote(table.name)
        keys = [self.quote(c.name) for c in table.primary_key.columns]
        key_sql = ", ".join(f"CAST({k} AS BLOB)" for k in keys)
        columns = list(table.columns)
        per_column = [self.conditions(table, col) for col in columns]
        # One pass over the table for every SQL-decided problem.
        cases: list[str] = []
        wheres: list[str] = []
        for conds in per_column:
            if conds:
                cases.append("CASE " + " ".join(f"WHEN {sql} THEN '{p}'" for p, sql in conds)
                             + " END")
                wheres.extend(f"({sql})" for _, sql in conds)
            else:
                cases.append("NULL")
        if wheres:
            q = (f"SELECT {key_sql}, {', '.join(cases)} FROM {name} "
                 f"WHERE {' OR '.join(wheres)}")
            for row in self.conn.execute(text(q)):
                key, problems = row[: len(keys)], row[len(keys):]
                for column, problem in zip(columns, problems, strict=True):
                    if problem is not None:
                        yield self.cell(table, key, column, problem)
        # A second pass for the cells only Python can judge.
        judged = [(col, self.candidates(col)) for col in columns]
        judged = [(col, cond) for col, cond in judged if cond is not None]
        if not judged:
            return
        picks = ", ".join(f"CASE WHEN {cond} THEN CAST({self.quote(col.name)} AS BLOB) END"
                          for col, cond in judged)
        q = (f"SELECT {key_sql}, {picks} FROM {name} "
             f"WHERE {' OR '.join(f'({cond})' for _, cond in judged)}")
        for row in self.conn.execute(text(q)).yield_per(2000):
            key, values = row[: len(keys)], row[len(keys):]
            for (column, _), raw in zip(judged, values, strict=True):
                if raw is None:
                    continue
                try:
                    value = bytes(raw).decode("utf-8")
                except UnicodeDecodeError:
                    yield DamagedCell(table.name, self.key_text(table, key), column.name,
                                      NOT_UTF8, shown(raw))
                    continue
                if column_kind(column) == "datetime" and not datetime_ok(value):
                    yield DamagedCell(table.name, self.key_text(table, key), column.name,
                                      BAD_DATETIME, shown(value))

    def cell(self, table: Table, key: Sequence[Any], column: Column[Any],
             problem: str) -> DamagedCell:
        """The damaged cell at `key`, with what it holds."""
        where = " AND ".join(f"CAST({self.quote(c.name)} AS BLOB) IS :k{i}"
                             for i, c in enumerate(table.primary_key.columns))
        params = {f"k{i}": v for i, v in enumerate(key)}
        c = self.quote(column.name)
        raw = self.conn.execute(
            text(f"SELECT CASE WHEN typeof({c}) IN ('text', 'blob') THEN CAST({c} AS BLOB) "
                 f"ELSE {c} END FROM {self.quote(table.name)} WHERE {where} LIMIT 1"),
            params).scalar()
        return DamagedCell(table.name, self.key_text(table, key), column.name, problem,
                           shown(raw))

    def foreign_keys(self, names: set[str]) -> Iterator[DamagedCell]:
        """Rows naming a parent row that does not exist (written with foreign keys off)."""
        for table, rowid, parent, fkid in self.conn.exec_driver_sql(
                "PRAGMA foreign_key_check").all():
            if table not in names:
                continue
            fks = self.conn.exec_driver_sql(
                f"PRAGMA foreign_key_list({self.quote(table)})").all()
            column = next((fk[3] for fk in fks if fk[0] == fkid), "?")
            raw = self.conn.execute(text(
                f"SELECT CAST({self.quote(column)} AS BLOB) FROM {self.quote(table)} "
                f"WHERE rowid = :r"), {"r": rowid}).scalar()
            yield DamagedCell(table, shown(rowid), column, NO_PARENT,
                              f"{shown(raw)} → {parent}")


class _ServerScan(_Scan):
    """PostgreSQL: types and encodings are the server's; rules, ranges and JSON remain."""

    def conditions(self, table: Table, column: Column[Any]) -> list[tuple[str, str]]:
        c = self.quote(column.name)
        kind = column_kind(column)
        rule = self.rule(table, column)
        out: list[tuple[str, str]] = []
        if not column.nullable:
            out.append((NULL, f"{c} IS NULL"))
        if kind == "datetime":
            out.append((BAD_DATETIME, f"{c} < '{MIN_YEAR}-01-01' OR {c} >= "
                                      f"'{MAX_YEAR + 1}-01-01'"))
        if kind == "integer" and (rule.low is not None or rule.high is not None):
            bounds = []
            if rule.low is not None:
                bounds.append(f"{c} < {int(rule.low)}")
            if rule.high is not None:
                bounds.append(f"{c} > {int(rule.high)}")
            out.append((OUT_OF_RANGE, " OR ".join(bounds)))
        if kind == "text" and rule.allowed is not None:
            out.append((UNKNOWN_VALUE, f"{c} NOT IN ({self.allowed_sql(rule)})"))
        return out

    def table(self, table: Table) -> Iterator[DamagedCell]:
        name = self.quote(table.name)
        keys = [self.quote(c.name) for c in table.primary_key.columns]
        columns = list(table.columns)
        cases: list[str] = []
        wheres: list[str] = []
        for column in columns:
            conds = self.conditions(table, column)
            if conds:
                cases.append("CASE " + " ".join(f"WHEN {sql} THEN '{p}'" for p, sql in conds)
                             + " END")
                wheres.extend(f"({sql})" for _, sql in conds)
            else:
                cases.append("NULL")
        if wheres:
            values = ", ".join(self.quote(c.name) for c in columns)
            q = (f"SELECT {', '.join(keys)}, {', '.join(cases)}, {values} FROM {name} "
                 f"WHERE {' OR '.join(wheres)}")
            n = len(columns)
            for row in self.conn.execute(text(q)):
                key, problems, raws = (row[: len(keys)], row[len(keys): len(keys) + n],
                                       row[len(keys) + n:])
                for column, problem, raw in zip(columns, problems, raws, strict=True):
                    if problem is not None:
                        yield DamagedCell(table.name, self.key_text(table, key), column.name,
                                          problem, shown(raw))
        shaped = [(col, self.rule(table, col).json) for col in columns]
        for column, shape in shaped:
            if shape is None:
                continue
            c = self.quote(column.name)
            q = f"SELECT {', '.join(keys)}, {c} FROM {name} WHERE {c} IS NOT NULL"
            for row in self.conn.execute(text(q)).yield_per(2000):
                key, value = row[: len(keys)], row[len(keys)]
                if not json_ok(value, shape):
                    yield DamagedCell(table.name, self.key_text(table, key), column.name,
                                      BAD_JSON, shown(value))
