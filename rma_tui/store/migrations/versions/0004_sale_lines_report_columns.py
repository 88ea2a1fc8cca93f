"""sale lines: sold_at, channel and customer copied from the sale, with covering indexes

The reports group a million sale lines by period, channel or customer; with these columns
they read sale lines alone instead of joining every line to its sale (0.44 s -> ~0.06 s on
the large demo). Existing lines get their sale's values.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 12:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Added nullable first (instant on SQLite), filled from the sales, then made NOT NULL
    # with the foreign key in ONE batch (one copy of the table on SQLite).
    op.add_column("sale_lines", sa.Column("sold_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("sale_lines", sa.Column("channel", sa.String(length=16), nullable=True))
    op.add_column("sale_lines", sa.Column("customer_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE sale_lines SET sold_at = sales.sold_at, channel = sales.channel, "
        "customer_id = sales.customer_id FROM sales WHERE sales.id = sale_lines.sale_id"
    )
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.alter_column("sold_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.alter_column("channel", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_sale_lines_customer_id_customers"),
                                    "customers", ["customer_id"], ["id"])
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.create_index("ix_sale_lines_sold_product_qty", ["sold_at", "product_id", "qty"],
                              unique=False)
        batch_op.create_index("ix_sale_lines_customer_sold_qty",
                              ["customer_id", "sold_at", "qty"], unique=False)
        batch_op.create_index("ix_sale_lines_channel_sold_qty", ["channel", "sold_at", "qty"],
                              unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_sale_lines_channel_sold_qty")
        batch_op.drop_index("ix_sale_lines_customer_sold_qty")
        batch_op.drop_index("ix_sale_lines_sold_product_qty")
        batch_op.drop_constraint(batch_op.f("fk_sale_lines_customer_id_customers"),
                                 type_="foreignkey")
        batch_op.drop_column("customer_id")
        batch_op.drop_column("channel")
        batch_op.drop_column("sold_at")
