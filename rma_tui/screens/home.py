"""The home screen: slips per state, the role's unread notifications, low-stock alerts,
and (for every role) a one-line low-stock banner at the top while any product is low."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.screens.base import DeskScreen
from rma_tui.widgets.common import Problem, local_time, problem_from
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.status_counts import StatusCounts

if TYPE_CHECKING:
    from rma_tui.service import AlertView, Database, NotificationView


# SKUs named in the low-stock banner before "…".
BANNER_SKUS = 5


@dataclass(frozen=True)
class HomeData:
    """What the home screen shows, read in one go by the worker."""

    counts: dict[str, int]
    notifications: list[NotificationView]  # the newest unread ones (the service's page)
    unread: int  # all unread, which may be more than the list holds
    alerts: list[AlertView]
    show_alerts: bool
    low: list[AlertView]  # every open low-stock alert, for the banner (all roles)


class HomeScreen(DeskScreen):
    """Counts per state, the user's notifications and (for owners) open low-stock alerts."""

    DEFAULT_CSS = """
    HomeScreen #home-banner {
        display: none;
        height: 1;
        padding: 0 1;
        background: $warning 20%;
        color: $text;
        text-style: bold;
    }
    HomeScreen #home-banner.-low {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("m", "mark_read", "mark read")]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {"mark_read": "home_key_mark_read"}

    class DataLoaded(Message):
        """The worker read the screen's data."""

        def __init__(self, data: HomeData) -> None:
            self.data = data
            super().__init__()

    class LoadFailed(Message):
        """The worker could not read the data."""

        def __init__(self, problem: Problem) -> None:
            self.problem = problem
            super().__init__()

    def __init__(self) -> None:
        super().__init__(id="home")
        self.data: HomeData | None = None
        # What the tables show now, so a refresh that changes nothing redraws nothing
        # (and the cursor stays where the user left it).
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="home-banner", markup=False)
        yield Static(i18n.t("app_loading"), id="home-message")
        with Vertical(id="home-body"):
            yield StatusCounts(id="status-counts")
            with Vertical(id="home-lists"):
                with Vertical(id="notifications-pane", classes="pane"):
                    yield OptionList(id="notifications")
                    yield Static(id="notifications-empty", classes="empty")
                with Vertical(id="alerts-pane", classes="pane"):
                    yield DataTable(id="alerts", cursor_type="row", zebra_stripes=True)
                    yield Static(id="alerts-empty", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.add_class("-loading")
        self.relabel()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the data again, unless the app has nothing to read from."""
        app = self.rma
        if app.problem is not None:
            self._show_problem(app.problem)
        elif app.database is not None and app.role is not None:
            self._load(app.database, app.role, app.db_location, app.shop)

    @work(thread=True, exclusive=True, group="home")
    def _load(self, database: Database, role: str, location: str,
              shop: str | None = None) -> None:
        """Counts, notifications and alerts of `shop` (None: every shop)."""
        worker = get_current_worker()
        try:
            from rma_tui import service

            show_alerts = role == "owner"
            low = service.alerts(database, shop=shop)
            data = HomeData(
                counts=service.count_by_status(database, shop=shop),
                notifications=service.notifications(database, role, shop=shop),
                unread=service.count_notifications(database, role, shop=shop),
                alerts=low if show_alerts else [],
                show_alerts=show_alerts,
                low=low,
            )
        except Exception as exc:  # shown on screen; the next refresh tries again
            if not worker.is_cancelled:
                self.post_message(self.LoadFailed(problem_from(exc, location)))
            return
        if not worker.is_cancelled:
            self.post_message(self.DataLoaded(data))

    async def on_home_screen_data_loaded(self, message: DataLoaded) -> None:
        """Show freshly read data."""
        self.data = message.data
        self.remove_class("-loading", "-problem")
        await self._render_data()

    def on_home_screen_load_failed(self, message: LoadFailed) -> None:
        """Say why the data could not be read."""
        self._show_problem(message.problem)

    # -- actions --------------------------------------------------------------------------

    def action_mark_read(self) -> None:
        """Mark the role's notifications read: what they asked for has been dealt with."""
        app = self.rma
        if app.database is not None and app.user is not None and app.problem is None:
            self._mark_read(app.database, app.user.name, app.db_location, app.shop)

    @work(thread=True, exclusive=True, group="home-mark")
    def _mark_read(self, database: Database, actor: str, location: str,
                   shop: str | None) -> None:
        try:
            from rma_tui import service

            # Only what the screen shows: the shop being viewed (None: every shop).
            service.mark_notifications_read(database, actor, shop=shop)
        except Exception as exc:  # shown on screen, like a failed read
            self.post_message(self.LoadFailed(problem_from(exc, location)))
            return
        # The header's unread count and this screen are read again.
        self.app.call_from_thread(self.rma.action_refresh)

    # -- drawing --------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text in the current language (after a language switch)."""
        translate_bindings(self, self.BINDING_KEYS)
        app = self.rma
        if app.problem is not None:
            self._show_problem(app.problem)
        else:
            self.query_one("#home-message", Static).update(i18n.t("app_loading"))
        self._shown = None
        if self.data is not None:
            self.run_worker(self._render_data(), exclusive=True, group="render")

    def _show_problem(self, problem: Problem) -> None:
        self.query_one("#home-message", Static).update(problem.text())
        self.remove_class("-loading")
        self.add_class("-problem")

    async def _render_data(self) -> None:
        data = self.data
        if data is None:
            return
        await self.query_one(StatusCounts).show(data.counts, lambda st: i18n.label("status", st))
        self._show_banner(data.low)
        key = (i18n.get_lang(), data.notifications, data.unread, data.alerts, data.show_alerts)
        if key == self._shown:
            return
        self._shown = key
        self._fill_notifications(data.notifications, data.unread)
        self.query_one("#alerts-pane").display = data.show_alerts
        if data.show_alerts:
            self._fill_alerts(data.alerts)

    def _show_banner(self, low: list[AlertView]) -> None:
        """One line at the top while any product is low (hidden when none is)."""
        banner = self.query_one("#home-banner", Static)
        skus = "、".join(a.sku for a in low[:BANNER_SKUS]) if i18n.get_lang() == "zh" else \
            ", ".join(a.sku for a in low[:BANNER_SKUS])
        if len(low) > BANNER_SKUS:
            skus += "…"
        banner.update(i18n.t("stock_banner", count=len(low), skus=skus) if low else "")
        banner.set_class(bool(low), "-low")

    def _fill_notifications(self, notes: list[NotificationView], unread: int) -> None:
        pane = self.query_one("#notifications-pane")
        pane.border_title = f"{i18n.t('notifications_heading')} ({unread})"
        # An option list rather than a table: a long message wraps under itself on a
        # narrow terminal instead of running off the right edge.
        options = self.query_one("#notifications", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(Option(_notification_prompt(local_time(n.created_at),
                                                        i18n.t(n.key, **n.params)), id=str(n.id))
                            for n in notes)
        options.display = bool(notes)
        if notes:
            options.highlighted = min(highlighted or 0, len(notes) - 1)
        empty = self.query_one("#notifications-empty", Static)
        empty.update(i18n.t("no_notifications"))
        empty.display = not notes

    def _fill_alerts(self, alerts: list[AlertView]) -> None:
        pane = self.query_one("#alerts-pane")
        pane.border_title = f"{i18n.t('alerts_heading')} ({len(alerts)})"
        _fill_table(
            self.query_one("#alerts", DataTable),
            # The name last: on a narrow pane a long name is what runs off, not the numbers.
            [i18n.t("col_sku"), i18n.t("col_sellable"), i18n.t("col_reorder_point"),
             i18n.t("col_name")],
            [(a.sku, [a.sku, str(a.sellable), str(a.reorder_point), a.name]) for a in alerts],
        )
        empty = self.query_one("#alerts-empty", Static)
        empty.update(i18n.t("no_alerts"))
        empty.display = not alerts


def _notification_prompt(at: str, message: str) -> Table:
    """One notification: the time, then the message wrapping in its own column."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(at, message)
    return grid


def _fill_table(table: DataTable[str], headers: list[str],
                rows: list[tuple[str, list[str]]]) -> None:
    """Replace a table's columns and rows, keeping the cursor on the same row number."""
    cursor = table.cursor_row
    table.clear(columns=True)
    # Widths are measured here rather than left to DataTable's auto width: that is worked
    # out later, on idle, and a frame drawn in between stays cached with the old widths.
    for i, header in enumerate(headers):
        width = max([cell_len(header), *(cell_len(cells[i]) for _, cells in rows)])
        table.add_column(header, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)
    table.display = bool(rows)
    if rows:
        table.move_cursor(row=min(cursor, len(rows) - 1))
