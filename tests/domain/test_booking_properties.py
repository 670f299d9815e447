"""Properties over random histories: the tables always hold, and accepted bookings never collide."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.availability import Occupancy, free_resources, seats_remaining
from domain.booking import Booking
from domain.errors import IllegalTransition
from domain.events import StatusChanged
from domain.slot import Slot
from domain.statuses import BOOKING_TRANSITIONS, PAYMENT_TRANSITIONS, BookingStatus, PaymentStatus
from tests.domain.builders import (
    FREE,
    HOLD,
    NOW,
    PAID,
    a_booking,
    a_booking_in,
    an_offering,
    at,
    resources,
    snapshot,
)
from tests.domain.builders import minutes as mins

B, P = BookingStatus, PaymentStatus
MODEST = settings(max_examples=200, deadline=None)

# An operation: its name, minutes after NOW it happens, and a target status for move_to.
operations = st.tuples(
    st.sampled_from(["mark_paid", "mark_payment_failed", "cancel", "expire", "move_to"]),
    st.integers(min_value=0, max_value=90),
    st.sampled_from(list(B)),
)

starting_bookings = st.one_of(
    st.sampled_from([FREE, PAID]).map(lambda price: a_booking(price=price, hold=HOLD)),
    st.builds(
        a_booking_in,
        st.sampled_from(list(B)),
        st.sampled_from(list(P)),
        hold_expires_at=st.none() | st.integers(0, 90).map(lambda m: NOW + mins(m)),
    ),
)


def apply(booking: Booking, operation: tuple[str, int, BookingStatus]) -> IllegalTransition | None:
    """Runs the operation; returns its refusal, if any."""
    name, offset, target = operation
    now = NOW + mins(offset)
    try:
        if name == "move_to":
            booking.move_to(target, now=now)
        else:
            getattr(booking, name)(now=now)
    except IllegalTransition as refused:
        return refused
    return None


def assert_followed_the_tables(booking: Booking, before: tuple[object, ...]) -> None:
    status, payment, version, _, events = before
    assert booking.status in BOOKING_TRANSITIONS
    assert booking.payment_status in PAYMENT_TRANSITIONS
    moves = [e for e in booking.events[len(events) :] if isinstance(e, StatusChanged)]
    walked = status
    for move in moves:
        assert move.from_status is walked
        assert move.to_status in BOOKING_TRANSITIONS[move.from_status]
        walked = move.to_status
    assert booking.status is walked
    paid_change = booking.payment_status is not payment
    if paid_change:
        assert booking.payment_status in PAYMENT_TRANSITIONS[payment]
    assert booking.version == version + len(moves) + paid_change


@MODEST
@given(starting_bookings, st.lists(operations, max_size=12))
def test_no_sequence_of_operations_leaves_the_tables(
    booking: Booking, history: list[tuple[str, int, BookingStatus]]
) -> None:
    for operation in history:
        before = snapshot(booking)
        refused = apply(booking, operation)
        if refused is None:
            assert_followed_the_tables(booking, before)
        else:
            assert refused.code == "illegal_transition"
            assert snapshot(booking) == before


@MODEST
@given(starting_bookings, st.lists(operations, max_size=12), st.integers(0, 90))
def test_reapplying_the_current_status_is_a_no_op_after_any_history(
    booking: Booking, history: list[tuple[str, int, BookingStatus]], later: int
) -> None:
    for operation in history:
        apply(booking, operation)
    before = snapshot(booking)
    booking.move_to(booking.status, now=NOW + mins(later))
    assert snapshot(booking) == before


@MODEST
@given(st.sampled_from(list(B)), st.sampled_from(list(B)))
def test_move_to_allows_a_change_exactly_when_the_table_lists_it(source: B, target: B) -> None:
    booking = a_booking_in(source)
    allowed = target is source or target in BOOKING_TRANSITIONS[source]
    try:
        booking.move_to(target, now=NOW)
    except IllegalTransition:
        assert not allowed
    else:
        assert allowed
        assert booking.status is target


# --- availability: accept requests only when the domain says so, then check by brute force ---

DAY = at(2026, 6, 2)
ROOMS = resources("r1", "r2", "r3")

requests = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=24 * 60 - 1),  # start, minutes into the day
        st.integers(min_value=0, max_value=2),  # preferred resource
        st.sampled_from([0, 5, 15, 30]),  # buffer in minutes
    ),
    max_size=25,
)


def overlaps(a: Slot, b: Slot) -> bool:
    return a.start < b.end and b.start < a.end


@MODEST
@given(
    st.integers(min_value=1, max_value=3),
    st.sampled_from([15, 30, 45, 60, 90]),
    requests,
)
def test_accepted_resource_bookings_never_share_a_resource_block(
    room_count: int, duration: int, wanted: list[tuple[int, int, int]]
) -> None:
    rooms = ROOMS[:room_count]
    accepted: list[Occupancy] = []
    for offset, preferred, buffer in wanted:
        offering = an_offering(duration=duration, buffer=buffer, resource_type="room")
        slot = Slot(DAY + mins(offset), DAY + mins(offset + duration))
        block = Slot(slot.start, slot.end + offering.buffer)
        free = free_resources(offering, slot, rooms, accepted)
        assert free == [
            r.id
            for r in rooms
            if not any(overlaps(block, o.block) for o in accepted if o.resource_id == r.id)
        ]
        if free:
            rid = rooms[preferred % room_count].id
            accepted.append(Occupancy(slot, block, rid if rid in free else free[0]))
    for i, a in enumerate(accepted):
        for b in accepted[i + 1 :]:
            assert a.resource_id != b.resource_id or not overlaps(a.block, b.block), (a, b)


@MODEST
@given(
    st.integers(min_value=1, max_value=4),
    st.sampled_from([15, 30, 45, 60, 90]),
    requests,
)
def test_accepted_seat_bookings_never_exceed_capacity_at_any_instant(
    capacity: int, duration: int, wanted: list[tuple[int, int, int]]
) -> None:
    accepted: list[Occupancy] = []
    for offset, _, buffer in wanted:
        offering = an_offering(duration=duration, buffer=buffer, capacity=capacity)
        slot = Slot(DAY + mins(offset), DAY + mins(offset + duration))
        remaining = seats_remaining(offering, slot, accepted)
        assert remaining == max(0, capacity - sum(overlaps(slot, o.slot) for o in accepted))
        if remaining > 0:
            accepted.append(Occupancy(slot, Slot(slot.start, slot.end + offering.buffer)))
    for instant in {o.slot.start for o in accepted}:
        assert sum(o.slot.start <= instant < o.slot.end for o in accepted) <= capacity


@MODEST
@given(st.sampled_from([0, 15]), st.integers(min_value=0, max_value=180), st.integers(1, 120))
def test_a_block_is_the_slot_widened_by_the_buffer(buffer: int, offset: int, length: int) -> None:
    slot = Slot(DAY + mins(offset), DAY + mins(offset + length))
    booking = a_booking(slot=slot, buffer=mins(buffer))
    assert booking.block == Slot(slot.start, slot.end + timedelta(minutes=buffer))
