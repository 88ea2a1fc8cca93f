"""The `rma` command line: every command is thin (parse -> service -> render with rich).

Global options come before the command and fall back to the environment:
`--db` (RMA_DB, else the platformdirs default), `--user` (RMA_USER, else the OS login
name), `--lang zh|en` (RMA_LANG, else LANG). `rma` with no command opens the Textual app.

Errors: a refused request (`DomainError`) prints its message in the current language to
stderr and exits 1; wrong usage exits 2 (typer's own). No business rule lives here: roles,
policy, returnable quantities and every check are `rma_tui.service`'s.

Heavy modules (sqlmodel via the service, textual via the app) are imported inside the
commands that need them, so `rma --help` and the app both start fast.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.text import Text

from rma_tui import config, i18n
from rma_tui.errors import DomainError
from rma_tui.i18n import t
from rma_tui.money import fen_text as money
from rma_tui.render import err, label, local_time, out, pairs, print_json, table

if TYPE_CHECKING:
    from rma_tui.service import Database, GradeInput, LineInput, SlipView, UserView

F = TypeVar("F", bound=Callable[..., Any])


class UsageDomainError(DomainError):
    """A command line that cannot be parsed (a malformed --line or --grade): exit 2, like
    typer's own usage errors, but with a message in the shop's language."""

app = typer.Typer(
    name="rma",
    help="退换货工作台 Returns desk. Run without a command to open the app.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
slip_app = typer.Typer(help="Return and exchange slips (退换货单).", no_args_is_help=True)
sale_app = typer.Typer(help="Original sales (销售单).", no_args_is_help=True)
user_app = typer.Typer(help="Users and roles (用户).", no_args_is_help=True)
app.add_typer(slip_app, name="slip")
app.add_typer(sale_app, name="sale")
app.add_typer(user_app, name="user")
report_app = typer.Typer(help="Reports and analysis (报表).", no_args_is_help=True)
app.add_typer(report_app, name="report")


class Lang(StrEnum):
    """Languages of the desk."""

    zh = "zh"
    en = "en"


class Size(StrEnum):
    """Sizes of the demo shop."""

    small = "small"
    large = "large"


class ImportKind(StrEnum):
    """What an import file holds."""

    products = "products"
    customers = "customers"
    sales = "sales"


@dataclass
class State:
    """The resolved global options of one invocation, and the database once opened."""

    db: str
    user: str
    lang: str
    database: Database | None = None
    chain: bool | None = None  # several shops? (read once per invocation)
    proven: UserView | None = None  # the user, once signed in (PIN checked)


# ---------------------------------------------------------------------------------------
# Plumbing: state, database, errors
# ---------------------------------------------------------------------------------------


def _state(ctx: typer.Context) -> State:
    st = ctx.find_root().obj
    assert isinstance(st, State)
    return st


def _fail(message: str, code: int = 1) -> typer.Exit:
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
            raise _fail(e.message(), code=2) from None
        except DomainError as e:
            raise _fail(e.message()) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as e:
            damaged = _damage(args, kwargs, e)
            if damaged is not None:
                raise _fail(damaged.message()) from None
            from rma_tui.service import MigrationError

            if isinstance(e, MigrationError):
                raise _fail(t("cli_migration_failed", detail=str(e))) from None
            from sqlalchemy.exc import SQLAlchemyError

            if isinstance(e, SQLAlchemyError):
                detail = str(getattr(e, "orig", None) or e).splitlines()[0]
                raise _fail(t("cli_db_error", detail=detail)) from None
            if isinstance(e, ImportError) and not (e.name or "").startswith("rma_tui"):
                # e.g. a PostgreSQL URL without its driver installed
                raise _fail(t("cli_db_error", detail=str(e))) from None
            if isinstance(e, OSError):
                raise _fail(t("cli_os_error", detail=str(e))) from None
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


def _sqlite_file(db: str) -> Path | None:
    """The SQLite file behind a `--db` value, or None for a server URL or memory."""
    from rma_tui.service import sqlite_path, url_for

    return sqlite_path(url_for(db))


def _open(ctx: typer.Context, create: bool = False, prove: bool = True) -> Database:
    """The database of this invocation, brought to the newest schema on first use, with
    the user at the terminal signed in (`prove`; see `_user`).

    Every command that touches the database goes through here, so every one of them runs
    the (cheap when at head) schema upgrade and, reads as much as writes, proves who is
    asking: customers' names and phone numbers are personal information. A missing
    SQLite file is an error unless `create`: a mistyped `--db` must not quietly start an
    empty shop."""
    st = _state(ctx)
    if st.database is None:
        from rma_tui.service import Database, upgrade

        path = _sqlite_file(st.db)
        if not create and path is not None and not path.exists():
            raise DomainError("cli_no_database", field="db", path=str(path))
        database = Database(st.db)
        ctx.find_root().call_on_close(database.dispose)
        backup = upgrade(database)
        if backup is not None:
            _note(t("cli_schema_upgraded", path=str(backup)))
        st.database = database
    if prove:
        _user(ctx)
    return st.database


def _user(ctx: typer.Context) -> UserView | None:
    """The user at the terminal, signed in once per invocation: a known, active user, who
    gives their PIN (env RMA_PIN, or a hidden prompt on a terminal) when they have one.
    Wrong PINs are counted by the service (too many and the user waits). None only for a
    database with no users yet (before `rma init` made the owner)."""
    st = _state(ctx)
    if st.proven is None:
        st.proven = _sign_in(_open(ctx, prove=False), st.user)
    return st.proven


def _sign_in(database: Database, name: str) -> UserView | None:
    """Sign user `name` in on `database` (see `_user`); None when it has no users yet."""
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


def _owner(ctx: typer.Context) -> str | None:
    """The signed-in owner, for a command that replaces or overwrites the shop's data (the
    service says who may: the owner, with a PIN where the shop uses PINs). None when the
    database has no users yet (nothing to protect)."""
    from rma_tui import service as sv

    user = _user(ctx)
    if user is None:
        return None
    return sv.authorize_destructive(_open(ctx), user.name).name


def _output(ctx: typer.Context, path: Path, force: bool, field: str = "--out") -> Path:
    """`path` if this command may write it: never the shop's database or anything of it,
    an existing file only with --force (see `rma_tui.outputs`)."""
    from rma_tui.outputs import check_output

    return check_output(path, _sqlite_file(_state(ctx).db), force, field)


def _actor(ctx: typer.Context) -> str:
    """The acting user's name, once proven (see `_user`)."""
    _open(ctx)
    return _state(ctx).user


