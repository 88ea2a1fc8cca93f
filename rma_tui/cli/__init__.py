"""The `rma` command line: every command is thin (parse -> service -> render with rich).

`app` is the typer app (`rma_tui.cli.app`), `main` the console script. One module per
command group: setup (init, demo, verify), slips, sales (and imports), stock, users,
customers, finance, reports, audit, backup, db, shops; `common` holds what they share.
"""

from rma_tui.cli.app import app, main

__all__ = ["app", "main"]
