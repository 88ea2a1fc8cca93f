"""What every screen and widget shows the same way: problems, phones, local times, found
products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rma_tui import i18n

if TYPE_CHECKING:
    from rma_tui.service import ProductHit


@dataclass(frozen=True)
class Problem:
    """Why a screen cannot show shop data: an i18n key and its parameters."""

    key: str
    params: dict[str, Any]

    def text(self) -> str:
        """The message in the current language."""
        return i18n.t(self.key, **self.params)


def problem_from(exc: Exception, db: str) -> Problem:
    """Turn an error from opening or reading the database into a message for the user."""
    from rma_tui.errors import DomainError

    if not isinstance(exc, DomainError):
        from rma_tui import service

        exc = service.damage_error(db, exc) or exc
    if isinstance(exc, DomainError):
        return Problem(exc.key, {"field": exc.field or "", **exc.params})
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    # SQLite says "no such table" (PostgreSQL "relation ... does not exist") for a database
    # that `rma init` has not prepared yet.
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return Problem("app_db_not_initialised", {"db": db})
    return Problem("app_db_error", {"db": db, "error": text})


def phone_text(role: str | None, phone: str | None) -> str:
    """A customer's phone as the signed-in `role` may see it: whole for the roles whose work
    needs it, else masked (the service's rule, `service.phone_for`)."""
    if not phone:
        return ""
    from rma_tui import service  # loaded by the session worker long before anything shows

    return service.phone_for(role, phone) or ""


def local_time(at: datetime) -> str:
    """A stored UTC time as the shop reads it: local month-day hour:minute."""
    return at.astimezone().strftime("%m-%d %H:%M")


def product_option(p: ProductHit) -> str:
    """A found product as one line of a list: SKU, name, sellable stock and price."""
    return i18n.t("entry_repl_option", sku=p.sku, name=p.name, sellable=p.sellable,
                  price_fen=p.unit_price_fen)
