"""Inbound events name the booking they were applied to (nullable: events of no booking, and those
received before this revision), so a booking's timeline lists the provider events behind it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_events") as batch:
        batch.add_column(sa.Column("booking_id", sa.Uuid(), nullable=True))
    op.create_index("ix_inbound_events_booking_id", "inbound_events", ["booking_id"])


def downgrade() -> None:
    op.drop_index("ix_inbound_events_booking_id", table_name="inbound_events")
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_column("booking_id")
