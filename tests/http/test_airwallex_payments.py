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


async def test_a_booking_paid_through_airwallex_is_confirmed_by_its_signed_webhook(database_url: str) -> None:
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
            body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": customer}
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