def _role(ctx: typer.Context) -> str | None:
    """The signed-in user's role (what they may see), None before any user exists."""
    user = _user(ctx)
    return user.role if user is not None else None


def _echo(message: str) -> None:
    """A one-line message on stdout, never parsed as markup, never wrapped."""
    out().print(Text(message), soft_wrap=True)


def _note(message: str) -> None:
    """A side note (how a file was read, what to do next) on stderr."""
    err().print(Text(message, style="dim"), soft_wrap=True)


# ---------------------------------------------------------------------------------------
# The root: global options, and the app when no command is given
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# init, demo, verify
# ---------------------------------------------------------------------------------------


@app.command()
@handled
def init(ctx: typer.Context) -> None:
    """Create or upgrade the database; the first user becomes the owner (初始化)."""
    from rma_tui import service as sv

    st = _state(ctx)
    database = _open(ctx, create=True, prove=False)
    _echo(t("db_ready", path=st.db))
    if not sv.list_users(database):
        u = sv.add_user(database, None, st.user, "owner")
        _echo(t("cli_first_owner", name=u.name, role_label=label("role", u.role)))


def _has_data(db: str) -> bool:
    """True when the database holds any row beyond the reference data a migration seeds."""
    from sqlalchemy import create_engine, inspect, text

    from rma_tui.service import url_for

    path = _sqlite_file(db)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return False
    engine = create_engine(url_for(db))
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                if name in ("alembic_version", "accounts", "chain_head"):
                    continue
                quoted = conn.dialect.identifier_preparer.quote(name)
                if conn.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first() is not None:
                    return True
        return False
    finally:
        engine.dispose()


@contextmanager
def _stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A transient rich progress bar on stderr, one task per stage."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = err()
    # Only on a terminal: piped or captured stderr gets no bar (and no stray newline).
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True,
                   disable=not console.is_terminal)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            text = t(f"demo_stage_{stage}")
            tasks[stage] = bar.add_task(stage if text == f"demo_stage_{stage}" else text,
                                        total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update


@app.command()
@handled
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same shop).")] = 42,
    size: Annotated[Size, typer.Option(help="small (about 6,000 sale lines) or large (1M).")]
    = Size.small,
    force: Annotated[bool, typer.Option(
        "--force", help="Build the demo in place of a database that holds data (the owner "
        "only, with their PIN; the old file is kept as <db>.before-demo-<time>).")] = False,
) -> None:
    """Fill a database with a believable demo shop (演示数据).

    On SQLite the demo is built in a file beside the database and put in its place only
    when whole, so an interrupted build leaves the database as it was."""
    from rma_tui import service as sv

    st = _state(ctx)
    path = _sqlite_file(st.db)
    if force and path is None:
        raise DomainError("cli_force_not_sqlite", field="db", db=st.db)
    actor: str | None = None
    if _has_data(st.db):
        if not force:
            raise DomainError("demo_exists", field="db", path=st.db)
        actor = _owner(ctx)  # a real shop is replaced: its owner, with their PIN
    if st.database is not None:  # nobody may hold the file while it is replaced
        st.database.dispose()
        st.database = None
    if path is None:
        database = _open(ctx, create=True, prove=False)
        summary = _build_demo(database, seed, size)
    else:
        summary, kept = _demo_file(path, seed, size)
        database = _open(ctx, prove=False)
        if actor is not None:
            sv.record_destructive(database, actor, "demo_replaced",
                                  {"kept": str(kept) if kept else None, "seed": seed})
        if kept is not None:
            _note(t("demo_kept", path=str(kept)))
    _echo(t("demo_ready", path=st.db))
    _echo(t("cli_demo_summary", products=summary.products, customers=summary.customers,
            sales=summary.sales, sale_lines=summary.sale_lines, slips=summary.slips,
            low_stock=summary.low_stock, seconds=f"{summary.seconds:.1f}"))
    _note(t("cli_demo_hint", db=st.db))


