"""Provider webhooks: the raw body first, its signature checked before anything is parsed."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, post

from adapters.providers.airwallex_webhooks import AirwallexWebhook
from adapters.providers.stripe_webhooks import StripeWebhook
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaid, PaymentLinkPaidHandler
from entrypoints.http.deps import Inject

log = logging.getLogger("bookhub.webhooks")


@post("/webhooks/stripe", status_code=200, tags=["webhooks"])
async def stripe_webhook(
    request: Request[Any, Any, Any],
    stripe_webhook: Inject[StripeWebhook],
    payment_events: Inject[PaymentEventHandler],
    payment_link_paid: Inject[PaymentLinkPaidHandler],
) -> dict[str, str]:
    """200 once the event is recorded: applied, a duplicate, or a type we do not act on. 400
    `invalid_signature` when the `Stripe-Signature` is missing, wrong or older than 300 s."""
    body = await request.body()
    event = stripe_webhook.parse(body, request.headers.get("stripe-signature"))
    if isinstance(event, PaymentLinkPaid):
        outcome = await payment_link_paid(event)
    else:
        outcome = await payment_events(event)
    log.info("stripe event %s (%s): %s", event.event_id, event.event_type, outcome.value)
    return {"outcome": outcome.value}


@post("/webhooks/airwallex", status_code=200, tags=["webhooks"])
async def airwallex_webhook(
    request: Request[Any, Any, Any],
    airwallex_webhook: Inject[AirwallexWebhook],
    payment_events: Inject[PaymentEventHandler],
) -> dict[str, str]:
    """200 once the event is recorded. 400 `invalid_signature` when `x-signature` does not match
    `x-timestamp` + body, or the timestamp is more than five minutes from our clock."""
    body = await request.body()
    headers = request.headers
    event = airwallex_webhook.parse(body, headers.get("x-timestamp"), headers.get("x-signature"))
    outcome = await payment_events(event)
    log.info("airwallex event %s (%s): %s", event.event_id, event.event_type, outcome.value)
    return {"outcome": outcome.value}
