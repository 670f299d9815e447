"""The on-session payment (a Checkout Session, an Airwallex PaymentIntent) last opened for an extension.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking_extensions") as batch:
        batch.add_column(sa.Column("session_ref", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking_extensions") as batch:
        batch.drop_column("session_ref")
