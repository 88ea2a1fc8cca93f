"""Running the `rma` command line in-process for the CLI tests: a clean environment and a
check of the exit code."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from rma_tui.cli import app
from rma_tui.store.db import Database, sqlite_path

# Every run starts from a clean environment: no RMA_* but the user (every test shop has
# an "owner", and every command signs its user in: reads too) and a locale that means
# Chinese.
BASE_ENV: dict[str, str | None] = {
    "RMA_DB": None, "RMA_USER": "owner", "RMA_LANG": None, "LC_ALL": None, "LANG": "C.UTF-8",
    "COLUMNS": None, "RMA_PIN": None, "RMA_POLICY": None,
}

runner = CliRunner()


def rma(*args: str, code: int = 0, env: dict[str, str | None] | None = None,
        input: str | None = None) -> Result:
    """Invoke the CLI in-process; fail on an unexpected exception or a wrong exit code."""
    result = runner.invoke(app, list(args), env={**BASE_ENV, **(env or {})}, input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    return result


def rma_on(db: Database, *args: str, code: int = 0, user: str | None = None,
           env: dict[str, str | None] | None = None) -> Result:
    """`rma --db <db's file or URL> [--user <user>] args...`, checked as by `rma`."""
    login = ["--user", user] if user is not None else []
    return rma("--db", db_arg(db), *login, *args, code=code, env=env)


def db_arg(db: Database) -> str:
    """What `--db` takes for `db`: the SQLite file's path, else the URL (PostgreSQL)."""
    return str(sqlite_path(db.url) or db.url)
