"""Shared fixtures: a fresh database, and a tiny shop with users, products and one sale."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

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


@pytest.fixture
def db(tmp_path) -> Database:
    """An empty, fully migrated database in a temporary file."""
    d = Database(str(tmp_path / "shop.db"))
    upgrade(d)
    yield d
    d.dispose()


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