def _build_demo(database: Database, seed: int, size: Size) -> Any:
    from rma_tui.demo import build_demo

    with _stage_progress() as progress:
        return build_demo(database, seed=seed, size=size.value, progress=progress)


def _demo_file(path: Path, seed: int, size: Size) -> tuple[Any, Path | None]:
    """Build the demo into `<db>.demo-building` beside `path`, then put it in place: over a
    file with data by `backup.restore` (the old file kept as `<db>.before-demo-<time>`,
    returned), else by a rename. A build cut short (even by SIGKILL) leaves only the
    building file, which the next run removes."""
    import sqlite3

    from rma_tui import backup as bk
    from rma_tui.service import Database, upgrade

    building = path.with_name(path.name + ".demo-building")
    bk.remove_sqlite(building)
    database = Database(str(building))
    try:
        upgrade(database)
        summary = _build_demo(database, seed, size)
    finally:
        database.dispose()
    # Out of WAL mode: the whole demo is in the one file that is moved into place.
    conn = sqlite3.connect(building)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    kept: Path | None = None
    try:
        if bk.has_data(path):
            kept = bk.restore(building, path, force=True, keep_as="before-demo").before
        else:
            bk.remove_sqlite(path)  # an empty file, and any stray -wal / -shm of it
            building.replace(path)
    finally:
        bk.remove_sqlite(building)
    return summary, kept


