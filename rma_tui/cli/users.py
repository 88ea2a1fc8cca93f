"""`rma user ...`: users, roles and PINs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rma_tui.cli.common import (
    AsJson,
    RequestId,
    acting_user,
    echo,
    handled,
    is_chain,
    open_db,
    shop_label,
)
from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.render import label, out, print_json, table

if TYPE_CHECKING:
    pass


user_app = typer.Typer(help="Users and roles (用户).", no_args_is_help=True)


@user_app.command("add")
@handled
def user_add(
    ctx: typer.Context, name: str,
    role: Annotated[str, typer.Option("--role", help="clerk | warehouse | finance | owner.")],
    pin: Annotated[bool, typer.Option("--pin", help="Ask for a PIN (twice, hidden).")] = False,
    shop: Annotated[str | None, typer.Option(
        "--shop", help="The user's shop (所属门店): they see and act there only; default: "
        "every shop (chain-wide).")] = None,
) -> None:
    """Add a user (owner only) (添加用户)."""
    from rma_tui import service as sv

    database = open_db(ctx)
    secret: str | None = None
    if pin:
        first = typer.prompt(t("pin_prompt"), hide_input=True, err=True)
        second = typer.prompt(t("pin_confirm"), hide_input=True, err=True)
        if first != second:
            raise DomainError("pin_mismatch", field="pin")
        secret = first
    u = sv.add_user(database, acting_user(ctx), name, role, pin=secret, shop=shop)
    added = t("user_added", name=u.name, role=u.role, role_label=label("role", u.role))
    echo(added if u.shop is None else t("cli_in_shop", shop=u.shop) + added)


@user_app.command("pin")
@handled
def user_pin(ctx: typer.Context, name: str, request_id: RequestId = None) -> None:
    """Set a user's PIN: yours, or (owner) anyone's; asked twice, hidden (设置 PIN)."""
    from rma_tui import service as sv

    actor = acting_user(ctx)
    first = typer.prompt(t("pin_prompt"), hide_input=True, err=True)
    second = typer.prompt(t("pin_confirm"), hide_input=True, err=True)
    if first != second:
        raise DomainError("pin_mismatch", field="pin")
    u = sv.set_pin(open_db(ctx), actor, name, first, request_id=request_id)
    echo(t("user_pin_set", name=u.name))


@user_app.command("unlock")
@handled
def user_unlock(ctx: typer.Context, name: str, request_id: RequestId = None) -> None:
    """Let a user who gave too many wrong PINs try again now (owner only) (解除锁定)."""
    from rma_tui import service as sv

    u = sv.unlock_user(open_db(ctx), acting_user(ctx), name, request_id=request_id)
    echo(t("user_unlocked", name=u.name))


@user_app.command("list")
@handled
def user_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Every user with role, PIN, whether active and (in a chain) shop (用户列表)."""
    from rma_tui import service as sv

    rows = sv.list_users(open_db(ctx))
    chain = is_chain(ctx)
    if as_json:
        print_json([{"name": u.name, "role": u.role, "has_pin": u.has_pin, "active": u.active,
                     **({"shop": u.shop} if chain else {})} for u in rows])
        return
    out().print(table(
        [t("col_user"), t("col_role"), *([t("cli_col_shop")] if chain else []), t("col_pin"),
         t("col_active")],
        [(u.name, label("role", u.role), *([shop_label(u.shop)] if chain else []),
          t("yes") if u.has_pin else t("no"), t("yes") if u.active else t("no"))
         for u in rows]))
