"""Service tests: every rule and every refusal of `rma_tui.service`, proven on database rows.

Each refusal is checked for its message key and field, and that it wrote nothing: the whole
database (every table, every row) is the same before and after the refused call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from conftest import NOW, make_shop
from slip_flow import stock_of
from sqlalchemy import text
from sqlmodel import SQLModel

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.service.unit import post_entry
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade

L = sv.LineInput
G = sv.GradeInput
PHONE = "13800000001"
KEY_TABLES = ("slips", "slip_lines", "stock_moves", "postings", "audit_events")


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for "nothing was written" comparisons."""
    out = {}
    with db.engine.connect() as c:
        for t in SQLModel.metadata.sorted_tables:
            rows = c.execute(text(f"SELECT * FROM {t.name}")).all()
            out[t.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as c:
        return {t: int(c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                for t in KEY_TABLES}


def refused(db: Database, key: str, field: str | None, fn: Callable[..., Any], *args: Any,
            **kwargs: Any) -> DomainError:
    """Call fn(db, ...), expect DomainError(key, field) and no change to any row."""
    before, n_before = dump(db), counts(db)
    with pytest.raises(DomainError) as ei:
        fn(db, *args, **kwargs)
    err = ei.value
    assert err.key == key, (err.key, err.field, err.params)
    assert err.field == field, (err.key, err.field, err.params)
    assert counts(db) == n_before
    assert dump(db) == before
    # The message names something in both languages (never an empty string).
    assert err.message("zh") and err.message("en")
    return err


def sql(db: Database, stmt: str, **params: Any) -> list[tuple[Any, ...]]:
    with db.engine.begin() as c:
        res = c.execute(text(stmt), params)
        return [tuple(r) for r in res.all()] if res.returns_rows else []


def one(db: Database, stmt: str, **params: Any) -> Any:
    return sql(db, stmt, **params)[0][0]


def levels(db: Database, sku: str) -> tuple[int, int, int, int]:
    r = stock_of(db, sku)
    return (r.sellable, r.pending, r.defective, r.scrap)


def postings(db: Database, number: str, kind: str) -> dict[str, tuple[int, int]]:
    rows = sql(db, """
        SELECT p.account_code, sum(p.debit_fen), sum(p.credit_fen)
        FROM postings p JOIN journal_entries e ON e.id = p.entry_id
        JOIN slips s ON s.id = e.slip_id
        WHERE s.number = :n AND e.kind = :k GROUP BY p.account_code""", n=number, k=kind)
    return {a: (int(d), int(c)) for a, d, c in rows}


def entries(db: Database, number: str, kind: str) -> int:
    return int(one(db, """SELECT count(*) FROM journal_entries e JOIN slips s ON s.id = e.slip_id
                          WHERE s.number = :n AND e.kind = :k""", n=number, k=kind))


def credit(db: Database, phone: str = PHONE) -> int:
    return int(one(db, "SELECT credit_fen FROM customers WHERE phone = :p", p=phone))


def sell(db: Database, order: str, lines: list[tuple[str, int, int]], days_ago: int = 1,
         channel: str = "store", phone: str | None = PHONE, method: str = "cash") -> None:
    sv.record_sales(db, "clerk", [sv.SaleInput(
        order, channel, NOW - timedelta(days=days_ago),
        [sv.SaleLineInput(s, q, p) for s, q, p in lines], customer_phone=phone,
        payment_method=method)], now=NOW)


def add_product(db: Database, sku: str, category: str, price: int = 5000, cost: int = 2000,
                stock: int = 10, reorder: int = 0) -> None:
    sv.add_products(db, "owner", [sv.ProductInput(sku, f"商品{sku}", price, cost,
                                                  category=category, reorder_point=reorder)],
                    now=NOW)
    if stock:
        sv.receive_purchase(db, "owner", sku, stock, now=NOW - timedelta(days=30))


def create(db: Database, lines: list[sv.LineInput] | None = None, sale: str | None = "SO-1",
           typ: str = "return", actor: str = "clerk", **kw: Any) -> str:
    lines = lines if lines is not None else [L("P1", 1, "changed_mind")]
    return sv.create_slip(db, actor, sale, typ, lines, now=NOW, **kw).number


def advance(db: Database, number: str, to: str, grades: list[sv.GradeInput] | None = None,
            method: str = "original") -> sv.SlipView:
    """Take a slip along the happy path up to state `to` (override by boss2 if needed)."""
    order = ["draft", "submitted", "approved", "received", "inspected", "settled", "closed"]
    view = sv.get_slip(db, number)
    while order.index(view.status) < order.index(to):
        st = view.status
        if st == "draft":
            view = sv.submit_slip(db, "clerk", number, now=NOW)
            if to == "submitted":
                assert view.status == "submitted", "use a slip that fails the policy"
        elif st == "submitted":
            view = sv.approve_slip(db, "boss2", number, override_reason="店长特批", now=NOW)
        elif st == "approved":
            view = sv.receive_slip(db, "warehouse", number, now=NOW)
        elif st == "received":
            g = grades or [G(ln.sku, ln.qty, 0, 0) for ln in view.lines]
            view = sv.inspect_slip(db, "warehouse", number, g, now=NOW)
        elif st == "inspected":
            view = sv.settle_slip(db, "finance", number, method, now=NOW)
        elif st == "settled":
            view = sv.close_slip(db, "clerk", number, now=NOW)
    assert view.status == to
    return view


def verdict(view: sv.SlipView) -> dict[str, bool]:
    return {r.rule: r.ok for r in view.verdict}


def notes(db: Database, role: str, number: str) -> list[str]:
    return [n.key for n in sv.notifications(db, role, unread_only=False, limit=1000)
            if n.slip == number]


def unread(db: Database, role: str, number: str) -> list[str]:
    return [n.key for n in sv.notifications(db, role, unread_only=True, limit=1000)
            if n.slip == number]


def assert_verified(db: Database) -> None:
    rep = sv.verify(db)
    assert rep.ok, [c for c in rep.checks if not c.ok]


# ---------------------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------------------


def test_return_happy_path_moves_stock_per_stage_and_audits_every_edge(shop):
    db = shop.db
    assert levels(db, "P1") == (7, 0, 0, 0)
    n = create(db, [L("P1", 3, "quality", "屏幕不亮")])
    v = sv.get_slip(db, n)
    assert n.startswith("TH-") and v.status == "draft" and v.customer == "张三"
    assert v.lines[0].unit_price_fen == 1800 and v.lines[0].unit_cost_fen == 800

    v = sv.submit_slip(db, "clerk", n, now=NOW)
    assert v.status == "approved" and v.auto_approved and v.policy_ok
    assert [(e.action, e.user) for e in v.events][-1] == ("approve", sv.SYSTEM_USER)
    assert levels(db, "P1") == (7, 0, 0, 0)  # approval moves no goods

    sv.receive_slip(db, "warehouse", n, now=NOW)
    assert levels(db, "P1") == (7, 3, 0, 0)
    sv.inspect_slip(db, "warehouse", n, [G("P1", 1, 1, 1)], now=NOW)
    assert levels(db, "P1") == (8, 0, 1, 1)
    moves = sql(db, """SELECT m.location, m.qty, m.kind FROM stock_moves m
                       JOIN slips s ON s.id = m.slip_id WHERE s.number = :n ORDER BY m.id""", n=n)
    assert moves == [("pending", 3, "return_in"), ("pending", -3, "inspect"),
                     ("sellable", 1, "inspect"), ("defective", 1, "inspect"),
                     ("scrap", 1, "inspect")]
    v = sv.settle_slip(db, "finance", n, "original", now=NOW)
    assert v.status == "settled" and v.refund_fen == 5400 and v.fee_fen == 0
    assert levels(db, "P1") == (8, 0, 1, 1)  # settling a return moves no goods
    v = sv.close_slip(db, "clerk", n, now=NOW)
    edges = [(e.from_status, e.to_status) for e in v.events if e.to_status]
    assert edges == [(None, "draft"), ("draft", "submitted"), ("submitted", "approved"),
                     ("approved", "received"), ("received", "inspected"),
                     ("inspected", "settled"), ("settled", "closed")]
    assert all(edge in sv.TRANSITIONS for edge in edges)
    assert_verified(db)


def test_lifecycle_edges_are_exactly_the_design():
    assert sv.TRANSITIONS == {
        (None, "draft"), ("draft", "submitted"), ("submitted", "approved"),
        ("submitted", "rejected"), ("draft", "cancelled"), ("submitted", "cancelled"),
        ("approved", "cancelled"), ("approved", "received"), ("received", "inspected"),
        ("inspected", "settled"), ("settled", "closed"),
    }


ACTIONS: dict[str, Callable[[Database, str], sv.SlipView]] = {
    "submit": lambda db, n: sv.submit_slip(db, "clerk", n, now=NOW),
    "approve": lambda db, n: sv.approve_slip(db, "boss2", n, override_reason="特批", now=NOW),
    "reject": lambda db, n: sv.reject_slip(db, "boss2", n, "不符合", now=NOW),
    "cancel": lambda db, n: sv.cancel_slip(db, "clerk", n, "顾客撤回", now=NOW),
    "receive": lambda db, n: sv.receive_slip(db, "warehouse", n, now=NOW),
    "inspect": lambda db, n: sv.inspect_slip(db, "warehouse", n, [G("P1", 1, 0, 0)], now=NOW),
    "settle": lambda db, n: sv.settle_slip(db, "finance", n, "original", now=NOW),
    "close": lambda db, n: sv.close_slip(db, "clerk", n, now=NOW),
}
ALLOWED = {
    "draft": {"submit": "submitted", "cancel": "cancelled"},
    "submitted": {"approve": "approved", "reject": "rejected", "cancel": "cancelled"},
    "approved": {"receive": "received", "cancel": "cancelled"},
    "received": {"inspect": "inspected"},
    "inspected": {"settle": "settled"},
    "settled": {"close": "closed"},
    "closed": {}, "rejected": {}, "cancelled": {},
}


def _slip_in(db: Database, state: str) -> str:
    # Opened packaging fails the "condition" rule, so submit stops at `submitted`.
    n = create(db, [L("P1", 1, "changed_mind", packaging_intact=False)])
    if state == "rejected":
        advance(db, n, "submitted")
        sv.reject_slip(db, "finance", n, "不符合政策", now=NOW)
    elif state == "cancelled":
        sv.cancel_slip(db, "clerk", n, "顾客撤回", now=NOW)
    else:
        advance(db, n, state)
    return n


@pytest.mark.parametrize("state", list(ALLOWED))
def test_every_illegal_transition_is_refused_and_every_legal_one_works(db, state):
    make_shop(db)
    n = _slip_in(db, state)
    for action, fn in ACTIONS.items():
        if action in ALLOWED[state]:
            continue
        refused(db, "bad_transition", "status", fn, n)
        assert sv.get_slip(db, n).status == state
    for action, target in ALLOWED[state].items():
        m = _slip_in(db, state)
        assert ACTIONS[action](db, m).status == target
    assert_verified(db)


def test_reject_and_cancel_need_a_reason(shop):
    db = shop.db
    n = _slip_in(db, "submitted")
    refused(db, "required", "reason", sv.reject_slip, "boss2", n, "   ", now=NOW)
    refused(db, "required", "reason", sv.cancel_slip, "clerk", n, "", now=NOW)
    v = sv.reject_slip(db, "boss2", n, "超出政策", now=NOW)
    assert v.status == "rejected" and v.events[-1].detail == {"reason": "超出政策"}


def test_approver_is_never_the_creator(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "changed_mind", packaging_intact=False)], actor="owner")
    advance(db, n, "submitted")
    refused(db, "own_slip", "user", sv.approve_slip, "owner", n, override_reason="自己批",
            now=NOW)
    refused(db, "own_slip", "user", sv.reject_slip, "owner", n, "自己驳回", now=NOW)
    v = sv.approve_slip(db, "boss2", n, override_reason="另一位店长批准", now=NOW)
    assert v.status == "approved" and v.override_by == "boss2"
    assert v.events[-1].user == "boss2"


