"""Provider webhooks: the raw body first, its signature checked before anything is parsed."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response, post

from adapters.metrics import PrometheusMetrics
from adapters.providers import acuity, calcom
from adapters.providers.acuity import AcuityClient
from adapters.providers.airwallex_webhooks import AirwallexWebhook
from adapters.providers.driver_app import SIGNATURE_HEADER, parse_status_update, signature_matches
from adapters.providers.stripe_webhooks import StripeWebhook
from application.dispatch.commands import PROVIDER
from application.dispatch.trip_updates import TripStatusReportedHandler
from application.errors import InvalidPayload, InvalidRequest, InvalidSignature
from application.payments.commands import PaymentLinkPaid
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.scheduling.appointments import AppointmentReportedHandler
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
    trip_status: Inject[TripStatusReportedHandler],
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


@post("/webhooks/acuity", status_code=200, tags=["webhooks"])
async def acuity_webhook(
    request: Request[Any, Any, Any],
    settings: Inject[Settings],
    acuity_client: Inject[AcuityClient],
    appointment_reported: Inject[AppointmentReportedHandler],
    metrics: Inject[PrometheusMetrics],
) -> dict[str, str]:
    """400 `invalid_signature` unless `X-Acuity-Signature` is base64 HMAC-SHA256 of the raw body."""
    body = await request.body()
    if not acuity.signature_matches(settings.acuity_api_key, body, request.headers.get("x-acuity-signature")):
        metrics.webhook("acuity", "invalid_signature")
        raise InvalidSignature("the X-Acuity-Signature header does not match the body")
    notification = acuity.parse_notification(body)
    if notification is None:
        metrics.webhook("acuity", "ignored")
        return {"outcome": "ignored"}
    # Outside any transaction: the fetch proves the appointment exists; an outage answers 502 and
    # Acuity sends the notification again.
    appointment = await acuity_client.appointment(notification.appointment_id)
    outcome = await appointment_reported(acuity.appointment_reported(notification, appointment))
    metrics.webhook("acuity", outcome.value)
    log.info("acuity %s appointment %s: %s", notification.action, notification.appointment_id, outcome.value)
    return {"outcome": outcome.value}


@post("/webhooks/calcom", status_code=200, tags=["webhooks"])
async def calcom_webhook(
    request: Request[Any, Any, Any],
    settings: Inject[Settings],
    appointment_reported: Inject[AppointmentReportedHandler],
    metrics: Inject[PrometheusMetrics],
) -> dict[str, str]:
    """400 `invalid_signature` unless `X-Cal-Signature-256` is hex HMAC-SHA256 of the raw body."""
    body = await request.body()
    if not calcom.signature_matches(
        settings.cal_webhook_secret, body, request.headers.get("x-cal-signature-256")
    ):
        metrics.webhook("calcom", "invalid_signature")
        raise InvalidSignature("the X-Cal-Signature-256 header does not match the body")
    try:
        event = calcom.appointment_reported(body)
    except calcom.MalformedWebhook as exc:
        metrics.webhook("calcom", "invalid_request")
        raise InvalidRequest("not a Cal.com booking webhook", {"body": str(exc)[:200]}) from exc
    if event is None:
        metrics.webhook("calcom", "ignored")
        return {"outcome": "ignored"}
    outcome = await appointment_reported(event)
    metrics.webhook("calcom", outcome.value)
    log.info("calcom %s booking %s: %s", event.event_type, event.appointment.reference, outcome.value)
    return {"outcome": outcome.value}


def _refused(exc: InvalidSignature | InvalidPayload) -> str:
    """The outcome a refused webhook counts as (see adapters.metrics.REFUSED)."""
    return "invalid_signature" if isinstance(exc, InvalidSignature) else "invalid_request"
