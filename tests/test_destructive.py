"""Commands that could destroy the shop, tried as an attacker would: each is refused with a
clear message and the database is unchanged (every row of every table, compared), or, done
by the owner with their PIN, the data it replaces is kept and the deed is audited.

1. an output path that is the database, its log, its lock or a kept copy (`--out`, backup
   FILE, `db copy --to`, the archive's files); an existing file without --force;
2. `demo --force` over a real shop by a clerk / an owner without the PIN;
3. `restore --force` by a clerk or a nobody;
4. purchases whose totals would overflow the books, and stock past its cap;
5. (verify's blind spots: tests/test_verify_damage.py);
6. dates in year 1 or 9999;
7. a shop's clerk archiving or reading the audit trail of the whole chain;
8. a SIGKILLed `rma demo`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import db_arg, rma, rma_on
from conftest import NOW, make_shop
from db_fingerprint import assert_unchanged, fingerprint
from test_shops import open_east

from rma_tui import demo
from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.store.db import Database

pytestmark = pytest.mark.sqlite_only
ROOT = Path(__file__).resolve().parent.parent
PIN = "8642"


@pytest.fixture
def shop(db: Database) -> Iterator[Database]:
    """The tiny shop with a return settled; its owner has a PIN (so PINs are in use)."""
    make_shop(db)
    n = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                       now=NOW).number
    for fn, who in ((sv.submit_slip, "clerk"), (sv.receive_slip, "warehouse")):
        fn(db, who, n, now=NOW)
    sv.inspect_slip(db, "warehouse", n, [sv.GradeInput("P1", 1, 0, 0)], now=NOW)
    sv.settle_slip(db, "finance", n, "cash", now=NOW)
    sv.set_pin(db, "owner", "owner", PIN, now=NOW)
    yield db


def file_of(db: Database) -> Path:
    assert db.file is not None
    return db.file


OWNER = {"RMA_PIN": PIN}


def refused(db: Database, *args: str, user: str = "owner", env: dict[str, str | None] | None
            = None, names: tuple[str, ...] = ()) -> str:
    """`rma args` exits 1 naming `names`, with no traceback, and the database is as it was
    (every row of every table, and its schema)."""
    db.dispose()
    before = fingerprint(file_of(db))
    r = rma_on(db, *args, user=user, env=env or OWNER, code=1)
    assert "Traceback" not in r.stdout + r.stderr
    assert r.stderr.startswith("错误: "), r.stderr
    for name in names:
        assert name in r.stderr, (name, r.stderr)
    assert_unchanged(db, before, " ".join(args))
    return r.stderr


# -- 1. output paths -----------------------------------------------------------------------


@pytest.mark.parametrize("report", [
    ("report", "returns", "--by", "product", "--format", "csv"),
    ("report", "returns", "--format", "xlsx"), ("report", "problems", "--format", "csv"),
    ("report", "trend", "--format", "json"), ("report", "compliance", "--format", "xlsx"),
])
def test_no_report_is_written_over_the_database_or_its_files(shop: Database, tmp_path: Path,
                                                             report: tuple[str, ...]) -> None:
    db_file = file_of(shop)
    link = tmp_path / "innocent.csv"
    link.symlink_to(db_file)
    hard = tmp_path / "hard.csv"
    os.link(db_file, hard)
    for target in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm"),
                   db_file.with_name(db_file.name + ".bak-0006-20261201T000000Z"), link, hard):
        for force in ((), ("--force",)):
            said = refused(shop, *report, "--out", str(target), *force)
            assert "数据库" in said
    assert sv.verify(shop).ok


def test_an_existing_file_is_replaced_only_with_force(shop: Database, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    out.write_text("mine", encoding="utf-8")
    said = refused(shop, "report", "returns", "--format", "csv", "--out", str(out))
    assert "--force" in said and out.read_text(encoding="utf-8") == "mine"
    rma_on(shop, "report", "returns", "--format", "csv", "--out", str(out), "--force",
           user="owner", env=OWNER)
    # The file is the report's: its titled columns and the one return of P1.
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("商品编码,品名,单据数,申请件数,申请金额,")
    assert lines[1].startswith("P1,")


def test_backup_copy_and_archive_never_write_over_the_database(shop: Database,
                                                               tmp_path: Path) -> None:
    db_file = file_of(shop)
    refused(shop, "backup", f"{db_file}-wal", "--force", names=("数据库",))
    refused(shop, "backup", str(db_file.with_name(db_file.name + ".before-restore-x")),
            "--force")
    shop.dispose()
    before = fingerprint(db_file)
    r = rma("db", "copy", "--from", str(db_file), "--to", f"{db_file}-wal", code=1,
            env={"RMA_USER": "owner", **OWNER})
    assert "数据库" in r.stderr and "Traceback" not in r.stderr
    assert_unchanged(shop, before, "db copy --to the WAL")


# -- 2. demo --force -------------------------------------------------------------------------


def _fake_demo(db: Database, seed: int = 42, size: str = "small", progress=None):  # type: ignore[no-untyped-def]
    """A tiny stand-in for the demo builder (the real one takes seconds)."""
    sv.add_user(db, None, "owner", "owner", now=NOW)
    return demo.DemoSummary(seed=seed, size=size)


def test_demo_force_needs_the_owner_and_keeps_the_shop(shop: Database, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "build_demo", _fake_demo)
    said = refused(shop, "demo", "--force", user="clerk", names=("clerk",))
    assert "店主" in said  # who may: the owner
    refused(shop, "demo", "--force", user="nobody", names=("nobody",))
    # A wrong PIN: refused; the only thing written is the wrong PIN counted.
    shop.dispose()
    before = fingerprint(file_of(shop))
    r = rma_on(shop, "demo", "--force", user="owner", env={"RMA_PIN": "0000"}, code=1)
    assert "PIN" in r.stderr
    after = fingerprint(file_of(shop))
    assert [k for k in after if after[k] != before[k]] == ["users"]
    assert sv.sign_in(shop, "owner", PIN).name == "owner"  # which also clears the count
    refused(shop, "demo", "--force", user="owner", env={"RMA_PIN": None}, names=("RMA_PIN",))
    refused(shop, "demo", user="owner")  # no --force: a shop with data is never replaced
    shop.dispose()
    before = fingerprint(file_of(shop))
    r = rma_on(shop, "demo", "--force", user="owner", env=OWNER)
    assert "保留" in r.stderr
    kept = list(tmp_path.glob(file_of(shop).name + ".before-demo-*"))
    assert len(kept) == 1
    old = fingerprint(kept[0])
    assert {k: v for k, v in old.items() if k != "sqlite_master"} == {
        k: v for k, v in before.items() if k != "sqlite_master"}  # every row kept
    # The new shop's trail says who replaced what, and where it went.
    events = json.loads(rma_on(shop, "audit", "--action", "demo_replaced", "--json",
                               user="owner").stdout)["events"]
    assert [(e["user"], e["detail"]["kept"]) for e in events] == [("owner", str(kept[0]))]


def test_an_owner_without_a_pin_may_not_replace_a_shop_that_uses_pins(
        shop: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "build_demo", _fake_demo)
    assert sv.get_user(shop, "boss2") is not None  # the tiny shop's second owner, no PIN
    refused(shop, "demo", "--force", user="boss2", env={"RMA_PIN": None},
            names=("boss2", "rma user pin"))


# -- 3. restore ------------------------------------------------------------------------------


def test_restore_needs_the_owner(shop: Database, tmp_path: Path) -> None:
    saved = tmp_path / "saved.db"
    rma_on(shop, "backup", str(saved), user="owner", env=OWNER)
    sv.receive_purchase(shop, "warehouse", "P2", 1, now=NOW + timedelta(hours=1))
    for user in ("clerk", "nobody", "finance"):
        refused(shop, "restore", str(saved), "--force", user=user, names=(user,))
    assert not list(tmp_path.glob("*.before-restore-*"))
    shop.dispose()
    rma_on(shop, "restore", str(saved), "--force", user="owner", env=OWNER)
    assert len(list(tmp_path.glob("*.before-restore-*"))) == 1


# -- 4. totals bounded -----------------------------------------------------------------------


def test_purchases_cannot_overflow_the_books_or_the_shelf(shop: Database) -> None:
    for _ in range(10):
        said = refused(shop, "purchase", "P1", "1000000", "--unit-cost", "9999999999.99",
                       user="warehouse")
        assert "上限" in said
    with pytest.raises(DomainError) as info:
        sv.receive_purchase(shop, "warehouse", "P1", sv.MAX_QTY, unit_cost_fen=100, now=NOW)
    assert info.value.key == "stock_too_large"  # 10 on the shelf + 1,000,000 > the cap
    with pytest.raises(DomainError) as info:
        sv.receive_purchase(shop, "warehouse", "P1", sv.MAX_QTY, unit_cost_fen=sv.MAX_FEN,
                            now=NOW)
    assert info.value.key in ("amount_too_large", "stock_too_large")
    for args in (("verify",), ("trial-balance",), ("income",)):
        r = rma_on(shop, *args, user="owner", env=OWNER)
        assert "Traceback" not in r.stdout + r.stderr


# -- 6. dates in year 1 or 9999 --------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("followup", "add", "13800000001", "--note", "x", "--due", "0001-01-01"),
    ("followup", "add", "13800000001", "--note", "x", "--due", "9999-12-31"),
    ("report", "returns", "--since", "0001-01-01"), ("report", "returns", "--until", "9999-12-31"),
    ("audit", "--since", "0001-01-01"), ("audit", "--until", "9999-12-31"),
    ("close-day", "0001-01-01"), ("close-day", "9999-12-31"),
    ("journal", "--since", "0001-01-01"), ("income", "--since", "0001-01"),
    ("report", "compliance", "--until", "9999-12-31"),
    ("followup", "list", "--due-by", "9999-12-31"),
])
def test_dates_out_of_range_are_refused_by_name(shop: Database, args: tuple[str, ...]) -> None:
    refused(shop, *args, names=(args[-1][:4],))


def test_a_sales_file_dated_year_one_is_refused(shop: Database, tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("order,sold_at,channel,sku,qty,unit_price\nX1,0001-01-01 10:00,store,P1,1,1.00\n",
                 encoding="utf-8")
    refused(shop, "import", "sales", str(f), names=("sold_at", "0001-01-01"))


# -- 7. a shop's clerk and the chain's books -------------------------------------------------


def test_a_shops_clerk_sees_only_their_shop_in_the_trail_and_may_not_archive(
        shop: Database, tmp_path: Path) -> None:
    open_east(shop)
    main_events = json.loads(rma_on(shop, "audit", "--limit", "10000", "--json",
                                    user="owner", env=OWNER).stdout)["events"]
    assert any(e["action"] == "settle" for e in main_events)
    mine = json.loads(rma_on(shop, "audit", "--limit", "10000", "--json",
                             user="clerk_e").stdout)["events"]
    # East's own events only: its users, its stock in, its sale; none of main's slips,
    # settlements, stock or books.
    assert all(e["slip"] is None for e in mine)  # east has no slips; main's are hidden
    assert {e["action"] for e in mine} == {"user_add", "purchase", "sale_import"}
    assert all(e["detail"].get("shop") == "east" for e in mine)
    refused(shop, "archive", "--period", "2026-11", "--out", str(tmp_path / "arc"),
            user="clerk_e", names=("clerk_e",))
    for user in ("fin_e", "boss_e"):  # even east's own finance and owner: not the chain's
        refused(shop, "archive", "--period", "2026-11", "--out", str(tmp_path / "arc"),
                user=user, names=(user,))
    assert not (tmp_path / "arc").exists()


def test_archive_force_over_an_older_one_keeps_it(shop: Database, tmp_path: Path) -> None:
    out = tmp_path / "arc"
    rma_on(shop, "archive", "--period", "2026-11", "--out", str(out), user="owner", env=OWNER)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    refused(shop, "archive", "--period", "2026-11", "--out", str(out), "--force",
            user="finance", names=("finance",))
    rma_on(shop, "archive", "--period", "2026-11", "--out", str(out), "--force",
           user="owner", env=OWNER)
    kept = list(tmp_path.glob("arc.before-*"))
    assert len(kept) == 1 and {p.name: p.read_bytes() for p in kept[0].iterdir()} == first
    events = json.loads(rma_on(shop, "audit", "--action", "archive_replaced", "--json",
                               user="owner", env=OWNER).stdout)["events"]
    assert events and events[0]["detail"]["kept"] == str(kept[0])


# -- 8. a SIGKILLed demo ---------------------------------------------------------------------


def test_a_killed_demo_leaves_nothing_half_built(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shop.db"
    building = tmp_path / "shop.db.demo-building"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RMA_")}
    env.update({"PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"})
    child = subprocess.Popen([sys.executable, "-m", "rma_tui", "--db", str(path), "demo"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (building.exists() and building.stat().st_size > 200_000):
            assert child.poll() is None, "the demo ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert not path.exists()  # the shop was never half there
    # A rerun is not refused; it clears what the killed one left.
    monkeypatch.setattr(demo, "build_demo", _fake_demo)
    rma("--db", str(path), "demo")
    assert path.exists() and not building.exists()
    assert not list(tmp_path.glob("shop.db.demo-building*"))
    d = Database(str(path))
    try:
        assert sv.verify(d).ok and sv.get_user(d, "owner") is not None
    finally:
        d.dispose()


def test_a_killed_demo_over_a_shop_leaves_the_shop(shop: Database) -> None:
    db_file = file_of(shop)
    shop.dispose()
    before = fingerprint(db_file)
    building = db_file.with_name(db_file.name + ".demo-building")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RMA_")}
    env.update({"PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "RMA_USER": "owner",
                "RMA_PIN": PIN})
    child = subprocess.Popen([sys.executable, "-m", "rma_tui", "--db", db_arg(shop), "demo",
                              "--force"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (building.exists() and building.stat().st_size > 200_000):
            assert child.poll() is None, "the demo ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert_unchanged(shop, before, "killed demo --force")
    assert sv.verify(shop).ok


def test_the_service_says_who_may_and_which_days(shop: Database) -> None:
    """The rules behind the refusals above, by key."""
    from datetime import date

    def key(call: object) -> str:
        with pytest.raises(DomainError) as info:
            call()  # type: ignore[operator]
        return info.value.key

    assert sv.authorize_destructive(shop, "owner").name == "owner"
    assert key(lambda: sv.authorize_destructive(shop, "boss2")) == "destructive_needs_pin"
    assert key(lambda: sv.authorize_destructive(shop, "clerk")) == "role_denied"
    open_east(shop)
    assert sv.authorize_archive(shop, "finance").name == "finance"
    assert key(lambda: sv.authorize_archive(shop, "fin_e")) == "archive_chain_only"
    assert key(lambda: sv.authorize_archive(shop, "clerk")) == "role_denied"
    assert key(lambda: sv.check_day(date(1, 1, 1))) == "date_out_of_range"
    assert key(lambda: sv.day_bounds(date(9999, 12, 31))) == "date_out_of_range"
    assert sv.check_day(date(2026, 12, 3)) == date(2026, 12, 3)
    from datetime import UTC, datetime

    assert key(lambda: sv.record_sales(shop, "clerk", [sv.SaleInput(
        "OLD-1", "store", datetime(1, 1, 1, tzinfo=UTC), [sv.SaleLineInput("P1", 1, 100)])],
        now=NOW, shop="main")) == "date_out_of_range"
    assert key(lambda: sv.receive_purchase(shop, "warehouse", "P1", 1000,
                                           unit_cost_fen=sv.MAX_FEN, now=NOW, shop="main")
               ) == "amount_too_large"
