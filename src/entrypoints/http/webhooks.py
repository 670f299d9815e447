"""Provider webhooks, five routes from one factory: the raw body verified and parsed by the provider's
adapter (application/webhooks.py), its command handed to its use case, counted and logged alike."""

from __future__ import annotations

import logging
from types import CoroutineType
from typing import Any

from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec

from adapters.metrics import PrometheusMetrics
from application.errors import InvalidPayload, InvalidSignature
from application.webhooks import IGNORED, InboundWebhook
from entrypoints.http.deps import Inject
from entrypoints.http.errors import STATUS_OF_CODE, problem
from entrypoints.http.openapi import webhook_answers
from entrypoints.webhook_dispatch import WebhookDispatch

log = logging.getLogger("bookhub.webhooks")


def webhook_route(
    path: str, provider: str, description: str, answers: dict[int, ResponseSpec]
) -> HTTPRouteHandler:
    """`POST path` for the adapter `provider` names. 200 `{"outcome": ...}` once the command is handled
    (or ignored); a refusal is a problem whose status the adapter says; the log line carries the
    provider, the event type, its id or reference and the outcome, never the body."""

    async def receive(
        request: Request[Any, Any, Any], webhooks: Inject[WebhookDispatch]
    ) -> Response[dict[str, Any]]:
        adapter, metrics = webhooks.adapters[provider], webhooks.metrics
        body = await request.body()
        try:
            parsed = adapter.parse(body, request.headers)
            if isinstance(parsed, CoroutineType):  # an adapter that fetches (Acuity); the rest answer at once
                parsed = await parsed
        except (InvalidSignature, InvalidPayload) as exc:
            await webhooks.refused(provider, exc)
            return _refused(adapter, exc, metrics)
        if parsed is IGNORED:
            metrics.webhook(provider, "ignored")
            log.info("%s webhook: ignored", provider)
            return Response({"outcome": "ignored"})
        handle, describe = webhooks.route(parsed)
        outcome = (await handle(parsed)).value
        metrics.webhook(provider, outcome)
        event_type, reference = describe(parsed)
        log.info("%s webhook %s (%s): %s", provider, reference, event_type, outcome)
        return Response({"outcome": outcome})

    receive.__name__ = receive.__qualname__ = f"{provider}_webhook"
    return post(path, status_code=200, tags=["webhooks"], description=description, responses=answers)(receive)


def _refused(
    adapter: InboundWebhook, exc: InvalidSignature | InvalidPayload, metrics: PrometheusMetrics
) -> Response[dict[str, Any]]:
    """Counted as `invalid_signature` or `invalid_request` (see adapters.metrics.REFUSED)."""
    if isinstance(exc, InvalidSignature):
        outcome, status, code = "invalid_signature", adapter.signature_refusal_status, exc.code
    else:
        outcome, code = "invalid_request", adapter.payload_refusal_code
        status = STATUS_OF_CODE[code]
    extra = {"fields": exc.fields} if isinstance(exc, InvalidPayload) and exc.fields else {}
    metrics.webhook(adapter.provider, outcome)
    log.warning("%s webhook refused: %s", adapter.provider, outcome)
    return problem(status, code, exc.detail, **extra)


WEBHOOK_ROUTES = [
    webhook_route(
        "/webhooks/stripe",
        "stripe",
        "200 once the event is recorded: applied, a duplicate, or a type we do not act on. 400 "
        "`invalid_signature` when the `Stripe-Signature` is missing, wrong or older than 300 s.",
        webhook_answers("invalid_signature", "invalid_payload", "payload_too_large", "conflict"),
    ),
    webhook_route(
        "/webhooks/airwallex",
        "airwallex",
        "200 once the event is recorded. 400 `invalid_signature` when `x-signature` does not match "
        "`x-timestamp` + body, or the timestamp is more than five minutes from our clock.",
        webhook_answers("invalid_signature", "invalid_payload", "payload_too_large", "conflict"),
    ),
    webhook_route(
        "/webhooks/driver-app",
        "driver_app",
        "A trip status from the driver app, signed `x-webhook-signature: hex(HMAC-SHA256(secret, body))`. "
        "401 `invalid_signature` when the signature is missing or wrong (nothing changes); 200 when "
        "applied, a duplicate, for a booking we do not know, or a status we do not know.",
        webhook_answers((401, "invalid_signature"), "invalid_request", "payload_too_large", "conflict"),
    ),
    webhook_route(
        "/webhooks/acuity",
        "acuity",
        "400 `invalid_signature` unless `X-Acuity-Signature` is base64 HMAC-SHA256 of the raw body.",
        webhook_answers(
            "invalid_signature", "invalid_payload", "payload_too_large", "conflict", "provider_unavailable"
        ),
    ),
    webhook_route(
        "/webhooks/calcom",
        "calcom",
        "400 `invalid_signature` unless `X-Cal-Signature-256` is hex HMAC-SHA256 of the raw body.",
        webhook_answers("invalid_signature", "invalid_request", "payload_too_large", "conflict"),
    ),
]
