"""The Textual app: a small shell around the screens (`make_app()` is used by the CLI and tests).

Start-up paints first and opens the database afterwards, in a worker thread: importing
sqlmodel costs about 0.4 s, so `rma_tui.service` (and the store behind it) is imported only
inside that worker. Nothing at module level here pulls in sqlmodel or sqlalchemy, and the
counter screens are imported the first time they are shown.

Screens are Textual modes, one per number key (1 home, 2 slip entry, 3 review,
4 inspection, 5 settlement, 6 stock, 7 customers, 8 finance, 9 audit, 0 reports); each keeps
its own stack, so a half-typed slip is still there after a look at the review queue. On an
empty database a first-run setup screen is pushed over the home screen instead.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.screens.base import DeskScreen
from rma_tui.screens.dialogs import SwitchUserDialog
from rma_tui.screens.home import HomeScreen
from rma_tui.screens.palette import DeskCommands
from rma_tui.widgets.common import Problem, problem_from
from rma_tui.widgets.desk_app import DeskApp
from rma_tui.widgets.desk_bindings import translate_bindings

if TYPE_CHECKING:
    from rma_tui.screens.setup import SetupScreen
    from rma_tui.service import Database, ShopView, UserView

# Seconds between automatic refreshes, so changes made at other terminals show up.
REFRESH_SECONDS = 5.0
# Below this many columns the layout is "narrow" (as HORIZONTAL_BREAKPOINTS says).
NARROW_WIDTH = 100
# Below this many columns the ten screen keys share one footer entry ("1234567890 页面"),
# leaving room for the current screen's own keys; wider, each has its own.
SPLIT_FOOTER_WIDTH = 160


def _lazy(module: str, name: str) -> Callable[[], Screen[None]]:
    """A mode's screen factory that imports the screen's module only when first shown."""

    def make() -> Screen[None]:
        screen: Screen[None] = getattr(importlib.import_module(module), name)()
        return screen

    return make


# Mode name -> (number key, i18n key of its footer text).
SCREENS: dict[str, tuple[str, str]] = {
    "home": ("1", "app_key_home"),
    "entry": ("2", "app_key_entry"),
    "review": ("3", "app_key_review"),
    "inspection": ("4", "app_key_inspection"),
    "settlement": ("5", "app_key_settlement"),
    "stock": ("6", "app_key_stock"),
    "customers": ("7", "app_key_customers"),
    "finance": ("8", "app_key_finance"),
    "audit": ("9", "app_key_audit"),
    "reports": ("0", "app_key_reports"),
}


class RmaApp(DeskApp):
    """The returns desk. Holds the open database, the signed-in user and the language."""

    # Absolute, so a subclass elsewhere (tests) finds it too.
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "rma"
    # Narrow terminals (a default 80x24 SSH window) stack panes instead of placing them side
    # by side; the class lands on every screen, so app.tcss can style both layouts.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]
    MODES: ClassVar[dict[str, str | Callable[[], Screen[None]]]] = {
        "home": HomeScreen,
        "entry": _lazy("rma_tui.screens.entry", "SlipEntryScreen"),
        "review": _lazy("rma_tui.screens.review", "ReviewScreen"),
        "inspection": _lazy("rma_tui.screens.inspection", "InspectionScreen"),
        "settlement": _lazy("rma_tui.screens.settlement", "SettlementScreen"),
        "stock": _lazy("rma_tui.screens.stock", "StockScreen"),
        "customers": _lazy("rma_tui.screens.customers", "CustomersScreen"),
        "finance": _lazy("rma_tui.screens.finance", "FinanceScreen"),
        "audit": _lazy("rma_tui.screens.audit", "AuditScreen"),
        "reports": _lazy("rma_tui.screens.reports", "ReportsScreen"),
    }
    DEFAULT_MODE = "home"
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"show_{mode}", mode) for mode, (key, _) in SCREENS.items()),
        # A priority binding: it works from inside a field too (where ctrl+u would otherwise
        # clear the text to its left). F2 as well, where a screen does not use it itself.
        Binding("ctrl+u", "switch_user", "switch user", priority=True),
        Binding("f2", "switch_user", "switch user", show=False),
        # Only in a chain of several shops (check_action hides it otherwise).
        Binding("f6", "switch_shop", "switch shop"),
        Binding("r", "refresh", "refresh"),
        Binding("l", "toggle_language", "language"),
        Binding("q", "quit", "quit"),
    ]
    # Footer text per action, as i18n keys; applied in `_translate_bindings`.
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        **{f"show_{mode}": key for mode, (_, key) in SCREENS.items()},
        "switch_user": "app_key_switch_user",
        "switch_shop": "app_key_switch_shop",
        "refresh": "app_key_refresh",
        "toggle_language": "app_key_language",
        "quit": "app_key_quit",
    }
    # Actions refused while the user types (a digit typed into a field is not a screen
    # change) and while a dialog or the first-run setup is open.
    _NAVIGATION: ClassVar[frozenset[str]] = frozenset(
        {*(f"show_{mode}" for mode in SCREENS), "switch_user", "switch_shop", "refresh",
         "toggle_language"})

    class SessionLoaded(Message):
        """The database is open; the shop name, the user and its unread count were read,
        with the chain's shops and the one the user's reads show (None: every shop)."""

        def __init__(self, database: Database, shop_name: str, user: UserView | None,
                     unread: int, shops: list[ShopView] | None = None,
                     shop: str | None = None) -> None:
            self.database = database
            self.shop_name = shop_name
            self.user = user
            self.unread = unread
            self.shops = shops or []
            self.shop = shop
            super().__init__()

    class SessionFailed(Message):
        """The database could not be opened or read."""

        def __init__(self, problem: Problem) -> None:
            self.problem = problem
            super().__init__()

    class PinNeeded(Message):
        """The user the desk was started as has a PIN not yet given: ask it before any of
        the shop's data is shown."""

        def __init__(self, database: Database, user: UserView) -> None:
            self.database = database
            self.user = user
            super().__init__()

    class SetupNeeded(Message):
        """The database has no shop yet (no file, no tables or no users): run the setup."""

        def __init__(self, database: Database | None) -> None:
            self.database = database
            super().__init__()

    def __init__(self, db: str, user: str, lang: str,
                 refresh_seconds: float = REFRESH_SECONDS) -> None:
        i18n.set_lang(lang)
        super().__init__(db, user)
        self.refresh_seconds = refresh_seconds
        self.shop_name = ""
        self.unread = 0
        # The shop a chain-wide user picked (kept across refreshes, forgotten when another
        # user signs in).
        self.shop_choice: str | None = None
        # The user who proved who they are at this desk (their PIN, or they have none):
        # until then nothing of the shop is read in their name.
        self.proven: str | None = None
        self.setup_screen: SetupScreen | None = None
        # The language each mode's screen was last drawn in, so a screen shown after a
        # language switch is relabelled first.
        self._drawn_in: dict[str, str] = {}
        self._narrow_footer = False
        self._translate_bindings()
        self._show_title()

    # -- start-up -------------------------------------------------------------------------

    def on_mount(self) -> None:
        """The home screen is painted at once (default mode); open the database after."""
        self._drawn_in["home"] = i18n.get_lang()
        # After the first frame: the worker's imports would otherwise compete with the
        # first paint for the GIL.
        self.call_after_refresh(self.load_session)
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.action_refresh)

    @work(thread=True, exclusive=True, group="session")
    def load_session(self) -> None:
        """Open the database (first time only), read the shop name, the user and its count
        of unread notifications; or find that the shop still has to be set up."""
        worker = get_current_worker()
        message: Message
        try:
            # Imported here, not at the top: this is the slow part of start-up.
            from rma_tui import service
            from rma_tui.service import Database, sqlite_file

            database = self.database
            if database is None:
                path = sqlite_file(self.db_location)
                if path is not None and not path.exists() and _can_create(path):
                    # No file: the setup screen creates it, only once the owner submits,
                    # so a mistyped --db leaves nothing behind.
                    if not worker.is_cancelled:
                        self.post_message(self.SetupNeeded(None))
                    return
                database = Database(self.db_location)
            blank = _is_blank(database)
            if not blank:
                # A file made by an older version is brought up to date (after a backup)
                # before any screen reads it; at head this costs a few milliseconds.
                from rma_tui.service import upgrade

                upgrade(database)
            if blank or service.needs_setup(database):
                message = self.SetupNeeded(database)
            else:
                # No default here: the app's own title follows the language switch.
                shop_name = service.get_setting(database, "shop_name", "")
                user = service.get_user(database, self.user_name)
                if user is not None and user.active and user.has_pin and (
                        self.proven != user.name):
                    if not worker.is_cancelled:
                        self.post_message(self.PinNeeded(database, user))
                    return
                shops = service.list_shops(database)
                shop = service.view_shop(database, user.name, self.shop_choice) if user else None
                unread = (service.count_notifications(database, user.role, shop=shop)
                          if user else 0)
                message = self.SessionLoaded(database, shop_name, user, unread, shops, shop)
        except Exception as exc:  # any failure becomes a message on screen, never a crash
            message = self.SessionFailed(problem_from(exc, self.db_location))
        if not worker.is_cancelled:
            self.post_message(message)

    def on_rma_app_session_loaded(self, message: SessionLoaded) -> None:
        """Keep what the worker read, update the header and let the screen load its data."""
        self.database = message.database
        self.shop_name = message.shop_name
        self.user = message.user
        self.unread = message.unread
        chain_before = self.is_chain
        self.shops = message.shops
        self.shop = message.shop
        if self.is_chain != chain_before:
            self.refresh_bindings()  # the shop switcher's key shows in a chain only
        if message.user is None:
            self.problem = Problem("app_unknown_user", {"user": self.user_name})
        elif not message.user.active:
            self.problem = Problem("app_inactive_user", {"user": self.user_name})
        else:
            self.problem = None
        self._show_title()
        self._reload_screen()

    def on_rma_app_pin_needed(self, message: PinNeeded) -> None:
        """Show nothing of the shop; ask the PIN of the user the desk was started as (the
        same dialog as Ctrl+U, their name filled in)."""
        self.database = message.database
        self.user = None
        self.problem = Problem("app_pin_needed", {"user": message.user.name})
        self._show_title()
        self._reload_screen()
        if any(isinstance(s, SwitchUserDialog) for s in self.screen_stack):
            return
        self.push_screen(SwitchUserDialog(message.database, message.user.name, ask_pin=True),
                         self._signed_in)

    def _signed_in(self, user: UserView | None) -> None:
        """A user proved who they are (Ctrl+U, or the PIN asked at start): sign them in."""
        if user is None:
            return
        self.user_name = user.name
        self.user = user
        self.proven = user.name
        self.shop_choice = None  # the next user's own shop, or every shop
        self.problem = None
        self._show_title()
        self.notify(i18n.t("switch_user_done", user=user.name, role=user.role))
        self.load_session()

    def on_rma_app_session_failed(self, message: SessionFailed) -> None:
        """Show why the shop cannot be read (the screen shows `self.problem`)."""
        self.problem = message.problem
        self._show_title()
        self._reload_screen()

    def on_rma_app_setup_needed(self, message: SetupNeeded) -> None:
        """Show the first-run setup over the home screen (once)."""
        self.database = message.database
        if self.setup_screen is not None:
            return
        from rma_tui.screens.setup import SetupScreen

        self.setup_screen = SetupScreen()
        if self.current_mode != "home":
            self.switch_mode("home")
        self.push_screen(self.setup_screen)

    def setup_done(self, database: Database, owner: UserView) -> None:
        """Called by the setup screen once the shop is saved: sign in as its owner."""
        self.database = database
        self.user_name = owner.name
        self.user = owner
        self.proven = owner.name  # who just chose the PIN
        self.shop_choice = None
        self.problem = None
        if self.setup_screen is not None:
            self.setup_screen = None
            self.pop_screen()
        self.notify(i18n.t("setup_done", user=owner.name))
        self.load_session()

    def on_unmount(self) -> None:
        """Close the pooled connections."""
        if self.database is not None:
            self.database.dispose()

    # -- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Refuse navigation while a field has the keyboard, a dialog or the setup is up.

        In a field the keys stay in the footer, shown as unavailable (None); over a dialog
        or the setup they are hidden (False): they mean nothing there."""
        if action == "switch_shop" and not self.is_chain:
            return False  # a single shop has nothing to switch to
        if action in self._NAVIGATION:
            if self.setup_screen is not None and action == "toggle_language":
                return True  # a new shop may want the other language from the start
            if self.setup_screen is not None or isinstance(self.screen, ModalScreen):
                return False
            if action.startswith("show_") and isinstance(self.focused, Input | TextArea):
                return None
        return True

    async def _show(self, mode: str) -> None:
        if self.setup_screen is not None:  # (the palette calls actions without check_action)
            return
        if mode != self.current_mode:
            await self.switch_mode(mode)
        self._reload_screen()

    async def action_show_home(self) -> None:
        """Go to the home screen (counts, notifications, alerts)."""
        await self._show("home")

    async def action_show_entry(self) -> None:
        """Go to slip entry (开单)."""
        await self._show("entry")

    async def action_show_review(self) -> None:
        """Go to the review queue (审核)."""
        await self._show("review")

    async def action_show_inspection(self) -> None:
        """Go to receiving and inspection (收货质检)."""
        await self._show("inspection")

    async def action_show_settlement(self) -> None:
        """Go to settlement (结算)."""
        await self._show("settlement")

    async def action_show_stock(self) -> None:
        """Go to stock (库存): levels, ledger, defective goods, supplier returns."""
        await self._show("stock")

    async def action_show_customers(self) -> None:
        """Go to customers (客户): history, follow-ups, store credit."""
        await self._show("customers")

    async def action_show_finance(self) -> None:
        """Go to finance (财务): refunds, journal, trial balance, daily close."""
        await self._show("finance")

    async def action_show_audit(self) -> None:
        """Go to the audit trail (审计)."""
        await self._show("audit")

    async def action_show_reports(self) -> None:
        """Go to reports and analysis (报表)."""
        await self._show("reports")

    def action_switch_user(self) -> None:
        """Ask who is at the terminal now (and their PIN) and sign them in."""
        if self.database is None or self.setup_screen is not None:
            self.bell()
            return
        self.push_screen(SwitchUserDialog(self.database, self.user_name), self._signed_in)

    def action_switch_shop(self) -> None:
        """A chain-wide user picks the shop the desk shows and writes to (or every shop);
        a shop's own user is told they cannot."""
        if self.database is None or self.setup_screen is not None or self.user is None:
            self.bell()
            return
        if self.user.shop is not None:
            self.notify(i18n.t("switch_shop_denied", user=self.user.name,
                               shop=self.shop_label(self.user.shop)), severity="warning")
            return
        from rma_tui.screens.dialogs import ALL_SHOPS, ShopSwitchDialog

        def chosen(code: str | None) -> None:
            if code is None:
                return
            self.shop_choice = None if code == ALL_SHOPS else code
            self.shop = self.shop_choice
            # The header says which shop is shown now (no toast: it would cover the
            # screen's own message line for seconds).
            self._show_title()
            # The header's unread count and the current screen, for the chosen shop.
            self.load_session()

        self.push_screen(ShopSwitchDialog(self.shops, self.shop), chosen)

    def action_refresh(self) -> None:
        """Read everything again (the header and the current screen)."""
        if self.setup_screen is None:
            self.load_session()

    def action_toggle_language(self) -> None:
        """Switch between Chinese and English."""
        i18n.set_lang("en" if i18n.get_lang() == "zh" else "zh")
        self._translate_bindings()
        self._show_title()
        if self.setup_screen is not None:
            self.setup_screen.relabel()
        self._reload_screen()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette offers the app's own actions too, in the current language."""
        for mode, (key, text) in SCREENS.items():
            yield SystemCommand(f"{i18n.t(text)} ({key})", i18n.t("app_help_show", number=key),
                                getattr(self, f"action_show_{mode}"))
        yield SystemCommand(i18n.t("app_key_switch_user"), i18n.t("app_help_switch_user"),
                            self.action_switch_user)
        if self.is_chain:
            yield SystemCommand(i18n.t("app_key_switch_shop"), i18n.t("app_help_switch_shop"),
                                self.action_switch_shop)
        yield SystemCommand(i18n.t("app_key_refresh"), i18n.t("app_help_refresh"),
                            self.action_refresh)
        yield SystemCommand(i18n.t("app_key_language"), i18n.t("app_help_language"),
                            self.action_toggle_language)
        yield from super().get_system_commands(screen)

    def show_slip(self, number: str) -> None:
        """Open a read-only view of slip `number` (from the command palette)."""
        if self.database is None:
            return
        from rma_tui.screens.slip_detail import SlipDetailScreen

        self.push_screen(SlipDetailScreen(self.database, number))

    # -- helpers --------------------------------------------------------------------------

    def _show_title(self) -> None:
        self.title = self.shop_name or i18n.t("app_title")
        if self.user is not None:
            who = i18n.t("app_subtitle", user=self.user.name, role=self.user.role)
            if self.is_chain:
                who = i18n.t("app_shop_user", shop=self.shop_label(self.shop), who=who)
            self.sub_title = "  ".join([who, i18n.t("app_unread", count=self.unread)])
        else:
            self.sub_title = self.user_name

    def _translate_bindings(self) -> None:
        # Binding descriptions are fixed when the class is made, but the footer must follow
        # the language chosen at run time, so the app's own map is rewritten in place.
        # Unless the terminal is very wide the screen keys share one footer entry.
        narrow = self.size.width < SPLIT_FOOTER_WIDTH
        screens = Binding.Group(i18n.t("app_key_screens"), compact=True) if narrow else None
        translate_bindings(self, self.BINDING_KEYS,
                           lambda b: screens if b.action.startswith("show_") else b.group)
        self._narrow_footer = narrow

    def on_resize(self) -> None:
        """Regroup the footer's screen keys when the terminal crosses the narrow width."""
        if (self.size.width < SPLIT_FOOTER_WIDTH) != self._narrow_footer:
            self._translate_bindings()

    def _reload_screen(self) -> None:
        """Let the current mode's desk screen read its data (relabelled first if it was
        drawn in another language)."""
        if not self.screen_stack:
            return
        desk = next((s for s in reversed(self.screen_stack) if isinstance(s, DeskScreen)), None)
        if desk is None:
            return
        lang = i18n.get_lang()
        if self._drawn_in.get(self.current_mode) != lang:
            self._drawn_in[self.current_mode] = lang
            desk.relabel()
        if desk.read_for_shop != self.shop:
            # What the screen kept (read for another shop) is not to be reused.
            desk.read_for_shop = self.shop
            desk.shop_changed()
        desk.reload()


def _can_create(path: Path) -> bool:
    """True when the file at `path` could be made (its nearest existing folder takes a
    file): only then is a missing database a new shop rather than a wrong path."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _is_blank(database: Database) -> bool:
    """True for a database with no tables at all (a new, empty file)."""
    from sqlalchemy import inspect

    with database.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def make_app(db: str, user: str, lang: str, refresh_seconds: float = REFRESH_SECONDS) -> RmaApp:
    """The app for database `db` (a path or an SQLAlchemy URL), `user`, and `lang` (zh|en)."""
    return RmaApp(db, user, lang, refresh_seconds=refresh_seconds)
