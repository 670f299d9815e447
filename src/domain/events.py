"""Facts the booking aggregate records; the unit of work turns them into outbox and audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DomainEvent:
    booking_id: UUID
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class StatusChanged(DomainEvent):
    from_status: str
    to_status: str


@dataclass(frozen=True, slots=True)
class BookingConfirmed(DomainEvent):
    paid: bool


@dataclass(frozen=True, slots=True)
class BookingCancelled(DomainEvent):
    paid: bool
    cal_booking_uid: str | None = None  # the Cal.com booking to cancel too (not when Cal.com told us)


@dataclass(frozen=True, slots=True)
class CalBookingAbandoned(DomainEvent):
    """A Cal.com booking made for this booking that the hub could not keep (it lost a race)."""

    cal_booking_uid: str


@dataclass(frozen=True, slots=True)
class BookingExpired(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class PaymentFailed(DomainEvent):
    pass
