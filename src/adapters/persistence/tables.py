"""The schema as SQLAlchemy Core tables; Alembic migrations are the only way it changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Statuses in which a booking keeps its resource or seat (pending_payment only until its hold expires).
HOLDING = ("pending_payment", "confirmed", "scheduled", "in_service")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC in and out, on PostgreSQL (timestamptz) and SQLite (sortable text) alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("phone", sa.String(32)),
    sa.Column("locale", sa.String(16), nullable=False),
    sa.Column("refs", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("offering_id", sa.String(100), nullable=False),
    sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("payment_status", sa.String(20), nullable=False),
    sa.Column("amount_cents", sa.Integer, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("start_at", UtcDateTime),
    sa.Column("end_at", UtcDateTime),
    sa.Column("block_end", UtcDateTime),
    sa.Column("resource_id", sa.String(100)),
    sa.Column("capacity", sa.Integer),
    sa.Column("hold_expires_at", UtcDateTime),
    sa.Column("notes", sa.Text),
    sa.Column("intake", sa.JSON, nullable=False),
    sa.Column("refs", sa.JSON, nullable=False),
    sa.Column("dispatch", sa.JSON),  # addresses and vehicle of a booking that sends a driver
    sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # A package of sessions (ADR 0018): the sessions its payment bought, how many hold a credit (the
    # database refuses fewer than 0 or more than bought), and until when they may start.
    sa.Column("sessions_total", sa.Integer),
    sa.Column("sessions_used", sa.Integer),
    sa.Column("sessions_valid_days", sa.Integer),
    sa.Column("valid_until", UtcDateTime),
    # A session: a booking of its own whose credit is its package's.
    sa.Column("package_id", sa.Uuid, sa.ForeignKey("bookings.id")),
    sa.Index("ix_bookings_resource_start", "resource_id", "start_at"),
    sa.Index("ix_bookings_offering_start", "offering_id", "start_at"),
    sa.Index("ix_bookings_status_hold", "status", "hold_expires_at"),
    sa.Index("ix_bookings_customer", "customer_id"),
    sa.Index("ix_bookings_package", "package_id"),
    sa.Index("ix_bookings_start", "start_at"),  # the console's day schedule and date filters
)

# A provider's id for a booking (an Acuity appointment, a Cal.com booking uid) names one booking.
booking_references = sa.Table(
    "booking_references",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(255), primary_key=True),
    sa.Column("booking_id", sa.Uuid, sa.ForeignKey("bookings.id"), nullable=False, index=True),
)

# Extra work found during a service, charged off-session to the card the booking's payment saved.
booking_extensions = sa.Table(
    "booking_extensions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("booking_id", sa.Uuid, sa.ForeignKey("bookings.id"), nullable=False, index=True),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("amount_cents", sa.Integer, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("failure_reason", sa.String(200)),
    sa.Column("payment_ref", sa.String(255)),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("session_ref", sa.String(255)),  # the last on-session payment opened for it
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("booking_id", sa.Uuid, nullable=False),
    sa.Column("token_cipher", sa.LargeBinary(32), nullable=False),
    sa.Column("response", sa.JSON),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

inbound_events = sa.Table(
    "inbound_events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("event_id", sa.String(255), nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    # The booking the event was applied to (none for an event of no booking): its timeline lists it.
    sa.Column("booking_id", sa.Uuid, index=True),
    sa.UniqueConstraint("provider", "event_id"),
    # The console's counts and list, by time only: an index led by `provider` would compete with the
    # unique (provider, event_id) for the ingest's lookup of an event, and win it on stale statistics.
    sa.Index("ix_inbound_events_received", "received_at"),
)

outbox_messages = sa.Table(
    "outbox_messages",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("topic", sa.String(64), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
    sa.Column("booking_id", sa.Uuid),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("last_error", sa.String(200)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime),
    sa.Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),
)

# One row per integration: the worker's record of how its deliveries went (for /health).
outbox_sinks = sa.Table(
    "outbox_sinks",
    metadata,
    sa.Column("integration", sa.String(32), primary_key=True),
    sa.Column("last_success_at", UtcDateTime),
    sa.Column("last_failure_at", UtcDateTime),
    sa.Column("failures_in_a_row", sa.Integer, nullable=False),
)

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("booking_id", sa.Uuid, nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),  # `system`, `driver_app`, `staff:<uuid>`
    sa.Column("from_status", sa.String(20), nullable=False),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    # A change that is not a status change (from and to the same): what was done, without personal data.
    sa.Column("action", sa.String(32)),
    sa.Column("detail", sa.String(200)),
)

# One row per provider: the creation time of the newest event reconciliation has applied.
provider_checkpoints = sa.Table(
    "provider_checkpoints",
    metadata,
    sa.Column("provider", sa.String(32), primary_key=True),
    sa.Column("last_event_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# The payments ledger: each charge and refund a provider reported, once (its id there and its kind).
# `payment_ref` is, for a refund, the payment it gives back; for a charge, its own id.
payment_ledger = sa.Table(
    "payment_ledger",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("provider_ref", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("amount_cents", sa.Integer, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("booking_id", sa.Uuid, nullable=False, index=True),
    sa.Column("extension_id", sa.Uuid),
    sa.Column("payment_ref", sa.String(255)),
    sa.Column("occurred_at", UtcDateTime, nullable=False, index=True),
    sa.CheckConstraint("kind IN ('charge', 'refund')", name="ck_payment_ledger_kind"),
    sa.CheckConstraint("amount_cents > 0", name="ck_payment_ledger_amount"),
    sa.UniqueConstraint("provider", "provider_ref", "kind"),
)

# The hub's own secrets (the signing key when BOOKHUB_SECRET_KEY is unset), by name.
hub_secrets = sa.Table(
    "hub_secrets",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# The staff console (migration 0014). Emails are stored normalised (lower case), so unique means unique
# whatever the case. Session ids and password-link tokens are kept as their SHA-256 only; failed sign-ins
# under an HMAC of the email with the hub's key, never the email.
staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("disabled_at", UtcDateTime),
    sa.CheckConstraint("role IN ('owner', 'staff')", name="ck_staff_accounts_role"),
    sa.CheckConstraint("email = lower(email)", name="ck_staff_accounts_email_lower"),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column(
        "staff_id",
        sa.Uuid,
        sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
)

staff_sign_in_failures = sa.Table(
    "staff_sign_in_failures",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("email_key", sa.String(64), nullable=False, index=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
)

staff_password_tokens = sa.Table(
    "staff_password_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "staff_id",
        sa.Uuid,
        sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

# The console's record of integration activity, one row per integration (or provider) and hour (its
# start, UTC), pruned with the outbox: the worker counts each delivery attempt in the transaction that
# records its result; the webhook routes count each post they refuse (bad signature or payload).
delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("integration", sa.String(32), primary_key=True),
    sa.Column("hour", UtcDateTime, primary_key=True),
    sa.Column("delivered", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),
)

webhook_refusals = sa.Table(
    "webhook_refusals",
    metadata,
    sa.Column("provider", sa.String(32), primary_key=True),
    sa.Column("hour", UtcDateTime, primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("refused", sa.Integer, nullable=False),
)
