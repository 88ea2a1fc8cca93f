"""Create or upgrade the schema (TEMPORARY create_all; Alembic replaces this)."""

from __future__ import annotations

from sqlmodel import SQLModel

from rma_tui.store import models  # noqa: F401  (registers tables)
from rma_tui.store.db import Database


def upgrade(db: Database) -> None:
    """Bring the database to the newest schema."""
    SQLModel.metadata.create_all(db.engine)
    from rma_tui.store.seed import seed_reference_data

    seed_reference_data(db)
