"""Provider ids for bookings (Acuity appointments, Cal.com uids), and the availability checks when a
booking moves to another time or resource.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOLDING = "('pending_payment', 'confirmed', 'scheduled', 'in_service')"


def upgrade() -> None:
    op.create_table(
        "booking_references",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_references_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("key", "value", name=op.f("pk_booking_references")),
    )
    op.create_index(
        op.f("ix_booking_references_booking_id"), "booking_references", ["booking_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_move_checks()
    else:
        _create_sqlite_move_checks()


def _create_postgresql_move_checks() -> None:
    # The exclusion constraint already covers updates; the seat count fired on status changes only.
    op.execute(f"""
        CREATE FUNCTION bookings_check_moved_seats() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE taken integer;
        BEGIN
            IF NEW.capacity IS NULL OR NEW.start_at IS NULL OR NEW.status NOT IN {_HOLDING} THEN
                RETURN NEW;
            END IF;
            PERFORM pg_advisory_xact_lock(hashtextextended('bookhub.seats:' || NEW.offering_id, 0));
            SELECT count(*) INTO taken FROM bookings
             WHERE offering_id = NEW.offering_id AND id <> NEW.id AND status IN {_HOLDING}
               AND start_at < NEW.end_at AND end_at > NEW.start_at;
            IF taken >= NEW.capacity THEN
                RAISE EXCEPTION 'slot_unavailable: % is full', NEW.offering_id USING ERRCODE = '23P01';
            END IF;
            RETURN NEW;
        END $$
    """)
    op.execute(
        "CREATE TRIGGER bookings_seats_moved BEFORE UPDATE OF start_at, end_at ON bookings "
        "FOR EACH ROW WHEN (OLD.start_at IS DISTINCT FROM NEW.start_at OR OLD.end_at IS DISTINCT FROM "
        "NEW.end_at) EXECUTE FUNCTION bookings_check_moved_seats()"
    )


def _create_sqlite_move_checks() -> None:
    overlap = (
        "SELECT RAISE(ABORT, 'slot_unavailable: resource taken') WHERE EXISTS ("
        "SELECT 1 FROM bookings b WHERE b.resource_id = NEW.resource_id AND b.id <> NEW.id "
        f"AND b.status IN {_HOLDING} AND b.start_at < NEW.block_end AND b.block_end > NEW.start_at);"
    )
    seats = (
        "SELECT RAISE(ABORT, 'slot_unavailable: full') WHERE (SELECT count(*) FROM bookings b "
        f"WHERE b.offering_id = NEW.offering_id AND b.id <> NEW.id AND b.status IN {_HOLDING} "
        "AND b.start_at < NEW.end_at AND b.end_at > NEW.start_at) >= NEW.capacity;"
    )
    resource_when = f"NEW.resource_id IS NOT NULL AND NEW.status IN {_HOLDING}"
    seats_when = f"NEW.capacity IS NOT NULL AND NEW.start_at IS NOT NULL AND NEW.status IN {_HOLDING}"
    resource_moved = (
        "(OLD.start_at IS NOT NEW.start_at OR OLD.block_end IS NOT NEW.block_end "
        "OR OLD.resource_id IS NOT NEW.resource_id)"
    )
    seats_moved = "(OLD.start_at IS NOT NEW.start_at OR OLD.end_at IS NOT NEW.end_at)"
    for name, event, when, body in (
        (
            "bookings_resource_moved",
            "UPDATE OF start_at, block_end, resource_id",
            f"{resource_when} AND {resource_moved}",
            overlap,
        ),
        ("bookings_seats_moved", "UPDATE OF start_at, end_at", f"{seats_when} AND {seats_moved}", seats),
    ):
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON bookings WHEN {when} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS bookings_seats_moved ON bookings")
        op.execute("DROP FUNCTION IF EXISTS bookings_check_moved_seats()")
    else:
        op.execute("DROP TRIGGER IF EXISTS bookings_resource_moved")
        op.execute("DROP TRIGGER IF EXISTS bookings_seats_moved")
    op.drop_index(op.f("ix_booking_references_booking_id"), table_name="booking_references")
    op.drop_table("booking_references")
