"""Commands and results of this package's use cases: what callers and adapters hand in and get back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.dispatch import TripStatus

PROVIDER = "driver_app"


@dataclass(frozen=True, slots=True)
class TripStatusReported:
    """`event_id` is the driver app's `eventId`, else bookingId + status + timestamp. `status` None is a
    status this hub does not know; `booking_id` None a booking id that is not one of ours."""

    event_id: str
    booking_id: UUID | None
    status: TripStatus | None
    trip_id: str | None = None


class TripOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    UNKNOWN_BOOKING = "unknown_booking"
    IGNORED = "ignored"
    REJECTED = "rejected"
