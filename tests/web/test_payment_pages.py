"""The payment step with Stripe: Checkout is a redirect; a PaymentIntent is paid with Stripe Elements on
our page, whose CSP lets Stripe's script and frames in and nothing inline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from tests.support.app import running_app
from tests.support.fake_stripe import SECRET, FakeStripe, fake_stripe
from tests.web.support import ADA, book, hidden

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=2)).replace(hour=8, minute=0, second=0).isoformat()


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


def _stripe(fake: FakeStripe) -> dict[str, str]:
    return {
        "stripe_secret_key": "sk_test_fake",
        "stripe_webhook_secret": SECRET,
        "stripe_api_base": fake.base,
        "stripe_publishable_key": "pk_test_fake",
    }


async def test_book_redirects_to_stripe_checkout(sqlite_url: str, stripe_api: FakeStripe) -> None:
    async with running_app(sqlite_url, clock=FixedClock(NOW), **_stripe(stripe_api)) as (client, _):
        booked = await book(client, start=START)
    assert booked.status_code == 303
    assert booked.headers["location"].startswith("https://checkout.stripe.test/")


async def test_a_payment_intent_is_paid_with_stripe_elements_on_the_booking_site(
    sqlite_url: str, stripe_api: FakeStripe
) -> None:
    body = {
        "offering_id": "van-transfer",
        "start": START,
        "customer": ADA,
        "payment_provider": "stripe_payment_intent",
    }
    async with running_app(sqlite_url, clock=FixedClock(NOW), **_stripe(stripe_api)) as (client, _):
        created = (await client.post("/v1/bookings", json=body)).json()
        opened = await client.get("/manage/" + created["manage_url"].rsplit("/", 1)[1])
        page = await client.get(opened.headers["location"])
        paying = await client.post(
            f"/bookings/{created['booking_id']}/pay", data={"csrf_token": hidden(page.text, "csrf_token")}
        )
    assert paying.status_code == 200, paying.text
    csp = paying.headers["content-security-policy"]
    assert "script-src 'self' https://js.stripe.com" in csp
    assert "unsafe-inline" not in csp
    assert paying.headers["cache-control"] == "no-store"
    assert 'data-client-secret="' in paying.text
    assert 'data-publishable-key="pk_test_fake"' in paying.text
    assert '<script src="/static/stripe-payment.js" defer></script>' in paying.text
