"""Bad input at the command line: money options, quantities, unknown
SKUs / sales / slips / users, the wrong role, bad dates, bad choices and malformed specs.

The contract (rma_tui/cli/common.py): a refused request exits 1 with `错误: <message>` (or
`Error: ...` under `--lang en`) on stderr naming the problem; a command line typer cannot
parse exits 2 with its usage text. Never a traceback, never a half-written request: the
database fingerprint is the same before and after every refusal.

Each case runs in-process (tests/cli_helpers.py) on a fresh copy of the seeded shop of
test_bad_input_service (a slip in every state).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import pytest
from cli_helpers import rma_on
from clock import day_from_today
from db_fingerprint import assert_unchanged, fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input_service import PHONE, SHOP, slip
from typer.testing import Result

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.store.db import Database

# RMA_LONG=1 (the battery's long mode) tries ten times as many examples.
LONG = os.environ.get("RMA_LONG") == "1"
# A due date that is in the future whenever the suite runs (see tests/clock.py).
SOON = day_from_today(30)
SETTINGS = settings(max_examples=30 * (10 if LONG else 1), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _chinese_after() -> Iterator[None]:
    """`--lang en` sets the process-wide language: put Chinese back for the next test."""
    yield
    i18n.set_lang("zh")


def refused(db: Database, *args: str, code: int = 1, user: str | None = "owner",
            names: tuple[str, ...] = (), lang: str | None = None) -> Result:
    """Run `rma args` expecting exit `code`; the message (stderr) carries every one of
    `names`, there is no traceback, and nothing was written."""
    before = fingerprint(db)
    login = ("--lang", lang) if lang else ()
    r = rma_on(db, *login, *args, code=code, user=user)
    text = r.stdout + r.stderr
    assert "Traceback" not in text, text
    if code == 1:
        prefix = "Error: " if lang == "en" else "错误: "
        assert r.stderr.startswith(prefix), r.stderr
    else:  # typer's usage error
        assert "Usage:" in r.stderr or r.stderr.startswith("错误: "), r.stderr
    for name in names:
        assert name in r.stderr, (name, r.stderr)
    assert_unchanged(db, before, " ".join(args))
    return r


def sellable(db: Database, sku: str) -> int:
    """Sellable stock of `sku` now."""
    return next(r.sellable for r in sv.stock(db) if r.sku == sku)


# ---------------------------------------------------------------------------------------
# Money options: `purchase --unit-cost`, `supplier-return --credit` (yuan, rma_tui.money)
# ---------------------------------------------------------------------------------------

MONEY_REFUSED = [
    ("1.234", "1.234"), ("-1", "-1"), ("NaN", "NaN"), ("inf", "inf"), ("-inf", "-inf"),
    ("abc", "abc"), ("", "unit_cost"), ("  ", "unit_cost"), ("1,000", "1,000"),
    ("12.505", "12.505"), ("0.001", "0.001"), ("1e-3", "1e-3"), ("¥", "unit_cost"),
    ("1.0000000000000000000000000001", "1.0000000000000000000000000001"),
    ("1e5000", "1e5000"), ("1e999999999", "1e999999999"), ("9" * 40, "unit_cost"),
    ("十二", "十二"), ("12 元 5 角", "12 元 5 角"), ("0x10", "0x10"), ("1/2", "1/2"),
    ("12.5.0", "12.5.0"), ("--", "--"),
]


@pytest.mark.parametrize(("text", "named"), MONEY_REFUSED, ids=[m[0] or "empty"
                                                              for m in MONEY_REFUSED])
def test_bad_money_option_exits_1_naming_it(text: str, named: str) -> None:
    """More than two decimals, negative, NaN, infinity, text, thousands separators, absurdly
    large: exit 1, the message quotes the value (or names the field), nothing written."""
    with SHOP.copy() as db:
        refused(db, "purchase", "P1", "1", "--unit-cost", text, names=(named,),
                user="warehouse")


def test_bad_money_in_english() -> None:
    """The same refusals read in English under --lang en."""
    with SHOP.copy() as db:
        r = refused(db, "purchase", "P1", "1", "--unit-cost", "1.234", lang="en",
                    user="warehouse", names=("1.234", "more than two decimals", "unit_cost"))
        assert "两位" not in r.stderr
        refused(db, "supplier-return", "P1", "1", "--credit", "-5", lang="en",
                user="warehouse", names=("cannot be negative", "credit"))


@pytest.mark.parametrize(("text", "fen"), [("1e3", 100000), ("１２", 1200), ("¥12.50", 1250),
                                           ("12元", 1200), ("12.500", 1250), ("0", 0)])
def test_odd_but_exact_money_is_taken_exactly(text: str, fen: int) -> None:
    """What money.parse_yuan documents as accepted (scientific notation, full-width digits
    from a Chinese IME, a yuan sign, trailing zeros) is taken exactly, never rounded."""
    with SHOP.copy() as db:
        rma_on(db, "purchase", "P1", "1", "--unit-cost", text, user="warehouse")
        assert _last_purchase_cost(db) == fen


def _last_purchase_cost(db: Database) -> int:
    from sqlalchemy import text as sql

    with db.engine.connect() as c:
        detail = c.execute(sql("SELECT detail_json FROM audit_events WHERE action = 'purchase'"
                               " ORDER BY id DESC LIMIT 1")).scalar_one()
    import json

    return int(json.loads(detail)["cost"])


def _expected_fen(text: str) -> int | None:
    """An independent reading of a typed amount: None when it must be refused."""
    raw = text.strip()
    raw = raw.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    if not value.is_zero() and value.adjusted() > 20:
        return None  # far past the service's MAX_FEN (and too big to compute exactly)
    fen = Fraction(value) * 100  # exact, unlike Decimal arithmetic (28 digits)
    if fen.denominator != 1 or fen > sv.MAX_FEN:
        return None
    return int(fen)


@SETTINGS
@given(text=st.one_of(
    st.text(max_size=12),
    st.from_regex(r"\A[-+]?\d{0,12}(\.\d{0,4})?([eE][-+]?\d{1,3})?\Z"),
    st.sampled_from(["NaN", "sNaN", "-0", "+5", "1_000", "٣", "1e-2", "0e5", "1E+2"])))
def test_any_money_text_is_refused_cleanly_or_taken_exactly(text: str) -> None:
    """Whatever is typed for --unit-cost: exit 0 with exactly that many fen posted, or exit
    1 naming unit_cost with nothing written; never a crash, never exit 2."""
    with SHOP.copy() as db:
        before = fingerprint(db)
        from cli_helpers import rma

        r = rma("--db", db.url.removeprefix("sqlite:///"), "--user", "warehouse", "purchase",
                "P1", "1", "--unit-cost", text, code=r_code(db, text))
        assert "Traceback" not in r.stdout + r.stderr
        if r.exit_code == 0:
            assert _last_purchase_cost(db) == _expected_fen(text)
        else:
            assert r.stderr.startswith("错误: ") and "unit_cost" in r.stderr, r.stderr
            assert_unchanged(db, before, f"--unit-cost {text!r}")


def r_code(db: Database, text: str) -> int:
    """The exit code an amount must give: 0 when it is a valid amount, else 1."""
    return 0 if _expected_fen(text) is not None else 1


# ---------------------------------------------------------------------------------------
# Quantities
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "code", "named"), [
    (("purchase", "P1", "0"), 1, ("qty",)),
    (("purchase", "P1", "--", "-3"), 1, ("qty", "-3")),
    (("purchase", "P1", "-3"), 2, ("-3",)),  # typer reads "-3" as an unknown option
    (("purchase", "P1", "9" * 30), 1, ("9" * 30, "qty")),
    (("purchase", "P1", "abc"), 2, ("qty",)),
    (("purchase", "P1", "1.5"), 2, ("qty",)),
    (("purchase", "P1", ""), 2, ("qty",)),
    (("adjust", "P1", "--location", "sellable", "--qty", "0", "--reason", "盘点"), 1, ("qty",)),
    (("adjust", "P1", "--location", "sellable", "--qty", "9" * 30, "--reason", "盘点"), 1,
     ("9" * 30,)),
    (("adjust", "P1", "--location", "sellable", "--qty", "-1000", "--reason", "盘点"), 1,
     ("P1",)),
    (("adjust", "P1", "--location", "sellable", "--qty", "x", "--reason", "盘点"), 2,
     ("--qty",)),
    (("reorder", "P1", "--", "-1"), 1, ("reorder_point",)),
    (("defective", "scrap", "P1", "0"), 1, ("qty",)),
    (("defective", "repair", "P1", "4"), 1, ("P1",)),  # only 3 defective
    (("supplier-return", "P1", "9" * 30), 1, ("qty",)),
    (("feedback", "TH-20261120-0008", "--score", "0"), 1, ("score",)),
    (("feedback", "TH-20261120-0008", "--score", "6"), 1, ("score",)),
    (("feedback", "TH-20261120-0008", "--score", "五"), 2, ("--score",)),
    (("followup", "done", "0"), 1, ("id",)),
    (("followup", "done", "9" * 30), 1, ("id",)),
])
def test_bad_quantity_exits_with_the_exact_code(args: tuple[str, ...], code: int,
                                                named: tuple[str, ...]) -> None:
    """Zero, negative, 30 nines, text and fractions for quantities, scores and ids: exit 1
    (refused by the service) or 2 (not a number at all), named, nothing written."""
    user = "clerk" if args[0] in ("feedback", "followup") else "warehouse"
    with SHOP.copy() as db:
        assert slip("settled") == "TH-20261120-0008"
        refused(db, *args, code=code, user=user, names=named)


@SETTINGS
@given(text=st.one_of(st.text(max_size=8), st.integers(-10**40, 10**40).map(str)))
def test_any_quantity_text_is_refused_cleanly_or_taken_exactly(text: str) -> None:
    """Whatever is typed as the purchase quantity: exit 0 with exactly that many units more,
    exit 1 (a number the service refuses) or exit 2 (not a number), and on a refusal
    nothing written."""
    with SHOP.copy() as db:
        have = sellable(db, "P1")
        before = fingerprint(db)
        from cli_helpers import runner

        r = runner.invoke(_app(), ["--db", db.url.removeprefix("sqlite:///"), "--user",
                                   "warehouse", "purchase", "P1", "--", text])
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        assert r.exit_code in (0, 1, 2), r.exit_code
        assert "Traceback" not in r.stdout + r.stderr
        if r.exit_code == 0:
            assert 0 < int(text) <= sv.MAX_QTY and sellable(db, "P1") == have + int(text)
        else:
            assert r.stderr.strip(), "a refusal says why"
            assert_unchanged(db, before, f"purchase P1 {text!r}")


def _app():  # type: ignore[no-untyped-def]
    from rma_tui.cli import app

    return app


# ---------------------------------------------------------------------------------------
# Unknown things, the wrong person
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "user", "named"), [
    (("purchase", "NOPE", "1"), "warehouse", ("NOPE",)),
    (("purchase", "不存在😀", "1"), "warehouse", ("不存在😀",)),
    (("adjust", "NOPE", "--location", "sellable", "--qty", "1", "--reason", "x"), "warehouse",
     ("NOPE",)),
    (("slip", "create", "--sale", "SO-404", "--type", "return", "--line", "P1:1:quality"),
     "clerk", ("SO-404",)),
    (("slip", "create", "--sale", "SO-2", "--type", "return", "--line", "P9:1:quality"),
     "clerk", ("P9",)),
    (("slip", "create", "--sale", "SO-1", "--type", "return", "--line", "P1:4:quality"),
     "clerk", ("P1",)),
    (("slip", "create", "--sale", "SO-2", "--type", "refund", "--line", "P1:1:quality"),
     "clerk", ("refund",)),
    (("slip", "create", "--sale", "SO-2", "--type", "return", "--line", "P1:1:不喜欢"),
     "clerk", ("不喜欢",)),
    (("slip", "submit", "TH-20990101-0001"), "clerk", ("TH-20990101-0001",)),
    (("slip", "approve", "HH-0"), "owner", ("HH-0",)),
    (("slip", "receive", "TH-X"), "warehouse", ("TH-X",)),
    (("slip", "settle", "TH-20261120-0007", "--method", "bitcoin"), "finance", ("bitcoin",)),
    (("slip", "show", "TH-404"), "clerk", ("TH-404",)),
    (("sale", "show", "SO-404"), "clerk", ("SO-404",)),
    (("stock-ledger", "NOPE"), "clerk", ("NOPE",)),
    (("followup", "add", "13999999999", "--note", "x", "--due", SOON), "clerk",
     ("13999999999",)),
    (("followup", "add", PHONE, "--note", "x", "--due", SOON, "--slip", "TH-404"),
     "clerk", ("TH-404",)),
    (("slip", "reject", "TH-20261120-0002", "--reason", "   "), "owner", ("reason",)),
    (("slip", "cancel", "TH-20261120-0001", "--reason", "x" * 10_000), "clerk", ("reason",)),
    (("purchase", "P1", "1", "--note", "备" * 2001), "warehouse", ("note",)),
])
def test_unknown_things_exit_1_naming_them(args: tuple[str, ...], user: str,
                                           named: tuple[str, ...]) -> None:
    """An unknown SKU, sale, slip, phone or code (any script): exit 1, named, nothing
    written."""
    with SHOP.copy() as db:
        refused(db, *args, user=user, names=named)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("args", "user"), [
    (("purchase", "P1", "1"), "clerk"),
    (("slip", "approve", "TH-20261120-0002", "--override-reason", "x"), "clerk"),
    (("slip", "receive", "TH-20261120-0005"), "finance"),
    (("slip", "settle", "TH-20261120-0007", "--method", "cash"), "warehouse"),
    (("close-day", "2026-11-19"), "clerk"),
    (("user", "add", "新人", "--role", "clerk"), "finance"),
    (("adjust", "P1", "--location", "sellable", "--qty", "1", "--reason", "x"), "finance"),
])
def test_wrong_role_exits_1_naming_the_user(args: tuple[str, ...], user: str,
                                            lang: str) -> None:
    """A user whose role may not do it: exit 1, the message names the user, in Chinese by
    default and in English under --lang en."""
    with SHOP.copy() as db:
        r = refused(db, *args, user=user, names=(user,), lang=lang)
        assert ("may not" in r.stderr) == (lang == "en")


@SETTINGS
@given(name=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                    min_size=1, max_size=20).filter(
    lambda s: s.strip() not in {"owner", "boss2", "clerk", "clerk2", "warehouse", "finance"}
    and s.strip() != "" and not s.startswith("-")))
def test_unknown_user_exits_1_naming_them(name: str) -> None:
    """`--user` nobody registered (any script): exit 1, the message names them (or says
    the user is unknown), nothing written."""
    with SHOP.copy() as db:
        r = refused(db, "purchase", "P1", "1", user=name)
        assert name.strip() in r.stderr or "--user" in r.stderr


# ---------------------------------------------------------------------------------------
# Dates, choices, specs
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "yesterday", "昨天", "2026/11/01",
                                 "20261101", "", "2026-11-01T00:00"])
@pytest.mark.parametrize("where", ["report-since", "report-until", "due", "close-day"])
def test_bad_date_exits_1_naming_it(bad: str, where: str) -> None:
    """A date that is not YYYY-MM-DD or not a real day: exit 1, the value and the option
    named, nothing written."""
    args, user, option = {
        "report-since": (("report", "returns", "--since", bad), "owner", "--since"),
        "report-until": (("report", "returns", "--until", bad), "owner", "--until"),
        "due": (("followup", "add", PHONE, "--note", "x", "--due", bad), "clerk", "--due"),
        "close-day": (("close-day", bad), "finance", "date"),
    }[where]
    with SHOP.copy() as db:
        refused(db, *args, user=user, names=(f"“{bad}”", option))


@pytest.mark.parametrize(("args", "named"), [
    (("--lang", "fr", "stock"), ("--lang", "fr")),
    (("report", "returns", "--format", "pdf"), ("--format", "pdf")),
    (("report", "returns", "--by", "colour"), ("--by", "colour")),
    (("adjust", "P1", "--location", "pending", "--qty", "1", "--reason", "x"),
     ("--location", "pending")),
    (("import", "orders", "x.csv"), ("orders",)),
    (("slip", "create", "--sale", "SO-2", "--type", "return", "--line", "P1:x:quality"),
     ("P1:x:quality",)),
    (("slip", "create", "--sale", "SO-2", "--type", "return", "--line", "P1"), ("P1",)),
    (("slip", "create", "--sale", "SO-2", "--type", "return", "--line", ":1:quality"),
     ("SKU",)),
    (("slip", "create", "--sale", "SO-2", "--type", "return", "--line", "P1:1:quality:P2:x:y"),
     ("P1:1:quality:P2:x:y",)),
    (("slip", "inspect", "TH-20261120-0006", "--grade", "P1:1:0"), ("P1:1:0",)),
    (("slip", "inspect", "TH-20261120-0006", "--grade", "P1:1:0:一"), ("P1:1:0:一",)),
    (("slip", "create", "--type", "return", "--line", "P1:1:quality"), ("--sale",)),
    (("nosuchcommand",), ("nosuchcommand",)),
])
def test_usage_errors_exit_2(args: tuple[str, ...], named: tuple[str, ...]) -> None:
    """A bad choice, a malformed --line / --grade, a missing option: exit 2 with the usage
    hint, the wrong bit named, nothing written."""
    with SHOP.copy() as db:
        refused(db, *args, code=2, names=named)


@pytest.mark.parametrize("args", [("purchase", "P\udcff", "1"),
                                  ("purchase", "P1", "1", "--note", "\udcff")])
def test_undecodable_argument_bytes_exit_1(args: tuple[str, ...]) -> None:
    """`rma purchase $'\\xff' 1` in a shell: a clear refusal, not a traceback."""
    with SHOP.copy() as db:
        refused(db, *args, user="warehouse")


@pytest.mark.parametrize(("args", "code", "named"), [
    (("journal", "--since", "2026-13-01"), 1, ("2026-13-01", "--since")),
    (("journal", "--until", "yesterday"), 1, ("yesterday", "--until")),
    (("trial-balance", "--since", "2026-02-30"), 1, ("2026-02-30", "--since")),
    (("income", "--since", "2026-13"), 1, ("2026-13", "--since")),
    (("income", "--until", "2026-1"), 1, ("2026-1", "--until")),
    (("audit", "--since", "2026-13-01"), 1, ("2026-13-01", "--since")),
    (("audit", "--before", "0"), 2, ("--before",)),
    (("archive", "--period", "2026-13", "--out", "/nonexistent/archive"), 1,
     ("2026-13", "--period")),
    (("archive", "--period", "last month", "--out", "/nonexistent/archive"), 1, ("last month",)),
    (("report", "compliance", "--since", "2026-13-01"), 1, ("2026-13-01", "--since")),
    # A range that ends before it starts, a kind nobody posts, a month not begun: refused,
    # not shown as "nothing found".
    (("report", "returns", "--since", "2026-11-20", "--until", "2026-11-01"), 1,
     ("2026-11-20", "2026-11-01")),
    (("journal", "--since", "2026-11-20", "--until", "2026-11-01"), 1, ("2026-11-20",)),
    (("journal", "--kind", "refnd"), 1, ("refnd", "refund")),
    (("archive", "--period", "2099-01", "--out", "/nonexistent/archive"), 1, ("2099-01",)),
    (("report", "trend", "--period", "day"), 2, ("--period", "day")),
    (("report", "problems", "--limit", "0"), 2, ("--limit",)),
    (("report", "returns", "--format", "xlsx"), 1, ("--out",)),
    (("followup", "list", "--due-by", "2026-13-01"), 1, ("2026-13-01", "--due-by")),
    (("followup", "list", "--all", "--due-by", "2026-11-01"), 1, ("--all", "--due-by")),
    (("customer", "show", "13999999999"), 1, ("13999999999",)),
    (("sale", "list", "--customer", "nobody"), 1, ("nobody",)),
    (("slip", "list", "--status", "bogus"), 1, ("bogus",)),
    (("slip", "list", "--limit", "0"), 2, ("--limit",)),
    (("slip", "list", "--offset", "-1"), 2, ("--offset",)),
    (("closed-days", "--limit", "0"), 2, ("--limit",)),
    (("user", "add", "x", "--role", "boss"), 1, ("boss",)),
    (("user", "add", "", "--role", "clerk"), 1, ("name",)),
    (("user", "add", "x" * 65, "--role", "clerk"), 1, ("name", "64")),
    (("slip", "create", "--sale", "SO-2", "--type", "exchange", "--line", "P1:1:quality:P9"),
     1, ("P9", "replacement_sku")),
    (("slip", "create", "--sale", "SO-2", "--type", "exchange", "--line",
      "P1:1:quality:P2:0"), 1, ("replacement_qty",)),
    (("slip", "create", "--sale", "", "--type", "return", "--line", "P1:1:quality"), 1, ()),
    (("slip", "approve", "TH-20261120-0002"), 1, ("TH-20261120-0002", "reason")),
    (("demo", "--size", "huge"), 2, ("--size", "huge")),
    (("demo",), 1, ("--force",)),
    (("restore", "/nonexistent/backup.db"), 1, ("/nonexistent/backup.db",)),
    (("backup", "/nonexistent/dir/x.db"), 1, ("/nonexistent/dir",)),
])
def test_more_refusals_exit_with_the_exact_code(args: tuple[str, ...], code: int,
                                               named: tuple[str, ...]) -> None:
    """Bad dates, months and periods of the finance, audit, archive and report commands, bad
    limits, a user name that is too long, a demo over data: the exact exit code, the bad
    bit named, nothing written."""
    with SHOP.copy() as db:
        refused(db, *args, code=code, names=named)


SPEC_PART = st.one_of(st.text(max_size=6), st.sampled_from(["P1", "P2", "1", "0", "-1",
                                                            "quality", "size", "9" * 20]))


@SETTINGS
@given(parts=st.lists(SPEC_PART, min_size=1, max_size=6))
def test_any_line_spec_is_refused_cleanly_or_makes_one_draft(parts: list[str]) -> None:
    """`slip create --line` with any text between the colons: exit 0 with one new draft,
    or exit 1 (refused by the service) / 2 (malformed spec) with nothing written; never a
    crash."""
    spec = ":".join(parts)
    with SHOP.copy() as db:
        before = fingerprint(db)
        drafts = len(sv.list_slips(db, status="draft", limit=100))
        from cli_helpers import runner

        r = runner.invoke(_app(), ["--db", db.url.removeprefix("sqlite:///"), "--user", "clerk",
                                   "slip", "create", "--sale", "SO-2", "--type", "return",
                                   "--line", spec])
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        assert r.exit_code in (0, 1, 2) and "Traceback" not in r.stdout + r.stderr
        if r.exit_code == 0:
            assert len(sv.list_slips(db, status="draft", limit=100)) == drafts + 1
        else:
            assert r.stderr.strip()
            assert_unchanged(db, before, f"--line {spec!r}")
