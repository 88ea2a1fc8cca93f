"""The migration scripts as an older version of the program shipped them, for tests that
make a database at an old revision and upgrade it with today's scripts."""

from __future__ import annotations

import shutil
from pathlib import Path

from rma_tui.store.migrate import MIGRATIONS_DIR


def scripts_up_to(dest: Path, revision: str) -> Path:
    """Copy the shipped migrations into `dest`, leaving out every revision after
    `revision` (revision files are numbered: `0003_….py`); return `dest`."""
    def later(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n == "__pycache__"
                or (n[:4].isdigit() and n.endswith(".py") and n[:4] > revision)}

    shutil.copytree(MIGRATIONS_DIR, dest, ignore=later)
    return dest
