"""The audit trail and the inbound events log in memory, as the SQL store writes them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.events import ActionTaken, DomainEvent, StatusChanged, TripUpdated


@dataclass(slots=True)
class AuditEntry:
    booking_id: UUID
    from_status: str
    to_status: str
    at: datetime
    actor: str = "system"
    action: str | None = None
    detail: str | None = None


def audit_entries(events: Iterable[DomainEvent], *, actor: str) -> list[AuditEntry]:
    """Status changes and actions by `actor`; trip statuses by the driver app."""
    entries = []
    for e in events:
        if isinstance(e, StatusChanged | TripUpdated):
            who = "driver_app" if isinstance(e, TripUpdated) else actor
            entries.append(AuditEntry(e.booking_id, e.from_status, e.to_status, e.occurred_at, who))
        elif isinstance(e, ActionTaken):
            entries.append(
                AuditEntry(e.booking_id, e.status, e.status, e.occurred_at, actor, e.action, e.detail)
            )
    return entries


@dataclass(slots=True)
class InboundRecord:
    """One recorded provider event; `booking_id` once a unit of work that applied it to one booking
    committed."""

    provider: str
    event_id: str
    event_type: str
    received_at: datetime
    booking_id: UUID | None = None


def linked(records: list[InboundRecord], booking_ids: list[UUID]) -> list[InboundRecord]:
    """As the SQL unit of work: events recorded without a booking name the one booking the unit of work
    read, when it read exactly one."""
    if len(booking_ids) == 1:
        for record in records:
            record.booking_id = record.booking_id or booking_ids[0]
    return records
