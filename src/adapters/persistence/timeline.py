"""A booking's history as the timeline reads it: audit entries, outbox messages and the provider events
linked to it (ids, topics, states and times only: no payloads, no bodies)."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from application.bookings.ports import (
    AuditRecord,
    DeliveryRecord,
    InboundRecord,
    TimelineReader,
    TimelineRecords,
)

_a, _o, _e = t.audit_entries.c, t.outbox_messages.c, t.inbound_events.c
_AUDIT = sa.select(_a.at, _a.actor, _a.from_status, _a.to_status, _a.action, _a.detail).order_by(_a.id)
_OUTBOX = sa.select(
    _o.created_at, _o.topic, _o.state, _o.attempts, _o.last_error, _o.next_attempt_at, _o.delivered_at
).order_by(_o.id)
_INBOUND = sa.select(_e.received_at, _e.provider, _e.event_type, _e.event_id).order_by(_e.id)


class SqlBookingTimeline:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def records(self, booking_id: UUID) -> TimelineRecords:
        async with self._db.engine.connect() as c:
            audit = await c.execute(_AUDIT.where(_a.booking_id == booking_id))
            outbox = await c.execute(_OUTBOX.where(_o.booking_id == booking_id))
            inbound = await c.execute(_INBOUND.where(_e.booking_id == booking_id))
            return TimelineRecords(
                audit=[AuditRecord(*row) for row in audit],
                deliveries=[DeliveryRecord(*row) for row in outbox],
                inbound=[InboundRecord(*row) for row in inbound],
            )


_: type[TimelineReader] = SqlBookingTimeline
