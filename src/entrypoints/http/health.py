"""GET /health: can the service serve, and how are its integrations."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Response, get

from application.ports import UnitOfWorkFactory
from entrypoints.http.deps import Inject
from entrypoints.logs import describe_exception

log = logging.getLogger("bookhub.health")

INTEGRATIONS = ("stripe", "airwallex", "acuity", "calcom", "odoo", "erp", "twilio", "resend", "driver_app")


@get("/health", tags=["ops"])
async def health(
    uow: Inject[UnitOfWorkFactory], integrations: Inject[dict[str, str]]
) -> Response[dict[str, Any]]:
    try:
        async with uow(read_only=True) as unit:
            counts = await unit.outbox.counts()
    except Exception as exc:  # the database is unreachable: the one case for a 503
        log.error("health: database unreachable\n%s", describe_exception(exc))
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    body = {
        "status": "degraded" if counts.dead else "ok",
        "database": "ok",
        "integrations": integrations,
        "last_sync": {name: None for name in INTEGRATIONS},
        "outbox": {"pending": counts.pending, "dead": counts.dead},
    }
    return Response(body)
