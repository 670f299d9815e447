"""The availability body is written from integer microseconds, byte for byte as msgspec writes the
same slots as datetimes in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.serialization import encode_json

from domain.availability import AvailableSlots, instant, micros
from entrypoints.http.schemas import availability_out, utc_texts

SETTINGS = settings(max_examples=300, deadline=None)
# The instants the API accepts (application.bookings.queries.check_instant), and some before 1970.
FIRST, LAST = micros(datetime(1960, 1, 1, tzinfo=UTC)), micros(datetime(3000, 1, 1, tzinfo=UTC))
SECOND, MINUTE = 1_000_000, 60_000_000


class DatetimeSlot(msgspec.Struct):
    """What the route encoded before it wrote instants as text."""

    start: datetime
    end: datetime
    remaining: int


class DatetimeAvailability(msgspec.Struct):
    slots: list[DatetimeSlot]


instants = st.one_of(
    st.integers(FIRST, LAST),
    st.integers(FIRST // MINUTE, LAST // MINUTE).map(lambda m: m * MINUTE),  # whole minutes, as slots
    st.integers(FIRST // SECOND, LAST // SECOND).map(lambda s: s * SECOND),
)


@SETTINGS
@given(st.lists(instants, max_size=40))
def test_utc_texts_are_what_msgspec_writes_for_the_same_datetimes(values: list[int]) -> None:
    def written(values: list[int]) -> list[str]:
        return [msgspec.json.encode(instant(v)).decode().strip('"') for v in values]

    times: dict[int, str] = {}
    assert utc_texts(values) == written(values)
    assert utc_texts(sorted(values), times) == written(sorted(values))
    assert utc_texts(values, times) == written(values)  # again, with the times of day kept from before


def test_utc_texts_write_microseconds_only_when_there_are_some() -> None:
    at = micros(datetime(2026, 3, 29, 1, 0, 7, tzinfo=UTC))
    assert utc_texts([at, at + 250, at + 999_999]) == [
        "2026-03-29T01:00:07Z",
        "2026-03-29T01:00:07.000250Z",
        "2026-03-29T01:00:07.999999Z",
    ]


@st.composite
def available(draw: st.DrawFn) -> AvailableSlots:
    """Slots in start order; their ends fall on other slots' starts or between them."""
    step = draw(st.sampled_from([5, 15, 30, 45, 60, 70])) * MINUTE
    first = draw(st.integers(FIRST // MINUTE, (LAST - 10**12) // MINUTE)) * MINUTE
    offsets = sorted(draw(st.sets(st.integers(0, 3 * 24 * 60), max_size=60)))
    duration = draw(st.sampled_from([step, 2 * step, step + 7 * SECOND, 1]))
    remaining = draw(st.lists(st.integers(1, 300), min_size=len(offsets), max_size=len(offsets)))
    return AvailableSlots([first + o * step for o in offsets], remaining, duration)


@SETTINGS
@given(available())
def test_the_availability_body_is_the_slots_written_as_datetimes(slots: AvailableSlots) -> None:
    as_datetimes = DatetimeAvailability(
        [DatetimeSlot(s.slot.start, s.slot.end, s.remaining) for s in slots.slots()]
    )
    assert encode_json(availability_out(slots)) == encode_json(as_datetimes)
