"""A return and an exchange taken from entry through review, receiving, inspection and
settlement across the app's screens, by keyboard only, each step by the role whose job it
is, at its own "terminal" (its own app), with the database checked after every step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from functools import partial

import pytest
from conftest import make_shop
from pilot import settle as settle_workers
from textual.pilot import Pilot

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import RmaApp, make_app
from rma_tui.store.db import Database
from rma_tui.widgets.slip_queue import SlipQueue

SIZE = (120, 36)


pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture(autouse=True)
def _restore_policy():
    yield
    sv.set_policy(None)


# Let debounced work (the entry preview) start, then wait for every worker.
settle = partial(settle_workers, debounce=0.3)


@asynccontextmanager
async def desk(db: Database, user: str, lang: str,
               screen: str) -> AsyncIterator[tuple[RmaApp, Pilot[None]]]:
    """The app signed in as `user`, switched to a screen by its number key."""
    app = make_app(db.url, user, lang, refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(screen)
        await settle(pilot)
        yield app, pilot


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def only_slip(db: Database) -> sv.SlipView:
    [summary] = sv.list_slips(db)
    return sv.get_slip(db, summary.number)


async def choose_reason(pilot: Pilot[None], code: str) -> None:
    steps = list(i18n.LABELS["reason"]).index(code) + 1  # +1: the prompt comes first
    await press(pilot, "enter", *["down"] * steps, "enter")


async def review_receive_inspect(db: Database, lang: str, approver: str,
                                 reason: str | None = None) -> None:
    number = only_slip(db).number
    async with desk(db, approver, lang, "3") as (_, pilot):
        await press(pilot, "a")
        if reason is not None:  # a policy exception: the owner gives the reason
            await pilot.press(*reason)
            await press(pilot, "enter")
    v = sv.get_slip(db, number)
    assert v.status == "approved" and v.override_reason == reason
    async with desk(db, "warehouse", lang, "4") as (_, pilot):
        await press(pilot, "g")
        await press(pilot, "enter")  # confirm: the goods are here
        assert sv.get_slip(db, number).status == "received"
        assert sum(r.pending for r in sv.stock(db)) == sum(ln.qty for ln in v.lines)
        # To the slips awaiting grading. The desk may already have moved there by itself
        # when the emptied list of goods to receive reloaded (when is up to the workers),
        # so where a Tab lands is not fixed: the list is focused as a click would.
        [received] = [q for q in pilot.app.screen.query(SlipQueue) if q.kind == "received"]
        received.table.focus()
        await settle(pilot)
        await press(pilot, "enter")  # into the form: all resellable by default
        await press(pilot, "ctrl+s")
    assert sv.get_slip(db, number).status == "inspected"
    assert sum(r.pending for r in sv.stock(db)) == 0


async def test_a_return_across_the_screens_in_chinese(db: Database) -> None:
    make_shop(db, now=sv.utcnow())  # sold two days ago: inside every window
    pol = sv.policy()
    sv.set_policy(replace(pol, channels={
        **pol.channels, "store": replace(pol.channel("store"), auto_approve=False)}))
    cable_before = next(r for r in sv.stock(db) if r.sku == "P1").sellable
    async with desk(db, "clerk", "zh", "2") as (_, pilot):
        await pilot.pause()
        await pilot.press(*"SO-1")
        await press(pilot, "enter")  # the sale opens
        await press(pilot, "enter")  # one cable
        await choose_reason(pilot, "quality")
        await press(pilot, "ctrl+s")
    v = only_slip(db)
    assert (v.type, v.status, v.policy_ok) == ("return", "submitted", True)
    await review_receive_inspect(db, "zh", "finance")
    async with desk(db, "finance", "zh", "5") as (_, pilot):
        await press(pilot, "enter")  # settle: the confirmation shows amount and method
        await press(pilot, "enter")  # confirm
        await press(pilot, "escape")  # no feedback this time
    v = sv.get_slip(db, v.number)
    assert (v.status, v.refund_method, v.refund_fen) == ("settled", "original", 1800)
    assert [e.user for e in v.events] == ["clerk", "clerk", "finance", "warehouse",
                                          "warehouse", "finance"]
    assert next(r for r in sv.stock(db) if r.sku == "P1").sellable == cable_before + 1
    assert sv.verify(db).ok


async def test_an_exchange_across_the_screens_in_english(db: Database) -> None:
    make_shop(db, now=sv.utcnow() - timedelta(days=8))  # ten days since the sale
    ear_before = next(r for r in sv.stock(db) if r.sku == "P2").sellable
    async with desk(db, "clerk", "en", "2") as (_, pilot):
        await pilot.pause()
        await pilot.press(*"SO-1")
        await press(pilot, "enter")
        await press(pilot, "down", "enter")  # the earphones
        await choose_reason(pilot, "size")  # no fault: past the 3-day window
        await press(pilot, "enter")  # past the detail, to the type
        await press(pilot, "enter", "down", "enter")  # exchange: the same product
        await press(pilot, "ctrl+s")
    v = only_slip(db)
    assert (v.type, v.status, v.policy_ok) == ("exchange", "submitted", False)
    assert [(ln.sku, ln.replacement_sku) for ln in v.lines] == [("P2", "P2")]
    await review_receive_inspect(db, "en", "owner", reason="regular customer")
    async with desk(db, "finance", "en", "5") as (_, pilot):
        await press(pilot, "enter")
        await press(pilot, "enter")
        await press(pilot, "5", "enter")  # feedback: 5 stars
        await press(pilot, "enter")  # no comment
    v = sv.get_slip(db, v.number)
    assert (v.status, v.difference_fen) == ("settled", 0)  # like for like: price paid
    assert v.feedback == (5, "")
    # One pair of earphones came back resellable and one went out: stock as before.
    assert next(r for r in sv.stock(db) if r.sku == "P2").sellable == ear_before
    assert sv.verify(db).ok
