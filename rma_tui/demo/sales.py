"""The demo shop's goods, customers and twelve months of sales, drawn from one seeded
random generator (`rma_tui.demo.tables` holds the names and prices)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TypeVar

from rma_tui import service as sv
from rma_tui.demo.tables import (
    CATALOG,
    GIVEN_NAMES,
    MOBILE_PREFIXES,
    SURNAMES,
)

T = TypeVar("T")


# The shop keeps Beijing time; the demo lays its days out in it.
SHOP_TZ = timezone(timedelta(hours=8))


@dataclass
class DemoProduct:
    """A product of the demo catalogue with its price, cost, reorder point and how often it
    sells (`weight`); `low` marks the few whose stock the demo leaves low."""

    sku: str
    name: str
    category: str
    price: int
    cost: int
    reorder_point: int
    weight: float
    low: bool = False


@dataclass
class SoldLine:
    """A sale line as the slip planner sees it."""

    at: datetime
    order: str
    channel: str
    has_customer: bool
    product: int  # index into the product list
    qty: int
    price: int  # net unit price paid
    on_account: bool = False  # the sale was on the customer's account (赊账)


def pick(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    """One key of (key, weight) pairs, drawn by weight."""
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def ean13(rng: random.Random, used: set[str]) -> str:
    """A new EAN-13 barcode (China prefix 69, valid check digit) not in `used`."""
    while True:
        body = "69" + "".join(str(rng.randrange(10)) for _ in range(10))
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
        code = body + str((10 - total % 10) % 10)
        if code not in used:
            used.add(code)
            return code


def make_products(rng: random.Random) -> list[DemoProduct]:
    """The catalogue's products, each with a cost below its price and a popularity."""
    out: list[DemoProduct] = []
    for category, (popularity, _suppliers, items) in CATALOG.items():
        for name, _model, yuan in items:
            price = int(round(yuan * 100))
            cost = int(round(price * rng.uniform(0.45, 0.70) / 10)) * 10
            cheap = price < 5000
            rp = rng.randint(8, 20) if cheap else rng.randint(3, 10)
            # Cheap, everyday things sell more; each product gets its own luck.
            weight = popularity * rng.lognormvariate(0, 0.5) / math.sqrt(max(price, 1000) / 5000)
            sku = f"PA-{len(out) + 1:04d}"
            out.append(DemoProduct(sku, name, category, price, cost, rp, weight))
    return out


def make_customers(rng: random.Random, n: int = 400) -> list[sv.CustomerInput]:
    """`n` customers with Chinese names and distinct mobile numbers."""
    phones: set[str] = set()
    out: list[sv.CustomerInput] = []
    while len(out) < n:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone in phones:
            continue
        phones.add(phone)
        surname = "欧阳" if rng.random() < 0.01 else rng.choice(SURNAMES[:-2])
        name = surname + rng.choice(GIVEN_NAMES)
        out.append(sv.CustomerInput(name, phone, "online" if rng.random() < 0.4 else "store"))
    return out


def day_weight(d: datetime) -> float:
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


class SalesGenerator:
    """Twelve months of orders, day by day, yielded in chunks of about `chunk` lines."""

    def __init__(self, rng: random.Random, products: list[DemoProduct],
                 customers: list[sv.CustomerInput], today: datetime, lines: int) -> None:
        self.rng = rng
        self.products = products
        self.customers = customers
        self.today = today
        self.target_lines = lines
        self.cum_weights = list(accumulate([p.weight for p in products]))
        cust_w = [rng.lognormvariate(0, 1.0) for _ in customers]
        self.by_channel = {
            ch: ([c.phone for c, w in zip(customers, cust_w, strict=True) if c.channel == ch],
                 list(accumulate([w for c, w in zip(customers, cust_w, strict=True)
                                   if c.channel == ch])))
            for ch in sv.channel_codes()
        }
        last_day = (today.astimezone(SHOP_TZ) - timedelta(days=1)).date()
        self.days = [last_day - timedelta(days=365 - 1 - i) for i in range(365)]
        weights = [day_weight(datetime(d.year, d.month, d.day)) for d in self.days]
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
            method = pick(rng, (("alipay", 58), ("wechat", 36), ("card", 6)))
            phones, cum = self.by_channel["online" if rng.random() < 0.85 else "store"]
            phone: str | None = rng.choices(phones, cum_weights=cum)[0]
        else:
            seqs["SO"] += 1
            order = f"SO{ymd}-{seqs['SO']:04d}"
            channel = "store"
            method = pick(rng, (("wechat", 45), ("alipay", 28), ("cash", 16), ("card", 11)))
            if rng.random() < 0.78:
                phones, cum = (self.by_channel["store"] if rng.random() < 0.85
                               else self.by_channel["online"])
                phone = rng.choices(phones, cum_weights=cum)[0]
                if rng.random() < 0.08:  # a regular who settles up later (赊账)
                    method = "account"
            else:
                phone = None
        n_lines = pick(rng, ((1, 50), (2, 25), (3, 15), (4, 7), (5, 3)))
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
                qty = pick(rng, ((1, 80), (2, 15), (3, 5)))
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


def open_hours(t: datetime, rng: random.Random) -> datetime:
    """The same moment if the shop is open (09:00-21:30 Beijing time), else soon after the
    next opening; whole seconds."""
    local = t.astimezone(SHOP_TZ)
    opening = local.replace(hour=9, minute=0, second=0, microsecond=0)
    if local.hour >= 21 and (local.hour, local.minute) >= (21, 30):
        local = opening + timedelta(days=1, minutes=rng.uniform(0, 360))
    elif local < opening:
        local = opening + timedelta(minutes=rng.uniform(0, 360))
    return local.replace(microsecond=0).astimezone(UTC)


def accumulate(values: list[float]) -> Iterator[float]:
    """Running totals of `values` (the cumulative weights `bisect` picks from)."""
    total = 0.0
    for v in values:
        total += v
        yield total


def products_to_add(rng: random.Random, products: list[DemoProduct]) -> list[sv.ProductInput]:
    """The products as the service adds them: barcode, model, category and supplier."""
    barcodes: set[str] = set()
    suppliers = {cat: sup for cat, (_, sup, _) in CATALOG.items()}
    models = {name: model for _, (_, _, items) in CATALOG.items() for name, model, _ in items}
    return [sv.ProductInput(
        sku=p.sku, name=p.name, unit_price_fen=p.price, unit_cost_fen=p.cost,
        barcode=ean13(rng, barcodes), model=models[p.name], category=p.category,
        supplier=rng.choice(suppliers[p.category]), reorder_point=p.reorder_point,
    ) for p in products]
