"""The sync queue an admin watches: messages that are dead or retrying, and putting a dead one back."""

from __future__ import annotations

from application.errors import NotDead, NotFound
from application.ports import Clock, OutboxQueue, QueuedMessage
from domain.outbox import OutboxState


class ListSyncQueue:
    def __init__(self, queue: OutboxQueue) -> None:
        self._queue = queue

    async def __call__(self, *, limit: int = 500) -> list[QueuedMessage]:
        return await self._queue.troubled(limit=limit)


class RetryOutboxMessage:
    def __init__(self, queue: OutboxQueue, clock: Clock) -> None:
        self._queue, self._clock = queue, clock

    async def __call__(self, message_id: int) -> None:
        was = await self._queue.retry(message_id, now=self._clock.now())
        if was is None:
            raise NotFound(f"no outbox message {message_id}")
        if was is not OutboxState.DEAD:
            raise NotDead(f"outbox message {message_id} is {was}, not dead: only a dead message is retried")
