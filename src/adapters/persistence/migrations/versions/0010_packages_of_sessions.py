"""Packages of sessions: a package's credits on its booking, each session a booking naming its package.

The database keeps a package's count within what was bought: a check constraint (PostgreSQL) or a
trigger (SQLite) refuses `sessions_used` below 0 or above `sessions_total`, so two requests racing for
the last credit cannot both write it (ADR 0018).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_bookings_package_id_bookings"
_CHECK = "ck_bookings_session_credits"
_WITHIN = "sessions_used >= 0 AND sessions_used <= sessions_total"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, kind in (
        ("sessions_total", sa.Integer()),
        ("sessions_used", sa.Integer()),
        ("sessions_valid_days", sa.Integer()),
        ("valid_until", sa.DateTime(timezone=True)),
    ):
        op.add_column("bookings", sa.Column(name, kind, nullable=True))
    if postgres:
        op.add_column("bookings", sa.Column("package_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(_FK, "bookings", "bookings", ["package_id"], ["id"])
        op.create_check_constraint(_CHECK, "bookings", _WITHIN)
    else:
        # SQLite adds a column with its reference in place; a check comes as triggers, as in 0001.
        op.execute("ALTER TABLE bookings ADD COLUMN package_id CHAR(32) REFERENCES bookings (id)")
        refuse = "SELECT RAISE(ABORT, 'no_sessions_left: a package holds no more sessions than it bought');"
        when = f"NEW.sessions_used IS NOT NULL AND NOT ({_WITHIN.replace('sessions', 'NEW.sessions')})"
        for name, event in (("insert", "INSERT"), ("update", "UPDATE OF sessions_used")):
            op.execute(
                f"CREATE TRIGGER bookings_session_credits_{name} BEFORE {event} ON bookings "
                f"WHEN {when} BEGIN {refuse} END"
            )
    op.create_index("ix_bookings_package", "bookings", ["package_id"])


def downgrade() -> None:
    op.drop_index("ix_bookings_package", table_name="bookings")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(_CHECK, "bookings", type_="check")
        op.drop_constraint(_FK, "bookings", type_="foreignkey")
        op.drop_column("bookings", "package_id")
    else:
        for name in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS bookings_session_credits_{name}")
        op.execute("ALTER TABLE bookings DROP COLUMN package_id")
    for name in ("valid_until", "sessions_valid_days", "sessions_used", "sessions_total"):
        op.drop_column("bookings", name)