ROLE_CASES = [
    ("create", "warehouse"), ("create", "finance"), ("submit", "warehouse"),
    ("submit", "finance"), ("approve", "clerk"), ("approve", "warehouse"),
    ("reject", "clerk"), ("reject", "warehouse"), ("cancel", "warehouse"),
    ("receive", "clerk"), ("receive", "finance"), ("inspect", "clerk"), ("inspect", "finance"),
    ("settle", "clerk"), ("settle", "warehouse"), ("close", "warehouse"),
    ("feedback", "warehouse"),
]
_STATE_FOR = {"create": None, "submit": "draft", "approve": "submitted", "reject": "submitted",
              "cancel": "draft", "receive": "approved", "inspect": "received",
              "settle": "inspected", "close": "settled", "feedback": "settled"}


@pytest.mark.parametrize(("action", "actor"), ROLE_CASES)
def test_roles_per_action(db, action, actor):
    make_shop(db)
    state = _STATE_FOR[action]
    n = _slip_in(db, state) if state else ""
    calls: dict[str, Callable[[], Any]] = {
        "create": lambda: (sv.create_slip, actor, "SO-1", "return", [L("P1", 1, "size")]),
        "submit": lambda: (sv.submit_slip, actor, n),
        "approve": lambda: (sv.approve_slip, actor, n, "特批"),
        "reject": lambda: (sv.reject_slip, actor, n, "驳回"),
        "cancel": lambda: (sv.cancel_slip, actor, n, "撤回"),
        "receive": lambda: (sv.receive_slip, actor, n),
        "inspect": lambda: (sv.inspect_slip, actor, n, [G("P1", 1, 0, 0)]),
        "settle": lambda: (sv.settle_slip, actor, n, "cash"),
        "close": lambda: (sv.close_slip, actor, n),
        "feedback": lambda: (sv.add_feedback, actor, n, 5),
    }
    fn, *args = calls[action]()
    err = refused(db, "role_denied", "user", fn, *args, now=NOW)
    assert err.params["user"] == actor


def test_allowed_roles_that_are_not_the_usual_one(shop):
    db = shop.db
    # The owner may do every step; finance may reject and cancel.
    n = create(db, [L("P1", 1, "quality")], actor="owner")
    assert sv.submit_slip(db, "owner", n, now=NOW).status == "approved"
    assert sv.receive_slip(db, "owner", n, now=NOW).status == "received"
    assert sv.inspect_slip(db, "owner", n, [G("P1", 1, 0, 0)], now=NOW).status == "inspected"
    assert sv.settle_slip(db, "owner", n, "cash", now=NOW).status == "settled"
    assert sv.close_slip(db, "finance", n, now=NOW).status == "closed"
    m = _slip_in(db, "submitted")
    assert sv.reject_slip(db, "finance", m, "不符合", now=NOW).status == "rejected"
    k = create(db, [L("P1", 1, "quality")])
    assert sv.cancel_slip(db, "finance", k, "重复录入", now=NOW).status == "cancelled"


def test_catalogue_and_sale_roles(shop):
    db = shop.db
    refused(db, "role_denied", "user", sv.add_user, "clerk", "x", "clerk", now=NOW)
    refused(db, "role_denied", "user", sv.add_products, "clerk",
            [sv.ProductInput("PX", "x", 100, 50)], now=NOW)
    refused(db, "role_denied", "user", sv.add_customers, "warehouse",
            [sv.CustomerInput("李四", "13900000000")], now=NOW)
    sale = sv.SaleInput("SO-9", "store", NOW, [sv.SaleLineInput("P1", 1, 2000)])
    refused(db, "role_denied", "user", sv.record_sales, "warehouse", [sale], now=NOW)
    refused(db, "role_denied", "user", sv.record_sales, "finance", [sale], now=NOW)
    refused(db, "role_denied", "user", sv.receive_purchase, "clerk", "P1", 1, now=NOW)
    refused(db, "role_denied", "user", sv.set_setting, "clerk", "shop_name", "x", now=NOW)


