"""`rma backup` / `rma restore`: a consistent, checked copy taken while clerks work, and a
restore that checks the file first, refuses without --force and never half-writes."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import rma, rma_on
from conftest import NOW, make_shop
from migration_scripts import scripts_up_to
from slip_flow import bring, clock, seed_settlement
from sqlalchemy import text

from rma_tui import backup as bk
from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.store.db import Database
from rma_tui.store.migrate import current_revision, head_revision, upgrade

EN = {"RMA_LANG": "en"}


def _file(db: Database) -> Path:
    return Path(db.url.removeprefix("sqlite:///"))


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def _verify_ok(path: Path) -> bool:
    d = Database(str(path))
    try:
        return sv.verify(d).ok
    finally:
        d.dispose()


def _listing(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, but SQLite's shared-memory index (rewritten by any reader)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith("-shm")}


def _shop_with_slips(db: Database) -> None:
    """Three inspected slips, one of them settled."""
    numbers = seed_settlement(db)
    sv.settle_slip(db, "finance", numbers["return"], "cash",
                   now=NOW + timedelta(hours=1))


# --- backup ---------------------------------------------------------------------------------


def test_backup_of_a_shop_with_slips(db: Database, tmp_path: Path) -> None:
    _shop_with_slips(db)
    out = tmp_path / "copy.db"
    res = rma_on(db, "backup", str(out), env=EN)
    assert "Backed up to" in res.stdout and "revision" in res.stdout
    seq, head = sv.chain_head(db)
    assert f"#{seq} {head}" in res.stdout
    assert str(out.stat().st_size) in res.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert _integrity(out) == ["ok"]
    assert _verify_ok(out)
    assert _counts(out) == _counts(_file(db))
    assert _counts(out)["slips"] >= 3
    # No temporary file left behind.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_refuses_existing_file(db: Database, tmp_path: Path) -> None:
    make_shop(db)
    out = tmp_path / "copy.db"
    out.write_bytes(b"keep me")
    before = _listing(tmp_path)
    res = rma_on(db, "backup", str(out), code=1, env=EN)
    assert "already exists" in res.stderr and "--force" in res.stderr
    assert _listing(tmp_path) == before
    res = rma_on(db, "backup", str(out), code=1)
    assert "已存在" in res.stderr
    rma_on(db, "backup", str(out), "--force")
    assert _verify_ok(out) and stat.S_IMODE(out.stat().st_mode) == 0o600


def test_backup_refuses_postgres_url_and_missing_db(tmp_path: Path) -> None:
    res = rma("--db", "postgresql://shop@localhost/rma", "backup", str(tmp_path / "x.db"),
              code=1, env=EN)
    assert "pg_dump" in res.stderr
    res = rma("--db", "postgresql://shop@localhost/rma", "restore", str(tmp_path / "x.db"),
              code=1)
    assert "pg_dump" in res.stderr
    res = rma("--db", str(tmp_path / "nope.db"), "backup", str(tmp_path / "x.db"), code=1,
              env=EN)
    assert "No database" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_backup_while_a_writer_works(db: Database, tmp_path: Path) -> None:
    make_shop(db)
    stop = threading.Event()
    halfway = threading.Event()
    errors: list[BaseException] = []
    done = [0]

    def writer() -> None:
        own = Database(str(_file(db)))
        try:
            i = 0
            while not stop.is_set():
                i += 1
                sv.receive_purchase(own, "warehouse", "P1", 2, note=f"w{i}")
                sv.record_sales(own, "clerk", [sv.SaleInput(
                    f"W-{i}", "store", NOW, [sv.SaleLineInput("P1", 1, 1800)])])
                done[0] = i
                if i == 5:
                    halfway.set()
        except BaseException as e:  # reported by the test
            errors.append(e)
            halfway.set()
        finally:
            own.dispose()

    th = threading.Thread(target=writer)
    th.start()
    try:
        assert halfway.wait(60)
        out = tmp_path / "live.db"
        rma_on(db, "backup", str(out))
        during = done[0]
    finally:
        stop.set()
        th.join(60)
    assert not errors, errors
    assert done[0] > 5 and during >= 5
    assert _integrity(out) == ["ok"]
    assert _verify_ok(out)
    sales = _counts(out)["sales"]
    assert 1 + 5 <= sales <= 1 + done[0]


# --- restore --------------------------------------------------------------------------------


def test_restore_round_trip(db: Database, tmp_path: Path) -> None:
    _shop_with_slips(db)
    saved = tmp_path / "saved.db"
    rma_on(db, "backup", str(saved))
    counts = _counts(saved)
    stock_then = {r.sku: r.sellable for r in sv.stock(db)}
    # Changes after the backup.
    sv.receive_purchase(db, "warehouse", "P2", 7, note="after the backup")
    at = clock(NOW + timedelta(days=1))
    slip = sv.create_slip(db, "clerk", "SO-1", "return",
                          [sv.LineInput("P1", 1, "quality", "后来的")], now=next(at))
    bring(db, slip.number, "approved", at)
    assert _counts(_file(db)) != counts
    db.dispose()  # the test's own pooled connections: restore wants the file to itself
    res = rma_on(db, "restore", str(saved), code=1, env=EN)
    assert "--force" in res.stderr
    res = rma_on(db, "restore", str(saved), "--force", env=EN)
    assert "Restored" in res.stdout and "previous database is kept" in res.stderr
    # The backup's rows, and one audit event more: who restored it, what was kept where.
    assert _counts(_file(db)) == {**counts, "audit_events": counts["audit_events"] + 1}
    last = sv.chain_head(db)[0]
    with db.read() as s:
        event = s.execute(text("SELECT user, action, detail_json FROM audit_events "
                               "WHERE seq = :q"), {"q": last}).one()
    assert event[0] == "owner" and event[1] == "restored"
    assert "before-restore" in json.loads(event[2])["kept"]
    with pytest.raises(DomainError):
        sv.get_slip(db, slip.number)
    assert {r.sku: r.sellable for r in sv.stock(db)} == stock_then
    assert _verify_ok(_file(db))
    assert stat.S_IMODE(_file(db).stat().st_mode) == 0o600
    kept = list(tmp_path.glob("shop.db.before-restore-*"))
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    # The kept file holds the changes made after the backup.
    assert _counts(kept[0])["slips"] == counts["slips"] + 1
    assert not Path(f"{_file(db)}-journal").exists()
    rma_on(db, "verify")


def test_restore_into_a_new_file(db: Database, tmp_path: Path) -> None:
    make_shop(db)
    saved = tmp_path / "saved.db"
    rma_on(db, "backup", str(saved))
    fresh = tmp_path / "sub" / "new.db"
    res = rma("--db", str(fresh), "restore", str(saved))
    assert "before-restore" not in res.stderr
    assert _counts(fresh) == _counts(saved)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_restore_refuses_while_the_database_is_open(db: Database, tmp_path: Path) -> None:
    make_shop(db)
    saved = tmp_path / "saved.db"
    rma_on(db, "backup", str(saved))
    other = Database(str(_file(db)))
    try:
        with other.read() as s:  # another desk has the file open
            s.connection()
            before = _listing(tmp_path)
            res = rma_on(db, "restore", str(saved), "--force", code=1, env=EN)
            assert "open in another program" in res.stderr
            assert _listing(tmp_path).keys() == before.keys()
    finally:
        other.dispose()


@pytest.mark.parametrize("kind", ["garbage", "damaged", "not_rma", "missing", "newer"])
def test_restore_refuses_bad_files(db: Database, tmp_path: Path, kind: str) -> None:
    make_shop(db)
    bad = tmp_path / "bad.db"
    if kind == "garbage":
        bad.write_bytes(os.urandom(8192))
        want = "not an SQLite database file"
    elif kind == "damaged":
        rma_on(db, "backup", str(bad))
        data = bytearray(bad.read_bytes())
        for off in range(4096, len(data), 4096):  # every page but the first
            data[off + 16: off + 600] = os.urandom(584)
        bad.write_bytes(bytes(data))
        want = "damaged"
    elif kind == "not_rma":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()
        conn.close()
        want = "not an rma database"
    elif kind == "newer":
        rma_on(db, "backup", str(bad))
        conn = sqlite3.connect(bad)
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
        conn.close()
        want = "newer program"
    else:
        want = "does not exist"
    db.dispose()
    before = _listing(tmp_path)
    for force in ([], ["--force"]):
        res = rma_on(db, "restore", str(bad), *force, code=1, env=EN)
        assert want in res.stderr and str(bad) in res.stderr, res.stderr
        assert _listing(tmp_path) == before
    res = rma_on(db, "restore", str(bad), code=1)
    assert "未恢复" in res.stderr or "不存在" in res.stderr


def test_restore_over_an_empty_database_needs_no_force(tmp_path: Path) -> None:
    src = Database(str(tmp_path / "src.db"))
    try:
        upgrade(src)
        make_shop(src)
    finally:
        src.dispose()
    saved = tmp_path / "saved.db"
    rma("--db", str(tmp_path / "src.db"), "backup", str(saved))
    empty = tmp_path / "empty.db"
    fresh = Database(str(empty))
    try:
        upgrade(fresh)
    finally:
        fresh.dispose()
    assert not bk.has_data(empty)
    rma("--db", str(empty), "restore", str(saved))
    assert _counts(empty) == _counts(saved)
    assert bk.has_data(empty)


def test_restore_over_a_damaged_database_keeps_its_bytes(db: Database, tmp_path: Path) -> None:
    make_shop(db)
    saved = tmp_path / "saved.db"
    rma_on(db, "backup", str(saved))
    broken = tmp_path / "broken.db"
    junk = b"SQLite format 3\x00" + os.urandom(9000)
    broken.write_bytes(junk)
    res = rma("--db", str(broken), "restore", str(saved), code=1, env=EN)
    assert "--force" in res.stderr and broken.read_bytes() == junk
    rma("--db", str(broken), "restore", str(saved), "--force")
    kept = list(tmp_path.glob("broken.db.before-restore-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == junk
    assert _counts(broken) == _counts(saved) and _verify_ok(broken)


def test_backup_keeps_old_backup_when_forced_over(db: Database, tmp_path: Path) -> None:
    # --force replaces the file only once the new copy is complete and checked.
    make_shop(db)
    out = tmp_path / "copy.db"
    rma_on(db, "backup", str(out))
    sv.receive_purchase(db, "warehouse", "P1", 3)
    rma_on(db, "backup", str(out), "--force")
    assert _counts(out) == _counts(_file(db)) and _verify_ok(out)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []


def test_restore_of_an_older_backup_is_upgraded(tmp_path: Path) -> None:
    old_scripts = scripts_up_to(tmp_path / "migrations-0001", "0001")
    old = tmp_path / "old.db"
    d = Database(str(old))
    try:
        upgrade(d, script_location=old_scripts)
        assert current_revision(d) == "0001"
    finally:
        d.dispose()
    target = tmp_path / "shop.db"
    res = rma("--db", str(target), "restore", str(old), env=EN)
    assert f"schema revision {head_revision()}" in res.stdout
    assert _verify_ok(target)
    # The backup file itself is left as it was.
    assert _counts(old)["alembic_version"] == 1 and _revision(old) == "0001"


def _revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()