@app.command()
@handled
def verify(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check every invariant, the audit chain and the file; exit 1 on any failure (校验)."""
    from rma_tui import service as sv

    report = sv.verify(_open(ctx))
    if as_json:
        print_json(report.as_dict())
    else:
        # Every check reads in the user's language; a failing one names the rows.
        rows = [(label("check", c.name), t("ok") if c.ok else t("fail"), c.message())
                for c in report.checks]
        out().print(table([t("col_check"), t("col_ok"), t("col_detail")], rows))
        _echo(t("verify_ok") if report.ok else t("verify_failed"))
    if not report.ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------------------
# Slips
# ---------------------------------------------------------------------------------------

_INT = re.compile(r"^[+-]?\d+$")


def _spec_int(option: str, spec: str, part: str, value: str) -> int:
    if not value.strip():
        raise UsageDomainError("cli_spec_empty", field=option, option=option, value=spec, part=part)
    if not _INT.match(value.strip()):
        raise UsageDomainError("cli_spec_not_int", field=option, option=option, value=spec,
                          part=part, part_value=value)
    return int(value)


def parse_line(spec: str) -> LineInput:
    """`SKU:QTY:REASON[:REPL_SKU[:REPL_QTY]]` -> a service LineInput (syntax only)."""
    from rma_tui.service import LineInput

    parts = spec.split(":")
    if not 3 <= len(parts) <= 5:
        raise UsageDomainError("bad_line_spec", field="--line", value=spec)
    sku, qty, reason = (p.strip() for p in parts[:3])
    for name, value in (("SKU", sku), ("REASON", reason)):
        if not value:
            raise UsageDomainError("cli_spec_empty", field="--line", option="--line", value=spec,
                              part=name)
    repl_sku = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None
    repl_qty = (_spec_int("--line", spec, "REPL_QTY", parts[4])
                if len(parts) > 4 and parts[4].strip() else None)
    return LineInput(sku=sku, qty=_spec_int("--line", spec, "QTY", qty), reason=reason,
                     replacement_sku=repl_sku, replacement_qty=repl_qty)


def parse_grade(spec: str) -> GradeInput:
    """`SKU:RESELLABLE:DEFECTIVE:SCRAP` -> a service GradeInput (syntax only)."""
    from rma_tui.service import GradeInput

    parts = spec.split(":")
    if len(parts) != 4:
        raise UsageDomainError("bad_grade_spec", field="--grade", value=spec)
    sku = parts[0].strip()
    if not sku:
        raise UsageDomainError("cli_spec_empty", field="--grade", option="--grade", value=spec,
                          part="SKU")
    nums = [_spec_int("--grade", spec, name, value)
            for name, value in zip(("RESELLABLE", "DEFECTIVE", "SCRAP"), parts[1:], strict=True)]
    return GradeInput(sku, nums[0], nums[1], nums[2])


RequestId = Annotated[str | None, typer.Option(
    "--request-id", help="Idempotency key: the same id again changes nothing (幂等).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ShopWrite = Annotated[str | None, typer.Option(
    "--shop", help="The shop it happens in (门店代码); default: your own shop, or the "
    "only shop. Chain-wide users of several shops must name one.")]
ShopRead = Annotated[str | None, typer.Option(
    "--shop", help="Only this shop (只看某门店); default: your own shop, or every shop "
    "for chain-wide users.")]


def _read_shop(ctx: typer.Context, shop: str | None) -> str | None:
    """The shop this invocation's reads show: `--shop` if the user may see it, else the
    user's own shop, else None (every shop). Reads need no PIN, so this is the --user name
    as given; the service refuses a shop's user asking for another shop (shop_denied)."""
    from rma_tui import service as sv

    return sv.view_shop(_open(ctx), _state(ctx).user, shop)


def _is_chain(ctx: typer.Context) -> bool:
    """True when the database holds more than one shop. Only then do outputs show shops:
    a single shop's output stays exactly what it was before shops existed."""
    from rma_tui import service as sv

    st = _state(ctx)
    if st.chain is None:
        st.chain = len(sv.list_shops(_open(ctx))) > 1
    return st.chain


def _whose(ctx: typer.Context, title: str, shop: str | None) -> str:
    """A printed table's title; in a chain of several shops it also says whose figures
    they are (one shop's, or every shop's). A single shop's title stays as it was."""
    if not _is_chain(ctx):
        return title
    return f"{title} · {t('report_shop_note', shop=shop or t('cli_all_shops'))}"


def _shop_name(code: str | None) -> str:
    """A shop code for a table cell; None (chain-wide) as 全部门店 / all shops."""
    return code if code is not None else t("cli_all_shops")


def _in_shop(ctx: typer.Context, actor: str, shop: str | None, message: str) -> str:
    """`message` about a write, prefixed with the shop it went to in a chain of several
    shops (the one named, else the actor's own: the service refused any other case)."""
    if not _is_chain(ctx):
        return message
    from rma_tui import service as sv

    where = sv.view_shop(_open(ctx), actor, shop)
    return message if where is None else t("cli_in_shop", shop=where) + message


def _amount(v: SlipView) -> str:
    if v.type == "exchange":
        return money(v.difference_fen)
    return money(v.refund_fen)


def _show_slip(v: SlipView, chain: bool = False) -> None:
    """A slip as a person reads it: header, lines, amounts, policy verdict, history; in a
    chain of several shops (`chain`), also the shop handling it."""
    console = out()
    head = [
        (t("col_number"), v.number),
        *([(t("cli_col_shop"), v.shop)] if chain else []),
        (t("col_type"), label("type", v.type)),
        (t("col_status"), label("status", v.status)),
        (t("col_channel"), label("channel", v.channel)),
        (t("col_customer"), f"{v.customer or t('none')}"
                            + (f" {v.customer_phone}" if v.customer_phone else "")),
        (t("col_sale"), v.sale or t("none")),
        (t("col_created_by"), f"{v.created_by}  {local_time(v.created_at)}"),
    ]
    if v.note:
        head.append((t("col_note"), v.note))
    console.print(pairs(head, title=f"{label('type', v.type)} {v.number}"))
    rows = []
    for ln in v.lines:
        repl = f"{ln.replacement_sku} x{ln.replacement_qty}" if ln.replacement_sku else ""
        grade = "/".join(str(g) for g in ln.grade) if ln.grade else ""
        reason = label("reason", ln.reason) + (f" {ln.reason_text}" if ln.reason_text else "")
        rows.append((ln.sku, ln.name, ln.qty, money(ln.unit_price_fen), reason, repl,
                     money(ln.refund_fen), grade))
    console.print(table(
        [t("col_sku"), t("col_name"), t("col_qty"), t("col_unit_price"), t("col_reason"),
         t("col_replacement_sku"), t("col_refund"), t("col_grade")],
        rows, title=t("lines_heading"), right=(2, 3, 6)))
    money_rows = [(t("col_gross"), money(v.gross_fen)), (t("col_fee"), money(v.fee_fen)),
                  (t("col_refund"), money(v.refund_fen))]
    if v.type == "exchange":
        money_rows.append((t("col_difference"), money(v.difference_fen)))
    if v.refund_method:
        money_rows.append((t("col_method"), label("method", v.refund_method)))
    console.print(pairs(money_rows, right=True))
    if v.verdict:
        console.print(table(
            [t("col_rule"), t("col_result"), t("col_detail")],
            [(label("rule", r.rule), t("ok") if r.ok else t("fail"),
              t(f"rule_{r.rule}_{'ok' if r.ok else 'fail'}", **r.params)) for r in v.verdict],
            title=t("policy_heading")))
    if v.override_by:
        _echo(t("cli_override", user=v.override_by, reason=v.override_reason or ""))
    console.print(table(
        [t("col_at"), t("col_user"), t("col_action"), t("col_from"), t("col_to")],
        [(local_time(e.at), e.user, label("action", e.action), label("status", e.from_status),
          label("status", e.to_status)) for e in v.events],
        title=t("events_heading")))
    if v.feedback:
        _echo(f"{t('col_feedback')}: {v.feedback[0]}/5 {v.feedback[1]}")


def _updated(v: SlipView) -> None:
    _echo(t("slip_updated", number=v.number, status=v.status,
            status_label=label("status", v.status)))


@slip_app.command("create")
@handled
def slip_create(
    ctx: typer.Context,
    sale: Annotated[str, typer.Option("--sale", help="Original sale order number (原销售单号).")],
    type_: Annotated[str, typer.Option("--type", help="return | exchange (退货/换货).")],
    line: Annotated[list[str], typer.Option(
        "--line", help="SKU:QTY:REASON[:REPL_SKU[:REPL_QTY]] (repeatable).")],
    note: Annotated[str, typer.Option("--note", help="Free text (备注).")] = "",
    request_id: RequestId = None,
    shop: Annotated[str | None, typer.Option(
        "--shop", help="The shop taking the return (受理门店); default: your own shop, else "
        "the sale's shop.")] = None,
) -> None:
    """Create a draft slip against a sale; prints the new slip number (制单)."""
    from rma_tui import service as sv

    lines = [parse_line(spec) for spec in line]
    v = sv.create_slip(_open(ctx), _actor(ctx), sale, type_, lines, note=note,
                       request_id=request_id, shop=shop)
    typer.echo(v.number)  # the number alone, in a chain too: scripts capture it


@slip_app.command("submit")
@handled
def slip_submit(ctx: typer.Context, number: str, request_id: RequestId = None) -> None:
    """Submit a draft: the policy is checked; a clean, small slip is approved at once."""
    from rma_tui import service as sv

    v = sv.submit_slip(_open(ctx), _actor(ctx), number, request_id=request_id)
    _updated(v)
    if v.auto_approved:
        _echo(t("cli_auto_approved", number=v.number))
    failed = [r for r in v.verdict if not r.ok]
    if failed:
        out().print(table(
            [t("col_rule"), t("col_result"), t("col_detail")],
            [(label("rule", r.rule), t("fail"), t(f"rule_{r.rule}_fail", **r.params))
             for r in failed],
            title=t("policy_heading")))
        _echo(t("cli_needs_owner", number=v.number))


@slip_app.command("approve")
@handled
def slip_approve(
    ctx: typer.Context, number: str,
    override_reason: Annotated[str | None, typer.Option(
        "--override-reason", help="Why a policy exception is approved (owner only).")] = None,
    request_id: RequestId = None,
) -> None:
    """Approve a submitted slip (never by its creator) (审核)."""
    from rma_tui import service as sv

    _updated(sv.approve_slip(_open(ctx), _actor(ctx), number,
                             override_reason=override_reason, request_id=request_id))


@slip_app.command("reject")
@handled
def slip_reject(
    ctx: typer.Context, number: str,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    request_id: RequestId = None,
) -> None:
    """Reject a submitted slip, with a reason (驳回)."""
    from rma_tui import service as sv

    _updated(sv.reject_slip(_open(ctx), _actor(ctx), number, reason,
                            request_id=request_id))


@slip_app.command("cancel")
@handled
def slip_cancel(
    ctx: typer.Context, number: str,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    request_id: RequestId = None,
) -> None:
    """Cancel a draft, submitted or approved slip, with a reason (作废)."""
    from rma_tui import service as sv

    _updated(sv.cancel_slip(_open(ctx), _actor(ctx), number, reason,
                            request_id=request_id))


@slip_app.command("receive")
@handled
def slip_receive(ctx: typer.Context, number: str, request_id: RequestId = None) -> None:
    """The goods arrived: they go to pending inspection (收货)."""
    from rma_tui import service as sv

    _updated(sv.receive_slip(_open(ctx), _actor(ctx), number, request_id=request_id))


@slip_app.command("inspect")
@handled
def slip_inspect(
    ctx: typer.Context, number: str,
    grade: Annotated[list[str], typer.Option(
        "--grade", help="SKU:RESELLABLE:DEFECTIVE:SCRAP (repeatable, one per line).")],
    request_id: RequestId = None,
) -> None:
    """Grade every received unit: resellable, defective or scrap (质检)."""
    from rma_tui import service as sv

    grades = [parse_grade(spec) for spec in grade]
    _updated(sv.inspect_slip(_open(ctx), _actor(ctx), number, grades,
                             request_id=request_id))


@slip_app.command("settle")
@handled
def slip_settle(
    ctx: typer.Context, number: str,
    method: Annotated[str, typer.Option(
        "--method", help="original | cash | credit | receivable (退款方式).")],
    request_id: RequestId = None,
) -> None:
    """Refund, or issue the replacement and settle the difference (结算)."""
    from rma_tui import service as sv

    v = sv.settle_slip(_open(ctx), _actor(ctx), number, method, request_id=request_id)
    _updated(v)
    if v.type == "return":
        _echo(t("cli_settled_refund", refund=money(v.refund_fen), fee=money(v.fee_fen),
                method_label=label("method", v.refund_method)))
    else:
        _echo(t("cli_settled_exchange", difference=money(v.difference_fen),
                method_label=label("method", v.refund_method)))


@slip_app.command("close")
@handled
def slip_close(ctx: typer.Context, number: str, request_id: RequestId = None) -> None:
    """Close a settled slip; it never changes again (关闭)."""
    from rma_tui import service as sv

    _updated(sv.close_slip(_open(ctx), _actor(ctx), number, request_id=request_id))


@slip_app.command("show")
@handled
def slip_show(ctx: typer.Context, number: str, as_json: AsJson = False) -> None:
    """One slip with its lines, amounts, policy verdict and history (查看)."""
    from rma_tui import service as sv

    # A shop's user sees their shop's slips only (as in `slip list`).
    v = sv.get_slip(_open(ctx), number, viewer=_state(ctx).user)
    v = replace(v, customer_phone=sv.phone_for(_role(ctx), v.customer_phone))
    if as_json:
        print_json(v.as_dict())
    else:
        _show_slip(v, chain=_is_chain(ctx))


@slip_app.command("list")
@handled
def slip_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="Only slips in this state.")]
    = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Slips, newest first, a page at a time (单据列表)."""
    from rma_tui import service as sv

    where = _read_shop(ctx, shop)
    rows = sv.list_slips(_open(ctx), status=status, limit=limit, offset=offset, shop=where)
    chain = _is_chain(ctx)  # a single shop's output is what it always was
    if as_json:
        print_json([{
            "number": r.number, "type": r.type, "status": r.status, "channel": r.channel,
            "customer": r.customer, "created_by": r.created_by,
            "created_at": r.created_at.isoformat(), "refund_fen": r.refund_fen,
            "difference_fen": r.difference_fen, **({"shop": r.shop} if chain else {})}
            for r in rows])
        return
    shop_head = [t("cli_col_shop")] if chain else []
    out().print(table(
        [t("col_number"), *shop_head, t("col_type"), t("col_status"), t("col_channel"),
         t("col_customer"), t("col_created_by"), t("col_created_at"), t("col_refund"),
         t("col_difference")],
        [(r.number, *([r.shop] if chain else []), label("type", r.type),
          label("status", r.status), label("channel", r.channel), r.customer or "",
          r.created_by, local_time(r.created_at), money(r.refund_fen),
          money(r.difference_fen))
         for r in rows], right=(8, 9) if chain else (7, 8)))
    if len(rows) == limit:
        _note(t("cli_more_rows", offset=offset + limit))


# ---------------------------------------------------------------------------------------
# Sales, stock, alerts
# ---------------------------------------------------------------------------------------


@sale_app.command("list")
@handled
def sale_list(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option(
        "--customer", help="Only this customer's sales (phone).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    as_json: AsJson = False,
) -> None:
    """Original sales, newest first (销售单)."""
    from rma_tui import service as sv

    rows = sv.list_sales(_open(ctx), customer_phone=customer, limit=limit, offset=offset)
    if as_json:
        print_json([{"order": r.order, "sold_at": r.sold_at.isoformat(), "channel": r.channel,
                     "customer": r.customer, "total_fen": r.total_fen} for r in rows])
        return
    out().print(table(
        [t("col_order"), t("col_sold_at"), t("col_channel"), t("col_customer"), t("col_total")],
        [(r.order, local_time(r.sold_at), label("channel", r.channel), r.customer or "",
          money(r.total_fen)) for r in rows], right=(4,)))
    if len(rows) == limit:
        _note(t("cli_more_rows", offset=offset + limit))


@sale_app.command("show")
@handled
def sale_show(ctx: typer.Context, order: str, as_json: AsJson = False) -> None:
    """One sale with sold / returned / returnable per line (销售单详情)."""
    from rma_tui import service as sv

    v = sv.get_sale(_open(ctx), order)
    v = replace(v, customer_phone=sv.phone_for(_role(ctx), v.customer_phone))
    if as_json:
        print_json({
            "order": v.order, "sold_at": v.sold_at.isoformat(), "channel": v.channel,
            "customer": v.customer, "customer_phone": v.customer_phone,
            "payment_method": v.payment_method, "total_fen": v.total_fen,
            "lines": [{"sku": ln.sku, "name": ln.name, "sold": ln.sold,
                       "returned": ln.returned, "returnable": ln.returnable,
                       "unit_price_fen": ln.unit_price_fen} for ln in v.lines],
        })
        return
    head = [(t("col_order"), v.order), (t("col_sold_at"), local_time(v.sold_at)),
            (t("col_channel"), label("channel", v.channel)),
            (t("col_customer"), f"{v.customer or t('none')}"
                                + (f" {v.customer_phone}" if v.customer_phone else "")),
            (t("col_payment"), label("payment", v.payment_method)),
            (t("col_total"), money(v.total_fen))]
    out().print(pairs(head, title=v.order))
    out().print(table(
        [t("col_sku"), t("col_name"), t("col_sold"), t("col_returned"), t("col_returnable"),
         t("col_unit_price")],
        [(ln.sku, ln.name, ln.sold, ln.returned, ln.returnable, money(ln.unit_price_fen))
         for ln in v.lines], title=t("lines_heading"), right=(2, 3, 4, 5)))


@app.command()
@handled
def stock(
    ctx: typer.Context,
    low: Annotated[bool, typer.Option("--low", help="Only products at or under reorder point.")]
    = False,
    shop: ShopRead = None,
    as_json: AsJson = False,
) -> None:
    """Stock per product in every location: one shop's, or every shop's summed (库存)."""
    from rma_tui import service as sv

    where = _read_shop(ctx, shop)
    rows = sv.stock(_open(ctx), low_only=low, shop=where)
    chain = _is_chain(ctx)
    if as_json:
        print_json([{"sku": r.sku, "name": r.name, "sellable": r.sellable, "pending": r.pending,
                     "defective": r.defective, "scrap": r.scrap,
                     "reorder_point": r.reorder_point, "low": r.low,
                     **({"shop": where} if chain else {})} for r in rows])
        return
    title = None
    if chain:  # say whose stock it is: one shop's, or the chain's sum
        title = (t("cli_stock_of_chain") if where is None
                 else t("cli_stock_of_shop", shop=where))
    out().print(table(
        [t("col_sku"), t("col_name"), t("col_sellable"), t("col_pending"), t("col_defective"),
         t("col_scrap"), t("col_reorder_point"), t("col_low")],
        [(r.sku, r.name, r.sellable, r.pending, r.defective, r.scrap, r.reorder_point,
          t("low_flag") if r.low else "") for r in rows], title=title, right=(2, 3, 4, 5, 6)))


@app.command()
@handled
def purchase(
    ctx: typer.Context, sku: str, qty: int,
    unit_cost: Annotated[str | None, typer.Option(
        "--unit-cost", help="Cost per unit in yuan (default: the product's cost).")] = None,
    note: Annotated[str, typer.Option("--note", help="Supplier delivery note (备注).")] = "",
    request_id: RequestId = None,
    shop: ShopWrite = None,
) -> None:
    """Goods received from a supplier go into a shop's sellable stock (进货)."""
    from rma_tui import service as sv
    from rma_tui.money_input import parse_yuan

    cost = parse_yuan(unit_cost, "unit_cost") if unit_cost is not None else None
    actor = _actor(ctx)
    r = sv.receive_purchase(_open(ctx), actor, sku, qty, unit_cost_fen=cost,
                            note=note, request_id=request_id, shop=shop)
    _echo(_in_shop(ctx, actor, shop, t("cli_purchased", sku=r.sku, qty=qty,
                                        sellable=r.sellable)))


