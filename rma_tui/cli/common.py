"""What every `rma` command shares: the invocation's state, opening the database and
signing the user in, turning refusals into messages and exit codes, output, and the
options several commands take.

Errors: a refused request (`DomainError`) prints its message in the current language to
stderr and exits 1; wrong usage exits 2 (typer's own, or `UsageDomainError`). No business
rule lives in the CLI: roles, policy, returnable quantities and every check are the
service's.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.text import Text

from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.policy import PolicyError
from rma_tui.render import err, out

if TYPE_CHECKING:
    from rma_tui.service import Database, UserView


F = TypeVar("F", bound=Callable[..., Any])


class UsageDomainError(DomainError):
    """A command line that cannot be parsed (a malformed --line or --grade): exit 2, like
    typer's own usage errors, but with a message in the shop's language."""


@dataclass
class State:
    """The resolved global options of one invocation, and the database once opened."""

    db: str
    user: str
    lang: str
    database: Database | None = None
    chain: bool | None = None  # several shops? (read once per invocation)
    proven: UserView | None = None  # the user, once signed in (PIN checked)


def cli_state(ctx: typer.Context) -> State:
    """The resolved global options of this invocation (set by the root callback)."""
    st = ctx.find_root().obj
    assert isinstance(st, State)
    return st


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` (never parsed as markup) to stderr; return the Exit to raise."""
    err().print(Text(f"{t('error_prefix')}: {message}", style="red"), soft_wrap=True)
    return typer.Exit(code)


def handled(fn: F) -> F:
    """Turn refused requests and database failures into a message on stderr and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UsageDomainError as e:
            raise fail(e.message(), code=2) from None
        except DomainError as e:
            raise fail(e.message()) from None
        except (typer.Exit, typer.Abort):
            raise
        except PolicyError as e:  # the shop's policy file: which file, which entry
            raise fail(t("cli_policy_error", detail=str(e))) from None
        except Exception as e:
            damaged = _damage(args, kwargs, e)
            if damaged is not None:
                raise fail(damaged.message()) from None
            from rma_tui.service import MigrationError

            if isinstance(e, MigrationError):
                raise fail(t("cli_migration_failed", detail=str(e))) from None
            from sqlalchemy.exc import SQLAlchemyError

            if isinstance(e, SQLAlchemyError):
                detail = str(getattr(e, "orig", None) or e).splitlines()[0]
                raise fail(t("cli_db_error", detail=detail)) from None
            if isinstance(e, ImportError) and not (e.name or "").startswith("rma_tui"):
                # e.g. a PostgreSQL URL without its driver installed
                raise fail(t("cli_db_error", detail=str(e))) from None
            if isinstance(e, OSError):
                raise fail(t("cli_os_error", detail=str(e))) from None
            raise

    return wrapper  # type: ignore[return-value]


def _damage(args: tuple[Any, ...], kwargs: dict[str, Any], exc: Exception) -> DomainError | None:
    """The damaged cells behind an unexpected error of a command, when its database is
    open and holds any (see `Database.damage_error`)."""
    # What typer hands a command is its (vendored) click context, not typer.Context itself.
    ctx: Any = kwargs.get("ctx") or next((a for a in args if hasattr(a, "find_root")), None)
    st = ctx.find_root().obj if hasattr(ctx, "find_root") else None
    if not isinstance(st, State) or st.database is None:
        return None
    return st.database.damage_error(exc)


def sqlite_file(db: str) -> Path | None:
    """The SQLite file behind a `--db` value, or None for a server URL or memory."""
    from rma_tui import service

    return service.sqlite_file(db)


def open_db(ctx: typer.Context, create: bool = False, prove: bool = True) -> Database:
    """The database of this invocation, brought to the newest schema on first use, with
    the user at the terminal signed in (`prove`; see `signed_in_user`).

    Every command that touches the database goes through here, so every one of them runs
    the (cheap when at head) schema upgrade and, reads as much as writes, proves who is
    asking: customers' names and phone numbers are personal information. A missing
    SQLite file is an error unless `create`: a mistyped `--db` must not quietly start an
    empty shop."""
    st = cli_state(ctx)
    if st.database is None:
        from rma_tui.service import Database, upgrade

        path = sqlite_file(st.db)
        if not create and path is not None and not path.exists():
            raise DomainError("cli_no_database", field="db", path=str(path))
        database = Database(st.db)
        ctx.find_root().call_on_close(database.dispose)
        backup = upgrade(database)
        if backup is not None:
            side_note(t("cli_schema_upgraded", path=str(backup)))
        st.database = database
    if prove:
        signed_in_user(ctx)
    return st.database


def signed_in_user(ctx: typer.Context) -> UserView | None:
    """The user at the terminal, signed in once per invocation: a known, active user, who
    gives their PIN (env RMA_PIN, or a hidden prompt on a terminal) when they have one.
    Wrong PINs are counted by the service (too many and the user waits). None only for a
    database with no users yet (before `rma init` made the owner)."""
    st = cli_state(ctx)
    if st.proven is None:
        st.proven = sign_in(open_db(ctx, prove=False), st.user)
    return st.proven


def sign_in(database: Database, name: str) -> UserView | None:
    """Sign user `name` in on `database` (see `signed_in_user`); None when it has no users yet."""
    import os

    from rma_tui import service as sv

    user = sv.get_user(database, name)
    if user is None and not sv.list_users(database):
        return None  # a new shop: nothing to protect yet, and nobody to prove
    pin = None
    if user is not None and user.active and user.has_pin:
        pin = os.environ.get("RMA_PIN")
        if pin is None and sys.stdin.isatty():
            pin = typer.prompt(t("pin_ask", user=name), hide_input=True, err=True)
    return sv.sign_in(database, name, pin)


def signed_in_owner(ctx: typer.Context) -> str | None:
    """The signed-in owner, for a command that replaces or overwrites the shop's data (the
    service says who may: the owner, with a PIN where the shop uses PINs). None when the
    database has no users yet (nothing to protect)."""
    from rma_tui import service as sv

    user = signed_in_user(ctx)
    if user is None:
        return None
    return sv.authorize_destructive(open_db(ctx), user.name).name


def output_path(ctx: typer.Context, path: Path, force: bool, field: str = "--out") -> Path:
    """`path` if this command may write it: never the shop's database or anything of it,
    an existing file only with --force (see `rma_tui.outputs`)."""
    from rma_tui.outputs import check_output

    return check_output(path, sqlite_file(cli_state(ctx).db), force, field)


def acting_user(ctx: typer.Context) -> str:
    """The acting user's name, once proven (see `signed_in_user`)."""
    open_db(ctx)
    return cli_state(ctx).user


