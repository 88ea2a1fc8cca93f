"""Bad input at the service: every write the desk's roles use, fed one bad
field at a time - negative, zero, huge (past 2**63), non-numeric, wrong type, empty, blank,
10,000 characters, NUL, unknown keys, the wrong role, the wrong state - must raise a
`DomainError` (never ValueError / IntegrityError / OverflowError / AttributeError) whose
`.field` names the bad input, whose Chinese and English messages are both there, differ and
have no `{placeholder}` left, and which wrote nothing (every row of every table unchanged).

Text that is merely unusual - Chinese, emoji, mixed scripts - is accepted where text is free
and comes back exactly.

Every example starts from a fresh copy of one seeded shop (`SHOP`), with a slip in each
state of the lifecycle.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from conftest import NOW, make_shop
from db_fingerprint import Template, assert_unchanged, fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.store.db import Database

# Writes in the tests happen after every seeded event.
LATER = NOW + timedelta(hours=2)
PHONE = "13800000001"

# RMA_LONG=1 (the battery's long mode) tries ten times as many examples.
LONG = os.environ.get("RMA_LONG") == "1"
SETTINGS = settings(max_examples=40 * (10 if LONG else 1), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def seed_every_state(db: Database) -> dict[str, Any]:
    """The tiny shop (conftest.make_shop) plus a second sale SO-2 (10 x P1, 2 x P2, for
    张三), a slip in every state (all created by clerk; the inspected, settled and closed
    ones graded defective, so P1 has 3 defective units), feedback on the closed slip, a
    closed day, and one open and one done follow-up. Returns the slip numbers by state."""
    make_shop(db, now=NOW - timedelta(days=1))
    at = iter(NOW + timedelta(minutes=m) for m in range(1, 1000))
    sv.receive_purchase(db, "owner", "P1", 40, now=next(at))
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-2", "store", NOW - timedelta(hours=20),
        [sv.SaleLineInput("P1", 10, 2000), sv.SaleLineInput("P2", 2, 15000)],
        customer_phone=PHONE, payment_method="cash")], now=next(at))

    def new(with_sale: bool = True) -> str:
        if not with_sale:  # no receipt: the policy fails, so it waits for the owner
            return sv.create_slip(db, "clerk", None, "return",
                                  [sv.LineInput("P1", 1, "quality", unit_price_fen=1000)],
                                  note="无小票", now=next(at)).number
        return sv.create_slip(db, "clerk", "SO-2", "return",
                              [sv.LineInput("P1", 1, "quality", "插头松动")],
                              now=next(at)).number

    n: dict[str, Any] = {"draft": new(), "submitted": new(False), "rejected": new(False)}
    sv.submit_slip(db, "clerk", n["submitted"], now=next(at))
    sv.submit_slip(db, "clerk", n["rejected"], now=next(at))
    sv.reject_slip(db, "owner", n["rejected"], "无凭证", now=next(at))
    n["cancelled"] = new()
    sv.cancel_slip(db, "clerk", n["cancelled"], "顾客改主意", now=next(at))
    for state in ("approved", "received", "inspected", "settled", "closed"):
        number = n[state] = new()
        assert sv.submit_slip(db, "clerk", number, now=next(at)).status == "approved"
        if state == "approved":
            continue
        sv.receive_slip(db, "warehouse", number, now=next(at))
        if state == "received":
            continue
        sv.inspect_slip(db, "warehouse", number, [sv.GradeInput("P1", 0, 1, 0)], now=next(at))
        if state == "inspected":
            continue
        sv.settle_slip(db, "finance", number, "cash", now=next(at))
        if state == "settled":
            continue
        sv.close_slip(db, "clerk", number, now=next(at))
        sv.add_feedback(db, "clerk", number, 4, "满意", now=next(at))
    n["closed_day"] = (NOW - timedelta(days=10)).date()
    sv.close_day(db, "finance", n["closed_day"], now=next(at))
    n["follow_up"] = sv.add_follow_up(db, "clerk", PHONE, "回访", NOW + timedelta(days=1),
                                      now=next(at)).id
    n["done_follow_up"] = sv.add_follow_up(db, "clerk", PHONE, "回访2", NOW + timedelta(days=1),
                                           now=next(at)).id
    sv.complete_follow_up(db, "clerk", n["done_follow_up"], "已联系", now=next(at))
    return n


SHOP = Template(seed_every_state, prefix="rma-bad-svc-")
STATES = ("draft", "submitted", "approved", "received", "inspected", "settled", "closed",
          "rejected", "cancelled")
KNOWN_SKUS = {"P1", "P2"}


def slip(state: str) -> str:
    """The seeded slip number in `state`."""
    SHOP.path()
    return str(SHOP.info[state])


# ---------------------------------------------------------------------------------------
# The check every refusal must pass
# ---------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def refused(db: Database, call: Callable[[], Any], key: str | set[str],
            field: str | None) -> DomainError:
    """`call()` raises a DomainError with `key` (or one of them) about `field`, with two
    real messages, and writes nothing."""
    before = fingerprint(db)
    with pytest.raises(DomainError) as info:
        call()
    e = info.value
    keys = {key} if isinstance(key, str) else key
    assert e.key in keys, (e.key, keys, e.message("en"))
    if field is not None:
        assert e.field == field, (e.field, field, e.message("en"))
    zh, en = e.message("zh"), e.message("en")
    assert zh.strip() and en.strip() and zh != en, (zh, en)
    assert not _PLACEHOLDER.search(zh) and not _PLACEHOLDER.search(en), (zh, en)
    assert_unchanged(db, before, f"refused {e.key}")
    return e


# ---------------------------------------------------------------------------------------
# The writes, each with its slots for one bad value
# ---------------------------------------------------------------------------------------

Call = Callable[[Database, Any], Any]


def _line(**kw: Any) -> sv.LineInput:
    base: dict[str, Any] = {"sku": "P1", "qty": 1, "reason": "quality"}
    return sv.LineInput(**{**base, **kw})


def _product(**kw: Any) -> sv.ProductInput:
    base: dict[str, Any] = {"sku": "P9", "name": "新品", "unit_price_fen": 100,
                            "unit_cost_fen": 50}
    return sv.ProductInput(**{**base, **kw})


def _sale(lines: list[sv.SaleLineInput] | None = None, **kw: Any) -> sv.SaleInput:
    base: dict[str, Any] = {"order_no": "SO-9", "channel": "store", "sold_at": NOW,
                            "lines": lines or [sv.SaleLineInput("P1", 1, 2000)]}
    return sv.SaleInput(**{**base, **kw})


def _grade(**kw: Any) -> sv.GradeInput:
    base: dict[str, Any] = {"sku": "P1", "resellable": 0, "defective": 0, "scrap": 0}
    return sv.GradeInput(**{**base, **kw})


@dataclass(frozen=True)
class Slot:
    """One input of one write: how to call the write with `v` there (all else valid)."""

    name: str
    kind: str  # qty | count | delta | score | fen | id
    field: str
    call: Call
    optional: bool = False  # None means "the default" here, so it is not bad input


INT_SLOTS = [
    Slot("purchase.qty", "qty", "qty",
         lambda db, v: sv.receive_purchase(db, "warehouse", "P1", v, now=LATER)),
    Slot("purchase.unit_cost", "fen", "unit_cost",
         lambda db, v: sv.receive_purchase(db, "warehouse", "P1", 1, unit_cost_fen=v,
                                           now=LATER), optional=True),
    Slot("adjust.delta", "delta", "qty",
         lambda db, v: sv.adjust_stock(db, "warehouse", "P1", "sellable", v, "盘点", now=LATER)),
    Slot("reorder.point", "count", "reorder_point",
         lambda db, v: sv.set_reorder_point(db, "warehouse", "P1", v, now=LATER)),
    Slot("repair.qty", "qty", "qty",
         lambda db, v: sv.dispose_defective(db, "warehouse", "P1", v, "repair", now=LATER)),
    Slot("scrap.qty", "qty", "qty",
         lambda db, v: sv.dispose_defective(db, "warehouse", "P1", v, "scrap", now=LATER)),
    Slot("supplier_return.qty", "qty", "qty",
         lambda db, v: sv.return_to_supplier(db, "warehouse", "P1", v, "供应商", now=LATER)),
    Slot("supplier_return.credit", "fen", "expected_credit",
         lambda db, v: sv.return_to_supplier(db, "warehouse", "P1", 1, "供应商",
                                             expected_credit_fen=v, now=LATER), optional=True),
    Slot("create.qty", "qty", "lines[1].qty",
         lambda db, v: sv.create_slip(db, "clerk", "SO-2", "return", [_line(qty=v)],
                                      now=LATER)),
    Slot("create.replacement_qty", "qty", "lines[1].replacement_qty",
         lambda db, v: sv.create_slip(db, "clerk", "SO-2", "exchange",
                                      [_line(replacement_sku="P2", replacement_qty=v)],
                                      now=LATER), optional=True),
    Slot("create_no_sale.unit_price", "fen", "lines[1].unit_price",
         lambda db, v: sv.create_slip(db, "clerk", None, "return", [_line(unit_price_fen=v)],
                                      note="无小票", now=LATER), optional=True),
    Slot("update_draft.qty", "qty", "lines[1].qty",
         lambda db, v: sv.update_draft(db, "clerk", slip("draft"), [_line(qty=v)],
                                       now=LATER)),
    Slot("inspect.resellable", "count", "grades[1].resellable",
         lambda db, v: sv.inspect_slip(db, "warehouse", slip("received"),
                                       [_grade(resellable=v)], now=LATER)),
    Slot("inspect.defective", "count", "grades[1].defective",
         lambda db, v: sv.inspect_slip(db, "warehouse", slip("received"),
                                       [_grade(defective=v)], now=LATER)),
    Slot("inspect.scrap", "count", "grades[1].scrap",
         lambda db, v: sv.inspect_slip(db, "warehouse", slip("received"),
                                       [_grade(scrap=v)], now=LATER)),
    Slot("feedback.score", "score", "score",
         lambda db, v: sv.add_feedback(db, "clerk", slip("settled"), v, now=LATER)),
    Slot("follow_up_done.id", "id", "id",
         lambda db, v: sv.complete_follow_up(db, "clerk", v, now=LATER)),
    Slot("products.unit_price", "fen", "[1].unit_price",
         lambda db, v: sv.add_products(db, "owner", [_product(unit_price_fen=v)], now=LATER)),
    Slot("products.unit_cost", "fen", "[1].unit_cost",
         lambda db, v: sv.add_products(db, "owner", [_product(unit_cost_fen=v)], now=LATER)),
    Slot("products.reorder_point", "count", "[1].reorder_point",
         lambda db, v: sv.add_products(db, "owner", [_product(reorder_point=v)], now=LATER)),
    Slot("sales.qty", "qty", "[1].lines[1].qty",
         lambda db, v: sv.record_sales(db, "clerk", [_sale([sv.SaleLineInput("P1", v, 2000)])],
                                       now=LATER)),
    Slot("sales.unit_price", "fen", "[1].lines[1].unit_price",
         lambda db, v: sv.record_sales(db, "clerk", [_sale([sv.SaleLineInput("P1", 1, v)])],
                                       now=LATER)),
    Slot("sales.unit_cost", "fen", "[1].lines[1].unit_cost",
         lambda db, v: sv.record_sales(db, "clerk",
                                       [_sale([sv.SaleLineInput("P1", 1, 2000, v)])],
                                       now=LATER), optional=True),
]

HUGE = st.sampled_from([2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, -(2**63) - 1])
NOT_INT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True),
    st.text(max_size=6), st.booleans(), st.just("3"), st.just(Decimal("2")),
    st.just(1.0), st.just([1]))


def bad_ints(kind: str) -> st.SearchStrategy[Any]:
    """Values that `kind` of integer input must refuse."""
    over_qty = st.one_of(st.integers(min_value=sv.MAX_QTY + 1), HUGE.filter(lambda v: v > 0))
    if kind == "qty":
        return st.one_of(st.integers(max_value=0), over_qty, NOT_INT, HUGE)
    if kind == "count":
        return st.one_of(st.integers(max_value=-1), over_qty, NOT_INT, HUGE)
    if kind == "delta":
        return st.one_of(st.just(0), st.integers(min_value=sv.MAX_QTY + 1),
                         st.integers(max_value=-sv.MAX_QTY - 1), HUGE, NOT_INT)
    if kind == "score":
        return st.one_of(st.integers(max_value=0), st.integers(min_value=6), NOT_INT, HUGE)
    if kind == "fen":
        return st.one_of(st.integers(max_value=-1), st.integers(min_value=sv.MAX_FEN + 1),
                         HUGE.filter(lambda v: v < 0 or v > sv.MAX_FEN), NOT_INT)
    assert kind == "id"
    return st.one_of(st.integers(max_value=0), HUGE.filter(lambda v: v > sv.MAX_QTY), NOT_INT)


def int_key(kind: str, v: Any) -> str:
    """The refusal a bad integer `v` of `kind` gets."""
    if kind == "score":
        return "bad_score"
    if isinstance(v, bool) or not isinstance(v, int):
        return "not_integer"
    if kind == "fen":
        return "money_negative" if v < 0 else "too_large"
    if kind == "delta":
        return "delta_zero" if v == 0 else "too_large"
    if v < 0 or (v == 0 and kind in ("qty", "id")):
        return "qty_positive"
    return "too_large"


@SETTINGS
@given(data=st.data())
def test_bad_numbers_are_refused_by_name(data: st.DataObject) -> None:
    """Negative, zero, huge (past 2**63) and non-integer quantities, counts, scores and fen
    amounts (None too, where it does not mean "the default"): refused naming the field,
    nothing written."""
    slot = data.draw(st.sampled_from(INT_SLOTS), label="slot")
    bad = bad_ints(slot.kind)
    value = data.draw(bad if slot.optional else st.one_of(bad, st.none()), label=slot.name)
    with SHOP.copy() as db:
        refused(db, lambda: slot.call(db, value), int_key(slot.kind, value), slot.field)


# -- text ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextSlot:
    """A text input: required (blank refused) or free (blank allowed)."""

    name: str
    required: bool
    field: str
    call: Call


TEXT_SLOTS = [
    TextSlot("reject.reason", True, "reason",
             lambda db, v: sv.reject_slip(db, "owner", slip("submitted"), v, now=LATER)),
    TextSlot("cancel.reason", True, "reason",
             lambda db, v: sv.cancel_slip(db, "clerk", slip("draft"), v, now=LATER)),
    TextSlot("adjust.reason", True, "reason",
             lambda db, v: sv.adjust_stock(db, "warehouse", "P1", "sellable", 1, v, now=LATER)),
    TextSlot("user.name", True, "name",
             lambda db, v: sv.add_user(db, "owner", v, "clerk", now=LATER)),
    TextSlot("follow_up.note", True, "note",
             lambda db, v: sv.add_follow_up(db, "clerk", PHONE, v, LATER, now=LATER)),
    TextSlot("supplier_return.supplier", True, "supplier",
             lambda db, v: sv.return_to_supplier(db, "warehouse", "P1", 1, v, now=LATER)),
    TextSlot("products.sku", True, "[1].sku",
             lambda db, v: sv.add_products(db, "owner", [_product(sku=v)], now=LATER)),
    TextSlot("products.name", True, "[1].name",
             lambda db, v: sv.add_products(db, "owner", [_product(name=v)], now=LATER)),
    TextSlot("customers.name", True, "[1].name",
             lambda db, v: sv.add_customers(db, "clerk", [sv.CustomerInput(v, "13900000009")],
                                            now=LATER)),
    TextSlot("sales.order", True, "[1].order",
             lambda db, v: sv.record_sales(db, "clerk", [_sale(order_no=v)], now=LATER)),
    TextSlot("create.note", False, "note",
             lambda db, v: sv.create_slip(db, "clerk", "SO-2", "return", [_line()], note=v,
                                          now=LATER)),
    TextSlot("create.reason_text", False, "lines[1].reason_text",
             lambda db, v: sv.create_slip(db, "clerk", "SO-2", "return",
                                          [_line(reason_text=v)], now=LATER)),
    TextSlot("update_draft.note", False, "note",
             lambda db, v: sv.update_draft(db, "clerk", slip("draft"), [_line()], note=v,
                                           now=LATER)),
    TextSlot("approve.override_reason", False, "reason",
             lambda db, v: sv.approve_slip(db, "owner", slip("submitted"), override_reason=v,
                                           now=LATER)),
    TextSlot("feedback.comment", False, "comment",
             lambda db, v: sv.add_feedback(db, "clerk", slip("settled"), 3, v, now=LATER)),
    TextSlot("purchase.note", False, "note",
             lambda db, v: sv.receive_purchase(db, "warehouse", "P1", 1, note=v, now=LATER)),
    TextSlot("scrap.note", False, "note",
             lambda db, v: sv.dispose_defective(db, "warehouse", "P1", 1, "scrap", note=v,
                                                now=LATER)),
    TextSlot("inspect.note", False, "grades[1].note",
             lambda db, v: sv.inspect_slip(db, "warehouse", slip("received"),
                                           [_grade(resellable=1, note=v)], now=LATER)),
    TextSlot("follow_up_done.outcome", False, "outcome",
             lambda db, v: sv.complete_follow_up(db, "clerk", SHOP.info["follow_up"], v,
                                                 now=LATER)),
    TextSlot("request_id", True, "request_id",
             lambda db, v: sv.receive_purchase(db, "warehouse", "P1", 1, request_id=v,
                                               now=LATER)),
]

# Printable text of every script: CJK, emoji, Latin... but no control characters, no
# surrogates and no braces (so a "{...}" in a message can only be a placeholder left over).
PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"),
                          exclude_characters="{}")
CJK_EMOJI = st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                      st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
                      st.sampled_from("，。、（）【】《》“”￥·—…ＡＢ１２\u200d\ufe0f"), PRINTABLE)
WORD = st.text(CJK_EMOJI, min_size=1, max_size=12).filter(lambda s: s.strip() == s and s)
BLANK = st.text(st.sampled_from(" \t\n\r\u3000\u00a0\u2028\x0b\x0c"), max_size=6)
LONG = WORD.map(lambda w: (w * 10_000)[:10_000])
WITH_NUL = st.tuples(WORD, WORD).map(lambda ab: f"{ab[0]}\x00{ab[1]}")


@SETTINGS
@given(data=st.data())
def test_bad_text_is_refused_by_name(data: st.DataObject) -> None:
    """Blank (for required text), 10,000 characters, an embedded NUL: refused naming the
    field, nothing written."""
    slot = data.draw(st.sampled_from(TEXT_SLOTS), label="slot")
    kinds = ["long", "nul"] + (["blank"] if slot.required else [])
    kind = data.draw(st.sampled_from(kinds), label="kind")
    value = data.draw({"long": LONG, "nul": WITH_NUL, "blank": BLANK}[kind], label="value")
    key = {"long": "too_long", "nul": "bad_text", "blank": "required"}[kind]
    with SHOP.copy() as db:
        refused(db, lambda: slot.call(db, value), key, slot.field)


# -- unknown keys -------------------------------------------------------------------------

# (what, call with the unknown value, key, field, values that do exist)
REF_SLOTS: list[tuple[str, Call, str, str]] = [
    ("purchase.sku", lambda db, v: sv.receive_purchase(db, "warehouse", v, 1, now=LATER),
     "unknown_sku", "sku"),
    ("adjust.sku", lambda db, v: sv.adjust_stock(db, "warehouse", v, "sellable", 1, "盘点",
                                                 now=LATER), "unknown_sku", "sku"),
    ("reorder.sku", lambda db, v: sv.set_reorder_point(db, "warehouse", v, 1, now=LATER),
     "unknown_sku", "sku"),
    ("repair.sku", lambda db, v: sv.dispose_defective(db, "warehouse", v, 1, "repair",
                                                      now=LATER), "unknown_sku", "sku"),
    ("supplier_return.sku", lambda db, v: sv.return_to_supplier(db, "warehouse", v, 1, "某厂",
                                                                now=LATER), "unknown_sku", "sku"),
    ("create.sku", lambda db, v: sv.create_slip(db, "clerk", None, "return",
                                                [_line(sku=v, unit_price_fen=100)], note="无小票",
                                                now=LATER), "unknown_sku", "lines[1].sku"),
    ("create.replacement_sku", lambda db, v: sv.create_slip(
        db, "clerk", "SO-2", "exchange", [_line(replacement_sku=v)], now=LATER),
     "unknown_sku", "lines[1].replacement_sku"),
    ("create.sale", lambda db, v: sv.create_slip(db, "clerk", v, "return", [_line()],
                                                 now=LATER), "unknown_sale", "sale"),
    ("create.customer", lambda db, v: sv.create_slip(db, "clerk", "SO-2", "return", [_line()],
                                                     customer_phone=v, now=LATER),
     "unknown_customer", "customer"),
    ("sales.sku", lambda db, v: sv.record_sales(db, "clerk", [_sale([sv.SaleLineInput(v, 1, 9)])],
                                                now=LATER), "unknown_sku", "[1].lines[1].sku"),
    ("sales.customer", lambda db, v: sv.record_sales(db, "clerk", [_sale(customer_phone=v)],
                                                     now=LATER),
     "unknown_customer", "[1].customer"),
    ("follow_up.phone", lambda db, v: sv.add_follow_up(db, "clerk", v, "回访", LATER, now=LATER),
     "unknown_customer", "phone"),
    ("follow_up.slip", lambda db, v: sv.add_follow_up(db, "clerk", PHONE, "回访", LATER,
                                                      slip_number=v, now=LATER),
     "unknown_slip", "number"),
    ("inspect.sku", lambda db, v: sv.inspect_slip(db, "warehouse", slip("received"),
                                                  [_grade(resellable=1), _grade(sku=v)],
                                                  now=LATER), "sku_not_in_slip", "grades.sku"),
]
for _name, _fn in [("submit", lambda db, v: sv.submit_slip(db, "clerk", v, now=LATER)),
                   ("approve", lambda db, v: sv.approve_slip(db, "owner", v, now=LATER)),
                   ("reject", lambda db, v: sv.reject_slip(db, "owner", v, "不符", now=LATER)),
                   ("cancel", lambda db, v: sv.cancel_slip(db, "clerk", v, "撤回", now=LATER)),
                   ("receive", lambda db, v: sv.receive_slip(db, "warehouse", v, now=LATER)),
                   ("inspect", lambda db, v: sv.inspect_slip(db, "warehouse", v, [_grade()],
                                                             now=LATER)),
                   ("settle", lambda db, v: sv.settle_slip(db, "finance", v, "cash", now=LATER)),
                   ("close", lambda db, v: sv.close_slip(db, "clerk", v, now=LATER)),
                   ("feedback", lambda db, v: sv.add_feedback(db, "clerk", v, 5, now=LATER)),
                   ("update_draft", lambda db, v: sv.update_draft(db, "clerk", v, [_line()],
                                                                  now=LATER))]:
    REF_SLOTS.append((f"{_name}.number", _fn, "unknown_slip", "number"))

UNKNOWN = st.text(PRINTABLE, min_size=1, max_size=30).filter(
    lambda s: s.strip() != "" and s.strip() not in KNOWN_SKUS | {"SO-1", "SO-2", PHONE}
    and not s.strip().startswith("TH-"))


@SETTINGS
@given(data=st.data())
def test_unknown_keys_are_refused_and_named(data: st.DataObject) -> None:
    """An unknown SKU, sale, customer or slip number (any script, emoji included): refused
    naming the field, the message quotes what was typed, nothing written."""
    what, call, key, field = data.draw(st.sampled_from(REF_SLOTS), label="slot")
    value = data.draw(UNKNOWN, label=what)
    with SHOP.copy() as db:
        e = refused(db, lambda: call(db, value), key, field)
    if key != "sku_not_in_slip":
        assert value.strip() in e.message("zh") and value.strip() in e.message("en")


# -- who and when -------------------------------------------------------------------------

# Every write with the roles that may do it and a call taking the actor.
ACTIONS: dict[str, tuple[tuple[str, ...], Callable[[Database, str], Any]]] = {
    "create": (sv.CREATE_ROLES, lambda db, a: sv.create_slip(db, a, "SO-2", "return", [_line()],
                                                             now=LATER)),
    "update_draft": (sv.CREATE_ROLES, lambda db, a: sv.update_draft(db, a, slip("draft"),
                                                                    [_line()], now=LATER)),
    "submit": (sv.CREATE_ROLES, lambda db, a: sv.submit_slip(db, a, slip("draft"), now=LATER)),
    "approve": (sv.APPROVER_ROLES, lambda db, a: sv.approve_slip(
        db, a, slip("submitted"), override_reason="特批", now=LATER)),
    "reject": (sv.APPROVER_ROLES, lambda db, a: sv.reject_slip(db, a, slip("submitted"), "不符",
                                                               now=LATER)),
    "cancel": (sv.CANCEL_ROLES, lambda db, a: sv.cancel_slip(db, a, slip("draft"), "撤回",
                                                             now=LATER)),
    "receive": (sv.WAREHOUSE_ROLES, lambda db, a: sv.receive_slip(db, a, slip("approved"),
                                                                  now=LATER)),
    "inspect": (sv.WAREHOUSE_ROLES, lambda db, a: sv.inspect_slip(
        db, a, slip("received"), [_grade(resellable=1)], now=LATER)),
    "settle": (sv.SETTLE_ROLES, lambda db, a: sv.settle_slip(db, a, slip("inspected"), "cash",
                                                             now=LATER)),
    "close": (sv.CLOSE_ROLES, lambda db, a: sv.close_slip(db, a, slip("settled"), now=LATER)),
    "feedback": (sv.FEEDBACK_ROLES, lambda db, a: sv.add_feedback(db, a, slip("settled"), 5,
                                                                  now=LATER)),
    "purchase": (sv.PURCHASE_ROLES, lambda db, a: sv.receive_purchase(db, a, "P1", 1,
                                                                      now=LATER)),
    "adjust": (sv.STOCK_ROLES, lambda db, a: sv.adjust_stock(db, a, "P1", "sellable", 1, "盘点",
                                                             now=LATER)),
    "reorder": (sv.STOCK_ROLES, lambda db, a: sv.set_reorder_point(db, a, "P1", 5, now=LATER)),
    "repair": (sv.STOCK_ROLES, lambda db, a: sv.dispose_defective(db, a, "P1", 1, "repair",
                                                                  now=LATER)),
    "supplier_return": (sv.STOCK_ROLES, lambda db, a: sv.return_to_supplier(
        db, a, "P1", 1, "某厂", now=LATER)),
    "follow_up": (sv.FOLLOW_UP_ROLES, lambda db, a: sv.add_follow_up(db, a, PHONE, "回访", LATER,
                                                                     now=LATER)),
    "follow_up_done": (sv.FOLLOW_UP_ROLES, lambda db, a: sv.complete_follow_up(
        db, a, SHOP.info["follow_up"], "好", now=LATER)),
    "products": (("owner", "warehouse"), lambda db, a: sv.add_products(db, a, [_product()],
                                                                       now=LATER)),
    "customers": (("owner", "clerk"), lambda db, a: sv.add_customers(
        db, a, [sv.CustomerInput("王五", "13900000009")], now=LATER)),
    "sales": (sv.SALES_ROLES, lambda db, a: sv.record_sales(db, a, [_sale()], now=LATER)),
    "close_day": (sv.CLOSE_DAY_ROLES, lambda db, a: sv.close_day(db, a, NOW.date(), now=LATER)),
    "add_user": (("owner",), lambda db, a: sv.add_user(db, a, "新人", "clerk", now=LATER)),
    "set_setting": (("owner",), lambda db, a: sv.set_setting(db, a, "shop_name", "店", now=LATER)),
}
USERS = {"owner": "owner", "boss2": "owner", "clerk": "clerk", "clerk2": "clerk",
         "warehouse": "warehouse", "finance": "finance"}


@SETTINGS
@given(data=st.data())
def test_wrong_role_and_unknown_user_are_refused(data: st.DataObject) -> None:
    """Every write by a user whose role may not do it, or by nobody known (blank, unknown,
    any script): refused about the user, nothing written."""
    name = data.draw(st.sampled_from(sorted(ACTIONS)), label="action")
    roles, call = ACTIONS[name]
    wrong = sorted(u for u, r in USERS.items() if r not in roles)
    actor = data.draw(st.one_of(st.sampled_from(wrong) if wrong else st.nothing(),
                                UNKNOWN.filter(lambda s: s.strip() not in USERS),
                                BLANK), label="actor")
    key = "role_denied" if actor in USERS else "unknown_user"
    with SHOP.copy() as db:
        refused(db, lambda: call(db, actor), key, "user")


# The slip actions, each with the states it may start from (the lifecycle of DESIGN.md).
SLIP_ACTIONS: dict[str, tuple[tuple[str, ...], str, Callable[[Database, str], Any]]] = {
    "submit": (("draft",), "bad_transition",
               lambda db, n: sv.submit_slip(db, "clerk", n, now=LATER)),
    "approve": (("submitted",), "bad_transition",
                lambda db, n: sv.approve_slip(db, "owner", n, override_reason="特批", now=LATER)),
    "reject": (("submitted",), "bad_transition",
               lambda db, n: sv.reject_slip(db, "owner", n, "不符", now=LATER)),
    "cancel": (("draft", "submitted", "approved"), "bad_transition",
               lambda db, n: sv.cancel_slip(db, "clerk", n, "撤回", now=LATER)),
    "receive": (("approved",), "bad_transition",
                lambda db, n: sv.receive_slip(db, "warehouse", n, now=LATER)),
    "inspect": (("received",), "bad_transition",
                lambda db, n: sv.inspect_slip(db, "warehouse", n, [_grade(resellable=1)],
                                              now=LATER)),
    "settle": (("inspected",), "bad_transition",
               lambda db, n: sv.settle_slip(db, "finance", n, "cash", now=LATER)),
    "close": (("settled",), "bad_transition",
              lambda db, n: sv.close_slip(db, "clerk", n, now=LATER)),
    "update_draft": (("draft",), "not_draft",
                     lambda db, n: sv.update_draft(db, "clerk", n, [_line()], note="改",
                                                   now=LATER)),
    "feedback": (("settled", "closed"), "feedback_not_settled",
                 lambda db, n: sv.add_feedback(db, "clerk", n, 5, now=LATER)),
}


# Every (action, state) pair the lifecycle forbids: few enough to try them all. The legal
# moves are the stateful and flow tests' business.
WRONG_STATES = [(a, s) for a in sorted(SLIP_ACTIONS) for s in STATES
                if s not in SLIP_ACTIONS[a][0]]


@pytest.mark.parametrize(("action", "state"), WRONG_STATES)
def test_wrong_state_is_refused(action: str, state: str) -> None:
    """Every slip action on a slip in every state it may not start from: refused naming
    the status (or the slip), nothing written."""
    _allowed, key, call = SLIP_ACTIONS[action]
    with SHOP.copy() as db:
        e = refused(db, lambda: call(db, slip(state)), key,
                    "number" if key == "feedback_not_settled" else "status")
        assert slip(state) in e.message("zh") and slip(state) in e.message("en")


# -- everything else a person gets wrong, once each ----------------------------------------

CASES: list[tuple[str, Callable[[Database], Any], str, str | None]] = [
    ("type", lambda db: sv.create_slip(db, "clerk", "SO-2", "refund", [_line()], now=LATER),
     "bad_choice", "type"),
    ("reason code", lambda db: sv.create_slip(db, "clerk", "SO-2", "return",
                                              [_line(reason="不喜欢")], now=LATER),
     "bad_choice", "lines[1].reason"),
    ("channel", lambda db: sv.create_slip(db, "clerk", None, "return", [_line(unit_price_fen=1)],
                                          note="无小票", channel="tv", now=LATER),
     "unknown_channel", "channel"),
    ("no lines", lambda db: sv.create_slip(db, "clerk", "SO-2", "return", [], now=LATER),
     "no_lines", "lines"),
    ("no sale, no note", lambda db: sv.create_slip(db, "clerk", None, "return",
                                                   [_line(unit_price_fen=1)], now=LATER),
     "no_sale_needs_note", "note"),
    ("no sale, no price", lambda db: sv.create_slip(db, "clerk", None, "return", [_line()],
                                                    note="无小票", now=LATER),
     "required", "lines[1].unit_price"),
    ("more than sold", lambda db: sv.create_slip(db, "clerk", "SO-1", "return",
                                                 [_line(qty=4)], now=LATER),
     "over_returnable", "lines[1].qty"),
    ("sku not in sale", lambda db: sv.create_slip(db, "clerk", "SO-1", "return",
                                                  [_line(sku="P2", qty=2)], now=LATER),
     "over_returnable", "lines[1].qty"),
    ("replacement on a return", lambda db: sv.create_slip(
        db, "clerk", "SO-2", "return", [_line(replacement_sku="P2")], now=LATER),
     "replacement_on_return", "lines[1].replacement_sku"),
    ("another customer", lambda db: sv.create_slip(db, "clerk", "SO-2", "return", [_line()],
                                                   customer_phone="13800000002", now=LATER),
     "unknown_customer", "customer"),
    ("exception needs owner", lambda db: sv.approve_slip(db, "finance", slip("submitted"),
                                                         override_reason="特批", now=LATER),
     "exception_needs_owner", "user"),
    ("exception needs reason", lambda db: sv.approve_slip(db, "owner", slip("submitted"),
                                                          override_reason="  ", now=LATER),
     "exception_needs_reason", "reason"),
    ("grades short", lambda db: sv.inspect_slip(db, "warehouse", slip("received"),
                                                [_grade(resellable=0)], now=LATER),
     "grade_sum", "grades"),
    ("grades over", lambda db: sv.inspect_slip(db, "warehouse", slip("received"),
                                               [_grade(resellable=1, scrap=1)], now=LATER),
     "grade_sum", "grades"),
    ("no grades", lambda db: sv.inspect_slip(db, "warehouse", slip("received"), [], now=LATER),
     "grade_missing", "grades"),
    ("a grade too many", lambda db: sv.inspect_slip(
        db, "warehouse", slip("received"), [_grade(resellable=1), _grade(resellable=1)],
        now=LATER), "grade_extra", "grades"),
    ("refund method", lambda db: sv.settle_slip(db, "finance", slip("inspected"), "bitcoin",
                                                now=LATER), "bad_choice", "method"),
    ("feedback twice", lambda db: sv.add_feedback(db, "clerk", slip("closed"), 5, now=LATER),
     "feedback_exists", "number"),
    ("adjust location", lambda db: sv.adjust_stock(db, "warehouse", "P1", "pending", 1, "盘点",
                                                   now=LATER), "bad_choice", "location"),
    ("adjust below zero", lambda db: sv.adjust_stock(db, "warehouse", "P2", "sellable", -1000,
                                                     "盘点", now=LATER), "stock_short", "qty"),
    ("defective action", lambda db: sv.dispose_defective(db, "warehouse", "P1", 1, "sell",
                                                         now=LATER), "bad_choice", "action"),
    ("more defective than held", lambda db: sv.dispose_defective(db, "warehouse", "P1", 4,
                                                                 "scrap", now=LATER),
     "stock_short", "qty"),
    ("supplier return over held", lambda db: sv.return_to_supplier(db, "warehouse", "P2", 1,
                                                                   "某厂", now=LATER),
     "stock_short", "qty"),
    ("sale bigger than stock", lambda db: sv.record_sales(
        db, "clerk", [_sale([sv.SaleLineInput("P2", 1000, 100)])], now=LATER),
     "stock_short", "qty"),
    ("sale without lines", lambda db: sv.record_sales(
        db, "clerk", [sv.SaleInput("SO-9", "store", NOW, [])], now=LATER),
     "no_lines", "[1].lines"),
    ("sale channel", lambda db: sv.record_sales(db, "clerk", [_sale(channel="weibo")],
                                                now=LATER), "unknown_channel", "[1].channel"),
    ("sale payment", lambda db: sv.record_sales(db, "clerk", [_sale(payment_method="iou")],
                                                now=LATER), "bad_choice", "[1].payment_method"),
    ("order again", lambda db: sv.record_sales(db, "clerk", [_sale(order_no="SO-1")],
                                               now=LATER), "order_exists", "order"),
    ("order twice in a batch", lambda db: sv.record_sales(db, "clerk", [_sale(), _sale()],
                                                          now=LATER),
     "order_exists", "[2].order"),
    ("sku again", lambda db: sv.add_products(db, "owner", [_product(sku=" P1 ")], now=LATER),
     "sku_exists", "sku"),
    ("sku twice in a batch", lambda db: sv.add_products(db, "owner", [_product(), _product()],
                                                        now=LATER), "sku_exists", "sku"),
    ("phone again", lambda db: sv.add_customers(db, "clerk", [sv.CustomerInput("李", PHONE)],
                                                now=LATER), "phone_exists", "phone"),
    ("phone letters", lambda db: sv.add_customers(db, "clerk", [sv.CustomerInput("李", "1380abc")],
                                                  now=LATER), "bad_phone", "[1].phone"),
    ("customer channel", lambda db: sv.add_customers(
        db, "clerk", [sv.CustomerInput("李", "13900000009", "tv")], now=LATER),
     "unknown_channel", "[1].channel"),
    ("user again", lambda db: sv.add_user(db, "owner", "clerk", "clerk", now=LATER),
     "user_exists", "name"),
    ("role", lambda db: sv.add_user(db, "owner", "新人", "boss", now=LATER), "bad_choice", "role"),
    ("pin letters", lambda db: sv.add_user(db, "owner", "新人", "clerk", pin="12ab", now=LATER),
     "bad_pin", "pin"),
    ("pin short", lambda db: sv.add_user(db, "owner", "新人", "clerk", pin="123", now=LATER),
     "bad_pin", "pin"),
    ("pin long", lambda db: sv.add_user(db, "owner", "新人", "clerk", pin="1" * 13, now=LATER),
     "bad_pin", "pin"),
    ("day closed", lambda db: sv.close_day(db, "finance", SHOP.info["closed_day"], now=LATER),
     "day_closed", "date"),
    ("day in future", lambda db: sv.close_day(db, "finance", NOW.date() + timedelta(days=1),
                                              now=LATER), "day_in_future", "date"),
    ("day as text", lambda db: sv.close_day(db, "finance", "2026-11-01", now=LATER),
     "bad_date", "date"),
    ("day as datetime", lambda db: sv.close_day(db, "finance", NOW, now=LATER),
     "bad_date", "date"),
    ("due as text", lambda db: sv.add_follow_up(db, "clerk", PHONE, "回访", "明天", now=LATER),
     "bad_date", "due"),
    ("due in the past", lambda db: sv.add_follow_up(db, "clerk", PHONE, "回访",
                                                    NOW - timedelta(days=3), now=LATER),
     "due_in_past", "due"),
    ("follow-up role", lambda db: sv.add_follow_up(db, "clerk", PHONE, "回访", LATER,
                                                   role="boss", now=LATER), "bad_choice", "role"),
    ("follow-up done twice", lambda db: sv.complete_follow_up(
        db, "clerk", SHOP.info["done_follow_up"], now=LATER), "follow_up_done", "id"),
    ("unknown follow-up", lambda db: sv.complete_follow_up(db, "clerk", 999, now=LATER),
     "unknown_follow_up", "id"),
    ("setting key blank", lambda db: sv.set_setting(db, "owner", " ", "x", now=LATER),
     "required", "key"),
]


@pytest.mark.parametrize(("what", "call", "key", "field"), CASES, ids=[c[0] for c in CASES])
def test_refusals(what: str, call: Callable[[Database], Any], key: str,
                  field: str | None) -> None:
    """One bad request of each kind a person makes: refused, named, nothing written."""
    with SHOP.copy() as db:
        refused(db, lambda: call(db), key, field)


def test_own_slip_and_reused_request_id() -> None:
    """An owner may not approve the slip they made; a request id used for one request
    cannot carry another. Each refused, nothing written."""
    with SHOP.copy() as db:
        mine = sv.create_slip(db, "owner", None, "return", [_line(unit_price_fen=100)],
                              note="无小票", now=LATER).number
        assert sv.submit_slip(db, "owner", mine, now=LATER).status == "submitted"
        refused(db, lambda: sv.approve_slip(db, "owner", mine, override_reason="特批",
                                            now=LATER), "own_slip", "user")
        sv.receive_purchase(db, "warehouse", "P1", 1, request_id="r-1", now=LATER)
        refused(db, lambda: sv.receive_purchase(db, "warehouse", "P1", 2, request_id="r-1",
                                                now=LATER), "request_id_conflict", "request_id")
        refused(db, lambda: sv.adjust_stock(db, "warehouse", "P1", "sellable", 1, "盘点",
                                            request_id=" r-1 ", now=LATER),
                "request_id_conflict", "request_id")


# -- unusual but valid text is kept exactly ------------------------------------------------

FREE = st.text(CJK_EMOJI, min_size=1, max_size=60).filter(lambda s: s.strip() == s and s)


@SETTINGS
@given(note=FREE, reason_text=FREE, comment=FREE, name=FREE.filter(lambda s: len(s) <= 64))
def test_chinese_and_emoji_text_round_trips(note: str, reason_text: str, comment: str,
                                            name: str) -> None:
    """Chinese, emoji (with joiners and variation selectors), full-width and mixed text is
    accepted in free text and names, and read back exactly."""
    with SHOP.copy() as db:
        v = sv.create_slip(db, "clerk", "SO-2", "exchange",
                           [_line(reason_text=reason_text, replacement_sku="P2")], note=note,
                           now=LATER)
        got = sv.get_slip(db, v.number)
        assert (got.note, got.lines[0].reason_text) == (note, reason_text)
        sv.reject_slip(db, "owner", slip("submitted"), comment, now=LATER)
        assert sv.get_slip(db, slip("submitted")).close_reason == comment
        sv.add_feedback(db, "clerk", slip("settled"), 4, comment, now=LATER)
        assert sv.get_slip(db, slip("settled")).feedback == (4, comment)
        sv.add_user(db, "owner", name, "clerk", now=LATER)
        user = sv.get_user(db, name)
        assert user is not None and user.name == name
        sv.add_products(db, "owner", [_product(name=name, model=note[:100],
                                               category=comment[:64])], now=LATER)
        row = next(r for r in sv.stock(db) if r.sku == "P9")
        assert row.name == name
        sv.add_customers(db, "clerk", [sv.CustomerInput(name[:100], "13900000009")], now=LATER)
        assert [c.name for c in sv.find_customers(db, "13900000009")] == [name[:100]]
        assert sv.verify(db).ok


# -- refusals this battery found missing (now made by the service) ------------------------


@pytest.mark.parametrize("where", ["sku", "note", "actor"])
def test_lone_surrogates_are_refused(where: str) -> None:
    """Text that cannot be stored as UTF-8 is refused as bad text, not a crash."""
    bad = "P\udcff"
    with SHOP.copy() as db:
        args = {"sku": ("warehouse", bad, ""), "note": ("warehouse", "P1", bad),
                "actor": (bad, "P1", "")}[where]
        refused(db, lambda: sv.receive_purchase(db, args[0], args[1], 1, note=args[2],
                                                now=LATER),
                {"bad_text", "unknown_user"}, {"actor": "user"}.get(where, where))


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x08", "\x7f", "\x9b"])
def test_control_characters_are_refused(char: str) -> None:
    """A terminal escape in a note could repaint the clerk's screen: refused as bad text."""
    with SHOP.copy() as db:
        refused(db, lambda: sv.receive_purchase(db, "warehouse", "P1", 1,
                                                note=f"a{char}[2Jb", now=LATER),
                "bad_text", "note")