@app.command()
@handled
def alerts(
    ctx: typer.Context,
    as_json: AsJson = False,
    fail_on_alert: Annotated[bool, typer.Option(
        "--fail-on-alert", help="Exit 1 when any product is low (for cron / SSH checks).")] = False,
    shop: ShopRead = None,
) -> None:
    """Open low-stock alerts, oldest first; each shop's own (低库存预警)."""
    from rma_tui import service as sv

    rows = sv.alerts(_open(ctx), shop=_read_shop(ctx, shop))
    chain = _is_chain(ctx)
    if as_json:
        print_json([{"sku": a.sku, "name": a.name, "sellable": a.sellable,
                     "reorder_point": a.reorder_point, "raised_at": a.raised_at.isoformat(),
                     **({"shop": a.shop} if chain else {})}
                    for a in rows])
    elif not rows:
        _echo(t("no_alerts"))
    else:
        out().print(table(
            [*([t("cli_col_shop")] if chain else []), t("col_sku"), t("col_name"),
             t("col_sellable"), t("col_reorder_point"), t("col_at")],
            [(*([a.shop] if chain else []), a.sku, a.name, a.sellable, a.reorder_point,
              local_time(a.raised_at)) for a in rows],
            title=t("alerts_heading"), right=(3, 4) if chain else (2, 3)))
    if fail_on_alert and rows:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------------------
