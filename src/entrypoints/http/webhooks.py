"""Provider webhooks: the signature is checked on the raw body before anything reads it."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response, post

from adapters.metrics import PrometheusMetrics
from adapters.providers.driver_app import SIGNATURE_HEADER, parse_status_update, signature_matches
from application.dispatch.trip_updates import PROVIDER, TripStatusHandler
from application.errors import InvalidRequest
from entrypoints.http.deps import Inject
from entrypoints.http.errors import problem
from entrypoints.settings import Settings

log = logging.getLogger("bookhub.webhooks")


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
