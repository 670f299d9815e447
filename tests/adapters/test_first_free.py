"""Booking a resource through the one `add`, on the SQL adapter and the fake alike: the first free
resource in catalog order, or a clear no; on PostgreSQL in one statement when nothing is in the way,
else down the careful path."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from adapters.memory.store import FakeUnitOfWorkFactory
from adapters.persistence import tables as t
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from application.ports import NewCustomer, UnitOfWorkFactory
from domain.booking import Booking
from domain.catalog import Money, Resource
from domain.errors import SlotUnavailable
from domain.slot import Slot
from domain.statuses import BookingStatus
from tests.domain.builders import an_offering
from tests.support.databases import migrated, throwaway_postgres

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
TEN = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
HOLD = timedelta(minutes=30)
VANS = [Resource("van-1", "van", "Van 1"), Resource("van-2", "van", "Van 2")]
VAN_TRANSFER = dataclasses.replace(
    an_offering(resource_type="van", buffer=15), id="van-transfer", price=Money(0, "EUR")
)


@pytest.fixture(params=["fake", pytest.param("postgres", marks=pytest.mark.postgres)])
async def uow(request: pytest.FixtureRequest) -> AsyncIterator[UnitOfWorkFactory]:
    if request.param == "fake":
        yield FakeUnitOfWorkFactory()
        return
    async with throwaway_postgres() as url, migrated(url) as database:
        yield SqlAlchemyUnitOfWorkFactory(database)


def _customer(email: str = "ada@example.com") -> NewCustomer:
    return NewCustomer(id=uuid.uuid4(), email=email, name="Ada Lovelace", phone=None, locale="en")


def _booking(
    customer: NewCustomer, *, start: datetime = TEN, amount_cents: int = 0, now: datetime = NOW
) -> Booking:
    booking = Booking.new(
        id=uuid.uuid4(),
        offering_id="van-transfer",
        customer_id=customer.id,
        price=Money(amount_cents, "EUR"),
        slot=Slot(start, start + timedelta(hours=1)),
        buffer=timedelta(minutes=15),
        resource_id=None,
        now=now,
        hold=HOLD,
    )
    booking.token_hash = b"\1" * 32
    return booking


async def _book(
    uow: UnitOfWorkFactory,
    booking: Booking,
    customer: NewCustomer,
    *,
    now: datetime = NOW,
    single_write: bool = False,
) -> None:
    async with uow(single_write=single_write) as unit:
        await unit.bookings.add(booking, now=now, offering=VAN_TRANSFER, resources=VANS, customer=customer)
        await unit.commit()


async def test_a_booking_takes_the_first_free_resource_in_candidate_order(uow: UnitOfWorkFactory) -> None:
    first, second = _booking(_customer("a@example.com")), _booking(_customer("b@example.com"))
    await _book(uow, first, _customer("a@example.com"))
    await _book(uow, second, _customer("b@example.com"))
    assert (first.resource_id, second.resource_id) == ("van-1", "van-2")


@pytest.mark.parametrize("single_write", [False, True], ids=["in a transaction", "alone"])
async def test_a_booking_is_refused_when_every_candidate_is_taken_and_nothing_is_written(
    uow: UnitOfWorkFactory, single_write: bool
) -> None:
    for email in ("a@example.com", "b@example.com"):
        await _book(uow, _booking(_customer(email)), _customer(email))
    late_customer = _customer("c@example.com")
    late = _booking(late_customer, start=TEN + timedelta(minutes=30))
    with pytest.raises(SlotUnavailable):
        await _book(uow, late, late_customer, single_write=single_write)
    assert late.resource_id is None
    async with uow(read_only=True) as unit:
        assert await unit.bookings.get(late.id) is None
        assert await unit.customers.get(late_customer.id) is None


async def test_a_booking_finds_a_known_customer_by_email(uow: UnitOfWorkFactory) -> None:
    known = _customer()
    await _book(uow, _booking(known), known)
    again = _customer()  # the same email, a new id: the known customer is kept
    later = _booking(again, start=TEN + timedelta(hours=3))
    await _book(uow, later, again)
    assert later.customer_id == known.id


@pytest.mark.parametrize("single_write", [False, True], ids=["in a transaction", "alone"])
async def test_an_expired_hold_not_yet_swept_gives_its_resource_to_a_new_booking(
    uow: UnitOfWorkFactory, single_write: bool
) -> None:
    for email in ("a@example.com", "b@example.com"):
        held = _booking(_customer(email), amount_cents=8500)  # paid: holds its slot until NOW + HOLD
        await _book(uow, held, _customer(email))
    after_the_holds = NOW + HOLD + timedelta(minutes=1)
    newcomer = _booking(_customer("c@example.com"), now=after_the_holds)
    # One statement would refuse (an expired hold still blocks the constraint): the careful path
    # expires the hold and takes its resource.
    await _book(uow, newcomer, _customer("c@example.com"), now=after_the_holds, single_write=single_write)
    assert newcomer.resource_id == "van-1"
    async with uow(read_only=True) as unit:
        stored = await unit.bookings.get(newcomer.id)
        assert stored is not None
        assert (stored.resource_id, stored.status) == ("van-1", BookingStatus.CONFIRMED)


@pytest.mark.postgres
async def test_on_postgres_a_free_resource_is_booked_in_one_statement_with_its_audit_and_outbox(
    postgres_url: str,
) -> None:
    async with migrated(postgres_url) as database:
        customer = _customer()
        booking = _booking(customer)
        statements: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(statement)

        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        await _book(SqlAlchemyUnitOfWorkFactory(database), booking, customer, single_write=True)
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        assert len(statements) == 1
        assert booking.resource_id == "van-1"
        async with database.engine.connect() as connection:
            audit = (await connection.execute(sa.select(t.audit_entries.c.to_status))).scalars().all()
            topics = (await connection.execute(sa.select(t.outbox_messages.c.topic))).scalars().all()
    assert (audit, sorted(topics)) == (
        ["confirmed"],
        ["email.booking_confirmed", "reminders.plan", "sms.booking_confirmed"],
    )


@pytest.mark.postgres
async def test_on_postgres_the_careful_path_expires_the_holds_that_ran_out(postgres_url: str) -> None:
    async with migrated(postgres_url) as database:
        uow = SqlAlchemyUnitOfWorkFactory(database)
        holds = []
        for email in ("a@example.com", "b@example.com"):
            hold = _booking(_customer(email), amount_cents=8500)  # holds its slot until NOW + HOLD
            await _book(uow, hold, _customer(email))
            holds.append(hold)
        after_the_holds = NOW + HOLD + timedelta(minutes=1)
        newcomer = _booking(_customer("c@example.com"), now=after_the_holds)
        await _book(uow, newcomer, _customer("c@example.com"), now=after_the_holds, single_write=True)
        async with database.engine.connect() as connection:
            b = t.bookings.c
            query = sa.select(b.status).where(b.id.in_([hold.id for hold in holds]))
            statuses = (await connection.execute(query)).scalars().all()
    assert (statuses, newcomer.resource_id) == (["expired", "expired"], "van-1")


@pytest.mark.postgres
async def test_a_single_write_unit_of_work_refuses_to_commit_a_second_write(postgres_url: str) -> None:
    async with migrated(postgres_url) as database:
        uow = SqlAlchemyUnitOfWorkFactory(database)
        customer = _customer()
        booking = _booking(customer)
        async with uow(single_write=True) as unit:
            await unit.bookings.add(
                booking, now=NOW, offering=VAN_TRANSFER, resources=VANS[:1], customer=customer
            )
            assert booking.resource_id == "van-1"
            booking.cancel(now=NOW)  # a second change: it could not be atomic with the first
            with pytest.raises(RuntimeError, match="more than one write"):
                await unit.commit()


async def test_the_one_write_of_a_single_write_unit_of_work_is_committed(database_url: str) -> None:
    async with migrated(database_url) as database:
        uow = SqlAlchemyUnitOfWorkFactory(database)
        customer = _customer()
        booking = _booking(customer)
        await _book(uow, booking, customer, single_write=True)
        async with uow(single_write=True) as unit:
            await unit.bookings.set_references(booking.id, {"payment_url": "https://pay.example/1"})
            await unit.commit()
        async with uow(read_only=True) as unit:
            stored = await unit.bookings.get(booking.id)
    assert stored is not None
    assert (stored.resource_id, stored.references) == ("van-1", {"payment_url": "https://pay.example/1"})
