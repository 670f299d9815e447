"""Missed Stripe webhooks recovered: `GET /v1/events` since a time, every page, normalised like the
webhooks (Stripe keeps 30 days)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import stripe

from adapters.providers.stripe.client import StripeApi, unavailable
from adapters.providers.stripe.events import PROVIDER, StripeEvent, normalise
from application.payments.ports import ListedEvent

# What reconciliation asks Stripe for: the types the handlers act on.
HANDLED_TYPES = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "charge.refunded",
    "refund.created",
    "refund.updated",
)


class StripeEventSource:
    """`GET /v1/events` since a time, every page, normalised like the webhooks (Stripe keeps 30 days)."""

    provider = PROVIDER

    def __init__(self, api: StripeApi) -> None:
        self._api = api

    async def events_since(self, since: datetime) -> list[ListedEvent]:
        params: Any = {"types": list(HANDLED_TYPES), "created": {"gte": int(since.timestamp())}, "limit": 100}
        listed = []
        try:
            page = await self._api.client.v1.events.list_async(params)
            async for item in page.auto_paging_iter():
                try:
                    event = msgspec.convert(item.to_dict(), StripeEvent)
                except msgspec.ValidationError:
                    continue  # not an event of the shape we read: nothing to apply
                created = datetime.fromtimestamp(event.created, UTC)
                listed.append(ListedEvent(created, normalise(event)))
        except stripe.StripeError as exc:
            raise unavailable("event list", exc) from exc
        return listed
