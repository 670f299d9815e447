"""The database keeps a package's count of sessions within what it bought (ADR 0018), whatever the code
above it does; the unit of work answers its refusal as `no_sessions_left`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from domain.errors import NoSessionsLeft
from tests.support.databases import migrated

T0 = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


def _package(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": uuid.uuid4(),
        "offering_id": "coaching-four",
        "status": "confirmed",
        "payment_status": "paid",
        "amount_cents": 32000,
        "currency": "EUR",
        "intake": {},
        "refs": {},
        "token_hash": b"\0" * 32,
        "version": 1,
        "created_at": T0,
        "updated_at": T0,
        "sessions_total": 2,
        "sessions_used": 0,
        "sessions_valid_days": 31,
        "valid_until": T0 + timedelta(days=31),
    }
    return row | overrides


async def _customer(connection: sa.ext.asyncio.AsyncConnection) -> uuid.UUID:
    customer = uuid.uuid4()
    await connection.execute(
        t.customers.insert(),
        {
            "id": customer,
            "email": f"{customer}@example.com",
            "name": "A",
            "locale": "en",
            "refs": {},
            "created_at": T0,
        },
    )
    return customer


async def _insert(database: Database, **overrides: object) -> dict[str, object]:
    async with database.engine.begin() as connection:
        row = _package(customer_id=await _customer(connection), **overrides)
        await connection.execute(t.bookings.insert(), row)
    return row


async def _set_used(database: Database, booking_id: object, used: int) -> None:
    async with database.engine.begin() as connection:
        b = t.bookings.c
        await connection.execute(t.bookings.update().where(b.id == booking_id).values(sessions_used=used))


@pytest.mark.parametrize("used", [3, -1])
async def test_the_database_refuses_a_count_outside_what_the_package_bought(
    database_url: str, used: int
) -> None:
    async with migrated(database_url) as database:
        with pytest.raises(IntegrityError):
            await _insert(database, sessions_used=used)
        row = await _insert(database, sessions_used=2)
        with pytest.raises(IntegrityError):
            await _set_used(database, row["id"], used)
        await _set_used(database, row["id"], 1)


async def test_a_count_past_the_package_is_no_sessions_left_from_the_unit_of_work(database_url: str) -> None:
    async with migrated(database_url) as database:
        row = await _insert(database, sessions_used=2)
        uow = SqlAlchemyUnitOfWorkFactory(database)
        async with uow() as work:
            package = await work.bookings.get(row["id"])  # type: ignore[arg-type]
            assert package is not None
            assert package.credits is not None
            assert (package.credits.total, package.credits.used) == (2, 2)
            package.credits.used += 1  # past what the domain allows: the database still says no
            with pytest.raises(NoSessionsLeft):
                await work.commit()
