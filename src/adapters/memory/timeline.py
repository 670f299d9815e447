"""A booking's history read from the in-memory store (and its outbox queue), as the SQL reader reads it."""

from __future__ import annotations

from uuid import UUID

from adapters.memory.outbox import InMemoryOutboxQueue
from adapters.memory.store import MemoryState
from application.bookings.ports import (
    AuditRecord,
    DeliveryRecord,
    InboundRecord,
    TimelineReader,
    TimelineRecords,
)
from application.ports import Clock
from domain.outbox import OutboxState


class MemoryTimeline:
    def __init__(self, state: MemoryState, queue: InMemoryOutboxQueue, clock: Clock) -> None:
        self._s, self._queue, self._clock = state, queue, clock

    async def records(self, booking_id: UUID) -> TimelineRecords:
        audit = [
            AuditRecord(a.at, a.actor, a.from_status, a.to_status, a.action, a.detail)
            for a in self._s.audit
            if a.booking_id == booking_id
        ]
        deliveries = [
            DeliveryRecord(
                r.created_at,
                r.message.topic,
                r.state.value,
                r.attempts,
                r.last_error,
                r.next_attempt_at,
                r.settled_at if r.state is OutboxState.DELIVERED else None,
            )
            for r in self._queue.take_committed(self._clock.now())
            if r.message.booking_id == booking_id
        ]
        inbound = [
            InboundRecord(e.received_at, e.provider, e.event_type, e.event_id)
            for e in self._s.inbound_log
            if e.booking_id == booking_id
        ]
        return TimelineRecords(audit, deliveries, inbound)


_: type[TimelineReader] = MemoryTimeline
