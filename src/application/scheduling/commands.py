"""Commands and results of this package's use cases: what callers and adapters hand in and get back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from application.tokens import Credential
from domain.slot import Slot


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    email: str
    phone: str | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderAppointment:
    """An appointment as the provider has it now, in the hub's terms (times in aware UTC)."""

    provider: str
    reference: str
    type_id: int | None
    slot: Slot | None
    cancelled: bool
    attendee: Attendee | None = None
    intake: Mapping[str, Any] = field(default_factory=dict)
    paid: bool = False
    previous_reference: str | None = None  # Cal.com: the uid a reschedule replaced
    meeting_url: str | None = None


@dataclass(frozen=True, slots=True)
class AppointmentReported:
    event_id: str
    event_type: str
    appointment: ProviderAppointment


class AppointmentOutcome(StrEnum):
    CREATED = "created"
    MOVED = "moved"
    CANCELLED = "cancelled"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    UNMAPPED = "unmapped"
    UNKNOWN_APPOINTMENT = "unknown_appointment"
    CONFLICT = "conflict"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ScheduleBooking:
    booking_id: UUID
    start: datetime
    timezone: str | None = None  # the customer's, for Cal.com's attendee; else the offering's
    token: Credential | None = None
    admin: bool = False
