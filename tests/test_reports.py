"""The returns report (`rma_tui.reads.reports`, `rma report returns`) against a small hand-built
shop whose every figure is worked out by hand below.

The shop (conftest `make_shop` plus three sales and four slips; times UTC, the shop's zone
is Asia/Shanghai, UTC+8):

Sales                                               units sold
  SO-1  2026-11-18 10:00  store   张三   3 x P1 @18.00, 1 x P2 @140.00   P1 3, P2 1
  SO-2  2026-11-19 02:00  online  -      5 x P1 @20.00                   P1 5
  SO-3  2026-10-15 10:00  store   -      2 x P1 @18.00                   P1 2

Slips (returns; store fee 10% applies to no-reason only, online fee 0%)
  S1  2026-11-19 10:00  SO-1  1 x P1 quality 18.00 + 1 x P2 damaged 140.00   (draft)
  S2  2026-11-19 17:00  SO-2  2 x P1 changed_mind 2 x 20.00 = 40.00          (draft)
      (= 2026-11-20 01:00 in Shanghai: outside --until 2026-11-19 locally)
  S3  2026-11-20 09:30  SO-2  1 x P1 size 20.00                    REJECTED: never counts
  S4  2026-10-16 10:00  SO-3  1 x P1 wrong_item 18.00                        (draft)
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from cli_helpers import rma_on
from conftest import make_shop

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.reads import reports
from rma_tui.store.db import Database

P1, P2 = "Type-C 数据线", "蓝牙耳机"


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def rshop(db: Database, shanghai_time_and_chinese: None) -> Database:
    """The shop of the module docstring."""
    make_shop(db, now=at(11, 20, 10))
    sv.receive_purchase(db, "owner", "P1", 20, now=at(10, 1, 10))
    sv.record_sales(db, "clerk", [
        sv.SaleInput("SO-2", "online", at(11, 19, 2), [sv.SaleLineInput("P1", 5, 2000)]),
        sv.SaleInput("SO-3", "store", at(10, 15, 10), [sv.SaleLineInput("P1", 2, 1800)]),
    ], now=at(11, 20, 10))
    ret = "return"
    sv.create_slip(db, "clerk", "SO-1", ret, [sv.LineInput("P1", 1, "quality"),
                                              sv.LineInput("P2", 1, "damaged")],
                   now=at(11, 19, 10))
    sv.create_slip(db, "clerk", "SO-2", ret, [sv.LineInput("P1", 2, "changed_mind")],
                   now=at(11, 19, 17))
    # Online slips wait for an approver, so S3 can be rejected rather than auto-approved.
    base = sv.policy()
    online = replace(base.channel("online"), auto_approve=False)
    sv.set_policy(replace(base, channels={**base.channels, "online": online}))
    try:
        s3 = sv.create_slip(db, "clerk", "SO-2", ret, [sv.LineInput("P1", 1, "size")],
                            now=at(11, 20, 9, 30))
        sv.submit_slip(db, "clerk", s3.number, now=at(11, 20, 9, 31))
        v = sv.reject_slip(db, "owner", s3.number, "包装已拆", now=at(11, 20, 9, 40))
        assert v.status == "rejected"
    finally:
        sv.set_policy(None)
    sv.create_slip(db, "clerk", "SO-3", ret, [sv.LineInput("P1", 1, "wrong_item")],
                   now=at(10, 16, 10))
    return db


def table_of(rows: list[reports.ReturnsRow]) -> dict[str, tuple]:
    return {r.key: (r.slips, r.units_claimed, r.value_claimed_fen, r.units_sold, r.rate)
            for r in rows}


def test_by_product(rshop: Database, min_sample) -> None:
    rows = reports.returns_report(rshop, "product")
    assert [(r.key, r.name) for r in rows] == [("P1", P1), ("P2", P2)]  # most units first
    # Default min_sample 20: nobody sold 20 units, so no rate at all.
    assert table_of(rows) == {
        # P1: slips S1, S2, S4 (S3 rejected) = 3; units 1 + 2 + 1 = 4;
        #     refund 1800 + 2*2000 + 1800 = 7600; sold 3 + 5 + 2 = 10
        "P1": (3, 4, 7600, 10, None),
        # P2: S1 only; 1 unit; 14000; sold 1
        "P2": (1, 1, 14000, 1, None),
    }
    min_sample(10)  # P1 sold exactly 10: shown (>=); P2 sold 1: blank
    got = table_of(reports.returns_report(rshop, "product"))
    assert got["P1"][4] == pytest.approx(4 / 10) and got["P2"][4] is None
    min_sample(11)
    assert table_of(reports.returns_report(rshop, "product"))["P1"][4] is None


def test_by_reason(rshop: Database, min_sample) -> None:
    min_sample(5)
    rows = reports.returns_report(rshop, "reason")
    # Units sold for a reason = all units sold in the period: 3 + 1 + 5 + 2 = 11.
    # "size" (S3, rejected) is absent.
    assert [r.key for r in rows] == ["changed_mind", "damaged", "quality", "wrong_item"]
    assert table_of(rows) == {
        "changed_mind": (1, 2, 4000, 11, pytest.approx(2 / 11)),   # S2
        "damaged": (1, 1, 14000, 11, pytest.approx(1 / 11)),       # S1 P2
        "quality": (1, 1, 1800, 11, pytest.approx(1 / 11)),        # S1 P1
        "wrong_item": (1, 1, 1800, 11, pytest.approx(1 / 11)),     # S4
    }


def test_by_channel(rshop: Database, min_sample) -> None:
    min_sample(6)
    assert table_of(reports.returns_report(rshop, "channel")) == {
        # store: S1 + S4 = 2 slips; units 2 + 1 = 3; refund 1800 + 14000 + 1800 = 17600;
        #        sold SO-1 (3 + 1) + SO-3 (2) = 6 >= 6 -> rate 3/6
        "store": (2, 3, 17600, 6, pytest.approx(0.5)),
        # online: S2 only (S3 rejected); 2 units; 4000; sold 5 < 6 -> no rate
        "online": (1, 2, 4000, 5, None),
    }


def test_by_month(rshop: Database, min_sample) -> None:
    min_sample(5)
    rows = reports.returns_report(rshop, "month")
    assert table_of(rows) == {
        # 2026-11: S1 + S2 = 2 slips; units 2 + 2 = 4; refund 15800 + 4000 = 19800;
        #          sold SO-1 4 + SO-2 5 = 9 -> rate 4/9
        "2026-11": (2, 4, 19800, 9, pytest.approx(4 / 9)),
        # 2026-10: S4; 1 unit; 1800; sold SO-3 2 < 5 -> no rate
        "2026-10": (1, 1, 1800, 2, None),
    }


def test_by_customer(rshop: Database) -> None:
    assert table_of(reports.returns_report(rshop, "customer")) == {
        # 张三: S1; 2 units; 1800 + 14000; sold SO-1 3 + 1 = 4
        "13800000001": (1, 2, 15800, 4, None),
        # no customer: S2 + S4; units 2 + 1; 4000 + 1800; sold SO-2 5 + SO-3 2 = 7
        "": (2, 3, 5800, 7, None),
    }


def test_period_uses_local_dates(rshop: Database) -> None:
    # 2026-11-19 local (Shanghai) = 2026-11-18 16:00 .. 2026-11-19 16:00 UTC:
    # slips: S1 (19th 10:00 UTC) in; S2 (19th 17:00 UTC = 20th 01:00 local) out.
    # sales: SO-2 (19th 02:00 UTC) in; SO-1 (18th 10:00 UTC = 18th 18:00 local) out.
    rows = reports.returns_report(rshop, "product", since=date(2026, 11, 19),
                                  until=date(2026, 11, 19))
    assert table_of(rows) == {"P1": (1, 1, 1800, 5, None), "P2": (1, 1, 14000, 0, None)}
    # November only: S1 + S2; P1 sold 3 + 5 = 8
    rows = reports.returns_report(rshop, "product", since=date(2026, 11, 1),
                                  until=date(2026, 11, 30))
    assert table_of(rows)["P1"] == (2, 3, 5800, 8, None)


def test_bad_dimension(rshop: Database) -> None:
    with pytest.raises(DomainError) as e:
        reports.returns_report(rshop, "planet")
    assert e.value.field == "by"


# --- the command line ---------------------------------------------------------------------

rma = rma_on


def test_cli_table(rshop: Database, min_sample) -> None:
    min_sample(5)
    text = rma(rshop, "report", "returns", "--by", "channel").stdout
    lines = {ln.split()[1]: ln for ln in text.splitlines() if "门店" in ln or "线上" in ln}
    store = [c for c in lines[next(k for k in lines if "门店" in k)].split("│") if c.strip()]
    # label, slips, units and value claimed, refunded, exchanged, pending (every slip here
    # is a draft), sold, rate by units, rate by value
    # (claimed 1800 + 14000 + 1800 = 17600 of 3 x 1800 + 14000 + 2 x 1800 = 23000 sold)
    assert [c.strip() for c in store] == [i18n.label("channel", "store", "zh"),
                                          "2", "3", "176.00", "0.00", "0", "3",
                                          "6", "50.0%", "76.5%"]
    assert "申请金额" in text and "待结件数" in text  # titles narrower than 8 cells stay whole
    en = rma(rshop, "--lang", "en", "report", "returns", "--by", "product").stdout
    assert "claimed" in en and "pending" in en and "(value)" in en
    assert "76.00" in en and "140.00" in en and "40.0%" in en


def _claimed(key: str, name: str, slips: int, units: int, value: int, sold: int,
             sold_value: int, rate: float | None = None,
             rate_value: float | None = None) -> dict:
    """A returns row of drafts only: all claimed, all pending, nothing settled."""
    return {"key": key, "name": name, "slips": slips, "units_claimed": units,
            "value_claimed_fen": value, "units_refunded": 0, "refund_fen": 0, "fees_fen": 0,
            "units_exchanged": 0, "value_exchanged_fen": 0, "units_pending": units,
            "value_pending_fen": value, "units_sold": sold, "value_sold_fen": sold_value,
            "rate": rate, "rate_value": rate_value,
            "refund_by_method": dict.fromkeys(sv.REFUND_METHODS, 0)}


def test_cli_json(rshop: Database) -> None:
    data = json.loads(rma(rshop, "report", "returns", "--by", "product", "--format",
                          "json").stdout)
    assert data == [  # sold P1: 3 x 1800 + 5 x 2000 + 2 x 1800 = 19000; P2 14000
        _claimed("P1", P1, 3, 4, 7600, 10, 19000),
        _claimed("P2", P2, 1, 1, 14000, 1, 14000),
    ]
    data = json.loads(rma(rshop, "report", "returns", "--by", "reason", "--format", "json",
                          "--since", "2026-10-01", "--until", "2026-10-31").stdout)
    # October: S4 only; all October sales SO-3 = 2 units
    assert data == [_claimed("wrong_item", i18n.label("reason", "wrong_item", "zh"), 1, 1,
                             1800, 2, 3600)]


def test_cli_csv_out(rshop: Database, min_sample, tmp_path) -> None:
    min_sample(5)
    path = tmp_path / "by_month.csv"
    rma(rshop, "report", "returns", "--by", "month", "--format", "csv", "--out", str(path))
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    # The file's headers are the screen's titles: claimed, refunded (and per method), ...
    head = rows[0]
    assert head[:6] == ["月份", "单据数", "申请件数", "申请金额", "已退款件数", "已退款金额"]
    assert head[6:11] == [f"已退款·{i18n.label('method', m, 'zh')}" for m in sv.REFUND_METHODS]
    assert head[11:] == ["手续费及扣款", "已换货件数", "换货金额", "待结件数", "待结金额",
                         "销售件数", "销售金额", "退货率(件数)", "退货率(金额)"]
    months = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert list(months) == ["2026-10", "2026-11"]  # months in time order
    assert (months["2026-10"]["申请金额"], months["2026-10"]["退货率(件数)"]) == ("18.00", "")
    # November: S1 (1800 + 14000) and S2 (4000); sold SO-1 + SO-2 = 4 + 5 units
    nov = months["2026-11"]
    assert (nov["单据数"], nov["申请件数"], nov["申请金额"], nov["待结金额"]) == (
        "2", "4", "198.00", "198.00")
    assert (nov["销售件数"], nov["销售金额"], nov["退货率(件数)"]) == ("9", "294.00",
                                                                 f"{4 / 9:.4f}")
    assert nov["退货率(金额)"] == f"{19800 / 29400:.4f}"


def test_cli_bad_date(rshop: Database) -> None:
    r = rma(rshop, "report", "returns", "--since", "2026-13-01", code=1)
    assert "--since" in r.stderr and "2026-13-01" in r.stderr
    r = rma(rshop, "--lang", "en", "report", "returns", "--until", "yesterday", code=1)
    assert "--until" in r.stderr
