"""`--shop` on the report and finance commands, and `rma report returns --by shop`
on both databases.

The `chain` and `slips` of test_reports_shops: main handled M1 (2 x P1, 36.00 refunded in
cash) and the cancelled M2; east handled E1 (1 x P1, 19.00) and the draft E2 (1 x P2).
A shop's own user gets their shop's figures and is refused another shop's (exit 1, the
service's shop_denied message, nothing printed on stdout); a chain-wide user gets the chain
unless they name a shop.
"""

from __future__ import annotations

import json

import pytest
from cli_helpers import rma_on
from conftest import NOW, Shop
from test_reports_shops import slips
from test_service import sql
from test_shops import chain
from typer.testing import Result

from rma_tui import service as sv
from rma_tui.i18n import t
from rma_tui.reads import finance as fin

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")
# Fixtures imported from other modules, requested by name below.
IMPORTED_FIXTURES = (chain, slips)

DENIED = "用户 clerk_e 属于门店 east，不能在门店 main 操作或查看（字段 shop）"


def rma(chain: Shop, *args: str, user: str = "owner", code: int = 0) -> Result:
    return rma_on(chain.db, *args, user=user, code=code)


def refused_for_clerk_e(chain: Shop, *args: str) -> None:
    """`args --shop main` as east's clerk: exit 1 with shop_denied's message, no output."""
    r = rma(chain, *args, "--shop", "main", user="clerk_e", code=1)
    assert DENIED in r.stderr
    assert r.stdout == ""


def test_returns_by_shop_for_the_owner_and_a_clerk(chain: Shop, slips: dict[str, str]
                                                   ) -> None:
    rows = json.loads(rma(chain, "report", "returns", "--by", "shop", "--format", "json").stdout)
    assert [(r["key"], r["name"], r["slips"], r["units_claimed"], r["value_claimed_fen"],
             r["units_sold"]) for r in rows] == [
        ("east", "东门店", 2, 2, 15900, 2), ("main", "main", 1, 2, 3600, 4),
        ("Σ", "", 3, 4, 19500, 6)]
    # The table: one line per shop and the total, the title says whose figures they are.
    text = rma(chain, "report", "returns", "--by", "shop").stdout
    assert "退换货统计（按门店） · 门店：全部门店" in text
    lines = [ln for ln in text.splitlines() if "东门店" in ln or "合计" in ln]
    assert len(lines) == 2 and "159.00" in lines[0] and "195.00" in lines[1]
    # East's clerk: their shop only, without asking; another shop refused.
    mine = json.loads(rma(chain, "report", "returns", "--by", "shop", "--format", "json",
                          user="clerk_e").stdout)
    assert [(r["key"], r["units_claimed"]) for r in mine] == [("east", 2)]
    refused_for_clerk_e(chain, "report", "returns", "--by", "shop", "--format", "json")
    # The owner names a shop: that shop's products only.
    east = json.loads(rma(chain, "report", "returns", "--shop", "east", "--format",
                          "json").stdout)
    assert [(r["key"], r["units_claimed"], r["units_sold"]) for r in east] == [
        ("P1", 1, 2), ("P2", 1, 0)]
    csv_text = rma(chain, "report", "returns", "--by", "shop", "--format", "csv").stdout
    # key, name, slips, units and value claimed (yuan), as on the screen
    assert [ln.split(",")[:5] for ln in csv_text.splitlines()[1:]] == [
        ["east", "东门店", "2", "2", "159.00"], ["main", "main", "1", "2", "36.00"],
        ["合计", "", "3", "4", "195.00"]]
    unknown = rma(chain, "report", "returns", "--shop", "west", code=1)
    assert "门店“west”不存在" in unknown.stderr


def test_problems_trend_compliance_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    probs = json.loads(rma(chain, "report", "problems", "--format", "json",
                           user="clerk_e").stdout)
    # No rate reaches the minimum sample (20): ranked by value claimed, E2's 140.00 first.
    assert [(p["sku"], p["units_claimed"], p["units_sold"], p["value_claimed_fen"]) for p in probs
            ] == [("P2", 1, 0, 14000), ("P1", 1, 2, 1900)]
    refused_for_clerk_e(chain, "report", "problems")
    trend = json.loads(rma(chain, "report", "trend", "--format", "json", "--shop",
                           "main").stdout)
    # November is still under way on the real clock only if it is November: compare the
    # points and the part-period together.
    got = [*trend["points"], *([trend["partial"]] if trend["partial"] else [])]
    assert [(p["period"], p["slips"], p["units"], p["value_claimed_fen"]) for p in got] == [
        ("2026-11", 1, 2, 3600)]
    refused_for_clerk_e(chain, "report", "trend")
    comp = json.loads(rma(chain, "report", "compliance", "--json", user="clerk_e").stdout)
    assert comp["slips"] == 2
    assert json.loads(rma(chain, "report", "compliance", "--json").stdout)["slips"] == 4
    text = rma(chain, "report", "compliance", "--shop", "east").stdout
    assert text.splitlines()[0] == "门店：east"
    refused_for_clerk_e(chain, "report", "compliance")


