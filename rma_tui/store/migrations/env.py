"""Alembic environment for rma_tui: runs on the connection `rma_tui.store.migrate` passes in.

There is no URL here and no engine of its own: `config.attributes["connection"]` is a
connection of `rma_tui.store.db.Database`, already inside its transaction (BEGIN IMMEDIATE
on SQLite), so Alembic adds no transaction of its own and commits nothing; the caller does.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from rma_tui.store import models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render sqlmodel's column types as the plain SQLAlchemy types they stand for.

    Both are TypeDecorators whose Python-side work (AutoString: a default length on MySQL
    only; UTCDateTime: refuse naive datetimes, return UTC) does not change the DDL. Rendering
    `sa.String(length)` and `sa.DateTime(timezone=True)` keeps revisions free of sqlmodel
    imports, which could change under them; the model/migration comparison test checks that
    the result reflects back as what the models declare.
    """
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length is not None else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    """Run the migrations (or autogenerate) on the connection handed over by migrate.py."""
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "rma_tui migrations run through rma_tui.store.migrate.upgrade(), "
            "which passes a connection; the alembic command line is not supported"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: later revisions alter through batch operations.
        render_as_batch=True,
        render_item=render_item,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported")
run_migrations_online()
