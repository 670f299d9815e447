"""The payment event's statements at driver level (ADR 0021): what they read is what SQLAlchemy read, and a
connection lost under one goes back to the pool invalidated, not to the next event."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from adapters.persistence.database import Database
from adapters.persistence.inbound_events import _SEEN_AND_READ, seen_and_read
from adapters.persistence.mappers import booking_from_row
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from domain.booking import Booking
from tests.adapters.test_optimistic_uow import EVENT, NOW, _held_booking
from tests.support.databases import migrated

pytestmark = pytest.mark.postgres


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    async with migrated(postgres_url, pool_size=1) as database:
        yield database


async def test_the_driver_level_read_maps_to_the_booking_sqlalchemy_reads(database: Database) -> None:
    uow = SqlAlchemyUnitOfWorkFactory(database)
    booking = await _held_booking(uow)
    event = {"provider": "stripe", "event_id": "evt_1", "event_type": "x", "received_at": NOW}
    async with database.engine.connect() as connection:
        by_driver = await seen_and_read(connection, booking.id, event)
        by_sqlalchemy = (await connection.execute(_SEEN_AND_READ, {**event, "booking_id": booking.id})).one()
    assert by_driver.seen is by_sqlalchemy.seen is False
    assert _fields(booking_from_row(by_driver)) == _fields(booking_from_row(by_sqlalchemy))
    assert booking_from_row(by_driver).slot == booking.slot
    unknown = uuid.uuid4()
    async with database.engine.connect() as connection:
        assert (await seen_and_read(connection, unknown, event)).id is None


def _fields(booking: Booking) -> list[tuple[str, object, type]]:
    """Every field's value and type (a Booking compares by identity)."""
    return [
        (f.name, getattr(booking, f.name), type(getattr(booking, f.name)))
        for f in dataclasses.fields(booking)
    ]


async def test_a_connection_lost_under_a_driver_level_statement_is_replaced(
    database: Database, postgres_url: str
) -> None:
    uow = SqlAlchemyUnitOfWorkFactory(database)
    booking = await _held_booking(uow)
    async with database.engine.connect() as connection:  # the pool's one connection
        pid = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
    dsn = make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await admin.close()
    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
        async with uow(optimistic=True) as unit:
            await unit.get_for_event(booking.id, **EVENT)
    async with uow(optimistic=True) as unit:  # the pool opened a new connection
        recorded, read = await unit.get_for_event(booking.id, **EVENT)
    assert recorded
    assert read is not None
    assert read.id == booking.id
