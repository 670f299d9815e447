"""The booking repository: Core statements over the unit of work's connection, few round trips on the
hot paths. It tracks what it read so the unit of work can write what changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import occupancy as reads
from adapters.persistence import tables as t
from adapters.persistence.booking_inserts import (
    expire_stale_holds,
    insert,
    insert_on_a_free_resource,
    insert_on_first_free,
)
from adapters.persistence.customers import find_or_create
from adapters.persistence.dialect import is_postgres, locked, slot_taken, upsert
from adapters.persistence.inbound_events import SqlAlchemyInboundEventLog, record_and_lock, seen_and_read
from adapters.persistence.mappers import booking_from_row, booking_state
from application.ports import Contended, NewCustomer
from domain.availability import Occupancy, OccupiedTimes, free_resources
from domain.booking import Booking
from domain.catalog import Offering, Resource
from domain.customer import Customer
from domain.errors import SlotUnavailable
from domain.slot import Slot
from domain.statuses import BookingStatus


@dataclass(slots=True)
class Tracked:
    booking: Booking
    version: int
    state: dict[str, Any] | None  # None: inserted in this unit of work


class SqlAlchemyBookingRepository:
    def __init__(
        self,
        connection: AsyncConnection,
        *,
        begin: Callable[[], Awaitable[None]],
        actor: str = "system",
        optimistic: bool = False,
    ) -> None:
        """`begin`: the unit of work's, called before a write of several statements that must be one."""
        self._c, self._begin, self._actor, self._optimistic = connection, begin, actor, optimistic
        self.seen: dict[UUID, Tracked] = {}

    async def add(
        self,
        booking: Booking,
        *,
        now: datetime,
        offering: Offering | None = None,
        resources: Sequence[Resource] = (),
        customer: NewCustomer | None = None,
    ) -> None:
        if customer is None or not await self._add_in_one_statement(
            booking, customer, offering, resources, now
        ):
            await self._begin()  # the careful path is several statements
            if customer is not None:
                booking.customer_id = (await find_or_create(self._c, customer)).id
            await self._add_by_the_rule(booking, offering, resources, now)
        self.seen[booking.id] = Tracked(booking, booking.version, None)

    async def _add_in_one_statement(
        self,
        booking: Booking,
        customer: NewCustomer,
        offering: Offering | None,
        resources: Sequence[Resource],
        now: datetime,
    ) -> bool:
        """The common case of booking a resource, on PostgreSQL (ADR 0006). SQLite's writes are
        serialised in-process: the careful path costs little there."""
        if not (is_postgres(self._c) and booking.slot is not None and resources):
            return False
        if offering is None or offering.resource_type is None:
            return False
        candidates = [r.id for r in resources]
        return await insert_on_first_free(
            self._c, booking, customer=customer, candidates=candidates, actor=self._actor, now=now
        )

    async def _add_by_the_rule(
        self, booking: Booking, offering: Offering | None, resources: Sequence[Resource], now: datetime
    ) -> None:
        """The careful path: read what is booked around the slot, let the domain choose among the
        resources, expire holds that ran out there; the database arbitrates the insert."""
        slot, block = booking.slot, booking.block
        if slot is None or block is None or offering is None:
            await insert(self._c, booking, capacity=None, now=now)
        elif offering.resource_type is None:
            await expire_stale_holds(self._c, booking, (), now)
            await insert(self._c, booking, capacity=offering.capacity, now=now)
        else:
            ids = [r.id for r in resources]
            occupied, stale = await reads.occupancy(
                self._c, offering=offering, resource_ids=ids, window=block, now=now
            )
            candidates = free_resources(offering, slot, resources, occupied)
            if not candidates:
                raise SlotUnavailable("no resource is free for that slot")
            if stale:
                await expire_stale_holds(self._c, booking, candidates, now)
            await insert_on_a_free_resource(self._c, booking, candidates, now)

    async def get_for_event(
        self, booking_id: UUID, event: dict[str, Any], *, lock: bool
    ) -> tuple[bool, Booking | None]:
        """`lock`: record the inbound event and read the booking under its row lock, in one round trip
        on PostgreSQL: (first time seen, the booking). Otherwise write and lock nothing: (the event is
        still unknown, the booking as it is)."""
        if not lock:
            row = await seen_and_read(self._c, booking_id, event)
            if row.seen:
                return False, None
        elif not is_postgres(self._c) or booking_id in self.seen:
            recorded = await SqlAlchemyInboundEventLog(self._c).record(
                event["provider"],
                event["event_id"],
                event_type=event["event_type"],
                now=event["received_at"],
                booking_id=event["booking_id"],
            )
            return recorded, (await self.get(booking_id, for_update=True) if recorded else None)
        else:
            row = await record_and_lock(self._c, booking_id, event)
            if not row.recorded:
                return False, None
        return True, self._track(row) if row.id is not None else None

    async def flush(self, booking: Booking, *, now: datetime) -> bool:
        if self._optimistic:
            raise Contended("a write the availability rule may refuse needs a transaction")
        tracked = self.seen[booking.id]
        b = t.bookings.c
        if booking.version == tracked.version:
            booking.version += 1
        statement = (
            t.bookings.update()
            .where(b.id == booking.id, b.version == tracked.version)
            .values(**booking_state(booking), version=booking.version, updated_at=now)
        )
        try:
            async with self._c.begin_nested():  # a refusal undoes this statement only
                result = await self._c.execute(statement)
        except DBAPIError as exc:
            if not slot_taken(exc):
                raise
            del self.seen[booking.id]
            return False
        if result.rowcount != 1:
            raise RuntimeError(f"booking {booking.id} changed under its row lock")
        tracked.version, tracked.state = booking.version, booking_state(booking)
        return True

    async def get(self, booking_id: UUID, *, for_update: bool = False) -> Booking | None:
        if booking_id in self.seen:
            return self.seen[booking_id].booking
        if for_update and self._optimistic:
            raise Contended("a row lock needs a transaction")
        query = sa.select(t.bookings).where(t.bookings.c.id == booking_id)
        if for_update:
            query = locked(self._c, query)
        row = (await self._c.execute(query)).first()
        return self._track(row) if row is not None else None

    async def sessions_of(self, package_id: UUID, *, for_update: bool = False) -> list[Booking]:
        b = t.bookings.c
        query = sa.select(t.bookings).where(b.package_id == package_id).order_by(b.start_at, b.id)
        if for_update:
            if self._optimistic:
                raise Contended("a row lock needs a transaction")
            query = locked(self._c, query)
        rows = (await self._c.execute(query)).all()
        return [self.seen[row.id].booking if row.id in self.seen else self._track(row) for row in rows]

    async def set_references(self, booking_id: UUID, references: dict[str, str]) -> None:
        b = t.bookings.c
        await self._c.execute(t.bookings.update().where(b.id == booking_id).values(refs=references))
        if booking_id in self.seen:
            tracked = self.seen[booking_id]
            tracked.booking.references = dict(references)
            if tracked.state is not None:
                tracked.state["refs"] = dict(references)

    async def set_capacity(self, booking_id: UUID, capacity: int) -> None:
        b = t.bookings.c
        await self._c.execute(t.bookings.update().where(b.id == booking_id).values(capacity=capacity))

    async def find_by_reference(self, key: str, value: str) -> Booking | None:
        r = t.booking_references.c
        query = sa.select(t.bookings).join(t.booking_references, r.booking_id == t.bookings.c.id)
        query = locked(self._c, query.where(r.key == key, r.value == value), of=t.bookings)
        row = (await self._c.execute(query)).first()
        if row is None:
            return None
        if row.id in self.seen:
            return self.seen[row.id].booking
        return self._track(row)

    async def link_reference(self, key: str, value: str, booking_id: UUID) -> bool:
        statement = (
            upsert(self._c, t.booking_references)
            .values(key=key, value=value, booking_id=booking_id)
            .on_conflict_do_nothing()
            .returning(t.booking_references.c.booking_id)
        )
        return (await self._c.execute(statement)).first() is not None

    def _track(self, row: Any) -> Booking:
        booking = booking_from_row(row)
        self.seen[booking.id] = Tracked(booking, booking.version, booking_state(booking))
        return booking

    async def occupancy(
        self, *, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> list[Occupancy]:
        occupied, _ = await reads.occupancy(
            self._c, offering=offering, resource_ids=resource_ids, window=window, now=now
        )
        return occupied

    async def occupied_times(
        self, *, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> OccupiedTimes:
        return await reads.occupied_times(
            self._c, offering=offering, resource_ids=resource_ids, window=window, now=now
        )

    async def due_holds(self, *, now: datetime, limit: int) -> list[Booking]:
        b = t.bookings.c
        query = (
            sa.select(t.bookings)
            .where(b.status == "pending_payment", b.hold_expires_at <= now)
            .order_by(b.hold_expires_at)
            .limit(limit)
        )
        return [self._track(row) for row in await self._c.execute(locked(self._c, query, skip_locked=True))]

    async def list(
        self,
        *,
        status: BookingStatus | None,
        offering_id: str | None,
        customer_email: str | None,
        limit: int,
        offset: int,
    ) -> list[tuple[Booking, Customer]]:
        b, c = t.bookings.c, t.customers.c
        query = (
            sa.select(t.bookings, c.email, c.name, c.phone, c.locale, c.refs.label("customer_refs"))
            .join(t.customers, b.customer_id == c.id)
            .order_by(b.created_at.desc(), b.id)
            .limit(limit)
            .offset(offset)
        )
        if status is not None:
            query = query.where(b.status == status.value)
        if offering_id is not None:
            query = query.where(b.offering_id == offering_id)
        if customer_email is not None:
            query = query.where(c.email == customer_email)
        result = []
        for row in await self._c.execute(query):
            booking = booking_from_row(row)
            customer = Customer(
                booking.customer_id, row.email, row.name, row.phone, row.locale, dict(row.customer_refs)
            )
            result.append((booking, customer))
        return result
