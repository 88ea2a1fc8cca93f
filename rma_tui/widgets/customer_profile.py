"""A customer's profile on the customers screen: the summary (return rate and the
repeat-returner flag first, then the money, then what is owed and open) over six tabs of
history: slips, purchases, follow-ups (回访), feedback, store-credit moves and the
customer's account (what they owe the shop, with the running balance).

The pane draws a `reads.customers.CustomerProfile` (`show`), and again only when the
profile or the language changed, so the cursor stays where the clerk left it. It reads
nothing itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from rma_tui import i18n
from rma_tui.money import yuan
from rma_tui.widgets.common import local_time, phone_text

if TYPE_CHECKING:
    from rma_tui.reads.customers import CustomerProfile
    from rma_tui.service import FollowUpView

# The profile's tabs: pane id -> i18n key of its label.
TABS = {
    "cust-tab-slips": "cust_tab_slips",
    "cust-tab-purchases": "cust_tab_purchases",
    "cust-tab-follow": "cust_tab_follow",
    "cust-tab-feedback": "cust_tab_feedback",
    "cust-tab-credit": "cust_tab_credit",
    "cust-tab-account": "cust_tab_account",
}


def rate_text(rate: float | None) -> str:
    """A return rate as a percentage with one decimal ("9.3%"), or a dash."""
    return i18n.t("none") if rate is None else f"{rate * 100:.1f}%"


def credit_kind(kind: str) -> str:
    """A store-credit move's kind in the current language (unknown kinds as their code)."""
    key = f"cust_credit_{kind}"
    text = i18n.t(key)
    return kind if text == key else text


def due_text(f: FollowUpView, now: datetime, theme: dict[str, str]) -> Text:
    """A follow-up's due day, in the theme's error colour when the day has passed
    (overdue), its warning colour when it is today."""
    day = f.due_at.astimezone().date()
    today = now.astimezone().date()
    text = Text(f.due_at.astimezone().strftime("%m-%d"))
    if f.done:
        return text
    if day < today:
        text.append(" " + i18n.t("cust_overdue", days=(today - day).days),
                    style=f"bold {theme.get('error', '')}")
    elif day == today:
        text.append(" " + i18n.t("cust_due_today"), style=f"bold {theme.get('warning', '')}")
    return text


def slip_of_row(profile: CustomerProfile | None, table: DataTable[object]) -> str | None:
    """The slip number of the row under the cursor of one of the profile's tables (a slip,
    or the slip of a feedback, follow-up or credit move); None where there is none."""
    if table.row_count == 0 or profile is None:
        return None
    row = table.cursor_row
    p = profile
    if table.id == "cust-slips" and row < len(p.slips):
        return p.slips[row].number
    if table.id == "cust-feedback" and row < len(p.feedback):
        return p.feedback[row].slip
    if table.id == "cust-follow" and row < len(p.follow_ups):
        return p.follow_ups[row].slip
    if table.id == "cust-credit" and row < len(p.credit_moves):
        return p.credit_moves[row].slip
    if table.id == "cust-account" and row < len(p.account_moves):
        return p.account_moves[row].slip
    return None


