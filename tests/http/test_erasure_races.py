"""An erasure racing a new booking of the same person, on PostgreSQL: either the booking came first and
the erasure is refused, or the erasure came first and the booking belongs to a new customer with the real
email. No booking still to come ever belongs to an erased customer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from domain.errors import ErasureRefused
from tests.support.app import running_app

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.mark.postgres
async def test_an_erasure_racing_a_new_booking_never_leaves_a_booking_ahead_with_an_erased_customer(
    postgres_url: str,
) -> None:
    clock = FixedClock(NOW)
    outcomes: list[str] = []
    owners: list[str] = []
    async with running_app(postgres_url, clock=clock) as (client, container):
        for n in range(6):
            customer = {"name": f"Racer {n}", "email": f"racer{n}@example.com"}

            async def book(start: datetime, customer: dict[str, str] = customer) -> int:
                body = {"offering_id": "van-transfer", "customer": customer, "start": start.isoformat()}
                return (await client.post("/v1/bookings", json=body)).status_code

            past = (NOW + timedelta(days=1 + 2 * n)).replace(hour=10, minute=0)
            assert await book(past) == 201
            clock.advance(past + timedelta(hours=2) - clock.now())  # its hold ran out, its time is over
            ahead = past + timedelta(days=1)

            async def erase(email: str = customer["email"]) -> str:
                try:
                    await container.erase_customer()(email)
                except ErasureRefused:
                    return "refused"
                return "erased"

            if n % 2:  # which one starts first
                booked, erased = await asyncio.gather(book(ahead), erase())
            else:
                erased, booked = await asyncio.gather(erase(), book(ahead))
            assert booked == 201
            outcomes.append(erased)
            owners.append(await owner_of_booking_at(container.database().engine, ahead))
    assert set(outcomes) <= {"refused", "erased"}
    assert owners == [f"racer{n}@example.com" for n in range(6)]


async def owner_of_booking_at(engine: AsyncEngine, start: datetime) -> str:
    """The email of the customer whose booking starts then."""
    b, c = t.bookings.c, t.customers.c
    query = sa.select(c.email).join(t.customers, b.customer_id == c.id).where(b.start_at == start)
    async with engine.connect() as connection:
        return str((await connection.execute(query)).scalar_one())
