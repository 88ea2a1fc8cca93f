"""The desk's app as its screens and widgets see it: who is signed in, which shop, which
database, and the few things they may ask of it.

`rma_tui.app.RmaApp` is the one desk app; it derives from `DeskApp`, so the screens can
name the app's type without importing the app (which imports them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from rma_tui import i18n

if TYPE_CHECKING:
    from rma_tui.service import Database, ShopView, UserView
    from rma_tui.widgets.common import Problem


class DeskApp(App[None]):
    """The session of the desk: `db_location` (what `--db` named), `user_name` (who is at
    the terminal), once open the `database`, the signed-in `user`, the `shop` the desk shows
    and writes to (None: every shop, for a chain-wide user), the chain's `shops`, and the
    `problem` that keeps the shop's data from showing, if any."""

    def __init__(self, db: str, user: str) -> None:
        super().__init__()
        self.db_location = db
        self.user_name = user
        self.database: Database | None = None
        self.user: UserView | None = None
        self.shop: str | None = None
        self.shops: list[ShopView] = []
        self.problem: Problem | None = None

    @property
    def role(self) -> str | None:
        """The signed-in user's role, or None while unknown."""
        return self.user.role if self.user is not None and self.user.active else None

    @property
    def is_chain(self) -> bool:
        """True when the database holds several shops (a single shop shows none of it)."""
        return len(self.shops) > 1

    def shop_label(self, code: str | None) -> str:
        """A shop's name (its code if unknown); None is every shop (全部门店)."""
        if code is None:
            return i18n.t("app_all_shops")
        return next((s.name for s in self.shops if s.code == code), code)

    def show_slip(self, number: str) -> None:
        """Open a read-only view of slip `number`."""
        raise NotImplementedError

    def setup_done(self, database: Database, owner: UserView) -> None:
        """The setup screen saved the shop: sign in as its owner."""
        raise NotImplementedError

    def action_refresh(self) -> None:
        """Read the shop again for the screen shown."""
        raise NotImplementedError