def test_unknown_and_inactive_users_are_refused(shop):
    db = shop.db
    refused(db, "unknown_user", "user", sv.create_slip, "ghost", "SO-1", "return",
            [L("P1", 1, "size")], now=NOW)
    refused(db, "unknown_user", "user", sv.create_slip, "", "SO-1", "return",
            [L("P1", 1, "size")], now=NOW)
    sql(db, "UPDATE users SET active = false WHERE name = 'clerk2'")  # a boolean on PG
    refused(db, "unknown_user", "user", sv.create_slip, "clerk2", "SO-1", "return",
            [L("P1", 1, "size")], now=NOW)
    assert not sv.check_pin(db, "clerk2", "")
    refused(db, "unknown_user", "user", sv.mark_notifications_read, "ghost", now=NOW)


# ---------------------------------------------------------------------------------------
# Policy verdict, rule by rule
# ---------------------------------------------------------------------------------------


def _submit(db: Database, lines: list[sv.LineInput], sale: str | None = "SO-1",
            typ: str = "return", **kw: Any) -> sv.SlipView:
    return sv.submit_slip(db, "clerk", create(db, lines, sale=sale, typ=typ, **kw), now=NOW)


def test_auto_approve_when_every_rule_passes(shop):
    db = shop.db
    v = _submit(db, [L("P1", 1, "changed_mind")])
    assert verdict(v) == {"original_sale": True, "window": True, "excluded_category": True,
                          "condition": True, "amount": True}
    assert v.status == "approved" and v.auto_approved and v.override_by is None
    events = [(e.action, e.user, e.detail) for e in v.events]
    assert events[-2][:2] == ("submit", "clerk") and events[-2][2]["policy_ok"] is True
    assert events[-1] == ("approve", sv.SYSTEM_USER, {"auto": True})


def _failing(v: sv.SlipView, rule: str) -> None:
    """Only `rule` failed; the slip waits in `submitted` for the owner."""
    assert {k for k, ok in verdict(v).items() if not ok} == {rule}
    assert v.status == "submitted" and v.policy_ok is False and not v.auto_approved


@pytest.mark.parametrize(("channel", "days", "reason", "typ", "ok", "limit"), [
    ("store", 3, "changed_mind", "return", True, 3),
    ("store", 4, "changed_mind", "return", False, 3),
    ("store", 4, "size", "exchange", False, 3),
    ("store", 7, "quality", "return", True, 7),
    ("store", 8, "quality", "return", False, 7),
    ("store", 8, "quality", "exchange", True, 15),
    ("store", 15, "damaged", "exchange", True, 15),
    ("store", 16, "quality", "exchange", False, 15),
    ("online", 7, "changed_mind", "return", True, 7),
    ("online", 8, "changed_mind", "return", False, 7),
])
def test_window_rule(db, channel, days, reason, typ, ok, limit):
    make_shop(db, sold_days_ago=days, channel=channel)
    v = _submit(db, [L("P1", 1, reason)], typ=typ)
    if ok:
        assert v.status == "approved" and verdict(v)["window"]
    else:
        _failing(v, "window")
        rule = next(r for r in v.verdict if r.rule == "window")
        assert rule.params["days"] == days and rule.params["limit"] == limit


@pytest.mark.parametrize("category", ["定制", "食品"])
def test_excluded_category_without_fault(shop, category):
    db = shop.db
    add_product(db, "PX", category, price=5000)
    sell(db, "SO-X", [("PX", 2, 5000)])
    v = _submit(db, [L("PX", 1, "changed_mind")], sale="SO-X")
    _failing(v, "excluded_category")
    assert next(r for r in v.verdict if r.rule == "excluded_category").params == {
        "sku": "PX", "category": category}
    # A quality fault is covered by 三包 even for excluded goods.
    assert _submit(db, [L("PX", 1, "quality")], sale="SO-X").status == "approved"


def test_opened_digital_goods_are_excluded_sealed_ones_are_not(shop):
    db = shop.db
    add_product(db, "PD", "数码卡券", price=10000)
    sell(db, "SO-D", [("PD", 2, 10000)])
    v = _submit(db, [L("PD", 1, "changed_mind", packaging_intact=False)], sale="SO-D")
    assert v.status == "submitted"
    assert {k for k, ok in verdict(v).items() if not ok} == {"excluded_category", "condition"}
    assert _submit(db, [L("PD", 1, "changed_mind")], sale="SO-D").status == "approved"


def test_packaging_condition_rule(shop):
    db = shop.db
    _failing(_submit(db, [L("P1", 1, "size", packaging_intact=False)]), "condition")
    # Opened packaging does not matter when the goods are faulty.
    assert _submit(db, [L("P1", 1, "quality", packaging_intact=False)]).status == "approved"


def test_amount_rule_at_and_over_the_auto_approve_limit(shop):
    db = shop.db
    sell(db, "SO-A", [("P2", 2, 15000)])   # 300.00 yuan: exactly the store limit
    sell(db, "SO-B", [("P2", 1, 30001)])   # one fen over
    assert _submit(db, [L("P2", 2, "quality")], sale="SO-A").status == "approved"
    v = _submit(db, [L("P2", 1, "quality")], sale="SO-B")
    _failing(v, "amount")
    assert next(r for r in v.verdict if r.rule == "amount").params == {
        "amount_fen": 30001, "limit_fen": 30000}


def test_online_amount_limit_is_200_yuan(db):
    make_shop(db, channel="online")
    sell(db, "SO-O", [("P2", 1, 20001)], channel="online")
    _failing(_submit(db, [L("P2", 1, "quality")], sale="SO-O"), "amount")


def test_no_original_sale_needs_the_owner(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "quality", unit_price_fen=1900)], sale=None,
               customer_phone=PHONE, channel="store", note="小票丢失")
    v = sv.submit_slip(db, "clerk", n, now=NOW)
    _failing(v, "original_sale")
    assert v.sale is None and v.customer == "张三"
    assert v.lines[0].unit_cost_fen == 800  # no sale: today's cost
    refused(db, "exception_needs_owner", "user", sv.approve_slip, "finance", n,
            override_reason="补录", now=NOW)
    refused(db, "exception_needs_reason", "reason", sv.approve_slip, "boss2", n, now=NOW)
    refused(db, "exception_needs_reason", "reason", sv.approve_slip, "boss2", n,
            override_reason="   ", now=NOW)
    v = sv.approve_slip(db, "boss2", n, override_reason="小票丢失, 店长确认", now=NOW)
    assert (v.status, v.override_by, v.override_reason) == (
        "approved", "boss2", "小票丢失, 店长确认")
    assert v.events[-1].detail == {"override": True, "reason": "小票丢失, 店长确认"}
    v = advance(db, n, "settled", method="original")
    # No sale to refund through: the original method is cash.
    assert postings(db, n, "refund") == {"6003": (1900, 0), "1001": (0, 1900)}
    assert_verified(db)


def test_preview_matches_what_submit_decides(shop):
    db = shop.db
    before = dump(db)
    p = sv.preview_slip(db, "SO-1", "return", [L("P1", 2, "changed_mind")], now=NOW)
    assert (p.gross_fen, p.fee_fen, p.refund_fen) == (3600, 360, 3240) and p.policy_ok
    p = sv.preview_slip(db, "SO-1", "exchange", [L("P1", 1, "quality", replacement_sku="P2")],
                        now=NOW)
    assert (p.replacement_fen, p.difference_fen) == (15000, 13200)
    assert dump(db) == before


# ---------------------------------------------------------------------------------------
# I3 returnable
# ---------------------------------------------------------------------------------------


def _returnable(db: Database, sku: str, order: str = "SO-1") -> int:
    return next(ln.returnable for ln in sv.get_sale(db, order).lines if ln.sku == sku)


