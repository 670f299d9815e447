"""The console's overview: hourly counts of delivery attempts and of refused webhooks per integration,
and indexes for the day schedule (bookings by start) and the webhook counts (events by time).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 15:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_attempts",
        sa.Column("integration", sa.String(length=32), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("integration", "hour", name=op.f("pk_delivery_attempts")),
    )
    op.create_table(
        "webhook_refusals",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "hour", "code", name=op.f("pk_webhook_refusals")),
    )
    op.create_index("ix_bookings_start", "bookings", ["start_at"])
    op.create_index("ix_inbound_events_received", "inbound_events", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_events_received", table_name="inbound_events")
    op.drop_index("ix_bookings_start", table_name="bookings")
    op.drop_table("webhook_refusals")
    op.drop_table("delivery_attempts")