def test_slip_total_past_int64_is_refused() -> None:
    """Ten lines of a million units at the largest price: a typo, refused, not a crash."""
    lines = [_line(qty=sv.MAX_QTY, unit_price_fen=sv.MAX_FEN)] * 10
    with SHOP.copy() as db:
        refused(db, lambda: sv.create_slip(db, "clerk", None, "return", lines, note="无小票",
                                           now=LATER), "too_large", "lines")


def test_sale_time_as_text_is_refused() -> None:
    """A sale time that is not a time: refused, named."""
    with SHOP.copy() as db:
        refused(db, lambda: sv.record_sales(db, "clerk", [_sale(sold_at="昨天")], now=LATER),
                "bad_date", "[1].sold_at")


def test_sale_dated_in_the_future_is_refused() -> None:
    """A sale stamped a day and more after now is a typo'd year: refused, named; a till
    whose clock runs a few hours ahead is still fine."""
    with SHOP.copy() as db:
        refused(db, lambda: sv.record_sales(db, "clerk", [_sale(
            sold_at=LATER.replace(year=2099))], now=LATER),
            "sold_in_future", "[1].sold_at")
        assert sv.record_sales(db, "clerk", [_sale(sold_at=LATER + timedelta(hours=3))],
                               now=LATER) == 1


