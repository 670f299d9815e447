"""A unit of work checks out only what its statements use (ADR 0023): an ingest's driver-level statements
borrow the pooled connection without a SQLAlchemy `Connection`, a statement through SQLAlchemy wraps that
same connection, and a unit of work never holds two."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from adapters.persistence.database import Database
from adapters.persistence.dialect import driver_connection
from adapters.persistence.on_demand import OnDemandConnection
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from tests.adapters.test_optimistic_uow import EVENT, _held_booking
from tests.support.databases import migrated

pytestmark = pytest.mark.postgres

_PID = sa.text("SELECT pg_backend_pid()")


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    async with migrated(postgres_url, pool_size=2) as database:
        yield database


def _connections_made(database: Database) -> list[object]:
    made: list[object] = []
    sa.event.listen(database.engine.sync_engine, "engine_connect", made.append)
    return made


def _checked_out(database: Database) -> int:
    return database.engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined, no-any-return]


async def test_an_ingest_of_driver_level_statements_makes_no_sqlalchemy_connection(
    database: Database,
) -> None:
    uow = SqlAlchemyUnitOfWorkFactory(database)
    booking = await _held_booking(uow)
    made = _connections_made(database)
    async with uow(optimistic=True) as unit:
        assert _checked_out(database) == 0  # nothing until a statement runs
        recorded, read = await unit.get_for_event(booking.id, **EVENT)
        assert recorded
        assert read is not None
        read.mark_paid(now=EVENT["now"])
        await unit.commit()
        assert _checked_out(database) == 1
    assert _checked_out(database) == 0
    assert made == []
    async with uow(read_only=True) as unit:
        again = await unit.bookings.get(booking.id)
    assert again is not None
    assert again.status.value == "confirmed"


async def test_a_statement_through_sqlalchemy_wraps_the_connection_already_borrowed(
    database: Database,
) -> None:
    assert database.autocommit_engine is not None
    connection = OnDemandConnection(database.autocommit_engine)
    try:
        driver = await driver_connection(connection)
        borrowed = await driver.fetchval("SELECT pg_backend_pid()")
        through_sqlalchemy = (await connection.execute(_PID)).scalar_one()
        assert through_sqlalchemy == borrowed
        assert _checked_out(database) == 1
        # In autocommit, as the engine says: no BEGIN was sent, each statement committed on its own.
        assert connection.sync_connection is not None
        assert connection.sync_connection.connection.dbapi_connection.autocommit is True  # type: ignore[union-attr]
        assert not driver.is_in_transaction()
        assert await (await driver_connection(connection)).fetchval("SELECT pg_backend_pid()") == borrowed
    finally:
        await connection.close()
    assert _checked_out(database) == 0


async def test_a_statement_through_sqlalchemy_first_checks_out_one_connection(database: Database) -> None:
    assert database.autocommit_engine is not None
    connection = OnDemandConnection(database.autocommit_engine)
    try:
        pid = (await connection.execute(_PID)).scalar_one()
        assert await (await driver_connection(connection)).fetchval("SELECT pg_backend_pid()") == pid
        assert _checked_out(database) == 1
    finally:
        await connection.close()
    assert _checked_out(database) == 0


async def test_an_unused_connection_checks_out_nothing(database: Database) -> None:
    assert database.autocommit_engine is not None
    connection = OnDemandConnection(database.autocommit_engine)
    assert connection.dialect.name == "postgresql"
    assert not connection.in_transaction()
    await connection.commit()
    await connection.rollback()
    await connection.close()
    assert _checked_out(database) == 0


async def test_an_invalidated_borrowed_connection_is_replaced_by_the_pool(database: Database) -> None:
    assert database.autocommit_engine is not None
    connection = OnDemandConnection(database.autocommit_engine)
    first = await (await driver_connection(connection)).fetchval("SELECT pg_backend_pid()")
    await connection.invalidate()
    await connection.close()  # nothing left to give back
    assert _checked_out(database) == 0
    again = OnDemandConnection(database.autocommit_engine)
    try:
        second = await (await driver_connection(again)).fetchval("SELECT pg_backend_pid()")
    finally:
        await again.close()
    assert second != first
