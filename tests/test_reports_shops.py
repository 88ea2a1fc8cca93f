"""Reports, finance and stock reads per shop, on both databases.

On the `chain` of test_shops (shop `main`: SO-1 = 3 x P1 at 18.00 + 1 x P2 at 140.00;
shop `east`: 6 x P1 received, SO-E1 = 2 x P1 at 19.00) the `slips` fixture adds returns
handled in each shop; every figure below is worked out by hand from them. The by-shop rows
add up to the whole chain's, each shop's trial balance balances by itself (also after a
transfer, where 1409 is + in the sender, − in the receiver and 0 for the chain), and a
report asked for without a shop is exactly the chain's.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import NOW, Shop
from test_service import assert_verified, sql
from test_shops import account, chain, level

from rma_tui import service as sv
from rma_tui.reads import finance as fin
from rma_tui.reads import reports
from rma_tui.reads import stock as stock_reads
from rma_tui.reads.compliance import compliance_report
from rma_tui.reads.report_tables import returns_table
from rma_tui.store.db import Database

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")
# Fixtures imported from other modules, requested by name below.
IMPORTED_FIXTURES = (chain,)

L = sv.LineInput
G = sv.GradeInput
TODAY = date(2026, 11, 20)  # NOW in Shanghai


def _settle(db: Database, number: str, ware: str, fin_user: str, grades: list[sv.GradeInput],
            approver: str = "owner") -> None:
    sv.submit_slip(db, sv.get_slip(db, number).created_by, number, now=NOW)
    if sv.get_slip(db, number).status == "submitted":
        sv.approve_slip(db, approver, number, now=NOW)
    sv.receive_slip(db, ware, number, now=NOW)
    sv.inspect_slip(db, ware, number, grades, now=NOW)
    sv.settle_slip(db, fin_user, number, "cash", now=NOW)


@pytest.fixture
def slips(chain: Shop) -> dict[str, str]:
    """Returns in both shops (all made at NOW):

    * M1 (main): 2 x P1 of SO-1, settled in cash: refund 2 x 18.00 = 36.00; one unit back
      on the shelf, one defective.
    * M2 (main): 1 x P2 of SO-1, cancelled (never counts).
    * E1 (east): 1 x P1 of SO-E1, settled in cash: refund 19.00; back on the shelf.
    * E2 (east): 1 x P2 of SO-1 (bought at main, brought back at east), a draft.
    """
    db = chain.db
    m1 = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 2, "quality")], now=NOW)
    _settle(db, m1.number, "warehouse", "finance", [G("P1", 1, 1, 0)])
    m2 = sv.create_slip(db, "clerk", "SO-1", "return", [L("P2", 1, "changed_mind")], now=NOW)
    sv.cancel_slip(db, "clerk", m2.number, "顾客不退了", now=NOW)
    e1 = sv.create_slip(db, "clerk_e", "SO-E1", "return", [L("P1", 1, "quality")], now=NOW)
    _settle(db, e1.number, "ware_e", "fin_e", [G("P1", 1, 0, 0)])
    e2 = sv.create_slip(db, "clerk_e", "SO-1", "return", [L("P2", 1, "damaged")], now=NOW)
    got = {"M1": m1.number, "M2": m2.number, "E1": e1.number, "E2": e2.number}
    assert {k: sv.get_slip(db, n).shop for k, n in got.items()} == {
        "M1": "main", "M2": "main", "E1": "east", "E2": "east"}
    return got


def _p2_refund(db: Database, number: str) -> int:
    """What the draft E2 would refund (its line's refund as stored: 140.00 paid for P2)."""
    return int(sql(db, """SELECT sum(l.refund_fen) FROM slip_lines l JOIN slips s
                          ON s.id = l.slip_id WHERE s.number = :n""", n=number)[0][0])


# ---------------------------------------------------------------------------------------
# The returns report
# ---------------------------------------------------------------------------------------


def test_returns_by_shop_one_row_per_shop_and_the_total(chain: Shop, slips: dict[str, str],
                                                         min_sample) -> None:
    db = chain.db
    min_sample(1)
    e2 = _p2_refund(db, slips["E2"])
    assert e2 == 14000
    rows = reports.returns_report(db, "shop")
    got = [(r.key, r.name, r.slips, r.units_claimed, r.value_claimed_fen, r.units_sold, r.rate)
           for r in rows]
    # main: M1 only (M2 cancelled): 2 units, 36.00; sold 3 + 1 = 4 units there -> 50%.
    # east: E1 + E2: 2 units, 19.00 + 140.00; sold 2 units there -> 100%.
    assert got == [
        ("east", "东门店", 2, 2, 1900 + 14000, 2, 1.0),
        ("main", "main", 1, 2, 3600, 4, 0.5),
        (reports.TOTAL_KEY, "", 3, 4, 3600 + 1900 + 14000, 6, 4 / 6),
    ]
    # The shops add up to the chain's figures, counted another way (by channel, no shop).
    by_channel = reports.returns_report(db, "channel")
    assert sum(r.slips for r in by_channel) == rows[-1].slips
    assert sum(r.units_claimed for r in by_channel) == rows[-1].units_claimed
    assert sum(r.value_claimed_fen for r in by_channel) == rows[-1].value_claimed_fen
    # One shop asked for: its row alone (no total of one).
    assert [(r.key, r.units_claimed, r.units_sold) for r in
            reports.returns_report(db, "shop", shop="main")] == [("main", 2, 4)]
    # A shop with no returns still has its row (the owner compares every shop).
    assert [(r.key, r.slips, r.units_sold) for r in reports.returns_report(
        db, "shop", since=TODAY + timedelta(days=1))] == [
        ("east", 0, 0), ("main", 0, 0), (reports.TOTAL_KEY, 0, 0)]


def test_by_shop_rate_follows_min_sample(chain: Shop, slips: dict[str, str],
                                         min_sample) -> None:
    min_sample(3)  # main sold 4 (rated), east 2 (not), the chain 6 (rated)
    rows = {r.key: r.rate for r in reports.returns_report(chain.db, "shop")}
    assert rows == {"east": None, "main": 0.5, reports.TOTAL_KEY: 4 / 6}


def test_a_single_shop_by_shop_is_one_row(shop: Shop) -> None:
    sv.set_policy(None)
    v = sv.create_slip(shop.db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW)
    rows = reports.returns_report(shop.db, "shop")
    assert [(r.key, r.slips, r.units_claimed, r.units_sold) for r in rows] == [
        ("main", 1, 1, 4)]
    assert v.shop == "main"


def test_returns_report_per_shop_by_product_and_reason(chain: Shop, slips: dict[str, str],
                                                       min_sample) -> None:
    db = chain.db
    min_sample(1)
    east = reports.returns_report(db, "product", shop="east")
    # P1: E1's unit against east's 2 sold; P2: E2's unit, never sold at east (no rate).
    assert [(r.key, r.slips, r.units_claimed, r.value_claimed_fen, r.units_sold, r.rate)
            for r in east] == [("P1", 1, 1, 1900, 2, 0.5), ("P2", 1, 1, 14000, 0, None)]
    main = reports.returns_report(db, "product", shop="main")
    assert [(r.key, r.units_claimed, r.units_sold, r.rate) for r in main] == [
        ("P1", 2, 3, 2 / 3)]
    # Reasons in east, each rated against every unit east sold (2).
    assert [(r.key, r.units_claimed, r.units_sold) for r in
            reports.returns_report(db, "reason", shop="east")] == [
        ("damaged", 1, 2), ("quality", 1, 2)]
    # The chain (no shop) is what it always was: both shops' returns and sales.
    chain_rows = reports.returns_report(db, "product")
    assert [(r.key, r.units_claimed, r.units_sold) for r in chain_rows] == [
        ("P1", 3, 5), ("P2", 1, 1)]
    # by month: the shop's slips in the month (all at NOW)
    assert [(r.key, r.slips, r.units_claimed) for r in
            reports.returns_report(db, "month", shop="east")] == [("2026-11", 2, 2)]


def test_returns_table_shows_the_total_row(chain: Shop, slips: dict[str, str]) -> None:
    table = returns_table(reports.returns_report(chain.db, "shop"), "shop")
    assert [c.header for c in table.columns][:2] == ["门店", "店名"]
    assert [row[0] for row in table.rows] == ["east", "main", "合计"]
    # slips, units and value claimed; units sold further right
    assert table.rows[-1][2:5] == [3, 4, 19500]
    assert table.rows[-1][-4] == 6


def test_problem_products_and_trend_per_shop(chain: Shop, slips: dict[str, str],
                                             min_sample) -> None:
    db = chain.db
    min_sample(1)
    east = reports.problem_products(db, shop="east")
    assert [(p.sku, p.units_claimed, p.units_sold, p.rate, p.value_claimed_fen, p.top_reason)
            for p in east] == [("P1", 1, 2, 0.5, 1900, "quality"),
                               ("P2", 1, 0, None, 14000, "damaged")]
    main = reports.problem_products(db, shop="main")
    assert [(p.sku, p.units_claimed, p.units_sold) for p in main] == [("P1", 2, 3)]
    assert [(p.sku, p.units_claimed, p.units_sold) for p in reports.problem_products(db)] == [
        ("P2", 1, 1), ("P1", 3, 5)]
    # Trend: November's returns per shop; the two shops add up to the chain's.
    pts = {s: reports.trend(db, "month", shop=s) for s in ("main", "east", None)}
    assert [(p.period, p.slips, p.units, p.value_claimed_fen) for p in pts["main"]] == [
        ("2026-11", 1, 2, 3600)]
    assert [(p.period, p.slips, p.units, p.value_claimed_fen) for p in pts["east"]] == [
        ("2026-11", 2, 2, 15900)]
    assert [(p.period, p.slips, p.units, p.value_claimed_fen) for p in pts[None]] == [
        ("2026-11", 3, 4, 19500)]
    tf = reports.trend_forecast(db, "month", today=date(2026, 12, 5), shop="east")
    assert [(p.period, p.units) for p in tf.points] == [("2026-11", 2)]
    assert tf.for_period == "2026-12" and tf.forecast is None  # one period: too short
    # A shop with no returns at all has no trend.
    sv.add_shop(db, "owner", "west", "西门店", now=NOW)
    assert reports.trend(db, "month", shop="west") == []
    assert reports.problem_products(db, shop="west") == []


def test_compliance_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    db = chain.db
    now = NOW + timedelta(days=30)  # E2 has been a draft for 30 days
    main = compliance_report(db, now=now, shop="main")
    east = compliance_report(db, now=now, shop="east")
    whole = compliance_report(db, now=now)
    assert (main.slips, east.slips, whole.slips) == (2, 2, 4)
    # Stays counted per shop add up to the chain's, state by state.
    for state in {st.state for st in whole.states}:
        per = [next((st.stays for st in r.states if st.state == state), 0)
               for r in (main, east)]
        assert sum(per) == next(st.stays for st in whole.states if st.state == state), state
    # M1 and E1 went draft -> settled once each: one stay per state in each shop.
    assert [(st.state, st.stays) for st in east.states] == [
        ("submitted", 1), ("approved", 1), ("received", 1), ("inspected", 1), ("settled", 1)]
    # Settled 30 days ago, over the 168-hour target: each shop sees its own slip only.
    assert [(o.number, o.state) for o in main.overdue] == [(slips["M1"], "settled")]
    assert [(o.number, o.state) for o in east.overdue] == [(slips["E1"], "settled")]
    assert {o.number for o in whole.overdue} == {slips["M1"], slips["E1"]}


# ---------------------------------------------------------------------------------------
# Finance
# ---------------------------------------------------------------------------------------


def test_refunds_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    db = chain.db
    assert fin.refunds_by_day(db, shop="main") == [fin.RefundRow("2026-11-20", "cash", 1, 3600)]
    assert fin.refunds_by_day(db, shop="east") == [fin.RefundRow("2026-11-20", "cash", 1, 1900)]
    assert fin.refunds_by_day(db) == [fin.RefundRow("2026-11-20", "cash", 2, 5500)]
    assert fin.exchanges_by_day(db, shop="east") == []


def test_each_shops_trial_balance_balances(chain: Shop, slips: dict[str, str]) -> None:
    db = chain.db
    tbs = {s: fin.trial_balance(db, shop=s) for s in ("main", "east", None)}
    for s, tb in tbs.items():
        assert tb.balanced and tb.shop == s, s
        assert tb.debit_fen > 0
    # Each entry is one shop's: the shops' totals add up to the chain's, account by account.
    for code in {r.code for r in tbs[None].rows}:
        per = [next(r for r in tbs[s].rows if r.code == code) for s in ("main", "east")]
        whole = next(r for r in tbs[None].rows if r.code == code)
        assert (sum(r.debit_fen for r in per), sum(r.credit_fen for r in per)) == (
            whole.debit_fen, whole.credit_fen), code
    # The trial balance's cash (1001) is the shop's till, as the rows say.
    east_cash = next(r for r in tbs["east"].rows if r.code == "1001")
    assert east_cash.balance_fen == account(db, "1001", "east") == 3800 - 1900
    main_cash = next(r for r in tbs["main"].rows if r.code == "1001")
    assert main_cash.balance_fen == account(db, "1001", "main") == -3600


def test_1409_after_a_transfer(chain: Shop, slips: dict[str, str]) -> None:
    db = chain.db
    sv.transfer_stock(db, "warehouse", "P1", 3, "main", "east", now=NOW)

    def bal(shop: str | None) -> tuple[bool, int]:
        tb = fin.trial_balance(db, shop=shop)
        row = next(r for r in tb.rows if r.code == "1409")
        return tb.balanced, row.balance_fen

    # 3 x P1 at cost 8.00: main's inventory went into 1409, east's came out of it.
    assert bal("main") == (True, 2400)
    assert bal("east") == (True, -2400)
    assert bal(None) == (True, 0)
    assert (account(db, "1409", "main"), account(db, "1409", "east")) == (2400, -2400)
    # The journal per shop: each transfer entry is in its own shop's books.
    east_transfers = fin.journal(db, kind="transfer", shop="east")
    assert [(e.shop, e.debit_fen) for e in east_transfers] == [("east", 2400)]
    assert [p.account for p in east_transfers[0].postings] == ["1405", "1409"]
    # The chain's journal has both (newest first: the receiver's entry was posted last).
    assert [e.shop for e in fin.journal(db, kind="transfer")] == ["east", "main"]
    assert fin.journal_kinds(db, shop="east") == [
        "purchase", "refund", "return_cost", "sale", "transfer"]
    sv.add_shop(db, "owner", "west", "西门店", now=NOW)
    assert fin.journal_kinds(db, shop="west") == []
    west = fin.trial_balance(db, shop="west")
    assert west.balanced and west.debit_fen == 0
    assert_verified(db)


def test_journal_and_income_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    db = chain.db
    east = fin.journal(db, shop="east", limit=1000)
    assert {e.shop for e in east} == {"east"}
    assert sorted(e.entry_id for e in east) == [r[0] for r in sql(
        db, "SELECT id FROM journal_entries WHERE shop = 'east' ORDER BY id")]
    whole = fin.journal(db, limit=1000)
    assert len(whole) == len(east) + len(fin.journal(db, shop="main", limit=1000))
    # east's income: sold 2 x 19.00, gave back 19.00; cost 2 x 8.00 less the unit back.
    (row,) = fin.income_by_month(db, shop="east")
    assert (row.month, row.gross_sales_fen, row.returns_fen, row.cogs_fen) == (
        "2026-11", 3800, 1900, 800)
    # main: 3 x 18.00 + 140.00 sold, 36.00 back; cost 3 x 8.00 + 60.00 less 2 x 8.00.
    (row,) = fin.income_by_month(db, shop="main")
    assert (row.gross_sales_fen, row.returns_fen, row.cogs_fen) == (
        5400 + 14000, 3600, 2400 + 6000 - 1600)
    (row,) = fin.income_by_month(db)
    assert (row.gross_sales_fen, row.returns_fen) == (3800 + 19400, 5500)
    # Receivables: none in either shop; the read filters without failing.
    assert fin.receivable_balance(db, shop="east") == fin.receivable_balance(db) == 0
    assert fin.receivable_adjustments(db, shop="east") == []


# ---------------------------------------------------------------------------------------
# Stock reads
# ---------------------------------------------------------------------------------------


def test_stock_reads_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    db = chain.db
    # main P1: 10 - 3 sold + 1 back (the other unit defective); east P1: 6 - 2 + 1.
    assert (level(db, "P1", "main"), level(db, "P1", "east")) == (8, 5)
    items = {s: stock_reads.stock_item(db, "P1", shop=s) for s in ("main", "east", None)}
    assert [(i.sellable, i.defective) for i in items.values() if i] == [(8, 1), (5, 0), (13, 1)]
    # A product never stocked in a shop still lists there, at zero.
    p2_east = stock_reads.stock_item(db, "P2", shop="east")
    assert p2_east is not None and (p2_east.sellable, p2_east.pending) == (0, 0)
    assert [i.sku for i in stock_reads.stock_items(db, defective_only=True, shop="east")] == []
    assert [i.sku for i in stock_reads.stock_items(db, defective_only=True, shop="main")] == [
        "P1"]
    # P2's reorder point is 2: east has none (low there), main 5 - 1 sold = 4 (not low).
    assert [i.sku for i in stock_reads.stock_items(db, low_only=True, shop="east")] == ["P2"]
    assert [i.sku for i in stock_reads.stock_items(db, low_only=True, shop="main")] == []
    # The ledger: each move with its shop; per shop the moves sum to the shop's levels.
    east_moves = stock_reads.ledger(db, "P1", limit=1000, shop="east")
    assert {m.shop for m in east_moves} == {"east"}
    assert sum(m.qty for m in east_moves if m.location == "sellable") == 5
    main_moves = stock_reads.ledger(db, "P1", limit=1000, shop="main")
    assert sum(m.qty for m in main_moves if m.location == "sellable") == 8
    everything = stock_reads.ledger(db, "P1", limit=1000)
    assert sorted(m.id for m in everything) == sorted(m.id for m in east_moves + main_moves)


def test_supplier_returns_per_shop(chain: Shop, slips: dict[str, str]) -> None:
    db = chain.db
    gt = sv.return_to_supplier(db, "warehouse", "P1", 1, supplier="线材厂", shop="main",
                               now=NOW)
    sums = stock_reads.supplier_summaries(db, shop="main")
    assert [(s.supplier, s.returns, s.units, s.value_fen) for s in sums] == [
        ("线材厂", 1, 1, 800)]
    assert stock_reads.supplier_summaries(db, shop="east") == []
    assert [r.number for r in stock_reads.supplier_return_list(db, shop="main")] == [gt.number]
    assert stock_reads.supplier_return_list(db, shop="east") == []
    assert level(db, "P1", "main", "defective") == 0
