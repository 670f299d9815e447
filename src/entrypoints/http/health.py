"""GET /health: can the service serve, and how are its integrations and its outbox."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Response, get
from litestar.openapi import ResponseSpec

from application.outbox.health import GetHealth
from entrypoints.http.deps import Inject
from entrypoints.logs import describe_exception

log = logging.getLogger("bookhub.health")
UNAVAILABLE = ResponseSpec(
    data_container=dict[str, str],
    description='The database is unreachable: `{"status": "unavailable", "database": "unreachable"}`',
    generate_examples=False,
)


@get("/health", tags=["ops"], responses={503: UNAVAILABLE})
async def health(get_health: Inject[GetHealth]) -> Response[dict[str, Any]]:
    try:
        report = await get_health()
    except Exception as exc:  # the database is unreachable: the one case for a 503
        log.error("health: database unreachable\n%s", describe_exception(exc))
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    body = {
        "status": report.status,
        "database": "ok",
        "integrations": dict(report.integrations),
        "last_sync": {
            name: None if at is None else at.isoformat().replace("+00:00", "Z")
            for name, at in report.last_sync.items()
        },
        "failing": list(report.failing),
        "webhooks": {"received_5m": report.webhooks.received, "refused_5m": report.webhooks.failed},
        "outbox": {
            "pending": report.pending,
            "dead": report.dead,
            "scheduled": report.scheduled,
            "oldest_pending_age_seconds": report.oldest_pending_age_seconds,
        },
    }
    return Response(body)