def user_role(ctx: typer.Context) -> str | None:
    """The signed-in user's role (what they may see), None before any user exists."""
    user = signed_in_user(ctx)
    return user.role if user is not None else None


def echo(message: str) -> None:
    """A one-line message on stdout, never parsed as markup, never wrapped."""
    out().print(Text(message), soft_wrap=True)


def side_note(message: str) -> None:
    """A side note (how a file was read, what to do next) on stderr."""
    err().print(Text(message, style="dim"), soft_wrap=True)


RequestId = Annotated[str | None, typer.Option(
    "--request-id", help="Idempotency key: the same id again changes nothing (幂等).")]


AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


ShopWrite = Annotated[str | None, typer.Option(
    "--shop", help="The shop it happens in (门店代码); default: your own shop, or the "
    "only shop. Chain-wide users of several shops must name one.")]


ShopRead = Annotated[str | None, typer.Option(
    "--shop", help="Only this shop (只看某门店); default: your own shop, or every shop "
    "for chain-wide users.")]


def read_shop(ctx: typer.Context, shop: str | None) -> str | None:
    """The shop this invocation's reads show: `--shop` if the user may see it, else the
    user's own shop, else None (every shop). Reads need no PIN, so this is the --user name
    as given; the service refuses a shop's user asking for another shop (shop_denied)."""
    from rma_tui import service as sv

    return sv.view_shop(open_db(ctx), cli_state(ctx).user, shop)


def is_chain(ctx: typer.Context) -> bool:
    """True when the database holds more than one shop. Only then do outputs show shops:
    a single shop's output stays exactly what it was before shops existed."""
    from rma_tui import service as sv

    st = cli_state(ctx)
    if st.chain is None:
        st.chain = len(sv.list_shops(open_db(ctx))) > 1
    return st.chain


def whose(ctx: typer.Context, title: str, shop: str | None) -> str:
    """A printed table's title; in a chain of several shops it also says whose figures
    they are (one shop's, or every shop's). A single shop's title stays as it was."""
    if not is_chain(ctx):
        return title
    return f"{title} · {t('report_shop_note', shop=shop or t('cli_all_shops'))}"


def shop_label(code: str | None) -> str:
    """A shop code for a table cell; None (chain-wide) as 全部门店 / all shops."""
    return code if code is not None else t("cli_all_shops")


def in_shop(ctx: typer.Context, actor: str, shop: str | None, message: str) -> str:
    """`message` about a write, prefixed with the shop it went to in a chain of several
    shops (the one named, else the actor's own: the service refused any other case)."""
    if not is_chain(ctx):
        return message
    from rma_tui import service as sv

    where = sv.view_shop(open_db(ctx), actor, shop)
    return message if where is None else t("cli_in_shop", shop=where) + message


class ReportFormat(StrEnum):
    """How a report is written."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def parse_date(text: str | None, field: str) -> date | None:
    """A YYYY-MM-DD local date from the command line, or a DomainError naming the option."""
    if text is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError(text)
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError("bad_date", field=field, value=text) from None
    from rma_tui import service as sv

    return sv.check_day(day, field)


def rate_text(rate: float | None, unknown: str = "") -> str:
    """A rate (0.125) as a percentage with one decimal ("12.5%"); `unknown` when None."""
    return unknown if rate is None else f"{rate * 100:.1f}%"