def test_returnable_over_several_slips_and_release_on_reject_and_cancel(shop):
    db = shop.db
    a = create(db, [L("P1", 2, "quality")])
    b = create(db, [L("P1", 1, "changed_mind", packaging_intact=False)])
    assert _returnable(db, "P1") == 0
    err = refused(db, "over_returnable", "lines[1].qty", sv.create_slip, "clerk", "SO-1",
                  "return", [L("P1", 1, "quality")], now=NOW)
    assert err.params["returnable"] == 0
    advance(db, b, "submitted")
    sv.reject_slip(db, "boss2", b, "包装已拆", now=NOW)
    assert _returnable(db, "P1") == 1
    c = create(db, [L("P1", 1, "quality")])
    refused(db, "over_returnable", "lines[1].qty", sv.create_slip, "clerk", "SO-1",
            "exchange", [L("P1", 1, "quality")], now=NOW)
    advance(db, a, "approved")
    sv.cancel_slip(db, "clerk", a, "顾客不退了", now=NOW)
    assert _returnable(db, "P1") == 2
    sv.cancel_slip(db, "clerk", c, "录错", now=NOW)
    assert _returnable(db, "P1") == 3
    create(db, [L("P1", 3, "quality")])
    assert _returnable(db, "P1") == 0
    assert_verified(db)


def test_returnable_counts_lines_within_one_slip(shop):
    db = shop.db
    err = refused(db, "over_returnable", "lines[2].qty", sv.create_slip, "clerk", "SO-1",
                  "return", [L("P1", 2, "quality"), L("P1", 2, "size")], now=NOW)
    assert err.params["returnable"] == 1
    refused(db, "over_returnable", "lines[1].qty", sv.create_slip, "clerk", "SO-1", "return",
            [L("P2", 2, "quality")], now=NOW)
    add_product(db, "P3", "配件")
    refused(db, "sku_not_in_sale", "lines[1].sku", sv.create_slip, "clerk", "SO-1", "return",
            [L("P3", 1, "quality")], now=NOW)


# ---------------------------------------------------------------------------------------
# I4 refund and restocking fee, I5 cost
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reason", "fee"), [
    ("changed_mind", 540), ("size", 540), ("other", 540),
    ("quality", 0), ("not_as_described", 0), ("wrong_item", 0), ("damaged", 0),
])
def test_refund_is_paid_price_times_qty_minus_fee_on_store_returns(shop, reason, fee):
    db = shop.db
    n = create(db, [L("P1", 3, reason)])
    v = sv.get_slip(db, n)
    # Paid 18.00 each (the product's list price is 20.00): refund is on what was paid.
    assert (v.gross_fen, v.fee_fen, v.refund_fen) == (5400, fee, 5400 - fee)
    v = advance(db, n, "settled", method="original")
    assert (v.gross_fen, v.fee_fen, v.refund_fen) == (5400, fee, 5400 - fee)
    expected = {"6003": (5400, 0), "1002": (0, 5400 - fee)}  # paid by WeChat: bank account
    if fee:
        expected["6051"] = (0, fee)
    assert postings(db, n, "refund") == expected
    assert_verified(db)


def test_online_returns_carry_no_restocking_fee(db):
    make_shop(db, channel="online")
    v = sv.get_slip(db, create(db, [L("P1", 3, "changed_mind")]))
    assert (v.fee_fen, v.refund_fen) == (0, 5400)


def test_exchanges_carry_no_restocking_fee(shop):
    v = sv.get_slip(shop.db, create(shop.db, [L("P1", 1, "size", replacement_sku="P1")],
                                    typ="exchange"))
    assert v.fee_fen == 0


def test_like_for_like_exchange_keeps_the_price_paid(shop):
    """Paid 18.00 for P1 that now sells at 20.00: swapping it for another P1 costs nothing,
    and the replacement's revenue is booked at the price paid."""
    db = shop.db
    n = create(db, [L("P1", 1, "quality", replacement_sku="P1")], typ="exchange")
    v = sv.get_slip(db, n)
    assert v.difference_fen == 0 and v.lines[0].replacement_unit_price_fen == 1800


@pytest.mark.parametrize(("price", "fee"), [(1805, 181), (1804, 180), (1815, 182), (5, 1),
                                            (4, 0)])
def test_restocking_fee_rounds_half_up_in_fen(shop, price, fee):
    db = shop.db
    sell(db, "SO-R", [("P1", 1, price)])
    v = sv.get_slip(db, create(db, [L("P1", 1, "changed_mind")], sale="SO-R"))
    assert (v.fee_fen, v.refund_fen) == (fee, price - fee)


@pytest.mark.parametrize(("method", "account"), [
    ("original", "1002"), ("cash", "1001"), ("credit", "2205"), ("receivable", "1122")])
def test_refund_methods_post_to_their_account(shop, method, account):
    db = shop.db
    if method == "receivable":  # the customer owes the shop: a sale on account
        sell(db, "SO-A", [("P2", 1, 15000)], method="account")
    n = create(db, [L("P2", 1, "quality")])
    advance(db, n, "settled", method=method)
    assert postings(db, n, "refund") == {"6003": (14000, 0), account: (0, 14000)}
    assert credit(db) == (14000 if method == "credit" else 0)
    assert sv.get_slip(db, n).refund_method == method
    assert_verified(db)


def test_original_method_of_a_cash_sale_refunds_cash(shop):
    db = shop.db
    sell(db, "SO-C", [("P1", 1, 2000)], method="cash")
    n = create(db, [L("P1", 1, "quality")], sale="SO-C")
    advance(db, n, "settled", method="original")
    assert postings(db, n, "refund") == {"6003": (2000, 0), "1001": (0, 2000)}


def test_credit_and_receivable_need_a_customer(shop):
    db = shop.db
    sell(db, "SO-N", [("P1", 2, 2000)], phone=None)
    n = create(db, [L("P1", 1, "quality")], sale="SO-N")
    advance(db, n, "inspected")
    refused(db, "method_needs_customer", "method", sv.settle_slip, "finance", n, "credit",
            now=NOW)
    refused(db, "method_needs_customer", "method", sv.settle_slip, "finance", n, "receivable",
            now=NOW)
    assert sv.settle_slip(db, "finance", n, "cash", now=NOW).status == "settled"


def test_cost_is_reversed_at_the_sale_cost_not_todays(shop):
    db = shop.db
    sql(db, "UPDATE products SET unit_cost_fen = 999 WHERE sku = 'P1'")  # cost went up since
    n = create(db, [L("P1", 3, "quality")])
    assert sv.get_slip(db, n).lines[0].unit_cost_fen == 800
    advance(db, n, "inspected", grades=[G("P1", 1, 1, 1)])
    assert postings(db, n, "return_cost") == {
        "1405": (800, 0), "1406": (800, 0), "6711": (800, 0), "6401": (0, 2400)}
    assert_verified(db)


def test_cost_reversal_when_every_unit_is_resellable(shop):
    db = shop.db
    n = create(db, [L("P2", 1, "size")])
    advance(db, n, "inspected")
    assert postings(db, n, "return_cost") == {"1405": (6000, 0), "6401": (0, 6000)}


# ---------------------------------------------------------------------------------------
# Exchanges: replacement out of sellable, difference both ways
# ---------------------------------------------------------------------------------------


def test_exchange_customer_pays_the_difference(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "quality", replacement_sku="P2")], typ="exchange")
    assert n.startswith("HH-")
    assert sv.get_slip(db, n).difference_fen == 13200
    advance(db, n, "inspected")
    assert levels(db, "P1")[0] == 8 and levels(db, "P2")[0] == 4
    v = sv.settle_slip(db, "finance", n, "cash", now=NOW)
    assert (v.difference_fen, v.refund_fen) == (13200, 0)
    assert levels(db, "P2")[0] == 3
    out = sql(db, """SELECT p.sku, m.location, m.qty, m.kind FROM stock_moves m
                     JOIN products p ON p.id = m.product_id JOIN slips s ON s.id = m.slip_id
                     WHERE s.number = :n AND m.kind = 'exchange_out'""", n=n)
    assert out == [("P2", "sellable", -1, "exchange_out")]
    assert postings(db, n, "exchange") == {
        "6003": (1800, 0), "6001": (0, 15000), "1001": (13200, 0),
        "6401": (6000, 0), "1405": (0, 6000)}
    assert_verified(db)