@pytest.mark.parametrize("digits", ["１２３４", "١٢٣٤"])
def test_non_ascii_digits_are_refused_for_pins_and_phones(digits: str) -> None:
    """A PIN typed in full-width (Chinese IME) would never match the half-width one typed at
    log-in; a phone in full-width would never be found."""
    with SHOP.copy() as db:
        refused(db, lambda: sv.add_user(db, "owner", "新人", "clerk", pin=digits, now=LATER),
                "bad_pin", "pin")
        refused(db, lambda: sv.add_customers(db, "clerk", [sv.CustomerInput("李", digits * 3)],
                                             now=LATER), "bad_phone", "[1].phone")


def test_notification_ids_past_int64_are_refused() -> None:
    """A notification id no row can have: refused, not a crash."""
    with SHOP.copy() as db:
        refused(db, lambda: sv.mark_notifications_read(db, "clerk", ids=[2**64], now=LATER),
                "not_integer", "ids")


@SETTINGS
@given(query=st.one_of(st.text(max_size=40), st.sampled_from(
    ["%", "_", "\\", "'", '"', "\x00", "x" * 10_000, "P1%", "[", ";DROP TABLE sales", "😀"])))
def test_searches_take_any_text(query: str) -> None:
    """The search boxes (sales, customers, slips, products) take any text - SQL wildcards,
    quotes, NUL, 10,000 characters - and answer (possibly nothing) without error or write;
    a lookup of a slip or sale that is not there is a named refusal."""
    with SHOP.copy() as db:
        before = fingerprint(db)
        for search in (sv.find_sales, sv.find_customers, sv.find_slips, sv.search_products):
            assert isinstance(search(db, query), list)
        for get, key, field in ((sv.get_slip, "unknown_slip", "number"),
                                (sv.get_sale, "unknown_sale", "sale")):
            if query.strip() and not query.strip().startswith(("TH-", "SO-")):
                refused(db, lambda get=get: get(db, query), {key, "too_long", "bad_text"},
                        field)
        assert_unchanged(db, before, "a search")


def test_template_has_every_state() -> None:
    """The seeded shop really holds a slip in every state (else the state tests are empty)."""
    with SHOP.copy() as db:
        assert {s: sv.get_slip(db, slip(s)).status for s in STATES} == {s: s for s in STATES}
        assert date.fromisoformat(str(SHOP.info["closed_day"])) < NOW.date()
