"""The console's booking page with a signed-in member, end to end against the local fakes: what it shows,
and each action (as the member, in the audit trail), refused with the page again when it cannot be done."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.memory.clock import FixedClock
from tests.console.support import console_app, csrf_of, post_form
from tests.http.test_admin_actions import TUE_10, TUE_1030, book, stripe_event
from tests.http.test_driver_app import PICKUP, VEHICLE
from tests.http.test_outbox_flow import deliver_all
from tests.support.fake_stripe import SECRET, fake_stripe, payment_intent

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday 10:00 in Paris


def page_of(booking: Any) -> str:
    return f"/console/bookings/{booking['booking_id']}"


async def act(client: httpx.AsyncClient, booking: Any, action: str, **data: str) -> httpx.Response:
    return await post_form(client, f"{page_of(booking)}/{action}", data, page=page_of(booking))


def main_text(html: str) -> str:
    main = html[html.index("<main>") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


async def test_the_page_shows_the_booking_and_who_did_what_by_email(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _, member):
        booking = await book(client, TUE_10)
        assigned = await act(client, booking, "assign", resource_id="sedan-1")
        page = await client.get(assigned.headers["location"])
    assert (assigned.status_code, assigned.headers["location"]) == (
        303,
        f"{page_of(booking)}?notice=assigned",
    )
    text = main_text(page.text)
    assert "Booking: Airport transfer" in text
    assert "Done: the booking is on its new resource." in text
    assert "Tuesday, 2 June 2026, 10:00 (Central European Summer Time) \u2013 11:30" in text
    assert "Resource E-Class 1" in text
    assert "ada@example.com" in text
    assert "+33612345678" in text
    assert "Payment received (sandbox) €85.00" in text
    assert f"{member.email} Resource assigned van-1 → sedan-1" in text
    assert "Awaiting payment → Confirmed" in text
    for button in ("Cancel and refund", "Propose extension", "Assign", "Change time", "Resend confirmation"):
        assert f">{button}</button>" in page.text, button
    assert ">Mark ready</button>" not in page.text  # an airport transfer sends no driver


async def test_an_owner_cancels_and_refunds_part_and_stripe_is_asked_exactly_that(database_url: str) -> None:
    with fake_stripe() as fake:
        settings = {
            "stripe_secret_key": "sk_test_fake",
            "stripe_webhook_secret": SECRET,
            "stripe_api_base": fake.base,
        }
        async with console_app(database_url, clock=FixedClock(NOW), **settings) as (
            client,
            container,
            member,
        ):
            body = {"offering_id": "van-transfer", "customer": {"name": "Ada", "email": "ada@example.com"}}
            booking = (await client.post("/v1/bookings", json=body | {"start": TUE_10})).json()
            paid = payment_intent(booking["booking_id"])
            assert await stripe_event(client, "payment_intent.succeeded", paid) == 200
            cancelled = await act(client, booking, "cancel", amount="20.00")
            page = await client.get(cancelled.headers["location"])
            await container.deliver_outbox()()
    assert cancelled.headers["location"] == f"{page_of(booking)}?notice=cancelled&refund=2000"
    assert "€20.00 is being refunded." in main_text(page.text)
    assert ">Cancel and refund</button>" not in page.text
    [refund] = fake.created("refund")
    assert (refund["form"]["payment_intent"], refund["form"]["amount"]) == ("pi_1", "2000")
    assert f"{member.email} Confirmed → Cancelled" in main_text(page.text)


async def test_a_staff_member_cannot_refund_and_is_not_offered_to(sqlite_url: str) -> None:
    async with console_app(sqlite_url, role="staff", clock=FixedClock(NOW), catalog=EXAMPLE) as (
        client,
        _,
        _m,
    ):
        booking = await book(client, TUE_10)
        page = await client.get(page_of(booking))
        refused = await act(client, booking, "cancel", amount="20.00")
        after = await client.get(f"/v1/bookings/{booking['booking_id']}", headers=ADMIN)
    assert ">Cancel and refund</button>" not in page.text
    assert ">Assign</button>" in page.text
    assert refused.status_code == 403
    assert "Only an owner can open this page." in refused.text
    assert (after.json()["status"], after.json()["payment_status"]) == ("confirmed", "paid")


async def test_a_wrong_amount_answers_the_page_again_saying_so(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _, _m):
        booking = await book(client, TUE_10)
        words = await act(client, booking, "cancel", amount="twenty")
        too_much = await act(client, booking, "cancel", amount="90,00")
        page = await client.get(page_of(booking))
    assert words.status_code == too_much.status_code == 422
    assert "Enter an amount like 20.00, at most what was paid." in main_text(too_much.text)
    assert (
        'id="refund-amount" name="amount" type="text" inputmode="decimal" value="90,00" aria-invalid="true"'
        in (too_much.text)
    )
    assert "Cancelled" not in main_text(page.text)


async def test_assigning_a_vehicle_just_taken_answers_the_page_again_409(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _, _m):
        first, second = await book(client, TUE_10), await book(client, TUE_1030)
        page = await client.get(page_of(second))
        token = csrf_of(page.text)
        await act(client, first, "assign", resource_id="sedan-1")
        taken = await client.post(
            f"{page_of(second)}/assign", data={"csrf_token": token, "resource_id": "sedan-1"}
        )
    assert taken.status_code == 409
    assert "That time or resource was just taken. Please choose another." in main_text(taken.text)


async def test_extra_work_is_proposed_and_listed(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _, _m):
        booking = await book(client, TUE_10)
        empty = await act(client, booking, "extensions", description="  ", extension_amount="35.50")
        proposed = await act(
            client, booking, "extensions", description="Child seat", extension_amount="35.50"
        )
        page = await client.get(proposed.headers["location"])
    assert empty.status_code == 422
    assert "Describe the work in 1 to 500 characters." in main_text(empty.text)
    assert proposed.headers["location"].endswith("?notice=extension_proposed")
    assert "Child seat €35.50 Proposed" in main_text(page.text)


async def test_the_time_changes_in_the_offerings_zone_and_a_taken_one_is_refused(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _, _m):
        booking = await book(client, TUE_10, offering="city-tour")
        for _ in range(3):
            await book(client, "2026-06-03T10:00:00+02:00", offering="city-tour")
        taken = await act(client, booking, "move", start="2026-06-03T10:00")
        moved = await act(client, booking, "move", start="2026-06-04T10:00")
        nonsense = await act(client, booking, "move", start="tomorrow")
        read = await client.get(f"/v1/bookings/{booking['booking_id']}", headers=ADMIN)
    assert taken.status_code == 409
    assert 'value="2026-06-03T10:00"' in taken.text  # the form keeps what was asked
    assert moved.headers["location"].endswith("?notice=moved")
    assert nonsense.status_code == 422
    assert read.json()["start"] == "2026-06-04T08:00:00Z"


async def test_a_dispatched_booking_is_marked_ready_and_the_confirmation_sent_again(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, container, _m):
        extra = {"pickup_address": PICKUP, "vehicle": VEHICLE}
        booking = await book(client, TUE_10, offering="car-service-pickup", **extra)
        await deliver_all(container)
        resent = await act(client, booking, "resend")
        ready = await act(client, booking, "ready")
        sent = await deliver_all(container)
    assert resent.headers["location"].endswith("?notice=resent")
    assert ready.headers["location"].endswith("?notice=ready")
    assert "driver_app.b2c_delivery delivered" in sent
    assert "email.booking_confirmed delivered" in sent


async def test_an_unpaid_booking_gets_no_confirmation_again(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _, _m):
        body = {"offering_id": "airport-transfer", "customer": {"name": "Bob B", "email": "bob@example.com"}}
        booking = (await client.post("/v1/bookings", json=body | {"start": TUE_10})).json()
        page = await client.get(page_of(booking))
        refused = await act(client, booking, "resend")
    assert ">Resend confirmation</button>" not in page.text
    assert refused.status_code == 409
    assert "This booking cannot do that in its current state." in main_text(refused.text)


async def test_without_a_csrf_token_nothing_changes_and_without_a_session_it_asks_to_sign_in(
    sqlite_url: str,
) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _, _m):
        booking = await book(client, TUE_10)
        forged = await client.post(f"{page_of(booking)}/assign", data={"resource_id": "sedan-1"})
        unknown = await client.get("/console/bookings/6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d")
        read = await client.get(f"/v1/bookings/{booking['booking_id']}", headers=ADMIN)
        client.cookies.clear()
        anonymous = await client.get(page_of(booking))
    assert forged.status_code == 403
    assert read.json()["resource_id"] == "van-1"
    assert unknown.status_code == 404
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/console/login")


ADMIN = {"Authorization": "Bearer test-admin-key-0123456789"}
