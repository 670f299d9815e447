"""Availability reads: the bookings that can collide with slots inside a window, as rows or packed."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.dialect import driver_connection, is_postgres
from domain.availability import Occupancy, OccupiedTimes
from domain.catalog import Offering
from domain.slot import Slot

# The longest a booking plus its buffer may last; the catalog refuses longer offerings. It bounds the
# index range scanned when looking for bookings that overlap a window.
MAX_SPAN = timedelta(days=2)


_b = t.bookings.c
_OCCUPANCY = (
    _b.start_at,
    _b.end_at,
    _b.block_end,
    _b.resource_id,
    sa.case((_b.status == "pending_payment", _b.hold_expires_at)),
)
_HOLDING_ROWS = (
    "FROM bookings WHERE start_at < $1 AND start_at > $2 "
    "AND status IN ('pending_payment', 'confirmed', 'scheduled', 'in_service') AND "
)
assert t.HOLDING == ("pending_payment", "confirmed", "scheduled", "in_service")  # noqa: S101 - as written above
_OF_RESOURCES = "resource_id = ANY($3::text[]) AND block_end > $4"
_OF_SEATS = "offering_id = $3 AND end_at > $4"
# Only a booking waiting for its payment holds its slot until a time; a confirmed one holds it whatever
# hold_expires_at says (the database's constraint counts it too).
_OCCUPANCY_SQL = (
    "SELECT start_at, end_at, block_end, resource_id, "
    "CASE WHEN status = 'pending_payment' THEN hold_expires_at END " + _HOLDING_ROWS
)
_OCCUPANCY_OF_RESOURCES = _OCCUPANCY_SQL + _OF_RESOURCES
_OCCUPANCY_OF_SEATS = _OCCUPANCY_SQL + _OF_SEATS


# The bookings of `_OCCUPANCY_OF_*` that still hold their slot at $5, in one row of four columns: the
# slot starts (the block starts too), the slot ends and the block ends, each as one bytea of big-endian
# int8 microseconds since the Unix epoch, and the resource ids. timestamptz's binary form is those int8
# microseconds counted from 2000-01-01 UTC; adding the 30 years since 1970 as a plain count of seconds
# (an interval without days or months) makes them Unix microseconds exactly, with no numeric or float
# arithmetic per value. The four aggregates read the same rows in the same order, so position i of each
# is one booking; the subquery's order is usually kept, which spares the domain a sort (it checks).
_OCCUPIED_TIMES_SQL = (
    "SELECT string_agg(timestamptz_send(start_at + interval '946684800 seconds'), ''::bytea), "  # noqa: S608
    "string_agg(timestamptz_send(end_at + interval '946684800 seconds'), ''::bytea), "
    "string_agg(timestamptz_send(block_end + interval '946684800 seconds'), ''::bytea), "
    "array_agg(resource_id) FROM (SELECT start_at, end_at, block_end, resource_id "
    + _HOLDING_ROWS
    + "(status <> 'pending_payment' OR hold_expires_at IS NULL OR hold_expires_at > $5) AND "
)
_OCCUPIED_TIMES_OF_RESOURCES = _OCCUPIED_TIMES_SQL + _OF_RESOURCES + " ORDER BY start_at) AS holding"
_OCCUPIED_TIMES_OF_SEATS = _OCCUPIED_TIMES_SQL + _OF_SEATS + " ORDER BY start_at) AS holding"


async def occupancy(
    connection: AsyncConnection,
    *,
    offering: Offering,
    resource_ids: Sequence[str],
    window: Slot,
    now: datetime,
) -> tuple[list[Occupancy], bool]:
    """The bookings that hold their slot at `now` and can collide with slots inside `window`, and
    whether a hold that ran out (free, but still in the table until expired) was seen there."""
    occupied, stale = [], False
    for start_at, end_at, block_end, resource_id, hold_expires_at in await _occupancy_rows(
        connection, offering, resource_ids, window
    ):
        if hold_expires_at is not None and hold_expires_at <= now:
            stale = True
            continue
        slot = Slot(start_at, end_at)
        occupied.append(
            Occupancy(slot, Slot(start_at, block_end) if block_end != end_at else slot, resource_id)
        )
    return occupied, stale


async def occupied_times(
    connection: AsyncConnection,
    *,
    offering: Offering,
    resource_ids: Sequence[str],
    window: Slot,
    now: datetime,
) -> OccupiedTimes:
    if not is_postgres(connection):
        occupied, _ = await occupancy(
            connection, offering=offering, resource_ids=resource_ids, window=window, now=now
        )
        return OccupiedTimes.of(occupied)
    # A month is thousands of bookings: one row of packed integers decodes in a fraction of the
    # time thousands of records of datetimes take, and expired holds are left out by the query.
    driver = await driver_connection(connection)
    since = window.start - MAX_SPAN
    of: list[str] | str
    if offering.resource_type is not None:
        query, of = _OCCUPIED_TIMES_OF_RESOURCES, list(resource_ids)
    else:
        query, of = _OCCUPIED_TIMES_OF_SEATS, offering.id
    starts, ends, block_ends, owners = await driver.fetchrow(query, window.end, since, of, window.start, now)
    starts = _unpacked_micros(starts)
    return OccupiedTimes(
        starts=starts,
        ends=_unpacked_micros(ends),
        block_starts=starts,  # a block starts where its slot does
        block_ends=_unpacked_micros(block_ends),
        resource_ids=owners or [],
    )


async def _occupancy_rows(
    connection: AsyncConnection, offering: Offering, resource_ids: Sequence[str], window: Slot
) -> Sequence[Sequence[Any]]:
    since = window.start - MAX_SPAN
    if is_postgres(connection):
        # Thousands of rows for a month: asyncpg's records as they come.
        driver = await driver_connection(connection)
        if offering.resource_type is not None:
            return await driver.fetch(
                _OCCUPANCY_OF_RESOURCES, window.end, since, list(resource_ids), window.start
            )
        return await driver.fetch(_OCCUPANCY_OF_SEATS, window.end, since, offering.id, window.start)
    b = t.bookings.c
    query = sa.select(*_OCCUPANCY).where(b.start_at < window.end, b.start_at > since, b.status.in_(t.HOLDING))
    if offering.resource_type is not None:
        query = query.where(b.resource_id.in_(resource_ids), b.block_end > window.start)
    else:
        query = query.where(b.offering_id == offering.id, b.end_at > window.start)
    return (await connection.execute(query)).all()


def _unpacked_micros(packed: bytes | None) -> list[int]:
    """The integers of one packed column of `_OCCUPIED_TIMES_SQL` (None when no booking matched)."""
    values = array("q", packed or b"")
    if sys.byteorder == "little":
        values.byteswap()
    return values.tolist()
