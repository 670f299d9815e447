"""`stripe.customer_erased`: the erased person's Stripe customer deleted through the official SDK, against
the local fake of Stripe's API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.providers.stripe.client import StripeApi
from adapters.providers.stripe.senders import StripeCustomerEraser
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import ClaimedMessage
from domain.outbox import OutboxState
from tests.support.fake_stripe import FakeStripe, fake_stripe


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


@pytest.fixture
async def eraser(stripe_api: FakeStripe) -> AsyncIterator[StripeCustomerEraser]:
    api = StripeApi("sk_test_fake", api_base=stripe_api.base)
    try:
        yield StripeCustomerEraser(api)
    finally:
        await api.aclose()


def message(payload: dict[str, str]) -> ClaimedMessage:
    return ClaimedMessage(7, "stripe.customer_erased", "stripe.customer_erased:c1", None, payload, 1)


async def test_the_customer_is_deleted_at_stripe_and_a_second_delivery_counts_as_done(
    stripe_api: FakeStripe, eraser: StripeCustomerEraser
) -> None:
    stripe_api.objects["cus_1"] = {"id": "cus_1", "object": "customer"}

    first = await eraser.send(message({"customer_ref": "cus_1"}))
    again = await eraser.send(message({"customer_ref": "cus_1"}))

    assert (first, again) == (OutboxState.DELIVERED, OutboxState.DELIVERED)
    assert stripe_api.deleted("customer") == ["cus_1"]
    assert [(r.method, r.path) for r in stripe_api.requests] == [("DELETE", "/v1/customers/cus_1")] * 2


async def test_a_message_without_a_customer_is_dead_and_stripe_down_is_retried(
    stripe_api: FakeStripe, eraser: StripeCustomerEraser
) -> None:
    with pytest.raises(ProviderRejected):
        await eraser.send(message({}))
    stripe_api.objects["cus_2"] = {"id": "cus_2", "object": "customer"}
    stripe_api.statuses = [500, 500, 500]  # the SDK retries twice itself
    with pytest.raises(ProviderUnavailable):
        await eraser.send(message({"customer_ref": "cus_2"}))
    assert stripe_api.deleted("customer") == []
