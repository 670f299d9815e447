"""Odoo through the real wiring: a paid booking is invoiced once, its cancellation credited once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from tests.http.test_no_personal_data_in_logs import PERSONAL, _every_record, _leaks
from tests.http.test_outbox_flow import ADMIN, deliver_all, hub, paid_booking
from tests.support.odoo import DB, LOGIN, PASSWORD, fake_odoo

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


async def test_a_paid_then_cancelled_booking_is_invoiced_and_credited_once_in_odoo(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with _every_record(caplog) as records, fake_odoo() as odoo:
        settings = {"odoo_url": odoo.url, "odoo_db": DB, "odoo_username": LOGIN, "odoo_password": PASSWORD}
        odoo.fail[("account.move", "create")] = 1
        clock = FixedClock(NOW)
        async with hub(database_url, clock, **settings) as (client, container):
            booking_id = await paid_booking(client)
            assert "odoo.booking_paid retrying" in await deliver_all(container)
            clock.advance(timedelta(hours=1))
            assert "odoo.booking_paid delivered" in await deliver_all(container)
            read = (await client.get(f"/v1/bookings/{booking_id}", headers=ADMIN)).json()
            cancelled = await client.post(f"/v1/bookings/{booking_id}/cancel", headers=ADMIN)
            assert cancelled.status_code == 200, cancelled.text
            # The sandbox gives the money back as it delivers its refund, and reports it as a provider
            # would: the refund is then credited.
            assert "sandbox.refund delivered" in await deliver_all(container)
            assert "odoo.credit_note delivered" in await deliver_all(container)
            health = (await client.get("/health")).json()
    [invoice] = [m for m in odoo.records("account.move") if m["move_type"] == "out_invoice"]
    [note] = [m for m in odoo.records("account.move") if m["move_type"] == "out_refund"]
    assert read["references"]["odoo_invoice_id"] == str(invoice["id"])
    assert (invoice["ref"], invoice["state"], invoice["payment_state"]) == (booking_id, "posted", "paid")
    assert (note["reversed_entry_id"], note["state"], note["amount_total"]) == (invoice["id"], "posted", 85.0)
    assert health["integrations"]["odoo"] == "connected"
    service = [r for r in records if r.name.startswith("bookhub")]
    assert _leaks(service, (*PERSONAL, "ada@example.com", "Ada Lovelace", PASSWORD)) == []
