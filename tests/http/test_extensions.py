"""Extensions end to end: the admin proposes, the customer approves with the booking token, the hub
charges the saved card off-session through the real SDK against the fake Stripe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID, uuid4

import httpx
import pytest
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from entrypoints.container import Container
from tests.http.test_no_personal_data_in_logs import CUSTOMER, PERSONAL, _every_record, _leaks
from tests.support.app import ADMIN_KEY, running_app, stripe_app
from tests.support.fake_stripe import SECRET, FakeStripe, event, fake_stripe, sign
from tests.support.sink import http_sink

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=2)).replace(hour=8, minute=0, second=0)
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
WORK = {"description": "New brake pads", "amount_cents": 12000}


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


async def book(client: httpx.AsyncClient, start: datetime = START) -> dict[str, Any]:
    customer = {"name": "Ada", "email": "ada@example.com"}
    body = {"offering_id": "van-transfer", "start": start.isoformat(), "customer": customer}
    response = await client.post("/v1/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def paid_booking(client: httpx.AsyncClient) -> tuple[str, str]:
    created = await book(client)
    booking = created["booking_id"]
    intent = {
        "id": "pi_first",
        "object": "payment_intent",
        "amount": 8500,
        "amount_received": 8500,
        "currency": "eur",
        "metadata": {"booking_id": booking},
        "status": "succeeded",
        "payment_method": "pm_card_1",
    }
    body = event("payment_intent.succeeded", intent, event_id="evt_first")
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    assert (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code == 200
    return booking, created["booking_token"]


async def propose(client: httpx.AsyncClient, booking: str, **fields: Any) -> httpx.Response:
    return await client.post(f"/admin/bookings/{booking}/extensions", json={**WORK, **fields}, headers=ADMIN)


async def approve(client: httpx.AsyncClient, booking: str, extension: str, token: str) -> httpx.Response:
    return await client.post(
        f"/v1/bookings/{booking}/extensions/{extension}/approve",
        headers={"Authorization": f"Bearer {token}"},
    )


async def topics(container: Container) -> list[str]:
    async with container.database().engine.connect() as c:
        return [r.topic for r in await c.execute(sa.select(t.outbox_messages.c.topic))]


def charges(fake: FakeStripe) -> list[dict[str, Any]]:
    return [o for o in fake.created("payment_intent") if o["form"].get("off_session") == "true"]


async def test_a_proposed_extension_approved_is_charged_off_session_and_paid(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        proposed = await propose(client, booking)
        assert proposed.status_code == 201, proposed.text
        extension = proposed.json()
        approved = await approve(client, booking, extension["extension_id"], token)
        again = await approve(client, booking, extension["extension_id"], token)
        sent = await topics(container)
    assert {k: extension[k] for k in ("booking_id", "description", "amount_cents", "currency", "status")} == {
        "booking_id": booking,
        "description": "New brake pads",
        "amount_cents": 12000,
        "currency": "EUR",
        "status": "proposed",
    }
    assert {"email.extension_proposed", "sms.extension_proposed"} <= set(sent)
    assert (approved.status_code, approved.json()["status"]) == (200, "paid")
    assert (again.status_code, again.json()["status"]) == (200, "paid")
    [charge] = charges(stripe_api)  # approving twice charges once
    [customer] = stripe_api.created("customer")
    form = charge["form"]
    assert (form["customer"], form["payment_method"], form["confirm"]) == (
        customer["id"],
        "pm_card_1",
        "true",
    )
    assert (form["amount"], form["currency"]) == ("12000", "eur")
    assert charge["metadata"] == {"booking_id": booking, "extension_id": extension["extension_id"]}
    [request] = [r for r in stripe_api.requests if r.form.get("off_session") == "true"]
    assert request.headers["idempotency-key"] == f"extension:{extension['extension_id']}"


@pytest.mark.parametrize("code", ["authentication_required", "card_declined"])
async def test_a_refused_charge_fails_the_extension_with_what_the_customer_must_do(
    database_url: str, stripe_api: FakeStripe, code: str
) -> None:
    stripe_api.card_errors = [code]
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        failed = await approve(client, booking, extension, token)
        retried = await approve(client, booking, extension, token)
    assert failed.status_code == 402, failed.text
    body = failed.json()
    assert (body["code"], body["extension"]["status"]) == ("payment_failed", "failed")
    assert body["detail"].startswith(code)
    assert body["extension"]["failure_reason"] == body["detail"]
    assert (retried.status_code, retried.json()["status"]) == (200, "paid")  # a new attempt, a new key
    keys = [r.headers["idempotency-key"] for r in stripe_api.requests if r.form.get("off_session") == "true"]
    assert keys == [f"extension:{extension}", f"extension:{extension}:2"]


async def test_a_wrong_token_is_404_and_charges_nothing(database_url: str, stripe_api: FakeStripe) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        booking, _token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        response = await approve(client, booking, extension, "not-the-token")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert charges(stripe_api) == []


async def test_an_unpaid_booking_takes_no_extension_and_amounts_are_bounded(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        unpaid = (await book(client, START + timedelta(hours=3)))["booking_id"]
        refused = await propose(client, unpaid)
        booking, _token = await paid_booking(client)
        too_much = await propose(client, booking, amount_cents=10_000_001)
        nothing = await propose(client, booking, amount_cents=0)
        no_admin = await client.post(f"/admin/bookings/{booking}/extensions", json=WORK)
    assert (refused.status_code, refused.json()["code"]) == (409, "extension_not_allowed")
    assert (too_much.status_code, nothing.status_code) == (422, 422)
    assert no_admin.status_code == 401


async def test_in_sandbox_mode_an_approved_extension_is_paid_at_once(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        created = await book(client)
        booking, token = created["booking_id"], created["booking_token"]
        paid = await client.post(f"/sandbox/checkout/{booking}", data={"outcome": "pay"})
        assert paid.status_code < 400, paid.text
        extension = (await propose(client, booking)).json()["extension_id"]
        approved = await approve(client, booking, extension, token)
    assert (approved.status_code, approved.json()["status"]) == (200, "paid")


async def decline(client: httpx.AsyncClient, booking: str, extension: str, token: str) -> httpx.Response:
    return await client.post(
        f"/v1/bookings/{booking}/extensions/{extension}/decline",
        headers={"Authorization": f"Bearer {token}"},
    )


async def stored_status(container: Container, extension: str) -> str:
    e = t.booking_extensions.c
    async with container.database().engine.connect() as c:
        query = sa.select(e.status).where(e.id == UUID(extension))
        return str((await c.execute(query)).scalar_one())


async def test_a_proposed_extension_declined_is_declined_and_declining_again_answers_the_same(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        declined = await decline(client, booking, extension, token)
        again = await decline(client, booking, extension, token)
        status = await stored_status(container, extension)
    assert declined.status_code == 200, declined.text
    assert declined.json()["extension_id"] == extension
    assert (declined.json()["status"], declined.json()["description"]) == ("declined", "New brake pads")
    assert (again.status_code, again.json()) == (200, declined.json())
    assert status == "declined"
    assert charges(stripe_api) == []


async def test_approving_a_declined_extension_is_refused_and_charges_nothing_at_stripe(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        await decline(client, booking, extension, token)
        approved = await approve(client, booking, extension, token)
        status = await stored_status(container, extension)
    assert (approved.status_code, approved.json()["code"]) == (409, "illegal_transition")
    assert status == "declined"
    assert charges(stripe_api) == []
    assert [r for r in stripe_api.requests if r.form.get("off_session") == "true"] == []


async def test_declining_a_paid_extension_is_409_and_it_stays_paid(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        assert (await approve(client, booking, extension, token)).json()["status"] == "paid"
        declined = await decline(client, booking, extension, token)
        status = await stored_status(container, extension)
    assert declined.status_code == 409, declined.text
    assert declined.headers["content-type"].startswith("application/problem+json")
    assert declined.json()["code"] == "illegal_transition"
    assert status == "paid"
    assert len(charges(stripe_api)) == 1


async def test_an_extension_whose_charge_was_refused_can_be_declined_and_then_is_not_charged_again(
    database_url: str, stripe_api: FakeStripe
) -> None:
    stripe_api.card_errors = ["card_declined"]
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        assert (await approve(client, booking, extension, token)).status_code == 402
        declined = await decline(client, booking, extension, token)
        approved = await approve(client, booking, extension, token)
        status = await stored_status(container, extension)
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")
    assert (approved.status_code, approved.json()["code"]) == (409, "illegal_transition")
    assert status == "declined"
    keys = [r.headers["idempotency-key"] for r in stripe_api.requests if r.form.get("off_session") == "true"]
    assert keys == [f"extension:{extension}"]  # the refused attempt only


@pytest.mark.parametrize("action", ["approve", "decline"])
async def test_a_wrong_token_or_an_unknown_extension_is_the_same_404_and_changes_nothing(
    database_url: str, stripe_api: FakeStripe, action: str
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        other = (await book(client, START + timedelta(hours=3)))["booking_id"]
        extension = (await propose(client, booking)).json()["extension_id"]

        async def post(booking_id: str, extension_id: str, credential: str | None) -> httpx.Response:
            headers = {"Authorization": f"Bearer {credential}"} if credential else {}
            url = f"/v1/bookings/{booking_id}/extensions/{extension_id}/{action}"
            return await client.post(url, headers=headers)

        refused = [
            await post(booking, extension, "not-the-token"),
            await post(booking, str(uuid4()), token),  # no such extension
            await post(str(uuid4()), extension, token),  # no such booking
            await post(other, extension, token),  # another booking's path
            await post(booking, extension, ADMIN_KEY),  # the customer's decision, not the admin's
        ]
        anonymous = await post(booking, extension, None)
        status = await stored_status(container, extension)
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(404, "not_found")] * len(refused)
    assert len({r.text for r in refused}) == 1  # nothing tells one refusal from another
    assert anonymous.status_code == 401
    assert status == "proposed"
    assert charges(stripe_api) == []


async def test_the_proposal_is_emailed_and_texted_with_its_description_read_at_delivery(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    description = "Brake pads <front> & discs"
    with _every_record(caplog) as records, http_sink() as resend, http_sink(status=201) as twilio:
        settings = {
            "resend_api_key": "re_test_key",
            "resend_from": "Bookings <b@x.test>",
            "resend_api_base": resend.base,
            "twilio_account_sid": "AC_test",
            "twilio_auth_token": "twilio-token-0123",
            "twilio_from": "+15005550006",
            "twilio_api_base": twilio.base,
        }
        async with running_app(database_url, clock=FixedClock(NOW), **settings) as (client, container):
            body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": CUSTOMER}
            created = (await client.post("/v1/bookings", json=body)).json()
            booking = created["booking_id"]
            await client.post(f"/sandbox/checkout/{booking}", data={"outcome": "pay"})
            await container.deliver_outbox()()  # the confirmation, before the proposal
            resend.received.clear()
            twilio.received.clear()
            extension = (await propose(client, booking, description=description)).json()["extension_id"]
            async with container.database().engine.connect() as c:
                o = t.outbox_messages.c
                query = sa.select(o.payload).where(o.topic.like("%.extension_proposed"))
                payloads = [row.payload for row in await c.execute(query)]
            delivered = sorted(f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()())
    assert payloads == [{"extension_id": extension}] * 2  # the id only, nothing personal
    assert delivered == ["email.extension_proposed delivered", "sms.extension_proposed delivered"]
    [request] = resend.received
    email = request.json()
    assert request.headers["idempotency-key"] == f"email.extension_proposed:{booking}:{extension}"
    assert f"we found more to do: {description}. Approve €120.00?" in email["text"]
    assert "Brake pads &lt;front&gt; &amp; discs" in email["html"]
    assert "<front>" not in email["html"]
    [text] = twilio.received
    assert parse_qs(text.body.decode())["Body"] == [f"{description}: €120.00. Ref {booking}"]
    service = [r for r in records if r.name.startswith("bookhub")]
    assert _leaks(service, (*PERSONAL, description, "re_test_key", "twilio-token-0123")) == []
