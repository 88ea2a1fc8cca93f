"""A chain of shops, on both databases.

The tiny shop of `make_shop` is shop `main`; these tests open a second shop `east` with its
own clerk, warehouse and finance users, and prove on the rows: every write lands in one
shop (stock levels, moves, journal entries, slips, closes carry it), a user of one shop can
neither act in nor see another, a chain-wide user must name the shop when there are several,
a transfer moves stock and its value between two shops and nets to zero for the chain, and
a day closes per shop. `verify` is clean after each.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import NOW, Shop
from test_service import assert_verified, one, refused, sql

from rma_tui import service as sv
from rma_tui.store.db import Database

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")

L = sv.LineInput
G = sv.GradeInput
EAST_USERS = (("clerk_e", "clerk"), ("ware_e", "warehouse"), ("fin_e", "finance"),
              ("boss_e", "owner"))


def open_east(db: Database) -> None:
    """Shop `east` (东门店) next to the tiny shop: its users, 6 x P1 received there, and a
    sale SO-E1 of 2 x P1 at 19.00 made there."""
    sv.add_shop(db, "owner", "east", "东门店", now=NOW)
    for name, role in EAST_USERS:
        sv.add_user(db, "owner", name, role, shop="east", now=NOW)
    sv.receive_purchase(db, "ware_e", "P1", 6, now=NOW - timedelta(days=3))
    sv.record_sales(db, "clerk_e", [sv.SaleInput(
        "SO-E1", "store", NOW - timedelta(days=1), [sv.SaleLineInput("P1", 2, 1900)],
        customer_phone="13800000001", payment_method="cash")], now=NOW)


@pytest.fixture
def chain(shop: Shop) -> Shop:
    """The tiny shop plus shop `east` (see `open_east`)."""
    open_east(shop.db)
    return shop


def level(db: Database, sku: str, shop: str, location: str = "sellable") -> int:
    return int(one(db, """
        SELECT coalesce(sum(l.qty), 0) FROM stock_levels l JOIN products p ON p.id = l.product_id
        WHERE p.sku = :sku AND l.shop = :shop AND l.location = :loc""",
        sku=sku, shop=shop, loc=location))


def account(db: Database, code: str, shop: str | None = None) -> int:
    """Σ debit - Σ credit of an account, in one shop's entries or the chain's."""
    where = "" if shop is None else "AND e.shop = :shop"
    return int(one(db, f"""
        SELECT coalesce(sum(p.debit_fen - p.credit_fen), 0) FROM postings p
        JOIN journal_entries e ON e.id = p.entry_id WHERE p.account_code = :code {where}""",
        code=code, shop=shop))


# ---------------------------------------------------------------------------------------
# Shops and users
# ---------------------------------------------------------------------------------------


def test_a_single_shop_is_the_default_shop_main(shop: Shop) -> None:
    db = shop.db
    assert [(s.code, s.name) for s in sv.list_shops(db)] == [("main", "main")]
    # Every row the tiny shop wrote belongs to it; its chain-wide users need not say so.
    for table in ("sales", "sale_lines", "stock_moves", "journal_entries"):
        assert sql(db, f"SELECT DISTINCT shop FROM {table}") == [("main",)], table
    assert sv.get_user(db, "clerk") == sv.UserView("clerk", "clerk", False, True, None)
    assert_verified(db)


def test_setup_names_the_default_shop(db: Database) -> None:
    sv.setup_shop(db, "星河数码", "老板", "1234", now=NOW)
    assert [(s.code, s.name) for s in sv.list_shops(db)] == [("main", "星河数码")]


def test_opening_a_shop_and_its_users(chain: Shop) -> None:
    db = chain.db
    assert [(s.code, s.name) for s in sv.list_shops(db)] == [("east", "东门店"), ("main", "main")]
    assert sv.get_user(db, "clerk_e") == sv.UserView("clerk_e", "clerk", False, True, "east")
    assert one(db, "SELECT detail_json FROM audit_events WHERE action = 'shop_add'") == \
        '{"code": "east", "name": "东门店"}'
    # Refusals: a bad or taken code, a non-owner, a shop's own owner, an unknown shop.
    refused(db, "bad_shop_code", "code", sv.add_shop, "owner", "东门", "东门")
    refused(db, "bad_shop_code", "code", sv.add_shop, "owner", "a b", "x")
    refused(db, "shop_exists", "code", sv.add_shop, "owner", "EAST", "again")
    refused(db, "role_denied", "user", sv.add_shop, "clerk", "west", "西门店")
    refused(db, "shop_denied", "user", sv.add_shop, "boss_e", "west", "西门店")
    refused(db, "unknown_shop", "shop", sv.add_user, "owner", "x", "clerk", shop="west")
    # An owner of one shop adds users of that shop only.
    refused(db, "shop_denied", "shop", sv.add_user, "boss_e", "x", "clerk")
    refused(db, "shop_denied", "shop", sv.add_user, "boss_e", "x", "clerk", shop="main")
    assert sv.add_user(db, "boss_e", "clerk_e2", "clerk", shop="east", now=NOW).shop == "east"


def test_a_shops_writes_land_in_that_shop(chain: Shop) -> None:
    db = chain.db
    # main: 10 - 3 sold = 7; east: 6 received - 2 sold = 4.
    assert (level(db, "P1", "main"), level(db, "P1", "east")) == (7, 4)
    assert sql(db, "SELECT shop FROM sales WHERE order_no = 'SO-E1'") == [("east",)]
    assert sql(db, """SELECT DISTINCT l.shop FROM sale_lines l JOIN sales s ON s.id = l.sale_id
                      WHERE s.order_no = 'SO-E1'""") == [("east",)]
    # east's books: purchase 6 x 8.00 in, sale of 2 at cost 8.00 out; revenue 38.00 cash.
    assert account(db, "1405", "east") == 6 * 800 - 2 * 800
    assert account(db, "1001", "east") == 2 * 1900
    assert account(db, "6001", "east") == -2 * 1900
    # The chain: the stock screen's total is the sum of the shops.
    chain_p1 = next(r for r in sv.stock(db) if r.sku == "P1")
    east_p1 = next(r for r in sv.stock(db, shop="east") if r.sku == "P1")
    main_p1 = next(r for r in sv.stock(db, shop="main") if r.sku == "P1")
    assert (chain_p1.sellable, east_p1.sellable, main_p1.sellable) == (11, 4, 7)
    assert_verified(db)


def test_a_chain_wide_user_names_the_shop_when_there_are_several(chain: Shop) -> None:
    db = chain.db
    refused(db, "shop_required", "shop", sv.receive_purchase, "owner", "P2", 1)
    refused(db, "unknown_shop", "shop", sv.receive_purchase, "owner", "P2", 1, shop="west")
    row = sv.receive_purchase(db, "owner", "P2", 3, shop="east", now=NOW)
    assert (row.sellable, level(db, "P2", "east"), level(db, "P2", "main")) == (3, 3, 4)
    # A shop's own user may name their shop, never another.
    refused(db, "shop_denied", "shop", sv.receive_purchase, "ware_e", "P2", 1, shop="main")
    assert sv.receive_purchase(db, "ware_e", "P2", 1, shop="east", now=NOW).sellable == 4
    assert_verified(db)


# ---------------------------------------------------------------------------------------
# Slips in a chain
# ---------------------------------------------------------------------------------------


def _lifecycle(db: Database, order: str, clerk: str, ware: str, fin: str,
               approver: str = "owner", shop: str | None = None) -> sv.SlipView:
    v = sv.create_slip(db, clerk, order, "return", [L("P1", 1, "quality")], now=NOW,
                       shop=shop)
    sv.submit_slip(db, clerk, v.number, now=NOW)
    if sv.get_slip(db, v.number).status == "submitted":
        sv.approve_slip(db, approver, v.number, now=NOW)
    sv.receive_slip(db, ware, v.number, now=NOW)
    sv.inspect_slip(db, ware, v.number, [G("P1", 1, 0, 0)], now=NOW)
    return sv.settle_slip(db, fin, v.number, "cash", now=NOW)


def test_a_return_at_another_shop_comes_back_into_that_shop(chain: Shop) -> None:
    db = chain.db
    # SO-1 was sold at main; east's clerk takes the return (buy anywhere, return anywhere).
    v = _lifecycle(db, "SO-1", "clerk_e", "ware_e", "fin_e")
    assert (v.status, v.shop) == ("settled", "east")
    assert sql(db, "SELECT shop FROM slips WHERE number = :n", n=v.number) == [("east",)]
    # The unit went back onto east's shelf; east's till paid the refund at the sale's price.
    assert (level(db, "P1", "east"), level(db, "P1", "main")) == (5, 7)
    assert account(db, "1001", "east") == 2 * 1900 - 1800
    assert account(db, "1001", "main") == 0
    assert sql(db, """SELECT DISTINCT e.shop FROM journal_entries e JOIN slips s
                      ON s.id = e.slip_id WHERE s.number = :n""", n=v.number) == [("east",)]
    assert_verified(db)


def test_a_chain_wide_clerk_returns_into_the_sales_shop(chain: Shop) -> None:
    db = chain.db
    v = sv.create_slip(db, "clerk", "SO-E1", "return", [L("P1", 1, "quality")], now=NOW)
    assert v.shop == "east"
    v = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW)
    assert v.shop == "main"
    v = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW,
                       shop="east")
    assert v.shop == "east"


def test_a_shops_user_cannot_act_on_another_shops_slip(chain: Shop) -> None:
    db = chain.db
    v = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW)
    assert v.shop == "main"
    refused(db, "shop_denied", "number", sv.submit_slip, "clerk_e", v.number)
    refused(db, "shop_denied", "number", sv.cancel_slip, "clerk_e", v.number, "不要了")
    refused(db, "shop_denied", "shop", sv.create_slip, "clerk_e", "SO-1", "return",
            [L("P1", 1, "quality")], shop="main")
    sv.submit_slip(db, "clerk", v.number, now=NOW)
    refused(db, "shop_denied", "number", sv.approve_slip, "boss_e", v.number)
    if sv.get_slip(db, v.number).status == "submitted":  # not approved automatically
        sv.approve_slip(db, "owner", v.number, now=NOW)
    refused(db, "shop_denied", "number", sv.receive_slip, "ware_e", v.number)
    assert sv.receive_slip(db, "warehouse", v.number, now=NOW).status == "received"


def test_reads_are_scoped_to_the_users_shop(chain: Shop) -> None:
    db = chain.db
    a = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW)
    b = sv.create_slip(db, "clerk_e", "SO-E1", "return", [L("P1", 1, "quality")], now=NOW)
    assert sv.view_shop(db, "clerk_e") == "east"
    assert sv.view_shop(db, "clerk") is None  # chain-wide: every shop
    assert sv.view_shop(db, "clerk", "east") == "east"
    assert sv.view_shop(db, None) is None
    with pytest.raises(sv.DomainError) as ei:
        sv.view_shop(db, "clerk_e", "main")
    assert (ei.value.key, ei.value.field) == ("shop_denied", "shop")
    with pytest.raises(sv.DomainError) as ei:
        sv.view_shop(db, "owner", "west")
    assert (ei.value.key, ei.value.field) == ("unknown_shop", "shop")
    assert [s.number for s in sv.list_slips(db, shop="east")] == [b.number]
    assert [s.number for s in sv.list_slips(db, shop="main")] == [a.number]
    assert {s.number for s in sv.list_slips(db)} == {a.number, b.number}
    assert sv.count_by_status(db, "east")["draft"] == 1
    assert sv.count_by_status(db)["draft"] == 2
    # Notifications: the draft notice is for the slip's shop (and chain-wide people).
    east_notes = sv.notifications(db, "clerk", shop="east")
    assert {n.slip for n in east_notes if n.slip} == {b.number}
    assert {n.slip for n in sv.notifications(db, "clerk") if n.slip} == {a.number, b.number}
    assert sv.count_notifications(db, "clerk", shop="main") == len(
        [n for n in sv.notifications(db, "clerk", shop="main")])
    # Marking read only touches what the user can see: their shop, or the one viewed.
    sv.mark_notifications_read(db, "clerk_e", now=NOW)
    assert sv.count_notifications(db, "clerk", shop="east") == 0
    assert sv.count_notifications(db, "clerk", shop="main") > 0
    refused(db, "shop_denied", "shop", sv.mark_notifications_read, "clerk_e", shop="main")
    sv.add_user(db, "owner", "clerk3", "clerk", now=NOW)  # chain-wide
    assert sv.mark_notifications_read(db, "clerk3", shop="east", now=NOW) == 0
    assert sv.mark_notifications_read(db, "clerk3", shop="main", now=NOW) > 0
    assert sv.count_notifications(db, "clerk") == 0


# ---------------------------------------------------------------------------------------
# Transfers (调拨)
# ---------------------------------------------------------------------------------------


def test_a_transfer_moves_stock_and_its_value_between_shops(chain: Shop) -> None:
    db = chain.db
    t = sv.transfer_stock(db, "warehouse", "P1", 3, "main", "east", note="周末补货", now=NOW)
    assert t == sv.TransferView("P1", 3, "main", "east", 3 * 800, 4, 7)
    assert (level(db, "P1", "main"), level(db, "P1", "east")) == (4, 7)
    moves = sql(db, """SELECT shop, location, qty, kind, note FROM stock_moves
                       WHERE kind LIKE 'transfer%' ORDER BY id""")
    assert moves == [("main", "sellable", -3, "transfer_out", "周末补货"),
                     ("east", "sellable", 3, "transfer_in", "周末补货")]
    # Each shop's books: main's inventory went to 1409, east's came from it; the chain's
    # 1409 is zero and its inventory unchanged by the move.
    assert account(db, "1409", "main") == 2400 and account(db, "1409", "east") == -2400
    assert account(db, "1409") == 0
    assert sql(db, "SELECT count(*) FROM journal_entries WHERE kind = 'transfer'") == [(2,)]
    # The receiving shop's warehouse is told.
    notes = sv.notifications(db, "warehouse", shop="east")
    assert any(n.key == "transfer_in" and n.params["qty"] == 3 for n in notes)
    assert not any(n.key == "transfer_in" for n in sv.notifications(db, "warehouse",
                                                                       shop="main"))
    # main's P1 is now at 4 > reorder point 3; a further 1 out makes it low in main only.
    sv.transfer_stock(db, "owner", "P1", 1, "main", "east", now=NOW)
    assert [(a.sku, a.shop) for a in sv.alerts(db)] == [("P1", "main")]
    assert sv.alerts(db, shop="east") == []
    assert_verified(db)


def test_transfer_refusals_write_nothing(chain: Shop) -> None:
    db = chain.db
    refused(db, "stock_short", "qty", sv.transfer_stock, "owner", "P1", 8, "main", "east")
    refused(db, "transfer_same_shop", "to_shop", sv.transfer_stock, "owner", "P1", 1, "east",
            "east")
    refused(db, "unknown_shop", "to_shop", sv.transfer_stock, "owner", "P1", 1, "east", "west")
    refused(db, "required", "from_shop", sv.transfer_stock, "owner", "P1", 1, " ", "east")
    refused(db, "shop_denied", "from_shop", sv.transfer_stock, "ware_e", "P1", 1, "main",
            "east")
    refused(db, "role_denied", "user", sv.transfer_stock, "clerk", "P1", 1, "main", "east")
    refused(db, "qty_positive", "qty", sv.transfer_stock, "owner", "P1", 0, "main", "east")
    # east's own warehouse may send from east.
    assert sv.transfer_stock(db, "ware_e", "P1", 1, "east", "main", now=NOW).to_sellable == 8


def test_a_transfer_is_applied_once_per_request_id(chain: Shop) -> None:
    db = chain.db
    for _ in range(2):
        sv.transfer_stock(db, "owner", "P1", 2, "main", "east", request_id="t-1", now=NOW)
    assert (level(db, "P1", "main"), level(db, "P1", "east")) == (5, 6)


# ---------------------------------------------------------------------------------------
# Daily close per shop
# ---------------------------------------------------------------------------------------


def test_each_shop_closes_its_own_day(chain: Shop) -> None:
    db = chain.db
    day = date(2026, 11, 19)  # SO-E1 was sold then (NOW - 1 day, Shanghai time)
    east = sv.day_totals(db, day, shop="east")
    assert (east.shop, east.totals["sales"], east.closed_by) == ("east", {"cash": 3800}, "")
    assert sv.day_totals(db, day, shop="main").totals["sales"] == {}
    chain_day = sv.day_totals(db, day)
    assert chain_day.shop is None and chain_day.totals["sales"] == {"cash": 3800}
    refused(db, "shop_required", "shop", sv.close_day, "finance", day)
    refused(db, "shop_denied", "shop", sv.close_day, "fin_e", day, shop="main")
    closed = sv.close_day(db, "fin_e", day, now=NOW)
    assert (closed.shop, closed.closed_by, closed.debit_fen) == ("east", "fin_e", east.debit_fen)
    # east's day takes no more postings; main's same day still does.
    sold = NOW - timedelta(days=1)
    refused(db, "day_closed", "date", sv.record_sales, "clerk_e", [sv.SaleInput(
        "SO-E2", "store", sold, [sv.SaleLineInput("P1", 1, 1900)])])
    sv.record_sales(db, "clerk", [sv.SaleInput(
        "SO-M2", "store", sold, [sv.SaleLineInput("P1", 1, 1900)])], shop="main", now=NOW)
    assert sv.close_day(db, "finance", day, shop="main", now=NOW).shop == "main"
    assert [(c.day, c.shop) for c in sv.closed_days(db)] == [(day.isoformat(), "east"),
                                                              (day.isoformat(), "main")]
    assert [c.shop for c in sv.closed_days(db, shop="east")] == ["east"]
    refused(db, "day_closed", "date", sv.close_day, "fin_e", day)
    assert_verified(db)


def test_verify_names_the_shop_of_a_broken_stock_level(chain: Shop) -> None:
    db = chain.db
    sql(db, """UPDATE stock_levels SET qty = qty + 1 WHERE shop = 'east'
               AND location = 'sellable'""")
    check = next(c for c in sv.verify(db).checks if c.name == "I1 stock")
    assert not check.ok and "shop east" in check.detail


def test_a_shops_user_sees_only_their_shops_slips_whole(chain: Shop) -> None:
    db = chain.db
    v = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")], now=NOW)
    assert sv.get_slip(db, v.number, viewer="clerk").shop == "main"  # chain-wide
    assert sv.get_slip(db, v.number).number == v.number  # no viewer: the shop's own machine
    with pytest.raises(sv.DomainError) as ei:
        sv.get_slip(db, v.number, viewer="clerk_e")
    assert (ei.value.key, ei.value.field) == ("shop_denied", "number")
    # Shop codes are lower case whichever way they are typed.
    assert sv.view_shop(db, "owner", "EAST") == "east"
    assert sv.receive_purchase(db, "owner", "P2", 1, shop="East", now=NOW).sellable == 1


def test_renaming_a_shop_keeps_its_code(chain: Shop) -> None:
    db = chain.db
    v = sv.rename_shop(db, "owner", "MAIN", "总店", now=NOW)
    assert (v.code, v.name) == ("main", "总店")
    assert sql(db, "SELECT name FROM shops WHERE code = 'main'") == [("总店",)]
    assert one(db, "SELECT detail_json FROM audit_events WHERE action = 'shop_rename'") == \
        '{"code": "main", "from": "main", "to": "总店"}'
    assert sv.rename_shop(db, "boss_e", "east", "东门旗舰店", now=NOW).name == "东门旗舰店"
    refused(db, "shop_denied", "code", sv.rename_shop, "boss_e", "main", "x")
    refused(db, "role_denied", "user", sv.rename_shop, "clerk", "main", "x")
    refused(db, "unknown_shop", "code", sv.rename_shop, "owner", "west", "x")
    refused(db, "required", "name", sv.rename_shop, "owner", "main", "  ")
