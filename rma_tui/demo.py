"""A believable demo shop (演示数据): a phone-accessories and small-appliances store.

`build_demo` fills a freshly migrated, empty database through the public functions of
`rma_tui.service` only, so the demo obeys every rule a real shop does (I1-I7): users,
about 150 products, 400 customers, opening stock and restocking, twelve months of sales
(one bulk `record_sales` call for `small`; 50k-line chunks for `large`), then about 500
return/exchange slips spread over every state of the lifecycle, each step back-dated with
an explicit `now`.

Deterministic: one `random.Random(seed)` drives everything and every time is an offset
from `today` (UTC midnight), so the same seed on the same day gives the same database.
Slip numbers are made by the service from the local calendar day, so they also depend on
the machine's time zone.
"""

from __future__ import annotations

import bisect
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TypeVar

from rma_tui import service as sv
from rma_tui.errors import DomainError
from rma_tui.store.db import Database

Progress = Callable[[str, int, int], None]
T = TypeVar("T")

# The shop keeps Beijing time; the demo lays its days out in it.
SHOP_TZ = timezone(timedelta(hours=8))

SIZES = {"small": 6_000, "large": 1_000_000}  # sale lines
CHUNK_LINES = 50_000  # sale lines per `record_sales` call for big imports (bounded memory)

USERS = (("owner", "owner"), ("clerk", "clerk"), ("clerk2", "clerk"),
         ("warehouse", "warehouse"), ("finance", "finance"))
CLERKS = ("clerk", "clerk2")

# How many slips end in each state (about 500 in all).
SLIP_TARGETS: dict[str, int] = {
    "draft": 22, "submitted": 18, "approved": 25, "received": 20, "inspected": 20,
    "settled": 55, "closed": 255, "rejected": 40, "cancelled": 45,
}
# How old (days) the sale behind a slip ending in each state may be: open work is recent.
SLIP_AGES: dict[str, tuple[float, float]] = {
    "draft": (0.3, 4), "submitted": (2, 20), "approved": (1, 10), "received": (2, 12),
    "inspected": (3, 15), "settled": (4, 25), "closed": (12, 360), "rejected": (4, 360),
    "cancelled": (3, 360),
}
LOW_STOCK_PRODUCTS = 8

# ---------------------------------------------------------------------------------------
# Catalogue: category -> (popularity, suppliers, [(name, model, price in yuan)])
# ---------------------------------------------------------------------------------------

_PHONES = (("iPhone 15", "IP15"), ("iPhone 15 Pro", "IP15P"), ("iPhone 15 Pro Max", "IP15PM"),
           ("iPhone 14", "IP14"), ("iPhone 13", "IP13"), ("华为 Mate 60", "HWM60"),
           ("华为 P60", "HWP60"), ("小米 14", "MI14"), ("Redmi K70", "RMK70"),
           ("OPPO Reno11", "OPR11"), ("vivo X100", "VVX100"), ("荣耀 100", "HN100"))
_CASE_STYLES = (("透明防摔手机壳", "TPU", 29.9), ("磁吸手机壳", "MAG", 59.0),
                ("液态硅胶手机壳", "SIL", 39.9), ("皮革手机壳", "LTH", 79.0))
_FILM_STYLES = (("高清钢化膜 (2片装)", "HD", 19.9), ("防窥钢化膜", "PV", 29.9),
                ("镜头保护膜", "LENS", 15.9), ("水凝膜 (3片装)", "HG", 12.9))