def test_exchange_difference_back_to_store_credit_then_spent(shop):
    db = shop.db
    n = create(db, [L("P2", 1, "size", replacement_sku="P1", replacement_qty=2)],
               typ="exchange")
    advance(db, n, "inspected")
    v = sv.settle_slip(db, "finance", n, "credit", now=NOW)
    assert (v.difference_fen, v.refund_fen) == (-10000, 10000)
    assert credit(db) == 10000
    assert levels(db, "P1")[0] == 5
    assert postings(db, n, "exchange") == {
        "6003": (14000, 0), "6001": (0, 4000), "2205": (0, 10000),
        "6401": (1600, 0), "1405": (0, 1600)}
    # The customer spends 22.00 of that credit on a dearer exchange.
    m = create(db, [L("P1", 1, "size", replacement_sku="P1", replacement_qty=2)],
               typ="exchange")
    advance(db, m, "inspected")
    v = sv.settle_slip(db, "finance", m, "credit", now=NOW)
    assert v.difference_fen == 2200 and credit(db) == 7800
    assert postings(db, m, "exchange")["2205"] == (2200, 0)
    assert_verified(db)


def test_exchange_paid_from_too_little_credit_is_refused(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "quality", replacement_sku="P2")], typ="exchange")
    advance(db, n, "inspected")
    err = refused(db, "credit_short", "method", sv.settle_slip, "finance", n, "credit",
                  now=NOW)
    assert err.params == {"have": 0, "need": 13200}


def test_exchange_difference_on_receivable(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "quality", replacement_sku="P2")], typ="exchange")
    advance(db, n, "settled", method="receivable")
    assert postings(db, n, "exchange")["1122"] == (13200, 0)


def test_exchange_short_stock_blocks_settle_and_writes_nothing(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "quality", replacement_sku="P2", replacement_qty=2)],
               typ="exchange")
    advance(db, n, "inspected")
    sell(db, "SO-DRAIN", [("P2", 3, 15000)])  # leaves 1 sellable
    err = refused(db, "stock_short", "qty", sv.settle_slip, "finance", n, "cash", now=NOW)
    assert err.params["sku"] == "P2" and err.params["have"] == 1 and err.params["need"] == 2
    assert sv.get_slip(db, n).status == "inspected"
    sv.receive_purchase(db, "warehouse", "P2", 5, now=NOW)
    assert sv.settle_slip(db, "finance", n, "cash", now=NOW).status == "settled"
    assert_verified(db)


def test_return_line_cannot_carry_a_replacement(shop):
    refused(shop.db, "replacement_on_return", "lines[1].replacement_sku", sv.create_slip,
            "clerk", "SO-1", "return", [L("P1", 1, "size", replacement_sku="P2")], now=NOW)
    refused(shop.db, "unknown_sku", "lines[1].replacement_sku", sv.create_slip, "clerk",
            "SO-1", "exchange", [L("P1", 1, "size", replacement_sku="NOPE")], now=NOW)
    refused(shop.db, "qty_positive", "lines[1].replacement_qty", sv.create_slip, "clerk",
            "SO-1", "exchange", [L("P1", 1, "size", replacement_qty=0)], now=NOW)


# ---------------------------------------------------------------------------------------
# Stock alerts, notifications, feedback
# ---------------------------------------------------------------------------------------


def _open_alerts(db: Database) -> dict[str, int]:
    return {a.sku: a.sellable for a in sv.alerts(db)}


def test_low_stock_alert_raised_at_reorder_point_and_cleared_when_stock_rises(shop):
    db = shop.db
    assert _open_alerts(db) == {}
    sell(db, "SO-L1", [("P1", 3, 2000)])  # 7 -> 4: still above the reorder point 3
    assert _open_alerts(db) == {} and not stock_of(db, "P1").low
    sell(db, "SO-L2", [("P1", 1, 2000)])  # 4 -> 3: at the reorder point
    assert _open_alerts(db) == {"P1": 3} and stock_of(db, "P1").low
    assert "low_stock" in [n.key for n in sv.notifications(db, "owner")]
    # A returned unit graded resellable lifts sellable stock above the point: cleared.
    n = create(db, [L("P1", 1, "quality")])
    advance(db, n, "inspected")
    assert _open_alerts(db) == {}
    assert one(db, "SELECT count(*) FROM stock_alerts WHERE cleared_at IS NOT NULL") == 1
    # An exchange issuing P1 brings it back down: a new alert.
    m = create(db, [L("P2", 1, "quality", replacement_sku="P1")], typ="exchange")
    advance(db, m, "settled", method="cash")
    assert _open_alerts(db) == {"P1": 3}
    sv.receive_purchase(db, "warehouse", "P1", 10, now=NOW)
    assert _open_alerts(db) == {}
    assert one(db, "SELECT count(*) FROM stock_alerts") == 2
    assert_verified(db)


def test_notifications_go_to_the_role_that_acts_next(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "size", packaging_intact=False)])
    assert notes(db, "clerk", n) == ["slip_draft"]
    advance(db, n, "submitted")
    assert notes(db, "owner", n) == ["slip_submitted"]  # an exception: the owner decides
    assert notes(db, "finance", n) == []
    advance(db, n, "approved")
    assert notes(db, "warehouse", n) == ["slip_approved"]
    advance(db, n, "received")
    assert notes(db, "warehouse", n) == ["slip_received", "slip_approved"]
    # Once the slip moves on, what was asked of the earlier step is marked done.
    assert unread(db, "warehouse", n) == ["slip_received"]
    advance(db, n, "inspected")
    assert notes(db, "finance", n) == ["slip_inspected"]
    assert unread(db, "warehouse", n) == []
    advance(db, n, "settled")
    assert notes(db, "clerk", n) == ["slip_settled", "slip_draft"]
    assert unread(db, "clerk", n) == ["slip_settled"] and unread(db, "finance", n) == []
    auto = create(db, [L("P2", 1, "quality")])
    sv.submit_slip(db, "clerk", auto, now=NOW)
    assert notes(db, "owner", auto) == [] and notes(db, "warehouse", auto) == ["slip_approved"]
    r = _slip_in(db, "rejected")
    assert notes(db, "clerk", r)[0] == "slip_rejected"
    c = _slip_in(db, "cancelled")
    assert notes(db, "clerk", c)[0] == "slip_cancelled"
    assert sv.count_notifications(db, "warehouse") == 1  # only `auto` still waits on them
    assert sv.mark_notifications_read(db, "warehouse", now=NOW) == 1
    assert sv.count_notifications(db, "warehouse") == 0


def test_feedback_only_on_settled_or_closed_and_only_once(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "quality")])
    refused(db, "feedback_not_settled", "number", sv.add_feedback, "clerk", n, 5, now=NOW)
    advance(db, n, "inspected")
    refused(db, "feedback_not_settled", "number", sv.add_feedback, "clerk", n, 5, now=NOW)
    advance(db, n, "settled")
    for bad in (0, 6, -1, True, "5", 4.5):
        refused(db, "bad_score", "score", sv.add_feedback, "clerk", n, bad, now=NOW)
    v = sv.add_feedback(db, "clerk", n, 4, "处理很快", now=NOW)
    assert v.feedback == (4, "处理很快")
    refused(db, "feedback_exists", "number", sv.add_feedback, "finance", n, 5, now=NOW)
    m = create(db, [L("P1", 1, "quality")])
    advance(db, m, "closed")
    assert sv.add_feedback(db, "owner", m, 1, now=NOW).feedback == (1, "")
    assert sv.get_slip(db, m).status == "closed"
    assert_verified(db)


# ---------------------------------------------------------------------------------------
# I7 request ids
# ---------------------------------------------------------------------------------------


def _replay(db: Database, call: Callable[[], sv.SlipView]) -> sv.SlipView:
    first = call()
    before = dump(db)
    again = call()
    assert again.number == first.number and again.status == first.status
    assert dump(db) == before
    return first


