"""From the booking page: `Change time` (a day's free times, a confirmation, `Move booking`) and
`Cancel booking` (the policy's refund stated, then `Yes, cancel`); and every refusal of both."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.support.app import running_app
from tests.web.support import NOW, book, booking_id_of, hidden, text_of

POLICY = Path(__file__).parents[1] / "support" / "policy_catalog.toml"  # free until 24 h before, then 50 %
WEDNESDAY = "2026-06-03T10:00:00+02:00"  # two days ahead: cancelling is free


async def _paid(client: httpx.AsyncClient, start: str = WEDNESDAY) -> str:
    """Booked from the pages and paid in the sandbox: this client holds the booking's cookie."""
    booked = await book(client, start=start)
    assert booked.status_code == 303, booked.text
    booking_id = booking_id_of(booked)
    paid = await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
    assert paid.status_code == 303
    return booking_id


def _without_booking_cookie(client: httpx.AsyncClient) -> httpx.Cookies:
    """The client's cookies with the booking's taken away (the CSRF cookie stays); the old ones back."""
    kept = httpx.Cookies()
    for cookie in client.cookies.jar:
        if cookie.name != "bookhub_booking":
            kept.set(cookie.name, cookie.value or "", domain=cookie.domain, path=cookie.path)
    old = client.cookies
    client.cookies = kept
    return old


