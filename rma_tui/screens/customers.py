"""The customers screen: find a customer by name or phone and see their
whole history: purchases, slips, feedback, follow-ups (回访) and store credit, with the
return rate and the repeat-returner flag at the top. A "to call back" list (shown until
the first search; c toggles it) has the open follow-ups due by now, the longest overdue
first. n notes a follow-up, d marks the
highlighted one done; Enter on a slip opens it.

A clerk's path: type the phone, Enter, and the profile is there (the first customer found
is highlighted). Every read runs in a worker (`rma_tui.reads.customers`); the app calls
`reload()` every few seconds and the tables are redrawn only when what was read changed,
so the cursor stays where the clerk left it. The lists and the profile are widgets
(`widgets.customer_lists`, `widgets.customer_profile`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, TabbedContent

from rma_tui import i18n
from rma_tui.screens.base import DeskScreen, ProblemMessage
from rma_tui.screens.dialogs import TextPromptDialog
from rma_tui.widgets.common import local_time
from rma_tui.widgets.customer_lists import CustomerLists
from rma_tui.widgets.customer_profile import TABS, CustomerProfilePane, slip_of_row
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.message_line import MessageLine

if TYPE_CHECKING:
    from rma_tui.reads.customers import CustomerHit, CustomerProfile
    from rma_tui.service import Database, FollowUpView

# Customers read per search (type more to narrow it down).
SEARCH_LIMIT = 50

class CustomersScreen(DeskScreen):
    """Customers: search, profile with history, follow-ups, the "to call back" list."""

    DEFAULT_CSS = """
    CustomersScreen #cust-search {
        margin: 0 1;
    }
    CustomersScreen #cust-body {
        height: 1fr;
    }
    CustomersScreen #cust-left {
        width: 40;
        height: 1fr;
    }
    CustomersScreen #cust-left DataTable {
        height: 1fr;
    }
    CustomersScreen #cust-callback {
        display: none;
    }
    CustomersScreen.-callback #cust-callback {
        display: block;
    }
    CustomersScreen.-callback #cust-results {
        display: none;
    }
    CustomersScreen #cust-left-note {
        color: $text-muted;
        padding: 0 1;
        height: auto;
    }
    CustomersScreen #cust-profile {
        width: 1fr;
        height: 1fr;
    }
    CustomersScreen #cust-summary {
        height: auto;
        padding: 0 1;
    }
    CustomersScreen #cust-tabs {
        height: 1fr;
    }
    CustomersScreen #cust-tabs TabPane {
        padding: 0;
        height: 1fr;
    }
    CustomersScreen #cust-tabs DataTable {
        height: 1fr;
    }
    CustomersScreen #cust-message {
        padding: 0 1;
        display: none;
    }
    CustomersScreen #cust-message.-ok, CustomersScreen #cust-message.-error {
        display: block;
    }
    /* 80x24: the list above (short), the profile under it. */
    CustomersScreen.-narrow #cust-body {
        layout: vertical;
    }
    CustomersScreen.-narrow #cust-left {
        width: 1fr;
        height: 7;
    }
    CustomersScreen.-narrow #cust-search {
        margin: 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "search"),
        Binding("c", "toggle_call_back", "call back"),
        Binding("n", "add_follow_up", "follow-up"),
        Binding("d", "complete_follow_up", "done"),
        Binding("t", "next_tab", "tab"),
        Binding("escape", "back", "back", show=False),
    ]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "focus_search": "cust_key_search",
        "toggle_call_back": "cust_key_call_back",
        "add_follow_up": "cust_key_add",
        "complete_follow_up": "cust_key_done",
        "next_tab": "cust_key_tab",
    }

    class SearchDone(Message):
        """A worker found the customers matching `query`."""

        def __init__(self, query: str, hits: list[CustomerHit]) -> None:
            self.query = query
            self.hits = hits
            super().__init__()

    class ProfileLoaded(Message):
        """A worker read a customer's profile."""

        def __init__(self, profile: CustomerProfile) -> None:
            self.profile = profile
            super().__init__()

    class CallBackLoaded(Message):
        """A worker read the "to call back" list."""

        def __init__(self, rows: list[FollowUpView], at: datetime) -> None:
            self.rows = rows
            self.at = at
            super().__init__()

    class LoadFailed(ProblemMessage):
        """A worker could not read."""

    class ActionDone(Message):
        """A follow-up was marked done."""

        def __init__(self, view: FollowUpView) -> None:
            self.view = view
            super().__init__()

    class ActionFailed(ProblemMessage):
        """The service refused to mark a follow-up done; nothing changed."""

    def __init__(self, *, now: datetime | None = None, name: str | None = None,
                 id: str | None = "customers") -> None:  # noqa: A002 - Textual's name
        super().__init__(name=name, id=id)
        # A fixed clock for tests and snapshots; None means the real time.
        self.fixed_now = now
        self.query_text = ""
        self.hits: list[CustomerHit] = []
        self.searched = False
        self.phone: str | None = None
        self.profile: CustomerProfile | None = None
        self.call_back: list[FollowUpView] = []
        self.call_back_at: datetime | None = None
        self.call_back_loaded = False

    def now(self) -> datetime:
        """The time the screen works at (the fixed clock, else now)."""
        if self.fixed_now is not None:
            return self.fixed_now
        from rma_tui.service import utcnow

        return utcnow()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="cust-search", max_length=64)
        with Horizontal(id="cust-body"):
            yield CustomerLists(id="cust-left", classes="desk-pane")
            yield CustomerProfilePane(id="cust-profile", classes="desk-pane")
        yield MessageLine(id="cust-message")
        yield Footer()

    def on_mount(self) -> None:
        # Until the first search the list shows what is due to call back: the first thing
        # a clerk should see of the customers is who is waiting for a call.
        self.add_class("-callback")
        self.relabel()
        self.query_one("#cust-search", Input).focus()
        self.reload()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read again what is on screen: the search, the profile, the call-back list."""
        app = self.rma
        if app.problem is not None:
            self.query_one(MessageLine).say_error(app.problem)
            return
        if app.database is None:
            return
        if self.query_text:
            self._search(app.database, app.db_location, self.query_text)
        if self.phone is not None:
            self._load_profile(app.database, app.db_location, self.phone, self.now())
        if self.has_class("-callback"):
            self._load_call_back(app.database, app.db_location, self.now())

    @work(thread=True, exclusive=True, group="cust-search")
    def _search(self, database: Database, location: str, query: str) -> None:
        from rma_tui.reads.customers import search_customers

        self.post_read(lambda: self.SearchDone(query, search_customers(
            database, query, limit=SEARCH_LIMIT + 1)), self.LoadFailed, location)

    @work(thread=True, exclusive=True, group="cust-profile")
    def _load_profile(self, database: Database, location: str, phone: str,
                      now: datetime) -> None:
        from rma_tui.reads.customers import customer_profile

        self.post_read(lambda: self.ProfileLoaded(customer_profile(database, phone, now=now)),
                       self.LoadFailed, location)

    @work(thread=True, exclusive=True, group="cust-call-back")
    def _load_call_back(self, database: Database, location: str, now: datetime) -> None:
        from rma_tui.reads.customers import call_back_list

        self.post_read(lambda: self.CallBackLoaded(call_back_list(database, now), now),
                       self.LoadFailed, location)

    def on_customers_screen_search_done(self, message: SearchDone) -> None:
        """Show the customers found; a new search highlights the first and shows it."""
        if message.query != self.query_text:
            return
        first_time = not self.searched
        self.searched = True
        self.hits = message.hits
        self._fill_results()
        if first_time:
            table = self.query_one("#cust-results", DataTable)
            if self.hits:
                if self.has_class("-callback"):
                    self.remove_class("-callback")
                    self._left_title()
                table.focus()
                self._select(self.hits[0].phone)
                count = f"{SEARCH_LIMIT}+" if len(self.hits) > SEARCH_LIMIT else len(self.hits)
                self.query_one(MessageLine).say("ok", "cust_found", count=count,
                                                query=message.query)
            else:
                self.query_one(MessageLine).say("error", "cust_no_results",
                                                query=message.query)

    def on_customers_screen_profile_loaded(self, message: ProfileLoaded) -> None:
        """Show the profile (unless another customer was picked meanwhile)."""
        if message.profile.phone != self.phone:
            return
        self.profile = message.profile
        self._fill_profile()

    def on_customers_screen_call_back_loaded(self, message: CallBackLoaded) -> None:
        """Show the follow-ups due."""
        self.call_back = message.rows
        self.call_back_at = message.at
        self.call_back_loaded = True
        self._fill_call_back()
        self._left_title()

    def on_customers_screen_load_failed(self, message: LoadFailed) -> None:
        """Say why something could not be read."""
        self.query_one(MessageLine).say_error(message.problem)

    # -- moving around --------------------------------------------------------------------

    @on(Input.Submitted, "#cust-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.find(event.value)

    def find(self, text: str) -> None:
        """Search customers by name or phone and show the first one found (also for the
        command palette: `find(phone)` opens that customer)."""
        text = text.strip()
        self.query_one("#cust-search", Input).value = text
        if not text:
            self.query_one(MessageLine).say("error", "cust_search_hint")
            return
        database = self.rma.database
        if database is None:
            return
        self.query_text = text
        self.searched = False
        self._search(database, self.rma.db_location, text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """A customer (or a follow-up in the call-back list) highlighted: show them."""
        key = event.row_key.value
        if key is None:
            return
        # Only the list on show picks the customer: the hidden one is refilled too (after
        # a language switch or a reload), which must not change whose profile is open.
        callback = self.has_class("-callback")
        if event.data_table.id == "cust-results" and not callback:
            self._select(key)
        elif event.data_table.id == "cust-callback" and callback:
            item = next((f for f in self.call_back if str(f.id) == key), None)
            if item is not None:
                self._select(item.phone)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: on a customer, into their profile; on a slip (or its feedback, follow-up,
        credit move), the slip itself."""
        table = event.data_table
        if table.id in ("cust-results", "cust-callback"):
            self.query_one("#cust-tabs", TabbedContent).query_one("Tabs").focus()
            return
        number = self._slip_of_row(table)
        if number:
            self.rma.show_slip(number)

    def _slip_of_row(self, table: DataTable[object]) -> str | None:
        return slip_of_row(self.profile, table)

    def _select(self, phone: str) -> None:
        if phone == self.phone and self.profile is not None:
            return
        self.phone = phone
        database = self.rma.database
        if database is not None:
            self._load_profile(database, self.rma.db_location, phone, self.now())

    def action_focus_search(self) -> None:
        """Back to the search field, its text selected for a new search."""
        field = self.query_one("#cust-search", Input)
        field.focus()
        field.select_all()

    def action_back(self) -> None:
        """Escape: from the search field or the profile to the list, from the list to the
        search field."""
        focused = self.app.focused
        left = self.query_one("#cust-callback" if self.has_class("-callback")
                              else "#cust-results", DataTable)
        in_profile = (focused is not None
                      and focused in self.query_one("#cust-profile").walk_children())
        if in_profile or focused is self.query_one("#cust-search", Input):
            left.focus()
        else:
            self.action_focus_search()

    def action_next_tab(self) -> None:
        """Show the profile's next tab."""
        tabbed = self.query_one("#cust-tabs", TabbedContent)
        ids = list(TABS)
        tabbed.active = ids[(ids.index(tabbed.active) + 1) % len(ids)] if tabbed.active \
            in ids else ids[0]

    def action_toggle_call_back(self) -> None:
        """Switch the list between the customers found and the "to call back" list."""
        self.toggle_class("-callback")
        self._left_title()
        table = self.query_one("#cust-callback" if self.has_class("-callback")
                               else "#cust-results", DataTable)
        table.focus()
        database = self.rma.database
        if self.has_class("-callback") and database is not None:
            self._load_call_back(database, self.rma.db_location, self.now())

    # -- follow-ups -----------------------------------------------------------------------

    def _refused(self) -> bool:
        """Say so (and return True) when the user may not note or complete follow-ups."""
        user = self.rma.user
        if user is None or self.rma.database is None:
            return True
        from rma_tui import service  # loaded with the session by now

        refused = service.role_refusal(user.name, user.role, service.FOLLOW_UP_ROLES)
        if refused is not None:
            self.query_one(MessageLine).say_error(refused)
            return True
        return False

    def action_add_follow_up(self) -> None:
        """Note a follow-up for the customer on screen (a dialog: note, due date, slip)."""
        if self._refused():
            return
        profile = self.profile
        database, user = self.rma.database, self.rma.user
        if profile is None or database is None or user is None:
            self.query_one(MessageLine).say("error", "cust_pick_customer")
            return
        from rma_tui.widgets.customer_follow_up import FollowUpDialog

        # From a slip row the follow-up is about that slip (the clerk can clear it).
        slips = self.query_one("#cust-slips", DataTable)
        slip = self._slip_of_row(slips) if self.app.focused is slips else None

        def done(view: FollowUpView | None) -> None:
            if view is None:
                self.query_one(MessageLine).say("ok", "cb_cancelled")
                return
            self.query_one(MessageLine).say("ok", "cust_fu_added", id=view.id,
                                            name=view.customer_name,
                                            due=view.due_at.astimezone().strftime("%Y-%m-%d"))
            self.query_one("#cust-tabs", TabbedContent).active = "cust-tab-follow"
            self._refresh_after_write()

        self.app.push_screen(FollowUpDialog(database, user.name, profile.name, profile.phone,
                                            self.now(), slip), done)

    def current_follow_up(self) -> FollowUpView | None:
        """The follow-up highlighted: in the call-back list when it has the keyboard (or
        the profile is not on its follow-ups tab), else in the follow-ups tab."""
        callback = self.query_one("#cust-callback", DataTable)
        follow = self.query_one("#cust-follow", DataTable)
        tab_follow = self.query_one("#cust-tabs", TabbedContent).active == "cust-tab-follow"
        in_call_back = self.has_class("-callback") and self.call_back and callback.row_count
        if in_call_back and (self.app.focused is callback or not tab_follow):
            row = min(max(callback.cursor_row, 0), len(self.call_back) - 1)
            return self.call_back[row]
        if tab_follow and self.profile is not None and follow.row_count:
            row = min(max(follow.cursor_row, 0), len(self.profile.follow_ups) - 1)
            return self.profile.follow_ups[row]
        return None

    def action_complete_follow_up(self) -> None:
        """Mark the highlighted follow-up done, with its outcome (a dialog)."""
        if self._refused():
            return
        item = self.current_follow_up()
        if item is None or item.done:
            self.query_one(MessageLine).say("error", "cust_pick_follow_up")
            return
        dialog = TextPromptDialog(
            i18n.t("cust_done_title", id=item.id, name=item.customer_name),
            i18n.t("cust_done_label", note=item.note), required=False, max_length=2000)

        def done(outcome: str | None) -> None:
            if outcome is None:
                self.query_one(MessageLine).say("ok", "cb_cancelled")
                return
            app = self.rma
            if app.database is not None and app.user is not None:
                self._complete(app.database, app.db_location, app.user.name, item.id, outcome,
                               self.now())

        self.app.push_screen(dialog, done)

    @work(thread=True, exclusive=True, group="cust-action")
    def _complete(self, database: Database, location: str, actor: str, follow_up_id: int,
                  outcome: str, now: datetime) -> None:
        from rma_tui import service

        # A refusal or a database error: said, not raised.
        self.post_read(lambda: self.ActionDone(service.complete_follow_up(
            database, actor, follow_up_id, outcome, now=now)), self.ActionFailed, location)

    def on_customers_screen_action_done(self, message: ActionDone) -> None:
        """Say what was done and read again."""
        self.query_one(MessageLine).say("ok", "cust_fu_completed", id=message.view.id,
                                        name=message.view.customer_name)
        self._refresh_after_write()

    def on_customers_screen_action_failed(self, message: ActionFailed) -> None:
        """Say why the service refused."""
        self.query_one(MessageLine).say_error(message.problem)
        self._refresh_after_write()

    def _refresh_after_write(self) -> None:
        app = self.rma
        if app.database is None:
            return
        if self.phone is not None:
            self._load_profile(app.database, app.db_location, self.phone, self.now())
        if self.has_class("-callback"):
            self._load_call_back(app.database, app.db_location, self.now())

    # -- drawing --------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text in the current language (after a language switch)."""
        translate_bindings(self, self.BINDING_KEYS)
        self.sub_title = i18n.t("cust_title")
        self.query_one("#cust-search", Input).placeholder = i18n.t("cust_search_placeholder")
        self.query_one(CustomerProfilePane).relabel()
        self.query_one(CustomerLists).forget()
        self._left_title()
        self._fill_results()
        self._fill_call_back()
        self._fill_profile()
        self.query_one(MessageLine).relabel()

    def _left_title(self) -> None:
        lists = self.query_one(CustomerLists)
        if self.has_class("-callback"):
            at = self.call_back_at or self.now()
            lists.show_title(i18n.t("cust_call_back_heading", count=len(self.call_back),
                                    at=local_time(at)),
                             i18n.t("cust_call_back_empty")
                             if self.call_back_loaded and not self.call_back else "")
            return
        more = len(self.hits) > SEARCH_LIMIT
        count = f"{SEARCH_LIMIT}+" if more else str(len(self.hits))
        if more:
            note = i18n.t("entry_more_results", n=SEARCH_LIMIT)
        elif self.searched and not self.hits:
            note = i18n.t("cust_no_results", query=self.query_text)
        elif not self.searched:
            note = i18n.t("cust_search_hint")
        else:
            note = ""
        lists.show_title(i18n.t("cust_results", count=count), note)

    def _fill_results(self) -> None:
        self._left_title()
        self.query_one(CustomerLists).show_hits(self.hits, self.phone, self.rma.role,
                                                SEARCH_LIMIT)

    def _fill_call_back(self) -> None:
        self.query_one(CustomerLists).show_call_back(
            self.call_back, self.call_back_at or self.now(), self.rma.role)

    def _fill_profile(self) -> None:
        self.query_one(CustomerProfilePane).show(self.profile, self.rma.role)

    def current_phone(self) -> str | None:
        """The phone of the customer whose profile is on screen."""
        return self.profile.phone if self.profile is not None else None

    def row_keys(self, table_id: str) -> list[str]:
        """The first cell of every row of a table (for tests and checks)."""
        table = self.query_one(f"#{table_id}", DataTable)
        return [str(table.get_cell_at(Coordinate(i, 0))) for i in range(table.row_count)]