def test_every_slip_step_replayed_with_its_request_id_applies_once(shop):
    db = shop.db
    lines = [L("P1", 1, "size", packaging_intact=False)]
    n = _replay(db, lambda: sv.create_slip(db, "clerk", "SO-1", "return", lines,
                                           request_id="c1", now=NOW)).number
    assert len(sv.list_slips(db)) == 1
    _replay(db, lambda: sv.submit_slip(db, "clerk", n, request_id="s1", now=NOW))
    _replay(db, lambda: sv.approve_slip(db, "boss2", n, "特批", request_id="a1", now=NOW))
    _replay(db, lambda: sv.receive_slip(db, "warehouse", n, request_id="r1", now=NOW))
    assert levels(db, "P1")[1] == 1
    _replay(db, lambda: sv.inspect_slip(db, "warehouse", n, [G("P1", 1, 0, 0)],
                                        request_id="i1", now=NOW))
    _replay(db, lambda: sv.settle_slip(db, "finance", n, "cash", request_id="t1", now=NOW))
    assert entries(db, n, "refund") == 1
    _replay(db, lambda: sv.close_slip(db, "clerk", n, request_id="x1", now=NOW))
    _replay(db, lambda: sv.add_feedback(db, "clerk", n, 5, "好", request_id="f1", now=NOW))
    # A replay long after the fact still answers with the slip, and changes nothing.
    before = dump(db)
    assert sv.submit_slip(db, "clerk", n, request_id="s1", now=NOW).status == "closed"
    assert dump(db) == before
    k = create(db, [L("P1", 1, "quality")])
    _replay(db, lambda: sv.cancel_slip(db, "clerk", k, "撤回", request_id="k1", now=NOW))
    j = _slip_in(db, "submitted")
    _replay(db, lambda: sv.reject_slip(db, "boss2", j, "驳回", request_id="j1", now=NOW))
    assert_verified(db)


def test_purchase_and_user_replays_apply_once(shop):
    db = shop.db
    sv.receive_purchase(db, "warehouse", "P1", 5, request_id="po-1", now=NOW)
    before = dump(db)
    row = sv.receive_purchase(db, "warehouse", "P1", 5, request_id="po-1", now=NOW)
    assert row.sellable == 12 and dump(db) == before
    sv.add_user(db, "owner", "clerk3", "clerk", request_id="u-1", now=NOW)
    before = dump(db)
    assert sv.add_user(db, "owner", "clerk3", "clerk", request_id="u-1", now=NOW).name == "clerk3"
    assert dump(db) == before
    refused(db, "request_id_conflict", "request_id", sv.receive_purchase, "warehouse", "P1", 6,
            request_id="po-1", now=NOW)


def test_same_request_id_with_different_content_is_refused(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "size")], request_id="req-1")
    refused(db, "request_id_conflict", "request_id", sv.create_slip, "clerk", "SO-1", "return",
            [L("P1", 2, "size")], request_id="req-1", now=NOW)
    refused(db, "request_id_conflict", "request_id", sv.create_slip, "clerk2", "SO-1",
            "return", [L("P1", 1, "size")], request_id="req-1", now=NOW)
    # The same id for another operation is another request.
    refused(db, "request_id_conflict", "request_id", sv.submit_slip, "clerk", n,
            request_id="req-1", now=NOW)
    refused(db, "required", "request_id", sv.submit_slip, "clerk", n, request_id="  ", now=NOW)
    refused(db, "too_long", "request_id", sv.submit_slip, "clerk", n, request_id="r" * 129,
            now=NOW)
    assert_verified(db)


# ---------------------------------------------------------------------------------------
# Audit chain and verify
# ---------------------------------------------------------------------------------------


def _busy_shop(db: Database) -> None:
    make_shop(db)
    n = create(db, [L("P1", 2, "quality")])
    advance(db, n, "closed", grades=[G("P1", 1, 1, 0)])
    m = create(db, [L("P2", 1, "quality", replacement_sku="P1")], typ="exchange")
    advance(db, m, "settled")


def test_audit_chain_verifies_and_names_every_check(db):
    _busy_shop(db)
    rep = sv.verify(db)
    assert rep.ok
    # The storage check (PRAGMA integrity_check) is SQLite's; PostgreSQL has no such row.
    storage = ["integrity"] if db.sqlite else []
    assert [c.name for c in rep.checks] == storage + [
        "cells", "I1 stock", "I2 money", "I3 returnable", "I4 refund", "I5 cost", "I6 lifecycle",
        "chain", "I7 requests", "I8 refund once", "credit", "receivables", "daily-close"]
    # Each passing check says so in a sentence of its own in both languages.
    assert not [c.name for c in rep.checks for lang in ("zh", "en")
                if c.message(lang).startswith("check_ok_")]
    seq, head = sv.chain_head(db)
    assert seq == one(db, "SELECT max(seq) FROM audit_events") and len(head) == 64
    assert rep.as_dict()["ok"] is True


TAMPER = [
    ("UPDATE audit_events SET \"user\" = 'mallory' WHERE seq = 3", "chain", "seq 3"),
    ("UPDATE audit_events SET detail_json = '{}' WHERE seq = (SELECT max(seq) FROM audit_events)",
     "chain", "altered"),
    ("DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)", "chain",
     "head"),
    ("UPDATE stock_levels SET qty = qty + 1 WHERE location = 'sellable' AND product_id = "
     "(SELECT id FROM products WHERE sku = 'P1')", "I1 stock", "level"),
    ("UPDATE postings SET debit_fen = debit_fen + 1 WHERE id = (SELECT min(id) FROM postings)",
     "I2 money", "entry"),
    ("UPDATE slip_lines SET qty = 9 WHERE id = (SELECT min(id) FROM slip_lines)",
     "I3 returnable", "sold"),
    ("UPDATE slip_lines SET refund_fen = 999999 WHERE id = (SELECT min(id) FROM slip_lines)",
     "I4 refund", "refunded"),
    ("UPDATE slip_lines SET unit_cost_fen = 1 WHERE id = (SELECT min(id) FROM slip_lines)",
     "I5 cost", "cost"),
    ("UPDATE slips SET status = 'draft' WHERE id = (SELECT min(id) FROM slips)",
     "I6 lifecycle", "audit says"),
    ("INSERT INTO request_ids (request_id, operation, fingerprint, result, at) "
     "VALUES ('ghost', 'create', 'x', 'x', '2026-01-01 00:00:00')", "I7 requests", "ghost"),
]


@pytest.mark.parametrize(("stmt", "check", "detail"), TAMPER)
def test_verify_catches_raw_sql_tampering(db, stmt, check, detail):
    _busy_shop(db)
    assert sv.verify(db).ok
    sql(db, stmt)
    rep = sv.verify(db)
    bad = {c.name: c.detail for c in rep.checks if not c.ok}
    assert not rep.ok and check in bad, bad
    assert detail in bad[check]


# ---------------------------------------------------------------------------------------
# Every remaining refusal, by key
# ---------------------------------------------------------------------------------------


