"""The desk against a model of it (hypothesis stateful): random sales, purchases, returns,
exchanges, approvals, rejections, cancellations, goods in, inspection, settlement, closing,
time passing and replayed request ids.

The model keeps its own books: what is returnable per sale line (I3), what was refunded
per sale line (I4), stock per product and location (I1), the balances of the returns,
revenue, cost, store-credit and receivable accounts (I2, I5), what each customer owes
(sales on account less refunds and payments to it: never credited below nothing), each
slip's state (I6) and the request ids already applied (I7). Before every action it works
out which rules the action breaks; the service must then accept exactly the actions the
model allows and refuse the others with one of the keys the model expects, writing
nothing. After every step the database must agree with the model to the fen and the unit,
and `verify` must pass.

The policy verdict at submission (windows, conditions) is the policy's business, not the
model's: the model takes whether a slip passed from the service, and then holds the
service to what that means (an exception needs the owner and a reason).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
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
# sku -> (list price, cost): replacements go out at today's price and cost.
PRODUCTS = {"P1": (2000, 800), "P2": (15000, 6000), "P3": (5000, 2000), "P4": (10000, 9000)}
PHONES = ("13800000001", "13800000002")
ROLE = {"owner": "owner", "boss2": "owner", "clerk": "clerk", "clerk2": "clerk",
        "warehouse": "warehouse", "finance": "finance"}
USERS = tuple(ROLE)
STOCK = 15  # of each product at the start
LIVE = ("draft", "submitted", "approved", "received", "inspected", "settled")

_TEMPLATE: Path | None = None


def _template() -> Path:
    """Users, products, customers and stock; built once, every example starts from a copy."""
    global _TEMPLATE
    if _TEMPLATE is not None and _TEMPLATE.exists():
        return _TEMPLATE
    folder = Path(tempfile.mkdtemp(prefix="rma-model-tpl-"))
    path = folder / "template.db"
    db = Database(str(path))
    upgrade(db)
    t0 = NOW - timedelta(days=40)
    sv.add_user(db, None, "owner", "owner", now=t0)
    for name, role in ROLE.items():
        if name != "owner":
            sv.add_user(db, "owner", name, role, now=t0)
    sv.add_products(db, "owner", [
        sv.ProductInput(sku, f"商品{sku}", price, cost, reorder_point=1)
        for sku, (price, cost) in PRODUCTS.items()], now=t0)
    sv.add_customers(db, "owner", [sv.CustomerInput("张三", PHONES[0], "store"),
                                   sv.CustomerInput("李四", PHONES[1], "online")], now=t0)
    for sku in SKUS:
        sv.receive_purchase(db, "owner", sku, STOCK, now=t0)
    db.dispose()
    _TEMPLATE = path
    return path


@dataclass
class SaleLineM:
    """A sale line as the model knows it."""

    id: int
    sku: str
    qty: int
    price: int
    cost: int
    returned: int = 0  # on slips neither rejected nor cancelled
    refunded: int = 0  # by settled slips


@dataclass
class SaleM:
    order: str
    channel: str
    phone: str | None
    lines: list[SaleLineM]
    payment: str = "cash"


@dataclass
class LineM:
    sku: str
    qty: int
    price: int
    cost: int
    refund: int  # what the line gives back when settled (a return: less any fee)
    sale_line: SaleLineM | None
    repl_sku: str | None = None
    repl_qty: int = 0
    repl_price: int = 0  # a like-for-like swap keeps the price paid, else today's price


@dataclass
class SlipM:
    number: str
    type: str
    status: str
    creator: str
    phone: str | None
    lines: list[LineM]
    policy_ok: bool | None = None
    feedback: bool = False
    channel: str = "store"
    platform: bool = False  # a platform's after-sale request (it has a refund id)
    platform_refunded: bool = False  # the platform's refund is posted
    payment: str | None = None  # how the sale was paid (None: a slip without a sale)


@dataclass
class Books:
    """Stock and the account balances the model follows (debit minus credit)."""

    stock: dict[tuple[str, str], int] = field(default_factory=dict)
    credit: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PHONES, 0))
    owed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PHONES, 0))
    accounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        (sv.RETURNS, sv.REVENUE, sv.COGS, sv.STORE_CREDIT, sv.RECEIVABLE), 0))


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as c:
        return {t.name: sorted((tuple(r) for r in c.execute(text(f"SELECT * FROM {t.name}"))),
                               key=repr)
                for t in SQLModel.metadata.sorted_tables}


class ShopMachine(RuleBasedStateMachine):
    """The desk under random use, held to the model."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="rma-model-"))
        shutil.copy(_template(), self.dir / "shop.db")
        self.db = Database(str(self.dir / "shop.db"))
        self.now = NOW
        self.sales: list[SaleM] = []
        self.slips: dict[str, SlipM] = {}
        self.books = Books()
        for sku in SKUS:
            self.books.stock[(sku, "sellable")] = STOCK
        self.seq = 0
        # Request ids applied: id -> (call, the operation, the slip number it gave).
        self.requests: dict[str, tuple[Callable[[], Any], str, str]] = {}
        self.last_request: str | None = None

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- the contract --------------------------------------------------------------------

    def expect(self, call: Callable[[], Any], refusals: set[str]) -> Any:
        """Run `call`; it must be accepted when `refusals` is empty, else refused with one of
        them and write nothing."""
        before = dump(self.db)
        try:
            result = call()
        except DomainError as e:
            assert refusals, f"refused ({e.key}: {e.message('en')}) what the model allows"
            assert e.key in refusals, f"refused with {e.key}, the model expected {refusals}"
            assert dump(self.db) == before, f"{e.key} wrote rows"
            return None
        assert not refusals, f"accepted what the model forbids: {refusals}"
        return result

    def _rid(self, data: st.DataObject) -> str | None:
        if data.draw(st.booleans(), label="with_request_id"):
            self.seq += 1
            return f"req-{self.seq}"
        return None

    def _remember(self, rid: str | None, call: Callable[[], Any], operation: str,
                  number: str) -> None:
        if rid is not None:
            self.requests[rid] = (call, operation, number)
            self.last_request = rid

    def _role(self, user: str, allowed: tuple[str, ...]) -> set[str]:
        return set() if ROLE[user] in allowed else {"role_denied"}

    def _state(self, slip: SlipM, *allowed: str) -> set[str]:
        return set() if slip.status in allowed else {"bad_transition"}

    def _move(self, sku: str, location: str, qty: int) -> None:
        key = (sku, location)
        self.books.stock[key] = self.books.stock.get(key, 0) + qty

    def _any(self, *statuses: str) -> bool:
        return any(s.status in statuses for s in self.slips.values())

    def _pick(self, data: st.DataObject, *statuses: str) -> SlipM:
        """Usually a slip in one of `statuses`; sometimes any slip (to try illegal moves)."""
        wanted = [s for s in self.slips.values() if s.status in statuses]
        if not wanted or data.draw(st.integers(0, 9), label="any_slip") == 0:
            return data.draw(st.sampled_from(list(self.slips.values())), label="slip")
        return data.draw(st.sampled_from(wanted), label="slip")

    # -- sales and stock -----------------------------------------------------------------

    @rule(data=st.data())
    def new_sale(self, data: st.DataObject) -> None:
        order = f"SO-{len(self.sales) + 1}"
        # A cost of its own now and then (an import carries the cost then): a return is
        # valued at the sale line's cost, never the product's (I5).
        lines = [sv.SaleLineInput(data.draw(st.sampled_from(SKUS), label="sku"),
                                  data.draw(st.integers(1, 3), label="qty"),
                                  data.draw(st.integers(100, 20000), label="price"),
                                  data.draw(st.sampled_from((None, 77, 1234)), label="cost"))
                 for _ in range(data.draw(st.integers(1, 2), label="n_lines"))]
        channel = data.draw(st.sampled_from(sv.channel_codes()), label="channel")
        phone = data.draw(st.sampled_from((None, *PHONES)), label="phone")
        payment = data.draw(st.sampled_from(sv.PAYMENT_METHODS), label="payment")
        sale = sv.SaleInput(order, channel, self.now - timedelta(days=data.draw(
            st.integers(0, 20), label="days_ago")), lines, customer_phone=phone,
            payment_method=payment)
        need: dict[str, int] = {}
        for ln in lines:
            need[ln.sku] = need.get(ln.sku, 0) + ln.qty
        short = any(q > self.books.stock.get((sku, "sellable"), 0) for sku, q in need.items())
        refusals = {"stock_short"} if short else set()
        if payment == "platform" and not sv.is_platform(channel):
            refusals.add("platform_payment_elsewhere")  # only a platform holds its money
        if payment == "account" and phone is None:
            refusals.add("account_needs_customer")  # someone must owe it
        if self.expect(lambda: sv.record_sales(self.db, "clerk", [sale], now=self.now),
                       refusals) is None:
            return
        ids = [r[0] for r in self._rows(
            "SELECT sl.id FROM sale_lines sl JOIN sales s ON s.id = sl.sale_id "
            f"WHERE s.order_no = '{order}' ORDER BY sl.id")]
        model = [SaleLineM(i, ln.sku, ln.qty, ln.unit_price_fen,
                           PRODUCTS[ln.sku][1] if ln.unit_cost_fen is None else ln.unit_cost_fen)
                 for i, ln in zip(ids, lines, strict=True)]
        self.sales.append(SaleM(order, channel, phone, model, payment))
        if payment == "account":
            assert phone is not None
            owe = sum(ln.qty * ln.price for ln in model)
            self.books.owed[phone] += owe
            self.books.accounts[sv.RECEIVABLE] += owe
        for ln in model:
            self._move(ln.sku, "sellable", -ln.qty)
            self.books.accounts[sv.REVENUE] -= ln.qty * ln.price
            self.books.accounts[sv.COGS] += ln.qty * ln.cost

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 5))
    def purchase(self, sku: str, qty: int) -> None:
        self.expect(lambda: sv.receive_purchase(self.db, "warehouse", sku, qty, now=self.now),
                    set())
        self._move(sku, "sellable", qty)

    # -- slips ---------------------------------------------------------------------------

    def _line_inputs(self, data: st.DataObject, sale: SaleM | None,
                     exchange: bool) -> list[sv.LineInput]:
        skus = [ln.sku for ln in sale.lines] if sale else list(SKUS)
        out = []
        for _ in range(data.draw(st.integers(1, 2), label="n_lines")):
            out.append(sv.LineInput(
                sku=data.draw(st.sampled_from(skus + ["P1"]), label="sku"),
                qty=data.draw(st.integers(1, 3), label="qty"),
                reason=data.draw(st.sampled_from(sv.REASONS), label="reason"),
                replacement_sku=(data.draw(st.sampled_from(SKUS), label="repl")
                                 if exchange else None),
                replacement_qty=(data.draw(st.integers(1, 3), label="repl_qty")
                                 if exchange else None),
                unit_price_fen=(None if sale else data.draw(st.integers(0, 20000),
                                                            label="price")),
            ))
        return out

    def _resolve(self, sale: SaleM | None, kind: str, channel: str,
                 lines: list[sv.LineInput]) -> tuple[list[LineM], str | None]:
        """The slip lines the model expects, or the key of the first line refused (the
        service takes, per line, the first sale line of that product with enough left)."""
        bp = sv.policy().channel(channel).restocking_fee_bp
        taken: dict[int, int] = {}
        out: list[LineM] = []
        for ln in lines:
            sale_line = None
            if sale is not None:
                candidates = [sl for sl in sale.lines if sl.sku == ln.sku]
                if not candidates:
                    return [], "sku_not_in_sale"
                sale_line = next((sl for sl in candidates
                                  if sl.qty - sl.returned - taken.get(sl.id, 0) >= ln.qty), None)
                if sale_line is None:
                    return [], "over_returnable"
                taken[sale_line.id] = taken.get(sale_line.id, 0) + ln.qty
                price, cost = sale_line.price, sale_line.cost
            else:
                price, cost = int(ln.unit_price_fen or 0), PRODUCTS[ln.sku][1]
            gross = ln.qty * price
            fee = ((gross * bp + 5000) // 10000
                   if kind == "return" and ln.reason not in sv.FAULT_REASONS else 0)
            repl = (ln.replacement_sku or ln.sku) if kind == "exchange" else None
            repl_qty = (ln.replacement_qty or ln.qty) if repl else 0
            repl_price = 0
            if repl is not None:
                repl_price = price if (repl, repl_qty) == (ln.sku, ln.qty) else PRODUCTS[repl][0]
            out.append(LineM(ln.sku, ln.qty, price, cost, gross - fee, sale_line, repl,
                             repl_qty, repl_price))
        return out, None

    def _create(self, data: st.DataObject, sale: SaleM | None) -> None:
        exchange = data.draw(st.booleans(), label="exchange")
        kind = "exchange" if exchange else "return"
        actor = data.draw(st.sampled_from(("clerk", "clerk", "clerk2", "owner", *USERS)),
                          label="creator")
        lines = self._line_inputs(data, sale, exchange)
        phone = note = channel = None
        refusals = self._role(actor, sv.CREATE_ROLES)
        if sale is None:
            phone = data.draw(st.sampled_from((None, *PHONES)), label="phone")
            channel = data.draw(st.sampled_from(sv.channel_codes()), label="channel")
            note = data.draw(st.sampled_from(("无小票", "无小票", "无小票", "")), label="note")
            if not note:
                refusals.add("no_sale_needs_note")
        expected, refused = self._resolve(sale, kind, sale.channel if sale else channel or "",
                                          lines)
        if refused:
            refusals.add(refused)
        rid = self._rid(data)

        def call() -> sv.SlipView:
            return sv.create_slip(self.db, actor, sale.order if sale else None, kind, lines,
                                  note=note or "", customer_phone=phone, channel=channel,
                                  request_id=rid, now=self.now)

        view = self.expect(call, refusals)
        if view is None:
            return
        assert view.number.startswith("HH-" if exchange else "TH-") and view.status == "draft"
        assert view.number not in self.slips
        # I4, I5: the sale line's price and cost, the refund the policy's fee leaves.
        assert [(ln.sku, ln.qty, ln.unit_price_fen, ln.unit_cost_fen, ln.refund_fen)
                for ln in view.lines] == [(m.sku, m.qty, m.price, m.cost, m.refund)
                                          for m in expected]
        for m in expected:
            if m.sale_line is not None:
                m.sale_line.returned += m.qty
        self.slips[view.number] = SlipM(view.number, kind, "draft", actor,
                                        sale.phone if sale else phone, expected,
                                        channel=sale.channel if sale else channel or "store",
                                        payment=sale.payment if sale else None)
        self._remember(rid, call, "create", view.number)

    @rule(data=st.data())
    def create(self, data: st.DataObject) -> None:
        sale = data.draw(st.sampled_from(self.sales), label="sale") if self.sales else None
        self._create(data, sale)

    @rule(data=st.data())
    def create_without_sale(self, data: st.DataObject) -> None:
        self._create(data, None)

    def _step(self, data: st.DataObject, slip: SlipM, fn: Callable[..., sv.SlipView],
              actor: str, refusals: set[str], *args: Any, **kw: Any) -> sv.SlipView | None:
        """One lifecycle action through the contract; remembered under its request id."""
        rid = self._rid(data)

        def call() -> sv.SlipView:
            return fn(self.db, actor, slip.number, *args, request_id=rid, now=self.now, **kw)

        view = self.expect(call, refusals)
        if view is not None:
            self._remember(rid, call, fn.__name__, slip.number)
        return view

    def _release(self, slip: SlipM) -> None:
        for m in slip.lines:
            if m.sale_line is not None:
                m.sale_line.returned -= m.qty

    @precondition(lambda self: any(sv.is_platform(s.channel) for s in self.sales))
    @rule(data=st.data())
    def platform_request(self, data: st.DataObject) -> None:
        """A platform's after-sale request comes in from its file: a new refund id, asked,
        refunded before the goods come, or already closed; sometimes the same file twice."""
        sale = data.draw(st.sampled_from([s for s in self.sales if sv.is_platform(s.channel)]),
                         label="platform sale")
        sl = data.draw(st.sampled_from(sale.lines), label="platform line")
        if [x.sku for x in sale.lines].count(sl.sku) > 1:
            return  # which line of a repeated SKU is taken is create's rule, modelled there
        qty = data.draw(st.integers(1, sl.qty), label="platform qty")
        status = data.draw(st.sampled_from(("requested", "refunded", "closed")),
                           label="platform status")
        self.seq += 1
        row = sv.PlatformRequestInput(f"RF-{self.seq}", sale.order, status, qty * sl.price,
                                      sku=sl.sku, qty=qty, requested_at=self.now)
        got = sv.import_requests(self.db, "clerk", sale.channel, [row], now=self.now)
        if sl.returned + qty > sl.qty:  # I3 holds for the platforms too
            assert [c.key for c in got.conflicts] == ["over_returnable"] and not got.created
            return
        assert not got.conflicts and len(got.created) == 1, got
        view = sv.get_slip(self.db, got.created[0])
        line = LineM(sl.sku, qty, sl.price, sl.cost, qty * sl.price, sl)
        slip = SlipM(view.number, "return", view.status, "clerk", sale.phone, [line],
                     policy_ok=view.policy_ok, channel=sale.channel, platform=True,
                     payment=sale.payment)
        self.slips[view.number] = slip
        if status == "closed":
            assert view.status == "cancelled"
            return
        assert view.status in ("submitted", "approved")
        sl.returned += qty
        if status == "refunded":
            assert (view.platform_refund_fen, view.refund_method) == (qty * sl.price, "platform")
            slip.platform_refunded = True
            sl.refunded += qty * sl.price
            self.books.accounts[sv.RETURNS] += qty * sl.price
        if data.draw(st.booleans(), label="same file again"):
            again = sv.import_requests(self.db, "clerk", sale.channel, [row], now=self.now)
            assert again.unchanged == [view.number] and not again.conflicts

    @precondition(lambda self: self._any("draft"))
    @rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        self._submit(data, self._pick(data, "draft"),
                     data.draw(st.sampled_from(USERS), label="actor"))

    def _submit(self, data: st.DataObject, slip: SlipM, actor: str) -> None:
        refusals = self._role(actor, sv.CREATE_ROLES) | self._state(slip, "draft")
        view = self._step(data, slip, sv.submit_slip, actor, refusals)
        if view is not None:
            assert view.status in ("submitted", "approved")
            assert view.status == "submitted" or view.policy_ok  # only a clean slip goes on
            slip.status, slip.policy_ok = view.status, view.policy_ok

    @precondition(lambda self: self._any("submitted"))
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        self._approve(data, self._pick(data, "submitted"),
                      data.draw(st.sampled_from(USERS), label="approver"),
                      data.draw(st.sampled_from(("店长特批", "店长特批", "")), label="reason"))

    def _approve(self, data: st.DataObject, slip: SlipM, actor: str, reason: str) -> None:
        refusals = self._role(actor, sv.APPROVER_ROLES) | self._state(slip, "submitted")
        if actor == slip.creator:
            refusals.add("own_slip")
        if not slip.policy_ok:
            if ROLE[actor] != "owner":
                refusals.add("exception_needs_owner")
            if not reason:
                refusals.add("exception_needs_reason")
        if self._step(data, slip, sv.approve_slip, actor, refusals, reason) is not None:
            slip.status = "approved"

    @precondition(lambda self: self._any("submitted"))
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        self._reject(data, self._pick(data, "submitted"),
                     data.draw(st.sampled_from(USERS), label="approver"))

    def _reject(self, data: st.DataObject, slip: SlipM, actor: str) -> None:
        refusals = self._role(actor, sv.APPROVER_ROLES) | self._state(slip, "submitted")
        if actor == slip.creator:
            refusals.add("own_slip")
        if slip.platform_refunded:
            refusals.add("platform_refunded_cannot_end")
        if self._step(data, slip, sv.reject_slip, actor, refusals, "不符合政策") is not None:
            slip.status = "rejected"
            self._release(slip)

    @precondition(lambda self: self._any("draft", "submitted", "approved"))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        slip = self._pick(data, "draft", "submitted", "approved")
        actor = data.draw(st.sampled_from(USERS), label="actor")
        refusals = self._role(actor, sv.CANCEL_ROLES) | self._state(
            slip, "draft", "submitted", "approved")
        if slip.platform_refunded:
            refusals.add("platform_refunded_cannot_end")
        if self._step(data, slip, sv.cancel_slip, actor, refusals, "顾客撤回") is not None:
            slip.status = "cancelled"
            self._release(slip)

    @precondition(lambda self: self._any("approved"))
    @rule(data=st.data())
    def receive(self, data: st.DataObject) -> None:
        self._receive(data, self._pick(data, "approved"), data.draw(
            st.sampled_from(("warehouse", "warehouse", "clerk")), label="actor"))

    def _receive(self, data: st.DataObject, slip: SlipM, actor: str) -> None:
        refusals = self._role(actor, sv.WAREHOUSE_ROLES) | self._state(slip, "approved")
        if self._step(data, slip, sv.receive_slip, actor, refusals) is not None:
            slip.status = "received"
            for m in slip.lines:
                self._move(m.sku, "pending", m.qty)

    @precondition(lambda self: self._any("received"))
    @rule(data=st.data())
    def inspect(self, data: st.DataObject) -> None:
        self._inspect(data, self._pick(data, "received"), exact=False)

    def _inspect(self, data: st.DataObject, slip: SlipM, exact: bool) -> None:
        grades = []
        wrong = False
        for m in slip.lines:
            res = data.draw(st.integers(0, m.qty), label="resellable")
            dfc = data.draw(st.integers(0, m.qty - res), label="defective")
            scrap = m.qty - res - dfc
            if not exact and data.draw(st.integers(0, 9), label="wrong_sum") == 0:
                scrap, wrong = scrap + 1, True
            grades.append(sv.GradeInput(m.sku, res, dfc, scrap))
        refusals = self._state(slip, "received")
        if wrong:
            refusals.add("grade_sum")
        if self._step(data, slip, sv.inspect_slip, "warehouse", refusals, grades) is None:
            return
        slip.status = "inspected"
        for m, g in zip(slip.lines, grades, strict=True):
            self._move(m.sku, "pending", -m.qty)
            self._move(m.sku, "sellable", g.resellable)
            self._move(m.sku, "defective", g.defective)
            self._move(m.sku, "scrap", g.scrap)
            self.books.accounts[sv.COGS] -= m.qty * m.cost  # I5: at the sale's cost

    @precondition(lambda self: self._any("inspected"))
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        self._settle(data, self._pick(data, "inspected"),
                     data.draw(st.sampled_from(("finance", "owner", "clerk")), label="actor"),
                     data.draw(st.sampled_from(sv.REFUND_METHODS), label="method"),
                     data.draw(st.sampled_from((None, None, *sv.REST_METHODS)), label="rest"))

    def _to_account(self, slip: SlipM, method: str) -> bool:
        """Whether `method` credits the customer's account (1122) for this slip."""
        return method == "receivable" or (method == "original" and slip.payment == "account")

    def _settle(self, data: st.DataObject, slip: SlipM, actor: str, method: str,
                rest: str | None = None) -> None:
        refusals = self._role(actor, sv.SETTLE_ROLES) | self._state(slip, "inspected")
        for m in slip.lines:  # I4: never more than was paid for the line
            sl = m.sale_line
            if slip.platform_refunded:
                break  # counted when the platform's refund came in; settling adds nothing
            if sl is not None and sl.refunded + m.qty * m.price > sl.qty * sl.price:
                refusals.add("over_refund")
        at_platform = slip.platform or method == "platform"
        to_account = not at_platform and self._to_account(slip, method)
        if (method in ("credit", "receivable") or to_account) and slip.phone is None:
            refusals.add("method_needs_customer")
        if slip.platform and method not in ("platform", "original"):
            refusals.add("platform_refunds_there")  # a platform's request: never the till
        if at_platform:
            if slip.type != "return":
                refusals.add("platform_refund_exchange")
            if not sv.is_platform(slip.channel):
                refusals.add("not_a_platform")
        elif rest is not None and not to_account:
            refusals.add("rest_without_receivable")  # a rest only when the account is short
        gross = sum(m.qty * m.price for m in slip.lines)
        owes = max(self.books.owed.get(slip.phone or "", 0), 0)
        refund = sum(m.refund for m in slip.lines)
        part = min(refund, owes)
        if to_account and slip.type == "return" and refund > owes:
            if rest is None:
                refusals.add("receivable_over")  # never credited beyond what is owed
            elif self._to_account(slip, rest):
                refusals.add("rest_is_receivable")
        diff = 0
        if slip.type == "exchange":
            left = dict(self.books.stock)
            for m in slip.lines:
                assert m.repl_sku is not None
                key = (m.repl_sku, "sellable")
                left[key] = left.get(key, 0) - m.repl_qty
                if left[key] < 0:
                    refusals.add("stock_short")
            value = sum(m.repl_qty * m.repl_price for m in slip.lines)
            diff = value - gross
            if (method == "credit" and slip.phone is not None and diff > 0
                    and self.books.credit[slip.phone] < diff):
                refusals.add("credit_short")
            if to_account and rest is not None:
                refusals.add("rest_exchange")  # an exchange's difference goes one way
            if to_account and -diff > owes:
                refusals.add("receivable_over")
        view = self._step(data, slip, sv.settle_slip, actor, refusals, method,
                          rest_method=rest)
        if view is None:
            return
        slip.status = "settled"
        if slip.platform_refunded:  # posted when the platform's refund came in
            assert view.refund_method == "platform"
            return
        self.books.accounts[sv.RETURNS] += gross
        for m in slip.lines:
            if m.sale_line is not None:
                m.sale_line.refunded += m.refund
        if slip.type == "return":
            assert view.refund_fen == refund and view.gross_fen == gross
            credited = refund if method == "credit" else 0
            if to_account:
                assert slip.phone is not None
                self.books.owed[slip.phone] -= part
                self.books.accounts[sv.RECEIVABLE] -= part
                assert (view.rest_method, view.rest_fen) == (
                    (rest, refund - part) if part < refund else (None, 0))
                if rest == "credit":
                    credited = refund - part
            if credited:
                assert slip.phone is not None
                self.books.credit[slip.phone] += credited
                self.books.accounts[sv.STORE_CREDIT] -= credited
            return
        assert view.difference_fen == diff
        for m in slip.lines:
            assert m.repl_sku is not None
            self._move(m.repl_sku, "sellable", -m.repl_qty)
            self.books.accounts[sv.REVENUE] -= m.repl_qty * m.repl_price
            self.books.accounts[sv.COGS] += m.repl_qty * PRODUCTS[m.repl_sku][1]
        if to_account:
            assert slip.phone is not None
            self.books.owed[slip.phone] += diff
            self.books.accounts[sv.RECEIVABLE] += diff
        if method == "credit" and slip.phone is not None:
            self.books.credit[slip.phone] -= diff
            self.books.accounts[sv.STORE_CREDIT] += diff

    @precondition(lambda self: any(self.books.owed.values()))
    @rule(data=st.data())
    def customer_pays(self, data: st.DataObject) -> None:
        """A customer pays (part of) what they owe, sometimes more than that, by a user who
        may not take money."""
        phone = data.draw(st.sampled_from(PHONES), label="payer")
        owes = self.books.owed[phone]
        amount = data.draw(st.sampled_from((owes, max(owes // 2, 1), owes + 1, 0)),
                           label="amount")
        actor = data.draw(st.sampled_from(("finance", "clerk", "warehouse")), label="actor")
        refusals = self._role(actor, sv.SETTLE_ROLES)
        if amount <= 0:
            refusals.add("amount_positive")
        elif amount > owes:
            refusals.add("payment_over")
        left = self.expect(lambda: sv.record_payment(self.db, actor, phone, amount,
                                                     data.draw(st.sampled_from(("cash", "bank")),
                                                               label="paid by"),
                                                     now=self.now), refusals)
        if left is None:
            return
        self.books.owed[phone] -= amount
        self.books.accounts[sv.RECEIVABLE] -= amount
        assert left == self.books.owed[phone]

    @precondition(lambda self: self._any("settled"))
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        self._close(data, self._pick(data, "settled"),
                    data.draw(st.sampled_from(USERS), label="actor"))

    def _close(self, data: st.DataObject, slip: SlipM, actor: str) -> None:
        refusals = self._role(actor, sv.CLOSE_ROLES) | self._state(slip, "settled")
        if self._step(data, slip, sv.close_slip, actor, refusals) is not None:
            slip.status = "closed"

    @precondition(lambda self: self._any("settled", "closed"))
    @rule(data=st.data())
    def feedback(self, data: st.DataObject) -> None:
        slip = self._pick(data, "settled", "closed")
        score = data.draw(st.integers(1, 5), label="score")
        refusals = set() if slip.status in ("settled", "closed") else {"feedback_not_settled"}
        if slip.feedback:
            refusals.add("feedback_exists")
        if self._step(data, slip, sv.add_feedback, "clerk", refusals, score, "评价"):
            slip.feedback = True

    @precondition(lambda self: any(s.status in LIVE for s in self.slips.values()))
    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        """Take one live slip a step further with inputs the model allows (so the deep
        states are reached); the model still says what must happen."""
        slip = data.draw(st.sampled_from([s for s in self.slips.values()
                                          if s.status in LIVE]), label="live_slip")
        if slip.status == "draft":
            self._submit(data, slip, "clerk")
        elif slip.status == "submitted":
            approver = "boss2" if slip.creator == "owner" else "owner"
            if data.draw(st.integers(0, 9), label="reject") == 0:
                self._reject(data, slip, approver)
            else:
                self._approve(data, slip, approver, "店长特批")
        elif slip.status == "approved":
            self._receive(data, slip, "warehouse")
        elif slip.status == "received":
            self._inspect(data, slip, exact=True)
        elif slip.status == "inspected":
            methods = sv.REFUND_METHODS if slip.phone else ("original", "cash")
            method = data.draw(st.sampled_from(methods), label="method")
            # What the account cannot take back goes to cash, as a clerk would choose.
            rest = ("cash" if slip.type == "return" and not slip.platform
                    and self._to_account(slip, method) else None)
            self._settle(data, slip, "finance", method, rest)
        else:
            self._close(data, slip, "clerk")

    # Two more ways in, so that slips get deep more often than they are cancelled.
    @precondition(lambda self: any(s.status in LIVE for s in self.slips.values()))
    @rule(data=st.data())
    def advance_more(self, data: st.DataObject) -> None:
        self.advance(data)

    @precondition(lambda self: any(s.status in LIVE for s in self.slips.values()))
    @rule(data=st.data())
    def advance_again(self, data: st.DataObject) -> None:
        self.advance(data)

    @rule(days=st.integers(0, 4), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    @precondition(lambda self: self.last_request is not None)
    @rule(data=st.data(), conflict=st.booleans())
    def repeat_request(self, data: st.DataObject, conflict: bool) -> None:
        """I7: the same request again changes nothing and answers as the first time; the
        same id for another operation is refused."""
        rid = data.draw(st.sampled_from(sorted(self.requests)), label="request")
        call, operation, number = self.requests[rid]
        if not conflict:
            before = dump(self.db)
            assert call().number == number
            assert dump(self.db) == before
            return
        if operation == "close_slip":
            self.expect(lambda: sv.receive_slip(self.db, "warehouse", number, request_id=rid,
                                                now=self.now), {"request_id_conflict"})
        else:
            self.expect(lambda: sv.close_slip(self.db, "clerk", number, request_id=rid,
                                              now=self.now), {"request_id_conflict"})

    # -- the database agrees with the model ----------------------------------------------

    def _rows(self, stmt: str) -> list[tuple[Any, ...]]:
        with self.db.engine.connect() as c:
            return [tuple(r) for r in c.execute(text(stmt))]

    @invariant()
    def lifecycle_as_the_model(self) -> None:
        assert dict(self._rows("SELECT number, status FROM slips")) == {
            n: s.status for n, s in self.slips.items()}

    @invariant()
    def stock_as_the_model(self) -> None:
        got = {(sku, loc): q for sku, loc, q in self._rows(
            "SELECT p.sku, l.location, l.qty FROM stock_levels l JOIN products p "
            "ON p.id = l.product_id")}
        want = self.books.stock
        for key in set(got) | set(want):
            assert got.get(key, 0) == want.get(key, 0), (key, got.get(key), want.get(key))

    @invariant()
    def returned_and_refunded_as_the_model(self) -> None:
        got = {i: (r, f) for i, r, f in self._rows("""
            SELECT sl.id,
                   coalesce(sum(CASE WHEN s.status NOT IN ('rejected', 'cancelled')
                                     THEN l.qty END), 0),
                   coalesce(sum(CASE WHEN s.status IN ('settled', 'closed')
                                          OR s.platform_refund_fen > 0
                                     THEN l.refund_fen END), 0)
            FROM sale_lines sl
            LEFT JOIN slip_lines l ON l.sale_line_id = sl.id
            LEFT JOIN slips s ON s.id = l.slip_id
            GROUP BY sl.id""")}
        for sale in self.sales:
            for sl in sale.lines:
                assert got[sl.id] == (sl.returned, sl.refunded), sl
                assert sl.returned <= sl.qty and sl.refunded <= sl.qty * sl.price

    @invariant()
    def accounts_as_the_model(self) -> None:
        got = dict(self._rows("SELECT account_code, sum(debit_fen) - sum(credit_fen) "
                              "FROM postings GROUP BY account_code"))
        for code, want in self.books.accounts.items():
            assert got.get(code, 0) == want, (code, got.get(code, 0), want)
        credit = dict(self._rows("SELECT phone, credit_fen FROM customers"))
        assert credit == self.books.credit
        owed = dict(self._rows("SELECT c.phone, sum(m.delta_fen) FROM receivable_moves m "
                               "JOIN customers c ON c.id = m.customer_id GROUP BY c.phone"))
        assert {p: owed.get(p, 0) for p in PHONES} == self.books.owed

    @invariant()
    def verify_ok(self) -> None:
        rep = sv.verify(self.db)
        assert rep.ok, [c for c in rep.checks if not c.ok]


ShopMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestShopMachine = ShopMachine.TestCase
