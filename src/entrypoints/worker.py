"""The background loop: delivers the outbox, expires holds that ran out, prunes what was delivered,
erases customers past the retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from application.bookings.lifecycle import ExpireHolds
from application.outbox.deliver import DeliverOutboxMessages
from application.outbox.prune import PruneSettledMessages
from application.payments.reconcile import ReconcileProviders
from application.privacy.retention import EraseLapsedCustomers

log = logging.getLogger("bookhub.worker")

PRUNE_EVERY_SECONDS = 600.0
RETENTION_EVERY_SECONDS = 3600.0


@dataclass
class Worker:
    expire_holds: ExpireHolds
    deliver: DeliverOutboxMessages
    prune: PruneSettledMessages
    poll_seconds: float
    reconcile: ReconcileProviders | None = None  # with payment providers to reconcile
    reconcile_seconds: float = 300.0
    retention: EraseLapsedCustomers | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set. A batch in flight when it is set is delivered and recorded first."""
        log.info("worker started (poll every %ss)", self.poll_seconds)
        next_sweep = next_prune = next_reconcile = next_retention = 0.0
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_sweep:
                next_sweep = now + self.poll_seconds
                await _guarded("hold sweep", self._expire)
            if now >= next_prune:
                next_prune = now + PRUNE_EVERY_SECONDS
                await _guarded("outbox prune", self._prune)
            if self.retention is not None and now >= next_retention:
                next_retention = now + RETENTION_EVERY_SECONDS
                await _guarded("retention", self._retain)
            if self.reconcile is not None and now >= next_reconcile:
                next_reconcile = now + self.reconcile_seconds
                await _guarded("payment reconciliation", self._reconcile)
            full = await _guarded("outbox delivery", self._deliver)
            if not full:  # a full batch means more are due: claim again at once
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=max(0.0, next_sweep - time.monotonic()))
        log.info("worker stopped")

    async def _expire(self) -> bool:
        expired = await self.expire_holds()
        if expired:
            log.info("expired %s holds", expired)
        return False

    async def _deliver(self) -> bool:
        deliveries = await self.deliver()
        if deliveries:
            outcomes = Counter(d.outcome.value for d in deliveries)
            log.info("outbox: %s", ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))
        return len(deliveries) >= self.deliver.batch

    async def _reconcile(self) -> bool:
        assert self.reconcile is not None  # noqa: S101 - called only when set
        recovered = await self.reconcile()
        if recovered:
            log.info("reconcile: applied %s events the webhooks had not delivered", recovered)
        return False

    async def _retain(self) -> bool:
        assert self.retention is not None  # noqa: S101 - called only when set
        erased = await self.retention()
        if erased:
            log.info("retention: erased %s customers whose last booking ended long ago", erased)
        return False

    async def _prune(self) -> bool:
        pruned = await self.prune()
        if pruned:
            log.info("outbox: pruned %s delivered messages", pruned)
        return False


async def _guarded(what: str, step: Callable[[], Awaitable[bool]]) -> bool:
    try:
        return await step()
    except Exception:  # a failing round must not stop the loop; the next one retries
        log.exception("%s failed", what)
        return False