def test_input_validation_refusals_name_their_field(shop):
    db = shop.db
    c = sv.create_slip
    refused(db, "bad_choice", "type", c, "clerk", "SO-1", "swap", [L("P1", 1, "size")])
    refused(db, "bad_choice", "lines[1].reason", c, "clerk", "SO-1", "return",
            [L("P1", 1, "whim")])
    refused(db, "no_lines", "lines", c, "clerk", "SO-1", "return", [])
    refused(db, "qty_positive", "lines[1].qty", c, "clerk", "SO-1", "return",
            [L("P1", 0, "size")])
    refused(db, "qty_positive", "lines[1].qty", c, "clerk", "SO-1", "return",
            [L("P1", -1, "size")])
    refused(db, "not_integer", "lines[1].qty", c, "clerk", "SO-1", "return",
            [L("P1", 1.0, "size")])  # type: ignore[arg-type]
    refused(db, "not_integer", "lines[1].qty", c, "clerk", "SO-1", "return",
            [L("P1", True, "size")])
    refused(db, "too_large", "lines[1].qty", c, "clerk", "SO-1", "return",
            [L("P1", sv.MAX_QTY + 1, "size")])
    refused(db, "unknown_sku", "lines[1].sku", c, "clerk", "SO-1", "return",
            [L("NOPE", 1, "size")])
    refused(db, "required", "lines[1].sku", c, "clerk", "SO-1", "return", [L(" ", 1, "size")])
    refused(db, "too_long", "note", c, "clerk", "SO-1", "return", [L("P1", 1, "size")],
            note="长" * (sv.MAX_TEXT + 1))
    refused(db, "bad_text", "note", c, "clerk", "SO-1", "return", [L("P1", 1, "size")],
            note="a\x00b")
    refused(db, "too_long", "lines[1].reason_text", c, "clerk", "SO-1", "return",
            [L("P1", 1, "size", "x" * (sv.MAX_TEXT + 1))])
    refused(db, "unknown_sale", "sale", c, "clerk", "SO-404", "return", [L("P1", 1, "size")])
    # Without a sale the price must be given, as an integer number of fen, not negative.
    refused(db, "required", "lines[1].unit_price", c, "clerk", None, "return",
            [L("P1", 1, "size")], note="无小票")
    refused(db, "not_integer", "lines[1].unit_price", c, "clerk", None, "return",
            [L("P1", 1, "size", unit_price_fen=18.5)], note="无小票")  # type: ignore[arg-type]
    refused(db, "money_negative", "lines[1].unit_price", c, "clerk", None, "return",
            [L("P1", 1, "size", unit_price_fen=-1)], note="无小票")
    refused(db, "too_large", "lines[1].unit_price", c, "clerk", None, "return",
            [L("P1", 1, "size", unit_price_fen=sv.MAX_FEN + 1)], note="无小票")
    refused(db, "unknown_channel", "channel", c, "clerk", None, "return",
            [L("P1", 1, "size", unit_price_fen=100)], channel="tiktok", note="无小票")
    refused(db, "no_sale_needs_note", "note", c, "clerk", None, "return",
            [L("P1", 1, "size", unit_price_fen=100)])
    refused(db, "unknown_customer", "customer", c, "clerk", "SO-1", "return",
            [L("P1", 1, "size")], customer_phone="13999999999")
    sv.add_customers(db, "owner", [sv.CustomerInput("李四", "13900000002")], now=NOW)
    refused(db, "customer_mismatch", "customer", c, "clerk", "SO-1", "return",
            [L("P1", 1, "size")], customer_phone="13900000002")
    refused(db, "unknown_slip", "number", sv.submit_slip, "clerk", "TH-20260101-9999")
    refused(db, "required", "number", sv.submit_slip, "clerk", "")
    refused(db, "bad_choice", "method", sv.settle_slip, "finance", "TH-1", "bitcoin")
    with pytest.raises(DomainError) as ei:
        sv.list_slips(db, status="lost")
    assert (ei.value.key, ei.value.field) == ("bad_choice", "status")
    with pytest.raises(DomainError) as ei:
        sv.list_sales(db, customer_phone="10000000000")
    assert (ei.value.key, ei.value.field) == ("unknown_customer", "customer")


def test_inspection_refusals(shop):
    db = shop.db
    n = create(db, [L("P1", 2, "quality")])
    advance(db, n, "received")
    ins = sv.inspect_slip
    refused(db, "grade_missing", "grades", ins, "warehouse", n, [], now=NOW)
    refused(db, "grade_sum", "grades", ins, "warehouse", n, [G("P1", 1, 0, 0)], now=NOW)
    refused(db, "grade_sum", "grades", ins, "warehouse", n, [G("P1", 2, 1, 0)], now=NOW)
    refused(db, "sku_not_in_slip", "grades.sku", ins, "warehouse", n,
            [G("P1", 2, 0, 0), G("P2", 1, 0, 0)], now=NOW)
    refused(db, "grade_extra", "grades", ins, "warehouse", n,
            [G("P1", 2, 0, 0), G("P1", 0, 0, 2)], now=NOW)
    refused(db, "qty_positive", "grades[1].scrap", ins, "warehouse", n, [G("P1", 3, 0, -1)],
            now=NOW)
    refused(db, "not_integer", "grades[1].resellable", ins, "warehouse", n,
            [G("P1", "2", 0, 0)], now=NOW)  # type: ignore[arg-type]
    refused(db, "bad_text", "grades[1].note", ins, "warehouse", n,
            [G("P1", 2, 0, 0, note="\x00")], now=NOW)
    assert sv.inspect_slip(db, "warehouse", n, [G("P1", 0, 2, 0)], now=NOW).status == "inspected"
    assert levels(db, "P1") == (7, 0, 2, 0)


def test_catalogue_refusals(shop):
    db = shop.db
    P = sv.ProductInput
    refused(db, "sku_exists", "sku", sv.add_products, "owner", [P("P1", "x", 100, 50)])
    refused(db, "sku_exists", "sku", sv.add_products, "owner",
            [P("P9", "x", 100, 50), P("P9", "y", 100, 50)])
    refused(db, "money_negative", "[1].unit_price", sv.add_products, "owner",
            [P("P9", "x", -1, 50)])
    refused(db, "too_large", "[1].unit_cost", sv.add_products, "owner",
            [P("P9", "x", 100, sv.MAX_FEN + 1)])
    refused(db, "required", "[2].name", sv.add_products, "owner",
            [P("P8", "x", 100, 50), P("P9", "", 100, 50)])
    refused(db, "qty_positive", "[1].reorder_point", sv.add_products, "owner",
            [P("P9", "x", 100, 50, reorder_point=-1)])
    C = sv.CustomerInput
    refused(db, "phone_exists", "phone", sv.add_customers, "owner", [C("重名", PHONE)])
    refused(db, "bad_phone", "[1].phone", sv.add_customers, "owner", [C("李四", "call me")])
    refused(db, "unknown_channel", "[1].channel", sv.add_customers, "owner",
            [C("李四", "13900000003", "phone")])
    refused(db, "user_exists", "name", sv.add_user, "owner", "clerk", "clerk")
    refused(db, "bad_choice", "role", sv.add_user, "owner", "x", "admin")
    refused(db, "bad_pin", "pin", sv.add_user, "owner", "x", "clerk", pin="12ab")
    refused(db, "bad_pin", "pin", sv.add_user, "owner", "x", "clerk", pin="123")
    refused(db, "required", "key", sv.set_setting, "owner", " ", "v")
    refused(db, "qty_positive", "qty", sv.receive_purchase, "warehouse", "P1", 0)
    refused(db, "unknown_sku", "sku", sv.receive_purchase, "warehouse", "NOPE", 1)
    refused(db, "money_negative", "unit_cost", sv.receive_purchase, "warehouse", "P1", 1, -5)
    u = sv.add_user(db, "owner", "pinned", "clerk", pin="2468", now=NOW)
    assert u.has_pin and sv.check_pin(db, "pinned", "2468") and not sv.check_pin(db, "pinned",
                                                                                 "1357")


def test_first_user_must_be_an_owner(db):
    refused(db, "first_user_owner", "role", sv.add_user, None, "clerk", "clerk")
    assert sv.add_user(db, None, "boss", "owner", now=NOW).role == "owner"
    refused(db, "unknown_user", "user", sv.add_user, None, "x", "clerk")


