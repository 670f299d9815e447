"""What availability reads, on SQLite, PostgreSQL and the fake alike: the bookings `occupancy` finds,
as integer microseconds, whichever way the store reads them."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory.store import FakeUnitOfWorkFactory
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from application.ports import NewCustomer, UnitOfWorkFactory
from domain.availability import OccupiedTimes, micros
from domain.booking import Booking
from domain.catalog import Money, Offering
from domain.slot import Slot
from domain.statuses import BookingStatus
from tests.domain.builders import an_offering
from tests.support.databases import migrated, throwaway_postgres

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
WINDOW = Slot(datetime(2027, 6, 3, tzinfo=UTC), datetime(2027, 6, 10, tzinfo=UTC))
HOLD = timedelta(minutes=30)
ROOMS = ["r1", "r2", "r3"]
ROOM_OFFERING = an_offering(resource_type="room")
SEAT_OFFERING = an_offering(capacity=50)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def uow(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UnitOfWorkFactory]:
    if request.param == "fake":
        yield FakeUnitOfWorkFactory()
        return
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}"
        else:
            url = await stack.enter_async_context(throwaway_postgres())
        database = await stack.enter_async_context(migrated(url))
        yield SqlAlchemyUnitOfWorkFactory(database)


def _bookings(rng: random.Random, *, resource_ids: list[str | None]) -> list[Booking]:
    """Bookings of every kind around the window, in no particular order: before, inside and after it,
    long ones reaching in from before, buffered ones, unexpired and expired holds, cancelled ones.
    Each resource's blocks are apart (the databases refuse overlapping ones), seats overlap freely."""
    customer = uuid.UUID(int=1)
    bookings = []
    for resource_id in resource_ids:
        at = WINDOW.start - timedelta(days=2, hours=3)
        while at < WINDOW.end + timedelta(days=1):
            length = timedelta(minutes=rng.choice([15, 60, 90, 24 * 60]), seconds=rng.choice([0, 0, 7]))
            buffer = timedelta(minutes=rng.choice([0, 15]))
            paid = rng.random() < 0.3
            booking = Booking.new(
                id=uuid.UUID(int=rng.getrandbits(128)),
                offering_id="massage",
                customer_id=customer,
                price=Money(4500 if paid else 0, "EUR"),
                slot=Slot(at, at + length),
                buffer=buffer,
                resource_id=resource_id,
                now=NOW - rng.choice([timedelta(0), timedelta(hours=1)]),  # some holds ran out by NOW
                hold=HOLD,
            )
            if not paid and rng.random() < 0.1:
                booking.cancel(now=NOW)
            booking.events.clear()
            bookings.append(booking)
            step = length + buffer if resource_id is not None else timedelta(minutes=rng.choice([10, 45]))
            at += step + timedelta(minutes=rng.choice([0, 0, 20, 300]))
    rng.shuffle(bookings)
    return bookings


async def _stored(uow: UnitOfWorkFactory, bookings: list[Booking]) -> None:
    async with uow() as unit:
        await unit.customers.find_or_create(
            NewCustomer(id=uuid.UUID(int=1), email="ada@example.com", name="Ada", phone=None, locale="en")
        )
        for booking in bookings:
            await unit.bookings.add(booking, now=NOW)
        await unit.commit()


async def _both(
    uow: UnitOfWorkFactory, offering: Offering, window: Slot
) -> tuple[OccupiedTimes, OccupiedTimes]:
    resource_ids = ROOMS if offering.resource_type else []
    async with uow(read_only=True) as unit:
        times = await unit.bookings.occupied_times(
            offering=offering, resource_ids=resource_ids, window=window, now=NOW
        )
        occupancy = await unit.bookings.occupancy(
            offering=offering, resource_ids=resource_ids, window=window, now=NOW
        )
    return times, OccupiedTimes.of(occupancy)


