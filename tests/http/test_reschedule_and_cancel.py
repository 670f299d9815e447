"""Moving a booking and cancelling it by the offering's policy, through the whole app on both databases."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from adapters.memory.clock import FixedClock
from tests.support.app import ADMIN_KEY, running_app, stripe_app
from tests.support.fake_stripe import SECRET, event, fake_stripe, payment_intent, sign
from tests.support.sink import http_sink

CATALOG = Path(__file__).parent.parent / "support" / "policy_catalog.toml"
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday 10:00 in Paris
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
TUE_10 = "2026-06-02T10:00:00+02:00"
TUE_14 = "2026-06-02T14:00:00+02:00"


async def book(
    client: httpx.AsyncClient, start: str, *, pay: bool = True, offering: str = "van-transfer"
) -> Any:
    body = {
        "offering_id": offering,
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "start": start,
    }
    created = await client.post("/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = created.json()
    if pay and booking["requires_payment"]:
        paid = await client.post(f"/sandbox/checkout/{booking['booking_id']}", data={"outcome": "pay"})
        assert paid.status_code == 303
    return booking


def bearer(booking: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {booking['booking_token']}"}


async def slots(client: httpx.AsyncClient) -> list[str]:
    window = {"from": "2026-06-02T09:00:00+02:00", "to": "2026-06-02T16:00:00+02:00"}
    answer = await client.get("/v1/offerings/van-transfer/availability", params=window)
    return [s["start"] for s in answer.json()["slots"]]


async def test_a_move_takes_the_new_time_and_frees_the_old_one(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=CATALOG) as (client, _):
        booking = await book(client, TUE_10)
        moved = await client.post(
            f"/v1/bookings/{booking['booking_id']}/reschedule",
            json={"start": TUE_14},
            headers=bearer(booking),
        )
        free = await slots(client)
        other = await book(client, TUE_10)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["status"]) == ("2026-06-02T12:00:00Z", "confirmed")
    assert "2026-06-02T08:00:00Z" in free
    assert "2026-06-02T12:00:00Z" not in free
    assert other["start"] == "2026-06-02T08:00:00Z"


async def test_a_move_is_refused_onto_a_taken_time_outside_hours_or_once_cancelled(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=CATALOG) as (client, _):
        mine, theirs = await book(client, TUE_10), await book(client, TUE_14)
        url = f"/v1/bookings/{mine['booking_id']}/reschedule"
        taken = await client.post(url, json={"start": TUE_14}, headers=bearer(mine))
        closed = await client.post(url, json={"start": "2026-06-02T23:00:00+02:00"}, headers=bearer(mine))
        past = await client.post(url, json={"start": "2026-05-30T10:00:00+02:00"}, headers=bearer(mine))
        not_mine = await client.post(url, json={"start": "2026-06-02T12:00:00+02:00"}, headers=bearer(theirs))
        anonymous = await client.post(url, json={"start": "2026-06-02T12:00:00+02:00"})
        await client.post(f"/v1/bookings/{mine['booking_id']}/cancel", headers=bearer(mine))
        cancelled = await client.post(url, json={"start": "2026-06-02T12:00:00+02:00"}, headers=bearer(mine))
        kept = await client.get(f"/v1/bookings/{theirs['booking_id']}", headers=bearer(theirs))
    assert (taken.status_code, taken.json()["code"]) == (409, "slot_unavailable")
    assert (closed.status_code, closed.json()["fields"]) == (
        422,
        {"start": "outside the offering's opening hours"},
    )
    assert (past.status_code, past.json()["code"]) == (422, "invalid_request")
    assert (not_mine.status_code, anonymous.status_code) == (404, 401)
    assert (cancelled.status_code, cancelled.json()["code"]) == (409, "illegal_transition")
    assert kept.json()["start"] == "2026-06-02T12:00:00Z"


async def test_moves_and_bookings_racing_for_one_time_leave_exactly_one_there(database_url: str) -> None:
    """Five bookings move to 14:00 while five new ones try to book it: the database lets exactly one in,
    and every mover that lost keeps its own time."""
    async with running_app(database_url, clock=FixedClock(NOW), catalog=CATALOG) as (client, _):
        starts = [f"2026-06-0{d}T{h:02d}:00:00+02:00" for d in (3, 4) for h in (9, 11, 13)][:5]
        movers = [await book(client, start) for start in starts]

        async def move(b: Any) -> tuple[int, str]:
            url = f"/v1/bookings/{b['booking_id']}/reschedule"
            answer = await client.post(url, json={"start": TUE_14}, headers=bearer(b))
            return answer.status_code, answer.json().get("code", "")

        async def new(i: int) -> tuple[int, str]:
            body = {"offering_id": "van-transfer", "customer": {"name": f"R {i}", "email": f"r{i}@x.org"}}
            answer = await client.post("/v1/bookings", json=body | {"start": TUE_14})
            return answer.status_code, answer.json().get("code", "")

        outcomes = await asyncio.gather(*(move(b) for b in movers), *(new(i) for i in range(5)))
        listed = {
            b["booking_id"]: b for b in (await client.get("/admin/bookings", headers=ADMIN)).json()["items"]
        }
    assert Counter(o for o in outcomes if o[0] >= 400) == {(409, "slot_unavailable"): 9}
    assert len([o for o in outcomes if o[0] < 400]) == 1
    assert len([b for b in listed.values() if b["start"] == "2026-06-02T12:00:00Z"]) == 1
    for mover, outcome in zip(movers, outcomes, strict=False):
        if outcome[0] >= 400:
            assert listed[mover["booking_id"]]["start"] == mover["start"]


async def test_seats_are_counted_when_a_booking_moves_into_a_full_slot(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=CATALOG) as (client, _):
        full = "2026-06-02T11:00:00+02:00"
        await book(client, full, offering="workshop")
        await book(client, full, offering="workshop")
        third = await book(client, "2026-06-02T15:00:00+02:00", offering="workshop")
        url = f"/v1/bookings/{third['booking_id']}/reschedule"
        refused = await client.post(url, json={"start": full}, headers=bearer(third))
        moved = await client.post(url, json={"start": "2026-06-02T11:30:00+02:00"}, headers=bearer(third))
    assert (refused.status_code, refused.json()["code"]) == (409, "slot_unavailable")
    assert moved.status_code == 409  # 11:30-12:30 overlaps both 11:00 bookings


async def test_the_customer_cancels_by_the_policy_and_is_told_before(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with running_app(database_url, clock=clock, catalog=CATALOG) as (client, _):
        early, late = await book(client, TUE_10), await book(client, "2026-06-05T10:00:00+02:00")
        clock.advance(timedelta(hours=1))  # 23 hours before Tuesday 10:00: late for `early`
        quote = await client.get(f"/v1/bookings/{early['booking_id']}/cancellation", headers=bearer(early))
        cancelled = await client.post(f"/v1/bookings/{early['booking_id']}/cancel", headers=bearer(early))
        again = await client.post(f"/v1/bookings/{early['booking_id']}/cancel", headers=bearer(early))
        free_quote = await client.get(f"/v1/bookings/{late['booking_id']}/cancellation", headers=bearer(late))
        free = await client.post(f"/v1/bookings/{late['booking_id']}/cancel", headers=bearer(late))
    assert quote.json() == {
        "booking_id": early["booking_id"],
        "refund_cents": 4250,
        "paid_cents": 8500,
        "currency": "EUR",
        "free": False,
        "free_until": "2026-06-01T08:00:00Z",
        "late_refund_percent": 50,
    }
    assert (cancelled.json()["status"], cancelled.json()["refund_cents"]) == ("cancelled", 4250)
    assert again.json()["refund_cents"] == 0
    assert (free_quote.json()["free"], free_quote.json()["refund_cents"]) == (True, 8500)
    assert free.json()["refund_cents"] == 8500


async def test_an_admin_cancels_with_a_full_refund_whatever_the_policy(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with running_app(database_url, clock=clock, catalog=CATALOG) as (client, container):
        booking = await book(client, TUE_10)
        clock.advance(timedelta(hours=20))
        cancelled = await client.post(f"/v1/bookings/{booking['booking_id']}/cancel", headers=ADMIN)
        deliveries = await container.deliver_outbox()()
    assert cancelled.json()["refund_cents"] == 8500
    assert "sandbox.refund" in {d.topic for d in deliveries}


async def test_a_late_cancellation_refunds_exactly_the_policys_amount_at_stripe(database_url: str) -> None:
    clock = FixedClock(NOW)
    with fake_stripe() as fake:
        async with stripe_app(database_url, fake, clock=clock, catalog=CATALOG) as (client, container):
            created = await book(client, TUE_10, pay=False)
            booking = created["booking_id"]
            body = event("payment_intent.succeeded", payment_intent(booking), event_id="evt_pi")
            headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
            assert (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code == 200
            clock.advance(timedelta(hours=3))
            cancelled = await client.post(f"/v1/bookings/{booking}/cancel", headers=bearer(created))
            await container.deliver_outbox()()
    assert cancelled.json()["refund_cents"] == 4250
    [refund] = fake.created("refund")
    assert (refund["form"]["payment_intent"], refund["form"]["amount"]) == ("pi_1", "4250")


async def reminders_sent(container: Any, clock: FixedClock, until: datetime) -> list[str]:
    """Run the worker's deliveries every 30 minutes up to `until`; the reminders that went out, with when."""
    sent: list[str] = []
    while clock.now() < until:
        for d in await container.deliver_outbox()():
            if d.topic == "email.reminder" and d.outcome.value == "delivered":
                sent.append(clock.now().isoformat())
        clock.advance(timedelta(minutes=30))
    return sent