# Users, feedback, import
# ---------------------------------------------------------------------------------------


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

    database = _open(ctx)
    secret: str | None = None
    if pin:
        first = typer.prompt(t("pin_prompt"), hide_input=True, err=True)
        second = typer.prompt(t("pin_confirm"), hide_input=True, err=True)
        if first != second:
            raise DomainError("pin_mismatch", field="pin")
        secret = first
    u = sv.add_user(database, _actor(ctx), name, role, pin=secret, shop=shop)
    added = t("user_added", name=u.name, role=u.role, role_label=label("role", u.role))
    _echo(added if u.shop is None else t("cli_in_shop", shop=u.shop) + added)


@user_app.command("pin")
@handled
def user_pin(ctx: typer.Context, name: str, request_id: RequestId = None) -> None:
    """Set a user's PIN: yours, or (owner) anyone's; asked twice, hidden (设置 PIN)."""
    from rma_tui import service as sv

    actor = _actor(ctx)
    first = typer.prompt(t("pin_prompt"), hide_input=True, err=True)
    second = typer.prompt(t("pin_confirm"), hide_input=True, err=True)
    if first != second:
        raise DomainError("pin_mismatch", field="pin")
    u = sv.set_pin(_open(ctx), actor, name, first, request_id=request_id)
    _echo(t("user_pin_set", name=u.name))


