"""How the hub and its integrations are doing, for /health: modes, last syncs, outbox depth."""

from __future__ import annotations

from collections.abc import Mapping

from application.outbox.commands import HealthReport
from application.ports import Clock, OutboxQueue, WebhookStats, WebhookTally

# An integration whose last attempts all failed, at least this many in a row, degrades the hub.
FAILING_AFTER = 3
# More than this share of webhooks refused over the last five minutes degrades the hub, once there
# are enough of them to judge (a single forged post is not an outage).
WEBHOOK_ERROR_RATE, WEBHOOK_MIN_SAMPLE = 0.05, 20


class GetHealth:
    def __init__(
        self,
        queue: OutboxQueue,
        clock: Clock,
        *,
        integrations: Mapping[str, str],
        webhooks: WebhookStats | None = None,
    ) -> None:
        self._queue, self._clock, self._integrations = queue, clock, dict(integrations)
        self._webhooks = webhooks

    async def __call__(self) -> HealthReport:
        counts = await self._queue.counts(now=self._clock.now())
        sinks = {s.integration: s for s in await self._queue.sinks()}
        failing = tuple(
            name
            for name in self._integrations
            if name in sinks and sinks[name].failures_in_a_row >= FAILING_AFTER
        )
        oldest = counts.oldest_pending_at
        age = None if oldest is None else max(0.0, (self._clock.now() - oldest).total_seconds())
        webhooks = self._webhooks.recent() if self._webhooks is not None else WebhookTally(0, 0)
        refusing = (
            webhooks.received >= WEBHOOK_MIN_SAMPLE
            and webhooks.failed > WEBHOOK_ERROR_RATE * webhooks.received
        )
        return HealthReport(
            status="degraded" if counts.dead or failing or refusing else "ok",
            integrations=self._integrations,
            last_sync={
                name: sinks[name].last_success_at if name in sinks else None for name in self._integrations
            },
            failing=failing,
            pending=counts.pending,
            dead=counts.dead,
            scheduled=counts.scheduled,
            oldest_pending_age_seconds=age,
            webhooks=webhooks,
        )
