"""shops: a chain's shops (门店), and the shop of every sale, slip, stock row and entry

Every existing row belongs to the default shop `main`, named after the shop's name setting,
so a single shop keeps working unchanged. Stock levels are kept per shop (their key gains
the shop), a day is closed per shop, users may belong to one shop (NULL: every shop), and
the chart of accounts gains 1409 for stock moved between shops.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 15:10:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_SHOP = "main"
# Tables whose rows belong to one shop (NOT NULL, `main` for what is there), and whether
# the column is indexed (the lists a clerk's screens filter by shop).
SHOP_TABLES = (
    ("sales", True),
    ("sale_lines", False),
    ("slips", True),
    ("stock_moves", False),
    ("stock_alerts", False),
    ("journal_entries", True),
    ("supplier_returns", False),
)
# The account added by this revision: code, Chinese name, English name, kind.
TRANSFER_ACCOUNT = ("1409", "门店调拨往来", "Inter-shop transfers", "asset")


def _shop_column(nullable: bool = False) -> sa.Column:
    if nullable:
        return sa.Column("shop", sa.String(length=16), nullable=True)
    return sa.Column("shop", sa.String(length=16), nullable=False,
                     server_default=DEFAULT_SHOP)


def upgrade() -> None:
    """Apply this revision."""
    shops = op.create_table(
        "shops",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_shops")),
    )
    name = op.get_bind().execute(
        sa.text("SELECT value FROM settings WHERE key = 'shop_name'")).scalar()
    op.bulk_insert(shops, [{"code": DEFAULT_SHOP, "name": name or DEFAULT_SHOP,
                            "created_at": datetime.now(UTC)}])
    accounts = sa.table("accounts", sa.column("code", sa.String), sa.column("name_zh", sa.String),
                        sa.column("name_en", sa.String), sa.column("kind", sa.String))
    op.bulk_insert(accounts, [dict(zip(("code", "name_zh", "name_en", "kind"),
                                       TRANSFER_ACCOUNT, strict=True))])
    # One batch per table: on SQLite each is one copy of the table (the foreign key needs it).
    for table, indexed in SHOP_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_shop_column())
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_shop_shops"), "shops",
                                        ["shop"], ["code"])
            if indexed:
                batch_op.create_index(batch_op.f(f"ix_{table}_shop"), ["shop"], unique=False)
    for table in ("users", "notifications"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_shop_column(nullable=True))
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_shop_shops"), "shops",
                                        ["shop"], ["code"])
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.add_column(_shop_column())
        batch_op.drop_constraint("pk_stock_levels", type_="primary")
        batch_op.create_primary_key("pk_stock_levels", ["product_id", "location", "shop"])
        batch_op.create_foreign_key(batch_op.f("fk_stock_levels_shop_shops"), "shops",
                                    ["shop"], ["code"])
    with op.batch_alter_table("daily_closes", schema=None) as batch_op:
        batch_op.add_column(_shop_column())
        batch_op.drop_constraint("uq_daily_closes_day", type_="unique")
        batch_op.create_unique_constraint("uq_daily_closes_day_shop", ["day", "shop"])
        batch_op.create_foreign_key(batch_op.f("fk_daily_closes_shop_shops"), "shops",
                                    ["shop"], ["code"])


def downgrade() -> None:
    """Undo this revision (only a chain of one shop can go back: levels would merge)."""
    with op.batch_alter_table("daily_closes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_daily_closes_shop_shops"), type_="foreignkey")
        batch_op.drop_constraint("uq_daily_closes_day_shop", type_="unique")
        batch_op.create_unique_constraint("uq_daily_closes_day", ["day"])
        batch_op.drop_column("shop")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stock_levels_shop_shops"), type_="foreignkey")
        batch_op.drop_constraint("pk_stock_levels", type_="primary")
        batch_op.create_primary_key("pk_stock_levels", ["product_id", "location"])
        batch_op.drop_column("shop")
    for table in ("notifications", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_shop_shops"), type_="foreignkey")
            batch_op.drop_column("shop")
    for table, indexed in reversed(SHOP_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if indexed:
                batch_op.drop_index(batch_op.f(f"ix_{table}_shop"))
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_shop_shops"), type_="foreignkey")
            batch_op.drop_column("shop")
    op.execute(f"DELETE FROM accounts WHERE code = '{TRANSFER_ACCOUNT[0]}'")
    op.drop_table("shops")
