"""Availability: opening hours in the offering's time zone, slots, buffers, resources and seats.

Pure functions over what the repository loaded; the database enforces the same rules at insert time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC as _FIXED_UTC
from datetime import datetime, timedelta, tzinfo
from itertools import accumulate
from zoneinfo import ZoneInfo

from domain.booking import Slot
from domain.catalog import Offering, Resource
from domain.errors import OutsideOpeningHours

# datetime.UTC, the zone of the rows the repository reads and of what the HTTP layer writes out: instants
# in one tzinfo compare and convert without offset look-ups.
UTC = _FIXED_UTC


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
    duration, step = offering.duration, offering.slot_step
    since, until = _in_utc(start), _in_utc(end)
    for window in opening_windows(offering, start, end):
        at, last = window.start, window.end - duration
        while at <= last:
            if since <= at < until:
                yield Slot(at, at + duration)
            at += step


def slot_for(offering: Offering, start: datetime) -> Slot:
    """The slot a booking starting at `start` takes; it must start on a whole minute inside opening hours."""
    if start.second or start.microsecond:
        raise OutsideOpeningHours("a booking starts on a whole minute")
    slot = Slot(start.astimezone(UTC), start.astimezone(UTC) + offering.duration)
    for window in opening_windows(offering, slot.start, slot.end):
        if window.start <= slot.start and slot.end <= window.end:
            return slot
    raise OutsideOpeningHours(f"{offering.id} is not open for the whole of that slot")


class SeatCounter:
    """How many bookings overlap a slot: starts before its end minus ends at or before its start."""

    def __init__(self, slots: Iterable[Slot]) -> None:
        slots = list(slots)
        epoch = _epoch_near(slots[0].start) if slots else _EPOCH
        self._starts = sorted(s.start - epoch for s in slots)
        self._ends = sorted(s.end - epoch for s in slots)

    def taken(self, slot: Slot) -> int:
        epoch = _epoch_near(slot.start)
        return bisect_left(self._starts, slot.end - epoch) - bisect_right(self._ends, slot.start - epoch)


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
    slots = list(candidate_slots(offering, max(start, now), end))
    if offering.resource_type is not None:
        remaining = _free_resource_counts(offering, slots, resources, occupied)
    else:
        seats = SeatCounter(o.slot for o in occupied)
        remaining = [offering.capacity - seats.taken(slot) for slot in slots]
    return [SlotAvailability(slot, n) for slot, n in zip(slots, remaining, strict=True) if n > 0]


def _free_resource_counts(
    offering: Offering, slots: Sequence[Slot], resources: Sequence[Resource], occupied: Sequence[Occupancy]
) -> list[int]:
    """How many resources are free for each slot plus its buffer, from one walk over the blocks.

    `slots` are in start order (as candidate_slots yields them) and all last the offering's duration,
    so a slot starting at s, with its block [s, s + duration + buffer), conflicts with a resource block
    [bs, be) exactly when bs - (duration + buffer) < s < be: a run of slot indices found by bisection
    on the starts. The runs of one resource are joined so it counts once per slot, and each joined run
    goes into a difference array; a resource without blocks is free in every slot.
    """
    starts = [slot.start - _EPOCH for slot in slots]  # timedeltas, which compare without time zones
    epoch = _epoch_near(occupied[0].block.start) if occupied else _EPOCH
    reach = epoch + offering.duration + offering.buffer
    ids = {r.id for r in resources}
    runs: dict[str | None, list[tuple[int, int]]] = {}
    for o in occupied:
        if o.resource_id in ids:
            first = bisect_right(starts, o.block.start - reach)
            last = bisect_left(starts, o.block.end - epoch, first)
            if first < last:
                runs.setdefault(o.resource_id, []).append((first, last))
    busy = [0] * (len(slots) + 1)
    for resource_runs in runs.values():
        resource_runs.sort()
        run_from, run_to = resource_runs[0]
        for first, last in resource_runs:
            if first > run_to:
                busy[run_from] += 1
                busy[run_to] -= 1
                run_from, run_to = first, last
            elif last > run_to:
                run_to = last
        busy[run_from] += 1
        busy[run_to] -= 1
    return [len(ids) - taken for taken in accumulate(busy[: len(slots)])]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ZERO_OFFSET_EPOCHS: dict[tzinfo | None, datetime] = {
    UTC: _EPOCH,
    ZoneInfo("UTC"): datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC")),
}


def _epoch_near(at: datetime) -> datetime:
    """The epoch to subtract instants like `at` from: in their zone if it keeps a zero offset, else UTC.

    Any of these epochs gives the exact time elapsed since 1970 for any aware instant; one in the
    instant's own zone only spares the offset look-ups of a difference across zones (the driver's
    rows and the grid are in datetime.UTC; a caller may pass zoneinfo's UTC).
    """
    return _ZERO_OFFSET_EPOCHS.get(at.tzinfo, _EPOCH)


def _in_utc(at: datetime) -> datetime:
    """The same instant in UTC, which compares with the grid's instants without offset look-ups."""
    return at if at.utcoffset() is None else at.astimezone(UTC)
