"""Migration 0007 (wrong PINs counted): a 0006 shop's users come through unchanged, with
no wrong PINs and no wait, and can sign in with their PINs as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from migration_scripts import scripts_up_to

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.migrate import current_revision, head_revision, upgrade


def test_a_0006_shops_users_keep_their_pins(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    d = Database(str(path))
    try:
        upgrade(d, script_location=scripts_up_to(tmp_path / "migrations-0006", "0006"))
        assert current_revision(d) == "0006"
    finally:
        d.dispose()
    con = sqlite3.connect(path)
    try:
        con.execute("INSERT INTO users (name, role, pin_hash, active, created_at) "
                    "VALUES ('老板', 'owner', ?, 1, ?)",
                    (sv.hash_pin("1357"), "2026-11-01 00:00:00.000000"))
        con.commit()
    finally:
        con.close()
    d = Database(str(path))
    try:
        upgrade(d)
        assert current_revision(d) == head_revision()
        con = sqlite3.connect(path)
        try:
            assert con.execute("SELECT name, pin_failures, pin_locked_until FROM users"
                               ).fetchall() == [("老板", 0, None)]
        finally:
            con.close()
        assert sv.sign_in(d, "老板", "1357").role == "owner"
        assert not sv.check_pin(d, "老板", "2468")
        assert sv.verify(d).ok
    finally:
        d.dispose()
