"""Packages of sessions end to end: paid once with a signed Stripe event, sessions scheduled one by one
(at a local fake Cal.com where the offering maps an event type), the ERP and Odoo fed once for the
package, a session cancelled in time giving its credit back; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.memory.clock import FixedClock
from entrypoints.container import Container
from tests.support.app import ADMIN_KEY, running_app
from tests.support.fake_stripe import SECRET, FakeStripe, event, fake_stripe, payment_intent, sign
from tests.support.odoo import DB, LOGIN, PASSWORD, fake_odoo
from tests.support.providers import CAL_API_KEY, CAL_WEBHOOK_SECRET, FakeProvider, cal_webhook, fake_provider
from tests.support.sink import Sink, http_sink

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # a Sunday, 09:00 in Paris
SCHEDULING = Path(__file__).parents[1] / "support" / "scheduling_catalog.toml"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@asynccontextmanager
async def everything(
    database_url: str, *, catalog: Path = SCHEDULING
) -> AsyncIterator[tuple[httpx.AsyncClient, Container, FakeStripe, FakeProvider, Sink, Any]]:
    """The hub with Stripe, Cal.com, the ERP and Odoo each configured against a local fake."""
    with fake_stripe() as stripe, fake_provider() as cal, http_sink() as erp, fake_odoo() as odoo:
        async with running_app(
            database_url,
            clock=FixedClock(NOW),
            catalog=catalog,
            stripe_secret_key="sk_test_fake",
            stripe_webhook_secret=SECRET,
            stripe_api_base=stripe.base,
            stripe_return_url="https://shop.example/booked",
            cal_api_key=CAL_API_KEY,
            cal_webhook_secret=CAL_WEBHOOK_SECRET,
            cal_api_base=cal.base,
            erp_ingest_url=erp.url,
            booking_ingest_secret="ingest-secret-0123",
            odoo_url=odoo.url,
            odoo_db=DB,
            odoo_username=LOGIN,
            odoo_password=PASSWORD,
        ) as (client, container):
            try:
                yield client, container, stripe, cal, erp, odoo
            finally:
                await container.http().aclose()


async def a_package(client: httpx.AsyncClient, offering: str = "cal-package") -> tuple[str, str]:
    created = await client.post(
        "/v1/bookings",
        json={"offering_id": offering, "customer": {"name": "Ada Lovelace", "email": "ada@example.com"}},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["start"], body["status"], body["amount_cents"]) == (None, "pending_payment", 32000)
    return body["booking_id"], body["booking_token"]


async def pay_at_stripe(client: httpx.AsyncClient, booking: str, event_id: str = "evt_paid") -> None:
    intent = payment_intent(booking, "pi_package", amount=32000, amount_received=32000)
    body = event("payment_intent.succeeded", intent, event_id=event_id)
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    answered = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert answered.json() == {"outcome": "applied"}, answered.text


async def report_refund(client: httpx.AsyncClient, booking: str, refund_id: str, amount: int) -> None:
    refund = {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": "eur",
        "payment_intent": "pi_package",
        "status": "succeeded",
        "metadata": {"booking_id": booking},
    }
    body = event("refund.created", refund, event_id=f"evt_{refund_id}")
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    answered = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert answered.json() == {"outcome": "applied"}, answered.text


async def schedule(client: httpx.AsyncClient, booking: str, token: str, start: str) -> httpx.Response:
    return await client.post(
        f"/v1/bookings/{booking}/sessions",
        json={"start": start},
        headers={"Authorization": f"Bearer {token}"},
    )


async def cancel(client: httpx.AsyncClient, booking: str, session: str, token: str) -> httpx.Response:
    return await client.post(
        f"/v1/bookings/{booking}/sessions/{session}/cancel", headers={"Authorization": f"Bearer {token}"}
    )


async def read(client: httpx.AsyncClient, booking: str, token: str) -> dict[str, Any]:
    response = await client.get(f"/v1/bookings/{booking}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def deliver_all(container: Container) -> list[str]:
    return sorted(f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()())


async def test_a_package_of_four_paid_at_stripe_schedules_four_sessions_at_calcom_and_feeds_erp_and_odoo_once(
    database_url: str,
) -> None:
    async with everything(database_url) as (client, container, _stripe, cal, erp, odoo):
        package, token = await a_package(client)
        await pay_at_stripe(client, package)
        paid = await read(client, package, token)
        assert (paid["status"], paid["payment_status"]) == ("confirmed", "paid")
        assert (paid["sessions_total"], paid["sessions_left"], paid["sessions"]) == (4, 4, [])
        assert paid["valid_until"] == "2026-04-01T08:00:00Z"  # 31 days from the payment

        days = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
        made = [await schedule(client, package, token, f"{day}T10:00:00+01:00") for day in days]
        assert [r.status_code for r in made] == [201] * 4, made[-1].text
        sessions = [r.json() for r in made]
        assert [s["sessions_left"] for s in sessions] == [3, 2, 1, 0]
        first = sessions[0]
        assert (first["booking_id"], first["status"], first["start"], first["end"]) == (
            package,
            "scheduled",
            "2026-03-02T09:00:00Z",
            "2026-03-02T10:00:00Z",
        )
        assert first["meeting_url"] == "https://cal.example/video/uid-1"
        fifth = await schedule(client, package, token, "2026-03-06T10:00:00+01:00")
        assert (fifth.status_code, fifth.json()["code"]) == (409, "no_sessions_left")

        calls = cal.calls("POST", "/v2/bookings")
        assert [c.json()["eventTypeId"] for c in calls] == [680] * 4
        assert [c.json()["metadata"]["booking_id"] for c in calls] == [s["session_id"] for s in sessions]
        assert [c.json()["start"] for c in calls] == [s["start"] for s in sessions]

        # 25 hours ahead, with 24 hours' notice: the credit comes back, and the Cal.com booking goes.
        cancelled = await cancel(client, package, first["session_id"], token)
        assert cancelled.status_code == 200, cancelled.text
        assert (cancelled.json()["status"], cancelled.json()["sessions_left"]) == ("cancelled", 1)
        outside = await schedule(client, package, token, "2026-04-01T10:00:00+02:00")
        assert (outside.status_code, outside.json()["code"]) == (422, "outside_validity")
        again = await schedule(client, package, token, "2026-03-09T10:00:00+01:00")
        assert (again.status_code, again.json()["sessions_left"]) == (201, 0)

        delivered = await deliver_all(container)
        view = await read(client, package, token)

    assert delivered.count("erp.booking_confirmed delivered") == 1
    assert delivered.count("odoo.booking_paid delivered") == 1
    assert delivered.count("email.booking_confirmed delivered") == 6  # the package and five sessions
    assert delivered.count("calcom.booking_cancelled delivered") == 1
    [erp_call] = [r.json() for r in erp.received]
    assert (erp_call["event"], erp_call["booking_id"]) == ("booking_confirmed", package)
    [invoice] = [m for m in odoo.records("account.move") if m["move_type"] == "out_invoice"]
    assert (invoice["ref"], invoice["payment_state"]) == (package, "paid")
    assert cal.bookings["uid-1"]["status"] == "cancelled"
    assert [s["status"] for s in view["sessions"]] == ["cancelled"] + ["scheduled"] * 4
    assert view["sessions_left"] == 0


async def test_a_session_cancelled_late_keeps_its_credit_and_one_that_began_stays(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with running_app(database_url, clock=clock, catalog=SCHEDULING) as (client, _):
        package, token = await a_package(client)
        assert (await client.post(f"/sandbox/checkout/{package}", data={"outcome": "pay"})).status_code == 303
        session = (await schedule(client, package, token, "2026-03-02T10:00:00+01:00")).json()
        clock.advance(timedelta(hours=20))  # 5 hours before it starts: inside the 24 hours
        late = await cancel(client, package, session["session_id"], token)
        assert (late.json()["status"], late.json()["sessions_left"]) == ("cancelled", 3)
        repeat = await cancel(client, package, session["session_id"], token)
        assert (repeat.status_code, repeat.json()["sessions_left"]) == (200, 3)
        held = (await schedule(client, package, token, "2026-03-02T12:00:00+01:00")).json()
        clock.advance(timedelta(hours=7))  # it has begun
        begun = await cancel(client, package, held["session_id"], token)
        assert (begun.status_code, begun.json()["code"]) == (409, "illegal_transition")


async def test_refusals_before_payment_for_a_single_booking_and_for_a_stranger(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=SCHEDULING) as (client, _):
        offerings = {o["id"]: o for o in (await client.get("/v1/offerings")).json()["items"]}
        assert offerings["cal-package"]["package"] == {"sessions": 4, "valid_days": 31}
        assert offerings["cal-coaching"]["package"] is None
        package, token = await a_package(client)
        unpaid = await schedule(client, package, token, "2026-03-02T10:00:00+01:00")
        assert (unpaid.status_code, unpaid.json()["code"]) == (409, "payment_required")
        stranger = await schedule(client, package, "not-the-token", "2026-03-02T10:00:00+01:00")
        assert stranger.status_code == 404
        with_start = await client.post(
            "/v1/bookings",
            json={
                "offering_id": "cal-package",
                "start": "2026-03-02T10:00:00+01:00",
                "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            },
        )
        assert (with_start.status_code, with_start.json()["code"]) == (422, "invalid_request")
        assert "start" in with_start.json()["fields"]
        single = await client.post(
            "/v1/bookings",
            json={
                "offering_id": "cal-coaching",
                "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            },
        )
        body = single.json()
        assert (
            await client.post(f"/sandbox/checkout/{body['booking_id']}", data={"outcome": "pay"})
        ).status_code == 303
        not_a_package = await schedule(
            client, body["booking_id"], body["booking_token"], "2026-03-02T10:00:00+01:00"
        )
        assert (not_a_package.status_code, not_a_package.json()["code"]) == (409, "not_a_package")
        assert (await read(client, body["booking_id"], body["booking_token"]))["sessions_total"] is None
        await client.post(f"/sandbox/checkout/{package}", data={"outcome": "pay"})
        once = await client.post(
            f"/v1/bookings/{package}/schedule",
            json={"start": "2026-03-02T10:00:00+01:00"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert (once.status_code, once.json()["code"]) == (409, "illegal_transition")
        missing = await cancel(client, package, body["booking_id"], token)  # not one of its sessions
        assert missing.status_code == 404


async def test_a_calcom_cancellation_of_a_session_gives_its_credit_back_and_is_not_sent_back(
    database_url: str,
) -> None:
    async with everything(database_url) as (client, container, _stripe, cal, _erp, _odoo):
        package, token = await a_package(client)
        await pay_at_stripe(client, package)
        session = (await schedule(client, package, token, "2026-03-05T10:00:00+01:00")).json()
        body, headers = cal_webhook(
            "BOOKING_CANCELLED",
            {
                "uid": "uid-1",
                "startTime": "2026-03-05T09:00:00.000Z",
                "endTime": "2026-03-05T10:00:00.000Z",
                "eventTypeId": 680,
            },
        )
        answered = await client.post("/webhooks/calcom", content=body, headers=headers)
        assert answered.json() == {"outcome": "cancelled"}
        view = await read(client, package, token)
        assert [(s["session_id"], s["status"]) for s in view["sessions"]] == [
            (session["session_id"], "cancelled")
        ]
        assert view["sessions_left"] == 4
        assert "calcom.booking_cancelled delivered" not in await deliver_all(container)
        assert cal.calls("POST", "/v2/bookings/uid-1/cancel") == []


async def test_cancelling_a_package_refunds_its_unused_credits_pro_rata_at_stripe_and_in_odoo(
    database_url: str,
) -> None:
    clock = FixedClock(NOW)
    async with everything(database_url) as (client, container, stripe, _cal, _erp, odoo):
        container.clock.override(clock)
        package, token = await a_package(client)
        await pay_at_stripe(client, package)
        held = (await schedule(client, package, token, "2026-03-02T10:00:00+01:00")).json()
        upcoming = (await schedule(client, package, token, "2026-03-20T10:00:00+01:00")).json()
        await deliver_all(container)
        clock.advance(timedelta(days=2))  # the first session was held
        cancelled = await client.post(
            f"/v1/bookings/{package}/cancel", headers={"Authorization": f"Bearer {token}"}
        )
        assert cancelled.status_code == 200, cancelled.text
        assert "stripe.refund delivered" in await deliver_all(container)
        # Stripe reports the refund it made: the ledger records it, and Odoo credits that much.
        await report_refund(client, package, "re_package", 24000)
        delivered = await deliver_all(container)
        view = await read(client, package, token)
    # One session held, three credits unused: 3/4 of 320.00 goes back, and Odoo credits that much.
    [refund] = stripe.created("refund")
    assert (refund["form"]["payment_intent"], refund["form"]["amount"]) == ("pi_package", "24000")
    assert "odoo.credit_note delivered" in delivered
    assert view["payment_status"] == "partially_refunded"
    [note] = [m for m in odoo.records("account.move") if m["move_type"] == "out_refund"]
    assert note["invoice_line_ids"][0][2]["price_unit"] == 240.0
    statuses = {s["session_id"]: s["status"] for s in view["sessions"]}
    assert statuses == {held["session_id"]: "scheduled", upcoming["session_id"]: "cancelled"}


@pytest.mark.postgres
async def test_twenty_requests_for_the_last_credit_on_postgresql_give_one_session(postgres_url: str) -> None:
    async with running_app(postgres_url, clock=FixedClock(NOW), catalog=SCHEDULING) as (client, _):
        package, token = await a_package(client)
        await client.post(f"/sandbox/checkout/{package}", data={"outcome": "pay"})
        for day in ("02", "03", "04"):
            assert (
                await schedule(client, package, token, f"2026-03-{day}T10:00:00+01:00")
            ).status_code == 201
        starts = [f"2026-03-{10 + i // 10:02d}T{8 + i % 10:02d}:00:00+01:00" for i in range(20)]
        answers = await asyncio.gather(*(schedule(client, package, token, start) for start in starts))
        view = await read(client, package, token)
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] + [409] * 19
    assert {r.json()["code"] for r in answers if r.status_code == 409} == {"no_sessions_left"}
    assert (view["sessions_left"], len(view["sessions"])) == (0, 4)


async def test_a_session_rescheduled_at_calcom_moves_inside_the_validity_and_is_rejected_past_it(
    database_url: str,
) -> None:
    async with everything(database_url) as (client, _container, _stripe, _cal, _erp, _odoo):
        package, token = await a_package(client)
        await pay_at_stripe(client, package)
        await schedule(client, package, token, "2026-03-05T10:00:00+01:00")

        def rescheduled(uid: str, old: str, start: str, end: str) -> tuple[bytes, dict[str, str]]:
            return cal_webhook(
                "BOOKING_RESCHEDULED",
                {
                    "uid": uid,
                    "startTime": start,
                    "endTime": end,
                    "eventTypeId": 680,
                    "rescheduleUid": old,
                },
            )

        body, headers = rescheduled("uid-2", "uid-1", "2026-03-06T09:00:00.000Z", "2026-03-06T10:00:00.000Z")
        moved = await client.post("/webhooks/calcom", content=body, headers=headers)
        body, headers = rescheduled("uid-3", "uid-2", "2026-04-06T08:00:00.000Z", "2026-04-06T09:00:00.000Z")
        past = await client.post("/webhooks/calcom", content=body, headers=headers)
        view = await read(client, package, token)
    assert (moved.json(), past.json()) == ({"outcome": "moved"}, {"outcome": "rejected"})
    [session] = view["sessions"]
    assert (session["start"], session["status"]) == ("2026-03-06T09:00:00Z", "scheduled")
