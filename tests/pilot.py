"""Shared helpers for the Pilot and snapshot tests of the app's screens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

from rma_tui.app import RmaApp, make_app
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade


async def settle(pilot: Pilot[None], debounce: float = 0.0) -> None:
    """Wait until every worker is done and their messages are handled (a worker cancelled
    by a newer one of its group ends the wait early, so wait again until none is left).
    `debounce`: seconds to pause first, so that debounced work has started."""
    if debounce:
        await pilot.pause(debounce)
    for _ in range(20):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            await pilot.pause()
            if not any(w.is_running for w in pilot.app.workers):
                await _tables_measured(pilot)
                return
    raise AssertionError("workers still running")


async def _tables_measured(pilot: Pilot[None]) -> None:
    """Wait until every table on screen has measured its rows: a DataTable sizes its
    columns when the app is next idle, and a frame taken before that shows a refilled
    table's columns at their titles' width (a snapshot under load caught one)."""
    for _ in range(50):
        pending = [t for t in pilot.app.screen.query(DataTable)
                   if t._require_update_dimensions or t._updated_cells]
        if not pending:
            return
        await pilot.pause()
    raise AssertionError("tables still measuring")


def snapshot_app(tmp_path: Path, seed: Callable[[Database], object], user: str,
                 lang: str) -> RmaApp:
    """The app on a fresh database in `tmp_path`, migrated and seeded by `seed`, signed in
    as `user`. No periodic refresh: a snapshot is one frame of finished work."""
    d = Database(str(tmp_path / "snap.db"))
    upgrade(d)
    seed(d)
    d.dispose()
    return make_app(str(tmp_path / "snap.db"), user, lang, refresh_seconds=0)
