"""The finance screen (财务, issue 4 item 4): one tab per question finance asks.

退款 refunds by day and method · 换货差价 exchange differences · 储值 store-credit liability ·
应收 receivable adjustments · 凭证 the journal, paged, filtered by kind · 试算平衡 the trial
balance as of the chosen day, with a clear ✓ / ✗ · 日结 the chosen day's money per payment
method and the key to close it · 损益 the income summary by month.

Only the tab on show is read (`rma_tui.reads.finance`, in a worker). The app calls
`reload()` every few seconds: that reads the audit chain head first (one row) and reads the
tab again only when the shop changed or what the tab shows (day, page, kind) did, so an idle
finance screen costs next to nothing. Every posting and every close appends an audit event,
so an unchanged head means the figures on screen are still true.

The day picker ([ and ]) chooses the day of the trial balance and the daily close; the
refunds, exchanges and receivable tabs show the 30 days up to it, the journal the entries
up to its end (newest first, paged with n / p, kind filter k), the income tab the 12 months
up to its month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money import yuan
from rma_tui.screens.base import DeskScreen, ProblemMessage, head_if_changed
from rma_tui.screens.dialogs import ConfirmDialog
from rma_tui.widgets.common import Problem, local_time, phone_text, problem_from
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.message_line import MessageLine

if TYPE_CHECKING:
    from rma_tui.service import Database

# The tabs, in order: pane id suffix -> i18n key of the tab's label.
TABS: dict[str, str] = {
    "refunds": "fin_tab_refunds",
    "exchanges": "fin_tab_exchanges",
    "credit": "fin_tab_credit",
    "receivable": "fin_tab_receivable",
    "journal": "fin_tab_journal",
    "trial": "fin_tab_trial",
    "close": "fin_tab_close",
    "income": "fin_tab_income",
}
# Journal entries per page; receivable rows read at most.
PAGE = 30
# Days shown by the by-day tabs, months by the income tab, store-credit holders listed.
PERIOD_DAYS = 30
PERIOD_MONTHS = 12
TOP_HOLDERS = 20
# The accounts money is paid through (cash, bank, receivable, store credit): the daily close
# shows each one's net change on its normal side.
PAYMENT_ACCOUNTS = ("1001", "1002", "1122", "2205")
# Widths (cells) of the journal's kind and memo/account columns: [narrow, wide], wide from
# `WIDE` columns on (the app's narrow breakpoint).
WIDE = 100
KIND_WIDTH = (12, 20)
MEMO_WIDTH = (26, 40)
# Which actions belong to which tab (the others hide them from the footer).
TAB_ACTIONS: dict[str, tuple[str, ...]] = {
    "prev_day": ("refunds", "exchanges", "receivable", "journal", "trial", "close", "income"),
    "next_day": ("refunds", "exchanges", "receivable", "journal", "trial", "close", "income"),
    "close_day": ("close",),
    "next_page": ("journal",),
    "prev_page": ("journal",),
    "kind": ("journal",),
}


@dataclass(frozen=True)
class Query:
    """What a tab shows: the tab, the chosen day, the journal page and kind filter, and
    the shop (None: every shop) -- part of the key, so another shop's figures are read
    afresh, never shown from the cache."""

    tab: str
    day: date
    page: int = 0
    kind: str | None = None
    shop: str | None = None


class FinanceScreen(DeskScreen):
    """Refunds, exchange differences, store credit, receivables, the journal, the trial
    balance, the daily close and the income summary."""

    DEFAULT_CSS = """
    FinanceScreen TabPane {
        padding: 0 1;
    }
    FinanceScreen .fin-head {
        height: auto;
        text-style: bold;
    }
    FinanceScreen .fin-note {
        height: auto;
        color: $text-muted;
    }
    FinanceScreen .fin-status {
        height: auto;
    }
    FinanceScreen .fin-status.-ok {
        color: $success;
    }
    FinanceScreen .fin-status.-bad {
        color: $error;
        text-style: bold;
    }
    FinanceScreen DataTable {
        height: 1fr;
    }
    FinanceScreen #fin-line {
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "prev_day", "prev day"),
        Binding("right_square_bracket", "next_day", "next day"),
        Binding("c", "close_day", "close day"),
        Binding("n", "next_page", "next page"),
        Binding("p", "prev_page", "prev page"),
        Binding("k", "kind", "kind"),
    ]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "prev_day": "fin_key_prev_day",
        "next_day": "fin_key_next_day",
        "close_day": "fin_key_close_day",
        "next_page": "fin_key_next_page",
        "prev_page": "fin_key_prev_page",
        "kind": "fin_key_kind",
    }

    class Loaded(Message):
        """A worker read one tab's data."""

        def __init__(self, query: Query, head: tuple[int, str], data: Any) -> None:
            self.query = query
            self.head = head
            self.data = data
            super().__init__()

    class LoadFailed(ProblemMessage):
        """A worker could not read the tab."""

    class DayClosed(Message):
        """The service closed a day."""

        def __init__(self, day: str, user: str) -> None:
            self.day = day
            self.user = user
            super().__init__()

    class CloseFailed(Message):
        """The service refused to close the day; nothing was written."""

        def __init__(self, error: DomainError | Problem) -> None:
            self.error = error
            super().__init__()

    def __init__(self, *, today: date | None = None, name: str | None = None,
                 id: str | None = "finance") -> None:  # noqa: A002 - Textual's name
        super().__init__(name=name, id=id)
        # `today` fixed by tests and snapshots; else the local date when shown.
        self._today = today
        self.day = self.today()
        self.page = 0
        self.kind: str | None = None
        self.kinds: list[str] = []
        self.loaded = False
        # Per tab: the query and chain head its data was read at, and the data.
        self.data: dict[str, tuple[Query, tuple[int, str], Any]] = {}

    def today(self) -> date:
        """The local date (or the one the screen was made with)."""
        return self._today or date.today()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(i18n.t("fin_loading"), id="fin-message", classes="desk-message")
        with TabbedContent(id="fin-tabs", classes="desk-body"):
            for tab, key in TABS.items():
                with TabPane(i18n.t(key), id=f"fin-{tab}"):
                    yield Static(classes="fin-head", id=f"fin-{tab}-head")
                    if tab in ("credit", "trial", "close"):
                        yield Static(classes="fin-status", id=f"fin-{tab}-status")
                    yield DataTable(id=f"fin-{tab}-table", cursor_type="row",
                                    zebra_stripes=True)
        yield MessageLine(id="fin-line")
        yield Footer()

    def on_mount(self) -> None:
        self.add_class("-message")
        self.relabel()
        self.reload()

    # -- which tab ------------------------------------------------------------------------

    @property
    def tab(self) -> str:
        """The tab on show (its id without the `fin-` prefix)."""
        try:
            active = self.query_one("#fin-tabs", TabbedContent).active
        except NoMatches:  # not composed yet
            return "refunds"
        return active.removeprefix("fin-") if active else "refunds"

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Another tab: read it (if not read at this state already) and show its keys."""
        self.refresh_bindings()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys of other tabs are hidden; the day cannot go past today."""
        tabs = TAB_ACTIONS.get(action)
        if tabs is None:
            return True
        if self.tab not in tabs:
            return False
        if action == "next_day" and self.day >= self.today():
            return None
        if action == "prev_page" and self.page == 0:
            return None
        return True

    # -- loading --------------------------------------------------------------------------

    def current_query(self) -> Query:
        """What the tab on show should show now."""
        tab = self.tab
        if tab == "journal":
            return Query(tab, self.day, self.page, self.kind, self.rma.shop)
        return Query(tab, self.day, shop=self.rma.shop)

    def reload(self) -> None:
        """Read the tab on show again if the shop or the query changed since (cheap)."""
        app = self.rma
        if app.problem is not None:
            self._show_message(app.problem.text())
        elif app.database is not None:
            query = self.current_query()
            known = self.data.get(query.tab)
            head = known[1] if known is not None and known[0] == query else None
            self._read(app.database, app.db_location, query, head)

    @work(thread=True, exclusive=True, group="finance-read")
    def _read(self, database: Database, location: str, query: Query,
              known_head: tuple[int, str] | None) -> None:
        def read() -> Message | None:
            head = head_if_changed(database, known_head)
            return None if head is None else self.Loaded(query, head, _read_tab(database, query))

        self.post_read(read, self.LoadFailed, location)

    def on_finance_screen_loaded(self, message: Loaded) -> None:
        """Show what was read (if the tab still asks for it)."""
        self.data[message.query.tab] = (message.query, message.head, message.data)
        if message.query.tab == "journal":
            self.kinds = message.data[1]
        self.loaded = True
        self.remove_class("-message")
        if message.query == self.current_query():
            self._fill(message.query.tab)

    def on_finance_screen_load_failed(self, message: LoadFailed) -> None:
        """Say why the books could not be read (the next reload tries again)."""
        self.data.clear()
        self._show_message(message.problem.text())

    # -- actions --------------------------------------------------------------------------

    def action_prev_day(self) -> None:
        """The day before."""
        self._set_day(self.day - timedelta(days=1))

    def action_next_day(self) -> None:
        """The day after (never past today)."""
        self._set_day(min(self.day + timedelta(days=1), self.today()))

    def _set_day(self, day: date) -> None:
        if day != self.day:
            self.page = 0  # the journal starts again from the chosen day's newest entry
        self.day = day
        self.refresh_bindings()
        self.reload()

    def action_next_page(self) -> None:
        """The next (older) page of the journal."""
        known = self.data.get("journal")
        if known is not None and len(known[2][0]) < PAGE:
            return  # the last page is on show
        self.page += 1
        self.refresh_bindings()
        self.reload()

    def action_prev_page(self) -> None:
        """The previous (newer) page of the journal."""
        if self.page > 0:
            self.page -= 1
            self.refresh_bindings()
            self.reload()

    def action_kind(self) -> None:
        """Cycle the journal's kind filter: all, then each kind in the journal."""
        choices: list[str | None] = [None, *self.kinds]
        index = choices.index(self.kind) if self.kind in choices else 0
        self.kind = choices[(index + 1) % len(choices)]
        self.page = 0
        self.refresh_bindings()
        self.reload()

    def action_close_day(self) -> None:
        """Close the chosen day (日结), after a confirmation; finance and owner only."""
        app = self.rma
        user = app.user
        if user is None or app.database is None:
            return
        from rma_tui import service  # loaded with the session by now

        refused = service.role_refusal(user.name, user.role, service.CLOSE_DAY_ROLES)
        if refused is not None:
            self._say_error(refused)
            return
        day = self.day.isoformat()
        known = self.data.get("close")
        view = (known[2] if known is not None and known[0].day == self.day
                and known[0].shop == app.shop else None)
        if view is not None and view.closed_by:
            self._say_error(DomainError("day_closed", day=day))
            return
        body = (i18n.t("fin_close_confirm_body", entries=view.entries, debit=view.debit_fen,
                       credit=view.credit_fen) if view is not None else "")
        dialog = ConfirmDialog(i18n.t("fin_close_confirm_title", day=day), body)
        chosen = self.day

        def done(ok: bool | None) -> None:
            if ok and app.database is not None and app.user is not None:
                self._close(app.database, app.db_location, app.user.name, chosen, app.shop)

        self.app.push_screen(dialog, done)

    @work(thread=True, exclusive=True, group="finance-close")
    def _close(self, database: Database, location: str, actor: str, day: date,
               shop: str | None = None) -> None:
        worker = get_current_worker()
        try:
            from rma_tui import service

            closed = service.close_day(database, actor, day, shop=shop)
        except DomainError as exc:
            if not worker.is_cancelled:
                self.post_message(self.CloseFailed(exc))
            return
        except Exception as exc:
            if not worker.is_cancelled:
                self.post_message(self.CloseFailed(problem_from(exc, location)))
            return
        if not worker.is_cancelled:
            self.post_message(self.DayClosed(closed.day, closed.closed_by))

    def on_finance_screen_day_closed(self, message: DayClosed) -> None:
        """Say so and read the day again (it now shows as closed)."""
        self.query_one(MessageLine).say("ok", "fin_closed_ok", day=message.day,
                                        user=message.user)
        self.notify(i18n.t("fin_closed_ok", day=message.day, user=message.user))
        self.data.pop("close", None)
        self.reload()

    def on_finance_screen_close_failed(self, message: CloseFailed) -> None:
        """Say why the day was not closed."""
        self._say_error(message.error)

    def _say_error(self, error: DomainError | Problem) -> None:
        self.query_one(MessageLine).say_error(error)
        text = error.text() if isinstance(error, Problem) else error.message()
        self.notify(text, severity="error")

    # -- drawing --------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text in the current language (after a language switch)."""
        translate_bindings(self, self.BINDING_KEYS)
        self.sub_title = i18n.t("fin_title")
        tabs = self.query_one("#fin-tabs", TabbedContent)
        for tab, key in TABS.items():
            tabs.get_tab(f"fin-{tab}").label = i18n.t(key)
        if not self.loaded:
            app = self.rma
            self._show_message(app.problem.text() if app.problem else i18n.t("fin_loading"))
        for tab in self.data:
            self._fill(tab)
        self.query_one(MessageLine).relabel()

    def _show_message(self, text: str) -> None:
        self.query_one("#fin-message", Static).update(text)
        self.add_class("-message")

    def _fill(self, tab: str) -> None:
        known = self.data.get(tab)
        if known is None:
            return
        query, _, data = known
        table: DataTable[str | Text] = self.query_one(f"#fin-{tab}-table", DataTable)
        head = self.query_one(f"#fin-{tab}-head", Static)
        row = table.cursor_row
        table.clear(columns=True)
        getattr(self, f"_fill_{tab}")(query, data, table, head)
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    def _period(self, query: Query) -> str:
        since = query.day - timedelta(days=PERIOD_DAYS - 1)
        return i18n.t("fin_period", since=since.isoformat(), until=query.day.isoformat())

    def _fill_refunds(self, query: Query, data: Any, table: DataTable[str | Text],
                      head: Static) -> None:
        head.update(i18n.t("fin_refunds_heading", period=self._period(query)))
        _columns(table, "fin_col_day", "fin_col_method", "fin_col_slips", "fin_col_refund")
        for r in data:
            table.add_row(r.day, i18n.label("method", r.method), _num(r.slips),
                          _money(r.refund_fen))
        if data:
            table.add_row(Text(i18n.t("fin_total"), style="bold"), "",
                          _num(sum(r.slips for r in data)),
                          _money(sum(r.refund_fen for r in data), bold=True))
        else:
            table.add_row(i18n.t("fin_empty"), "", "", "")

    def _fill_exchanges(self, query: Query, data: Any, table: DataTable[str | Text],
                        head: Static) -> None:
        head.update(i18n.t("fin_exchanges_heading", period=self._period(query)))
        _columns(table, "fin_col_day", "fin_col_slips", "fin_col_collected",
                 "fin_col_paid_back", "fin_col_net")
        for r in data:
            table.add_row(r.day, _num(r.slips), _money(r.collected_fen),
                          _money(r.paid_back_fen), _money(r.net_fen))
        if data:
            collected = sum(r.collected_fen for r in data)
            paid = sum(r.paid_back_fen for r in data)
            table.add_row(Text(i18n.t("fin_total"), style="bold"),
                          _num(sum(r.slips for r in data)), _money(collected, bold=True),
                          _money(paid, bold=True), _money(collected - paid, bold=True))
        else:
            table.add_row(i18n.t("fin_empty"), "", "", "", "")

    def _fill_credit(self, query: Query, data: Any, table: DataTable[str | Text],
                     head: Static) -> None:
        head.update(i18n.t("fin_credit_heading", top=TOP_HOLDERS))
        status = self.query_one("#fin-credit-status", Static)
        status.update(i18n.t("fin_credit_summary", customers=data.customers_fen,
                             account=data.account_fen, holders=data.holders,
                             mark="✓" if data.agrees else "✗"))
        status.set_class(data.agrees, "-ok")
        status.set_class(not data.agrees, "-bad")
        _columns(table, "fin_col_customer", "fin_col_phone", "fin_col_credit_balance")
        for h in data.top:
            table.add_row(Text(h.name), phone_text(self.rma.role, h.phone), _money(h.credit_fen))

    def _fill_receivable(self, query: Query, data: Any, table: DataTable[str | Text],
                         head: Static) -> None:
        rows, balance = data
        head.update(i18n.t("fin_receivable_heading", period=self._period(query),
                           balance=balance))
        _columns(table, "fin_col_time", "fin_col_kind", "fin_col_slip", "fin_col_customer",
                 "fin_col_debit", "fin_col_credit", "fin_col_user")
        for r in rows:
            table.add_row(local_time(r.at), _kind(r.kind), r.slip or Text(r.memo),
                          Text(r.customer or "—"), _money(r.debit_fen),
                          _money(r.credit_fen), Text(r.user))
        if not rows:
            table.add_row(i18n.t("fin_empty"), "", "", "", "", "", "")

    def _fill_journal(self, query: Query, data: Any, table: DataTable[str | Text],
                      head: Static) -> None:
        entries = data[0]
        kind = _kind(query.kind) if query.kind else i18n.t("fin_kind_all")
        head.update(i18n.t("fin_journal_heading", until=query.day.isoformat(),
                           page=query.page + 1, kind=kind))
        # Entry rows carry the memo, their posting rows the account in the same column, and
        # the wordy columns are capped, so the amounts stay on screen at 80 columns.
        table.add_column(i18n.t("fin_col_time"), key="time")
        wide = self.size.width >= WIDE
        table.add_column(i18n.t("fin_col_kind"), key="kind", width=KIND_WIDTH[wide])
        table.add_column(i18n.t("fin_col_memo_account"), key="memo", width=MEMO_WIDTH[wide])
        _columns(table, "fin_col_debit", "fin_col_credit", "fin_col_user")
        for e in entries:
            table.add_row(Text(local_time(e.at), style="bold"), Text(_kind(e.kind), style="bold"),
                          Text(e.slip or e.memo, style="bold"), _money(e.debit_fen, bold=True),
                          _money(e.credit_fen, bold=True), Text(e.user))
            for p in e.postings:
                table.add_row("", "", Text(f"  {p.account} {_account(p.account)}"),
                              _money(p.debit_fen) if p.debit_fen else "",
                              _money(p.credit_fen) if p.credit_fen else "", "")
        if not entries:
            table.add_row(i18n.t("fin_empty"), "", "", "", "", "")

    def _fill_trial(self, query: Query, data: Any, table: DataTable[str | Text],
                    head: Static) -> None:
        head.update(i18n.t("fin_trial_heading", until=query.day.isoformat()))
        status = self.query_one("#fin-trial-status", Static)
        status.update(i18n.t("fin_balanced" if data.balanced else "fin_unbalanced",
                             debit=data.debit_fen, credit=data.credit_fen))
        status.set_class(data.balanced, "-ok")
        status.set_class(not data.balanced, "-bad")
        _columns(table, "fin_col_account", "fin_col_debit", "fin_col_credit", "fin_col_side",
                 "fin_col_balance")
        for r in data.rows:
            table.add_row(Text(f"{r.code} {_account(r.code)}"), _money(r.debit_fen),
                          _money(r.credit_fen), i18n.t(f"fin_side_{r.side}"),
                          _money(r.balance_fen))
        mark = "✓" if data.balanced else "✗"
        table.add_row(Text(f"{i18n.t('fin_total')} {mark}", style="bold"),
                      _money(data.debit_fen, bold=True), _money(data.credit_fen, bold=True),
                      "", "")

    def _fill_close(self, query: Query, data: Any, table: DataTable[str | Text],
                    head: Static) -> None:
        head.update(i18n.t("fin_close_heading", day=query.day.isoformat()))
        status = self.query_one("#fin-close-status", Static)
        even = data.debit_fen == data.credit_fen
        mark = i18n.t("fin_balanced" if even else "fin_unbalanced", debit=data.debit_fen,
                      credit=data.credit_fen)
        if data.closed_by:
            text = i18n.t("fin_close_closed", user=data.closed_by,
                          at=data.closed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                          entries=data.entries)
        else:
            text = i18n.t("fin_close_open", entries=data.entries)
        status.update(f"{text}\n{mark}")
        status.set_class(bool(data.closed_by) and even, "-ok")
        status.set_class(not even, "-bad")
        _columns(table, "fin_col_item", "fin_col_method", "fin_col_slips", "fin_col_amount")
        totals = data.totals
        lines = [("fin_line_sales", "payment", totals.get("sales", {}), {}),
                 ("fin_line_refunds", "method", totals.get("refunds", {}),
                  totals.get("refund_slips", {})),
                 ("fin_line_exchange_in", "method", totals.get("exchange_in", {}), {}),
                 ("fin_line_exchange_out", "method", totals.get("exchange_out", {}), {})]
        for key, kind, amounts, counts in lines:
            for method in sorted(amounts):
                count = counts.get(method)
                table.add_row(i18n.t(key), i18n.label(kind, method),
                              _num(count) if count is not None else "",
                              _money(int(amounts[method])))
        # Where the money of the day went, per payment account (net of debit and credit).
        for code in PAYMENT_ACCOUNTS:
            debit, credit = totals.get("accounts", {}).get(code, (0, 0))
            if debit or credit:
                table.add_row(i18n.t("fin_line_account"), f"{code} {_account(code)}", "",
                              _money(debit - credit if side_of(code) == "debit"
                                     else credit - debit))
        if not table.row_count:
            table.add_row(i18n.t("fin_close_nothing"), "", "", "")

    def _fill_income(self, query: Query, data: Any, table: DataTable[str | Text],
                     head: Static) -> None:
        from rma_tui.reads.finance import income_total

        since, until = _months(query.day)
        head.update(i18n.t("fin_income_heading", since=since, until=until))
        _columns(table, "fin_col_month", "fin_col_gross_sales", "fin_col_returns",
                 "fin_col_net_sales", "fin_col_cogs", "fin_col_margin", "fin_col_write_off",
                 "fin_col_other_income")
        rows = [*data, income_total(data)] if data else []
        for r in rows:
            bold = r.month == "Σ"
            table.add_row(Text(i18n.t("fin_total") if bold else r.month,
                               style="bold" if bold else ""),
                          _money(r.gross_sales_fen, bold), _money(r.returns_fen, bold),
                          _money(r.net_sales_fen, bold), _money(r.cogs_fen, bold),
                          _money(r.gross_margin_fen, bold), _money(r.write_off_fen, bold),
                          _money(r.other_income_fen, bold))
        if not rows:
            table.add_row(i18n.t("fin_empty"), "", "", "", "", "", "", "")


