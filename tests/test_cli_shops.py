"""The command line of a chain of shops (rma_tui/cli/shops.py and the
`--shop` options of the other commands), on SQLite and PostgreSQL.

Each test runs `rma` in-process against the `chain` of tests/test_shops.py (the tiny shop
`main` plus shop `east` with its own clerk_e / ware_e / fin_e / boss_e, 6 x P1 received
there and sale SO-E1 of 2 x P1) and checks the exit code, the exact lines printed, and the
rows afterwards: a write lands in the shop named (or the user's own), a refusal exits 1
with the service's message and writes nothing, and a shop's clerk reads their shop only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_shops
from cli_helpers import rma_on
from conftest import Shop, make_shop
from test_service import dump, one, sql
from test_shops import level
from typer.testing import Result

from rma_tui import service as sv
from rma_tui.store.db import Database

pytestmark = pytest.mark.usefixtures("chinese_after")
chain = test_shops.chain  # the fixture, by the name pytest finds it under

L = sv.LineInput


def rma(db: Database, *args: str, user: str = "owner", code: int = 0) -> Result:
    """`rma --db … --user <user> args…`, expecting exit `code`."""
    return rma_on(db, *args, user=user, code=code)


def refused(db: Database, *args: str, user: str = "owner", says: str = "") -> Result:
    """`rma args` exits 1 with `错误: …` (containing `says`) and changes no row."""
    before = dump(db)
    r = rma(db, *args, user=user, code=1)
    assert r.stderr.startswith("错误: ") and says in r.stderr, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert dump(db) == before, args
    return r


def lines(r: Result) -> list[str]:
    """The non-empty lines of stdout, stripped."""
    return [ln.strip() for ln in r.stdout.splitlines() if ln.strip()]


def cells_of(line: str) -> list[str]:
    """The cells of one row of a rich table, the header's (┃) or a body row's (│); empty
    for a rule or a title line."""
    return [c.strip() for c in line.replace("┃", "│").split("│")[1:-1]]


# ---------------------------------------------------------------------------------------
# rma shop add / list, rma user add --shop / user list
# ---------------------------------------------------------------------------------------


def test_shop_add_and_list(chain: Shop) -> None:
    db = chain.db
    r = rma(db, "shop", "add", "west", "西门店")
    assert lines(r) == ["已开设门店 west（西门店）"]
    assert sql(db, "SELECT code, name FROM shops ORDER BY code") == [
        ("east", "东门店"), ("main", "main"), ("west", "西门店")]
    assert one(db, "SELECT count(*) FROM audit_events WHERE action = 'shop_add'") == 2
    # Refusals, each with the service's message, nothing written.
    refused(db, "shop", "add", "东门", "x", says="门店代码“东门”只能用小写字母")
    refused(db, "shop", "add", "a b", "x", says="a b")
    refused(db, "shop", "add", "EAST", "again", says="门店代码 east 已存在")
    refused(db, "shop", "add", "north", "北门店", user="clerk", says="clerk")
    refused(db, "shop", "add", "north", "北门店", user="boss_e",
            says="用户 boss_e 属于门店 east")
    rma(db, "shop", "add", "north", code=2)  # no name: typer's usage error
    assert one(db, "SELECT count(*) FROM shops") == 3
    # The list: east has its 4 users, main and west none; the tiny shop's 6 are chain-wide.
    data = json.loads(rma(db, "shop", "list", "--json").stdout)
    assert [(s["code"], s["name"], s["users"]) for s in data["shops"]] == [
        ("east", "东门店", 4), ("main", "main", 0), ("west", "西门店", 0)]
    assert data["chain_wide_users"] == 6
    text = rma(db, "--lang", "en", "shop", "list").stdout
    assert "Shops (3)" in text
    rows = {cells[0]: cells[1:3] for cells in map(cells_of, text.splitlines()) if cells}
    assert (rows["east"], rows["main"], rows["west"]) == (["东门店", "4"], ["main", "0"],
                                                          ["西门店", "0"])
    assert rows["*"] == ["All shops (chain-wide users)", "6"]


def test_user_add_with_a_shop_and_the_user_list(chain: Shop) -> None:
    db = chain.db
    r = rma(db, "user", "add", "小东", "--role", "clerk", "--shop", "east")
    assert lines(r) == ["【门店 east】已添加用户 小东（店员）"]
    assert sql(db, "SELECT role, shop FROM users WHERE name = '小东'") == [("clerk", "east")]
    r = rma(db, "user", "add", "小全", "--role", "clerk")
    assert lines(r) == ["已添加用户 小全（店员）"]
    assert sql(db, "SELECT shop FROM users WHERE name = '小全'") == [(None,)]
    # An unknown shop; a shop's owner making a chain-wide user or one of another shop.
    refused(db, "user", "add", "x", "--role", "clerk", "--shop", "west",
            says="门店“west”不存在")
    refused(db, "user", "add", "x", "--role", "clerk", user="boss_e", says="boss_e")
    refused(db, "user", "add", "x", "--role", "clerk", "--shop", "main", user="boss_e",
            says="不能在门店 main")
    assert lines(rma(db, "user", "add", "小东2", "--role", "warehouse", "--shop", "east",
                     user="boss_e")) == ["【门店 east】已添加用户 小东2（仓管）"]
    users = {u["name"]: u for u in json.loads(rma(db, "user", "list", "--json").stdout)}
    assert users["小东"] == {"name": "小东", "role": "clerk", "has_pin": False,
                            "active": True, "shop": "east"}
    assert users["clerk"]["shop"] is None and users["ware_e"]["shop"] == "east"
    text = rma(db, "user", "list").stdout
    rows = {cells[0]: cells for cells in map(cells_of, text.splitlines()) if cells}
    assert rows["用户"] == ["用户", "角色", "门店", "PIN", "启用"]
    assert rows["小东"] == ["小东", "店员", "east", "否", "是"]
    assert rows["小全"] == ["小全", "店员", "全部门店", "否", "是"]


def test_a_single_shop_shows_no_shops(shop: Shop) -> None:
    """Nothing about shops appears until there is a second one (existing scripts read the
    same JSON and tables); `--shop main` is accepted and a wrong code refused."""
    db = shop.db
    users = json.loads(rma(db, "user", "list", "--json").stdout)
    assert all("shop" not in u for u in users)
    assert cells_of(rma(db, "user", "list").stdout.splitlines()[1]) == [
        "用户", "角色", "PIN", "启用"]
    v = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")])
    assert "shop" not in json.loads(rma(db, "slip", "list", "--json").stdout)[0]
    head = [r[0] for r in map(cells_of, rma(db, "slip", "show", v.number).stdout
                              .splitlines()) if len(r) == 2]
    assert head[:2] == ["单号", "类型"]
    assert cells_of(rma(db, "slip", "list").stdout.splitlines()[1])[:3] == [
        "单号", "类型", "状态"]
    stock = rma(db, "stock").stdout
    assert "门店" not in stock and "库存" not in stock.splitlines()[0]
    assert lines(rma(db, "purchase", "P2", "1", "--shop", "main", user="warehouse")) == [
        "已进货 P2 × 1，现可售 5"]
    assert json.loads(rma(db, "stock", "--shop", "main", "--json").stdout)[1]["sellable"] == 5
    refused(db, "stock", "--shop", "west", says="门店“west”不存在")
    refused(db, "purchase", "P2", "1", "--shop", "west", user="warehouse", says="west")


# ---------------------------------------------------------------------------------------
# rma transfer
# ---------------------------------------------------------------------------------------


def test_transfer_moves_stock_between_shops(chain: Shop) -> None:
    db = chain.db
    r = rma(db, "transfer", "P1", "3", "--from", "main", "--to", "east", "--note", "周末补货",
            user="warehouse")
    assert lines(r) == ["已调拨 P1 × 3：门店 main → east，金额 ¥24.00；main 现可售 4，"
                        "east 现可售 7"]
    assert (level(db, "P1", "main"), level(db, "P1", "east")) == (4, 7)
    assert sql(db, """SELECT shop, qty, kind, note FROM stock_moves WHERE kind LIKE 'transfer%'
                      ORDER BY id""") == [("main", -3, "transfer_out", "周末补货"),
                                          ("east", 3, "transfer_in", "周末补货")]
    # The same request id twice: moved once (I7).
    for _ in range(2):
        rma(db, "transfer", "P1", "1", "--from", "east", "--to", "main", "--request-id", "t-1",
            user="ware_e")
    assert (level(db, "P1", "main"), level(db, "P1", "east")) == (5, 6)
    r = rma(db, "--lang", "en", "transfer", "P1", "1", "--from", "main", "--to", "east")
    assert lines(r) == ["Transferred P1 x 1 from shop main to east, value ¥8.00; sellable "
                        "now 4 in main, 7 in east"]


def test_transfer_refusals_write_nothing(chain: Shop) -> None:
    db = chain.db
    refused(db, "transfer", "P1", "8", "--from", "main", "--to", "east", says="库存不足")
    refused(db, "transfer", "P1", "1", "--from", "east", "--to", "east",
            says="调出和调入是同一家门店 east")
    refused(db, "transfer", "P1", "1", "--from", "east", "--to", "west", says="west")
    refused(db, "transfer", "P1", "1", "--from", "main", "--to", "east", user="ware_e",
            says="用户 ware_e 属于门店 east，不能在门店 main")
    refused(db, "transfer", "P1", "1", "--from", "main", "--to", "east", user="clerk",
            says="clerk")
    refused(db, "transfer", "P1", "0", "--from", "main", "--to", "east", says="数量必须大于 0")
    refused(db, "transfer", "NOPE", "1", "--from", "main", "--to", "east", says="NOPE")
    before = dump(db)
    rma(db, "transfer", "P1", "1", "--from", "main", code=2)  # no --to: usage error
    assert dump(db) == before
    assert (level(db, "P1", "main"), level(db, "P1", "east")) == (7, 4)


# ---------------------------------------------------------------------------------------
# --shop on the writes
# ---------------------------------------------------------------------------------------


def test_purchase_goes_to_the_shop_named(chain: Shop) -> None:
    db = chain.db
    # A chain-wide user in a chain of two shops must say which one.
    refused(db, "purchase", "P2", "3", says="命令行用 --shop")
    r = rma(db, "purchase", "P2", "3", "--shop", "east")
    assert lines(r) == ["【门店 east】已进货 P2 × 3，现可售 3"]
    assert (level(db, "P2", "east"), level(db, "P2", "main")) == (3, 4)
    # A shop's own warehouse needs no --shop, and may not name another shop.
    assert lines(rma(db, "purchase", "P2", "1", user="ware_e")) == [
        "【门店 east】已进货 P2 × 1，现可售 4"]
    refused(db, "purchase", "P2", "1", "--shop", "main", user="ware_e",
            says="用户 ware_e 属于门店 east，不能在门店 main 操作或查看")
    assert sql(db, """SELECT shop, sum(qty) FROM stock_moves m JOIN products p
                      ON p.id = m.product_id WHERE p.sku = 'P2' AND m.kind = 'purchase'
                      GROUP BY shop ORDER BY shop""") == [("east", 4), ("main", 5)]


def test_the_other_writes_take_a_shop(chain: Shop) -> None:
    db = chain.db
    refused(db, "adjust", "P1", "--location", "defective", "--qty", "2", "--reason", "盘点",
            says="--shop")
    r = rma(db, "adjust", "P1", "--location", "defective", "--qty", "2", "--reason", "盘点",
            "--shop", "east")
    assert lines(r)[0].startswith("【门店 east】已调整 P1")
    assert (level(db, "P1", "east", "defective"), level(db, "P1", "main", "defective")) == (
        2, 0)
    refused(db, "defective", "repair", "P1", "1", says="--shop")
    refused(db, "defective", "repair", "P1", "1", "--shop", "main", says="库存不足")
    assert lines(rma(db, "defective", "repair", "P1", "1", "--shop", "east")) == [
        "【门店 east】已修复 P1 × 1 回到可售，现可售 5，残次 1"]
    r = rma(db, "supplier-return", "P1", "1", "--supplier", "惠州线材", "--shop", "east",
            user="ware_e")
    assert lines(r)[0].startswith("【门店 east】已生成退供应商单 GT-")
    assert sql(db, "SELECT shop, supplier, qty FROM supplier_returns") == [
        ("east", "惠州线材", 1)]
    assert level(db, "P1", "east", "defective") == 0
    rma(db, "adjust", "P1", "--location", "defective", "--qty", "1", "--reason", "又找到",
        user="ware_e")
    assert lines(rma(db, "defective", "scrap", "P1", "1", user="ware_e")) == [
        "【门店 east】已报废 P1 × 1，残次剩 0"]
    assert level(db, "P1", "east", "scrap") == 1
    # reorder is the chain's: no --shop.
    rma(db, "reorder", "P1", "5", "--shop", "east", code=2)
    # A slip belongs to the shop taking the return: named, else the sale's.
    a = rma(db, "slip", "create", "--sale", "SO-1", "--type", "return", "--line",
            "P1:1:quality", "--shop", "east", user="clerk").stdout.strip()
    b = rma(db, "slip", "create", "--sale", "SO-1", "--type", "return", "--line",
            "P1:1:quality", user="clerk").stdout.strip()
    c = rma(db, "slip", "create", "--sale", "SO-1", "--type", "return", "--line",
            "P1:1:quality", user="clerk_e").stdout.strip()
    assert sql(db, "SELECT number, shop FROM slips ORDER BY id") == [
        (a, "east"), (b, "main"), (c, "east")]
    refused(db, "slip", "create", "--sale", "SO-1", "--type", "return", "--line",
            "P1:1:quality", "--shop", "main", user="clerk_e", says="clerk_e")
    # The later steps follow the slip's shop: another shop's user is refused.
    refused(db, "slip", "submit", b, user="clerk_e", says="不能在门店 main")
    rma(db, "slip", "submit", c, user="clerk_e")
    assert one(db, "SELECT status FROM slips WHERE number = :n", n=c) in (
        "submitted", "approved")
    head = {r[0]: r[1] for r in map(cells_of, rma(db, "slip", "show", b).stdout.splitlines())
            if len(r) == 2}
    assert (head["单号"], head["门店"]) == (b, "main")


def test_import_sales_into_a_shop(chain: Shop, tmp_path: Path) -> None:
    db = chain.db
    f = tmp_path / "s.csv"
    f.write_text("order,sold_at,channel,customer_phone,sku,qty,unit_price\n"
                 "E-100,2026-11-21,store,,P1,2,19\n"
                 "E-101,2026-11-21,store,13800000001,P1,1,19\n", encoding="utf-8")
    refused(db, "import", "sales", str(f), says="--shop")
    refused(db, "import", "sales", str(f), "--shop", "west", says="west")
    refused(db, "import", "sales", str(f), "--shop", "main", user="clerk_e", says="clerk_e")
    r = rma(db, "import", "sales", str(f), "--shop", "east")
    assert lines(r) == ["【门店 east】已从 s.csv 导入 2 条"]
    assert sql(db, "SELECT order_no, shop FROM sales WHERE order_no LIKE 'E-%' ORDER BY 1") \
        == [("E-100", "east"), ("E-101", "east")]
    assert sql(db, """SELECT DISTINCT l.shop FROM sale_lines l JOIN sales s ON s.id = l.sale_id
                      WHERE s.order_no LIKE 'E-%'""") == [("east",)]
    # The goods left east's shelf (4 - 3), not main's.
    assert (level(db, "P1", "east"), level(db, "P1", "main")) == (1, 7)
    # A shop's clerk imports into their own shop without naming it.
    f.write_text("order,sold_at,channel,sku,qty,unit_price\nE-102,2026-11-22,store,P1,1,19\n",
                 encoding="utf-8")
    rma(db, "import", "sales", str(f), user="clerk_e")
    assert sql(db, "SELECT shop FROM sales WHERE order_no = 'E-102'") == [("east",)]
    assert (level(db, "P1", "east"), level(db, "P1", "main")) == (0, 7)
    # Products and customers are the chain's: --shop there is a usage error (exit 2).
    before = dump(db)
    p = tmp_path / "p.csv"
    p.write_text("sku,name,price,cost\nP9,新品,10,5\n", encoding="utf-8")
    r = rma(db, "import", "products", str(p), "--shop", "east", code=2)
    assert "--shop 只用于导入销售单" in r.stderr
    assert dump(db) == before


# ---------------------------------------------------------------------------------------
# --shop on the reads: a shop's clerk sees their shop only
# ---------------------------------------------------------------------------------------


def test_a_shops_clerk_sees_only_their_shop(chain: Shop) -> None:
    db = chain.db
    a = sv.create_slip(db, "clerk", "SO-1", "return", [L("P1", 1, "quality")])
    b = sv.create_slip(db, "clerk_e", "SO-E1", "return", [L("P1", 1, "quality")])

    def numbers(*args: str, user: str) -> list[tuple[str, str]]:
        rows = json.loads(rma(db, "slip", "list", "--json", *args, user=user).stdout)
        return [(r["number"], r["shop"]) for r in rows]

    assert numbers(user="clerk_e") == [(b.number, "east")]
    assert numbers("--shop", "east", user="clerk_e") == [(b.number, "east")]
    assert numbers(user="clerk") == [(b.number, "east"), (a.number, "main")]
    assert numbers("--shop", "main", user="clerk") == [(a.number, "main")]
    refused(db, "slip", "list", "--shop", "main", user="clerk_e",
            says="用户 clerk_e 属于门店 east，不能在门店 main 操作或查看")
    # The table has a shop column once there are two shops.
    rows = [c for c in map(cells_of, rma(db, "slip", "list", user="clerk").stdout
                           .splitlines()) if c]
    assert [r[:3] for r in rows] == [["单号", "门店", "类型"], [b.number, "east", "退货"],
                                     [a.number, "main", "退货"]]
    text = rma(db, "slip", "list", user="clerk_e").stdout
    assert b.number in text and a.number not in text

    # Stock: a shop's own; a chain-wide user sees the chain's sum unless they name a shop.
    def p1(*args: str, user: str) -> dict[str, object]:
        rows = json.loads(rma(db, "stock", "--json", *args, user=user).stdout)
        return next(r for r in rows if r["sku"] == "P1")

    assert (p1(user="clerk_e")["sellable"], p1(user="clerk_e")["shop"]) == (4, "east")
    assert (p1(user="owner")["sellable"], p1(user="owner")["shop"]) == (11, None)
    assert p1("--shop", "main", user="owner")["sellable"] == 7
    refused(db, "stock", "--shop", "main", user="clerk_e", says="clerk_e")
    assert lines(rma(db, "stock", user="owner"))[0] == "全部门店合计库存"
    assert lines(rma(db, "stock", user="clerk_e"))[0] == "门店 east 的库存"
    assert lines(rma(db, "--lang", "en", "stock", "--shop", "main"))[0] == "Stock of shop main"


def test_alerts_belong_to_a_shop(chain: Shop) -> None:
    db = chain.db
    # main's P1 goes from 7 to 3, its reorder point: low in main only.
    sv.transfer_stock(db, "owner", "P1", 4, "main", "east")
    assert lines(rma(db, "alerts", user="clerk_e")) == ["暂无低库存商品"]
    rma(db, "alerts", "--fail-on-alert", user="clerk_e")  # east: nothing low, exit 0
    rma(db, "alerts", "--fail-on-alert", code=1)           # the chain: main is low
    data = json.loads(rma(db, "alerts", "--json").stdout)
    assert [(a["shop"], a["sku"], a["sellable"]) for a in data] == [("main", "P1", 3)]
    assert json.loads(rma(db, "alerts", "--json", "--shop", "east").stdout) == []
    rows = [c for c in map(cells_of, rma(db, "alerts").stdout.splitlines()) if c]
    assert [r[:5] for r in rows] == [["门店", "商品编码", "品名", "可售", "补货点"],
                                     ["main", "P1", "Type-C 数据线", "3", "3"]]
    refused(db, "alerts", "--shop", "main", user="ware_e", says="ware_e")


def test_help_names_the_shop_options() -> None:
    from cli_helpers import rma as bare

    assert "门店" in bare("shop", "--help").stdout and "--json" in bare(
        "shop", "list", "--help").stdout
    assert "调拨" in bare("transfer", "--help").stdout
    for cmd in (("purchase",), ("adjust",), ("defective", "repair"), ("defective", "scrap"),
                ("supplier-return",), ("slip", "create"), ("slip", "list"), ("stock",),
                ("alerts",), ("import",), ("user", "add")):
        assert "--shop" in bare(*cmd, "--help").stdout, cmd
    assert "--shop" not in bare("reorder", "--help").stdout


def test_stock_ledger_and_supplier_returns_by_shop(chain: Shop) -> None:
    db = chain.db
    sv.transfer_stock(db, "owner", "P1", 3, "main", "east")
    sv.adjust_stock(db, "ware_e", "P1", "defective", 1, "盘点")
    sv.return_to_supplier(db, "ware_e", "P1", 1, supplier="惠州线材")

    def moves(*args: str, user: str) -> list[tuple[str, str, int]]:
        rows = json.loads(rma(db, "stock-ledger", "P1", "--json", *args, user=user).stdout)
        return sorted((r["shop"], r["kind"], r["qty"]) for r in rows)

    east = [("east", "adjust", 1), ("east", "purchase", 6), ("east", "sale", -2),
            ("east", "supplier_return", -1), ("east", "transfer_in", 3)]
    main = [("main", "purchase", 10), ("main", "sale", -3), ("main", "transfer_out", -3)]
    assert moves(user="ware_e") == east
    assert moves("--shop", "main", user="owner") == main
    assert moves(user="owner") == sorted(east + main)
    refused(db, "stock-ledger", "P1", "--shop", "main", user="ware_e", says="ware_e")
    rows = [c for c in map(cells_of, rma(db, "stock-ledger", "P1", "--shop", "main")
                           .stdout.splitlines()) if c]
    assert rows[0][:3] == ["时间", "门店", "类型"]
    assert {r[1] for r in rows[1:]} == {"main"} and len(rows) == 4
    # Supplier returns: east's only; main has none.
    sums = json.loads(rma(db, "supplier-returns", "--json", user="ware_e").stdout)
    assert [(s["supplier"], s["units"]) for s in sums] == [("惠州线材", 1)]
    assert json.loads(rma(db, "supplier-returns", "--json", "--shop", "main").stdout) == []
    assert lines(rma(db, "supplier-returns", "--supplier", "惠州线材", "--shop", "main")) == [
        "没有退供应商记录"]
    one_ = json.loads(rma(db, "supplier-returns", "--supplier", "惠州线材", "--json",
                          user="ware_e").stdout)
    assert [(r["sku"], r["qty"]) for r in one_] == [("P1", 1)]
    refused(db, "supplier-returns", "--shop", "main", user="ware_e", says="ware_e")


def test_shop_rename(db: Database) -> None:
    make_shop(db)
    r = rma_on(db, "shop", "rename", "main", "总店", user="owner")
    assert r.stdout.strip() == "门店 main 已改名为 总店"
    r = rma_on(db, "shop", "list", "--json", user="owner")
    assert [s["name"] for s in json.loads(r.stdout)["shops"]] == ["总店"]
    r = rma_on(db, "shop", "rename", "west", "x", user="owner", code=1)
    assert "west" in r.stderr