CATALOG: dict[str, tuple[float, tuple[str, ...], list[tuple[str, str, float]]]] = {
    "数据线": (3.0, ("深圳市讯达电子有限公司", "东莞市联线科技有限公司"), [
        ("Type-C 快充数据线 1米", "TC-100", 19.9), ("Type-C 快充数据线 2米", "TC-200", 25.9),
        ("Type-C 快充数据线 3米", "TC-300", 32.9), ("Lightning 数据线 1米", "LT-100", 29.9),
        ("Lightning 编织数据线 2米", "LT-200B", 39.9), ("三合一数据线 1.2米", "3IN1-120", 35.9),
        ("USB-A 转 Type-C 数据线 1米", "AC-100", 15.9),
        ("Type-C 转 Type-C 60W 数据线 1米", "CC-60", 29.9),
        ("Type-C 转 Type-C 100W 数据线 2米", "CC-100W", 49.9),
        ("磁吸充电线 1米", "MG-100", 39.9), ("弯头游戏数据线 1.5米", "GM-150", 32.9),
        ("伸缩三合一数据线", "RT-3IN1", 45.9), ("苹果 PD 快充线 1米", "PD-LT1", 35.9),
        ("车载短数据线 0.3米", "CAR-030", 12.9), ("Micro USB 数据线 1米", "MU-100", 9.9),
        ("240W 编织快充线 1米", "CC-240", 59.9), ("Type-C 转 Lightning 快充线 2米", "CL-200", 45.9),
        ("液态硅胶数据线 1米", "LS-100", 29.9), ("USB-A 转 Lightning 数据线 1米", "AL-100", 19.9),
        ("Type-C 转 3.5mm 音频转接线", "TC-AUX", 19.9),
    ]),
    "充电器": (2.5, ("深圳市捷充科技有限公司", "东莞市氮芯电子有限公司"), [
        ("20W PD 快充充电器", "PD20", 49.9), ("33W 氮化镓充电器", "GaN33", 79.9),
        ("65W 氮化镓充电器 双口", "GaN65", 129.0), ("100W 氮化镓充电器 三口", "GaN100", 219.0),
        ("120W 超级快充充电头", "SF120", 159.0), ("18W QC3.0 充电器", "QC18", 39.9),
        ("车载充电器 双口 38W", "CAR38", 59.9), ("无线充电板 15W", "WL15", 69.9),
        ("三合一无线充电座", "WL3IN1", 199.0), ("磁吸无线充电器 15W", "MS15", 129.0),
        ("多口 USB 充电站 6口", "HUB6", 149.0), ("折叠插脚 30W 充电器", "GaN30F", 89.9),
        ("桌面充电插座 带USB", "DESK-USB", 99.0), ("手表磁吸充电器", "WCH-01", 39.9),
        ("旅行转换插头 全球通用", "TRV-01", 79.9), ("45W 超级快充充电器", "SF45", 99.0),
        ("迷你 25W 充电器", "PD25M", 59.9), ("20W 快充套装 (充电器+数据线)", "PD20-SET", 69.9),
    ]),
    "耳机": (1.5, ("深圳市声悦电子有限公司", "惠州市音迈科技有限公司"), [
        ("蓝牙耳机 Pro", "BT-PRO", 299.0), ("蓝牙耳机 Lite", "BT-LITE", 129.0),
        ("降噪蓝牙耳机 ANC", "ANC-X1", 399.0), ("运动挂耳式蓝牙耳机", "SPT-02", 159.0),
        ("骨传导耳机", "BC-01", 459.0), ("有线耳机 Type-C 接口", "W-TC", 39.9),
        ("有线耳机 3.5mm", "W-35", 29.9), ("头戴式蓝牙耳机", "HD-700", 259.0),
        ("游戏低延迟蓝牙耳机", "GM-X", 199.0), ("开放式不入耳耳机", "OWS-1", 329.0),
        ("儿童头戴耳机", "KID-01", 89.0), ("颈挂式蓝牙耳机", "NK-05", 119.0),
        ("半入耳蓝牙耳机", "HI-3", 169.0), ("入耳式降噪耳机 2代", "ANC-X2", 499.0),
        ("蓝牙耳机 耳帽套装", "TIPS-3", 19.9), ("电竞有线耳机 带麦", "GM-W", 79.0),
        ("睡眠耳机 超小", "SLP-1", 139.0), ("蓝牙耳机 充电仓 (单配)", "BT-CASE", 99.0),
    ]),
    "手机壳": (3.0, ("广州市壳艺塑胶制品有限公司", "深圳市美护科技有限公司"), [
        (f"{style} {phone}", f"{code}-{pc}", price)
        for i, (phone, pc) in enumerate(_PHONES)
        for j, (style, code, price) in enumerate(_CASE_STYLES) if (i + j) % 2 == 0
    ]),
    "贴膜": (3.0, ("深圳市晶盾光学材料有限公司",), [
        (f"{style.split(' ')[0]} {phone}{' ' + style.split(' ')[1] if ' ' in style else ''}",
         f"{code}-{pc}", price)
        for i, (phone, pc) in enumerate(_PHONES)
        for j, (style, code, price) in enumerate(_FILM_STYLES) if (i + j) % 3 == 0
    ]),
    "移动电源": (1.5, ("深圳市能量方块科技有限公司", "东莞市电芯动力科技有限公司"), [
        ("10000mAh 移动电源 22.5W", "PB10", 99.0), ("20000mAh 移动电源 PD快充", "PB20", 149.0),
        ("磁吸移动电源 5000mAh", "MPB5", 129.0), ("自带线移动电源 10000mAh", "PB10C", 109.0),
        ("迷你胶囊充电宝 5000mAh", "CAP5", 69.0), ("户外移动电源 30000mAh", "PB30", 229.0),
        ("笔记本移动电源 65W 20000mAh", "PB20L", 299.0), ("三合一移动电源 带支架", "PB3", 139.0),
        ("超薄移动电源 10000mAh", "PB10S", 119.0), ("磁吸无线移动电源 10000mAh", "MPB10", 199.0),
        ("数显快充移动电源 20000mAh", "PB20D", 169.0), ("小巧充电宝 3000mAh", "PB3K", 39.9),
        ("20000mAh 移动电源 自带双线", "PB20C", 139.0), ("户外储能电源 300W", "PS-300", 1299.0),
    ]),
    "小家电": (1.0, ("宁波市美居小家电有限公司", "佛山市顺德区优品电器有限公司"), [
        ("迷你加湿器", "HM-01", 59.0), ("小米同款 电动牙刷", "ET-01", 129.0),
        ("便携榨汁杯", "JC-01", 99.0), ("USB 小风扇 桌面款", "FAN-D", 39.9),
        ("挂脖风扇", "FAN-N", 79.0), ("电动剃须刀", "SH-02", 159.0),
        ("冲牙器 便携款", "WF-01", 199.0), ("暖手宝 充电款", "HW-01", 69.0),
        ("LED 护眼台灯", "LMP-1", 129.0), ("电热水杯 便携", "CUP-1", 89.0),
        ("扫地机器人 入门款", "RB-1", 899.0), ("吹风机 负离子 1800W", "HD-18", 169.0),
        ("小型空气净化器", "AP-1", 399.0), ("迷你筋膜枪", "MG-1", 229.0),
        ("香薰机 静音", "AR-1", 79.0), ("电子体重秤", "SC-1", 59.0),
        ("卷发棒 32mm", "CL-32", 99.0), ("蓝牙音箱 便携防水", "SPK-1", 149.0),
        ("电动牙刷替换刷头 (4支装)", "ET-H4", 39.9), ("桌面迷你冰箱 4L", "FRG-4", 299.0),
    ]),
    "智能穿戴": (0.6, ("深圳市智穿戴科技有限公司",), [
        ("智能手环 8", "BAND8", 229.0), ("智能手表 GT", "WT-GT", 899.0),
        ("儿童电话手表", "KW-4", 399.0), ("智能手表 运动版", "WT-SP", 599.0),
        ("手环替换腕带", "STRAP-1", 29.9), ("手表钢化膜 (2片)", "WFILM", 15.9),
        ("智能戒指", "RING-1", 699.0), ("手表磁吸表带", "STRAP-M", 59.0),
        ("蓝牙防丢器", "TAG-1", 79.0), ("智能手环 NFC 版", "BAND8N", 269.0),
    ]),
    "定制": (0.4, ("义乌市刻印礼品有限公司",), [
        ("定制刻字手机壳 iPhone 15", "CUS-IP15", 69.0),
        ("定制照片手机壳 华为 Mate 60", "CUS-M60", 69.0),
        ("定制刻字充电宝 10000mAh", "CUS-PB10", 129.0), ("定制名字数据线", "CUS-TC", 39.9),
    ]),
    "数码卡券": (0.5, ("杭州云兑信息技术有限公司",), [
        ("视频会员年卡 兑换码", "VIP-12", 198.0), ("音乐会员季卡 兑换码", "MUS-3", 45.0),
        ("云盘会员年卡 兑换码", "CLD-12", 149.0),
    ]),
    "食品": (0.5, ("上海优选食品贸易有限公司",), [
        ("进口坚果礼盒", "FOOD-NUT", 128.0), ("功能饮料 24罐", "FOOD-DRK", 96.0),
        ("手工巧克力礼盒", "FOOD-CHO", 88.0),
    ]),
}
# Categories a customer cannot return without a fault (see data/policies.toml).
SPECIAL = ("定制", "数码卡券", "食品")
CHEAP_CATEGORIES = ("数据线", "手机壳", "贴膜", "充电器")

# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘"
             "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
             "薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳")
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
          "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "浩", "宇", "欣怡", "子轩",
          "梓涵", "一诺", "思远", "佳怡", "俊杰", "雨桐", "晨", "博文", "婷", "鑫", "雪",
          "琳", "颖", "凯", "帆", "慧", "丹", "鹏", "飞", "建华", "志强", "海燕", "春梅",
          "晓东", "文静", "子豪", "诗涵", "宇航", "嘉怡", "振华", "国强", "玉兰", "美玲",
          "家豪", "晓明", "丽娟", "秋月", "天佑", "若曦", "浩然", "梦琪", "建国", "红梅")
_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                    "151", "152", "153", "155", "156", "157", "158", "159", "180", "181",
                    "182", "183", "185", "186", "187", "188", "189")

# ---------------------------------------------------------------------------------------
# Slip vocabulary (Chinese, as a clerk would type it)
# ---------------------------------------------------------------------------------------

REASON_TEXTS: dict[str, tuple[str, ...]] = {
    "quality": ("充电时断时续", "左耳没有声音", "无法开机", "充不进电", "蓝牙频繁断连",
                "接口松动接触不良", "使用两天出现异响", "发热严重", "续航明显不足",
                "按键失灵", "屏幕触控失灵", "指示灯不亮"),
    "size": ("手机型号买错了", "壳子偏大不贴合", "表带太短", "膜尺寸不对，盖不住边",
             "线太短不够用", "想换大一号"),
    "changed_mind": ("不想要了", "家里已有同款", "买多了", "七天无理由退货", "颜色不喜欢",
                     "送人不合适"),
    "not_as_described": ("与详情页描述不符", "实际功率达不到标称", "颜色与图片差异大",
                         "不支持快充协议", "容量与标称不符"),
    "damaged": ("快递外包装破损，商品有裂痕", "收到时外壳碎裂", "表面有明显划痕",
                "包装内进水受潮"),
    "wrong_item": ("发错颜色", "发错型号", "少发配件", "发成了旧款"),
    "other": ("赠品缺失", "重复下单", "顾客要求重新开票", "其他原因"),
}
RETURN_REASONS = (("quality", 30), ("changed_mind", 22), ("size", 12), ("not_as_described", 12),
                  ("damaged", 9), ("wrong_item", 7), ("other", 8))
EXCHANGE_REASONS = (("quality", 48), ("size", 28), ("wrong_item", 9), ("not_as_described", 5),
                    ("damaged", 10))
OVERRIDE_REASONS: dict[str, tuple[str, ...]] = {
    "window": ("质量问题属实，超期几天，老顾客特批", "顾客出差回来才来办理，同意受理",
               "厂家同意延保处理"),
    "amount": ("金额超过自动审批额度，已核实发票与商品", "高价商品，已当面检查确认",
               "已核对订单与付款记录，同意"),
    "excluded_category": ("刻字内容错误系本店原因，同意退换", "商品未拆封，特殊同意"),
    "condition": ("包装轻微破损，不影响二次销售", "外包装已拆，配件齐全，同意"),
    "original_sale": ("已核对付款记录",),
}
REJECT_REASONS: dict[str, tuple[str, ...]] = {
    "window": ("已超过无理由退货期限", "超过三包退换期限，建议走厂家保修"),
    "amount": ("发票缺失，金额较大无法核实", "经检测无质量问题，不予退货"),
    "excluded_category": ("该类商品不支持无理由退货",),
    "condition": ("商品已拆封使用，影响二次销售", "包装及配件不全，不予退货"),
    "original_sale": ("无购买凭证",),
}
CANCEL_REASONS = ("顾客不退了", "顾客改为维修", "重复开单", "顾客未按约定寄回商品",
                  "顾客选择换购其他商品", "录入错误，重新开单")
FEEDBACK: dict[int, tuple[str, ...]] = {
    5: ("处理很快，服务态度好", "退款秒到账，满意", "店员很耐心，下次还来", "换货很顺利，点赞",
        "非常满意", "全程没让我多跑一趟"),
    4: ("整体不错，就是等得有点久", "处理及时，满意", "换的新品没问题", "服务还可以"),
    3: ("一般，流程有点繁琐", "退款到账慢了点", "要填的东西太多"),
    2: ("等了好几天才处理", "手续费有点不合理", "沟通不太顺畅"),
    1: ("体验很差，来回跑了三趟", "态度不好", "退款拖了很久"),
}
SCORES = ((5, 46), (4, 30), (3, 12), (2, 7), (1, 5))


@dataclass
class DemoSummary:
    """What `build_demo` made: counts per kind, slips per state and how long it took."""

    seed: int
    size: str
    users: int = 0
    products: int = 0
    customers: int = 0
    purchases: int = 0
    sales: int = 0
    sale_lines: int = 0
    slips: int = 0
    slips_by_status: dict[str, int] = field(default_factory=dict)
    slips_skipped: int = 0
    overrides: int = 0
    feedback: int = 0
    supplier_returns: int = 0
    repairs: int = 0
    follow_ups_done: int = 0
    days_closed: int = 0
    low_stock: int = 0
    seconds: float = 0.0


@dataclass
class _Product:
    sku: str
    name: str
    category: str
    price: int
    cost: int
    reorder_point: int
    weight: float
    low: bool = False