# -- helpers (module level: the worker calls `_read_tab` off the UI thread) ----------------


def _months(day: date) -> tuple[str, str]:
    """The first and last month (YYYY-MM) of the income tab for `day`."""
    index = day.year * 12 + day.month - 1 - (PERIOD_MONTHS - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}", f"{day.year:04d}-{day.month:02d}"


def _read_tab(database: Database, query: Query) -> Any:
    """The data of one tab (run in a worker thread), for the query's shop (None: every
    shop)."""
    from rma_tui import service
    from rma_tui.reads import finance as reads

    since = query.day - timedelta(days=PERIOD_DAYS - 1)
    shop = query.shop
    if query.tab == "refunds":
        return reads.refunds_by_day(database, since, query.day, shop=shop)
    if query.tab == "exchanges":
        return reads.exchanges_by_day(database, since, query.day, shop=shop)
    if query.tab == "credit":
        # Store credit is the customer's, good in every shop: the chain's figure.
        return reads.credit_liability(database, TOP_HOLDERS)
    if query.tab == "receivable":
        return (reads.receivable_adjustments(database, since, query.day, limit=200, shop=shop),
                reads.receivable_balance(database, shop=shop))
    if query.tab == "journal":
        return (reads.journal(database, until=query.day, kind=query.kind, limit=PAGE,
                              offset=query.page * PAGE, shop=shop),
                reads.journal_kinds(database, shop=shop))
    if query.tab == "trial":
        return reads.trial_balance(database, until=query.day, shop=shop)
    if query.tab == "close":
        return service.day_totals(database, query.day, shop=shop)
    first, last = _months(query.day)
    return reads.income_by_month(database, first, last, shop=shop)


def _columns(table: DataTable[str | Text], *keys: str) -> None:
    for key in keys:
        table.add_column(i18n.t(key), key=key)


def _money(fen: int, bold: bool = False) -> Text:
    return Text(yuan(fen), justify="right", style="bold" if bold else "")


def _num(n: int) -> Text:
    return Text(str(n), justify="right")


def _kind(kind: str) -> str:
    """A journal entry kind in the current language (an unknown kind as its code)."""
    key = f"fin_kind_{kind}"
    text = i18n.t(key)
    return kind if text == key else text


def side_of(code: str) -> str:
    """The normal side of an account ("debit" or "credit")."""
    from rma_tui.reads.finance import side_of as side

    return side(code)


def _account(code: str) -> str:
    """An account's name in the current language."""
    from rma_tui.service import ACCOUNTS  # loaded with the session by now

    names = ACCOUNTS.get(code)
    if names is None:
        return ""
    return names[0] if i18n.get_lang() == "zh" else names[1]
