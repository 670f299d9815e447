"""Availability: opening hours in the offering's time zone, slots, buffers, resources and seats.

Pure functions over what the repository loaded; the database enforces the same rules at insert time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.booking import Slot
from domain.catalog import Offering, Resource
from domain.errors import OutsideOpeningHours

UTC = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Occupancy:
    """An active booking as availability sees it: its slot, and its block (slot widened by its buffer)."""

    slot: Slot
    block: Slot
    resource_id: str | None = None


@dataclass(frozen=True, slots=True)
class SlotAvailability:
    slot: Slot
    remaining: int


def opening_windows(offering: Offering, start: datetime, end: datetime) -> Iterator[Slot]:
    """Each opening window that touches [start, end), as aware UTC instants, in order.

    Ranges that meet (a day open until 24:00 and the next from 00:00) form one window, so a booking
    may run across midnight.
    """
    pending: Slot | None = None
    for window in _daily_ranges(offering, start - MAX_WINDOW, end + MAX_WINDOW):
        if pending is not None and window.start <= pending.end:
            pending = Slot(pending.start, max(pending.end, window.end))
            continue
        if pending is not None and pending.start < end and start < pending.end:
            yield pending
        pending = window
    if pending is not None and pending.start < end and start < pending.end:
        yield pending


# How far to look beyond [start, end) for ranges that join into one window (an always-open offering
# is one long window; bookings last at most two days, so a few days either side are enough).
MAX_WINDOW = timedelta(days=3)


def _daily_ranges(offering: Offering, start: datetime, end: datetime) -> Iterator[Slot]:
    zone = offering.timezone
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        for time_range in offering.ranges_on(day):
            opens, closes = time_range.on(day, zone)
            if closes > opens:
                yield Slot(opens.astimezone(UTC), closes.astimezone(UTC))
        day += timedelta(days=1)


def candidate_slots(offering: Offering, start: datetime, end: datetime) -> Iterator[Slot]:
    """Starts on the offering's grid inside each opening window, fully inside the window and [start, end)."""
    for window in opening_windows(offering, start, end):
        at = window.start
        while at + offering.duration <= window.end:
            if at >= start and at < end:
                yield Slot(at, at + offering.duration)
            at += offering.slot_step


def slot_for(offering: Offering, start: datetime) -> Slot:
    """The slot a booking starting at `start` takes; it must start on a whole minute inside opening hours."""
    if start.second or start.microsecond:
        raise OutsideOpeningHours("a booking starts on a whole minute")
    slot = Slot(start.astimezone(UTC), start.astimezone(UTC) + offering.duration)
    for window in opening_windows(offering, slot.start, slot.end):
        if window.start <= slot.start and slot.end <= window.end:
            return slot
    raise OutsideOpeningHours(f"{offering.id} is not open for the whole of that slot")


class ResourceCalendar:
    """The blocks of one resource, merged, for logarithmic overlap checks."""

    def __init__(self, blocks: Iterable[Slot]) -> None:
        merged: list[list[datetime]] = []
        for block in sorted(blocks, key=lambda b: b.start):
            if merged and block.start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], block.end)
            else:
                merged.append([block.start, block.end])
        self._starts = [m[0] for m in merged]
        self._ends = [m[1] for m in merged]

    def is_free(self, block: Slot) -> bool:
        i = bisect_left(self._starts, block.end) - 1
        return i < 0 or self._ends[i] <= block.start


class SeatCounter:
    """How many bookings overlap a slot: starts before its end minus ends at or before its start."""

    def __init__(self, slots: Iterable[Slot]) -> None:
        slots = list(slots)
        self._starts = sorted(s.start for s in slots)
        self._ends = sorted(s.end for s in slots)

    def taken(self, slot: Slot) -> int:
        return bisect_left(self._starts, slot.end) - bisect_right(self._ends, slot.start)


def free_resources(
    offering: Offering, slot: Slot, resources: Sequence[Resource], occupied: Iterable[Occupancy]
) -> list[str]:
    """Resources of the offering's type whose blocks leave room for this slot plus its buffer.

    One look at each block: a resource is taken when any of its blocks overlaps the slot's block, so
    only resources with a block there are ever considered, and the others are free as they are.
    """
    block = Slot(slot.start, slot.end + offering.buffer)
    ids = {r.id for r in resources}
    taken = {
        o.resource_id
        for o in occupied
        if o.resource_id in ids and o.block.start < block.end and block.start < o.block.end
    }
    return [r.id for r in resources if r.id not in taken]


def seats_remaining(offering: Offering, slot: Slot, occupied: Iterable[Occupancy]) -> int:
    return max(0, offering.capacity - SeatCounter(o.slot for o in occupied).taken(slot))


def available_slots(
    offering: Offering,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    resources: Sequence[Resource],
    occupied: Sequence[Occupancy],
) -> list[SlotAvailability]:
    """Bookable slots on the grid between start and end, not in the past, with what remains of each."""
    result: list[SlotAvailability] = []
    if offering.resource_type is not None:
        calendars = _calendars(resources, occupied)
        for slot in candidate_slots(offering, max(start, now), end):
            block = Slot(slot.start, slot.end + offering.buffer)
            remaining = sum(1 for c in calendars.values() if c.is_free(block))
            if remaining:
                result.append(SlotAvailability(slot, remaining))
        return result
    seats = SeatCounter(o.slot for o in occupied)
    for slot in candidate_slots(offering, max(start, now), end):
        remaining = offering.capacity - seats.taken(slot)
        if remaining > 0:
            result.append(SlotAvailability(slot, remaining))
    return result


def _calendars(resources: Sequence[Resource], occupied: Iterable[Occupancy]) -> dict[str, ResourceCalendar]:
    blocks: dict[str, list[Slot]] = {r.id: [] for r in resources}
    for o in occupied:
        if o.resource_id in blocks:
            blocks[o.resource_id].append(o.block)
    return {rid: ResourceCalendar(b) for rid, b in blocks.items()}
