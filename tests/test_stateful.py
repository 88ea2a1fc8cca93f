"""Random sequences of the whole desk (hypothesis stateful): sales, returns, exchanges,
approvals, rejections, cancellations, goods in, inspection, settlement, feedback, time
passing and replayed request ids. After every step the invariants hold: `verify()` and an
independent recomputation of I1 (levels = Σ moves, never negative), I2 (every entry
balances), I3 (returned ≤ sold), I4 (refunded ≤ paid) and store credit = its ledger account.

A refused action (DomainError) is allowed, but must leave every row as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from conftest import NOW
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import text
from sqlmodel import SQLModel

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade

SKUS = ("P1", "P2", "P3", "P4")
PHONES = ("13800000001", "13800000002")
REASONS = sv.REASONS
APPROVERS = ("owner", "boss2", "finance", "clerk")
CREATORS = ("clerk", "clerk2", "owner")

_TEMPLATE: Path | None = None


def _template() -> Path:
    """Build the small shop once; every example starts from a copy of its file."""
    global _TEMPLATE
    if _TEMPLATE is not None and _TEMPLATE.exists():
        return _TEMPLATE
    folder = Path(tempfile.mkdtemp(prefix="rma-stateful-tpl-"))
    path = folder / "template.db"
    db = Database(str(path))
    upgrade(db)
    t0 = NOW - timedelta(days=40)
    sv.add_user(db, None, "owner", "owner", now=t0)
    for name, role in [("boss2", "owner"), ("clerk", "clerk"), ("clerk2", "clerk"),
                       ("warehouse", "warehouse"), ("finance", "finance")]:
        sv.add_user(db, "owner", name, role, now=t0)
    sv.add_products(db, "owner", [
        sv.ProductInput("P1", "Type-C 数据线", 2000, 800, category="数据线", reorder_point=3),
        sv.ProductInput("P2", "蓝牙耳机", 15000, 6000, category="耳机", reorder_point=2),
        sv.ProductInput("P3", "定制手机壳", 5000, 2000, category="定制", reorder_point=0),
        sv.ProductInput("P4", "充值卡", 10000, 9000, category="数码卡券", reorder_point=1),
    ], now=t0)
    sv.add_customers(db, "owner", [sv.CustomerInput("张三", PHONES[0], "store"),
                                   sv.CustomerInput("李四", PHONES[1], "online")], now=t0)
    for sku, qty in [("P1", 12), ("P2", 6), ("P3", 4), ("P4", 4)]:
        sv.receive_purchase(db, "owner", sku, qty, now=t0)
    SL = sv.SaleLineInput
    sv.record_sales(db, "clerk", [
        sv.SaleInput("SO-1", "store", NOW - timedelta(days=2), [SL("P1", 3, 1800),
                                                                SL("P2", 1, 14000)],
                     customer_phone=PHONES[0], payment_method="wechat"),
        sv.SaleInput("SO-2", "online", NOW - timedelta(days=5), [SL("P2", 2, 15000),
                                                                 SL("P4", 1, 10000)],
                     customer_phone=PHONES[1], payment_method="alipay"),
        sv.SaleInput("SO-3", "store", NOW - timedelta(days=10), [SL("P3", 2, 5000),
                                                                 SL("P1", 2, 2000)]),
    ], now=t0)
    db.dispose()
    _TEMPLATE = path
    return path


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as c:
        return {t.name: sorted((tuple(r) for r in c.execute(text(f"SELECT * FROM {t.name}"))),
                               key=repr)
                for t in SQLModel.metadata.sorted_tables}


class ShopMachine(RuleBasedStateMachine):
    """The desk under random use."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="rma-stateful-"))
        shutil.copy(_template(), self.dir / "shop.db")
        self.db = Database(str(self.dir / "shop.db"))
        self.now = NOW
        self.orders = ["SO-1", "SO-2", "SO-3"]
        self.numbers: list[str] = []
        # The lifecycle as this test believes it: slip number -> status.
        self.status: dict[str, str] = {}
        self.seq = 0
        # The last successful call made with a request id: (fn, args, kwargs, number).
        self.last: tuple[Callable[..., sv.SlipView], tuple[Any, ...], dict[str, Any], str] | None
        self.last = None

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------

    def _rid(self, data: st.DataObject) -> str | None:
        if data.draw(st.booleans(), label="with_request_id"):
            self.seq += 1
            return f"req-{self.seq}"
        return None

    def _do(self, fn: Callable[..., Any], *args: Any, request_id: str | None = None,
            **kwargs: Any) -> Any:
        """Call fn; a refusal must write nothing. Remember calls made with a request id."""
        before = dump(self.db)
        if request_id is not None:
            kwargs["request_id"] = request_id
        try:
            res = fn(self.db, *args, now=self.now, **kwargs)
        except DomainError as e:
            assert dump(self.db) == before, f"{e.key} wrote rows"
            return None
        if request_id is not None and isinstance(res, sv.SlipView):
            self.last = (fn, args, {**kwargs, "now": self.now}, res.number)
        if isinstance(res, sv.SlipView):
            if res.number not in self.numbers:
                self.numbers.append(res.number)
            self.status[res.number] = res.status
        return res

    def _in(self, *statuses: str) -> list[str]:
        return [n for n in self.numbers if self.status[n] in statuses]

    def _pick(self, data: st.DataObject, *statuses: str) -> str:
        """Usually a slip in one of `statuses`; sometimes any slip (to try illegal moves)."""
        wanted = self._in(*statuses)
        if not wanted or data.draw(st.integers(0, 9), label="any_slip") == 0:
            return data.draw(st.sampled_from(self.numbers), label="slip")
        return data.draw(st.sampled_from(wanted), label="slip")

    def _lines(self, data: st.DataObject, order: str | None, exchange: bool) -> list[sv.LineInput]:
        skus = [ln.sku for ln in sv.get_sale(self.db, order).lines] if order else list(SKUS)
        out = []
        for _ in range(data.draw(st.integers(1, 2), label="n_lines")):
            sku = data.draw(st.sampled_from(skus + ["P1"]), label="sku")
            out.append(sv.LineInput(
                sku=sku, qty=data.draw(st.integers(1, 3), label="qty"),
                reason=data.draw(st.sampled_from(REASONS), label="reason"),
                packaging_intact=data.draw(st.booleans(), label="packaging"),
                replacement_sku=(data.draw(st.sampled_from(SKUS), label="repl")
                                 if exchange else None),
                replacement_qty=(data.draw(st.integers(1, 3), label="repl_qty")
                                 if exchange else None),
                unit_price_fen=(None if order else data.draw(st.integers(0, 20000),
                                                             label="price")),
            ))
        return out

    # -- rules --------------------------------------------------------------------------

    @rule(data=st.data())
    def new_sale(self, data: st.DataObject) -> None:
        order = f"SO-{len(self.orders) + 1}"
        lines = [sv.SaleLineInput(data.draw(st.sampled_from(SKUS)), data.draw(st.integers(1, 3)),
                                  data.draw(st.integers(100, 20000)))
                 for _ in range(data.draw(st.integers(1, 2)))]
        sale = sv.SaleInput(
            order, data.draw(st.sampled_from(sv.CHANNELS)),
            self.now - timedelta(days=data.draw(st.integers(0, 20))), lines,
            customer_phone=data.draw(st.sampled_from((None, *PHONES))),
            payment_method=data.draw(st.sampled_from(sv.PAYMENT_METHODS)))
        if self._do(sv.record_sales, "clerk", [sale]) is not None:
            self.orders.append(order)

    @rule(data=st.data())
    def purchase(self, data: st.DataObject) -> None:
        self._do(sv.receive_purchase, "warehouse", data.draw(st.sampled_from(SKUS)),
                 data.draw(st.integers(1, 5)), request_id=None)

    @rule(data=st.data(), exchange=st.booleans())
    def create(self, data: st.DataObject, exchange: bool) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._do(sv.create_slip, data.draw(st.sampled_from(CREATORS)), order,
                 "exchange" if exchange else "return", self._lines(data, order, exchange),
                 request_id=self._rid(data))

    @rule(data=st.data())
    def create_without_sale(self, data: st.DataObject) -> None:
        exchange = data.draw(st.booleans())
        self._do(sv.create_slip, "clerk", None, "exchange" if exchange else "return",
                 self._lines(data, None, exchange),
                 customer_phone=data.draw(st.sampled_from((None, *PHONES))),
                 channel=data.draw(st.sampled_from(sv.CHANNELS)), note="无小票",
                 request_id=self._rid(data))

    @precondition(lambda self: self._in("draft"))
    @rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        self._do(sv.submit_slip, data.draw(st.sampled_from(CREATORS)), self._pick(data, "draft"),
                 request_id=self._rid(data))

    @precondition(lambda self: self._in("submitted"))
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        number = self._pick(data, "submitted")
        creator = sv.get_slip(self.db, number).created_by
        approver = data.draw(st.sampled_from([a for a in APPROVERS if a != creator]
                                             if data.draw(st.integers(0, 9)) else APPROVERS))
        reason = data.draw(st.sampled_from(("店长特批", "店长特批", "店长特批", None, "")))
        self._do(sv.approve_slip, approver, number, reason, request_id=self._rid(data))

    @precondition(lambda self: self._in("submitted"))
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        self._do(sv.reject_slip, data.draw(st.sampled_from(APPROVERS)),
                 self._pick(data, "submitted"), "不符合政策", request_id=self._rid(data))

    @precondition(lambda self: self._in("draft", "submitted", "approved"))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        self._do(sv.cancel_slip, data.draw(st.sampled_from(("clerk", "finance", "warehouse"))),
                 self._pick(data, "draft", "submitted", "approved"), "顾客撤回",
                 request_id=self._rid(data))

    @precondition(lambda self: self._in("approved"))
    @rule(data=st.data())
    def receive(self, data: st.DataObject) -> None:
        self._do(sv.receive_slip, "warehouse", self._pick(data, "approved"),
                 request_id=self._rid(data))

    @precondition(lambda self: self._in("received"))
    @rule(data=st.data())
    def inspect(self, data: st.DataObject) -> None:
        number = self._pick(data, "received")
        grades = []
        for ln in sv.get_slip(self.db, number).lines:
            res = data.draw(st.integers(0, ln.qty), label="resellable")
            dfc = data.draw(st.integers(0, ln.qty - res), label="defective")
            scrap = ln.qty - res - dfc
            if data.draw(st.integers(0, 19), label="wrong_sum") == 0:
                scrap += 1
            grades.append(sv.GradeInput(ln.sku, res, dfc, scrap))
        self._do(sv.inspect_slip, "warehouse", number, grades, request_id=self._rid(data))

    @precondition(lambda self: self._in("inspected"))
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        number = self._pick(data, "inspected")
        has_customer = sv.get_slip(self.db, number).customer is not None
        methods = sv.REFUND_METHODS if has_customer else ("original", "cash")
        self._do(sv.settle_slip, data.draw(st.sampled_from(("finance", "owner"))), number,
                 data.draw(st.sampled_from(methods)), request_id=self._rid(data))

    @precondition(lambda self: self._in("settled", "closed"))
    @rule(data=st.data())
    def close_or_feedback(self, data: st.DataObject) -> None:
        number = self._pick(data, "settled", "closed")
        if data.draw(st.booleans()):
            self._do(sv.close_slip, "clerk", number, request_id=self._rid(data))
        else:
            self._do(sv.add_feedback, "clerk", number, data.draw(st.integers(0, 6)), "评价",
                     request_id=self._rid(data))

    def _advance(self, data: st.DataObject) -> None:
        """Take one live slip one step further with valid inputs (reaches deep states)."""
        number = data.draw(st.sampled_from(
            self._in("draft", "submitted", "approved", "received", "inspected", "settled")))
        view = sv.get_slip(self.db, number)
        rid = self._rid(data)
        if view.status == "draft":
            self._do(sv.submit_slip, "clerk", number, request_id=rid)
        elif view.status == "submitted":
            approver = "boss2" if view.created_by == "owner" else "owner"
            self._do(sv.approve_slip, approver, number, "店长特批", request_id=rid)
        elif view.status == "approved":
            self._do(sv.receive_slip, "warehouse", number, request_id=rid)
        elif view.status == "received":
            grades = []
            for ln in view.lines:
                res = data.draw(st.integers(0, ln.qty), label="resellable")
                dfc = data.draw(st.integers(0, ln.qty - res), label="defective")
                grades.append(sv.GradeInput(ln.sku, res, dfc, ln.qty - res - dfc))
            self._do(sv.inspect_slip, "warehouse", number, grades, request_id=rid)
        elif view.status == "inspected":
            methods = sv.REFUND_METHODS if view.customer else ("original", "cash")
            self._do(sv.settle_slip, "finance", number, data.draw(st.sampled_from(methods)),
                     request_id=rid)
        else:
            self._do(sv.close_slip, "clerk", number, request_id=rid)

    @precondition(lambda self: self._in("draft", "submitted", "approved", "received",
                                        "inspected", "settled"))
    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        self._advance(data)

    @precondition(lambda self: self._in("draft", "submitted", "approved", "received",
                                        "inspected", "settled"))
    @rule(data=st.data())
    def advance_more(self, data: st.DataObject) -> None:
        self._advance(data)

    @rule(days=st.integers(0, 4), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    @precondition(lambda self: self.last is not None)
    @rule(conflict=st.booleans())
    def repeat_request(self, conflict: bool) -> None:
        assert self.last is not None
        fn, args, kwargs, number = self.last
        before = dump(self.db)
        if not conflict:
            again = fn(self.db, *args, **kwargs)
            assert again.number == number
        else:
            other = sv.close_slip if fn is not sv.close_slip else sv.receive_slip
            actor = "clerk" if other is sv.close_slip else "warehouse"
            try:
                other(self.db, actor, number, request_id=kwargs["request_id"], now=self.now)
            except DomainError as e:
                assert e.key == "request_id_conflict" and e.field == "request_id"
            else:
                raise AssertionError("a request id reused for another operation was applied")
        assert dump(self.db) == before

    # -- invariants ---------------------------------------------------------------------

    def _rows(self, stmt: str) -> list[tuple[Any, ...]]:
        with self.db.engine.connect() as c:
            return [tuple(r) for r in c.execute(text(stmt))]

    @invariant()
    def lifecycle_matches_the_model(self) -> None:
        got = dict(self._rows("SELECT number, status FROM slips"))
        assert got == self.status

    @invariant()
    def verify_ok(self) -> None:
        rep = sv.verify(self.db)
        assert rep.ok, [c for c in rep.checks if not c.ok]

    @invariant()
    def stock_levels_equal_moves(self) -> None:
        levels = {(p, loc): q for p, loc, q in
                  self._rows("SELECT product_id, location, qty FROM stock_levels")}
        moves = {(p, loc): q for p, loc, q in self._rows(
            "SELECT product_id, location, sum(qty) FROM stock_moves GROUP BY 1, 2")}
        for key in set(levels) | set(moves):
            assert levels.get(key, 0) == moves.get(key, 0), key
        assert all(q >= 0 for q in levels.values())

    @invariant()
    def journal_balances(self) -> None:
        for entry, d, c in self._rows(
                "SELECT entry_id, sum(debit_fen), sum(credit_fen) FROM postings GROUP BY 1"):
            assert d == c, entry
        assert not self._rows("SELECT id FROM postings WHERE debit_fen < 0 OR credit_fen < 0")

    @invariant()
    def returned_never_exceeds_sold_and_refunds_never_exceed_paid(self) -> None:
        rows = self._rows("""
            SELECT sl.id, sl.qty, sl.qty * sl.unit_price_fen,
                   coalesce(sum(CASE WHEN s.status NOT IN ('rejected', 'cancelled')
                                     THEN l.qty END), 0),
                   coalesce(sum(CASE WHEN s.status IN ('settled', 'closed')
                                     THEN l.refund_fen END), 0)
            FROM sale_lines sl
            LEFT JOIN slip_lines l ON l.sale_line_id = sl.id
            LEFT JOIN slips s ON s.id = l.slip_id
            GROUP BY sl.id, sl.qty, sl.unit_price_fen""")
        for sale_line, sold, paid, returned, refunded in rows:
            assert returned <= sold, sale_line
            assert refunded <= paid, sale_line

    @invariant()
    def store_credit_matches_its_account(self) -> None:
        held = self._rows("SELECT coalesce(sum(credit_fen), 0) FROM customers")[0][0]
        ledger = self._rows("SELECT coalesce(sum(credit_fen - debit_fen), 0) FROM postings "
                            "WHERE account_code = '2205'")[0][0]
        assert held == ledger
        assert not self._rows("SELECT id FROM customers WHERE credit_fen < 0")


ShopMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestShopMachine = ShopMachine.TestCase
