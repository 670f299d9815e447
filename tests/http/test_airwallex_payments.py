"""Airwallex as the payment provider, end to end: a local sink for its API, webhooks signed as it signs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from adapters.memory.clock import FixedClock
from tests.adapters.test_airwallex import REPLY, signed
from tests.support.app import ADMIN_KEY, running_app
from tests.support.sink import http_sink

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=2)).replace(hour=8, minute=0, second=0)


async def test_a_booking_paid_through_an_airwallex_payment_intent_is_confirmed_by_its_signed_webhook(
    database_url: str,
) -> None:
    reply = dict(REPLY, expires_at=(NOW + timedelta(minutes=30)).isoformat())
    with http_sink(body=json.dumps(reply).encode()) as sink:
        async with running_app(
            database_url,
            clock=FixedClock(NOW),
            airwallex_client_id="cid",
            airwallex_api_key="key",
            airwallex_webhook_secret="whsec_air",
            airwallex_api_base=sink.base,
        ) as (client, _):
            customer = {"name": "Ada Lovelace", "email": "ada@example.com"}
            body = {
                "offering_id": "van-transfer",
                "start": START.isoformat(),
                "customer": customer,
                "payment_provider": "airwallex_payment_intent",
            }
            created = (await client.post("/v1/bookings", json=body)).json()
            booking = created["booking_id"]
            obj = {"id": "int_1", "amount": 85, "currency": "EUR", "metadata": {"booking_id": booking}}
            event = json.dumps({"id": "evt_a1", "name": "payment_intent.succeeded", "data": {"object": obj}})
            raw = event.encode()
            ts, sig = signed(raw)
            forged = await client.post("/webhooks/airwallex", content=raw, headers={"x-timestamp": ts})
            answer = await client.post(
                "/webhooks/airwallex", content=raw, headers={"x-timestamp": ts, "x-signature": sig}
            )
            admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
            read = (await client.get(f"/v1/bookings/{booking}", headers=admin)).json()
            health = (await client.get("/health")).json()
    assert created["payment"] == {"provider": "airwallex", "url": None, "client_secret": "secret_1"}
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_signature")
    assert answer.json() == {"outcome": "applied"}
    assert (read["status"], read["payment_status"]) == ("confirmed", "paid")
    assert read["references"]["airwallex_payment_link"] is None
    assert health["integrations"]["airwallex"] == "connected"


async def test_an_extension_paid_through_airwallex_on_session_is_paid_by_its_signed_webhook(
    database_url: str,
) -> None:
    reply = dict(REPLY, expires_at=(NOW + timedelta(minutes=30)).isoformat())
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with http_sink(body=json.dumps(reply).encode()) as sink:
        async with running_app(
            database_url,
            clock=FixedClock(NOW),
            airwallex_client_id="cid",
            airwallex_api_key="key",
            airwallex_webhook_secret="whsec_air",
            airwallex_api_base=sink.base,
        ) as (client, _):

            async def deliver(event_id: str, name: str, obj: dict[str, object]) -> str:
                raw = json.dumps({"id": event_id, "name": name, "data": {"object": obj}}).encode()
                ts, sig = signed(raw)
                headers = {"x-timestamp": ts, "x-signature": sig}
                return str(
                    (await client.post("/webhooks/airwallex", content=raw, headers=headers)).json()["outcome"]
                )

            customer = {"name": "Ada Lovelace", "email": "ada@example.com"}
            body = {
                "offering_id": "van-transfer",
                "start": START.isoformat(),
                "customer": customer,
                "payment_provider": "airwallex_payment_intent",
            }
            created = (await client.post("/v1/bookings", json=body)).json()
            booking, token = created["booking_id"], created["booking_token"]
            booking_paid = {
                "id": "int_1",
                "amount": 85,
                "currency": "EUR",
                "metadata": {"booking_id": booking},
            }
            assert await deliver("evt_a1", "payment_intent.succeeded", booking_paid) == "applied"
            work = {"description": "New brake pads", "amount_cents": 12000}
            extension = (
                await client.post(f"/admin/bookings/{booking}/extensions", json=work, headers=admin)
            ).json()
            url = f"/v1/bookings/{booking}/extensions/{extension['extension_id']}/pay"
            paying = await client.post(url, headers={"Authorization": f"Bearer {token}"})
            metadata = {"booking_id": booking, "extension_id": extension["extension_id"]}
            intent = {"id": "int_ext", "amount": 120, "currency": "EUR", "metadata": metadata}
            outcome = await deliver("evt_a2", "payment_intent.succeeded", intent)
            again = await client.post(url, headers={"Authorization": f"Bearer {token}"})
            read = (await client.get(f"/v1/bookings/{booking}", headers=admin)).json()
    assert paying.status_code == 200, paying.text
    assert paying.json()["payment"] == {"provider": "airwallex", "url": None, "client_secret": "secret_1"}
    creates = [r.json() for r in sink.received if r.path == "/api/v1/pa/payment_intents/create"]
    [create] = [c for c in creates if "extension_id" in c["metadata"]]
    assert create["request_id"] == f"extension:{extension['extension_id']}:session:0"
    assert outcome == "applied"
    assert (again.json()["extension"]["status"], again.json()["payment"]) == ("paid", None)
    assert (read["status"], read["payment_status"]) == ("confirmed", "paid")
