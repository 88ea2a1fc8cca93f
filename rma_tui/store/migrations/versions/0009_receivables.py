"""receivable_moves: what each customer owes each shop; slips: a refund split in two

`receivable_moves` is the subledger of accounts receivable (1122): one row per change of
what a customer owes a shop. Existing postings to 1122 (refunds and exchange differences to
the customer's account) become the moves of their slip's customer, so the subledger equals
the account from the start. `slips.rest_method` / `rest_fen` and `slip_lines.rest_fen` hold
the part of a refund paid another way (nothing for existing slips).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each posting to 1122 of a slip's entry, as its customer's move (debit: owes more).
_BACKFILL = """
INSERT INTO receivable_moves (customer_id, shop, delta_fen, kind, sale_id, slip_id, note,
                              "user", at)
SELECT sl.customer_id, je.shop, p.debit_fen - p.credit_fen, je.kind, NULL, sl.id, '',
       je."user", je.at
FROM postings p
JOIN journal_entries je ON je.id = p.entry_id
JOIN slips sl ON sl.id = je.slip_id
WHERE p.account_code = '1122' AND sl.customer_id IS NOT NULL
  AND p.debit_fen - p.credit_fen <> 0
ORDER BY je.at, je.id
"""


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "receivable_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("shop", sa.String(length=16), nullable=False, server_default="main"),
        sa.Column("delta_fen", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("slip_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_receivable_moves_customer_id_customers")),
        sa.ForeignKeyConstraint(["shop"], ["shops.code"],
                                name=op.f("fk_receivable_moves_shop_shops")),
        sa.ForeignKeyConstraint(["sale_id"], ["sales.id"],
                                name=op.f("fk_receivable_moves_sale_id_sales")),
        sa.ForeignKeyConstraint(["slip_id"], ["slips.id"],
                                name=op.f("fk_receivable_moves_slip_id_slips")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivable_moves")),
    )
    op.create_index("ix_receivable_moves_customer_shop", "receivable_moves",
                    ["customer_id", "shop"])
    with op.batch_alter_table("slips") as batch:
        batch.add_column(sa.Column("rest_method", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("rest_fen", sa.Integer(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("slip_lines") as batch:
        batch.add_column(sa.Column("rest_fen", sa.Integer(), nullable=False,
                                   server_default="0"))
    op.execute(_BACKFILL)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("slip_lines") as batch:
        batch.drop_column("rest_fen")
    with op.batch_alter_table("slips") as batch:
        batch.drop_column("rest_fen")
        batch.drop_column("rest_method")
    op.drop_table("receivable_moves")