@user_app.command("unlock")
@handled
def user_unlock(ctx: typer.Context, name: str, request_id: RequestId = None) -> None:
    """Let a user who gave too many wrong PINs try again now (owner only) (解除锁定)."""
    from rma_tui import service as sv

    u = sv.unlock_user(_open(ctx), _actor(ctx), name, request_id=request_id)
    _echo(t("user_unlocked", name=u.name))


@user_app.command("list")
@handled
def user_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Every user with role, PIN, whether active and (in a chain) shop (用户列表)."""
    from rma_tui import service as sv

    rows = sv.list_users(_open(ctx))
    chain = _is_chain(ctx)
    if as_json:
        print_json([{"name": u.name, "role": u.role, "has_pin": u.has_pin, "active": u.active,
                     **({"shop": u.shop} if chain else {})} for u in rows])
        return
    out().print(table(
        [t("col_user"), t("col_role"), *([t("cli_col_shop")] if chain else []), t("col_pin"),
         t("col_active")],
        [(u.name, label("role", u.role), *([_shop_name(u.shop)] if chain else []),
          t("yes") if u.has_pin else t("no"), t("yes") if u.active else t("no"))
         for u in rows]))


@app.command()
@handled
def feedback(
    ctx: typer.Context, number: str,
    score: Annotated[int, typer.Option("--score", help="1 to 5.")],
    comment: Annotated[str, typer.Option("--comment", help="What the customer said.")] = "",
    request_id: RequestId = None,
) -> None:
    """Record the customer's feedback on a settled slip (客户评价)."""
    from rma_tui import service as sv

    v = sv.add_feedback(_open(ctx), _actor(ctx), number, score, comment,
                        request_id=request_id)
    _echo(t("feedback_saved", slip=v.number))


