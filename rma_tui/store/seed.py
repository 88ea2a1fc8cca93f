"""Reference rows every database needs: the chart of accounts and the audit chain head."""

from __future__ import annotations

from sqlmodel import select

from rma_tui.store.db import Database
from rma_tui.store.models import Account, ChainHead


def seed_reference_data(db: Database) -> None:
    """Insert missing accounts and the chain head (idempotent)."""
    from rma_tui.service import ACCOUNTS

    with db.write() as s:
        have = set(s.exec(select(Account.code)).all())
        for code, (zh, en, kind) in ACCOUNTS.items():
            if code not in have:
                s.add(Account(code=code, name_zh=zh, name_en=en, kind=kind))
        if s.get(ChainHead, 1) is None:
            s.add(ChainHead(id=1, seq=0, hash="0" * 64))