def _times(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*">(\d\d:\d\d)</a>', html)


async def test_change_time_moves_the_booking_and_frees_the_old_time(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW, catalog=POLICY) as (client, _):
        booking_id = await _paid(client)
        page = await client.get(f"/bookings/{booking_id}")
        assert ">Change time</a>" in page.text
        assert "10:00" not in _times((await client.get("/book/van-transfer?date=2026-06-03")).text)

        picker = await client.get(f"/bookings/{booking_id}/move", params={"date": "2026-06-04"})
        assert picker.status_code == 200
        assert 'rel="prev" href="/bookings/' in picker.text
        assert "Wednesday, 3 June 2026, 10:00" in text_of(picker.text)  # the current time
        href = re.search(r'<a href="([^"]+)">14:00</a>', picker.text)
        assert href, picker.text
        confirm = await client.get(href.group(1).replace("&amp;", "&"))
        assert confirm.status_code == 200
        assert "New time Thursday, 4 June 2026, 14:00" in text_of(confirm.text)
        assert ">Move booking</button>" in confirm.text
        form = {name: hidden(confirm.text, name) for name in ("csrf_token", "start", "lang")}

        refused = await client.post(f"/bookings/{booking_id}/move", data=form | {"csrf_token": "x"})
        unchanged = await client.get(f"/bookings/{booking_id}")
        moved = await client.post(f"/bookings/{booking_id}/move", data=form)
        after = await client.get(moved.headers["location"])
        freed = await client.get("/book/van-transfer?date=2026-06-03")
        taken = await client.get("/book/van-transfer?date=2026-06-04")
    assert refused.status_code == 403
    assert "Wednesday, 3 June 2026, 10:00" in text_of(unchanged.text)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/bookings/{booking_id}?notice=moved"
    assert "Thursday, 4 June 2026, 14:00" in text_of(after.text)
    assert "your booking has moved to its new time" in after.text
    assert "10:00" in _times(freed.text)
    assert "14:00" not in _times(taken.text)


async def test_a_taken_time_answers_the_picker_again_and_a_past_or_closed_one_says_so(
    sqlite_url: str,
) -> None:
    async with running_app(sqlite_url, clock=NOW, catalog=POLICY) as (client, _):
        booking_id = await _paid(client)
        await _paid(client, "2026-06-03T14:00:00+02:00")
        confirm = await client.get(
            f"/bookings/{booking_id}/move/confirm", params={"start": "2026-06-03T12:00:00Z"}
        )
        token = hidden(confirm.text, "csrf_token")
        starts = ("2026-06-03T14:00:00+02:00", "2026-05-29T10:00:00+02:00", "2026-06-03T23:00:00+02:00")
        answers = [
            await client.post(f"/bookings/{booking_id}/move", data={"csrf_token": token, "start": start})
            for start in starts
        ]
        page = await client.get(f"/bookings/{booking_id}")
    taken, past, closed = answers
    assert taken.status_code == 409
    assert "this time was just taken" in taken.text
    assert "Wednesday, 3 June 2026" in text_of(taken.text)  # the picker, on the day that was asked
    assert ">15:30</a>" in taken.text
    assert (past.status_code, closed.status_code) == (422, 422)
    assert "it has passed or is outside opening hours" in past.text
    assert "it has passed or is outside opening hours" in closed.text
    assert "Wednesday, 3 June 2026, 10:00" in text_of(page.text)


async def test_cancel_states_the_free_refund_then_gives_it(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW, catalog=POLICY) as (client, _):
        booking_id = await _paid(client)
        page = await client.get(f"/bookings/{booking_id}")
        assert ">Cancel booking</a>" in page.text
        confirm = await client.get(f"/bookings/{booking_id}/cancel")
        token = hidden(confirm.text, "csrf_token")
        refused = await client.post(f"/bookings/{booking_id}/cancel", data={"lang": "en"})
        still = await client.get(f"/bookings/{booking_id}")
        cancelled = await client.post(f"/bookings/{booking_id}/cancel", data={"csrf_token": token})
        after = await client.get(cancelled.headers["location"])
        again = await client.post(f"/bookings/{booking_id}/cancel", data={"csrf_token": token})
        move_page = await client.get(f"/bookings/{booking_id}/move")
        cancel_page = await client.get(f"/bookings/{booking_id}/cancel")
    text = text_of(confirm.text)
    assert confirm.status_code == 200
    assert "You will be refunded €85.00." in text
    assert "Cancelling is free until Tuesday, 2 June 2026, 10:00 (Central European Summer Time)." in text
    assert "After that, 50% of the price is refunded." in text
    assert ">Yes, cancel</button>" in confirm.text
    assert refused.status_code == 403
    assert "Confirmed" in text_of(still.text)
    assert cancelled.headers["location"] == f"/bookings/{booking_id}?notice=cancelled&refund=8500"
    assert "Cancelled" in text_of(after.text)
    assert "Your booking is cancelled. €85.00 is being refunded to you." in text_of(after.text)
    assert ">Change time</a>" not in after.text
    assert ">Cancel booking</a>" not in after.text
    assert again.headers["location"] == f"/bookings/{booking_id}"  # a second press gives nothing more
    assert move_page.headers["location"] == f"/bookings/{booking_id}?notice=not_movable"
    assert cancel_page.headers["location"] == f"/bookings/{booking_id}?notice=not_cancellable"


async def test_a_late_cancellation_states_and_gives_the_late_percentage(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW, catalog=POLICY) as (client, _):
        booking_id = await _paid(client, "2026-06-02T09:00:00+02:00")  # 23 hours ahead
        confirm = await client.get(f"/bookings/{booking_id}/cancel")
        french = await client.get(f"/bookings/{booking_id}/cancel", params={"lang": "fr"})
        cancelled = await client.post(
            f"/bookings/{booking_id}/cancel", data={"csrf_token": hidden(confirm.text, "csrf_token")}
        )
        after = await client.get(cancelled.headers["location"])
    text = text_of(confirm.text)
    assert "You will be refunded €42.50." in text
    assert "Free cancellation ended on Monday, 1 June 2026, 09:00" in text
    assert "Now 50% of the price is refunded." in text
    assert "Vous serez remboursé de 42,50 €." in text_of(french.text).replace("\u202f", " ")
    assert cancelled.headers["location"].endswith("notice=cancelled&refund=4250")
    assert "€42.50 is being refunded to you." in text_of(after.text)


async def test_without_the_booking_cookie_every_step_is_a_404_page(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW, catalog=POLICY) as (client, _):
        booking_id = await _paid(client)
        confirm = await client.get(f"/bookings/{booking_id}/cancel")
        token = hidden(confirm.text, "csrf_token")
        old = _without_booking_cookie(client)
        answers = [
            await client.get(f"/bookings/{booking_id}/move"),
            await client.get(f"/bookings/{booking_id}/move/confirm", params={"start": WEDNESDAY}),
            await client.get(f"/bookings/{booking_id}/cancel"),
            await client.post(f"/bookings/{booking_id}/move", data={"csrf_token": token, "start": WEDNESDAY}),
            await client.post(f"/bookings/{booking_id}/cancel", data={"csrf_token": token}),
        ]
        client.cookies = old
        page = await client.get(f"/bookings/{booking_id}")
    assert [answer.status_code for answer in answers] == [404] * 5
    assert all("Page not found" in answer.text for answer in answers)
    assert "Confirmed" in text_of(page.text)


async def test_a_booking_awaiting_payment_may_move_while_its_hold_lasts(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW, catalog=POLICY) as (client, _):
        booked = await book(client, start=WEDNESDAY)
        booking_id = booking_id_of(booked)
        page = await client.get(f"/bookings/{booking_id}")
        confirm = await client.get(f"/bookings/{booking_id}/cancel")
    assert ">Change time</a>" in page.text
    assert ">Cancel booking</a>" in page.text
    assert "Nothing has been paid, so there is nothing to refund." in text_of(confirm.text)
