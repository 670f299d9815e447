"""GET /metrics: Prometheus text, for the ops network."""

from __future__ import annotations

import logging

from litestar import Response, get

from adapters.metrics import CONTENT_TYPE, PrometheusMetrics
from application.outbox.commands import HealthReport
from application.outbox.health import GetHealth
from entrypoints.http.deps import Inject

log = logging.getLogger("bookhub.metrics")


@get("/metrics", tags=["ops"], include_in_schema=False)
async def metrics(metrics: Inject[PrometheusMetrics], get_health: Inject[GetHealth]) -> Response[bytes]:
    health: HealthReport | None
    try:
        health = await get_health()
    except Exception:  # the database is unreachable: the counters still answer
        log.warning("metrics: the outbox could not be read")
        health = None
    return Response(metrics.render(health), media_type=CONTENT_TYPE)
