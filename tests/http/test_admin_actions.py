"""The admin's actions on one booking through the whole app on both databases: assign a resource (and
the race for one), the free resources, cancel with a partial refund, move, send the confirmation again,
and the timeline."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.memory.clock import FixedClock
from tests.http.test_payment_ledger import refund
from tests.support.app import ADMIN_KEY, running_app, stripe_app
from tests.support.fake_stripe import SECRET, event, fake_stripe, payment_intent, sign

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday 10:00 in Paris
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
TUE_10 = "2026-06-02T10:00:00+02:00"
TUE_1030 = "2026-06-02T10:30:00+02:00"
UNKNOWN = "6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d"


async def book(
    client: httpx.AsyncClient, start: str, offering: str = "airport-transfer", **extra: Any
) -> Any:
    body = {
        "offering_id": offering,
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+33612345678"},
        "start": start,
        **extra,
    }
    created = await client.post("/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = created.json()
    paid = await client.post(f"/sandbox/checkout/{booking['booking_id']}", data={"outcome": "pay"})
    assert paid.status_code == 303
    return booking


def url(booking: Any, action: str) -> str:
    return f"/admin/bookings/{booking['booking_id']}/{action}"


async def test_an_admin_puts_a_booking_on_a_free_vehicle_and_the_timeline_says_so(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _):
        first, second = await book(client, TUE_10), await book(client, TUE_1030)
        free = await client.get(url(first, "free-resources"), headers=ADMIN)
        assigned = await client.post(url(first, "assign"), json={"resource_id": "sedan-1"}, headers=ADMIN)
        taken = await client.post(url(second, "assign"), json={"resource_id": "sedan-1"}, headers=ADMIN)
        free_after = await client.get(url(second, "free-resources"), headers=ADMIN)
        timeline = await client.get(url(first, "timeline"), headers=ADMIN)
    assert (first["resource_id"], second["resource_id"]) == ("van-1", "van-2")
    assert free.json() == {
        "items": [
            {"resource_id": "van-1", "name": "V-Class 1", "type": "vehicle", "current": True},
            {"resource_id": "sedan-1", "name": "E-Class 1", "type": "vehicle", "current": False},
        ]
    }
    assert (assigned.status_code, assigned.json()["resource_id"]) == (200, "sedan-1")
    assert (taken.status_code, taken.json()["code"]) == (409, "slot_unavailable")
    assert [(r["resource_id"], r["current"]) for r in free_after.json()["items"]] == [
        ("van-1", False),
        ("van-2", True),
    ]
    items = timeline.json()["items"]
    actions = [(i["actor"], i["action"], i["detail"]) for i in items if i.get("action")]
    assert actions == [("system", "resource_assigned", "van-1 → sedan-1")]
    times = [i["at"] for i in items]
    assert times == sorted(times)


async def test_a_vehicle_of_another_type_an_unknown_booking_and_no_key_are_refused(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _):
        booking = await book(client, TUE_10)
        wrong = await client.post(url(booking, "assign"), json={"resource_id": "driver-1"}, headers=ADMIN)
        empty = await client.post(url(booking, "assign"), json={"resource_id": ""}, headers=ADMIN)
        unknown = await client.post(
            f"/admin/bookings/{UNKNOWN}/assign", json={"resource_id": "van-2"}, headers=ADMIN
        )
        anonymous = await client.post(url(booking, "assign"), json={"resource_id": "van-2"})
        listed = await client.get(f"/admin/bookings/{UNKNOWN}/free-resources", headers=ADMIN)
        kept = await client.get(f"/v1/bookings/{booking['booking_id']}", headers=ADMIN)
    assert (wrong.status_code, wrong.json()["code"], list(wrong.json()["fields"])) == (
        422,
        "invalid_request",
        ["resource_id"],
    )
    assert (empty.status_code, unknown.status_code, anonymous.status_code) == (422, 404, 401)
    assert listed.status_code == 404
    assert kept.json()["resource_id"] == "van-1"


async def test_two_bookings_assigned_at_once_to_one_free_vehicle_leave_exactly_one_on_it(
    database_url: str,
) -> None:
    """Each round, two bookings at overlapping times race for sedan-1: one gets it, the other keeps its
    van with a 409, on both databases (on PostgreSQL the exclusion constraint decides)."""
    async with running_app(database_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _):
        for day in ("02", "03", "04"):
            first = await book(client, f"2026-06-{day}T10:00:00+02:00")
            second = await book(client, f"2026-06-{day}T10:30:00+02:00")
            answers = await asyncio.gather(
                *(
                    client.post(url(b, "assign"), json={"resource_id": "sedan-1"}, headers=ADMIN)
                    for b in (first, second)
                )
            )
            statuses = sorted(a.status_code for a in answers)
            assert statuses == [200, 409], [a.text for a in answers]
            listed = (await client.get("/admin/bookings", headers=ADMIN)).json()["items"]
            on_sedan = [b for b in listed if b["resource_id"] == "sedan-1" and b["start"][8:10] == day]
            assert len(on_sedan) == 1


async def test_a_partial_refund_asks_stripe_for_exactly_that_amount_and_credits_it(database_url: str) -> None:
    with fake_stripe() as fake:
        async with stripe_app(database_url, fake, clock=FixedClock(NOW)) as (client, container):
            body = {"offering_id": "van-transfer", "customer": {"name": "Ada", "email": "ada@example.com"}}
            booking = (await client.post("/v1/bookings", json=body | {"start": TUE_10})).json()["booking_id"]
            assert (await stripe_event(client, "payment_intent.succeeded", payment_intent(booking))) == 200
            cancel = f"/admin/bookings/{booking}/cancel"
            too_much = await client.post(cancel, json={"amount_cents": 8501}, headers=ADMIN)
            cancelled = await client.post(cancel, json={"amount_cents": 2000}, headers=ADMIN)
            again = await client.post(cancel, json={}, headers=ADMIN)
            await container.deliver_outbox()()
            [asked] = fake.created("refund")
            reported = refund(asked["id"], 2000) | {"metadata": {"booking_id": booking}}
            assert (await stripe_event(client, "refund.created", reported)) == 200
            await container.deliver_outbox()()
            read = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
            timeline = (await client.get(f"/admin/bookings/{booking}/timeline", headers=ADMIN)).json()
            credits = odoo_lines(container.settings().odoo.mock_log, "credit")
    assert (too_much.status_code, too_much.json()["fields"]) == (422, {"amount_cents": "8500 at most"})
    assert (cancelled.status_code, cancelled.json()["status"], cancelled.json()["refund_cents"]) == (
        200,
        "cancelled",
        2000,
    )
    assert again.json()["refund_cents"] == 0
    assert (asked["form"]["payment_intent"], asked["form"]["amount"]) == ("pi_1", "2000")
    assert read["payment_status"] == "partially_refunded"
    assert [(c["amount"], c["currency"]) for c in credits] == [("20.00", "EUR")]
    money = [(p["kind"], p["amount_cents"]) for p in timeline["payments"]]
    assert money == [("charge", 8500), ("refund", 2000)]
    inbound = [(i["provider"], i["event_type"]) for i in timeline["items"] if i["kind"] == "inbound"]
    assert inbound == [("stripe", "payment_intent.succeeded"), ("stripe", "refund.created")]
    deliveries = {(i["topic"], i["state"]) for i in timeline["items"] if i["kind"] == "delivery"}
    assert {("stripe.refund", "delivered"), ("odoo.credit_note", "delivered")} <= deliveries


async def stripe_event(client: httpx.AsyncClient, kind: str, obj: dict[str, Any]) -> int:
    body = event(kind, obj, event_id=f"evt_{kind}")
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    return (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code


def odoo_lines(path: Path, call: str) -> list[dict[str, Any]]:
    return [line for text in path.read_text().splitlines() if (line := json.loads(text))["call"] == call]