def test_sale_refusals(shop):
    db = shop.db
    S, SL = sv.SaleInput, sv.SaleLineInput
    rec = sv.record_sales
    ok_line = [SL("P1", 1, 2000)]
    refused(db, "order_exists", "order", rec, "clerk", [S("SO-1", "store", NOW, ok_line)])
    refused(db, "order_exists", "[2].order", rec, "clerk",
            [S("SO-7", "store", NOW, ok_line), S("SO-7", "store", NOW, ok_line)])
    refused(db, "no_lines", "[1].lines", rec, "clerk", [S("SO-7", "store", NOW, [])])
    refused(db, "unknown_customer", "[1].customer", rec, "clerk",
            [S("SO-7", "store", NOW, ok_line, customer_phone="10000000000")])
    refused(db, "unknown_sku", "[1].lines[1].sku", rec, "clerk",
            [S("SO-7", "store", NOW, [SL("NOPE", 1, 100)])])
    refused(db, "qty_positive", "[1].lines[1].qty", rec, "clerk",
            [S("SO-7", "store", NOW, [SL("P1", 0, 100)])])
    refused(db, "money_negative", "[1].lines[1].unit_price", rec, "clerk",
            [S("SO-7", "store", NOW, [SL("P1", 1, -100)])])
    refused(db, "unknown_channel", "[1].channel", rec, "clerk", [S("SO-7", "mall", NOW, ok_line)])
    refused(db, "bad_choice", "[1].payment_method", rec, "clerk",
            [S("SO-7", "store", NOW, ok_line, payment_method="iou")])
    err = refused(db, "stock_short", "qty", rec, "clerk",
                  [S("SO-7", "store", NOW, [SL("P2", 3, 100)]),
                   S("SO-8", "store", NOW, [SL("P2", 2, 100)])])
    assert err.params["have"] == 4 and err.params["need"] == 5
    # A valid sale: stock out, revenue and cost posted at the cost of the day.
    sell(db, "SO-7", [("P2", 4, 15000)], method="alipay")
    assert levels(db, "P2")[0] == 0
    assert _open_alerts(db) == {"P2": 0}
    assert sv.get_sale(db, "SO-7").total_fen == 60000
    assert [s.order for s in sv.list_sales(db, customer_phone=PHONE)][:2] == ["SO-7", "SO-1"]
    assert_verified(db)


def test_over_refund_is_refused_at_settle(shop):
    db = shop.db
    n = create(db, [L("P1", 3, "quality")])
    advance(db, n, "inspected")
    # Only reachable by tampering: the sale line now says a single unit was sold.
    sql(db, "UPDATE sale_lines SET qty = 1 WHERE product_id = "
            "(SELECT id FROM products WHERE sku = 'P1')")
    err = refused(db, "over_refund", "refund", sv.settle_slip, "finance", n, "cash", now=NOW)
    assert err.params["sku"] == "P1" and err.params["paid"] == 1800


def test_unbalanced_journal_entry_is_refused(shop):
    db = shop.db
    before = dump(db)
    with pytest.raises(DomainError) as ei, db.write() as s:
        post_entry(s, "manual", NOW, "owner", [("1001", 100, 0), ("6001", 0, 99)], shop="main")
    assert (ei.value.key, ei.value.field) == ("journal_unbalanced", "journal")
    with pytest.raises(DomainError) as ei, db.write() as s:
        post_entry(s, "manual", NOW, "owner", [("1001", -5, 0), ("6001", -5, 0)], shop="main")
    assert ei.value.key == "journal_unbalanced"
    assert dump(db) == before


def test_every_domain_error_key_in_service_is_covered_here():
    import pathlib
    import re

    src = "".join(p.read_text(encoding="utf-8")
                  for p in sorted(pathlib.Path(sv.__file__).parent.glob("*.py")))
    keys = set(re.findall(r'DomainError\(\s*"([a-z_]+)"', src))
    # Service tests live in this file, test_service_reads.py, test_service_ops.py,
    # test_bad_input_service.py (the bad-input battery), test_shops.py, test_sign_in.py and
    # test_destructive.py, test_platforms.py and test_receivables.py.
    here = "".join(pathlib.Path(__file__).with_name(f).read_text(encoding="utf-8")
                   for f in ("test_service.py", "test_service_reads.py",
                             "test_service_ops.py", "test_bad_input_service.py",
                             "test_shops.py", "test_sign_in.py", "test_destructive.py",
                             "test_platforms.py", "test_receivables.py"))
    missing = sorted(k for k in keys if f'"{k}"' not in here)
    assert not missing, missing


def test_policy_can_be_swapped_for_a_test(shop):
    db = shop.db
    pol = sv.policy()
    store = replace(pol.channel("store"), restocking_fee_bp=2500, auto_approve_limit_fen=100)
    sv.set_policy(replace(pol, channels={**pol.channels, "store": store}))
    try:
        v = _submit(db, [L("P1", 1, "size")])
        assert v.fee_fen == 450
        _failing(v, "amount")
    finally:
        sv.set_policy(None)
    assert sv.policy().channel("store").restocking_fee_bp == 1000


def test_fresh_database_verifies(tmp_path):
    d = Database(str(tmp_path / "empty.db"))
    upgrade(d)
    try:
        assert sv.verify(d).ok
    finally:
        d.dispose()


def test_request_id_with_spaces_is_the_same_request_and_verifies(shop):
    # Regression: `_idempotent` stored the stripped id while the audit event kept the raw
    # one, so `verify` reported "request recorded without its effect".
    db = shop.db
    n = create(db, [L("P1", 1, "quality")], request_id=" r-7 ")
    assert_verified(db)
    before = dump(db)
    assert create(db, [L("P1", 1, "quality")], request_id="r-7") == n
    assert dump(db) == before


def test_first_owner_request_replayed_applies_once(db):
    # Regression: the replay of the very first add_user (no actor yet) was refused as
    # "unknown user" instead of answering with the first result (I7).
    sv.add_user(db, None, "boss", "owner", request_id="init-1", now=NOW)
    before = dump(db)
    assert sv.add_user(db, None, "boss", "owner", request_id="init-1", now=NOW).name == "boss"
    assert dump(db) == before
    refused(db, "request_id_conflict", "request_id", sv.add_user, None, "eve", "owner",
            request_id="init-1", now=NOW)
    refused(db, "unknown_user", "user", sv.add_user, None, "eve", "owner", request_id="new-1",
            now=NOW)
    assert_verified(db)


# ---------------------------------------------------------------------------------------
# Drafts: saved, resumed, changed
# ---------------------------------------------------------------------------------------


def test_a_saved_draft_is_resumed_changed_and_submitted(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "changed_mind")])
    v = sv.update_draft(db, "clerk", n, [L("P1", 2, "quality", "接口松动"),
                                         L("P2", 1, "size")], note="顾客回来补充", now=NOW)
    assert [(ln.sku, ln.qty, ln.reason) for ln in v.lines] == [
        ("P1", 2, "quality"), ("P2", 1, "size")]
    # 2 x 18.00 quality (no fee) + 1 x 140.00 size (10% store fee).
    assert (v.gross_fen, v.fee_fen, v.refund_fen) == (17600, 1400, 16200)
    assert v.note == "顾客回来补充" and v.status == "draft"
    assert one(db, "SELECT count(*) FROM slip_lines") == 2
    assert v.events[-1].action == "edit" and v.events[-1].to_status is None
    # The draft's own units do not count against it; other slips' do.
    sv.update_draft(db, "clerk", n, [L("P1", 3, "quality")], now=NOW)
    refused(db, "over_returnable", "lines[1].qty", sv.update_draft, "clerk", n,
            [L("P1", 4, "quality")], now=NOW)
    other = create(db, [L("P2", 1, "quality")])
    assert sv.get_slip(db, other).status == "draft"
    assert sv.submit_slip(db, "clerk", n, now=NOW).status == "approved"
    assert_verified(db)


def test_only_drafts_change_and_only_by_their_creator_or_an_owner(shop):
    db = shop.db
    n = create(db, [L("P1", 1, "quality")])
    refused(db, "not_your_draft", "user", sv.update_draft, "clerk2", n,
            [L("P1", 2, "quality")], now=NOW)
    refused(db, "role_denied", "user", sv.update_draft, "warehouse", n,
            [L("P1", 2, "quality")], now=NOW)
    assert sv.update_draft(db, "owner", n, [L("P1", 2, "quality")], now=NOW).lines[0].qty == 2
    sv.submit_slip(db, "clerk", n, now=NOW)
    refused(db, "not_draft", "status", sv.update_draft, "clerk", n,
            [L("P1", 1, "quality")], now=NOW)
    v = sv.update_draft(db, "clerk", create(db, [L("P2", 1, "quality")]),
                        [L("P2", 1, "quality")], request_id="e1", now=NOW)
    again = sv.update_draft(db, "clerk", v.number, [L("P2", 1, "quality")], request_id="e1",
                            now=NOW)
    assert again.number == v.number
    assert one(db, "SELECT count(*) FROM audit_events WHERE action = 'edit'") == 2
    assert_verified(db)
