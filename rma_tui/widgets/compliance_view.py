"""The compliance report drawn on screen as `rma report compliance` prints it: the head
line, then the exceptions, late slips, rejections, time in each state and the slips over
their target, each a table (with a "none" row when empty)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rma_tui import i18n
from rma_tui.reads.report_tables import cell_text
from rma_tui.widgets.common import local_time

if TYPE_CHECKING:
    from rma_tui.reads.compliance import ComplianceReport

# Overdue slips listed (the CLI lists as many).
OVERDUE_SHOWN = 50


def _table(title: str, headers: list[str], rows: list[list[str]],
           right: tuple[int, ...] = ()) -> Table:
    table = Table(title=title, header_style="bold", expand=False)
    for i, h in enumerate(headers):
        table.add_column(h, justify="right" if i in right else "left", no_wrap=i == 0)
    for row in rows:
        table.add_row(*row)
    if not rows:
        table.add_row(i18n.t("rep_none"), *[""] * (len(headers) - 1))
    return table


def compliance_renderable(r: ComplianceReport) -> RenderableType:
    """The compliance report as `rma report compliance` prints it."""
    parts: list[RenderableType] = [Text(i18n.t(
        "report_compliance_head", slips=r.slips, exceptions=len(r.exceptions), late=len(r.late),
        rejected=len(r.rejected), overdue=len(r.overdue)))]
    parts.append(_table(
        i18n.t("report_compliance_exceptions"),
        [i18n.t("col_number"), i18n.t("col_created_by"), i18n.t("col_override_by"),
         i18n.t("col_failed_rules"), i18n.t("col_reason")],
        [[e.number, e.created_by, e.override_by,
          ", ".join(i18n.label("rule", x) for x in e.failed_rules), e.reason]
         for e in r.exceptions]))
    if r.late:
        parts.append(Text(i18n.t("report_compliance_late", numbers=", ".join(r.late))))
    parts.append(_table(
        i18n.t("report_compliance_rejected"),
        [i18n.t("col_number"), i18n.t("col_created_by"), i18n.t("col_rejected_by"),
         i18n.t("col_time"), i18n.t("col_reason")],
        [[x.number, x.created_by, x.rejected_by, local_time(x.rejected_at), x.reason]
         for x in r.rejected]))
    parts.append(_table(
        i18n.t("report_compliance_states"),
        [i18n.t("col_status"), i18n.t("col_target_hours"), i18n.t("col_stays"),
         i18n.t("col_over_target"), i18n.t("col_longest_hours")],
        [[i18n.label("status", st.state), cell_text("text", st.target_hours), str(st.stays),
          str(st.over_target), f"{st.longest_hours:.1f}"] for st in r.states],
        right=(1, 2, 3, 4)))
    parts.append(_table(
        i18n.t("report_compliance_overdue"),
        [i18n.t("col_number"), i18n.t("col_status"), i18n.t("col_since"), i18n.t("col_hours"),
         i18n.t("col_target_hours")],
        [[o.number, i18n.label("status", o.state), local_time(o.since), f"{o.hours:.1f}",
          str(o.target_hours)] for o in r.overdue[:OVERDUE_SHOWN]],
        right=(3, 4)))
    return Group(*parts)
