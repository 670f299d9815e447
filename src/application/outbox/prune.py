"""Retention: delivered and skipped messages are deleted once they are old enough."""

from __future__ import annotations

from datetime import timedelta

from application.ports import Clock, OutboxQueue


class PruneSettledMessages:
    """Delete delivered and skipped messages once they are older than the retention; returns how many."""

    def __init__(self, queue: OutboxQueue, clock: Clock, *, retention_days: float, batch: int = 1000) -> None:
        self._queue, self._clock = queue, clock
        self._retention_days, self._batch = retention_days, batch

    async def __call__(self) -> int:
        before = self._clock.now() - timedelta(days=self._retention_days)
        pruned = 0
        while True:
            deleted = await self._queue.prune(settled_before=before, limit=self._batch)
            pruned += deleted
            if deleted < self._batch:
                return pruned
