"""Core-statement repositories over one connection: few round trips on the hot paths."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.mappers import (
    booking_from_row,
    booking_row,
    booking_state,
    customer_from_row,
    customer_row,
)
from adapters.persistence.one_statement import first_free_insert, first_free_params
from adapters.persistence.records import audit_rows, outbox_rows
from application.ports import Contended, IdempotencyRecord, NewCustomer, OutboxCounts
from domain.availability import Occupancy, OccupiedTimes
from domain.booking import Booking
from domain.catalog import Money, Offering
from domain.customer import Customer
from domain.errors import SlotUnavailable
from domain.extension import Extension, ExtensionStatus
from domain.slot import Slot
from domain.statuses import BookingStatus

# The longest a booking plus its buffer may last; the catalog refuses longer offerings. It bounds the
# index range scanned when looking for bookings that overlap a window.
MAX_SPAN = timedelta(days=2)


_INSERT_UNLESS_TAKEN = postgresql.insert(t.bookings).on_conflict_do_nothing().returning(t.bookings.c.id)
_DEADLOCK = "40P01"
_TEXT_ARRAY = postgresql.ARRAY(sa.String)


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)


def _one_of(
    connection: AsyncConnection, column: sa.ColumnElement[Any], values: Sequence[str]
) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL bound as one array, so the statement's text and its prepared
    plan stay the same whatever the number of values (an expanding IN is re-rendered per call)."""
    if connection.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("one_of", list(values), type_=_TEXT_ARRAY))
    return column.in_(values)


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


def _unpacked_micros(packed: bytes | None) -> list[int]:
    """The integers of one packed column of `_OCCUPIED_TIMES_SQL` (None when no booking matched)."""
    values = array("q", packed or b"")
    if sys.byteorder == "little":
        values.byteswap()
    return values.tolist()


def slot_taken(exc: DBAPIError) -> bool:
    """The availability rule refused the write (the loser of a deadlock lost the race too)."""
    message = str(exc.orig)
    taken = "slot_unavailable" in message or "bookings_resource_no_overlap" in message
    return taken or _sqlstate(exc) == _DEADLOCK


def upsert(connection: AsyncConnection, table: sa.Table) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _holding(now: datetime) -> sa.ColumnElement[bool]:
    b = t.bookings.c
    return sa.or_(
        b.status.in_(("confirmed", "scheduled", "in_service")),
        sa.and_(b.status == "pending_payment", b.hold_expires_at > now),
    )


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


@dataclass(slots=True)
class Tracked:
    booking: Booking
    version: int
    state: dict[str, Any] | None  # None: inserted in this unit of work


