"""Inbound events (provider webhooks): recorded once each, with the booking they name read alongside.

An event is the dict of its row: provider, event_id, event_type, received_at, and booking_id, the booking
it names (the unit of work links one recorded without it to the one booking it then applied it to)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.dialect import upsert
from adapters.persistence.driver import DriverStatement


def inbound_event(
    provider: str, event_id: str, *, event_type: str, now: datetime, booking_id: UUID | None = None
) -> dict[str, Any]:
    return {
        "provider": provider,
        "event_id": event_id,
        "event_type": event_type,
        "received_at": now,
        "booking_id": booking_id,
    }


def _record_and_lock() -> sa.Select[Any]:
    """PostgreSQL, one round trip: insert the inbound event unless it is known, and lock the booking.
    A concurrent duplicate waits on the event's unique key, then inserts nothing: `recorded` is 0."""
    ev = t.inbound_events
    recorded = (
        postgresql.insert(ev)
        .values(
            provider=sa.bindparam("provider"),
            event_id=sa.bindparam("event_id"),
            event_type=sa.bindparam("event_type"),
            received_at=sa.bindparam("received_at", type_=t.UtcDateTime),
            booking_id=sa.bindparam("booking_id", type_=sa.Uuid),
        )
        .on_conflict_do_nothing()
        .returning(ev.c.id)
        .cte("recorded")
    )
    locked = (
        sa.select(t.bookings)
        .where(t.bookings.c.id == sa.bindparam("booking_id", type_=sa.Uuid))
        .with_for_update()
        .lateral("locked")
    )
    count = sa.select(sa.func.count()).select_from(recorded).scalar_subquery()
    return sa.select(count.label("recorded"), *locked.c).select_from(
        sa.select(sa.literal(1).label("one")).subquery("one").outerjoin(locked, sa.true())
    )


_RECORD_AND_LOCK = _record_and_lock()


def _seen_and_read() -> sa.Select[Any]:
    """One round trip without locks: whether the inbound event is known, and the booking as it is."""
    ev = t.inbound_events.c
    seen = (
        sa.select(ev.id)
        .where(ev.provider == sa.bindparam("provider"), ev.event_id == sa.bindparam("event_id"))
        .exists()
    )
    booking = (
        sa.select(t.bookings)
        .where(t.bookings.c.id == sa.bindparam("booking_id", type_=sa.Uuid))
        .lateral("booking")
    )
    return sa.select(seen.label("seen"), *booking.c).select_from(
        sa.select(sa.literal(1).label("one")).subquery("one").outerjoin(booking, sa.true())
    )


_SEEN_AND_READ = _seen_and_read()


async def record_and_lock(connection: AsyncConnection, booking_id: UUID, event: dict[str, Any]) -> Row[Any]:
    """PostgreSQL: `recorded` (0 for a known event) and the booking's columns, locked (None if none)."""
    return (await connection.execute(_RECORD_AND_LOCK, {**event, "booking_id": booking_id})).one()


@cache
def _seen_and_read_statement(dialect: Dialect) -> DriverStatement:
    return DriverStatement(_SEEN_AND_READ, dialect)


async def seen_and_read(connection: AsyncConnection, booking_id: UUID, event: dict[str, Any]) -> Any:
    """PostgreSQL, at driver level (ADR 0021): `seen` (whether the event is known) and the booking's
    columns as they are (None if none)."""
    statement = _seen_and_read_statement(connection.dialect)
    return await statement.fetchrow(connection, {**event, "booking_id": booking_id})


class SqlAlchemyInboundEventLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection
        self.unlinked: list[int] = []  # recorded without their booking: the unit of work links them

    async def record(
        self, provider: str, event_id: str, *, event_type: str, now: datetime, booking_id: UUID | None = None
    ) -> bool:
        event = inbound_event(provider, event_id, event_type=event_type, now=now, booking_id=booking_id)
        statement = (
            upsert(self._c, t.inbound_events)
            .values(**event)
            .on_conflict_do_nothing()
            .returning(t.inbound_events.c.id)
        )
        recorded = (await self._c.execute(statement)).first()
        if recorded is not None and booking_id is None:
            self.unlinked.append(recorded.id)
        return recorded is not None

    async def link(self, booking_id: UUID) -> None:
        """The events this log recorded without a booking were applied to this one."""
        if self.unlinked:
            e = t.inbound_events.c
            await self._c.execute(
                t.inbound_events.update().where(e.id.in_(self.unlinked)).values(booking_id=booking_id)
            )
            self.unlinked = []