def _rows(times: OccupiedTimes) -> list[tuple[int, int, int, int, str | None]]:
    """One tuple per booking, in one order: the store may give them in any."""
    return sorted(
        zip(times.starts, times.ends, times.block_starts, times.block_ends, times.resource_ids, strict=True),
        key=lambda row: (row[0], row[1], row[3], row[4] or ""),
    )


@pytest.mark.parametrize("seed", [1, 2])
async def test_occupied_times_are_the_occupancy_of_resources_as_microseconds(
    uow: UnitOfWorkFactory, seed: int
) -> None:
    bookings = _bookings(random.Random(seed), resource_ids=[*ROOMS, "elsewhere"])
    await _stored(uow, bookings)

    times, occupancy = await _both(uow, ROOM_OFFERING, WINDOW)

    assert len(times) > 20
    assert _rows(times) == _rows(occupancy)
    assert set(times.resource_ids) <= set(ROOMS)


async def test_occupied_times_are_the_occupancy_of_seats_as_microseconds(uow: UnitOfWorkFactory) -> None:
    await _stored(uow, _bookings(random.Random(3), resource_ids=[None]))

    times, occupancy = await _both(uow, SEAT_OFFERING, WINDOW)

    assert len(times) > 20
    assert _rows(times) == _rows(occupancy)


async def test_occupied_times_leave_out_a_hold_that_ran_out_and_a_cancelled_booking(
    uow: UnitOfWorkFactory,
) -> None:
    ten = WINDOW.start + timedelta(hours=10)
    customer = uuid.UUID(int=1)

    def booking(start: datetime, *, paid: bool, since: timedelta, resource_id: str) -> Booking:
        made = Booking.new(
            id=uuid.uuid4(),
            offering_id="massage",
            customer_id=customer,
            price=Money(4500 if paid else 0, "EUR"),
            slot=Slot(start, start + timedelta(hours=1)),
            buffer=timedelta(0),
            resource_id=resource_id,
            now=NOW - since,
            hold=HOLD,
        )
        made.events.clear()
        return made

    ran_out = booking(ten, paid=True, since=HOLD, resource_id="r1")  # expires exactly at NOW
    holding = booking(ten, paid=True, since=HOLD - timedelta(microseconds=1), resource_id="r2")
    cancelled = booking(ten, paid=False, since=timedelta(0), resource_id="r3")
    cancelled.cancel(now=NOW)
    cancelled.events.clear()
    await _stored(uow, [ran_out, holding, cancelled])

    times, _ = await _both(uow, ROOM_OFFERING, WINDOW)

    assert holding.status is BookingStatus.PENDING_PAYMENT
    assert (list(times.starts), list(times.resource_ids)) == ([micros(ten)], ["r2"])


async def test_a_confirmed_booking_holds_its_slot_whatever_its_old_hold_says(uow: UnitOfWorkFactory) -> None:
    ten = WINDOW.start + timedelta(hours=10)
    confirmed = Booking.new(
        id=uuid.uuid4(),
        offering_id="massage",
        customer_id=uuid.UUID(int=1),
        price=Money(4500, "EUR"),
        slot=Slot(ten, ten + timedelta(hours=1)),
        buffer=timedelta(0),
        resource_id="r1",
        now=NOW - 2 * HOLD,
        hold=HOLD,
    )
    confirmed.mark_paid(now=NOW - 2 * HOLD)
    confirmed.events.clear()
    confirmed.hold_expires_at = NOW - HOLD  # a row written by an older version, or by hand
    await _stored(uow, [confirmed])

    times, occupancy = await _both(uow, ROOM_OFFERING, WINDOW)

    assert list(times.starts) == list(occupancy.starts) == [micros(ten)]


async def test_occupied_times_of_a_window_without_bookings_are_empty(uow: UnitOfWorkFactory) -> None:
    for offering in (ROOM_OFFERING, SEAT_OFFERING):
        times, _ = await _both(uow, offering, WINDOW)
        assert len(times) == 0
        assert [list(times.starts), list(times.ends), list(times.block_ends)] == [[], [], []]
