"""A new booking's statements: the one-statement insert on PostgreSQL (ADR 0006) and the careful
path's inserts, each arbitrated by the database's availability rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.dialect import is_postgres, one_of, slot_taken
from adapters.persistence.mappers import booking_row, customer_row
from adapters.persistence.occupancy import MAX_SPAN
from adapters.persistence.one_statement import first_free_insert, first_free_params
from adapters.persistence.records import audit_rows, outbox_rows
from application.ports import NewCustomer
from domain.booking import Booking
from domain.errors import SlotUnavailable

_INSERT_UNLESS_TAKEN = postgresql.insert(t.bookings).on_conflict_do_nothing().returning(t.bookings.c.id)


async def insert_on_first_free(
    connection: AsyncConnection,
    booking: Booking,
    *,
    customer: NewCustomer,
    candidates: Sequence[str],
    actor: str,
    now: datetime,
) -> bool:
    """PostgreSQL: the customer, the booking on the first candidate no holding booking blocks, and its
    audit and outbox rows, in one statement (`one_statement.first_free_insert`). False when it wrote no
    booking (an expired hold not yet swept counts as blocking): the careful path then decides."""
    audit = audit_rows(booking.events, actor=actor)
    outbox = outbox_rows(booking.events, now=now)
    params = first_free_params(
        booking_row(booking, capacity=None, now=now), customer_row(customer), list(candidates), audit, outbox
    )
    row = (await connection.execute(first_free_insert(len(audit), len(outbox)), params)).first()
    if row is None:
        return False
    booking.resource_id, booking.customer_id = row.resource_id, row.customer_id
    booking.events.clear()  # written with the booking, in the same statement
    return True


async def insert_on_a_free_resource(
    connection: AsyncConnection, booking: Booking, candidates: Sequence[str], now: datetime
) -> None:
    """The booking on the first of `candidates` still free when it is written (sets `resource_id`)."""
    for i, resource_id in enumerate(candidates):
        booking.resource_id = resource_id
        last = i == len(candidates) - 1
        try:
            if is_postgres(connection):
                await _insert_unless_taken(connection, booking, now)
            elif last:
                await insert(connection, booking, capacity=None, now=now)
            else:
                async with connection.begin_nested():
                    await insert(connection, booking, capacity=None, now=now)
            return
        except SlotUnavailable:
            if last:
                booking.resource_id = None
                raise


async def _insert_unless_taken(connection: AsyncConnection, booking: Booking, now: datetime) -> None:
    """PostgreSQL: the exclusion constraint arbitrates `ON CONFLICT DO NOTHING`, so a taken resource
    returns no row instead of an error: no savepoint per try, and no deadlock between two racing
    inserts (a plain INSERT into the GiST constraint can deadlock under a race)."""
    row = booking_row(booking, capacity=None, now=now)
    if (await connection.execute(_INSERT_UNLESS_TAKEN, row)).first() is None:
        raise SlotUnavailable("that slot was just taken")


async def insert(
    connection: AsyncConnection, booking: Booking, *, capacity: int | None, now: datetime
) -> None:
    """The booking as it is; with `capacity`, the database counts the seats its slot holds."""
    try:
        await connection.execute(t.bookings.insert(), booking_row(booking, capacity=capacity, now=now))
    except DBAPIError as exc:
        if slot_taken(exc):
            raise SlotUnavailable("that slot was just taken") from exc
        raise


async def expire_stale_holds(
    connection: AsyncConnection, booking: Booking, resources: Sequence[str], now: datetime
) -> None:
    """Holds that ran out still sit in the table as pending_payment; free them before inserting."""
    b = t.bookings.c
    block = booking.block
    assert block is not None  # noqa: S101 - callers pass a booking with a slot
    where = [
        b.status == "pending_payment",
        b.hold_expires_at <= now,
        b.start_at < block.end,
        b.start_at > block.start - MAX_SPAN,
    ]
    if resources:
        where += [one_of(connection, b.resource_id, resources), b.block_end > block.start]
    else:
        where += [b.offering_id == booking.offering_id, b.end_at > block.start]
    result = await connection.execute(
        t.bookings.update()
        .where(*where)
        .values(status="expired", version=b.version + 1, updated_at=now)
        .returning(b.id)
    )
    expired = [r.id for r in result]
    if expired:
        await connection.execute(
            t.audit_entries.insert(),
            [
                {
                    "booking_id": i,
                    "actor": "system",
                    "from_status": "pending_payment",
                    "to_status": "expired",
                    "at": now,
                }
                for i in expired
            ],
        )
