"""Erasure through the whole app: a person who booked, paid, was sent messages, approved an extension and
was refunded is erased, and then no value of theirs is anywhere in the database (every table and text
column the live schema has, found by reflection), no token of theirs opens anything, no message goes to
them, and their Stripe customer is deleted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from application.errors import NotFound
from domain.errors import ErasureRefused
from entrypoints.container import Container
from tests.support.app import ADMIN_KEY, running_app
from tests.support.fake_stripe import SECRET, FakeStripe, event, fake_stripe, sign
from tests.support.sink import Sink, http_sink

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday
START = "2026-06-02T10:00:00+02:00"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
NAME, EMAIL, PHONE = "Zacharie Quellenberg", "zacharie.q@example.org", "+33612345678"
STREET, DELIVERY_STREET, PLATE = "17 impasse Quellenberg", "3 quai Zacharie-Ostrowski", "ZQ-417-QZ"
NOTES = "Keys with Madame Ostrowski at the concierge"
INTAKE = {"allergies": "Birch pollen, badly", "gate code": "B7431X", "previous garage": "Garage Vauquelin"}
# What must be nowhere after the erasure: the name (and each half), email, phone (with and without its
# country code), streets, licence plate, notes and intake answers.
PERSONAL = (
    NAME,
    "Quellenberg",
    EMAIL,
    PHONE,
    "612345678",
    STREET,
    DELIVERY_STREET,
    PLATE,
    NOTES,
    *INTAKE.values(),
)


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


@asynccontextmanager
async def hub(
    database_url: str, stripe: FakeStripe, clock: FixedClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Container, dict[str, Sink]]]:
    """The whole app on the example catalog, Stripe at the fake, email, SMS and the driver app at sinks."""
    with http_sink() as resend, http_sink(status=201) as twilio, http_sink() as driver_app:
        settings = {
            "stripe_secret_key": "sk_test_fake",
            "stripe_webhook_secret": SECRET,
            "stripe_api_base": stripe.base,
            "resend_api_key": "re_test_key",
            "resend_from": "Bookings <b@x.test>",
            "resend_api_base": resend.base,
            "twilio_account_sid": "AC_test",
            "twilio_auth_token": "twilio-token-0123",
            "twilio_from": "+15005550006",
            "twilio_api_base": twilio.base,
            "driver_app_webhook_url": driver_app.url,
            "driver_app_secret": "driver-secret-0123",
        }
        async with running_app(database_url, clock=clock, catalog=EXAMPLE, **settings) as (client, container):
            try:
                yield client, container, {"resend": resend, "twilio": twilio, "driver_app": driver_app}
            finally:
                await container.http().aclose()


async def webhook(client: httpx.AsyncClient, body: bytes) -> None:
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    response = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 200, response.text


async def book_and_pay(
    client: httpx.AsyncClient, *, start: str = START, key: str = "zq-booking-1"
) -> tuple[str, str]:
    body = {
        "offering_id": "car-service-pickup",
        "customer": {"name": NAME, "email": EMAIL, "phone": PHONE},
        "start": start,
        "pickup_address": {"street": STREET, "zip": "75011", "city": "Paris"},
        "delivery_address": {"street": DELIVERY_STREET, "zip": "75004", "city": "Paris"},
        "vehicle": {"brand": "Renault", "model": "Clio", "license_plate": PLATE},
        "notes": NOTES,
        "intake": INTAKE,
    }
    created = await client.post("/v1/bookings", json=body, headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.text
    booking, token = created.json()["booking_id"], created.json()["booking_token"]
    intent = {
        "id": f"pi_{key}",
        "object": "payment_intent",
        "amount": 4900,
        "amount_received": 4900,
        "currency": "eur",
        "metadata": {"booking_id": booking},
        "status": "succeeded",
        "payment_method": "pm_card_1",
    }
    await webhook(client, event("payment_intent.succeeded", intent, event_id=f"evt_paid_{key}"))
    return booking, token


async def whole_flow(client: httpx.AsyncClient, container: Container) -> tuple[str, str]:
    """Book with intake, addresses and vehicle; pay; messages; an extension approved and charged; the
    booking cancelled and refunded. The refund's messages are left pending."""
    booking, token = await book_and_pay(client)
    await container.deliver_outbox()()
    proposed = await client.post(
        f"/admin/bookings/{booking}/extensions",
        json={"description": "New brake pads", "amount_cents": 12000},
        headers=ADMIN,
    )
    assert proposed.status_code == 201, proposed.text
    extension = proposed.json()["extension_id"]
    approved = await client.post(
        f"/v1/bookings/{booking}/extensions/{extension}/approve", headers={"Authorization": f"Bearer {token}"}
    )
    assert approved.json()["status"] == "paid", approved.text
    await container.deliver_outbox()()
    cancelled = await client.post(
        f"/v1/bookings/{booking}/cancel", headers={"Authorization": f"Bearer {token}"}
    )
    assert cancelled.json()["status"] == "cancelled", cancelled.text
    await container.deliver_outbox()()
    charge = {
        "id": "ch_zq",
        "object": "charge",
        "amount": 4900,
        "amount_refunded": 4900,
        "refunded": True,
        "currency": "eur",
        "payment_intent": "pi_zq-booking-1",
        "metadata": {"booking_id": booking},
    }
    await webhook(client, event("charge.refunded", charge, event_id="evt_refunded"))
    return booking, token


