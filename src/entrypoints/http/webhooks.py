"""Provider webhooks: the raw body first, its signature checked before anything is parsed."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response, post

from adapters.metrics import PrometheusMetrics
from adapters.providers.airwallex_webhooks import AirwallexWebhook
from adapters.providers.driver_app import SIGNATURE_HEADER, parse_status_update, signature_matches
from adapters.providers.stripe_webhooks import StripeWebhook
from application.dispatch.trip_updates import PROVIDER, TripStatusHandler
from application.errors import InvalidPayload, InvalidRequest, InvalidSignature
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaid, PaymentLinkPaidHandler
from entrypoints.http.deps import Inject
from entrypoints.http.errors import problem
from entrypoints.settings import Settings

log = logging.getLogger("bookhub.webhooks")


@post("/webhooks/stripe", status_code=200, tags=["webhooks"])
async def stripe_webhook(
    request: Request[Any, Any, Any],
    stripe_webhook: Inject[StripeWebhook],
    payment_events: Inject[PaymentEventHandler],
    payment_link_paid: Inject[PaymentLinkPaidHandler],
    metrics: Inject[PrometheusMetrics],
) -> dict[str, str]:
    """200 once the event is recorded: applied, a duplicate, or a type we do not act on. 400
    `invalid_signature` when the `Stripe-Signature` is missing, wrong or older than 300 s."""
    body = await request.body()
    try:
        event = stripe_webhook.parse(body, request.headers.get("stripe-signature"))
    except (InvalidSignature, InvalidPayload) as exc:
        metrics.webhook("stripe", _refused(exc))
        raise
    if isinstance(event, PaymentLinkPaid):
        outcome = await payment_link_paid(event)
    else:
        outcome = await payment_events(event)
    metrics.webhook("stripe", outcome.value)
    log.info("stripe event %s (%s): %s", event.event_id, event.event_type, outcome.value)
    return {"outcome": outcome.value}


@post("/webhooks/airwallex", status_code=200, tags=["webhooks"])
async def airwallex_webhook(
    request: Request[Any, Any, Any],
    airwallex_webhook: Inject[AirwallexWebhook],
    payment_events: Inject[PaymentEventHandler],
    metrics: Inject[PrometheusMetrics],
) -> dict[str, str]:
    """200 once the event is recorded. 400 `invalid_signature` when `x-signature` does not match
    `x-timestamp` + body, or the timestamp is more than five minutes from our clock."""
    body = await request.body()
    headers = request.headers
    try:
        event = airwallex_webhook.parse(body, headers.get("x-timestamp"), headers.get("x-signature"))
    except (InvalidSignature, InvalidPayload) as exc:
        metrics.webhook("airwallex", _refused(exc))
        raise
    outcome = await payment_events(event)
    metrics.webhook("airwallex", outcome.value)
    log.info("airwallex event %s (%s): %s", event.event_id, event.event_type, outcome.value)
    return {"outcome": outcome.value}


@post("/webhooks/driver-app", status_code=200, tags=["webhooks"])
async def driver_app_webhook(
    request: Request[Any, Any, Any],
    trip_status: Inject[TripStatusHandler],
    settings: Inject[Settings],
    metrics: Inject[PrometheusMetrics],
) -> Response[dict[str, Any]]:
    """A trip status from the driver app, signed `x-webhook-signature: hex(HMAC-SHA256(secret, body))`.
    401 `invalid_signature` when the signature is missing or wrong (nothing changes); 200 when applied,
    a duplicate, for a booking we do not know, or a status we do not know."""
    body = await request.body()
    if not signature_matches(settings.driver_app_secret, body, request.headers.get(SIGNATURE_HEADER)):
        log.warning("driver app webhook: invalid signature")
        metrics.webhook(PROVIDER, "invalid_signature")
        return problem(401, "invalid_signature", "the x-webhook-signature does not match the body")
    try:
        report = parse_status_update(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        metrics.webhook(PROVIDER, "invalid_request")
        raise InvalidRequest("not a driver app status update", {"body": str(exc)}) from exc
    outcome = await trip_status(report)
    metrics.webhook(PROVIDER, outcome.value)
    return Response({"outcome": outcome.value})


def _refused(exc: InvalidSignature | InvalidPayload) -> str:
    """The outcome a refused webhook counts as (see adapters.metrics.REFUSED)."""
    return "invalid_signature" if isinstance(exc, InvalidSignature) else "invalid_request"
