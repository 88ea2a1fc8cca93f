"""The finance commands of `rma`: trial-balance, journal, refunds, income, close-day and
closed-days, their JSON, their exit codes and the rows close-day leaves behind."""

from __future__ import annotations

import json
from datetime import date

import pytest
from cli_helpers import rma_on
from sqlmodel import select
from test_reads_finance import seed_books
from typer.testing import Result

from rma_tui.store.db import Database
from rma_tui.store.models import DailyClose

# Local days are Shanghai's (the books' refunds fall on 11-21 and 11-22 there).
pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture
def books(db: Database) -> Database:
    """The hand-built books of test_reads_finance."""
    seed_books(db)
    return db


def rma(db: Database, *args: str, user: str = "finance", code: int = 0) -> Result:
    return rma_on(db, *args, user=user, code=code)


def closes(db: Database) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(c.day, c.closed_by) for c in s.exec(select(DailyClose)).all()]


def test_trial_balance_json_and_table(books: Database) -> None:
    data = json.loads(rma(books, "trial-balance", "--json").stdout)
    assert data["debit_fen"] == data["credit_fen"] == 118800
    assert data["balanced"] is True
    by = {a["code"]: a for a in data["accounts"]}
    assert (by["2205"]["balance_fen"], by["2205"]["side"]) == (1800, "credit")
    asof = json.loads(rma(books, "trial-balance", "--until", "2026-11-30", "--json").stdout)
    assert asof["debit_fen"] == 76200
    text = rma(books, "--lang", "en", "trial-balance").stdout
    assert "✓ Balanced" in text and "1188.00" in text
    rma(books, "trial-balance", "--since", "2026-11-31", code=1)  # not a date


def test_journal_filters_and_pages(books: Database) -> None:
    entries = json.loads(rma(books, "journal", "--kind", "refund", "--json").stdout)
    assert [e["kind"] for e in entries] == ["refund", "refund"]
    assert entries[1]["postings"] == [
        {"account": "6003", "debit_fen": 1800, "credit_fen": 0},
        {"account": "2205", "debit_fen": 0, "credit_fen": 1800}]
    page = json.loads(rma(books, "journal", "--limit", "2", "--offset", "1", "--json").stdout)
    everything = json.loads(rma(books, "journal", "--json").stdout)
    assert page == everything[1:3]
    since = json.loads(rma(books, "journal", "--since", "2026-12-01", "--json").stdout)
    assert len(since) == 4
    text = rma(books, "journal", "--limit", "2").stdout
    assert "--offset 2" in text


def test_refunds_by_day_and_method(books: Database) -> None:
    rows = json.loads(rma(books, "refunds", "--json").stdout)
    assert rows == [
        {"day": "2026-11-22", "method": "receivable", "slips": 1, "refund_fen": 1800},
        {"day": "2026-11-21", "method": "credit", "slips": 1, "refund_fen": 1800}]
    text = rma(books, "refunds", "--since", "2026-11-22").stdout
    assert "冲减应收" in text and "储值" not in text


def test_income_by_month(books: Database) -> None:
    rows = json.loads(rma(books, "income", "--json").stdout)
    assert [(r["month"], r["net_sales_fen"], r["cogs_fen"], r["gross_margin_fen"])
            for r in rows] == [("2026-11", 19400, 8400, 11000), ("2026-12", 1200, 0, 1200)]
    assert len(json.loads(rma(books, "income", "--since", "2026-12", "--json").stdout)) == 1
    result = rma(books, "income", "--since", "2026-1", code=1)
    assert "YYYY-MM" in result.stderr


def test_close_day_and_closed_days(books: Database) -> None:
    assert "还没有日结过" in rma(books, "closed-days").stdout
    refused = rma(books, "close-day", "2026-11-21", user="clerk", code=1)
    assert "无权" in refused.stderr
    rma(books, "close-day", "2026-11-21", user="warehouse", code=1)
    assert closes(books) == []
    done = json.loads(rma(books, "close-day", "2026-11-21", "--json").stdout)
    assert (done["day"], done["closed_by"], done["debit_fen"], done["entries"]) == (
        "2026-11-21", "finance", 2600, 2)
    assert closes(books) == [("2026-11-21", "finance")]
    again = rma(books, "close-day", "2026-11-21", code=1)
    assert "已日结" in again.stderr
    assert closes(books) == [("2026-11-21", "finance")]
    future = rma(books, "close-day", "2999-01-01", code=1)
    assert "还没到" in future.stderr
    rma(books, "close-day", "2026-13-01", code=1)
    # No date: today (the real one), by the owner.
    text = rma(books, "close-day", user="owner").stdout
    assert date.today().isoformat() in text
    listed = json.loads(rma(books, "closed-days", "--json").stdout)
    assert [d["day"] for d in listed] == [date.today().isoformat(), "2026-11-21"]
    assert "2026-11-21" in rma(books, "closed-days").stdout
