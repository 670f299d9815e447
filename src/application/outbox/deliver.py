"""Deliver due outbox messages: claim a batch, send each through its topic's sender, record the results."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from application.errors import ProviderRejected, ProviderUnavailable
from application.outbox.commands import Delivery, DeliveryOutcome
from application.ports import ClaimedMessage, Clock, OutboxQueue, Sender, Settlement
from domain.outbox import OutboxState, RetryPolicy, target_of, truncate_error

log = logging.getLogger("bookhub.outbox")


_OUTCOME_OF_STATE = {
    OutboxState.DELIVERED: DeliveryOutcome.DELIVERED,
    OutboxState.SKIPPED: DeliveryOutcome.SKIPPED,
    OutboxState.PENDING: DeliveryOutcome.RETRYING,
    OutboxState.DEAD: DeliveryOutcome.DEAD,
}


class DeliverOutboxMessages:
    """One round: claim up to `batch` due messages, deliver them concurrently (at most `concurrency` at a
    time, outside any transaction), then settle the whole batch at once. Returns what became of each."""

    def __init__(
        self,
        queue: OutboxQueue,
        senders: Mapping[str, Sender],
        clock: Clock,
        *,
        policy: RetryPolicy,
        lease: timedelta,
        batch: int = 100,
        concurrency: int = 50,
        random: Callable[[], float] = random.random,
        observe: Callable[[Sequence[Delivery]], None] | None = None,
    ) -> None:
        self._queue, self._senders, self._clock = queue, senders, clock
        self._policy, self._lease, self._batch = policy, lease, batch
        self._limit = asyncio.Semaphore(concurrency)
        self._random = random
        self._observe = observe  # told each settled batch (e.g. to count deliveries)

    @property
    def batch(self) -> int:
        return self._batch

    async def __call__(self) -> list[Delivery]:
        claimed = await self._queue.claim(now=self._clock.now(), lease=self._lease, limit=self._batch)
        if not claimed:
            return []
        settlements: Sequence[Settlement] = await asyncio.gather(*(self._deliver(m) for m in claimed))
        await self._queue.settle(settlements, now=self._clock.now())
        deliveries = [
            Delivery(s.message.id, s.message.topic, _OUTCOME_OF_STATE[s.state]) for s in settlements
        ]
        if self._observe is not None:
            self._observe(deliveries)
        return deliveries

    async def _deliver(self, message: ClaimedMessage) -> Settlement:
        sender = self._senders.get(message.topic) or self._senders.get(target_of(message.topic))
        async with self._limit:
            try:
                if sender is None:
                    raise ProviderRejected(f"no sender for topic {message.topic}")
                return Settlement(message, await sender.send(message))
            except ProviderRejected as exc:
                return self._dead(message, str(exc))
            except ProviderUnavailable as exc:
                error = str(exc)
            except Exception as exc:  # an adapter bug must not stop the batch; its name is enough
                log.exception(
                    "outbox: %s for booking %s failed", message.topic, message.booking_id, extra=_ids(message)
                )
                error = f"unexpected {type(exc).__name__}"
        next_at = self._policy.next_attempt(
            message.topic, message.attempts, now=self._clock.now(), random=self._random
        )
        if next_at is None:
            return self._dead(message, error)
        log.warning(
            "outbox: %s for booking %s, attempt %s failed: %s",
            message.topic,
            message.booking_id,
            message.attempts,
            error,
            extra=_ids(message),
        )
        return Settlement(message, OutboxState.PENDING, next_at, truncate_error(error))

    def _dead(self, message: ClaimedMessage, error: str) -> Settlement:
        log.error(
            "outbox: %s dead after %s attempts: %s",
            message.topic,
            message.attempts,
            error,
            extra=_ids(message),
        )
        return Settlement(message, OutboxState.DEAD, None, truncate_error(error))


def _ids(message: ClaimedMessage) -> dict[str, object]:
    return {"message_id": message.id, "booking_id": str(message.booking_id)}
