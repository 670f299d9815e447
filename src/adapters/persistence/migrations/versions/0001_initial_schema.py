"""Initial schema: bookings, customers, idempotency keys, inbound events, outbox, audit.

The invariants live in the database too: an exclusion constraint (PostgreSQL) or a trigger (SQLite)
refuses two holding bookings of one resource whose buffered slots overlap, and a trigger refuses a
booking that would put a slot over its capacity.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:19:56.857829
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index("ix_audit_entries_booking_id", "audit_entries", ["booking_id"])

    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("email", name=op.f("uq_customers_email")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("token_cipher", sa.LargeBinary(length=32), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "inbound_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_events")),
        sa.UniqueConstraint("provider", "event_id", name=op.f("uq_inbound_events_provider_event_id")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_messages_idempotency_key")),
    )
    op.create_index("ix_outbox_messages_state_next", "outbox_messages", ["state", "next_attempt_at"])

    op.create_table(
        "bookings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("offering_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payment_status", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("block_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resource_id", sa.String(length=100), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("intake", sa.JSON(), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_bookings_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    op.create_index("ix_bookings_customer", "bookings", ["customer_id"])
    op.create_index("ix_bookings_offering_start", "bookings", ["offering_id", "start_at"])
    op.create_index("ix_bookings_resource_start", "bookings", ["resource_id", "start_at"])
    op.create_index("ix_bookings_status_hold", "bookings", ["status", "hold_expires_at"])
    _create_invariants()


def downgrade() -> None:
    _drop_invariants()
    op.drop_index("ix_bookings_status_hold", table_name="bookings")
    op.drop_index("ix_bookings_resource_start", table_name="bookings")
    op.drop_index("ix_bookings_offering_start", table_name="bookings")
    op.drop_index("ix_bookings_customer", table_name="bookings")

    op.drop_table("bookings")
    op.drop_index("ix_outbox_messages_state_next", table_name="outbox_messages")

    op.drop_table("outbox_messages")
    op.drop_table("inbound_events")
    op.drop_table("idempotency_keys")
    op.drop_table("customers")
    op.drop_index("ix_audit_entries_booking_id", table_name="audit_entries")

    op.drop_table("audit_entries")


_HOLDING = "('pending_payment', 'confirmed', 'scheduled', 'in_service')"


def _create_invariants() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_invariants()
    else:
        _create_sqlite_invariants()


def _create_postgresql_invariants() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        "ALTER TABLE bookings ADD CONSTRAINT bookings_resource_no_overlap EXCLUDE USING gist "
        "(resource_id WITH =, tstzrange(start_at, block_end, '[)') WITH &&) "
        f"WHERE (resource_id IS NOT NULL AND status IN {_HOLDING})"
    )
    # Seats: serialise per offering with a transaction-scoped advisory lock, then count.
    op.execute(f"""
        CREATE FUNCTION bookings_check_seats() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE taken integer;
        BEGIN
            IF NEW.capacity IS NULL OR NEW.start_at IS NULL OR NEW.status NOT IN {_HOLDING} THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.status IN {_HOLDING} THEN
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
        "CREATE TRIGGER bookings_seats BEFORE INSERT OR UPDATE OF status ON bookings "
        "FOR EACH ROW EXECUTE FUNCTION bookings_check_seats()"
    )


def _create_sqlite_invariants() -> None:
    # SQLite runs one writer at a time (BEGIN IMMEDIATE), so a check inside a trigger is atomic.
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
    moved_in = f"OLD.status NOT IN {_HOLDING}"
    for name, event, when, body in (
        ("bookings_resource_insert", "INSERT", resource_when, overlap),
        ("bookings_resource_update", "UPDATE OF status", f"{resource_when} AND {moved_in}", overlap),
        ("bookings_seats_insert", "INSERT", seats_when, seats),
        ("bookings_seats_update", "UPDATE OF status", f"{seats_when} AND {moved_in}", seats),
    ):
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON bookings WHEN {when} BEGIN {body} END")


def _drop_invariants() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS bookings_seats ON bookings")
        op.execute("DROP FUNCTION IF EXISTS bookings_check_seats()")
        op.execute("ALTER TABLE bookings DROP CONSTRAINT IF EXISTS bookings_resource_no_overlap")
    else:
        for name in ("resource_insert", "resource_update", "seats_insert", "seats_update"):
            op.execute(f"DROP TRIGGER IF EXISTS bookings_{name}")
