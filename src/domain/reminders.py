"""Reminders of a booking's start: when each goes out, and whether a message about a start still holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from domain.booking import Booking
from domain.events import ReminderDue
from domain.statuses import BookingStatus

# A booking in one of these states still expects its start (a reminder, a move's notice make sense).
_EXPECTING: Final = frozenset(
    {BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED, BookingStatus.SCHEDULED}
)


def reminder_times(start: datetime, hours: Iterable[int], *, since: datetime) -> list[tuple[int, datetime]]:
    """Each reminder `hours` before `start` that is still ahead of `since` (when the booking got that
    start): a booking made two hours ahead gets no "tomorrow" reminder. Earliest first, each once."""
    due = {h: start - timedelta(hours=h) for h in set(hours) if h > 0}
    return sorted(((h, at) for h, at in due.items() if at > since), key=lambda pair: pair[1])


def is_at(booking: Booking, start: datetime) -> bool:
    """The booking still expects to start at `start`: not moved since, nor cancelled, nor ended."""
    return booking.slot is not None and booking.slot.start == start and booking.status in _EXPECTING


def plan_reminders(
    booking: Booking, start: datetime, hours: Iterable[int], *, since: datetime, now: datetime
) -> int:
    """Record the reminders of `start` (still the booking's) due after `since`; returns how many."""
    if not is_at(booking, start) or booking.status is BookingStatus.PENDING_PAYMENT:
        return 0
    due = reminder_times(start, hours, since=max(since, now))
    booking.events.extend(ReminderDue(booking.id, now, start, h, at) for h, at in due)
    return len(due)
