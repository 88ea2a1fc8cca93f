"""Where things live: database URL, user, language. Every value: flag, then env, then default."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "rma-tui"


def data_dir() -> Path:
    """The per-user data folder (e.g. ~/.local/share/rma-tui on Linux)."""
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db() -> str:
    """The shop database when neither `--db` nor `RMA_DB` is given."""
    return str(data_dir() / "shop.db")


def demo_db() -> str:
    """The demo database `make run` uses: kept apart from any real shop database."""
    return str(data_dir() / "demo.db")


def resolve_db(cli_value: str | None) -> str:
    """`--db`, else `RMA_DB`, else the default shop database."""
    return cli_value or os.environ.get("RMA_DB") or default_db()


def resolve_user(cli_value: str | None) -> str:
    """`--user`, else `RMA_USER`, else the OS login name."""
    if cli_value:
        return cli_value
    env = os.environ.get("RMA_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "owner"
