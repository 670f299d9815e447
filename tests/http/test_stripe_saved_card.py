"""The first Stripe payment saves the card for later off-session charges: one Stripe customer per
customer, created once and kept in the customer's references; the saved method kept on the booking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from entrypoints.container import Container
from tests.support.app import ADMIN_KEY, stripe_app
from tests.support.fake_stripe import SECRET, FakeStripe, event, fake_stripe, sign

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=2)).replace(hour=8, minute=0, second=0)
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


async def book(client: httpx.AsyncClient, start: datetime = START, **fields: Any) -> dict[str, Any]:
    customer = {"name": "Ada", "email": "ada@example.com"}
    body = {"offering_id": "van-transfer", "start": start.isoformat(), "customer": customer, **fields}
    response = await client.post("/v1/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def customer_refs(container: Container) -> list[dict[str, str]]:
    async with container.database().engine.connect() as c:
        return [dict(r.refs) for r in await c.execute(sa.select(t.customers.c.refs))]


async def test_a_checkout_saves_the_card_for_the_customer_at_stripe(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        await book(client)
        refs = await customer_refs(container)
    [customer] = stripe_api.created("customer")
    [session] = stripe_api.created("checkout.session")
    assert session["form"]["customer"] == customer["id"]
    assert session["form"]["payment_intent_data[setup_future_usage]"] == "off_session"
    assert refs == [{"stripe_customer": customer["id"]}]
    [created] = [r for r in stripe_api.requests if r.path == "/v1/customers"]
    assert created.headers["idempotency-key"].startswith("customer:")
    assert "ada@example.com" not in str(created.form)


async def test_the_stripe_customer_is_created_once_per_customer(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        await book(client)
        await book(client, START + timedelta(hours=3), payment_provider="stripe_payment_intent")
    [customer] = stripe_api.created("customer")
    [intent] = stripe_api.created("payment_intent")
    assert len([r for r in stripe_api.requests if r.path == "/v1/customers"]) == 1
    assert (intent["form"]["customer"], intent["form"]["setup_future_usage"]) == (
        customer["id"],
        "off_session",
    )


async def booking_refs(container: Container, booking: str) -> dict[str, str]:
    async with container.database().engine.connect() as c:
        query = sa.select(t.bookings.c.refs).where(t.bookings.c.id == UUID(booking))
        return dict((await c.execute(query)).scalar_one())


async def post(client: httpx.AsyncClient, body: bytes) -> None:
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    response = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 200, response.text


async def test_the_saved_payment_method_is_kept_on_the_booking_even_when_the_checkout_event_came_first(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        checkout = {
            "id": "cs_test_1",
            "object": "checkout.session",
            "client_reference_id": booking,
            "metadata": {"booking_id": booking},
            "payment_status": "paid",
            "payment_intent": "pi_1",
            "amount_total": 8500,
            "currency": "eur",
        }
        paid = {
            "id": "pi_1",
            "object": "payment_intent",
            "amount": 8500,
            "amount_received": 8500,
            "currency": "eur",
            "metadata": {"booking_id": booking},
            "status": "succeeded",
            "payment_method": "pm_card_1",
        }
        await post(client, event("checkout.session.completed", checkout, event_id="evt_cs"))
        await post(client, event("payment_intent.succeeded", paid, event_id="evt_pi"))
        refs = await booking_refs(container, booking)
        body = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
    assert (body["status"], body["payment_status"]) == ("confirmed", "paid")
    assert (refs["stripe_payment_intent"], refs["stripe_payment_method"]) == ("pi_1", "pm_card_1")
