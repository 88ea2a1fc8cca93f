"""users: wrong PINs in a row, and until when a user must wait after too many

After five wrong PINs in a row a user waits, longer with each further wrong one, until the
time kept here or until the owner clears it; a right PIN starts the count again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("pin_failures", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("pin_locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("pin_locked_until")
        batch.drop_column("pin_failures")
