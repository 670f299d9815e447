"""What the booking timeline reads: a booking's audit entries, outbox deliveries and the provider events
applied to it, each without personal data (no payloads, no bodies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """Who changed the booking: a status change (`from_status` → `to_status`), or an `action` with its
    `detail` (the status then stays). `actor`: `system`, `driver_app`, `staff:<uuid>`."""

    at: datetime
    actor: str
    from_status: str
    to_status: str
    action: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One outbox message of the booking: its topic, state and attempts (`at`: when it was written)."""

    at: datetime
    topic: str
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """One provider event applied to the booking (`at`: when it was received); never its body."""

    at: datetime
    provider: str
    event_type: str
    event_id: str


@dataclass(frozen=True, slots=True)
class TimelineRecords:
    audit: list[AuditRecord]
    deliveries: list[DeliveryRecord]
    inbound: list[InboundRecord]


class TimelineReader(Protocol):
    async def records(self, booking_id: UUID) -> TimelineRecords:
        """Everything the store keeps about the booking's history, in any order (delivered messages
        pruned after the outbox's retention are gone)."""
