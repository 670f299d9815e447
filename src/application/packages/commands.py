"""Commands and results of this package's use cases: what callers hand in and get back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.booking import Booking


@dataclass(frozen=True, slots=True)
class ScheduleSession:
    booking_id: UUID  # the package
    start: datetime
    timezone: str | None = None  # the customer's, for Cal.com's attendee; else the offering's
    token: str | None = None
    admin: bool = False


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session and its package as they are after the change (the package says what is left)."""

    package: Booking
    session: Booking
