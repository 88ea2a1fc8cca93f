"""The Textual app: a small shell around the screens (`make_app()` is used by the CLI and tests).

Start-up paints first and opens the database afterwards, in a worker thread: importing
sqlmodel costs about 0.4 s, so `rma_tui.service` (and the store behind it) is imported only
inside that worker. Nothing at module level here pulls in sqlmodel or sqlalchemy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.screens import Problem, problem_from
from rma_tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from rma_tui.service import UserView
    from rma_tui.store.db import Database

# Seconds between automatic refreshes, so changes made at other terminals show up.
REFRESH_SECONDS = 5.0


class RmaApp(App[None]):
    """The returns desk. Holds the open database, the signed-in user and the language."""

    CSS_PATH = "app.tcss"
    TITLE = "rma"
    # Narrow terminals (a default 80x24 SSH window) stack panes instead of placing them side
    # by side; the class lands on every screen, so app.tcss can style both layouts.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "refresh"),
        Binding("l", "toggle_language", "language"),
        Binding("q", "quit", "quit"),
    ]
    # Footer text per action, as i18n keys; applied in `_translate_bindings`.
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "refresh": "app_key_refresh",
        "toggle_language": "app_key_language",
        "quit": "app_key_quit",
    }

    class SessionLoaded(Message):
        """The database is open and the shop name and the user have been read."""

        def __init__(self, database: Database, shop_name: str, user: UserView | None) -> None:
            self.database = database
            self.shop_name = shop_name
            self.user = user
            super().__init__()

    class SessionFailed(Message):
        """The database could not be opened or read."""

        def __init__(self, problem: Problem) -> None:
            self.problem = problem
            super().__init__()

    def __init__(self, db: str, user: str, lang: str,
                 refresh_seconds: float = REFRESH_SECONDS) -> None:
        i18n.set_lang(lang)
        super().__init__()
        self.db_location = db
        self.user_name = user
        self.refresh_seconds = refresh_seconds
        self.database: Database | None = None
        self.user: UserView | None = None
        self.shop_name = ""
        self.problem: Problem | None = None
        self._translate_bindings()
        self._show_title()

    # -- start-up -------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Paint the home screen at once; open the database in the background."""
        self.push_screen(HomeScreen())
        # After the first frame: the worker's imports would otherwise compete with the
        # first paint for the GIL.
        self.call_after_refresh(self.load_session)
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.action_refresh)

    @work(thread=True, exclusive=True, group="session")
    def load_session(self) -> None:
        """Open the database (first time only) and read the shop name and the user."""
        worker = get_current_worker()
        try:
            # Imported here, not at the top: this is the slow part of start-up.
            from rma_tui import service
            from rma_tui.store.db import Database

            database = self.database or Database(self.db_location)
            # No default here: the app's own title follows the language switch.
            shop_name = service.get_setting(database, "shop_name", "")
            user = service.get_user(database, self.user_name)
        except Exception as exc:  # any failure becomes a message on screen, never a crash
            problem = problem_from(exc, self.db_location)
            if not worker.is_cancelled:
                self.post_message(self.SessionFailed(problem))
            return
        if not worker.is_cancelled:
            self.post_message(self.SessionLoaded(database, shop_name, user))

    def on_rma_app_session_loaded(self, message: SessionLoaded) -> None:
        """Keep what the worker read, update the header and let the screen load its data."""
        self.database = message.database
        self.shop_name = message.shop_name
        self.user = message.user
        if message.user is None:
            self.problem = Problem("app_unknown_user", {"user": self.user_name})
        elif not message.user.active:
            self.problem = Problem("app_inactive_user", {"user": self.user_name})
        else:
            self.problem = None
        self._show_title()
        self._reload_screen()

    def on_rma_app_session_failed(self, message: SessionFailed) -> None:
        """Show why the shop cannot be read (the screen shows `self.problem`)."""
        self.problem = message.problem
        self._show_title()
        self._reload_screen()

    def on_unmount(self) -> None:
        """Close the pooled connections."""
        if self.database is not None:
            self.database.dispose()

    # -- actions --------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Read everything again (the header and the current screen)."""
        self.load_session()

    def action_toggle_language(self) -> None:
        """Switch between Chinese and English."""
        i18n.set_lang("en" if i18n.get_lang() == "zh" else "zh")
        self._translate_bindings()
        self._show_title()
        self._reload_screen(relabel=True)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette offers the app's own actions too, in the current language."""
        yield SystemCommand(i18n.t("app_key_refresh"), i18n.t("app_help_refresh"),
                            self.action_refresh)
        yield SystemCommand(i18n.t("app_key_language"), i18n.t("app_help_language"),
                            self.action_toggle_language)
        yield from super().get_system_commands(screen)

    # -- helpers --------------------------------------------------------------------------

    @property
    def role(self) -> str | None:
        """The signed-in user's role, or None while unknown."""
        return self.user.role if self.user is not None and self.user.active else None

    def _show_title(self) -> None:
        self.title = self.shop_name or i18n.t("app_title")
        if self.user is not None:
            self.sub_title = i18n.t("app_subtitle", user=self.user.name, role=self.user.role)
        else:
            self.sub_title = self.user_name

    def _translate_bindings(self) -> None:
        # Binding descriptions are fixed when the class is made, but the footer must follow
        # the language chosen at run time, so the app's own map is rewritten in place.
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=i18n.t(self.BINDING_KEYS[b.action]))
                if b.action in self.BINDING_KEYS else b
                for b in bindings
            ]
        self.refresh_bindings()

    def _reload_screen(self, relabel: bool = False) -> None:
        screen = self.screen if self.screen_stack else None
        if isinstance(screen, HomeScreen):
            if relabel:
                screen.relabel()
            screen.reload()


def make_app(db: str, user: str, lang: str, refresh_seconds: float = REFRESH_SECONDS) -> RmaApp:
    """The app for database `db` (a path or an SQLAlchemy URL), `user`, and `lang` (zh|en)."""
    return RmaApp(db, user, lang, refresh_seconds=refresh_seconds)
