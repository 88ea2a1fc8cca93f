"""The reports as plain tables: the same rows feed the reports screen and its export.

A `ReportTable` is what `rma_tui.export.write_table` writes (columns with a kind, rows of
raw values: text, int, money in fen, rate as a fraction or None), built from the read
functions' results the way `rma report ...` presents them (same headers, reason and
channel codes shown as labels). `cell_text` turns a raw value into what the screen shows,
so a file and the screen can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rma_tui import i18n
from rma_tui.export import Column
from rma_tui.money import fen_text

if TYPE_CHECKING:
    from rma_tui.reads.compliance import ComplianceReport
    from rma_tui.reads.reports import ProblemProduct, ReturnsRow, TrendForecast

# The header of the key column of the returns report, per dimension (as the CLI has it).
KEY_HEADERS = {
    "product": "col_sku", "reason": "col_reason", "channel": "col_channel",
    "customer": "col_phone", "supplier": "col_supplier", "month": "col_month",
    "week": "col_week", "shop": "col_shop",
}
# Dimensions whose keys are codes, shown by their label.
LABELLED = ("reason", "channel")
# Trend measures: the TrendPoint field and the i18n key of its name.
MEASURES = {"units": "report_measure_units", "slips": "report_measure_slips",
            "value_claimed_fen": "report_measure_value"}


@dataclass(frozen=True)
class ReportTable:
    """A titled table of raw values, ready for the screen or `write_table`."""

    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)


def rate_text(rate: float | None) -> str:
    """A return rate as the CLI shows it: one decimal percent, blank when None."""
    return "" if rate is None else f"{rate * 100:.1f}%"


def cell_text(kind: str, value: Any) -> str:
    """A raw value of `kind` (text, int, money, rate) as the screen shows it."""
    if kind == "money":
        return fen_text(int(value))
    if kind == "rate":
        return rate_text(value)
    return "" if value is None else str(value)


def title_case(text: str) -> str:
    """English labels start lower case in running text; a selector shows them capitalised."""
    return text[:1].upper() + text[1:]


def key_text(by: str, key: str) -> str:
    """A returns row's key as shown: a code's label, the total row's word, or "—"."""
    if by in LABELLED:
        return i18n.label(by, key)
    if by == "shop":
        # Imported here: the reports module loads sqlmodel, which a screen defers.
        from rma_tui.reads.reports import TOTAL_KEY

        if key == TOTAL_KEY:
            return i18n.t("fin_total")
    return key or "—"


# The returns report's figures after the key (and name) columns: (ReturnsRow field, i18n
# key of the title, kind). The refunds per method follow "refund_fen" (see returns_columns).
RETURNS_FIGURES = (
    ("slips", "col_slips", "int"),
    ("units_claimed", "col_units_claimed", "int"),
    ("value_claimed_fen", "col_value_claimed", "money"),
    ("units_refunded", "col_units_refunded", "int"),
    ("refund_fen", "col_refunded", "money"),
    ("fees_fen", "col_fees", "money"),
    ("units_exchanged", "col_units_exchanged", "int"),
    ("value_exchanged_fen", "col_value_exchanged", "money"),
    ("units_pending", "col_units_pending", "int"),
    ("value_pending_fen", "col_value_pending", "money"),
    ("units_sold", "col_units_sold", "int"),
    ("value_sold_fen", "col_value_sold", "money"),
    ("rate", "col_rate_units", "rate"),
    ("rate_value", "col_rate_value", "rate"),
)


def returns_with_name(by: str) -> bool:
    """Whether the returns report by `by` has a name column beside its key."""
    return by in ("product", "customer", "shop")


def returns_table(rows: Sequence[ReturnsRow], by: str,
                  only: Sequence[str] | None = None) -> ReportTable:
    """The returns report by `by`: the key (and name), then every figure of
    `RETURNS_FIGURES` with the refunds per method after the refunded total, titled in the
    shop's language; the screen's export and `rma report returns --format` write this.
    `only` (e.g. `RETURNS_SUMMARY`): just those figures, in the same order, without the
    per-method columns (what a terminal holds)."""
    with_name = returns_with_name(by)
    figures = [f for f in RETURNS_FIGURES if only is None or f[0] in only]
    name_head = {"product": i18n.t("col_name"), "shop": i18n.t("col_shop_name")}.get(
        by, i18n.t("col_customer"))
    methods = list(rows[0].refund_by_method) if rows and only is None else []
    columns = [Column(i18n.t(KEY_HEADERS[by])), *([Column(name_head)] if with_name else [])]
    for fld, title, kind in figures:
        columns.append(Column(i18n.t(title), kind))
        if fld == "refund_fen":
            columns += [Column(i18n.t("col_refunded_by", method=i18n.label("method", m)),
                               "money") for m in methods]
    body: list[list[Any]] = []
    for r in rows:
        cells: list[Any] = [key_text(by, r.key), *([r.name] if with_name else [])]
        for fld, _, _ in figures:
            cells.append(getattr(r, fld))
            if fld == "refund_fen":
                cells += [r.refund_by_method.get(m, 0) for m in methods]
        body.append(cells)
    title = i18n.t("report_returns_title", by_label=i18n.t(f"report_by_{by}"))
    return ReportTable(title, columns, body)


# The figures a terminal holds (the screen and `rma report returns`' table); every figure
# of RETURNS_FIGURES, the per-method refunds included, is in the exports.
RETURNS_SUMMARY = ("slips", "units_claimed", "value_claimed_fen", "refund_fen",
                   "units_exchanged", "units_pending", "units_sold", "rate", "rate_value")


