"""A believable demo shop (演示数据): `build_demo` fills an empty database through the
service, and `DemoSummary` says what it made.

    tables   the catalogue, customers' names and the clerks' and customers' words (data)
    sales    products, customers and a year of sales from one seeded random generator
    slips    the return and exchange slips and their steps through the lifecycle
    build    the whole shop, in order: users, goods, sales, slips, the back office
    summary  what the build reports
"""

from rma_tui.demo.build import build_demo
from rma_tui.demo.summary import DemoSummary

__all__ = ["DemoSummary", "build_demo"]
