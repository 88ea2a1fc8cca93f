"""Platforms' after-sale export files read through their column maps (no database)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from rma_tui import platform_files as pf
from rma_tui.errors import DomainError
from rma_tui.imports import ImportRowError, read_rows
from rma_tui.platform_files import load_map, map_names, read_platform_file

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (refund_id, order, sku, qty, amount_fen, status, carrier, waybill, requested_at UTC,
#  channel) per sample file, in file order. The samples' times are Beijing time (+08:00).
EXPECTED: dict[tuple[str, str], list[tuple[object, ...]]] = {
    ("taobao_requests.csv", "taobao"): [
        ("186512000000000101", "3861200099999999999", "TB-TEE-01", 1, 5990, "requested",
         "", "", utc(2026, 11, 26, 1, 15), ""),
        ("186512000000000102", "3861200012345678902", "TB-MUG-02", 1, 3900, "agreed",
         "", "", utc(2026, 11, 26, 12, 30), ""),
        ("186512000000000103", "3861200012345678903", "TB-MUG-02", 2, 7800, "shipped",
         "中通快递", "75312345678901", utc(2026, 11, 27, 3, 2, 33), ""),
        ("186512000000000104", "3861200012345678901", "TB-TEE-01", 1, 5990, "shipped",
         "圆通速递", "YT7512345678901", utc(2026, 11, 27, 8, 45), ""),
        ("186512000000000105", "3861200012345678904", "TB-TEE-01", 1, 5990, "refunded",
         "", "", utc(2026, 11, 28, 2, 0), ""),
    ],
    ("taobao_api_requests.csv", "taobao"): [
        ("186512000000000201", "3861200012345678905", "TB-MUG-02", 1, 3900, "requested",
         "", "", utc(2026, 11, 27, 0, 30), ""),
        ("186512000000000202", "3861200012345678906", "TB-TEE-01", 1, 5990, "shipped",
         "韵达快递", "4312345678901", utc(2026, 11, 28, 5, 0), ""),
    ],
    ("jd_requests.xlsx", "jd"): [
        ("2098765401", "298765432101", "JD-EAR-01", 1, 19900, "shipped",
         "京东快递", "JDVA12345678901", utc(2026, 11, 26, 2, 20), ""),
        ("2098765402", "298765432102", "JD-PWR-02", 1, 12900, "requested",
         "", "", utc(2026, 11, 27, 11, 5), ""),
        ("2098765403", "298765432104", "JD-PWR-02", 1, 12900, "refunded",
         "", "", utc(2026, 11, 27, 1, 0), ""),
    ],
    ("pdd_requests.csv", "pdd"): [
        ("12345678901", "261121-123456789012345", "PDD-SOCK-01", 1, 1990, "requested",
         "", "", utc(2026, 11, 26, 6, 0), ""),
        ("12345678902", "261123-223456789012345", "PDD-TOWEL-02", 2, 5980, "shipped",
         "韵达快递", "4312345678902", utc(2026, 11, 27, 2, 30), ""),
    ],
    ("oms_requests.csv", "oms"): [
        ("DY-RF-20261126001", "6926112600123456789", "TB-MUG-02", 1, 3900, "requested",
         "", "", utc(2026, 11, 26, 7, 30), "douyin"),
        ("YZ-RF-20261127001", "E20261124123456789012", "PDD-TOWEL-02", 1, 2990, "shipped",
         "顺丰速运", "SF1234567890123", utc(2026, 11, 27, 3, 0), "youzan"),
    ],
}


def summary(rows: list) -> list[tuple[object, ...]]:
    return [(r.refund_id, r.order, r.sku, r.qty, r.amount_fen, r.status, r.carrier,
             r.waybill, r.requested_at, r.channel) for r in rows]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def sample_rows(name: str, encoding: str = "utf-8") -> list[list[str]]:
    text = (SAMPLES / name).read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline="")))


def row_error(excinfo: pytest.ExceptionInfo[ImportRowError]) -> tuple[int | None, str | None,
                                                                      str]:
    e = excinfo.value
    return e.line, e.column, e.cause.key


# ---------------------------------------------------------------------------------------
# The maps
# ---------------------------------------------------------------------------------------


def test_shipped_maps() -> None:
    assert {"jd", "oms", "pdd", "taobao"} <= set(map_names())
    tb = load_map("taobao")
    assert (tb.name, tb.channel, tb.name_zh) == ("taobao", "taobao", "淘宝/天猫")
    assert tb.timezone.utcoffset(None).total_seconds() == 8 * 3600
    assert tb.columns["tid"] == "order" and tb.columns["退款编号"] == "refund_id"
    assert tb.statuses["SUCCESS"] == "refunded" and tb.statuses["退款成功"] == "refunded"
    assert load_map("oms").channel == "online"
    assert Path(tb.source).parent == pf.MAP_DIR
    # The repository's data/platforms is the packaged folder.
    assert (SAMPLES.parent / "platforms").resolve() == pf.MAP_DIR.resolve()


def test_unknown_map() -> None:
    with pytest.raises(DomainError) as excinfo:
        load_map("kuaishou")
    e = excinfo.value
    assert e.key == "unknown_platform_map" and e.field == "platform"
    assert e.params["platform"] == "kuaishou" and "taobao" in e.params["known"]
    assert "kuaishou" in e.message("zh") and "kuaishou" in e.message("en")


@pytest.mark.parametrize(("text", "want"), [
    ("七天无理由退换货", "changed_mind"),  # exact
    ("大小/尺寸与商品描述不符", "size"),  # exact, before the contained 与商品描述不符
    ("颜色/图案/款式与商品描述不符", "not_as_described"),  # contained
    ("收到商品破损了", "damaged"),
    ("快递/物流一直未送到", "other"),
    ("", "other"),
])
def test_reasons_exact_then_contained(text: str, want: str) -> None:
    assert load_map("taobao").reason_of(text) == want


def test_own_map_folder_overrides_and_adds(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "maps"
    own.mkdir()
    text = (pf.MAP_DIR / "taobao.toml").read_text(encoding="utf-8")
    (own / "taobao.toml").write_text(text.replace('channel = "taobao"', 'channel = "tmall"'),
                                     encoding="utf-8")
    (own / "kuaishou.toml").write_text(
        'name_zh = "快手"\nname_en = "Kuaishou"\n[columns]\n"退款单号" = "refund_id"\n'
        '"订单号" = "order"\n"退款金额" = "amount"\n"状态" = "status"\n'
        '[statuses]\n"待处理" = "requested"\n', encoding="utf-8")
    monkeypatch.setenv("RMA_PLATFORM_MAPS", str(own))
    assert {"kuaishou", "taobao", "jd"} <= set(map_names())
    assert load_map("taobao").channel == "tmall"
    assert load_map("taobao").source == str(own / "taobao.toml")
    ks = load_map("kuaishou")
    assert (ks.channel, ks.name_zh) == ("kuaishou", "快手")  # channel defaults to the stem
    f = write_csv(tmp_path / "ks.csv", [["退款单号", "订单号", "退款金额", "状态"],
                                        ["KS1", "O1", "12.50", "待处理"]])
    got = read_platform_file(f, "kuaishou")
    assert (got.channel, summary(got.rows)) == (
        "kuaishou", [("KS1", "O1", "", 1, 1250, "requested", "", "", None, "")])


def test_own_map_folder_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RMA_PLATFORM_MAPS", str(tmp_path / "nope"))
    with pytest.raises(DomainError) as excinfo:
        map_names()
    assert excinfo.value.key == "platform_map_dir_missing"


GOOD_MAP = ('name_zh = "测试"\nname_en = "Test"\ntimezone = "+08:00"\n'
            '[columns]\n"编号" = "refund_id"\n[statuses]\n"成功" = "refunded"\n'
            '[reasons]\n"坏了" = "quality"\n')


@pytest.mark.parametrize(("old", "new", "key", "entry"), [
    ('"成功" = "refunded"', '"成功" = "paid"', "platform_map_bad_status", "成功"),
    ('"坏了" = "quality"', '"坏了" = "angry"', "platform_map_bad_reason", "坏了"),
    ('"编号" = "refund_id"', '"单价" = "price"', "platform_map_bad_field", "单价"),
    ('timezone = "+08:00"', 'timezone = "Beijing"', "platform_map_bad_timezone", "Beijing"),
    ("[columns]", "[column]", "platform_map_bad_entry", "column"),
    ('"编号" = "refund_id"', '"编号" = 3', "platform_map_bad_entry", "编号"),
    ('"编号" = "refund_id"', '"编号" = "refund_id', "platform_map_bad_toml", ""),
])
def test_bad_map_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str,
                         key: str, entry: str) -> None:
    assert old in GOOD_MAP
    own = tmp_path / "maps"
    own.mkdir()
    (own / "test.toml").write_text(GOOD_MAP, encoding="utf-8")
    monkeypatch.setenv("RMA_PLATFORM_MAPS", str(own))
    assert load_map("test").reasons == [("坏了", "quality")]
    (own / "test.toml").write_text(GOOD_MAP.replace(old, new), encoding="utf-8")
    with pytest.raises(DomainError) as excinfo:
        load_map("test")
    e = excinfo.value
    assert e.key == key and e.params["file"] == str(own / "test.toml")
    for lang in ("zh", "en"):
        msg = e.message(lang)
        assert "test.toml" in msg and entry in msg and "{" not in msg


# ---------------------------------------------------------------------------------------
# The samples
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "platform"), sorted(EXPECTED))
def test_sample_reads_as_expected(name: str, platform: str) -> None:
    got = read_platform_file(SAMPLES / name, platform)
    assert summary(got.rows) == EXPECTED[(name, platform)]
    assert got.platform == platform and got.file == name
    assert got.channel == load_map(platform).channel
    assert [r.line for r in got.rows] == list(range(2, 2 + len(got.rows)))
    for r in got.rows:
        assert r.requested_at is not None and r.requested_at.tzinfo is UTC
        assert r.modified_at is not None and r.modified_at >= r.requested_at


def test_console_sample_details() -> None:
    got = read_platform_file(SAMPLES / "taobao_requests.csv", "taobao")
    assert got.encoding == "gb18030"  # GBK found without being told
    first, shipped = got.rows[0], got.rows[2]
    assert (first.reason, first.reason_text) == ("changed_mind", "七天无理由退换货；买多了一件")
    assert first.platform_status == "买家已经申请退款，等待卖家同意"
    assert (first.suborder, first.buyer, first.goods_status) == (
        "3861200099999999919", "tb_lin***", "买家已收到货")
    assert (shipped.reason, shipped.modified_at) == ("quality", utc(2026, 11, 27, 10, 20))
    assert got.rows[4].reason == "other"  # 快递/物流一直未送到: nothing in the map


def test_console_sample_with_explicit_encoding() -> None:
    path = SAMPLES / "taobao_requests.csv"
    told = read_platform_file(path, "taobao", encoding="gbk")
    assert told.encoding == "gbk"
    assert told.rows == read_platform_file(path, "taobao").rows
    with pytest.raises(DomainError) as excinfo:
        read_platform_file(path, "taobao", encoding="utf-8")
    assert excinfo.value.key == "import_decode_failed"


def test_refunds_sample_for_reconciliation() -> None:
    got = read_platform_file(SAMPLES / "taobao_refunds.csv", "taobao", purpose="reconcile")
    assert [(r.refund_id, r.order, r.sku, r.qty, r.amount_fen, r.status, r.modified_at)
            for r in got.rows] == [
        ("186512000000000105", "3861200012345678904", "TB-TEE-01", 1, 5990, "refunded",
         utc(2026, 11, 28, 7, 20)),
        ("186512000000000103", "3861200012345678903", "TB-MUG-02", 2, 6800, "refunded",
         utc(2026, 11, 29, 2, 5)),
        ("186512000000000104", "3861200012345678901", "TB-TEE-01", 1, 5990, "refunded",
         utc(2026, 11, 29, 2, 6)),
    ]
    asked = {r.refund_id: r for r in
             read_platform_file(SAMPLES / "taobao_requests.csv", "taobao").rows}
    assert {asked[r.refund_id].status for r in got.rows} == {"shipped", "refunded"}
    differ = [(r.refund_id, asked[r.refund_id].amount_fen - r.amount_fen) for r in got.rows
              if asked[r.refund_id].amount_fen != r.amount_fen]
    assert differ == [("186512000000000103", 1000)]  # the one planted difference


def test_samples_agree_with_the_sales_sample() -> None:
    products = read_rows((SAMPLES / "products.csv").read_text(encoding="utf-8"),
                         "products", "products.csv")
    assert [r.values["sku"] for r in products] == [
        "TB-TEE-01", "TB-MUG-02", "JD-EAR-01", "JD-PWR-02", "PDD-SOCK-01", "PDD-TOWEL-02"]
    sales = read_rows((SAMPLES / "platform_sales.csv").read_text(encoding="utf-8"),
                      "sales", "platform_sales.csv")
    price = {(r.values["order"], r.values["sku"]): r.values["unit_price"] for r in sales}
    unknown = []
    for name, platform in EXPECTED:
        for r in read_platform_file(SAMPLES / name, platform).rows:
            if (r.order, r.sku) not in price:
                unknown.append(r.order)
                continue
            yuan = price[(r.order, r.sku)]
            assert r.amount_fen == r.qty * round(float(yuan) * 100), r.refund_id
    assert sorted(unknown) == ["3861200099999999999", "6926112600123456789",
                               "E20261124123456789012"]


# ---------------------------------------------------------------------------------------
# Layout variants (written to tmp_path)
# ---------------------------------------------------------------------------------------


def test_shuffled_and_extra_columns(tmp_path: Path) -> None:
    rows = sample_rows("taobao_api_requests.csv")
    order = list(reversed(range(len(rows[0]))))
    moved = [[r[i] for i in order] + [extra] for r, extra in
             zip(rows, ["Whatever", "x", "y"], strict=True)]
    path = write_csv(tmp_path / "moved.csv", moved)
    want = read_platform_file(SAMPLES / "taobao_api_requests.csv", "taobao").rows
    assert read_platform_file(path, "taobao").rows == want


def test_headers_case_blank_lines_and_excel_text(tmp_path: Path) -> None:
    text = ("\ufeffREFUND_ID,Tid,Refund_Fee,Status\n\n"
            '1001,="3861200012345678901",￥12.30,WAIT_SELLER_AGREE\n'
            ",,,\n"
            "1002,3861200012345678902,¥0.5,success\n\n")
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    got = read_platform_file(path, "taobao")
    assert [(r.refund_id, r.order, r.amount_fen, r.status, r.line) for r in got.rows] == [
        ("1001", "3861200012345678901", 1230, "requested", 3),
        ("1002", "3861200012345678902", 50, "refunded", 5),
    ]


def test_first_header_with_a_value_wins(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [
        ["退款编号", "订单编号", "退款金额", "退款状态", "购买数量", "退货数量", "物流单号",
         "退货物流单号"],
        ["1", "O1", "10", "退款成功", "3", "1", "", "YT1"],
        ["2", "O2", "10", "退款成功", "3", "", "ZT2", "YT2"],
    ])
    got = read_platform_file(path, "taobao").rows
    assert [(r.qty, r.waybill) for r in got] == [(1, "YT1"), (3, "ZT2")]


@pytest.mark.parametrize(("text", "want"), [
    ("2026-11-28 14:05:11", utc(2026, 11, 28, 6, 5, 11)),
    ("2026/11/28 14:05", utc(2026, 11, 28, 6, 5)),
    ("2026/1/5 8:05", utc(2026, 1, 5, 0, 5)),
    ("2026-11-28", utc(2026, 11, 27, 16, 0)),
    ("2026-11-28T14:05:11+08:00", utc(2026, 11, 28, 6, 5, 11)),
    ("2026-11-28T06:05:11Z", utc(2026, 11, 28, 6, 5, 11)),
    ("2026-11-28 14:05:11.250-0100", utc(2026, 11, 28, 15, 5, 11, 250000)),
])
def test_dates(tmp_path: Path, text: str, want: datetime) -> None:
    path = write_csv(tmp_path / "d.csv", [["refund_id", "tid", "refund_fee", "status",
                                           "created"], ["1", "O", "1", "SUCCESS", text]])
    assert read_platform_file(path, "taobao").rows[0].requested_at == want


def test_reconcile_without_status_or_order(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["退款编号", "退款金额"], ["R1", "5.00"]])
    got = read_platform_file(path, "taobao", purpose="reconcile").rows
    assert [(r.refund_id, r.order, r.status, r.platform_status, r.amount_fen)
            for r in got] == [("R1", "", "refunded", "", 500)]
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(path, "taobao")  # as requests it lacks the order and the status
    assert row_error(excinfo) == (1, "order", "import_missing_column")


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    read_platform_file(SAMPLES / "pdd_requests.csv", "pdd", progress=lambda d, t:
                       calls.append((d, t)))
    assert calls[-1] == (3, 3)


# ---------------------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------------------


def test_xlsx_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["服务单号", "订单号", "商家SKU", "申请数量", "退款金额", "服务单状态", "申请时间",
                  "其他"])
    sheet.append([3001, 298765432101, "TB-TEE-01", 2, 119.8, "待审核",
                  datetime(2026, 11, 28, 14, 5), "x"])
    sheet.append([])  # an empty row: the next one is the sheet's row 4
    sheet.append([3002, "298765432102", "TB-TEE-01", None, 59.9, "已完成", "2026-11-28", None])
    path = tmp_path / "jd.xlsx"
    book.save(path)
    got = read_platform_file(path, "jd")
    assert got.encoding == "xlsx"
    assert [(r.refund_id, r.order, r.qty, r.amount_fen, r.status, r.requested_at, r.line)
            for r in got.rows] == [
        ("3001", "298765432101", 2, 11980, "requested", utc(2026, 11, 28, 6, 5), 2),
        ("3002", "298765432102", 1, 5990, "refunded", utc(2026, 11, 27, 16, 0), 4),
    ]
    sheet.cell(row=4, column=5, value="5.999")
    book.save(path)
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(path, "jd")
    assert row_error(excinfo) == (4, "退款金额", "import_money_precision")


def test_damaged_xlsx_and_old_xls(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DomainError) as excinfo:
        read_platform_file(broken, "jd")
    assert excinfo.value.key == "platform_bad_xlsx"
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(DomainError) as excinfo:
        read_platform_file(old, "jd")
    assert excinfo.value.key == "platform_xls_unsupported"


# ---------------------------------------------------------------------------------------
# Malformed files: the whole file is refused, naming line and column
# ---------------------------------------------------------------------------------------

CONSOLE = [["退款编号", "订单编号", "商家编码", "退货数量", "退款金额", "退款状态", "申请时间"],
           ["R1", "O1", "TB-TEE-01", "1", "59.90", "退款成功", "2026-11-26 09:15:00"],
           ["R2", "O2", "TB-MUG-02", "2", "78.00", "卖家拒绝退款", "2026-11-27 11:02:33"]]


@pytest.mark.parametrize(("column", "value", "key"), [
    ("退款金额", "abc", "import_bad_money"),
    ("退款金额", "78.001", "import_money_precision"),
    ("退款金额", "-78.00", "money_negative"),
    ("退款金额", "", "required"),
    ("申请时间", "2026-13-01", "import_bad_date"),
    ("申请时间", "yesterday", "import_bad_date"),
    ("申请时间", "0001-01-01", "date_out_of_range"),
    ("退货数量", "0", "qty_positive"),
    ("退货数量", "1.5", "not_integer"),
    ("退款状态", "等待发货", "platform_unknown_status"),
    ("退款状态", "", "required"),
    ("退款编号", "", "required"),
    ("订单编号", "", "required"),
    ("商家编码", "TB\x00TEE", "bad_text"),
])
def test_bad_cell_refuses_the_file(tmp_path: Path, column: str, value: str, key: str) -> None:
    rows = [list(r) for r in CONSOLE]
    rows[2][rows[0].index(column)] = value
    path = write_csv(tmp_path / "bad.csv", rows, encoding="gbk")
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(path, "taobao")
    assert row_error(excinfo) == (3, column, key)
    e = excinfo.value
    assert e.file == "bad.csv"
    for lang in ("zh", "en"):
        assert "bad.csv" in e.message(lang) and "{" not in e.message(lang)


def test_unknown_status_lists_the_known_ones(tmp_path: Path) -> None:
    rows = [list(r) for r in CONSOLE]
    rows[1][5] = "WAIT_SOMETHING"
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(write_csv(tmp_path / "s.csv", rows), "taobao")
    assert "WAIT_SELLER_AGREE" in excinfo.value.cause.params["known"]
    assert "WAIT_SOMETHING" in excinfo.value.message("zh")


@pytest.mark.parametrize(("column", "field"), [
    ("退款金额", "amount"), ("退款编号", "refund_id"), ("订单编号", "order"),
    ("退款状态", "status"),
])
def test_missing_required_column(tmp_path: Path, column: str, field: str) -> None:
    at = CONSOLE[0].index(column)
    rows = [[v for i, v in enumerate(r) if i != at] for r in CONSOLE]
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(write_csv(tmp_path / "m.csv", rows), "taobao")
    assert row_error(excinfo) == (1, field, "import_missing_column")
    assert column in excinfo.value.cause.params["column"]  # the headers that would do


def test_duplicate_refund_id(tmp_path: Path) -> None:
    same = [*CONSOLE, list(CONSOLE[1])]
    got = read_platform_file(write_csv(tmp_path / "same.csv", same), "taobao").rows
    assert [r.refund_id for r in got] == ["R1", "R2"] and got[0].line == 2
    differ = [*CONSOLE, [*CONSOLE[1][:4], "49.90", *CONSOLE[1][5:]]]
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(write_csv(tmp_path / "differ.csv", differ), "taobao")
    assert row_error(excinfo) == (4, "退款编号", "platform_duplicate_refund")
    assert excinfo.value.cause.params == {"refund_id": "R1", "line": 2}


def test_duplicate_known_header(tmp_path: Path) -> None:
    rows = [[*r, r[4]] for r in CONSOLE]
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(write_csv(tmp_path / "h.csv", rows), "taobao")
    assert row_error(excinfo) == (1, "退款金额", "import_duplicate_column")


def test_broken_csv(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("退款编号,订单编号,退款金额,退款状态\nR1,O1,\"5.00,退款成功\n",
                    encoding="utf-8")
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(path, "taobao")
    assert row_error(excinfo) == (2, "退款金额", "import_bad_csv")
    path.write_text("退款编号,订单编号,退款金额,退款状态\nR1,O1,5,00,退款成功\n", encoding="utf-8")
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(path, "taobao")
    assert row_error(excinfo) == (2, "5", "import_too_many_fields")


def test_empty_file_bad_purpose_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ImportRowError) as excinfo:
        read_platform_file(empty, "taobao")
    assert row_error(excinfo) == (1, None, "import_empty")
    with pytest.raises(DomainError) as excinfo2:
        read_platform_file(SAMPLES / "pdd_requests.csv", "pdd", purpose="refunds")
    assert excinfo2.value.key == "bad_choice" and excinfo2.value.field == "purpose"
    with pytest.raises(DomainError) as excinfo2:
        read_platform_file(tmp_path / "nope.csv", "pdd")
    assert excinfo2.value.key == "import_cannot_read"


def test_header_only_gives_no_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", [CONSOLE[0]])
    assert read_platform_file(path, "taobao").rows == []


def test_shipped_samples_are_where_the_readme_says() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for path in SAMPLES.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, path.name