class CustomerProfilePane(Vertical):
    """The profile of one customer (or a hint that none is chosen yet)."""

    def __init__(self, *, id: str | None = None,  # noqa: A002 - Textual's name
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.profile: CustomerProfile | None = None
        self.role: str | None = None
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="cust-summary")
        with TabbedContent(id="cust-tabs"):
            for pane_id, key in TABS.items():
                with TabPane(i18n.t(key), id=pane_id):
                    yield DataTable(id=pane_id.replace("-tab-", "-"),
                                    cursor_type="row", zebra_stripes=True)

    def relabel(self) -> None:
        """The tabs' labels in the current language; the profile is drawn again at the
        next `show`."""
        tabbed = self.query_one("#cust-tabs", TabbedContent)
        for pane_id, key in TABS.items():
            tabbed.get_tab(pane_id).label = i18n.t(key)
        self._shown = None

    def show(self, profile: CustomerProfile | None, role: str | None) -> None:
        """Draw `profile` (None: no customer chosen), phones as user `role` may see them."""
        self.profile, self.role = profile, role
        self._fill_profile()

    def _fill_profile(self) -> None:
        p = self.profile
        summary = self.query_one("#cust-summary", Static)
        key = (i18n.get_lang(), p)
        if key == self._shown:
            return
        self._shown = key
        if p is None:
            self.border_title = i18n.t("cust_title")
            summary.update(Text(i18n.t("cust_no_customer"), style="dim"))
            for pane_id in TABS:
                self.query_one(f"#{pane_id.replace('-tab-', '-')}", DataTable).clear(columns=True)
            return
        self.border_title = (f"{p.name}  {phone_text(self.role, p.phone)}  "
                             f"{i18n.label('channel', p.channel)}")
        summary.update(self._summary(p))
        self._fill_table("cust-purchases", [
            ("col_order", False), ("col_sold_at", False), ("col_channel", False),
            ("col_payment", False), ("cust_col_units", True), ("col_total", True)],
            [(r.order, local_time(r.sold_at), i18n.label("channel", r.channel),
              i18n.label("payment", r.payment_method), str(r.units), yuan(r.total_fen))
             for r in p.purchases])
        self._fill_table("cust-slips", [
            ("col_number", False), ("col_type", False), ("col_status", False),
            ("cust_col_units", True), ("cust_col_value", True), ("cust_col_amount", True),
            ("col_created_at", False)],
            [(r.number, i18n.label("type", r.type), i18n.label("status", r.status),
              str(r.units), yuan(r.value_fen), yuan(r.amount_fen), local_time(r.created_at))
             for r in p.slips])
        now, theme = p.at, self.app.theme_variables
        self._fill_table("cust-follow", [
            ("cust_col_id", True), ("cust_col_due", False), ("cust_col_note", False),
            ("col_number", False), ("cust_col_state", False), ("cust_col_outcome", False)],
            [(str(f.id), due_text(f, now, theme), f.note, f.slip or i18n.t("none"),
              i18n.t("cust_fu_done_by", by=f.done_by or "", at=local_time(f.done_at))
              if f.done_at else i18n.t("cust_fu_open"), f.outcome)
             for f in p.follow_ups])
        self._fill_table("cust-feedback", [
            ("col_number", False), ("cust_col_score", False), ("cust_col_comment", False),
            ("cust_col_by", False), ("col_at", False)],
            [(r.slip, self._stars(r.score), r.comment, r.by, local_time(r.at))
             for r in p.feedback])
        self._fill_table("cust-credit", [
            ("col_at", False), ("cust_col_kind", False), ("cust_col_delta", True),
            ("cust_col_balance", True), ("col_number", False), ("col_user", False)],
            [(local_time(m.at), credit_kind(m.kind),
              ("+" if m.delta_fen > 0 else "") + yuan(m.delta_fen), yuan(m.balance_fen),
              m.slip or i18n.t("none"), m.user) for m in p.credit_moves])
        self._fill_table("cust-account", [
            ("col_at", False), ("col_shop", False), ("cust_col_kind", False),
            ("cust_col_delta", True), ("cust_col_balance", True), ("col_number", False),
            ("col_user", False)],
            [(local_time(m.at), m.shop, i18n.label("receivable", m.kind),
              ("+" if m.delta_fen > 0 else "") + yuan(m.delta_fen), yuan(m.balance_fen),
              m.slip or m.order or i18n.t("none"), m.user) for m in p.account_moves])

    def _stars(self, score: int) -> Text:
        theme = self.app.theme_variables
        colour = theme.get("error" if score <= 2 else "success", "")
        return Text("★" * score + "☆" * (5 - score), style=colour)

    def _fill_table(self, table_id: str, columns: list[tuple[str, bool]],
                    rows: list[tuple[str | Text, ...]]) -> None:
        table: DataTable[str | Text] = self.query_one(f"#{table_id}", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for key, _ in columns:
            table.add_column(i18n.t(key), key=key)
        for values in rows:
            table.add_row(*(v if isinstance(v, Text) else
                            Text(v, justify="right" if right else "left")
                            for v, (_, right) in zip(values, columns, strict=True)))
        if rows:
            table.move_cursor(row=min(max(row, 0), len(rows) - 1), animate=False)

    def _summary(self, p: CustomerProfile) -> Text:
        """Three short lines (no wrapping at 80 columns): the return rate and the
        repeat-returner flag first, then the money, then what is owed and open."""
        theme = self.app.theme_variables
        text = Text()
        text.append(i18n.t("cust_rate", rate=rate_text(p.return_rate)), style="bold")
        text.append("  ")
        if p.repeat_returner:
            text.append(" " + i18n.t("cust_repeat", count=p.slips_in_year,
                                     threshold=p.repeat_threshold) + " ",
                        style=f"bold reverse {theme.get('error', '')}")
        else:
            text.append(i18n.t("cust_not_repeat", count=p.slips_in_year,
                               threshold=p.repeat_threshold), style="dim")
        text.append("\n")
        text.append(i18n.t("cust_purchased", amount_yuan=yuan(p.purchased_fen),
                           count=p.sales_count))
        text.append(" · ")
        text.append(i18n.t("cust_returned", amount_yuan=yuan(p.returned_fen),
                           count=p.slips_count))
        text.append("\n")
        text.append(i18n.t("cust_credit", amount_yuan=yuan(p.credit_fen)))
        text.append(" · ")
        text.append(i18n.t("cust_owed", amount_yuan=yuan(p.receivable_fen)),
                    style=f"bold {theme.get('warning', '')}" if p.receivable_fen > 0 else "")
        text.append(" · ")
        text.append(i18n.t("cust_open_follow", count=p.open_follow_ups),
                    style=f"bold {theme.get('warning', '')}" if p.open_follow_ups else "")
        return text
