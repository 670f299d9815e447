"""The fast path of booking a resource, on the SQL adapter and the fake alike: one step, or a clear no."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.memory.store import FakeUnitOfWorkFactory
from adapters.persistence import tables as t
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from application.ports import NewCustomer, UnitOfWorkFactory
from domain.booking import Booking
from domain.catalog import Money
from domain.slot import Slot
from tests.support.databases import migrated, throwaway_postgres

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
TEN = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
HOLD = timedelta(minutes=30)


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
    uow: UnitOfWorkFactory, booking: Booking, customer: NewCustomer, *, now: datetime = NOW
) -> bool:
    async with uow() as unit:
        done = await unit.bookings.add_on_first_free(
            booking, customer=customer, now=now, resource_candidates=["van-1", "van-2"]
        )
        await unit.commit()
    return done


async def test_the_fast_path_books_the_first_free_resource_in_candidate_order(uow: UnitOfWorkFactory) -> None:
    first, second = _booking(_customer("a@example.com")), _booking(_customer("b@example.com"))
    assert await _book(uow, first, _customer("a@example.com"))
    assert await _book(uow, second, _customer("b@example.com"))
    assert (first.resource_id, second.resource_id) == ("van-1", "van-2")


async def test_the_fast_path_says_no_when_every_candidate_is_taken_and_writes_nothing(
    uow: UnitOfWorkFactory,
) -> None:
    for email in ("a@example.com", "b@example.com"):
        assert await _book(uow, _booking(_customer(email)), _customer(email))
    late = _booking(_customer("c@example.com"), start=TEN + timedelta(minutes=30))
    assert not await _book(uow, late, _customer("c@example.com"))
    assert late.resource_id is None
    async with uow(read_only=True) as unit:
        assert await unit.bookings.get(late.id) is None


async def test_the_fast_path_finds_a_known_customer_by_email(uow: UnitOfWorkFactory) -> None:
    known = _customer()
    assert await _book(uow, _booking(known), known)
    again = _customer()  # the same email, a new id: the known customer is kept
    later = _booking(again, start=TEN + timedelta(hours=3))
    assert await _book(uow, later, again)
    assert later.customer_id == known.id


async def test_an_expired_hold_not_yet_swept_sends_the_booking_down_the_careful_path(
    uow: UnitOfWorkFactory,
) -> None:
    for email in ("a@example.com", "b@example.com"):
        held = _booking(_customer(email), amount_cents=8500)  # paid: holds its slot until NOW + HOLD
        assert await _book(uow, held, _customer(email))
    after_the_holds = NOW + HOLD + timedelta(minutes=1)
    newcomer = _booking(_customer("c@example.com"), now=after_the_holds)
    assert not await _book(uow, newcomer, _customer("c@example.com"), now=after_the_holds)


@pytest.mark.postgres
async def test_the_fast_path_writes_the_audit_entry_and_the_outbox_message_with_the_booking(
    postgres_url: str,
) -> None:
    async with migrated(postgres_url) as database:
        customer = _customer()
        booking = _booking(customer)
        assert await _book(SqlAlchemyUnitOfWorkFactory(database), booking, customer)
        async with database.engine.connect() as connection:
            audit = (await connection.execute(sa.select(t.audit_entries.c.to_status))).scalars().all()
            topics = (await connection.execute(sa.select(t.outbox_messages.c.topic))).scalars().all()
    assert (audit, sorted(topics)) == (["confirmed"], ["email.booking_confirmed", "sms.booking_confirmed"])


@pytest.mark.postgres
async def test_a_single_write_unit_of_work_refuses_to_commit_a_second_write(postgres_url: str) -> None:
    async with migrated(postgres_url) as database:
        uow = SqlAlchemyUnitOfWorkFactory(database)
        customer = _customer()
        booking = _booking(customer)
        async with uow(single_write=True) as unit:
            assert await unit.bookings.add_on_first_free(
                booking, customer=customer, now=NOW, resource_candidates=["van-1"]
            )
            booking.cancel(now=NOW)  # a second change: it could not be atomic with the first
            with pytest.raises(RuntimeError, match="more than one write"):
                await unit.commit()