class SqlAlchemyBookingRepository:
    def __init__(
        self, connection: AsyncConnection, *, actor: str = "system", optimistic: bool = False
    ) -> None:
        self._c, self._actor, self._optimistic = connection, actor, optimistic
        self.seen: dict[UUID, Tracked] = {}
        self._stale_checked: tuple[Slot, bool] | None = None
        # An optimistic unit of work records its inbound event with the commit's one statement.
        self.pending_event: dict[str, Any] | None = None

    async def add(
        self,
        booking: Booking,
        *,
        now: datetime,
        resource_candidates: Sequence[str] = (),
        capacity: int | None = None,
    ) -> None:
        if (
            booking.slot is not None
            and (resource_candidates or capacity is not None)
            and self._may_hold_stale(booking)
        ):
            await self._expire_stale_holds(booking, resource_candidates, now)
        if resource_candidates:
            await self._insert_on_a_free_resource(booking, resource_candidates, now)
        else:
            await self._insert(booking, capacity=capacity, now=now)
        self.seen[booking.id] = Tracked(booking, booking.version, None)

    async def add_on_first_free(
        self, booking: Booking, *, customer: NewCustomer, now: datetime, resource_candidates: Sequence[str]
    ) -> bool:
        if self._c.dialect.name != "postgresql" or booking.slot is None:
            return False  # SQLite's writes are serialised in-process: the careful path costs little there
        audit = audit_rows(booking.events, actor=self._actor)
        outbox = outbox_rows(booking.events, now=now)
        params = first_free_params(
            booking_row(booking, capacity=None, now=now),
            customer_row(customer),
            list(resource_candidates),
            audit,
            outbox,
        )
        row = (await self._c.execute(first_free_insert(len(audit), len(outbox)), params)).first()
        if row is None:
            return False
        booking.resource_id, booking.customer_id = row.resource_id, row.customer_id
        booking.events.clear()  # written with the booking, in the same statement
        self.seen[booking.id] = Tracked(booking, booking.version, None)
        return True

    def _may_hold_stale(self, booking: Booking) -> bool:
        """False only when this unit of work already read the booking's surroundings and saw no stale hold."""
        if self._stale_checked is None or booking.block is None:
            return True
        window, stale = self._stale_checked
        return stale or not (window.start <= booking.block.start and booking.block.end <= window.end)

    async def _insert_on_a_free_resource(
        self, booking: Booking, candidates: Sequence[str], now: datetime
    ) -> None:
        for i, resource_id in enumerate(candidates):
            booking.resource_id = resource_id
            last = i == len(candidates) - 1
            try:
                if self._c.dialect.name == "postgresql":
                    await self._insert_unless_taken(booking, now)
                elif last:
                    await self._insert(booking, capacity=None, now=now)
                else:
                    async with self._c.begin_nested():
                        await self._insert(booking, capacity=None, now=now)
                return
            except SlotUnavailable:
                if last:
                    booking.resource_id = None
                    raise

    async def _insert_unless_taken(self, booking: Booking, now: datetime) -> None:
        """PostgreSQL: the exclusion constraint arbitrates `ON CONFLICT DO NOTHING`, so a taken resource
        returns no row instead of an error: no savepoint per try, and no deadlock between two racing
        inserts (a plain INSERT into the GiST constraint can deadlock under a race)."""
        row = booking_row(booking, capacity=None, now=now)
        if (await self._c.execute(_INSERT_UNLESS_TAKEN, row)).first() is None:
            raise SlotUnavailable("that slot was just taken")

    async def _insert(self, booking: Booking, *, capacity: int | None, now: datetime) -> None:
        try:
            await self._c.execute(t.bookings.insert(), booking_row(booking, capacity=capacity, now=now))
        except DBAPIError as exc:
            if slot_taken(exc):
                raise SlotUnavailable("that slot was just taken") from exc
            raise

    async def get_for_event(
        self, booking_id: UUID, *, provider: str, event_id: str, event_type: str, now: datetime
    ) -> tuple[bool, Booking | None]:
        event = {"provider": provider, "event_id": event_id, "event_type": event_type, "received_at": now}
        if self._optimistic:
            if self.pending_event is not None or booking_id in self.seen:
                raise Contended("one inbound event per optimistic unit of work")
            row = (await self._c.execute(_SEEN_AND_READ, {**event, "booking_id": booking_id})).one()
            if row.seen:
                return False, None
            self.pending_event = event
            return True, self._track(row) if row.id is not None else None
        if self._c.dialect.name != "postgresql" or booking_id in self.seen:
            recorded = await SqlAlchemyInboundEventLog(self._c).record(
                provider, event_id, event_type=event_type, now=now
            )
            return recorded, (await self.get(booking_id, for_update=True) if recorded else None)
        row = (await self._c.execute(_RECORD_AND_LOCK, {**event, "booking_id": booking_id})).one()
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

    async def _expire_stale_holds(self, booking: Booking, resources: Sequence[str], now: datetime) -> None:
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
            where += [_one_of(self._c, b.resource_id, resources), b.block_end > block.start]
        else:
            where += [b.offering_id == booking.offering_id, b.end_at > block.start]
        result = await self._c.execute(
            t.bookings.update()
            .where(*where)
            .values(status="expired", version=b.version + 1, updated_at=now)
            .returning(b.id)
        )
        expired = [r.id for r in result]
        if expired:
            await self._c.execute(
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

    async def get(self, booking_id: UUID, *, for_update: bool = False) -> Booking | None:
        if booking_id in self.seen:
            return self.seen[booking_id].booking
        if for_update and self._optimistic:
            raise Contended("a row lock needs a transaction")
        query = sa.select(t.bookings).where(t.bookings.c.id == booking_id)
        if for_update and self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return self._track(row) if row is not None else None

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
        query = query.where(r.key == key, r.value == value)
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update(of=t.bookings)
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
        occupied, stale = [], False
        for start_at, end_at, block_end, resource_id, hold_expires_at in await self._occupancy_rows(
            offering, resource_ids, window
        ):
            if hold_expires_at is not None and hold_expires_at <= now:
                stale = True  # a hold that ran out: free, but still in the table until expired
                continue
            slot = Slot(start_at, end_at)
            occupied.append(
                Occupancy(slot, Slot(start_at, block_end) if block_end != end_at else slot, resource_id)
            )
        # What `add` needs to know: whether a stale hold in this window must be expired before inserting.
        self._stale_checked = (window, stale)
        return occupied

    async def occupied_times(
        self, *, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> OccupiedTimes:
        if self._c.dialect.name != "postgresql":
            return OccupiedTimes.of(
                await self.occupancy(offering=offering, resource_ids=resource_ids, window=window, now=now)
            )
        # A month is thousands of bookings: one row of packed integers decodes in a fraction of the
        # time thousands of records of datetimes take, and expired holds are left out by the query.
        driver = (await self._c.get_raw_connection()).driver_connection
        assert driver is not None  # noqa: S101 - an open connection has its driver connection
        since = window.start - MAX_SPAN
        if offering.resource_type is not None:
            query, of = _OCCUPIED_TIMES_OF_RESOURCES, list(resource_ids)
        else:
            query, of = _OCCUPIED_TIMES_OF_SEATS, offering.id
        starts, ends, block_ends, owners = await driver.fetchrow(
            query, window.end, since, of, window.start, now
        )
        starts = _unpacked_micros(starts)
        return OccupiedTimes(
            starts=starts,
            ends=_unpacked_micros(ends),
            block_starts=starts,  # a block starts where its slot does
            block_ends=_unpacked_micros(block_ends),
            resource_ids=owners or [],
        )

    async def _occupancy_rows(
        self, offering: Offering, resource_ids: Sequence[str], window: Slot
    ) -> Sequence[Sequence[Any]]:
        since = window.start - MAX_SPAN
        if self._c.dialect.name == "postgresql":
            # Thousands of rows for a month: asyncpg's records as they come, without SQLAlchemy's rows
            # and type processing around each value (asyncpg already gives aware UTC datetimes).
            driver = (await self._c.get_raw_connection()).driver_connection
            assert driver is not None  # noqa: S101 - an open connection has its driver connection
            if offering.resource_type is not None:
                return await driver.fetch(
                    _OCCUPANCY_OF_RESOURCES, window.end, since, list(resource_ids), window.start
                )
            return await driver.fetch(_OCCUPANCY_OF_SEATS, window.end, since, offering.id, window.start)
        b = t.bookings.c
        query = sa.select(*_OCCUPANCY).where(
            b.start_at < window.end, b.start_at > since, b.status.in_(t.HOLDING)
        )
        if offering.resource_type is not None:
            query = query.where(b.resource_id.in_(resource_ids), b.block_end > window.start)
        else:
            query = query.where(b.offering_id == offering.id, b.end_at > window.start)
        return (await self._c.execute(query)).all()

    async def due_holds(self, *, now: datetime, limit: int) -> list[Booking]:
        b = t.bookings.c
        query = (
            sa.select(t.bookings)
            .where(b.status == "pending_payment", b.hold_expires_at <= now)
            .order_by(b.hold_expires_at)
            .limit(limit)
        )
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [self._track(row) for row in await self._c.execute(query)]

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


def _upsert_customer(dialect: Any) -> Any:
    """A known customer keeps their details; a phone they never gave is filled in."""
    c = t.customers.c
    statement = dialect.insert(t.customers)
    return statement.on_conflict_do_update(
        index_elements=[c.email], set_={"phone": sa.func.coalesce(c.phone, statement.excluded.phone)}
    ).returning(*t.customers.c)


_UPSERT_CUSTOMER = {"postgresql": _upsert_customer(postgresql), "sqlite": _upsert_customer(sqlite)}


def _update_customer(dialect: Any, *, locale: bool) -> Any:
    """A provider's report of a customer: the name it has now, the phone when it has one."""
    c = t.customers.c
    statement = dialect.insert(t.customers)
    changes = {
        "name": statement.excluded.name,
        "phone": sa.func.coalesce(statement.excluded.phone, c.phone),
    }
    if locale:
        changes["locale"] = statement.excluded.locale
    return statement.on_conflict_do_update(index_elements=[c.email], set_=changes).returning(*c)


_UPDATE_CUSTOMER = {
    (name, locale): _update_customer(dialect, locale=locale)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
    for locale in (False, True)
}


class SqlAlchemyCustomerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def find_or_create(self, customer: NewCustomer) -> Customer:
        statement = _UPSERT_CUSTOMER[self._c.dialect.name]
        row = (await self._c.execute(statement, customer_row(customer))).one()
        return customer_from_row(row)

    async def update_or_create(self, customer: NewCustomer, *, update_locale: bool) -> Customer:
        statement = _UPDATE_CUSTOMER[(self._c.dialect.name, update_locale)]
        row = (await self._c.execute(statement, customer_row(customer))).one()
        return customer_from_row(row)

    async def get(self, customer_id: UUID) -> Customer | None:
        row = (await self._c.execute(sa.select(t.customers).where(t.customers.c.id == customer_id))).first()
        return customer_from_row(row) if row is not None else None

    async def set_reference(self, customer_id: UUID, key: str, value: str) -> None:
        c = t.customers.c
        query = sa.select(c.refs).where(c.id == customer_id)
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        refs = (await self._c.execute(query)).scalar_one_or_none()
        if refs is not None and refs.get(key) != value:
            await self._c.execute(
                t.customers.update().where(c.id == customer_id).values(refs={**refs, key: value})
            )


class SqlAlchemyExtensionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, extension: Extension) -> None:
        await self._c.execute(t.booking_extensions.insert().values(**extension_row(extension)))

    async def get(
        self, extension_id: UUID, *, booking_id: UUID, for_update: bool = False
    ) -> Extension | None:
        e = t.booking_extensions.c
        query = sa.select(t.booking_extensions).where(e.id == extension_id, e.booking_id == booking_id)
        if for_update and self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return extension_from_row(row) if row is not None else None

    async def paid_of(self, booking_id: UUID) -> list[Extension]:
        e = t.booking_extensions.c
        query = sa.select(t.booking_extensions).where(e.booking_id == booking_id, e.status == "paid")
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        return [extension_from_row(row) for row in await self._c.execute(query.order_by(e.created_at))]

    async def save(self, extension: Extension) -> None:
        e = t.booking_extensions.c
        row = extension_row(extension)
        del row["id"], row["booking_id"], row["created_at"]
        await self._c.execute(t.booking_extensions.update().where(e.id == extension.id).values(**row))


def extension_row(extension: Extension) -> dict[str, Any]:
    return {
        "id": extension.id,
        "booking_id": extension.booking_id,
        "description": extension.description,
        "amount_cents": extension.price.amount_cents,
        "currency": extension.price.currency,
        "status": extension.status.value,
        "failure_reason": extension.failure_reason,
        "payment_ref": extension.payment_ref,
        "attempts": extension.attempts,
        "session_ref": extension.session_ref,
        "created_at": extension.created_at,
        "updated_at": extension.updated_at,
    }


def extension_from_row(row: Any) -> Extension:
    return Extension(
        id=row.id,
        booking_id=row.booking_id,
        description=row.description,
        price=Money(row.amount_cents, row.currency),
        status=ExtensionStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        failure_reason=row.failure_reason,
        payment_ref=row.payment_ref,
        attempts=row.attempts,
        session_ref=row.session_ref,
    )


class SqlAlchemyIdempotencyStore:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def get(self, key_hash: str) -> IdempotencyRecord | None:
        k = t.idempotency_keys.c
        row = (await self._c.execute(sa.select(t.idempotency_keys).where(k.key_hash == key_hash))).first()
        if row is None:
            return None
        return IdempotencyRecord(
            row.key_hash, row.request_hash, row.booking_id, row.token_cipher, row.response
        )

    async def add(self, record: IdempotencyRecord, *, now: datetime) -> bool:
        statement = (
            upsert(self._c, t.idempotency_keys)
            .values(
                key_hash=record.key_hash,
                request_hash=record.request_hash,
                booking_id=record.booking_id,
                token_cipher=record.token_cipher,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(t.idempotency_keys.c.key_hash)
        )
        return (await self._c.execute(statement)).first() is not None

    async def set_response(self, key_hash: str, response: Any) -> None:
        k = t.idempotency_keys.c
        await self._c.execute(
            t.idempotency_keys.update().where(k.key_hash == key_hash).values(response=response)
        )


class SqlAlchemyInboundEventLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def record(self, provider: str, event_id: str, *, event_type: str, now: datetime) -> bool:
        statement = (
            upsert(self._c, t.inbound_events)
            .values(provider=provider, event_id=event_id, event_type=event_type, received_at=now)
            .on_conflict_do_nothing()
            .returning(t.inbound_events.c.id)
        )
        return (await self._c.execute(statement)).first() is not None


class SqlAlchemyOutboxReader:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def counts(self) -> OutboxCounts:
        o = t.outbox_messages.c
        rows = await self._c.execute(
            sa.select(o.state, sa.func.count()).where(o.state.in_(("pending", "dead"))).group_by(o.state)
        )
        by_state = {state: count for state, count in rows}
        return OutboxCounts(pending=by_state.get("pending", 0), dead=by_state.get("dead", 0))
