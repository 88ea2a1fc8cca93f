"""`rma db copy`: an SQLite shop's whole history copied into an empty database —
SQLite or PostgreSQL (the `db` fixture runs this module on both) — row for row with its
ids, verified, and writable afterwards (PostgreSQL's id sequences moved past the copy).
A target with data, or the source itself, is refused with nothing written."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cli_helpers import rma
from conftest import NOW, make_shop
from sqlalchemy import select
from sqlmodel import SQLModel

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade


def source_shop(tmp_path: Path) -> Database:
    """The conftest shop plus a settled return, a settled exchange and a draft (Chinese and
    emoji text): every kind of row a shop has."""
    src = Database(str(tmp_path / "source.db"))
    upgrade(src)
    make_shop(src, now=NOW)
    at = iter(NOW + timedelta(minutes=m) for m in range(1, 100))
    for slip_type, lines in (("return", [sv.LineInput("P1", 1, "quality", "插头松动 🔌")]),
                             ("exchange", [sv.LineInput("P2", 1, "quality", "左耳无声",
                                                        replacement_sku="P2")])):
        n = sv.create_slip(src, "clerk", "SO-1", slip_type, lines, now=next(at)).number
        sv.submit_slip(src, "clerk", n, now=next(at))
        if sv.get_slip(src, n).status == "submitted":
            sv.approve_slip(src, "owner", n, now=next(at))
        sv.receive_slip(src, "warehouse", n, now=next(at))
        sku = lines[0].sku
        sv.inspect_slip(src, "warehouse", n, [sv.GradeInput(sku, 1, 0, 0)], now=next(at))
        sv.settle_slip(src, "finance", n, "original" if slip_type == "return" else "cash",
                       now=next(at))
        sv.add_feedback(src, "clerk", n, 5, "很满意 👍", now=next(at))
    sv.create_slip(src, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "changed_mind")],
                   now=next(at))
    return src


def rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, by primary key; times as aware UTC (SQLite hands them back
    naive), so the two back ends compare equal."""
    out = {}
    with db.read() as s:
        for table in SQLModel.metadata.sorted_tables:
            found = s.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(sv.as_utc(v) if isinstance(v, datetime) else v
                                     for v in r) for r in found]
    return out


def target_arg(db: Database) -> str:
    return db.url.removeprefix("sqlite:///")


def test_copy_is_row_for_row_verified_and_writable(tmp_path: Path, db: Database) -> None:
    src = source_shop(tmp_path)
    before = rows(src)
    r = rma("db", "copy", "--from", str(tmp_path / "source.db"), "--to", target_arg(db))
    assert "校验通过" in r.stdout
    after = rows(db)
    # ids, money, text with emoji, times: all the same; and the copy's audit trail goes on
    # with who made it, from where.
    copied = after.pop("audit_events")[len(before["audit_events"]):]
    assert [(e[4], e[3]) for e in copied] == [("db_copied", "owner")], copied
    assert after.pop("chain_head") != before["chain_head"]
    assert after == {k: v for k, v in before.items() if k not in ("audit_events", "chain_head")}
    assert rows(src) == before  # the source is only read
    assert sv.verify(db).ok
    # New rows get new ids after the copied ones (PostgreSQL: the sequences moved on).
    sv.receive_purchase(db, "warehouse", "P1", 5, now=NOW + timedelta(hours=3))
    n = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "size")],
                       now=NOW + timedelta(hours=3)).number
    assert n not in {s.number for s in sv.list_slips(src)}
    assert sv.verify(db).ok
    src.dispose()


def test_a_target_with_data_is_refused_and_left_alone(tmp_path: Path, db: Database) -> None:
    src = source_shop(tmp_path)
    make_shop(db, now=NOW)
    before = rows(db)
    r = rma("db", "copy", "--from", str(tmp_path / "source.db"), "--to", target_arg(db),
            code=1)
    assert "不是空的" in r.stderr and "Traceback" not in r.stderr
    assert rows(db) == before
    r = rma("--lang", "en", "db", "copy", "--from", str(tmp_path / "source.db"), "--to",
            str(tmp_path / "source.db"), code=1)
    assert "same database" in r.stderr
    r = rma("db", "copy", "--from", str(tmp_path / "nowhere.db"), "--to", target_arg(db),
            code=1)
    assert "nowhere.db" in r.stderr and not (tmp_path / "nowhere.db").exists()
    src.dispose()
