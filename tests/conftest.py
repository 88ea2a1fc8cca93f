"""Shared fixtures: a fresh database, and a tiny shop with users, products and one sale.

The `db` fixture runs on two back ends: in the modules of `PG_MODULES` every test
that uses `db` runs twice, as `test_x[sqlite]` and `test_x[postgresql]`; elsewhere (and for
tests marked `sqlite_only`) it is an SQLite file only. PostgreSQL databases come from one
server per test process (tests/pgserver.py: a private one, or `RMA_TEST_PG_URL`): a migrated
template database is made once, each test gets `CREATE DATABASE … TEMPLATE` of it (~0.1 s)
and drops it afterwards. Without a server the `[postgresql]` cases are skipped with the
reason shown in pytest's summary; `RMA_TEST_REQUIRE_PG=1` (CI) makes that an error instead.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pgserver
import pytest

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade

# A fixed "now" so windows and slip numbers are deterministic.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def chinese_after() -> Iterator[None]:
    """The process-wide language is back to Chinese after the test."""
    from rma_tui import i18n

    yield
    i18n.set_lang("zh")


@pytest.fixture
def shanghai_time_and_chinese(chinese_after: None) -> Iterator[None]:
    """For app tests: times show in the shop's zone (Asia/Shanghai) whatever the machine's
    zone is, and the process-wide language is back to Chinese after each test."""
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    yield
    if old_tz is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old_tz
    time.tzset()


@pytest.fixture
def min_sample():
    """Set the policy's min_sample for one test; the file's policy is back afterwards."""
    def set_(n: int) -> None:
        sv.set_policy(replace(sv.policy(), min_sample=n))
    yield set_
    sv.set_policy(None)


# Test modules whose `db` tests run on both back ends: the service (with compliance,
# forecast, export, imports, archive), the reads and reports, the CLI and the races.
# Everything else is SQLite by nature (backup, restore, crash, disk trouble, SQLite
# migrations, demo --force) or by cost (the app's Pilot tests; test_bad_input_service,
# whose hypothesis examples each copy an SQLite template file).
PG_MODULES = frozenset({
    "test_service", "test_service_ops", "test_service_reads", "test_reports",
    "test_reports_more", "test_race", "test_concurrency",
    "test_compliance", "test_forecast", "test_export", "test_imports", "test_archive",
    "test_shops", "test_shops_concurrent", "test_reports_shops", "test_migration_0006",
    "test_platforms", "test_reports_columns", "test_receivables",
})
PG_MODULE_PREFIXES = ("test_cli", "test_reads_")
BACKENDS = ("sqlite", "postgresql")
REQUIRE_PG_ENV = "RMA_TEST_REQUIRE_PG"


def runs_on_postgresql(module: str) -> bool:
    """True when the `db` tests of test module `module` (its short name) run on both back
    ends."""
    return module in PG_MODULES or module.startswith(PG_MODULE_PREFIXES)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise `backend` (hence `db`) by back end in the modules of `PG_MODULES`."""
    if "backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rpartition(".")[2]
    if not runs_on_postgresql(module) or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("backend", BACKENDS, indirect=True, ids=BACKENDS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the `[postgresql]` cases `postgresql`, so `-m "not postgresql"` leaves them out."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgresql)


# Why `[postgresql]` tests were skipped, with how many (filled on the process that reports:
# the xdist controller, or the only process).
_pg_skip_reasons: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note each skipped `[postgresql]` test's reason for the closing summary."""
    if report.skipped and report.when == "setup" and "postgresql" in report.keywords:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        _pg_skip_reasons[reason] = _pg_skip_reasons.get(reason, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly when the `[postgresql]` tests did not run, and why, even without -rs
    (`make test` shows no skip reasons by itself): never a silent pass on SQLite alone."""
    if not _pg_skip_reasons:
        return
    terminalreporter.write_sep("=", "PostgreSQL tests skipped", yellow=True)
    for reason, n in sorted(_pg_skip_reasons.items()):
        terminalreporter.write_line(f"{n} [postgresql] tests skipped: {reason}", yellow=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The back end of this test's `db`: "sqlite", or "postgresql" where parametrised."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite file migrated once per test process: each test's `db` is a copy
    (~10 ms instead of ~0.4 s of migrations, for hundreds of tests). Closing the last
    connection checkpoints the WAL, so the one file holds everything."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    d = Database(str(path))
    try:
        upgrade(d)
    finally:
        d.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "template left a WAL behind"
    return path


@dataclass
class PgTemplate:
    """The session's PostgreSQL server and its migrated template database."""

    host: pgserver.PgHost
    template: str


@pytest.fixture(scope="session")
def pg_template() -> Iterator[PgTemplate]:
    """One PostgreSQL server per test process (each xdist worker has its own, or shares
    RMA_TEST_PG_URL under unique database names), started only when a `[postgresql]` test
    runs, with one migrated template database. Skips (or fails, under RMA_TEST_REQUIRE_PG=1)
    when there is no server to be had."""
    reason = pgserver.unavailable_reason()
    if reason:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but PostgreSQL is unavailable: {reason}",
                        pytrace=False)
        pytest.skip(reason=f"PostgreSQL unavailable: {reason}")
    with pgserver.pg_server() as host:
        name = pgserver.fresh_name("tmpl")
        d = Database(host.create_database(name))
        try:
            upgrade(d)
        finally:
            d.dispose()
        yield PgTemplate(host, name)


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty, fully migrated database: a temporary SQLite file `shop.db`, or (backend
    "postgresql") a fresh PostgreSQL database; both copies of a template migrated once."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "shop.db"
        shutil.copy(template, path)  # keeps the template's 0600
        d = Database(str(path))
        yield d
        d.dispose()
        return
    pg: PgTemplate = request.getfixturevalue("pg_template")
    name = pgserver.fresh_name("t")
    d = Database(pg.host.create_database(name, template=pg.template))
    try:
        yield d
    finally:
        d.dispose()
        # WITH (FORCE): a worker process of a failed race test may still be connected.
        pg.host.drop_database(name)


@dataclass
class Shop:
    """The tiny shop: users by role, two products, one customer, one store sale."""

    db: Database
    now: datetime
    order: str = "SO-1"


def make_shop(db: Database, now: datetime = NOW, sold_days_ago: int = 2,
              channel: str = "store") -> Shop:
    """Users owner/boss2 (owners), clerk/clerk2, warehouse, finance; products P1 (cable,
    price 20.00 cost 8.00, reorder 3) and P2 (earphones 150.00 / 60.00, reorder 2), stock
    10 and 5; customer 张三; sale SO-1: 3 x P1 at 18.00 and 1 x P2 at 140.00."""
    sv.add_user(db, None, "owner", "owner", now=now)
    for name, role in [("boss2", "owner"), ("clerk", "clerk"), ("clerk2", "clerk"),
                       ("warehouse", "warehouse"), ("finance", "finance")]:
        sv.add_user(db, "owner", name, role, now=now)
    sv.add_products(db, "owner", [
        sv.ProductInput("P1", "Type-C 数据线", 2000, 800, category="数据线", reorder_point=3),
        sv.ProductInput("P2", "蓝牙耳机", 15000, 6000, category="耳机", reorder_point=2),
    ], now=now)
    sv.add_customers(db, "owner", [sv.CustomerInput("张三", "13800000001", channel)], now=now)
    sv.receive_purchase(db, "owner", "P1", 10, now=now - timedelta(days=30))
    sv.receive_purchase(db, "owner", "P2", 5, now=now - timedelta(days=30))
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-1", channel, now - timedelta(days=sold_days_ago),
        [sv.SaleLineInput("P1", 3, 1800), sv.SaleLineInput("P2", 1, 14000)],
        customer_phone="13800000001", payment_method="wechat")], now=now)
    return Shop(db, now)


@pytest.fixture
def shop(db: Database) -> Shop:
    """The tiny shop of `make_shop` in a fresh database."""
    return make_shop(db)
