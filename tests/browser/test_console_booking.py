"""The console's booking page in Chromium against a real `bookhub serve` with Stripe pointed at a local
fake: an owner assigns the other van and refunds part of the payment, and the fake Stripe is asked for
exactly that amount; the page is axe-clean in English and German (BOOKHUB_SCREENSHOTS=<folder> saves
each checked page, as for the other browser tests)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import ADMIN_KEY, CATALOG, Server, free_port, serving
from tests.browser.console_support import add_staff_account, sign_in
from tests.browser.walk import check, next_weekday
from tests.support.fake_stripe import SECRET, FakeStripe, event, fake_stripe, payment_intent, sign
from tests.support.sink import http_sink


@pytest.fixture(scope="module")
def stripe() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


@pytest.fixture(scope="module")
def stripe_server(tmp_path_factory: pytest.TempPathFactory, stripe: FakeStripe) -> Iterator[Server]:
    """`bookhub serve` as the browser tests run it, with Stripe's variables set to the local fake."""
    tmp = tmp_path_factory.mktemp("console-booking")
    with http_sink(body=b'{"id": "em_1"}') as resend:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOKHUB_", "STRIPE_", "RESEND_"))}
        env |= {
            "BOOKHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bookhub.db'}",
            "BOOKHUB_CATALOG": str(CATALOG),
            "BOOKHUB_PUBLIC_URL": url,
            "BOOKHUB_ADMIN_API_KEY": ADMIN_KEY,
            "BOOKHUB_WORKER_POLL_SECONDS": "0.2",
            "BOOKHUB_ODOO_MOCK_LOG": str(tmp / "odoo-mock.jsonl"),
            "STRIPE_SECRET_KEY": "sk_test_fake",
            "STRIPE_WEBHOOK_SECRET": SECRET,
            "STRIPE_API_BASE": stripe.base,
            "RESEND_API_KEY": "re_test_browser",
            "RESEND_FROM": "Bookings <bookings@example.com>",
            "RESEND_API_BASE": resend.base,
        }
        with serving(env, port, tmp, resend) as running:
            yield running


def _paid_booking(server: Server) -> str:
    """An airport transfer at 10:00 next Tuesday, paid at the fake Stripe (its signed webhook)."""
    day = next_weekday(1)
    body = {
        "offering_id": "airport-transfer",
        "customer": {"name": "Ada Lovelace", "email": "ada.console@example.com"},
        "start": f"{day.isoformat()}T10:00:00+02:00",
    }
    created = httpx.post(f"{server.url}/v1/bookings", json=body, timeout=10)
    assert created.status_code == 201, created.text
    booking = str(created.json()["booking_id"])
    intent = payment_intent(booking, pi=f"pi_{booking[:8]}")
    paid = event("payment_intent.succeeded", intent, event_id=f"evt_{booking}")
    headers = {"content-type": "application/json", "stripe-signature": sign(paid, SECRET)}
    answer = httpx.post(f"{server.url}/webhooks/stripe", content=paid, headers=headers, timeout=10)
    assert answer.json() == {"outcome": "applied"}, answer.text
    return booking


def test_an_owner_assigns_the_other_van_and_refunds_part(
    browser: Any, stripe_server: Server, stripe: FakeStripe
) -> None:
    owner = add_staff_account(stripe_server, "owner.booking@example.com", "owner")
    booking = _paid_booking(stripe_server)
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, stripe_server, *owner)
    page.goto(f"{stripe_server.url}/console/bookings/{booking}")
    check(page, "console-booking")
    assert page.get_by_role("heading", level=1).inner_text() == "Booking: Airport transfer"

    assign = page.get_by_role("form", name="Assign")
    assign.get_by_label("Resource", exact=True).select_option(label="Van 2")
    assign.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url("**notice=assigned*")
    assert "Done: the booking is on its new resource." in page.get_by_role("status").inner_text()
    assert "Van 2" in page.locator("main dl").first.inner_text()
    assert "Payment received (stripe)" in page.locator("main table").first.inner_text()

    refund = page.get_by_role("form", name="Cancel and refund")
    refund.get_by_label("Amount", exact=True).fill("20.00")
    refund.get_by_role("button", name="Cancel and refund", exact=True).click()
    page.wait_for_url("**notice=cancelled*")
    assert "€20.00 is being refunded." in page.get_by_role("status").inner_text()
    check(page, "console-booking-cancelled")
    timeline = page.locator("main table").last.inner_text()
    assert owner[0] in timeline
    assert "Resource assigned" in timeline

    deadline = time.monotonic() + 20
    while not stripe.created("refund") and time.monotonic() < deadline:
        time.sleep(0.2)
    [asked] = stripe.created("refund")
    assert (asked["form"]["payment_intent"], asked["form"]["amount"]) == (f"pi_{booking[:8]}", "2000")
    page.context.close()


def test_the_page_reads_in_german(browser: Any, stripe_server: Server) -> None:
    owner = add_staff_account(stripe_server, "owner.booking@example.com", "owner")
    booking = _paid_booking(stripe_server)
    page = browser.new_context(locale="de-DE").new_page()
    sign_in(page, stripe_server, *owner, lang="de")
    page.goto(f"{stripe_server.url}/console/bookings/{booking}?lang=de")
    check(page, "console-booking", "de")
    assert page.get_by_role("heading", level=1).inner_text() == "Buchung: Airport transfer"
    for button in (
        "Stornieren und erstatten",
        "Zuweisen",
        "Erweiterung vorschlagen",
        "Bestätigung erneut senden",
    ):
        assert page.get_by_role("button", name=button, exact=True).count() == 1, button
    refund = page.get_by_role("form", name="Stornieren und erstatten")
    refund.get_by_label("Betrag", exact=True).fill("zwanzig")
    refund.get_by_role("button", name="Stornieren und erstatten", exact=True).click()
    assert "Geben Sie einen Betrag wie 20.00 ein" in page.get_by_role("alert").inner_text()
    check(page, "console-booking-refused", "de")
    page.context.close()
