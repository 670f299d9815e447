"""Provider checkpoints: per provider, the newest event reconciliation has fed through the handlers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_checkpoints",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", name=op.f("pk_provider_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("provider_checkpoints")
