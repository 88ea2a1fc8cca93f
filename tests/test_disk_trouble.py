"""Disk trouble: the disk fills up during a commit, the file hits a size
limit, the database is read-only. Each time: a clear message naming the trouble (zh and
en), the transaction rolled back (every row of every table as before, `verify` clean), and
the program goes on — the CLI exits 1, the app keeps its screen and does the same write once
the trouble is gone.

A real full disk and a real read-only file system are a small tmpfs, mounted (and
remounted read-only) by root, which CI is. Without root the read-only case uses file
modes instead, and the full-disk cases are skipped, saying why; the file size limit
(RLIMIT_FSIZE) needs no privilege and always runs."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NOW, make_shop
from pilot import settle
from slip_flow import stock_of
from test_screen_stock import fill, highlight, open_stock, said

from rma_tui import service as sv
from rma_tui.app import make_app
from rma_tui.errors import DomainError
from rma_tui.store.db import Database, storage_error
from rma_tui.store.migrate import upgrade
from rma_tui.widgets.stock_form import StockFormDialog

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="mounting a small tmpfs (a disk that can "
                                "really fill up or turn read-only) needs root; CI runs as root")


def fingerprint(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the SQLite file, read with plain sqlite3."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall()
                for t in tables}
    finally:
        con.close()


def checkpoint(path: Path) -> None:
    """Fold the WAL into the file and cut it to nothing, so the next commit must grow it
    (on a full disk an existing WAL would be overwritten in place and need no space)."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        con.close()


def fill_disk(folder: Path) -> Path:
    """Write a filler file until the file system says it is full; return the filler."""
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for size in (65536, 4096, 512, 1):  # big blocks first, then down to the last byte
            while True:
                try:
                    if os.write(fd, block[:size]) < size:
                        break
                except OSError:
                    break
    finally:
        os.close(fd)
    return filler


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs of our own, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount)],
                   check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def shop_at(path: Path) -> Database:
    """The conftest shop in a new file at `path`."""
    d = Database(str(path))
    upgrade(d)
    make_shop(d, now=NOW)
    return d


def new_slip(d: Database) -> str:
    """A clerk's return slip for one cable of SO-1 (several tables written at once)."""
    view = sv.create_slip(d, "clerk", "SO-1", "return",
                          [sv.LineInput("P1", 1, "quality", "插头松动 🔌")], now=NOW)
    return view.number


# -- The translation itself ---------------------------------------------------------------------


@pytest.mark.parametrize(("code", "key"), [
    (13, "db_disk_full"), (8, "db_read_only"), (1032, "db_read_only"), (10, "db_io_error"),
    (778, "db_io_error"), (5, "db_busy"), (11, "db_corrupt"), (26, "db_corrupt"),
    (14, "db_cant_open")])
def test_storage_codes_become_named_errors(code: int, key: str) -> None:
    err = sqlite3.OperationalError("some words")
    err.sqlite_errorcode = code  # type: ignore[attr-defined]
    found = storage_error(err, "/srv/shop.db")
    assert found is not None and found.key == key and found.field == "database"
    for lang in ("zh", "en"):
        text = found.message(lang)
        assert text and "{" not in text
    assert found.message("zh") != found.message("en")


def test_other_database_errors_are_left_alone() -> None:
    err = sqlite3.IntegrityError("UNIQUE constraint failed")
    err.sqlite_errorcode = 2067  # type: ignore[attr-defined]  # SQLITE_CONSTRAINT_UNIQUE
    assert storage_error(err, "x") is None


# -- A full disk during a commit -------------------------------------------------------------


@needs_root
def test_disk_full_during_commit_rolls_back_and_the_next_try_works(small_disk: Path) -> None:
    path = small_disk / "shop.db"
    d = shop_at(path)  # open, as a desk would be: its WAL and shared memory stay
    checkpoint(path)
    before = fingerprint(path)
    filler = fill_disk(small_disk)

    with pytest.raises(DomainError) as caught:
        new_slip(d)
    assert caught.value.key == "db_disk_full", caught.value.__cause__
    assert "磁盘已满" in caught.value.message("zh") and str(path) in caught.value.message("zh")
    assert "disk is full" in caught.value.message("en")
    # SQLite writes a transaction's pages at COMMIT (WAL append): that is what failed.
    assert "COMMIT" in str(caught.value.__cause__) or "full" in str(caught.value.__cause__)
    assert fingerprint(path) == before
    assert sv.list_slips(d) == []

    filler.unlink()  # space again: the same Database (same pool) simply works
    number = new_slip(d)
    assert [s.number for s in sv.list_slips(d)] == [number]
    assert sv.verify(d).ok
    d.dispose()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@needs_root
def test_cli_on_a_full_disk_says_so_and_exits_1(small_disk: Path) -> None:
    path = small_disk / "shop.db"
    desk = shop_at(path)  # a desk has the shop open (its WAL and shared memory exist)
    checkpoint(path)
    before = fingerprint(path)
    filler = fill_disk(small_disk)
    for lang, words in (("zh", "磁盘已满"), ("en", "The disk is full")):
        run = rma_process(path, "--lang", lang, "--user", "warehouse", "purchase", "P1", "5")
        assert run.returncode == 1, run
        assert words in run.stderr and "Traceback" not in run.stderr + run.stdout
    assert fingerprint(path) == before
    filler.unlink()
    run = rma_process(path, "--user", "warehouse", "purchase", "P1", "5")
    assert run.returncode == 0, run.stderr
    assert stock_of(desk, "P1").sellable == 12 and sv.verify(desk).ok
    desk.dispose()