def refund_split_note(rows: Sequence[ReturnsRow]) -> str:
    """The refunded amount per method and the fees kept, summed over the groups (a by-shop
    report's total row left out): the line under the summary table."""
    from rma_tui.reads.reports import TOTAL_KEY

    groups = [r for r in rows if r.key != TOTAL_KEY]
    methods = list(rows[0].refund_by_method) if rows else []
    split = [(m, sum(r.refund_by_method.get(m, 0) for r in groups)) for m in methods]
    return i18n.t("report_refunded_by_method", methods="  ".join(
        f"{i18n.label('method', m)} {fen_text(v)}" for m, v in split if v),
        fees=fen_text(sum(r.fees_fen for r in groups)))


def problems_table(rows: Sequence[ProblemProduct]) -> ReportTable:
    """Problem products, columns as `rma report problems` prints them."""
    columns = problem_columns()
    body: list[list[Any]] = [
        [r.sku, r.name, r.supplier, r.units_claimed, r.units_sold, r.rate, r.value_claimed_fen,
         f"{i18n.label('reason', r.top_reason)} ({r.top_reason_units})"] for r in rows]
    return ReportTable(i18n.t("report_problems_title"), columns, body)


def problem_columns() -> list[Column]:
    """The problem products' columns: what is claimed, sold, the rate by units, the value
    claimed and the leading reason."""
    return [Column(i18n.t("col_sku")), Column(i18n.t("col_name")),
            Column(i18n.t("col_supplier")), Column(i18n.t("col_units_claimed"), "int"),
            Column(i18n.t("col_units_sold"), "int"), Column(i18n.t("col_rate_units"), "rate"),
            Column(i18n.t("col_value_claimed"), "money"), Column(i18n.t("col_top_reason"))]


def trend_table(tf: TrendForecast) -> ReportTable:
    """The trend's complete periods (all three measures), as `rma report trend` exports it."""
    columns = [Column(i18n.t("col_period")), Column(i18n.t("col_slips"), "int"),
               Column(i18n.t("col_units_claimed"), "int"),
               Column(i18n.t("col_value_claimed"), "money")]
    body: list[list[Any]] = [[p.period, p.slips, p.units, p.value_claimed_fen]
                             for p in tf.points]
    title = i18n.t("report_trend_title", period_label=i18n.t(f"report_by_{tf.period}"))
    return ReportTable(title, columns, body)


def measure_text(measure: str, value: float) -> str:
    """A trend value: money for the value measure, else a whole number."""
    return fen_text(int(round(value))) if measure == "value_claimed_fen" else f"{value:.0f}"


def forecast_notes(tf: TrendForecast, measure: str) -> list[str]:
    """The lines stated beside the chart: the method, its back-tested error against the
    naive forecast, a warning when it does no better, the period still under way."""
    fc = tf.forecast
    lines: list[str] = []
    if fc is None:
        if tf.points or tf.partial is not None:
            lines.append(i18n.t("report_forecast_too_short", n=3))
    else:
        mape = "—" if fc.error.mape is None else f"{fc.error.mape * 100:.0f}%"
        naive_mape = "—" if fc.naive_error.mape is None else f"{fc.naive_error.mape * 100:.0f}%"
        lines.append(i18n.t("report_forecast_method", alpha=fc.alpha, beta=fc.beta))
        lines.append(i18n.t("report_forecast_error", mae=measure_text(measure, fc.error.mae),
                            mape=mape, naive_mae=measure_text(measure, fc.naive_error.mae),
                            naive_mape=naive_mape, points=fc.error.points))
        if not fc.beats_naive:
            lines.append(i18n.t("report_forecast_no_better"))
    if tf.partial is not None:
        lines.append(i18n.t("report_forecast_partial", period=tf.partial.period,
                            value=measure_text(measure, float(getattr(tf.partial, measure)))))
    return lines


def compliance_tables(r: ComplianceReport) -> list[ReportTable]:
    """The compliance report as its five sections, in the order `rma report compliance`
    prints them: exceptions, late slips, rejected slips, time in each state, slips over
    target now (all of them: the screen and the CLI table list the first 50). Rules and
    states are shown by their labels; times are stored datetimes (kind ``time``)."""
    t = i18n.t
    exceptions = ReportTable(
        t("report_compliance_exceptions"),
        [Column(t("col_number")), Column(t("col_created_by")), Column(t("col_created_at"), "time"),
         Column(t("col_override_by")), Column(t("col_failed_rules")), Column(t("col_reason"))],
        [[e.number, e.created_by, e.created_at, e.override_by,
          ", ".join(i18n.label("rule", x) for x in e.failed_rules), e.reason]
         for e in r.exceptions])
    late = ReportTable(t("report_compliance_late_title"), [Column(t("col_number"))],
                       [[n] for n in r.late])
    rejected = ReportTable(
        t("report_compliance_rejected"),
        [Column(t("col_number")), Column(t("col_created_by")), Column(t("col_rejected_by")),
         Column(t("col_time"), "time"), Column(t("col_reason"))],
        [[x.number, x.created_by, x.rejected_by, x.rejected_at, x.reason] for x in r.rejected])
    states = ReportTable(
        t("report_compliance_states"),
        [Column(t("col_status")), Column(t("col_target_hours"), "int"),
         Column(t("col_stays"), "int"), Column(t("col_over_target"), "int"),
         Column(t("col_longest_hours"), "hours")],
        [[i18n.label("status", st.state), st.target_hours, st.stays, st.over_target,
          st.longest_hours] for st in r.states])
    overdue = ReportTable(
        t("report_compliance_overdue"),
        [Column(t("col_number")), Column(t("col_status")), Column(t("col_since"), "time"),
         Column(t("col_hours"), "hours"), Column(t("col_target_hours"), "int")],
        [[o.number, i18n.label("status", o.state), o.since, o.hours, o.target_hours]
         for o in r.overdue])
    return [exceptions, late, rejected, states, overdue]
