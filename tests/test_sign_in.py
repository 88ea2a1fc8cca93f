"""Who may read: every command and the app sign their user in first, wrong PINs are
limited, and phone numbers show whole only to the roles whose work needs them.

Customer data is personal information (个人信息保护法): `rma --user nobody slip list` must
print nothing, a user with a PIN reads only after giving it, and after five wrong PINs in
a row that user waits (longer after each further wrong one) or the owner clears it; the
wait is in the audit trail.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cli_helpers import rma_on
from conftest import NOW, make_shop
from pilot import settle
from sqlmodel import select
from textual.widgets import Input, Static

from rma_tui import service as sv
from rma_tui.app import make_app
from rma_tui.errors import DomainError
from rma_tui.screens.dialogs import SwitchUserDialog
from rma_tui.screens.home import HomeScreen
from rma_tui.store.db import Database
from rma_tui.store.models import AuditEvent, User

PIN = "2468"
PHONE = "13800000001"


@pytest.fixture
def pinned(db: Database) -> Database:
    """The tiny shop; its clerk 小李 has a PIN, and a slip against SO-1 exists."""
    make_shop(db)
    sv.add_user(db, "owner", "小李", "clerk", pin=PIN, now=NOW)
    sv.create_slip(db, "clerk", "SO-1", "return", [sv.LineInput("P1", 1, "quality")], now=NOW)
    return db


def failures(db: Database, name: str) -> tuple[int, object]:
    with db.read() as s:
        u = s.exec(select(User).where(User.name == name)).one()
        return u.pin_failures, u.pin_locked_until


def audited(db: Database, action: str) -> list[dict[str, object]]:
    with db.read() as s:
        return [json.loads(e.detail_json) for e in
                s.exec(select(AuditEvent).where(AuditEvent.action == action)).all()]


def refused_key(call: object) -> str:
    with pytest.raises(DomainError) as info:
        call()  # type: ignore[operator]
    return info.value.key


def test_sign_in_proves_the_user(pinned: Database) -> None:
    db = pinned
    assert sv.sign_in(db, "小李", PIN, now=NOW).name == "小李"
    assert sv.sign_in(db, "clerk", None, now=NOW).role == "clerk"  # no PIN: none asked
    assert refused_key(lambda: sv.sign_in(db, "nobody", None, now=NOW)) == "unknown_user"
    assert refused_key(lambda: sv.sign_in(db, "小李", None, now=NOW)) == "pin_required"
    assert refused_key(lambda: sv.sign_in(db, "小李", "1111", now=NOW)) == "pin_wrong"
    assert failures(db, "小李") == (1, None)
    sv.sign_in(db, "小李", PIN, now=NOW)  # a right PIN starts the count again
    assert failures(db, "小李") == (0, None)


def test_five_wrong_pins_make_the_user_wait_longer_each_time(pinned: Database) -> None:
    db = pinned
    for i in range(1, sv.PIN_TRIES):
        assert refused_key(lambda: sv.sign_in(db, "小李", "0000", now=NOW)) == "pin_wrong"
        assert failures(db, "小李") == (i, None)
    assert not audited(db, "pin_locked")
    # The fifth: one minute's wait, in the audit trail.
    assert refused_key(lambda: sv.sign_in(db, "小李", "0000", now=NOW)) == "pin_wrong"
    count, until = failures(db, "小李")
    assert count == 5 and sv.as_utc(until) == NOW + sv.PIN_FIRST_WAIT  # type: ignore[arg-type]
    assert audited(db, "pin_locked")[-1]["failures"] == 5
    # While waiting even the right PIN is refused, and nothing is counted.
    assert refused_key(lambda: sv.sign_in(db, "小李", PIN, now=NOW + timedelta(seconds=30))) \
        == "pin_locked"
    assert failures(db, "小李")[0] == 5
    # After the wait a wrong PIN doubles it; the right one signs in and clears the count.
    later = NOW + timedelta(minutes=2)
    assert refused_key(lambda: sv.sign_in(db, "小李", "0000", now=later)) == "pin_wrong"
    assert sv.as_utc(failures(db, "小李")[1]) == later + 2 * sv.PIN_FIRST_WAIT  # type: ignore[arg-type]
    assert refused_key(lambda: sv.sign_in(db, "小李", PIN, now=later)) == "pin_locked"
    assert sv.sign_in(db, "小李", PIN, now=later + timedelta(minutes=3)).name == "小李"
    assert failures(db, "小李") == (0, None)
    assert sv.pin_wait(30) == sv.PIN_LONGEST_WAIT  # it never grows past a day


def test_the_owner_clears_the_wait(pinned: Database) -> None:
    db = pinned
    for _ in range(8):
        try:
            sv.sign_in(db, "小李", "0000", now=NOW)
        except DomainError:
            pass
    assert failures(db, "小李")[0] == 5  # the tries while waiting were not even tried
    assert refused_key(lambda: sv.unlock_user(db, "clerk", "小李", now=NOW)) == "role_denied"
    assert refused_key(lambda: sv.unlock_user(db, "owner", "无此人", now=NOW)) == "unknown_user"
    sv.unlock_user(db, "owner", "小李", now=NOW)
    assert failures(db, "小李") == (0, None)
    assert audited(db, "pin_unlocked") == [{"user": "小李", "failures": 5}]
    assert sv.sign_in(db, "小李", PIN, now=NOW).name == "小李"
    assert sv.verify(db).ok


def test_reads_at_the_command_line_need_a_proven_user(pinned: Database) -> None:
    db = pinned
    for args in (("slip", "list", "--json"), ("customer", "show", PHONE), ("stock",),
                 ("report", "returns", "--by", "customer", "--format", "csv"), ("audit",)):
        r = rma_on(db, *args, user="nobody", code=1)
        assert r.stdout == "" and "nobody" in r.stderr, args
        r = rma_on(db, *args, user="小李", code=1)  # no RMA_PIN, no terminal
        assert r.stdout == "" and "RMA_PIN" in r.stderr, args
        assert rma_on(db, *args, user="小李", env={"RMA_PIN": PIN}).stdout, args
    # Eight wrong PINs: the eighth is refused for the wait, then even the right one is.
    for _ in range(8):
        rma_on(db, "slip", "list", user="小李", env={"RMA_PIN": "0000"}, code=1)
    r = rma_on(db, "slip", "list", user="小李", env={"RMA_PIN": PIN}, code=1)
    assert "rma user unlock 小李" in r.stderr and r.stdout == ""
    rma_on(db, "user", "unlock", "小李", user="owner")
    assert rma_on(db, "slip", "list", user="小李", env={"RMA_PIN": PIN}).stdout


def test_phones_are_masked_for_roles_that_do_not_need_them(pinned: Database) -> None:
    db = pinned
    number = sv.list_slips(db)[0].number
    assert sv.masked_phone(PHONE) == "138****0001"
    for role, whole in (("owner", True), ("clerk", True), ("warehouse", False),
                        ("finance", False)):
        shown = json.loads(rma_on(db, "slip", "show", number, "--json", user=role).stdout)
        assert shown["customer_phone"] == (PHONE if whole else "138****0001"), role
        sale = json.loads(rma_on(db, "sale", "show", "SO-1", "--json", user=role).stdout)
        assert sale["customer_phone"] == (PHONE if whole else "138****0001"), role
        text = rma_on(db, "slip", "show", number, user=role).stdout
        assert (PHONE in text) is whole, role
    # Exports: whole in the owner's only.
    for role, whole in (("owner", True), ("clerk", False), ("finance", False)):
        csv_text = rma_on(db, "report", "returns", "--by", "customer", "--format", "csv",
                          user=role).stdout
        assert (PHONE in csv_text) is whole and ("138****0001" in csv_text) is not whole, role


async def test_the_app_asks_the_pin_before_showing_the_shop(pinned: Database) -> None:
    app = make_app(pinned.url, "小李", "zh", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, SwitchUserDialog)
        assert dialog.query_one("#switch-name", Input).value == "小李"
        assert pilot.app.focused is dialog.query_one("#switch-pin", Input)
        assert app.user is None and app.problem is not None
        assert app.problem.key == "app_pin_needed"
        await pilot.press("1", "1", "1", "1", "enter")
        await settle(pilot)
        assert app.screen is dialog and app.user is None
        assert "PIN" in str(dialog.query_one("#dialog-error", Static).content)
        assert failures(pinned, "小李")[0] == 1  # counted like any try
        await pilot.press(*PIN, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.user is not None and app.user.name == "小李" and app.problem is None
        assert failures(pinned, "小李") == (0, None)


async def test_the_app_says_when_the_user_must_wait(pinned: Database) -> None:
    for _ in range(5):
        try:
            sv.sign_in(pinned, "小李", "0000")
        except DomainError:
            pass
    app = make_app(pinned.url, "小李", "en", refresh_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*PIN, "enter")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, SwitchUserDialog) and app.user is None
        said = str(dialog.query_one("#dialog-error", Static).content)
        assert "Too many wrong PINs" in said and "rma user unlock" in said
