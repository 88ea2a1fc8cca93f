"""The `rma` command: the typer app, its global options, and every command group.

Global options come before the command and fall back to the environment:
`--db` (RMA_DB, else the platformdirs default), `--user` (RMA_USER, else the OS login
name), `--lang zh|en` (RMA_LANG, else LANG). `rma` with no command opens the Textual app.

Each command module defines its own commands (its `commands`, and its groups such as
`slip_app`); this module only puts them together, in the order `rma --help` lists them.
Heavy modules (sqlmodel via the service, textual via the app) are imported inside the
commands that need them, so `rma --help` and the app both start fast.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from rma_tui import config, i18n
from rma_tui.cli import (
    audit,
    backup,
    channels,
    customers,
    db,
    finance,
    parcels,
    reports,
    sales,
    setup,
    shops,
    slips,
    stock,
    users,
)
from rma_tui.cli.common import State

app = typer.Typer(
    name="rma",
    help="退换货工作台 Returns desk. Run without a command to open the app.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# The top-level commands, in the order `rma --help` lists them: making and checking the
# shop, its stock, the slips' side commands, the audit, the files, the books, the shops.
_ROOT_ORDER = (
    "init", "demo", "verify", "stock", "purchase", "alerts", "feedback", "import", "audit",
    "archive", "archive-check", "backup", "restore", "trial-balance", "journal", "refunds",
    "income", "close-day", "closed-days", "transfer", "stock-ledger", "adjust", "reorder",
    "supplier-return", "supplier-returns", "reconcile",
)
_MODULES = (setup, stock, slips, sales, audit, backup, finance, shops, channels)


def _command_name(info: typer.models.CommandInfo) -> str:
    if info.name:
        return info.name
    assert info.callback is not None
    return info.callback.__name__.replace("_", "-").strip("-")


_commands = {_command_name(c): c for m in _MODULES for c in m.commands.registered_commands}
assert sorted(_commands) == sorted(_ROOT_ORDER), sorted(set(_commands) ^ set(_ROOT_ORDER))
app.registered_commands.extend(_commands[name] for name in _ROOT_ORDER)

app.add_typer(slips.slip_app, name="slip")
app.add_typer(sales.sale_app, name="sale")
app.add_typer(users.user_app, name="user")
app.add_typer(reports.report_app, name="report")
app.add_typer(customers.customer_app, name="customer")
app.add_typer(customers.followup_app, name="followup")
app.add_typer(db.db_app, name="db")
app.add_typer(shops.shop_app, name="shop")
app.add_typer(stock.defective_app, name="defective")
app.add_typer(channels.channel_app, name="channel")
app.add_typer(parcels.parcel_app, name="parcel")


class Lang(StrEnum):
    """Languages of the desk."""

    zh = "zh"
    en = "en"


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option(
        "--db", help="Database file or SQLAlchemy URL (数据库) [env RMA_DB].")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", "-u", help="Who is acting (操作人) [env RMA_USER, else the login name].")] = None,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", help="Language 语言 zh|en [env RMA_LANG, else LANG].")] = None,
) -> None:
    """退换货工作台 — the returns and exchanges desk of a small shop."""
    resolved_lang = i18n.resolve_lang(lang.value if lang else None)
    i18n.set_lang(resolved_lang)
    ctx.obj = State(db=config.resolve_db(db), user=config.resolve_user(user),
                    lang=resolved_lang)
    if ctx.invoked_subcommand is None:
        # Imported here: textual costs ~200 ms that no other command should pay.
        from rma_tui.app import make_app

        make_app(ctx.obj.db, ctx.obj.user, resolved_lang).run()


def main() -> None:
    """The `rma` console script and `python -m rma_tui`."""
    app(prog_name="rma")
