"""The console's `Integrations`: each integration's mode, last sync and failures in a row, hourly
deliveries and failures over the last 24 hours, and each webhook provider's error rate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from application.console.commands import HourCount, IntegrationsReport, IntegrationStatus, WebhookRate
from application.console.ports import ConsoleReadModel
from application.ports import Clock, OutboxQueue

HOURS = 24
# The providers that post webhooks to the hub, as /health and the routes name them.
WEBHOOK_PROVIDERS = ("stripe", "airwallex", "acuity", "calcom", "driver_app")


def first_hour(now: datetime) -> datetime:
    """The start of the oldest of the 24 hours that end with the current one."""
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)


class GetIntegrations:
    def __init__(
        self,
        read_model: ConsoleReadModel,
        queue: OutboxQueue,
        clock: Clock,
        *,
        integrations: Mapping[str, str],
    ) -> None:
        self._read, self._queue, self._clock = read_model, queue, clock
        self._modes = dict(integrations)

    async def __call__(self) -> IntegrationsReport:
        now = self._clock.now()
        since = first_hour(now)
        hours = await self._read.delivery_hours(since)
        sinks = {s.integration: s for s in await self._queue.sinks()}
        statuses = [
            IntegrationStatus(
                name,
                mode,
                sinks[name].last_success_at if name in sinks else None,
                sinks[name].failures_in_a_row if name in sinks else 0,
                sum(h.delivered for h in hours.get(name, ())),
                sum(h.failed for h in hours.get(name, ())),
            )
            for name, mode in self._modes.items()
        ]
        counts = await self._read.webhook_counts(WEBHOOK_PROVIDERS, since)
        webhooks = [WebhookRate(p, *counts.get(p, (0, 0))) for p in WEBHOOK_PROVIDERS]
        charted = [hours[name] for name in self._modes if name in hours]  # not the hub's own (reminders)
        return IntegrationsReport(since, now, statuses, every_hour(since, charted), webhooks)


def every_hour(since: datetime, counts: Iterable[Sequence[HourCount]]) -> list[HourCount]:
    """The 24 hours from `since`, each with the sum over integrations (0 for an hour without attempts)."""
    totals = {since + timedelta(hours=i): [0, 0] for i in range(HOURS)}
    for per_integration in counts:
        for h in per_integration:
            if h.hour in totals:
                totals[h.hour][0] += h.delivered
                totals[h.hour][1] += h.failed
    return [HourCount(hour, delivered, failed) for hour, (delivered, failed) in totals.items()]
