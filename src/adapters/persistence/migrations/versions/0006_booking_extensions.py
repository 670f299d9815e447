"""Extensions of bookings: extra work proposed by the business, approved by the customer, charged
off-session to the saved card.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_extensions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failure_reason", sa.String(length=200), nullable=True),
        sa.Column("payment_ref", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_extensions_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_extensions")),
    )
    op.create_index(
        op.f("ix_booking_extensions_booking_id"), "booking_extensions", ["booking_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_extensions_booking_id"), table_name="booking_extensions")
    op.drop_table("booking_extensions")
