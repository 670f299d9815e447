"""From the booking page: a Payment Link customer schedules their paid booking; extensions are approved
or declined; each form needs its CSRF token."""

from __future__ import annotations

from pathlib import Path

import httpx

from application.payments.commands import PaymentLinkPaid
from tests.support.app import ADMIN_KEY, CATALOG, running_app
from tests.web.support import NOW, book, hidden, text_of


def _with_payment_link(tmp_path: Path) -> Path:
    text = CATALOG.read_text().replace(
        'id = "van-transfer"\n', 'id = "van-transfer"\nstripe_payment_link_id = "plink_web"\n', 1
    )
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(text)
    return catalog


async def _open(client: httpx.AsyncClient, manage_url: str) -> httpx.Response:
    opened = await client.get("/manage/" + manage_url.rsplit("/", 1)[1])
    assert opened.status_code == 303
    return await client.get(opened.headers["location"])


async def test_a_payment_link_customer_schedules_the_paid_booking_from_its_page(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with running_app(sqlite_url, clock=NOW, catalog=_with_payment_link(tmp_path)) as (
        client,
        container,
    ):
        paid = PaymentLinkPaid(
            "stripe", "evt_pl", "plink_web", "cs_pl", 8500, "EUR", "ada@example.com", "Ada", None, "pi_pl"
        )
        await container.payment_link_paid()(paid)
        [view] = await container.list_bookings()()
        booking = view.booking
        link = await container.manage_links().url(booking.id, booking.token_hash)
        page = await _open(client, link)
        assert "Not scheduled yet" in text_of(page.text)
        assert ">Schedule</a>" in page.text

        picker = await client.get(f"/bookings/{booking.id}/schedule", params={"date": "2026-06-02"})
        assert ">10:00</button>" in picker.text
        start = "2026-06-02T08:00:00+00:00"
        refused = await client.post(f"/bookings/{booking.id}/schedule", data={"start": start})
        scheduled = await client.post(
            f"/bookings/{booking.id}/schedule",
            data={"start": start, "csrf_token": hidden(picker.text, "csrf_token")},
        )
        after = await client.get(scheduled.headers["location"])
    assert refused.status_code == 403
    assert scheduled.status_code == 303
    assert "Tuesday, 2 June 2026, 10:00" in text_of(after.text)
    assert "your booking is scheduled" in after.text


async def test_extensions_are_approved_or_declined_from_the_booking_page(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        booked = await book(client)
        booking_id = booked.headers["location"].rsplit("/", 1)[1]
        await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        ids = []
        for description in ("Child seat", "Extra stop"):
            proposed = await client.post(
                f"/admin/bookings/{booking_id}/extensions",
                json={"description": description, "amount_cents": 1500},
                headers=admin,
            )
            ids.append(proposed.json()["extension_id"])
        page = await client.get(f"/bookings/{booking_id}")
        token = hidden(page.text, "csrf_token")
        approved = await client.post(
            f"/bookings/{booking_id}/extensions/{ids[0]}/approve", data={"csrf_token": token}
        )
        declined = await client.post(
            f"/bookings/{booking_id}/extensions/{ids[1]}/decline", data={"csrf_token": token}
        )
        after = await client.get(f"/bookings/{booking_id}")
    assert (approved.status_code, declined.status_code) == (303, 303)
    assert "notice=extension_approved" in approved.headers["location"]
    text = text_of(after.text)
    assert "Child seat €15.00 · Paid" in text
    assert "Extra stop €15.00 · Declined" in text
