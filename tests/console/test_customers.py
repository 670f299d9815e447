"""The Customers page (owners): find a person by email, export their data as a JSON download, erase them
after a confirmation; a person with a booking to come is not erased."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from adapters.memory.clock import FixedClock
from tests.console.support import OWNER_EMAIL, console_app, post_form, sign_in
from tests.web.support import text_of

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
PERSON = {"name": "Zacharie Quellenberg", "email": "zacharie.q@example.org"}


async def _book(client: httpx.AsyncClient, start: datetime) -> str:
    body = {"offering_id": "van-transfer", "customer": PERSON, "start": start.isoformat()}
    created = await client.post("/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    booking: str = created.json()["booking_id"]
    await client.post(f"/sandbox/checkout/{booking}", data={"outcome": "pay"})
    return booking


async def test_an_owner_finds_exports_and_erases_a_customer(sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    async with console_app(sqlite_url, clock=clock) as (client, container, _):
        booking = await _book(client, NOW + timedelta(days=1))
        clock.advance(timedelta(days=3))
        await sign_in(client, OWNER_EMAIL)  # the session has lapsed meanwhile
        found = await post_form(client, "/console/customers", {"email": "Zacharie.Q@example.org"})
        exported = await post_form(client, "/console/customers/export", {"email": PERSON["email"]})
        confirm = await post_form(client, "/console/customers/erase", {"email": PERSON["email"]})
        still_there = await container.export_customer()(PERSON["email"])
        erased = await post_form(
            client, "/console/customers/erase", {"email": PERSON["email"], "confirm": "yes"}
        )
        gone = await post_form(client, "/console/customers", {"email": PERSON["email"]})
    assert found.status_code == 200
    assert "Zacharie Quellenberg" in text_of(found.text)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/json")
    assert exported.headers["content-disposition"].startswith('attachment; filename="customer-')
    assert exported.headers["cache-control"] == "no-store"
    document = json.loads(exported.text)
    assert document["customer"]["name"] == PERSON["name"]
    assert [b["booking_id"] for b in document["bookings"]] == [booking]
    assert "Erase this customer?" in text_of(confirm.text)
    assert still_there.customer.name == PERSON["name"]  # nothing erased before `Yes, erase`
    assert erased.status_code == 200
    assert "The customer is erased" in text_of(erased.text)
    assert gone.status_code == 404
    assert "No customer has this email." in text_of(gone.text)


async def test_a_customer_with_a_booking_to_come_is_not_erased(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW)) as (client, container, _):
        await _book(client, NOW + timedelta(days=1))
        refused = await post_form(
            client, "/console/customers/erase", {"email": PERSON["email"], "confirm": "yes"}
        )
        kept = await container.export_customer()(PERSON["email"])
    assert refused.status_code == 409
    assert "Cancel it first" in text_of(refused.text)
    assert kept.customer.name == PERSON["name"]


async def test_an_unknown_email_is_a_404_page_for_export_and_erase(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, _, _member):
        answers = [
            await post_form(client, path, {"email": "nobody@example.com", "confirm": "yes"})
            for path in ("/console/customers", "/console/customers/export", "/console/customers/erase")
        ]
    assert [a.status_code for a in answers] == [404, 404, 404]


async def test_customer_forms_without_their_csrf_token_change_nothing(sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    async with console_app(sqlite_url, clock=clock) as (client, container, _):
        await _book(client, NOW + timedelta(days=1))
        clock.advance(timedelta(days=3))
        await sign_in(client, OWNER_EMAIL)
        refused = await client.post(
            "/console/customers/erase", data={"email": PERSON["email"], "confirm": "yes"}
        )
        kept = await container.export_customer()(PERSON["email"])
    assert refused.status_code == 403
    assert kept.customer.name == PERSON["name"]
