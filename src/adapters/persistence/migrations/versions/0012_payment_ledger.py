"""The payments ledger: every charge and refund a provider reported, one row each; the Odoo partner id on
the customer is kept in its references (no column).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_ledger",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_ref", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("extension_id", sa.Uuid(), nullable=True),
        sa.Column("payment_ref", sa.String(length=255), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('charge', 'refund')", name=op.f("ck_payment_ledger_kind")),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_payment_ledger_amount")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_ledger")),
        sa.UniqueConstraint(
            "provider", "provider_ref", "kind", name=op.f("uq_payment_ledger_provider_provider_ref_kind")
        ),
    )
    op.create_index("ix_payment_ledger_booking_id", "payment_ledger", ["booking_id"])
    op.create_index("ix_payment_ledger_occurred_at", "payment_ledger", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_payment_ledger_occurred_at", table_name="payment_ledger")
    op.drop_index("ix_payment_ledger_booking_id", table_name="payment_ledger")
    op.drop_table("payment_ledger")
