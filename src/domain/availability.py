"""Availability: opening hours in the offering's time zone, slots, buffers, resources and seats.

Pure functions over what the repository loaded; the database enforces the same rules at insert time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC as _FIXED_UTC
from datetime import datetime, timedelta, tzinfo
from itertools import accumulate, compress, repeat
from operator import add, le, sub
from zoneinfo import ZoneInfo

from domain.catalog import Offering, Resource
from domain.errors import OutsideOpeningHours
from domain.slot import Slot

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


MICROSECOND = timedelta(microseconds=1)


def micros(at: datetime) -> int:
    """An aware instant as whole microseconds since the Unix epoch (1970-01-01 00:00 UTC)."""
    return (at - _EPOCH) // MICROSECOND


def instant(us: int) -> datetime:
    """The instant `us` microseconds after the Unix epoch, in datetime.UTC: the inverse of `micros`."""
    return _EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True, slots=True)
class OccupiedTimes:
    """Active bookings as a month's availability reads them: one position per booking across parallel
    sequences of integer microseconds since the Unix epoch (see `micros`), without an object per row.

    Position i is a booking in slot [starts[i], ends[i]) whose block is [block_starts[i], block_ends[i])
    on resource_ids[i]. Any order gives the same counts; block-start order spares a sort.
    """

    starts: Sequence[int]
    ends: Sequence[int]
    block_starts: Sequence[int]
    block_ends: Sequence[int]
    resource_ids: Sequence[str | None]

    def __post_init__(self) -> None:
        lengths = {len(self.starts), len(self.ends), len(self.block_starts), len(self.block_ends)}
        if lengths != {len(self.resource_ids)}:
            raise ValueError("occupied times need one of each value per booking")

    def __len__(self) -> int:
        return len(self.starts)

    @classmethod
    def of(cls, occupied: Iterable[Occupancy]) -> OccupiedTimes:
        occupied = list(occupied)
        return cls(
            starts=[micros(o.slot.start) for o in occupied],
            ends=[micros(o.slot.end) for o in occupied],
            block_starts=[micros(o.block.start) for o in occupied],
            block_ends=[micros(o.block.end) for o in occupied],
            resource_ids=[o.resource_id for o in occupied],
        )


@dataclass(frozen=True, slots=True)
class AvailableSlots:
    """Bookable slots in start order, without an object per slot: the i-th starts `starts[i]`
    microseconds after the Unix epoch, lasts `duration` microseconds and has `remaining[i]` (at least
    one) resources or seats left."""

    starts: list[int]
    remaining: list[int]
    duration: int

    def __len__(self) -> int:
        return len(self.starts)

    def slots(self) -> list[SlotAvailability]:
        """The same slots as values with aware UTC instants."""
        duration = timedelta(microseconds=self.duration)
        result = []
        for at, remaining in zip(self.starts, self.remaining, strict=True):
            start = instant(at)
            result.append(SlotAvailability(Slot(start, start + duration), remaining))
        return result


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
    for at in candidate_starts(offering, start, end):
        begins = instant(at)
        yield Slot(begins, begins + offering.duration)


def candidate_starts(offering: Offering, start: datetime, end: datetime) -> list[int]:
    """The starts of `candidate_slots`, in order, as microseconds since the Unix epoch.

    Each window's grid is its opening instant plus whole steps: a range of integers cut to the part
    whose slots fit in the window and start in [start, end).
    """
    duration, step = offering.duration // MICROSECOND, offering.slot_step // MICROSECOND
    since, until = micros(start), micros(end)
    starts: list[int] = []
    for window in opening_windows(offering, start, end):
        first, last = micros(window.start), min(micros(window.end) - duration, until - 1)
        if first < since:
            first += -((first - since) // step) * step  # the first step at or after `since`
        starts.extend(range(first, last + 1, step))
    return starts


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
    times = OccupiedTimes.of(occupied)
    return available_slot_counts(offering, start, end, now=now, resources=resources, occupied=times).slots()


def available_slot_counts(
    offering: Offering,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    resources: Sequence[Resource],
    occupied: OccupiedTimes,
) -> AvailableSlots:
    """What `available_slots` finds, counted on integer microseconds from end to end: the grid, the
    bookings and the answer are plain lists, so a month of a busy offering makes no object per slot
    or per booking."""
    starts = candidate_starts(offering, max(start, now), end)
    duration = offering.duration // MICROSECOND
    if offering.resource_type is not None:
        reach = duration + offering.buffer // MICROSECOND
        remaining = _free_resource_counts(starts, reach, {r.id for r in resources}, occupied)
    else:
        remaining = [offering.capacity - taken for taken in _seats_taken(starts, duration, occupied)]
    keep = [n > 0 for n in remaining]
    return AvailableSlots(list(compress(starts, keep)), list(compress(remaining, keep)), duration)


def _free_resource_counts(starts: list[int], reach: int, ids: set[str], occupied: OccupiedTimes) -> list[int]:
    """How many of `ids` are free for each slot plus its buffer, from one walk over the blocks.

    `starts` are in order and each slot with its buffer lasts `reach`, so a slot starting at s, with its
    block [s, s + reach), conflicts with a resource block [bs, be) exactly when bs - reach < s < be: a
    run of slot indices found by bisection on the starts. Walked in block-start order, the runs of one
    resource come in order of their first index, so each joins the resource's open run or closes it
    into a difference array; a resource counts once per slot, and one without blocks is free in each.
    """
    block_starts, block_ends, owners = occupied.block_starts, occupied.block_ends, occupied.resource_ids
    if not all(map(le, block_starts, block_starts[1:])):
        order = sorted(range(len(block_starts)), key=block_starts.__getitem__)
        block_starts = [block_starts[i] for i in order]
        block_ends = [block_ends[i] for i in order]
        owners = [owners[i] for i in order]
    firsts = map(bisect_right, repeat(starts), map(sub, block_starts, repeat(reach)))
    lasts = map(bisect_left, repeat(starts), block_ends)
    busy = [0] * (len(starts) + 1)
    runs: dict[str | None, list[int]] = {}  # each resource's run not yet counted: [first, last)
    for owner, first, last in zip(owners, firsts, lasts, strict=True):
        if first < last and owner in ids:
            run = runs.get(owner)
            if run is None:
                runs[owner] = [first, last]
            elif first <= run[1]:
                if last > run[1]:
                    run[1] = last
            else:
                busy[run[0]] += 1
                busy[run[1]] -= 1
                run[0], run[1] = first, last
    for first, last in runs.values():
        busy[first] += 1
        busy[last] -= 1
    free = len(ids)
    return [free - taken for taken in accumulate(busy[:-1])]


def _seats_taken(starts: list[int], duration: int, occupied: OccupiedTimes) -> Iterator[int]:
    """Bookings overlapping each slot: those starting before its end minus those ending by its start."""
    booked_starts, booked_ends = sorted(occupied.starts), sorted(occupied.ends)
    began = map(bisect_left, repeat(booked_starts), map(add, starts, repeat(duration)))
    ended = map(bisect_right, repeat(booked_ends), starts)
    return map(sub, began, ended)


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
