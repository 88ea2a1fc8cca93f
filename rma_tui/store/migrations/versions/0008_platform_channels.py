"""slips: online platforms' after-sale requests; parcels: return parcels matching no slip

A slip may stand for a platform's after-sale request (售后单): its refund id (unique per
channel), sub-order, last status, the buyer's nickname, the return parcel's carrier and
waybill, when the buyer asked, and what the platform refunded. Existing slips, `online`
ones included, keep every value and get empty platform fields. `parcels` holds return
parcels that arrived matching no slip (无主件) until they are attached to one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=False, server_default="")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("slips") as batch:
        batch.add_column(sa.Column("platform_ref", sa.String(length=64), nullable=True))
        batch.add_column(_text("platform_suborder", 64))
        batch.add_column(_text("platform_status", 16))
        batch.add_column(_text("platform_status_raw", 64))
        batch.add_column(_text("buyer", 100))
        batch.add_column(_text("waybill_carrier", 64))
        batch.add_column(sa.Column("waybill_no", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("platform_refund_fen", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("platform_refunded_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("platform_amount_fen", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.create_index(batch.f("ix_slips_platform_ref"), ["platform_ref"])
        batch.create_index(batch.f("ix_slips_waybill_no"), ["waybill_no"])
        batch.create_unique_constraint("uq_slips_channel_platform_ref",
                                       ["channel", "platform_ref"])
    op.create_table(
        "parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("waybill_no", sa.String(length=64), nullable=False),
        sa.Column("contents", sa.String(length=2000), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shop", sa.String(length=16), nullable=False, server_default="main"),
        sa.Column("slip_id", sa.Integer(), nullable=True),
        sa.Column("attached_by", sa.String(length=64), nullable=True),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["shop"], ["shops.code"],
                                name=op.f("fk_parcels_shop_shops")),
        sa.ForeignKeyConstraint(["slip_id"], ["slips.id"],
                                name=op.f("fk_parcels_slip_id_slips")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcels")),
    )
    op.create_index(op.f("ix_parcels_waybill_no"), "parcels", ["waybill_no"])
    op.create_index(op.f("ix_parcels_received_at"), "parcels", ["received_at"])
    op.create_index(op.f("ix_parcels_slip_id"), "parcels", ["slip_id"])


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("parcels")
    with op.batch_alter_table("slips") as batch:
        batch.drop_constraint("uq_slips_channel_platform_ref", type_="unique")
        batch.drop_index(batch.f("ix_slips_waybill_no"))
        batch.drop_index(batch.f("ix_slips_platform_ref"))
        for name in ("platform_amount_fen", "platform_refunded_at", "platform_refund_fen",
                     "requested_at",
                     "waybill_no", "waybill_carrier", "buyer", "platform_status_raw",
                     "platform_status", "platform_suborder", "platform_ref"):
            batch.drop_column(name)
