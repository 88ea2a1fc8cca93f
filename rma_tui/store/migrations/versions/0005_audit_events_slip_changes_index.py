"""audit events: a covering partial index of each slip's state changes in chain order

The compliance report's time in each state pairs every state change with the next one of
the same slip (a window over the trail); with this index the database reads the changes
already in that order instead of sorting a million of them, and finds a slip's last
change with one seek.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 13:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = "to_status IS NOT NULL AND slip_id IS NOT NULL"


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_audit_events_slip_changes", "audit_events",
                    ["slip_id", "seq", "to_status", "at"], unique=False,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index("ix_audit_events_slip_changes", table_name="audit_events")