def test_finance_reads_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    refunds = json.loads(rma(chain, "refunds", "--json", user="fin_e").stdout)
    assert refunds == [{"day": "2026-11-20", "method": "cash", "slips": 1, "refund_fen": 1900}]
    assert json.loads(rma(chain, "refunds", "--json", "--shop", "main").stdout) == [
        {"day": "2026-11-20", "method": "cash", "slips": 1, "refund_fen": 3600}]
    assert json.loads(rma(chain, "refunds", "--json").stdout)[0]["refund_fen"] == 5500
    # east's trial balance: balanced by itself, its totals those of its own entries.
    tb = json.loads(rma(chain, "trial-balance", "--json", user="fin_e").stdout)
    east_debit = int(sql(chain.db, """SELECT sum(p.debit_fen) FROM postings p JOIN
        journal_entries e ON e.id = p.entry_id WHERE e.shop = 'east'""")[0][0])
    assert (tb["shop"], tb["balanced"], tb["debit_fen"], tb["credit_fen"]) == (
        "east", True, east_debit, east_debit)
    assert json.loads(rma(chain, "trial-balance", "--json").stdout)["shop"] is None
    text = rma(chain, "trial-balance", "--shop", "main").stdout
    assert "门店：main" in text and "✓" in text
    refused_for_clerk_e(chain, "trial-balance")
    entries = json.loads(rma(chain, "journal", "--json", "--limit", "1000",
                             user="fin_e").stdout)
    assert {e["shop"] for e in entries} == {"east"}
    assert len(entries) == int(sql(chain.db, "SELECT count(*) FROM journal_entries "
                                             "WHERE shop = 'east'")[0][0])
    refused_for_clerk_e(chain, "journal")
    income = json.loads(rma(chain, "income", "--json", "--shop", "east").stdout)
    assert [(r["month"], r["gross_sales_fen"], r["returns_fen"], r["cogs_fen"])
            for r in income] == [("2026-11", 3800, 1900, 800)]
    refused_for_clerk_e(chain, "income")


def test_close_day_and_closed_days_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    day = "2026-11-19"  # SO-E1 was sold at east that day
    # A chain-wide finance user must name the shop; nothing is closed.
    r = rma(chain, "close-day", day, user="finance", code=1)
    assert t("shop_required", user="finance", field="shop") in r.stderr
    assert sql(chain.db, "SELECT count(*) FROM daily_closes") == [(0,)]
    east = json.loads(rma(chain, "close-day", day, "--json", user="fin_e").stdout)
    assert (east["shop"], east["closed_by"], east["totals"]["sales"]) == (
        "east", "fin_e", {"cash": 3800})
    r = rma(chain, "close-day", day, "--shop", "main", user="fin_e", code=1)
    assert "用户 fin_e 属于门店 east" in r.stderr
    out = rma(chain, "close-day", day, "--shop", "main", user="finance").stdout
    assert out.splitlines()[0] == "门店：main"
    assert sql(chain.db, "SELECT shop, closed_by FROM daily_closes ORDER BY shop") == [
        ("east", "fin_e"), ("main", "finance")]
    listed = json.loads(rma(chain, "closed-days", "--json").stdout)
    assert [(d["day"], d["shop"]) for d in listed] == [(day, "east"), (day, "main")]
    mine = json.loads(rma(chain, "closed-days", "--json", user="fin_e").stdout)
    assert [(d["day"], d["shop"]) for d in mine] == [(day, "east")]
    r = rma(chain, "closed-days", "--shop", "main", user="fin_e", code=1)
    assert "用户 fin_e 属于门店 east" in r.stderr
    rows = [[w for w in ln.split() if w not in "│┃"] for ln in
            rma(chain, "closed-days").stdout.splitlines() if day in ln]
    assert [r[:2] for r in rows] == [[day, "east"], [day, "main"]]  # a shop column
    assert sv.closed_days(chain.db, shop="main")[0].closed_by == "finance"


def test_a_single_shop_shows_no_shop(shop: Shop) -> None:
    db = shop.db
    sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")], now=NOW)
    text = rma(shop, "report", "returns", "--by", "shop").stdout
    assert "门店：" not in text and "合计" not in text
    assert "main" in text
    tb = json.loads(rma(shop, "trial-balance", "--json").stdout)
    assert "shop" not in tb and tb["balanced"]
    entries = json.loads(rma(shop, "journal", "--json").stdout)
    assert entries and all("shop" not in e for e in entries)
    assert "门店：" not in rma(shop, "trial-balance").stdout
    # A named shop in a single shop: the same figures as the whole.
    assert json.loads(rma(shop, "refunds", "--json", "--shop", "main").stdout) == \
        json.loads(rma(shop, "refunds", "--json").stdout)
    assert fin.trial_balance(db, shop="main").debit_fen == tb["debit_fen"]
