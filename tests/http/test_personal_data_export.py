"""Export and retention through the whole app: what the hub holds about one person, and people forgotten
once their last booking ended long enough ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.memory.clock import FixedClock
from application.errors import NotFound
from tests.http.test_erasure import EMAIL, INTAKE, NAME, PERSONAL, PHONE, PLATE, STREET
from tests.support.app import ADMIN_KEY, running_app

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
OTHER = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+441234567890"}


async def book(client: httpx.AsyncClient, start: str, customer: dict[str, str], street: str) -> str:
    theirs = customer["email"] == EMAIL
    body = {
        "offering_id": "car-service-pickup",
        "customer": customer,
        "start": start,
        "pickup_address": {"street": street, "zip": "75011", "city": "Paris"},
        "vehicle": {"brand": "Renault", "model": "Clio", "license_plate": PLATE if theirs else "AL-1815-X"},
        "intake": (INTAKE if theirs else {"allergies": "none at all"}) | {"visit": start},
    }
    created = await client.post("/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = str(created.json()["booking_id"])
    paid = await client.post(f"/sandbox/checkout/{booking}", data={"outcome": "pay"})
    assert paid.status_code == 303, paid.text
    return booking


async def test_the_export_holds_both_bookings_of_the_person_and_nothing_of_anyone_else(
    database_url: str,
) -> None:
    person = {"name": NAME, "email": EMAIL, "phone": PHONE}
    async with running_app(database_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, container):
        first = await book(client, "2026-06-02T10:00:00+02:00", person, STREET)
        theirs = await book(client, "2026-06-02T10:00:00+02:00", OTHER, "1 Ada Street")
        second = await book(client, "2026-06-03T14:00:00+02:00", person, "9 rue Seconde")
        await container.deliver_outbox()()
        export = await container.export_customer()(EMAIL.upper())
        with pytest.raises(NotFound):
            await container.export_customer()("nobody@example.com")
    document = msgspec.json.decode(msgspec.json.encode(export))
    text = msgspec.json.encode(export).decode()
    assert set(document) == {"customer", "bookings", "messages"}
    assert {k: document["customer"][k] for k in ("name", "email", "phone")} == person
    assert [b["booking_id"] for b in document["bookings"]] == [first, second]
    assert [b["pickup_address"]["street"] for b in document["bookings"]] == [STREET, "9 rue Seconde"]
    assert [b["intake"]["visit"] for b in document["bookings"]] == [
        "2026-06-02T10:00:00+02:00",
        "2026-06-03T14:00:00+02:00",
    ]
    assert all(b["intake"]["gate code"] == INTAKE["gate code"] for b in document["bookings"])
    assert document["bookings"][0]["vehicle"]["license_plate"] == PLATE
    assert (document["bookings"][0]["status"], document["bookings"][0]["amount_cents"]) == ("confirmed", 4900)
    messages = document["messages"]
    assert {(m["topic"], m["channel"], m["state"]) for m in messages} == {
        ("email.booking_confirmed", "email", "delivered"),
        ("sms.booking_confirmed", "sms", "delivered"),
    }
    assert len(messages) == 4
    assert {m["booking_id"] for m in messages} == {first, second}
    assert all(set(m) == {"topic", "channel", "at", "state", "booking_id"} for m in messages)
    others = (theirs, "Ada", "ada@example.com", "1 Ada Street", "441234567890", "AL-1815-X", "none at all")
    assert [other for other in others if other in text] == []


async def test_a_tiny_retention_erases_a_person_whose_booking_ended_and_keeps_one_whose_booking_is_ahead(
    database_url: str,
) -> None:
    clock = FixedClock(NOW)
    person = {"name": NAME, "email": EMAIL, "phone": PHONE}
    async with running_app(database_url, clock=clock, catalog=EXAMPLE, retention_days=0.01) as (
        client,
        container,
    ):
        await book(client, "2026-06-01T14:00:00+02:00", person, STREET)  # ends 13:00 UTC
        await book(client, "2026-06-03T14:00:00+02:00", OTHER, "1 Ada Street")
        before = await container.erase_lapsed_customers()()  # nothing has ended yet
        clock.advance(timedelta(hours=6))  # 14:00 UTC: an hour after the first ended, > 0.01 days
        erased = await container.erase_lapsed_customers()()
        again = await container.erase_lapsed_customers()()
        with pytest.raises(NotFound):
            await container.export_customer()(EMAIL)
        kept = await container.export_customer()(OTHER["email"])
        listed = (await client.get("/admin/bookings", headers=ADMIN)).json()["items"]
    assert (before, erased, again) == (0, 1, 0)
    assert kept.customer.name == "Ada Lovelace"
    assert kept.bookings[0].pickup_address is not None
    assert kept.bookings[0].pickup_address.street == "1 Ada Street"
    text = msgspec.json.encode(listed).decode()
    assert [v for v in PERSONAL if v.lower() in text.lower()] == []
    assert sorted(item["customer"]["name"] for item in listed) == ["Ada Lovelace", "Erased"]
