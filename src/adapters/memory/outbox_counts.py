"""The unit of work's view of the in-memory outbox: what is pending (every message here is)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.ports import OutboxCounts
from domain.outbox import OutboxMessage


class MemoryOutboxCounts:
    def __init__(self, outbox: list[OutboxMessage]) -> None:
        self._outbox = outbox

    async def counts(self) -> OutboxCounts:
        return OutboxCounts(pending=len(self._outbox), dead=0)

    async def undelivered(
        self, booking_ids: Sequence[UUID], *, targets: Sequence[str]
    ) -> dict[UUID, set[str]]:
        found: dict[UUID, set[str]] = {}
        for m in self._outbox:  # every message here is pending: none is ever delivered
            if m.booking_id in booking_ids and m.topic.partition(".")[0] in targets:
                found.setdefault(m.booking_id, set()).add("pending")
        return found