# -- A file size limit (EFBIG: an I/O error at commit) -------------------------------------------


def rma_process(path: Path, *args: str, fsize: int | None = None
                ) -> subprocess.CompletedProcess[str]:
    """`rma --db path args…` in a child process, optionally under a file size limit."""
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = {k: v for k, v in os.environ.items() if not k.startswith("RMA_")}
    env["LANG"] = "C.UTF-8"
    return subprocess.run([sys.executable, "-m", "rma_tui", "--db", str(path), *args],
                          capture_output=True, text=True, env=env, preexec_fn=limit,
                          timeout=120)


def test_file_size_limit_during_commit(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    desk = shop_at(path)  # a desk has the shop open (its WAL and shared memory exist)
    checkpoint(path)
    before = fingerprint(path)
    # Two WAL frames (32 + 2 x 4,120 bytes) do not fit in 8 KiB: the purchase (stock level,
    # move, journal entry with postings, audit event) must fail at its commit.
    run = rma_process(path, "--user", "warehouse", "purchase", "P1", "5", fsize=8192)
    assert run.returncode == 1, run
    assert "读写数据库文件失败" in run.stderr and "Traceback" not in run.stderr
    assert fingerprint(path) == before
    run = rma_process(path, "--user", "warehouse", "purchase", "P1", "5")
    assert run.returncode == 0, run.stderr
    assert stock_of(desk, "P1").sellable == 12 and sv.verify(desk).ok
    desk.dispose()


def test_file_size_limit_when_opening(tmp_path: Path) -> None:
    """Nobody has the shop open: the shared-memory file cannot even be made. Still a named
    error, exit 1, nothing written."""
    path = tmp_path / "shop.db"
    shop_at(path).dispose()
    before = fingerprint(path)
    run = rma_process(path, "--lang", "en", "--user", "warehouse", "purchase", "P1", "5",
                      fsize=8192)
    assert run.returncode == 1, run
    assert "Reading or writing the database file failed" in run.stderr, run.stderr
    assert fingerprint(path) == before


# -- A read-only database ----------------------------------------------------------------------


@pytest.fixture
def read_only_shop(tmp_path: Path) -> Iterator[Path]:
    """A shop whose file cannot be written: a tmpfs remounted read-only (root), or file and
    folder modes (anyone else; root ignores those)."""
    if ROOT:
        mount = tmp_path / "disk"
        mount.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                       check=True)
        made = mount / "made.db"
        shop_at(made).dispose()
        # A WAL database opens read-only only where its -wal and -shm files exist: copy the
        # three while a connection holds them (as on a file system that went read-only
        # under running desks).
        con = sqlite3.connect(made)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        path = mount / "shop.db"
        for suffix in ("", "-wal", "-shm"):
            shutil.copyfile(f"{made}{suffix}", f"{path}{suffix}")
        con.close()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        try:
            yield path
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)
    else:
        path = tmp_path / "shop.db"
        shop_at(path).dispose()
        os.chmod(path, 0o444)
        yield path


def test_read_only_database_refuses_writes_clearly_and_still_reads(read_only_shop: Path) -> None:
    before = fingerprint(read_only_shop)
    run = rma_process(read_only_shop, "--user", "warehouse", "purchase", "P1", "5")
    assert run.returncode == 1, run
    assert "数据库文件只读" in run.stderr and "Traceback" not in run.stderr
    run = rma_process(read_only_shop, "--lang", "en", "--user", "clerk", "stock")
    assert run.returncode == 0, run.stderr  # reading is still fine
    assert "P1" in run.stdout
    assert fingerprint(read_only_shop) == before


# -- The app keeps running -----------------------------------------------------------------------


@needs_root
async def test_app_survives_a_full_disk_and_saves_once_there_is_room(small_disk: Path,
                                                                      chinese_after: None
                                                                      ) -> None:
    path = small_disk / "shop.db"
    shop_at(path).dispose()
    app = make_app(str(path), "warehouse", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stock(pilot)
        checkpoint(path)
        before = fingerprint(path)
        filler = fill_disk(small_disk)
        await highlight(pilot, screen, "P1")
        await pilot.press("p")
        await settle(pilot)
        dialog = await fill(pilot, qty="5", unit_cost="7.50")
        assert isinstance(app.screen, StockFormDialog) and app.screen is dialog  # kept open
        shown = " ".join(str(w.render()) for w in dialog.query("Static") if w.display)
        assert "磁盘已满" in shown
        assert fingerprint(path) == before
        filler.unlink()
        await pilot.press("enter")  # the same dialog, the same values: saved now
        await settle(pilot)
        assert app.screen is screen
        assert "已进货 P1 × 5" in said(screen)
        assert screen.items[0].sellable == 12
        await pilot.press("1")  # and the desk goes on
        await settle(pilot)
    d = Database(str(path))
    assert stock_of(d, "P1").sellable == 12 and sv.verify(d).ok
    d.dispose()
