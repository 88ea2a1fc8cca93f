"""Finance reads (rma_tui.reads.finance) on a hand-built shop, every expected figure worked
out by hand below; and the daily close: a closed day takes no more postings.

The books (`seed_books`), times in UTC with the Shanghai local day/month in brackets:

* 10-21 10:00 purchases: P1 10 x 8.00, P2 5 x 60.00         Dr 1405 380.00 / Cr 2202 380.00
* 11-18 12:00 sale SO-1 (wechat): 3 x P1 @18.00, 1 x P2 @140.00
      Dr 1002 194.00 / Cr 6001 194.00; Dr 6401 84.00 / Cr 1405 84.00
* 11-18 12:00 sale SO-A on account (赊账) to 张三: 2 x P1 @18.00
      Dr 1122 36.00 / Cr 6001 36.00; Dr 6401 16.00 / Cr 1405 16.00
* R1 return 1 x P1, settled 11-20 ~17:00 [11-21 01:00], store credit:
      inspect: Dr 1405 8.00 / Cr 6401 8.00; refund: Dr 6003 18.00 / Cr 2205 18.00
* R2 return 1 x P1, settled 11-22 ~02:00 [11-22 10:00], reduce receivable:
      inspect: Dr 1405 8.00 / Cr 6401 8.00; refund: Dr 6003 18.00 / Cr 1122 18.00
* X1 exchange 1 x P1 (paid 18.00) for P2 (150.00), settled 11-30 ~17:25 [12-01], cash:
      customer pays 132.00: inspect Dr 1405 8.00 / Cr 6401 8.00;
      Dr 6003 18.00, Dr 1001 132.00, Dr 6401 60.00 / Cr 6001 150.00, Cr 1405 60.00
* X2 exchange 1 x P2 (paid 140.00, graded defective) for P1 (20.00), [12-01], original
  (wechat, bank): paid back 120.00: inspect Dr 1406 60.00 / Cr 6401 60.00;
      Dr 6003 140.00, Dr 6401 8.00 / Cr 6001 20.00, Cr 1002 120.00, Cr 1405 8.00
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import NOW, make_shop
from slip_flow import bring, clock
from sqlmodel import func, select

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.reads import finance as fin
from rma_tui.store.db import Database
from rma_tui.store.models import AuditEvent, DailyClose, JournalEntry, Posting, Slip

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")

R1_AT = datetime(2026, 11, 20, 16, 55, tzinfo=UTC)
R2_AT = datetime(2026, 11, 22, 1, 55, tzinfo=UTC)
X1_AT = datetime(2026, 11, 30, 17, 20, tzinfo=UTC)
X2_AT = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)
# When the finance clerk closes 2026-11-21 in the seeded books (local 11-22 09:00).
CLOSE_AT = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def seed_books(db: Database, close: bool = False) -> dict[str, str]:
    """The tiny shop plus two settled returns and two settled exchanges (see the module
    docstring); with `close`, 2026-11-21 is closed by finance at `CLOSE_AT`."""
    make_shop(db, now=NOW)
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-A", "store", datetime(2026, 11, 18, 12, 0, tzinfo=UTC),
        [sv.SaleLineInput("P1", 2, 1800)], customer_phone="13800000001",
        payment_method="account")], now=NOW)
    r1 = sv.create_slip(db, "clerk", "SO-1", "return",
                        [sv.LineInput("P1", 1, "quality", "插头松动")], now=R1_AT)
    bring(db, r1.number, "settled", clock(R1_AT), method="credit")
    if close:
        sv.close_day(db, "finance", date(2026, 11, 21), now=CLOSE_AT)
    r2 = sv.create_slip(db, "clerk", "SO-1", "return",
                        [sv.LineInput("P1", 1, "quality", "不充电")], now=R2_AT)
    bring(db, r2.number, "settled", clock(R2_AT), method="receivable")
    x1 = sv.create_slip(db, "clerk", "SO-1", "exchange",
                        [sv.LineInput("P1", 1, "quality", "接触不良", replacement_sku="P2")],
                        now=X1_AT)
    bring(db, x1.number, "settled", clock(X1_AT), method="cash")
    x2 = sv.create_slip(db, "clerk", "SO-1", "exchange",
                        [sv.LineInput("P2", 1, "quality", "左耳无声", replacement_sku="P1")],
                        now=X2_AT)
    bring(db, x2.number, "settled", clock(X2_AT), grades=[sv.GradeInput("P2", 0, 1, 0)],
          method="original")
    return {"r1": r1.number, "r2": r2.number, "x1": x1.number, "x2": x2.number}


@pytest.fixture
def books(db: Database) -> dict[str, str]:
    """`seed_books` on the fresh database."""
    return seed_books(db)


def test_refunds_by_local_day_and_method(db: Database, books: dict[str, str]) -> None:
    # R1 settled 11-20 ~17:00 UTC is 11-21 in Shanghai: grouped by the local day.
    assert fin.refunds_by_day(db) == [
        fin.RefundRow("2026-11-22", "receivable", 1, 1800),
        fin.RefundRow("2026-11-21", "credit", 1, 1800),
    ]
    assert fin.refunds_by_day(db, since=date(2026, 11, 22)) == [
        fin.RefundRow("2026-11-22", "receivable", 1, 1800)]
    assert fin.refunds_by_day(db, until=date(2026, 11, 20)) == []


def test_a_refund_in_the_local_evening_stays_on_its_day(db: Database) -> None:
    """12:00 UTC is 20:00 in Shanghai, the same local day. A day read by shifting a time
    that the database already shows in local time (a PostgreSQL session in the shop's zone,
    which the test server uses) would put it on the next day: the session is UTC."""
    make_shop(db, now=NOW)
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    r = sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")],
                       now=at)
    bring(db, r.number, "settled", clock(at), method="cash")
    assert fin.refunds_by_day(db) == [fin.RefundRow("2026-11-20", "cash", 1, 1800)]
    assert [row.month for row in fin.income_by_month(db)] == ["2026-11"]


def test_exchange_differences_by_day(db: Database, books: dict[str, str]) -> None:
    rows = fin.exchanges_by_day(db)
    assert rows == [fin.ExchangeRow("2026-12-01", 2, 13200, 12000)]
    assert rows[0].net_fen == 1200
    assert fin.exchanges_by_day(db, until=date(2026, 11, 30)) == []


def test_store_credit_liability(db: Database, books: dict[str, str]) -> None:
    liability = fin.credit_liability(db)
    assert (liability.customers_fen, liability.account_fen, liability.holders) == (1800, 1800, 1)
    assert liability.agrees
    assert liability.top == (fin.CreditHolder("张三", "13800000001", 1800),)


def test_receivable_adjustments(db: Database, books: dict[str, str]) -> None:
    rows = fin.receivable_adjustments(db)
    assert [(r.kind, r.slip, r.customer, r.debit_fen, r.credit_fen) for r in rows] == [
        ("refund", books["r2"], "张三", 0, 1800), ("sale", None, None, 3600, 0)]
    assert fin.receivable_balance(db) == 1800  # SO-A's 36.00 less R2's 18.00
    assert fin.receivable_adjustments(db, since=date(2026, 11, 23)) == []


def test_journal_newest_first_paged_and_filtered(db: Database, books: dict[str, str]) -> None:
    everything = fin.journal(db, limit=100)
    # 2 purchases, 1 sale day per payment method, per slip an inspection and a settlement.
    assert len(everything) == 2 + 2 + 4 * 2
    assert [e.at for e in everything] == sorted((e.at for e in everything), reverse=True)
    assert all(e.debit_fen == e.credit_fen for e in everything)
    assert fin.journal(db, limit=3, offset=3) == everything[3:6]
    refunds = fin.journal(db, kind="refund")
    assert [e.slip for e in refunds] == [books["r2"], books["r1"]]
    assert refunds[1].postings == (fin.PostingRow("6003", 1800, 0),
                                   fin.PostingRow("2205", 0, 1800))
    assert [e.kind for e in fin.journal(db, since=date(2026, 12, 1))] == [
        "exchange", "return_cost", "exchange", "return_cost"]
    assert fin.journal_kinds(db) == ["exchange", "purchase", "refund", "return_cost", "sale"]


def test_trial_balance_all_time_and_as_of(db: Database, books: dict[str, str]) -> None:
    tb = fin.trial_balance(db)
    by = {r.code: (r.debit_fen, r.credit_fen, r.balance_fen) for r in tb.rows}
    assert by["1001"] == (13200, 0, 13200)
    assert by["1002"] == (19400, 12000, 7400)
    assert by["1122"] == (3600, 1800, 1800)
    assert by["1405"] == (38000 + 800 * 3, 8400 + 1600 + 6000 + 800, 38000 + 2400 - 16800)
    assert by["1406"] == (6000, 0, 6000)
    assert by["2202"] == (0, 38000, 38000)
    assert by["2205"] == (0, 1800, 1800)
    assert by["6001"] == (0, 19400 + 3600 + 15000 + 2000, 40000)
    assert by["6003"] == (1800 * 3 + 14000, 0, 19400)
    assert by["6401"] == (8400 + 1600 + 6000 + 800, 800 * 3 + 6000, 8400)
    assert by["4001"] == (0, 0, 0)
    assert tb.debit_fen == tb.credit_fen == 118800
    assert tb.balanced
    # As of 11-30 (local): the two exchanges of 12-01 are not in it.
    asof = fin.trial_balance(db, until=date(2026, 11, 30))
    assert asof.debit_fen == asof.credit_fen == 38000 + 27800 + 5200 + 2600 * 2
    # Only December.
    dec = fin.trial_balance(db, since=date(2026, 12, 1))
    assert dec.debit_fen == dec.credit_fen == 800 + 21000 + 6000 + 14800


def test_income_by_month_shows_the_returns(db: Database, books: dict[str, str]) -> None:
    nov, dec = fin.income_by_month(db)
    # November: sales 194.00 + 36.00 on account, returns R1 + R2, COGS 84.00 + 16.00 less
    # two resold cables.
    assert (nov.month, nov.gross_sales_fen, nov.returns_fen, nov.net_sales_fen) == (
        "2026-11", 23000, 3600, 19400)
    assert (nov.cogs_fen, nov.gross_margin_fen, nov.write_off_fen, nov.other_income_fen) == (
        10000 - 1600, 19400 - 8400, 0, 0)
    # December (local; the exchanges were settled 11-30 UTC): replacements sold 170.00,
    # the returned goods 158.00 back; the cost of the replacements equals what came back.
    assert (dec.month, dec.gross_sales_fen, dec.returns_fen, dec.net_sales_fen) == (
        "2026-12", 17000, 15800, 1200)
    assert (dec.cogs_fen, dec.gross_margin_fen) == (0, 1200)
    assert fin.income_by_month(db, since="2026-12") == [dec]
    assert fin.income_by_month(db, until="2026-11") == [nov]
    total = fin.income_total([nov, dec])
    assert (total.net_sales_fen, total.gross_margin_fen) == (20600, 12200)


def test_month_bounds() -> None:
    assert fin.month_start("2026-02") == date(2026, 2, 1)
    assert fin.month_end("2026-02") == date(2026, 2, 28)
    assert fin.month_end("2026-12") == date(2026, 12, 31)
    with pytest.raises(ValueError):
        fin.month_start("2026-2")


# -- daily close ---------------------------------------------------------------------------


def _counts(db: Database) -> tuple[int, int, int, int]:
    with db.read() as s:
        return (s.exec(select(func.count()).select_from(JournalEntry)).one(),
                s.exec(select(func.count()).select_from(Posting)).one(),
                s.exec(select(func.count()).select_from(DailyClose)).one(),
                s.exec(select(func.count()).select_from(AuditEvent)).one())


def test_a_closed_day_takes_no_more_postings(db: Database) -> None:
    make_shop(db, now=NOW)
    slip = sv.create_slip(db, "clerk", "SO-1", "return",
                          [sv.LineInput("P1", 1, "quality", "插头松动")], now=NOW)
    bring(db, slip.number, "inspected", clock(NOW))  # all on 11-20 local (18:0x)
    closed = sv.close_day(db, "finance", date(2026, 11, 21),
                          now=datetime(2026, 11, 22, 1, 0, tzinfo=UTC))
    assert (closed.day, closed.closed_by, closed.entries) == ("2026-11-21", "finance", 0)
    before = _counts(db)
    # 11-21 05:00 UTC is 13:00 local on the closed day: refused, nothing written.
    with pytest.raises(DomainError) as err:
        sv.settle_slip(db, "finance", slip.number, "cash",
                       now=datetime(2026, 11, 21, 5, 0, tzinfo=UTC))
    assert err.value.key == "day_closed"
    assert _counts(db) == before
    with db.read() as s:
        row = s.exec(select(Slip).where(Slip.number == slip.number)).one()
        assert (row.status, row.settled_at, row.refund_method) == ("inspected", None, None)
    # The next day is open.
    sv.settle_slip(db, "finance", slip.number, "cash",
                   now=datetime(2026, 11, 22, 2, 0, tzinfo=UTC))
    assert sv.get_slip(db, slip.number).status == "settled"


def test_close_day_records_the_day_and_is_refused_twice(db: Database,
                                                        books: dict[str, str]) -> None:
    view = sv.close_day(db, "finance", date(2026, 11, 21), now=CLOSE_AT)
    # R1's inspection and refund: 8.00 + 18.00 each side.
    assert (view.debit_fen, view.credit_fen, view.entries) == (2600, 2600, 2)
    assert view.totals["refunds"] == {"credit": 1800}
    assert view.totals["refund_slips"] == {"credit": 1}
    before = _counts(db)
    with pytest.raises(DomainError) as err:
        sv.close_day(db, "finance", date(2026, 11, 21), now=CLOSE_AT)
    assert err.value.key == "day_closed"
    assert _counts(db) == before
    assert [d.day for d in sv.closed_days(db)] == ["2026-11-21"]


def test_close_day_refused_for_clerk_warehouse_and_the_future(db: Database) -> None:
    make_shop(db, now=NOW)
    for user in ("clerk", "warehouse"):
        with pytest.raises(DomainError) as err:
            sv.close_day(db, user, date(2026, 11, 19), now=NOW)
        assert err.value.key == "role_denied"
    with pytest.raises(DomainError) as err:
        sv.close_day(db, "finance", date(2026, 11, 21), now=NOW)  # NOW is 11-20 local
    assert err.value.key == "day_in_future"
    assert _counts(db)[2] == 0
    # The owner may.
    assert sv.close_day(db, "owner", date(2026, 11, 19), now=NOW).closed_by == "owner"
