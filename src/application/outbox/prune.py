"""Retention: delivered and skipped messages are deleted once they are old enough, and so are the hourly
counts of integration activity (deliveries, refused webhooks) the console charts."""

from __future__ import annotations

from datetime import timedelta

from application.console.ports import ActivityLog
from application.ports import Clock, OutboxQueue


class PruneSettledMessages:
    """Delete delivered and skipped messages once they are older than the retention; returns how many.
    Activity counts older than the retention (at least a day, so the console's 24 hours stay) go too."""

    def __init__(
        self,
        queue: OutboxQueue,
        clock: Clock,
        *,
        retention_days: float,
        batch: int = 1000,
        activity: ActivityLog | None = None,
    ) -> None:
        self._queue, self._clock = queue, clock
        self._retention_days, self._batch = retention_days, batch
        self._activity = activity

    async def __call__(self) -> int:
        before = self._clock.now() - timedelta(days=self._retention_days)
        if self._activity is not None:
            await self._activity.prune(before=min(before, self._clock.now() - timedelta(days=1)))
        pruned = 0
        while True:
            deleted = await self._queue.prune(settled_before=before, limit=self._batch)
            pruned += deleted
            if deleted < self._batch:
                return pruned