async def personal_values_in_database(container: Container, values: tuple[str, ...]) -> list[str]:
    """Each `table.column` of the live schema (reflected, so tables added later are read too) whose text
    or JSON holds one of the values, in any case."""
    found = []
    async with container.database().engine.connect() as c:
        schema = sa.MetaData()
        await c.run_sync(lambda sync: schema.reflect(sync))
        for table in schema.sorted_tables:
            columns = [col for col in table.columns if _textual(col.type)]
            if not columns:
                continue
            for row in await c.execute(sa.select(*columns)):
                for col, value in zip(columns, row, strict=True):
                    text = (value if isinstance(value, str) else json.dumps(value)).lower()
                    hits = [v for v in values if v.lower() in text]
                    found += [f"{table.name}.{col.name}: {hit}" for hit in hits]
    return sorted(set(found))


def _textual(kind: sa.types.TypeEngine[Any]) -> bool:
    return isinstance(kind, sa.String | sa.Text | sa.JSON) or kind.__class__.__name__.upper() in {
        "JSON",
        "JSONB",
    }


async def test_after_erasure_no_value_of_the_person_is_anywhere_and_nothing_of_theirs_opens_or_is_sent(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with hub(database_url, stripe_api, FixedClock(NOW)) as (client, container, sinks):
        booking, token = await whole_flow(client, container)
        reminders_before = await reminder_states(container, booking)
        before = await personal_values_in_database(container, PERSONAL)
        audit_before = await audit_trail(container, booking)
        for sink in sinks.values():
            sink.received.clear()

        erased = await container.erase_customer()(EMAIL.upper())

        after = await personal_values_in_database(container, PERSONAL)
        old_token = await client.get(f"/v1/bookings/{booking}", headers={"Authorization": f"Bearer {token}"})
        delivered = sorted(f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()())
        kept = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
        audit_after = await audit_trail(container, booking)
        reminders_after = await reminder_states(container, booking)
    # The reminders planned when it was paid were still pending (scheduled for later): skipped too.
    assert {state for _, state in reminders_before} == {"pending"}
    assert {topic for topic, _ in reminders_before} == {"email.reminder", "sms.reminder"}
    assert {state for _, state in reminders_after} == {"skipped"}
    assert {"customers.name: Zacharie Quellenberg", "bookings.intake: B7431X"} <= set(before)
    assert {f.split(".")[0] for f in before} >= {"customers", "bookings"}
    assert after == []
    assert (old_token.status_code, old_token.json()["code"]) == (404, "not_found")
    assert erased.messages_skipped >= 2  # the refund's email and SMS were still pending
    assert erased.providers_asked == ("stripe.customer_erased",)
    assert [sink.received for sink in sinks.values()] == [[], [], []]
    assert "stripe.customer_erased delivered" in delivered
    [customer] = stripe_api.created("customer")
    assert stripe_api.deleted("customer") == [customer["id"]]
    assert (kept["status"], kept["payment_status"], kept["amount_cents"]) == ("cancelled", "refunded", 4900)
    assert (kept["start"], kept["offering_id"]) == ("2026-06-02T08:00:00Z", "car-service-pickup")
    assert kept["customer"]["name"] == "Erased"
    assert audit_after == audit_before


async def reminder_states(container: Container, booking: str) -> list[tuple[str, str]]:
    """Each reminder row of the booking's outbox: its topic and state."""
    o = t.outbox_messages.c
    async with container.database().engine.connect() as c:
        query = sa.select(o.topic, o.state).where(o.booking_id == UUID(booking), o.topic.like("%.reminder"))
        return [(topic, state) for topic, state in await c.execute(query)]


async def audit_trail(container: Container, booking: str) -> list[tuple[str, str, str]]:
    a = t.audit_entries.c
    async with container.database().engine.connect() as c:
        query = (
            sa.select(a.actor, a.from_status, a.to_status).where(a.booking_id == UUID(booking)).order_by(a.id)
        )
        return [tuple(row) for row in await c.execute(query)]


async def test_erasure_is_refused_while_a_booking_is_still_to_come_and_works_once_it_is_cancelled(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with hub(database_url, stripe_api, FixedClock(NOW)) as (client, container, _):
        booking, token = await book_and_pay(client)
        with pytest.raises(ErasureRefused):
            await container.erase_customer()(EMAIL)
        still = await personal_values_in_database(container, (EMAIL, STREET))
        opens = await client.get(f"/v1/bookings/{booking}", headers={"Authorization": f"Bearer {token}"})
        await client.post(f"/v1/bookings/{booking}/cancel", headers={"Authorization": f"Bearer {token}"})
        erased = await container.erase_customer()(EMAIL)
        gone = await personal_values_in_database(container, (EMAIL, STREET))
    assert len(still) >= 2
    assert opens.status_code == 200
    assert erased.bookings == 1
    assert gone == []


async def test_a_booking_that_is_over_does_not_stand_in_the_way(
    database_url: str, stripe_api: FakeStripe
) -> None:
    clock = FixedClock(NOW)
    async with hub(database_url, stripe_api, clock) as (client, container, _):
        await book_and_pay(client)
        clock.advance(timedelta(days=2))  # the service was on 2 June
        erased = await container.erase_customer()(EMAIL)
        with pytest.raises(NotFound):  # the email is gone with the rest
            await container.erase_customer()(EMAIL)
    assert erased.bookings == 1


async def test_a_manage_link_that_opened_the_booking_opens_nothing_once_its_person_is_erased(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with hub(database_url, stripe_api, FixedClock(NOW)) as (client, container, _):
        booking, token = await book_and_pay(client)
        async with container.uow()(read_only=True) as uow:
            stored = await uow.bookings.get(UUID(booking))
        assert stored is not None
        path = httpx.URL(await container.manage_links().url(stored.id, stored.token_hash)).path
        before = await client.get(path)
        await client.post(f"/v1/bookings/{booking}/cancel", headers={"Authorization": f"Bearer {token}"})
        page_before = await client.get(f"/bookings/{booking}")  # with the cookie the link set
        await container.erase_customer()(EMAIL)
        page_after = await client.get(f"/bookings/{booking}")
        client.cookies.clear()
        after = await client.get(path)
    assert (before.status_code, before.headers["location"]) == (303, f"/bookings/{booking}")
    assert (page_before.status_code, page_after.status_code) == (200, 404)
    assert after.status_code == 404
