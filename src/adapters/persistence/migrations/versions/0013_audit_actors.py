"""Audit entries name staff members (`staff:<uuid>`) and changes that are not a status change: an
`action` (e.g. `resource_assigned`) and a short `detail` without personal data.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("actor", type_=sa.String(length=64), existing_nullable=False)
        batch.add_column(sa.Column("action", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("detail", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("detail")
        batch.drop_column("action")
        batch.alter_column("actor", type_=sa.String(length=32), existing_nullable=False)