@app.command("import")
@handled
def import_(
    ctx: typer.Context,
    kind: Annotated[ImportKind, typer.Argument(help="products | customers | sales")],
    file: Annotated[Path, typer.Argument(help="A CSV file with a header row.")],
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Text encoding (default: UTF-8, else GB18030/GBK).")] = None,
    shop: Annotated[str | None, typer.Option(
        "--shop", help="Sales only: the shop that made them (销售门店); default: your own "
        "shop, or the only shop.")] = None,
) -> None:
    """Import a CSV file: all of it, or on any bad row nothing (导入)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from rma_tui.imports import import_file

    if shop is not None and kind is not ImportKind.sales:
        # Products and customers belong to the whole chain: a shop there is a mistake.
        raise UsageDomainError("cli_shop_sales_only", field="--shop")
    database = _open(ctx)
    console = err()
    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.percentage:>3.0f}%"), console=console, transient=True,
                   disable=not console.is_terminal)
    with bar:
        task = bar.add_task(t("import_file", file=file.name), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        actor = _actor(ctx)
        result = import_file(database, actor, kind.value, file, encoding=encoding,
                             progress=progress, shop=shop)
    _note(t("cli_import_encoding", file=result.file, encoding=result.encoding))
    done = t("import_done", file=result.file, count=result.records)
    _echo(_in_shop(ctx, actor, shop, done) if kind is ImportKind.sales else done)


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------


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


def _rate_text(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


# The stock, customers, finance and audit commands live in their own modules; importing them
# registers them on `app` (they import `app` and the helpers above from here).
from rma_tui import (  # noqa: E402,F401
    cli_audit,
    cli_backup,
    cli_customers,
    cli_db,
    cli_finance,
    cli_reports,
    cli_shops,
    cli_stock,
)


def main() -> None:
    """The `rma` console script and `python -m rma_tui`."""
    app(prog_name="rma")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())  # type: ignore[func-returns-value]
