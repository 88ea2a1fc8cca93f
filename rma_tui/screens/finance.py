"""The finance screen (财务): one tab per question finance asks.

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
up to its month. Each tab is drawn by `widgets.finance_tabs`.

平台对账 reconciles a platform's refund export against the platform refunds in the books
(`rma_tui.reads.reconcile`): the file is read only when asked (Enter or Ctrl+S), never by
the periodic refresh.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
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
from rma_tui.screens.base import DeskScreen, ProblemMessage, head_if_changed
from rma_tui.screens.dialogs import ConfirmDialog
from rma_tui.widgets.common import Problem, problem_from
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.finance_tabs import (
    PERIOD_DAYS,
    STATUS_TABS,
    TOP_HOLDERS,
    Query,
    TabOut,
    fill_tab,
    months,
)
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.reconcile_view import ReconcileView

if TYPE_CHECKING:
    from rma_tui.reads.reconcile import Reconciliation
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
# The reconciliation tab (read on demand, not by `reload`), after the others.
RECONCILE = "reconcile"
# Journal entries per page; receivable rows read at most.
PAGE = 30
# The journal's wordy columns are capped wider from `WIDE` columns on (the app's narrow
# breakpoint).
WIDE = 100
# Which actions belong to which tab (the others hide them from the footer).
TAB_ACTIONS: dict[str, tuple[str, ...]] = {
    "prev_day": ("refunds", "exchanges", "receivable", "journal", "trial", "close", "income"),
    "next_day": ("refunds", "exchanges", "receivable", "journal", "trial", "close", "income"),
    "close_day": ("close",),
    "next_page": ("journal",),
    "prev_page": ("journal",),
    "kind": ("journal",),
    "reconcile": (RECONCILE,),
}


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
        Binding("ctrl+s", "reconcile", "reconcile"),
    ]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "prev_day": "fin_key_prev_day",
        "next_day": "fin_key_next_day",
        "close_day": "fin_key_close_day",
        "next_page": "fin_key_next_page",
        "prev_page": "fin_key_prev_page",
        "kind": "fin_key_kind",
        "reconcile": "fin_key_reconcile",
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

    class Reconciled(Message):
        """A worker compared a platform's file with the books."""

        def __init__(self, file: str, result: Reconciliation) -> None:
            self.file = file
            self.result = result
            super().__init__()

    class ReconcileFailed(Message):
        """The file could not be read, or the books could not."""

        def __init__(self, error: DomainError | Problem) -> None:
            self.error = error
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
                    if tab in STATUS_TABS:
                        yield Static(classes="fin-status", id=f"fin-{tab}-status")
                    yield DataTable(id=f"fin-{tab}-table", cursor_type="row",
                                    zebra_stripes=True)
            with TabPane(i18n.t("fin_tab_reconcile"), id=f"fin-{RECONCILE}"):
                yield ReconcileView(id="fin-reconcile-view")
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
        elif app.database is not None and self.tab != RECONCILE:
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

    def action_reconcile(self) -> None:
        """Reconcile the file the reconciliation tab names (Enter in its fields too)."""
        self.query_one(ReconcileView).ask()

    def on_reconcile_view_asked(self, message: ReconcileView.Asked) -> None:
        """Read the platform's file and the books in a worker."""
        app = self.rma
        if app.database is not None:
            self._reconcile(app.database, app.db_location, message)

    @work(thread=True, exclusive=True, group="finance-reconcile")
    def _reconcile(self, database: Database, location: str,
                   asked: ReconcileView.Asked) -> None:
        worker = get_current_worker()
        try:
            from rma_tui.platform_files import read_platform_file
            from rma_tui.reads.reconcile import reconcile

            pf = read_platform_file(Path(asked.path).expanduser(), asked.platform,
                                    purpose="reconcile")
            message: Message = self.Reconciled(pf.file, reconcile(
                database, pf.channel, pf.rows, asked.start, asked.end))
        except DomainError as exc:  # kept whole: a file error names its line and column
            message = self.ReconcileFailed(exc)
        except Exception as exc:
            message = self.ReconcileFailed(problem_from(exc, location))
        if not worker.is_cancelled:
            self.post_message(message)

    def on_finance_screen_reconciled(self, message: Reconciled) -> None:
        """Show the four lists and the totals."""
        self.query_one(ReconcileView).show(message.file, message.result)

    def on_finance_screen_reconcile_failed(self, message: ReconcileFailed) -> None:
        """Say why the file could not be reconciled."""
        self.query_one(ReconcileView).show_error(message.error)

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
        tabs.get_tab(f"fin-{RECONCILE}").label = i18n.t("fin_tab_reconcile")
        self.query_one(ReconcileView).relabel()
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
        status = self.query_one(f"#fin-{tab}-status", Static) if tab in STATUS_TABS else None
        fill_tab(tab, query, data, TabOut(table, head, status, self.rma.role,
                                          self.size.width >= WIDE))
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)


# -- the read (module level: the worker calls it off the UI thread) ------------------------


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
    first, last = months(query.day)
    return reads.income_by_month(database, first, last, shop=shop)