async def test_a_reminder_goes_once_for_the_new_time_after_a_move_and_none_after_a_cancellation(
    database_url: str,
) -> None:
    clock = FixedClock(NOW)
    with http_sink() as sink:
        email = {"resend_api_key": "re_k", "resend_from": "B <b@x.test>", "resend_api_base": sink.base}
        async with running_app(database_url, clock=clock, catalog=CATALOG, **email) as (client, container):
            moved = await book(client, "2026-06-03T10:00:00+02:00")
            cancelled = await book(client, "2026-06-03T15:00:00+02:00")
            await container.deliver_outbox()()  # confirmations, and the reminders planned
            url = f"/v1/bookings/{moved['booking_id']}/reschedule"
            answer = await client.post(
                url, json={"start": "2026-06-04T12:00:00+02:00"}, headers=bearer(moved)
            )
            assert answer.status_code == 200, answer.text
            await client.post(f"/v1/bookings/{cancelled['booking_id']}/cancel", headers=bearer(cancelled))
            sent = await reminders_sent(container, clock, datetime(2026, 6, 4, 12, 0, tzinfo=UTC))
            health = (await client.get("/health")).json()
    reminders = [r for r in sink.received if r.json()["subject"] == "See you soon"]
    assert [r.headers["idempotency-key"] for r in reminders] == [
        f"email.reminder:{moved['booking_id']}:2026-06-04T10:00:00+00:00:24h",
        f"email.reminder:{moved['booking_id']}:2026-06-04T10:00:00+00:00:2h",
    ]
    assert sent == ["2026-06-03T10:00:00+00:00", "2026-06-04T08:00:00+00:00"]
    assert (
        "Transfer in the one van starts Thursday, June 4, 2026, 12:00 (Paris)." in reminders[0].json()["text"]
    )
    moved_mail = [r for r in sink.received if r.json()["subject"] == "Your booking moved"]
    assert len(moved_mail) == 1
    assert health["outbox"]["scheduled"] == 0
