"""The migrations build exactly the tables the code uses, and the database itself keeps the invariants."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from adapters.persistence import tables as t
from tests.support.databases import migrated

T0 = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


async def test_the_migrated_schema_matches_the_tables_the_code_uses(database_url: str) -> None:
    async with migrated(database_url) as database, database.engine.connect() as connection:

        def diff(sync_connection: sa.Connection) -> list[object]:
            context = MigrationContext.configure(sync_connection, opts={"compare_type": False})
            return list(compare_metadata(context, t.metadata))

        assert await connection.run_sync(diff) == []


def _booking(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": uuid.uuid4(),
        "offering_id": "van-transfer",
        "status": "confirmed",
        "payment_status": "paid",
        "amount_cents": 8500,
        "currency": "EUR",
        "start_at": T0,
        "end_at": T0 + timedelta(hours=1),
        "block_end": T0 + timedelta(hours=1, minutes=15),
        "resource_id": "van-1",
        "capacity": None,
        "hold_expires_at": None,
        "notes": None,
        "intake": {},
        "refs": {},
        "token_hash": b"\0" * 32,
        "version": 1,
        "created_at": T0,
        "updated_at": T0,
    }
    return row | overrides


async def _insert(database_url: str, rows: list[dict[str, object]]) -> None:
    async with migrated(database_url) as database, database.engine.begin() as connection:
        customer = uuid.uuid4()
        await connection.execute(
            t.customers.insert(),
            {
                "id": customer,
                "email": "a@example.com",
                "name": "A",
                "locale": "en",
                "refs": {},
                "created_at": T0,
            },
        )
        for row in rows:
            await connection.execute(t.bookings.insert(), row | {"customer_id": customer})


async def test_the_database_refuses_two_holding_bookings_of_one_resource_that_overlap(
    database_url: str,
) -> None:
    ten_past = T0 + timedelta(hours=1, minutes=10)
    with pytest.raises(IntegrityError):
        await _insert(
            database_url,
            [
                _booking(),
                _booking(
                    start_at=ten_past,
                    end_at=ten_past + timedelta(hours=1),
                    block_end=ten_past + timedelta(hours=1),
                ),
            ],
        )


async def test_the_database_lets_a_cancelled_booking_overlap(database_url: str) -> None:
    await _insert(database_url, [_booking(status="cancelled"), _booking()])


async def test_the_database_refuses_a_fourth_seat_in_a_three_seat_slot(database_url: str) -> None:
    seat = {"offering_id": "workshop", "resource_id": None, "capacity": 3}
    with pytest.raises(IntegrityError):
        await _insert(database_url, [_booking(**seat) for _ in range(4)])


async def test_the_database_takes_three_seats_in_a_three_seat_slot(database_url: str) -> None:
    seat = {"offering_id": "workshop", "resource_id": None, "capacity": 3}
    await _insert(database_url, [_booking(**seat) for _ in range(3)])
