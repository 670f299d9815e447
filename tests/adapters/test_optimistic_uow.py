"""An optimistic unit of work on PostgreSQL: one unlocked read, one write that applies only if nothing it read
has changed, and `Contended` with nothing written otherwise."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from application.ports import Contended, NewCustomer
from domain.booking import Booking
from domain.catalog import Money, Resource
from domain.slot import Slot
from domain.statuses import BookingStatus
from tests.domain.builders import an_offering
from tests.support.databases import migrated

pytestmark = pytest.mark.postgres

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
TEN = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
VANS = [Resource("van-1", "van", "Van 1")]
VAN_TRANSFER = dataclasses.replace(an_offering(resource_type="van", buffer=15), id="van-transfer")
EVENT = {"provider": "stripe", "event_id": "evt_1", "event_type": "payment_intent.succeeded", "now": NOW}


@pytest.fixture
async def uow(postgres_url: str) -> AsyncIterator[SqlAlchemyUnitOfWorkFactory]:
    async with migrated(postgres_url) as database:
        yield SqlAlchemyUnitOfWorkFactory(database)


async def _held_booking(uow: SqlAlchemyUnitOfWorkFactory) -> Booking:
    customer = NewCustomer(
        id=uuid.uuid4(), email="ada@example.com", name="Ada Lovelace", phone=None, locale="en"
    )
    booking = Booking.new(
        id=uuid.uuid4(),
        offering_id="van-transfer",
        customer_id=customer.id,
        price=Money(8500, "EUR"),
        slot=Slot(TEN, TEN + timedelta(hours=1)),
        buffer=timedelta(minutes=15),
        resource_id=None,
        now=NOW,
        hold=timedelta(minutes=30),
    )
    booking.token_hash = b"\1" * 32
    async with uow() as unit:
        await unit.bookings.add(booking, now=NOW, offering=VAN_TRANSFER, resources=VANS, customer=customer)
        await unit.commit()
    assert booking.resource_id == "van-1"
    return booking


async def _written(
    uow: SqlAlchemyUnitOfWorkFactory, booking_id: uuid.UUID
) -> tuple[str, list[str], list[str]]:
    """The booking's status, the inbound events recorded, and the outbox topics written after its creation."""
    async with uow(read_only=True) as unit:
        connection = unit._connection
        assert connection is not None
        status = (
            await connection.execute(sa.select(t.bookings.c.status).where(t.bookings.c.id == booking_id))
        ).scalar_one()
        events = (await connection.execute(sa.select(t.inbound_events.c.event_id))).scalars().all()
        topics = (
            await connection.execute(
                sa.select(t.outbox_messages.c.topic).where(t.outbox_messages.c.topic.like("%confirmed"))
            )
        ).scalars()
        return status, list(events), sorted(topics)


async def test_an_unseen_event_is_applied_and_recorded_with_the_change_in_one_write(
    uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    booking = await _held_booking(uow)
    async with uow(optimistic=True) as unit:
        recorded, read = await unit.get_for_event(booking.id, **EVENT)
        assert recorded
        assert read is not None
        read.mark_paid(now=NOW)
        await unit.commit()
    status, events, topics = await _written(uow, booking.id)
    assert (status, events) == ("confirmed", ["evt_1"])
    assert "erp.booking_confirmed" in topics


async def test_a_known_event_reads_as_a_duplicate(uow: SqlAlchemyUnitOfWorkFactory) -> None:
    booking = await _held_booking(uow)
    async with uow() as unit:
        assert await unit.inbound_events.record("stripe", "evt_1", event_type="x", now=NOW)
        await unit.commit()
    async with uow(optimistic=True) as unit:
        assert await unit.get_for_event(booking.id, **EVENT) == (False, None)


async def test_a_booking_changed_after_the_read_is_contended_and_nothing_is_written(
    uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    booking = await _held_booking(uow)
    async with uow(optimistic=True) as unit:
        _, read = await unit.get_for_event(booking.id, **EVENT)
        assert read is not None
        async with uow() as other:  # the customer cancels between the read and the write
            cancelled = await other.bookings.get(booking.id, for_update=True)
            assert cancelled is not None
            cancelled.cancel(now=NOW)
            await other.commit()
        read.mark_paid(now=NOW)
        with pytest.raises(Contended):
            await unit.commit()
    assert await _written(uow, booking.id) == ("cancelled", [], [])


@pytest.mark.parametrize("changes", [True, False], ids=["with a change", "without one"])
async def test_an_event_recorded_after_the_read_is_contended(
    uow: SqlAlchemyUnitOfWorkFactory, changes: bool
) -> None:
    booking = await _held_booking(uow)
    async with uow(optimistic=True) as unit:
        _, read = await unit.get_for_event(booking.id, **EVENT)
        assert read is not None
        async with uow() as other:  # another delivery of the same event got there first
            assert await other.inbound_events.record("stripe", "evt_1", event_type="x", now=NOW)
            await other.commit()
        if changes:
            read.mark_paid(now=NOW)
        with pytest.raises(Contended):
            await unit.commit()
    status, events, topics = await _written(uow, booking.id)
    assert (status, events, topics) == (BookingStatus.PENDING_PAYMENT.value, ["evt_1"], [])


async def test_what_needs_a_lock_is_contended_in_an_optimistic_unit_of_work(
    uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    booking = await _held_booking(uow)
    async with uow(optimistic=True) as unit:
        _, read = await unit.get_for_event(booking.id, **EVENT)
        assert read is not None
        with pytest.raises(Contended):
            await unit.bookings.get(uuid.uuid4(), for_update=True)
        with pytest.raises(Contended):
            await unit.bookings.flush(read, now=NOW)
        with pytest.raises(Contended):
            await unit.get_for_event(booking.id, **{**EVENT, "event_id": "evt_2"})
        with pytest.raises(Contended):  # a write of several statements
            await unit.bookings.add(dataclasses.replace(read, id=uuid.uuid4(), slot=None), now=NOW)