@dataclass
class _Line:
    """A sale line as the slip planner sees it."""

    at: datetime
    order: str
    channel: str
    has_customer: bool
    product: int  # index into the product list
    qty: int
    price: int  # net unit price paid


@dataclass
class _Slip:
    """A planned slip: what it is, the state it should end in and its dated steps."""

    target: str
    type: str
    order: str
    channel: str
    has_customer: bool
    lines: list[sv.LineInput]
    creator: str
    steps: list[tuple[datetime, str]]
    grades: list[sv.GradeInput] = field(default_factory=list)
    method: str = "original"
    decision: str = "approve"
    reviewer: str = "owner"
    cancel_by: str = "clerk"
    cancel_reason: str = ""
    score: int = 0
    comment: str = ""
    number: str | None = None
    failed: list[sv.RuleResult] | None = None  # the rules it failed at submission
    dead: bool = False


def _pick(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    """One key of (key, weight) pairs, drawn by weight."""
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def _ean13(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "69" + "".join(str(rng.randrange(10)) for _ in range(10))
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
        code = body + str((10 - total % 10) % 10)
        if code not in used:
            used.add(code)
            return code


def _make_products(rng: random.Random) -> list[_Product]:
    out: list[_Product] = []
    for category, (popularity, _suppliers, items) in CATALOG.items():
        for name, _model, yuan in items:
            price = int(round(yuan * 100))
            cost = int(round(price * rng.uniform(0.45, 0.70) / 10)) * 10
            cheap = price < 5000
            rp = rng.randint(8, 20) if cheap else rng.randint(3, 10)
            # Cheap, everyday things sell more; each product gets its own luck.
            weight = popularity * rng.lognormvariate(0, 0.5) / math.sqrt(max(price, 1000) / 5000)
            sku = f"PA-{len(out) + 1:04d}"
            out.append(_Product(sku, name, category, price, cost, rp, weight))
    return out


def _make_customers(rng: random.Random, n: int = 400) -> list[sv.CustomerInput]:
    phones: set[str] = set()
    out: list[sv.CustomerInput] = []
    while len(out) < n:
        phone = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone in phones:
            continue
        phones.add(phone)
        surname = "欧阳" if rng.random() < 0.01 else rng.choice(_SURNAMES[:-2])
        name = surname + rng.choice(_GIVEN)
        out.append(sv.CustomerInput(name, phone, "online" if rng.random() < 0.4 else "store"))
    return out


def _day_weight(d: datetime) -> float:
    """Seasonality: weekends, 618, Double 11, the year end; a dip at Spring Festival."""
    w = 1.3 if d.weekday() >= 5 else 1.0
    if d.month == 11 and 1 <= d.day <= 12:
        w *= 2.2 if d.day in (10, 11) else 1.4
    elif d.month == 6 and 1 <= d.day <= 18:
        w *= 1.8 if d.day in (17, 18) else 1.3
    elif d.month == 12:
        w *= 1.2
    elif (d.month == 1 and d.day >= 25) or (d.month == 2 and d.day <= 12):
        w *= 0.6
    elif d.month == 9 and d.day <= 10:
        w *= 1.2  # back to school
    return w


# ---------------------------------------------------------------------------------------
# Sales
# ---------------------------------------------------------------------------------------


class _SalesGen:
    """Twelve months of orders, day by day, yielded in chunks of about `chunk` lines."""

    def __init__(self, rng: random.Random, products: list[_Product],
                 customers: list[sv.CustomerInput], today: datetime, lines: int) -> None:
        self.rng = rng
        self.products = products
        self.customers = customers
        self.today = today
        self.target_lines = lines
        self.cum_weights = list(_accumulate([p.weight for p in products]))
        cust_w = [rng.lognormvariate(0, 1.0) for _ in customers]
        self.by_channel = {
            ch: ([c.phone for c, w in zip(customers, cust_w, strict=True) if c.channel == ch],
                 list(_accumulate([w for c, w in zip(customers, cust_w, strict=True)
                                   if c.channel == ch])))
            for ch in sv.CHANNELS
        }
        last_day = (today.astimezone(SHOP_TZ) - timedelta(days=1)).date()
        self.days = [last_day - timedelta(days=365 - 1 - i) for i in range(365)]
        weights = [_day_weight(datetime(d.year, d.month, d.day)) for d in self.days]
        mean_lines = 1.85  # measured: 1.88 drawn, a few repeats of one product merged away
        orders = lines / mean_lines
        total_w = sum(weights)
        self.orders_per_day = [orders * w / total_w for w in weights]

    def first_day_start(self) -> datetime:
        d = self.days[0]
        return datetime(d.year, d.month, d.day, tzinfo=SHOP_TZ).astimezone(UTC)

    def chunks(self, chunk: int) -> Iterator[list[sv.SaleInput]]:
        """The year's orders in time order, in lists of at least `chunk` lines (the last
        list may be shorter)."""
        rng = self.rng
        buf: list[sv.SaleInput] = []
        buf_lines = 0
        carry = 0.0
        for n_day, d in enumerate(self.days):
            carry += self.orders_per_day[n_day]
            n = int(carry)
            carry -= n
            start = datetime(d.year, d.month, d.day, tzinfo=SHOP_TZ)
            seqs = {"SO": 0, "TB": 0, "JD": 0}
            times = sorted(self._time_of_day(rng) for _ in range(n))
            for secs, online in times:
                sale = self._order(rng, start + timedelta(seconds=secs), online, d, seqs)
                buf.append(sale)
                buf_lines += len(sale.lines)
                if buf_lines >= chunk:
                    yield buf
                    buf, buf_lines = [], 0
        if buf:
            yield buf

    @staticmethod
    def _time_of_day(rng: random.Random) -> tuple[float, bool]:
        online = rng.random() < 0.42
        if online:  # around the clock, evenings busiest
            hour = rng.choice((rng.uniform(0, 24), rng.uniform(19, 23.9), rng.uniform(9, 23.9)))
        else:  # the counter is open 10:00-21:30
            hour = rng.uniform(10, 21.5)
        return hour * 3600, online

    def _order(self, rng: random.Random, at: datetime, online: bool, day: date,
               seqs: dict[str, int]) -> sv.SaleInput:
        ymd = day.strftime("%Y%m%d")
        if online:
            platform = "TB" if rng.random() < 0.65 else "JD"
            seqs[platform] += 1
            if platform == "TB":
                order = f"TB{ymd}{rng.randrange(1000, 10000)}{seqs['TB']:05d}"
            else:
                order = f"JD{ymd[2:]}{rng.randrange(10, 100)}{seqs['JD']:05d}"
            channel = "online"
            method = _pick(rng, (("alipay", 58), ("wechat", 36), ("card", 6)))
            phones, cum = self.by_channel["online" if rng.random() < 0.85 else "store"]
            phone: str | None = rng.choices(phones, cum_weights=cum)[0]
        else:
            seqs["SO"] += 1
            order = f"SO{ymd}-{seqs['SO']:04d}"
            channel = "store"
            method = _pick(rng, (("wechat", 45), ("alipay", 28), ("cash", 16), ("card", 11)))
            if rng.random() < 0.78:
                phones, cum = (self.by_channel["store"] if rng.random() < 0.85
                               else self.by_channel["online"])
                phone = rng.choices(phones, cum_weights=cum)[0]
            else:
                phone = None
        n_lines = _pick(rng, ((1, 50), (2, 25), (3, 15), (4, 7), (5, 3)))
        idx = set()
        lines = []
        for _ in range(n_lines):
            i = rng.choices(range(len(self.products)), cum_weights=self.cum_weights)[0]
            if i in idx:
                continue
            idx.add(i)
            p = self.products[i]
            cheap = p.price < 5000
            if cheap:
                qty = _pick(rng, ((1, 80), (2, 15), (3, 5)))
            else:
                qty = 2 if rng.random() < 0.05 else 1
            r = rng.random()
            big_day = day.month in (6, 11) and day.day <= 18
            if r < (0.25 if big_day else 0.12):
                price = (p.price * 90 + 50) // 100
            elif r < (0.45 if big_day else 0.25):
                price = (p.price * 95 + 50) // 100
            else:
                price = p.price
            lines.append(sv.SaleLineInput(p.sku, qty, price))
        return sv.SaleInput(order, channel, at.astimezone(UTC), lines, customer_phone=phone,
                            payment_method=method)


def _open_hours(t: datetime, rng: random.Random) -> datetime:
    """The same moment if the shop is open (09:00-21:30 Beijing time), else soon after the
    next opening; whole seconds."""
    local = t.astimezone(SHOP_TZ)
    opening = local.replace(hour=9, minute=0, second=0, microsecond=0)
    if local.hour >= 21 and (local.hour, local.minute) >= (21, 30):
        local = opening + timedelta(days=1, minutes=rng.uniform(0, 360))
    elif local < opening:
        local = opening + timedelta(minutes=rng.uniform(0, 360))
    return local.replace(microsecond=0).astimezone(UTC)


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


# ---------------------------------------------------------------------------------------
# Slip planning
# ---------------------------------------------------------------------------------------


class _Planner:
    """Chooses sale lines and writes out each slip's story, step by dated step."""

    def __init__(self, rng: random.Random, products: list[_Product], pool: list[_Line],
                 avail: dict[int, int], today: datetime) -> None:
        self.rng = rng
        self.products = products
        self.pool = sorted(pool, key=lambda ln: (ln.at, ln.order, ln.product))
        self.times = [ln.at for ln in self.pool]
        self.by_order: dict[str, list[int]] = {}
        for i, ln in enumerate(self.pool):
            self.by_order.setdefault(ln.order, []).append(i)
        self.used: set[int] = set()
        self.avail = avail  # sellable stock left for exchanges, per product index
        self.today = today
        self.by_category: dict[str, list[int]] = {}
        for i, p in enumerate(products):
            if not p.low:
                self.by_category.setdefault(p.category, []).append(i)
        self.pol = sv.policy()
        self.skipped = 0

    def plan(self, targets: dict[str, int]) -> list[_Slip]:
        rng = self.rng
        order: list[str] = [st for st, n in targets.items() for _ in range(n)]
        rng.shuffle(order)
        out = []
        for target in order:
            for _ in range(60):
                slip = self._one(target)
                if slip is not None:
                    out.append(slip)
                    break
            else:
                self.skipped += 1
        return out

    def _candidate(self, lo_days: float, hi_days: float, special: bool | None) -> int | None:
        lo = bisect.bisect_left(self.times, self.today - timedelta(days=hi_days))
        hi = bisect.bisect_right(self.times, self.today - timedelta(days=lo_days))
        if hi <= lo:
            return None
        for _ in range(40):
            i = self.rng.randrange(lo, hi)
            if i in self.used:
                continue
            p = self.products[self.pool[i].product]
            if p.low:
                continue
            if special is not None and (p.category in SPECIAL) != special:
                continue
            return i
        return None

    def _one(self, target: str) -> _Slip | None:
        rng = self.rng
        lo_days, hi_days = SLIP_AGES[target]
        # How this slip will fare against the policy.
        if target in ("submitted", "rejected"):
            scenario = _pick(rng, (("late", 40), ("opened", 22), ("excluded", 18), ("amount", 20)))
        else:
            scenario = _pick(rng, (("ok", 92), ("late_fault", 5), ("opened_ok", 3)))
        if scenario == "excluded":
            idx = self._candidate(lo_days, hi_days, True)
        else:
            idx = self._candidate(lo_days, hi_days, None)
        if idx is None:
            return None
        ln = self.pool[idx]
        p = self.products[ln.product]
        limit_fen = self.pol.channel(ln.channel).auto_approve_limit_fen
        if scenario == "amount" and ln.qty * ln.price <= limit_fen:
            return None  # needs a dear item: try another line
        slip_type = "exchange" if rng.random() < 0.35 and scenario != "excluded" else "return"
        if p.category in SPECIAL:
            slip_type = "return"
        reason = _pick(rng, EXCHANGE_REASONS if slip_type == "exchange" else RETURN_REASONS)
        if p.category in SPECIAL and scenario != "excluded":
            reason = rng.choice(("quality", "wrong_item"))  # only a fault lets these back
        packaging = True
        if scenario in ("late", "excluded", "opened", "opened_ok"):
            if reason in sv.FAULT_REASONS:
                reason = rng.choice(("changed_mind", "size")) if slip_type == "return" else "size"
            if scenario == "excluded":
                reason = "changed_mind"
                packaging = p.category != "数码卡券"
            if scenario in ("opened", "opened_ok"):
                packaging = False
        if scenario == "late_fault":
            reason = "quality"
        cp = self.pol.channel(ln.channel)
        fault = reason in sv.FAULT_REASONS
        limit = ((cp.quality_exchange_days if slip_type == "exchange" else cp.quality_return_days)
                 if fault else cp.no_reason_days)
        if scenario in ("late", "late_fault"):
            late = 10 if scenario == "late" else 4
            delay = timedelta(days=rng.uniform(limit + 1.5, limit + late))
        else:
            delay = timedelta(hours=rng.uniform(0.5, max(1.0, limit * 24 - 12)))
        # Part of a line now and then; all of it when the amount is what fails the policy.
        partial = ln.qty > 1 and scenario != "amount" and rng.random() < 0.4
        qty = rng.randint(1, ln.qty) if partial else ln.qty
        lines_idx = [(idx, qty, reason)]
        # Sometimes two lines of one order come back together.
        if rng.random() < 0.1 and scenario == "ok":
            for j in self.by_order[ln.order]:
                other = self.pool[j]
                if j != idx and j not in self.used and not self.products[other.product].low \
                        and self.products[other.product].category not in SPECIAL:
                    lines_idx.append((j, other.qty, reason))
                    break
        created = ln.at + delay
        steps = self._steps(target, created, ln.channel, rng)
        if steps is None or steps[-1][0] >= self.today - timedelta(minutes=5):
            return None
        slip_lines: list[sv.LineInput] = []
        grades: list[sv.GradeInput] = []
        gross = replacement_value = 0
        planned_out: list[tuple[int, int]] = []
        for j, q, r in lines_idx:
            sl = self.pool[j]
            prod = self.products[sl.product]
            repl_sku = None
            repl_qty = None
            if slip_type == "exchange":
                ri = self._replacement(sl.product, r)
                if ri is None or self.avail[ri] - q <= self.products[ri].reorder_point:
                    return None
                planned_out.append((ri, q))
                repl_sku, repl_qty = self.products[ri].sku, q
                replacement_value += q * self.products[ri].price
            gross += q * sl.price
            slip_lines.append(sv.LineInput(prod.sku, q, r, rng.choice(REASON_TEXTS[r]),
                                           replacement_sku=repl_sku, replacement_qty=repl_qty,
                                           packaging_intact=packaging,
                                           invoice_present=not (scenario == "amount")))
            grades.append(sv.GradeInput(prod.sku, *self._grade(rng, r, q)))
        for j, _, _ in lines_idx:
            self.used.add(j)
        for ri, q in planned_out:
            self.avail[ri] -= q
        slip = _Slip(target, slip_type, ln.order, ln.channel, ln.has_customer, slip_lines,
                     rng.choice(CLERKS), steps, grades)
        slip.method = self._method(rng, slip_type, ln.has_customer, replacement_value - gross)
        slip.decision = "reject" if target == "rejected" else "approve"
        slip.reviewer = "owner" if slip.decision == "approve" or rng.random() < 0.6 else "finance"
        slip.cancel_by = _pick(rng, ((slip.creator, 60), ("owner", 25), ("finance", 15)))
        slip.cancel_reason = rng.choice(CANCEL_REASONS)
        slip.score = _pick(rng, SCORES)
        slip.comment = rng.choice(FEEDBACK[slip.score]) if rng.random() < 0.8 else ""
        return slip

    def _replacement(self, product: int, reason: str) -> int | None:
        rng = self.rng
        p = self.products[product]
        same = reason in ("quality", "damaged", "not_as_described") and rng.random() < 0.85
        if same and not p.low:
            return product
        near = [i for i in self.by_category.get(p.category, [])
                if i != product and 0.6 * p.price <= self.products[i].price <= 1.6 * p.price]
        if not near:
            return None if p.low else product
        return rng.choice(near)

    @staticmethod
    def _grade(rng: random.Random, reason: str, qty: int) -> tuple[int, int, int]:
        if reason in ("quality", "not_as_described"):
            w = (20, 65, 15)
        elif reason == "damaged":
            w = (10, 40, 50)
        else:
            w = (90, 7, 3)
        g = [0, 0, 0]
        for _ in range(qty):
            g[rng.choices((0, 1, 2), weights=w)[0]] += 1
        return g[0], g[1], g[2]

    @staticmethod
    def _method(rng: random.Random, slip_type: str, has_customer: bool, diff: int) -> str:
        if slip_type == "return" or diff < 0:
            m = _pick(rng, (("original", 52), ("cash", 18), ("credit", 17), ("receivable", 13)))
        elif diff > 0:  # the customer pays more: never from store credit they may not have
            m = _pick(rng, (("original", 55), ("cash", 30), ("receivable", 15)))
        else:
            m = "original"
        if m in ("credit", "receivable") and not has_customer:
            m = "original"
        return m

    @staticmethod
    def _steps(target: str, created: datetime, channel: str,
               rng: random.Random) -> list[tuple[datetime, str]] | None:
        def h(a: float, b: float) -> timedelta:
            return timedelta(hours=rng.uniform(a, b))

        t = _open_hours(created, rng)
        steps = [(t, "create")]
        stage = ""
        if target == "draft":
            return steps
        if target == "cancelled":
            stage = _pick(rng, (("draft", 35), ("submitted", 30), ("review", 35)))
            if stage == "draft":
                return steps + [(_open_hours(t + h(1, 48), rng), "cancel")]
        t += h(0.05, 0.7)
        t = _open_hours(t, rng)
        steps.append((t, "submit"))
        if target == "cancelled" and stage == "submitted":
            return steps + [(_open_hours(t + h(1, 72), rng), "cancel")]
        if target == "submitted":
            return steps
        t += h(1, 30)
        t = _open_hours(t, rng)
        steps.append((t, "review"))
        if target == "rejected":
            return steps
        if target == "cancelled":
            return steps + [(_open_hours(t + h(2, 96), rng), "cancel")]
        if target == "approved":
            return steps
        t += h(0.2, 3) if channel == "store" else h(24, 120)
        t = _open_hours(t, rng)
        steps.append((t, "receive"))
        if target == "received":
            return steps
        t += h(2, 48)
        t = _open_hours(t, rng)
        steps.append((t, "inspect"))
        if target == "inspected":
            return steps
        t += h(2, 48)
        t = _open_hours(t, rng)
        steps.append((t, "settle"))
        settled = t
        if rng.random() < 0.88:
            steps.append((_open_hours(settled + h(20, 120), rng), "feedback"))
        if target == "closed":
            steps.append((_open_hours(settled + h(24, 168), rng), "close"))
        return sorted(steps, key=lambda s: s[0])


# ---------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------


def build_demo(db: Database, seed: int = 42, size: str = "small",
               progress: Progress | None = None, today: datetime | None = None) -> DemoSummary:
    """Fill an empty, migrated database with a demo shop and return what was made.

    `size` is "small" (about 6,000 sale lines) or "large" (1,000,000, for benchmarks);
    `today` (default: the current UTC day at midnight) is the demo's present: every event
    happens before it. The same seed and `today` give the same database.
    """
    if size not in SIZES:
        raise DomainError("bad_choice", field="size", value=size, allowed=", ".join(SIZES))
    started = time.perf_counter()
    report: Progress = progress or (lambda stage, done, total: None)
    if today is None:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif today.tzinfo is None:
        today = today.replace(tzinfo=UTC)
    today = today.astimezone(UTC)
    rng = random.Random(seed)
    summary = DemoSummary(seed=seed, size=size)

    # -- people and catalogue ------------------------------------------------------------
    products = _make_products(rng)
    low = rng.sample([i for i, p in enumerate(products) if p.category in CHEAP_CATEGORIES],
                     LOW_STOCK_PRODUCTS)
    for i in low:
        products[i].low = True
    product_inputs = _product_inputs(rng, products)
    customers = _make_customers(rng)
    gen = _SalesGen(rng, products, customers, today, SIZES[size])
    t0 = gen.first_day_start() - timedelta(days=3)  # the shop opens its books
    at = t0.replace(hour=1)
    report("setup", 0, 3)
    sv.add_user(db, None, "owner", "owner", now=at)
    for name, role in USERS[1:]:
        at += timedelta(minutes=3)
        sv.add_user(db, "owner", name, role, now=at)
    summary.users = len(USERS)
    report("setup", 1, 3)
    at += timedelta(minutes=10)
    summary.products = sv.add_products(db, "owner", product_inputs, now=at)
    report("setup", 2, 3)
    at += timedelta(minutes=10)
    summary.customers = sv.add_customers(db, "owner", customers, now=at)
    report("setup", 3, 3)

    # -- stock and sales -----------------------------------------------------------------
    level = [0] * len(products)
    index = {p.sku: i for i, p in enumerate(products)}
    # What each product keeps on the shelf at the end; low ones end at their reorder point.
    remainder = [rng.randint(0, p.reorder_point) if p.low else p.reorder_point + rng.randint(6, 40)
                 for p in products]
    # Restocking keeps a buffer between periods; low ones are always bought just in time.
    buffer = [remainder[i] if p.low else p.reorder_point * 3 + 20
              for i, p in enumerate(products)]
    pool: list[_Line] = []
    keep = min(1.0, 12_000 / SIZES[size])  # large: keep a sample of orders for the slips
    total = SIZES[size]
    chunk_size = total if size == "small" else CHUNK_LINES
    done = 0
    report("sales", 0, total)
    for n_chunk, chunk in enumerate(gen.chunks(chunk_size)):
        last = done + sum(len(s.lines) for s in chunk) >= total
        demand = [0] * len(products)
        for sale in chunk:
            for ln in sale.lines:
                demand[index[ln.sku]] += ln.qty
        # Restock (进货) before the period: enough for its sales plus what stays on the shelf;
        # when buying anyway, also the next period's likely sales (this one's), so a product
        # is reordered about every other period.
        when = (chunk[0].sold_at - timedelta(hours=2)) if n_chunk else t0.replace(hour=2)
        for i, p in enumerate(products):
            want = demand[i] + (remainder[i] if last else buffer[i])
            if level[i] < want:
                if not last and not p.low:
                    want += demand[i]
                when += timedelta(seconds=20)
                sv.receive_purchase(db, "warehouse", p.sku, want - level[i],
                                    note="期初建账" if n_chunk == 0 else "补货", now=when)
                summary.purchases += 1
                level[i] = want
        sv.record_sales(db, rng.choice(CLERKS), chunk, now=when + timedelta(minutes=5))
        for sale in chunk:
            take = keep >= 1.0 or rng.random() < keep
            for ln in sale.lines:
                i = index[ln.sku]
                level[i] -= ln.qty
                if take:
                    pool.append(_Line(sale.sold_at, sale.order_no, sale.channel,
                                      sale.customer_phone is not None, i, ln.qty,
                                      ln.unit_price_fen))
            done += len(sale.lines)
        summary.sales += len(chunk)
        report("sales", min(done, total), total)
    summary.sale_lines = done
    report("sales", done, done)  # the target was an estimate: finish the bar on the real count

    # -- slips ---------------------------------------------------------------------------
    planner = _Planner(rng, products, pool, dict(enumerate(level)), today)
    slips = planner.plan(SLIP_TARGETS)
    summary.slips_skipped = planner.skipped
    _run_slips(db, rng, slips, summary, report)
    _aftercare(db, rng, today, summary, report)

    counts = sv.count_by_status(db)
    summary.slips_by_status = counts
    summary.slips = sum(counts.values())
    summary.low_stock = len(sv.alerts(db))
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


# What a clerk notes after calling an unhappy customer back.
CALL_OUTCOMES = ("已电话回访，顾客表示满意", "顾客未接听，已短信致歉并留言",
                 "已补发配件，顾客认可处理结果", "顾客仍不满意，已转店长跟进")
# Days before the demo's present that finance has closed (日结).
CLOSED_DAYS = 30


def _aftercare(db: Database, rng: random.Random, today: datetime, summary: DemoSummary,
               report: Progress) -> None:
    """What the back office did after the counter: defective goods back to suppliers or
    repaired, one stock count corrected, old follow-ups called back, and the last month's
    days closed. Every event is just before `today`; the closes come last and stop short of
    the current local day, so the desk can still post today."""
    report("aftercare", 0, 4)
    at = today - timedelta(hours=2)
    defective = [r for r in sv.stock(db) if r.defective > 0]
    for r in defective[:4]:
        if r.defective < 2:
            continue
        at += timedelta(minutes=7)
        value = None if rng.random() < 0.5 else rng.randint(50, 150) * 10
        sv.return_to_supplier(db, "warehouse", r.sku, r.defective - 1, expected_credit_fen=value,
                              note="整批退回原厂", now=at)
        summary.supplier_returns += 1
    for r in defective[4:7]:
        at += timedelta(minutes=7)
        sv.dispose_defective(db, "warehouse", r.sku, 1, "repair", note="更换外壳后可售", now=at)
        summary.repairs += 1
    counted = [r for r in sv.stock(db) if not r.low and r.sellable > r.reorder_point + 5]
    if counted:
        at += timedelta(minutes=7)
        sv.adjust_stock(db, "warehouse", rng.choice(counted).sku, "sellable", -1,
                        "月末盘点短少 1 件", now=at)
    report("aftercare", 1, 4)
    for fu in sv.follow_ups(db, due_by=today - timedelta(days=7), limit=10_000):
        done_at = min(fu.due_at + timedelta(hours=rng.randint(1, 30)), today - timedelta(hours=3))
        sv.complete_follow_up(db, "clerk", fu.id, rng.choice(CALL_OUTCOMES), now=done_at)
        summary.follow_ups_done += 1
    report("aftercare", 2, 4)
    close_at = today - timedelta(minutes=1)
    last = (close_at.astimezone().date()) - timedelta(days=1)
    for back in range(CLOSED_DAYS - 1, -1, -1):
        day = last - timedelta(days=back)
        _, end = sv.day_bounds(day)
        sv.close_day(db, "finance", day, now=min(end + timedelta(minutes=30), close_at))
        summary.days_closed += 1
    report("aftercare", 4, 4)


def _product_inputs(rng: random.Random, products: list[_Product]) -> list[sv.ProductInput]:
    barcodes: set[str] = set()
    suppliers = {cat: sup for cat, (_, sup, _) in CATALOG.items()}
    models = {name: model for _, (_, _, items) in CATALOG.items() for name, model, _ in items}
    return [sv.ProductInput(
        sku=p.sku, name=p.name, unit_price_fen=p.price, unit_cost_fen=p.cost,
        barcode=_ean13(rng, barcodes), model=models[p.name], category=p.category,
        supplier=rng.choice(suppliers[p.category]), reorder_point=p.reorder_point,
    ) for p in products]


def _run_slips(db: Database, rng: random.Random, slips: list[_Slip], summary: DemoSummary,
               report: Progress) -> None:
    """Play every slip's steps in time order across all slips, through the service."""
    steps = sorted(((at, n, k, action) for n, slip in enumerate(slips)
                    for k, (at, action) in enumerate(slip.steps)),
                   key=lambda x: (x[0], x[1], x[2]))
    total = len(steps)
    report("slips", 0, total)
    for done, (at, n, _, action) in enumerate(steps, 1):
        slip = slips[n]
        if slip.dead:
            continue
        try:
            _step(db, rng, slip, action, at, summary)
        except DomainError:
            # A real desk would be refused here too (e.g. stock short at settlement): the
            # slip stays where it is; counted so the demo can tell.
            slip.dead = True
            summary.slips_skipped += 1
        if done % 50 == 0 or done == total:
            report("slips", done, total)


def _step(db: Database, rng: random.Random, slip: _Slip, action: str, at: datetime,
          summary: DemoSummary) -> None:
    if action == "create":
        note = "门店柜台受理" if slip.channel == "store" else "线上售后工单"
        slip.number = sv.create_slip(db, slip.creator, slip.order, slip.type, slip.lines,
                                     note=note, now=at).number
        return
    assert slip.number is not None
    if action == "submit":
        view = sv.submit_slip(db, slip.creator, slip.number, now=at)
        slip.failed = None if view.status != "submitted" else \
            [r for r in view.verdict if not r.ok]
    elif action == "review":
        if slip.failed is None:
            return  # approved automatically at submission: nothing for a person to do
        failed = [r.rule for r in slip.failed] or ["amount"]
        if slip.decision == "reject":
            first = slip.failed[0] if slip.failed else None
            if first is not None and first.rule == "window":
                reason = (f"购买已 {first.params.get('days')} 天，"
                          f"超过 {first.params.get('limit')} 天退换期限")
            elif first is not None and first.rule == "excluded_category":
                reason = ("卡券已拆封激活，不予退货" if first.params.get("category") == "数码卡券"
                          else f"{first.params.get('category')}类商品不支持无理由退货")
            else:
                reason = rng.choice(REJECT_REASONS.get(failed[0], ("不符合退换货政策",)))
            sv.reject_slip(db, slip.reviewer, slip.number, reason, now=at)
        else:
            reason = "；".join(rng.choice(OVERRIDE_REASONS.get(f, ("店长特批",))) for f in failed)
            sv.approve_slip(db, "owner", slip.number, override_reason=reason, now=at)
            summary.overrides += 1
    elif action == "cancel":
        sv.cancel_slip(db, slip.cancel_by, slip.number, slip.cancel_reason, now=at)
    elif action == "receive":
        sv.receive_slip(db, "warehouse", slip.number, now=at)
    elif action == "inspect":
        sv.inspect_slip(db, "warehouse", slip.number, slip.grades, now=at)
    elif action == "settle":
        sv.settle_slip(db, "finance", slip.number, slip.method, now=at)
    elif action == "feedback":
        sv.add_feedback(db, slip.creator, slip.number, slip.score, slip.comment, now=at)
        summary.feedback += 1
    elif action == "close":
        sv.close_slip(db, slip.creator, slip.number, now=at)
