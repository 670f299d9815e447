"""Packages of sessions: credits never below 0 nor above N, each session inside the validity, a session
cancelled in time gives its credit back, and a cancelled package refunds what is left pro rata."""

from __future__ import annotations

import copy
from datetime import timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.booking import Booking
from domain.catalog import Money
from domain.credits import SessionCredits
from domain.errors import IllegalTransition, NoSessionsLeft, NotAPackage, OutsideValidity, PaymentRequired
from domain.events import BookingCancelled, BookingConfirmed, RefundRequested
from domain.package import cancel_package, cancel_session, schedule_session, unused_value
from domain.slot import Slot
from domain.statuses import BookingStatus, PaymentStatus
from tests.domain.builders import HOLD, NOW, a_booking

B, P = BookingStatus, PaymentStatus
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
PRICE = Money(32000, "EUR")


def a_package(total: int = 4, valid_days: int | None = 31, *, paid: bool = True) -> Booking:
    package = Booking.new(
        id=uuid4(),
        offering_id="coaching-monthly",
        customer_id=uuid4(),
        price=PRICE,
        slot=None,
        buffer=timedelta(0),
        resource_id=None,
        now=NOW,
        hold=HOLD,
    )
    package.credits = SessionCredits(total, valid_days)
    if paid:
        package.mark_paid(now=NOW)
    package.events.clear()
    return package


def session_at(package: Booking, start_in: timedelta, *, now: timedelta = timedelta(0)) -> Booking:
    slot = Slot(NOW + start_in, NOW + start_in + HOUR)
    return schedule_session(package, session_id=uuid4(), slot=slot, buffer=timedelta(0), now=NOW + now)


def test_payment_starts_the_validity_and_each_session_is_its_own_scheduled_free_booking() -> None:
    package = a_package()
    assert package.credits is not None
    assert package.credits.valid_until == NOW + 31 * DAY
    session = session_at(package, DAY)
    assert (session.status, session.payment_status, session.price) == (
        B.SCHEDULED,
        P.NOT_REQUIRED,
        Money(0, "EUR"),
    )
    assert (session.package_id, session.customer_id, session.offering_id) == (
        package.id,
        package.customer_id,
        package.offering_id,
    )
    # Its own confirmation, unpaid: the package alone is invoiced and sent to the ERP.
    assert [e for e in session.events if isinstance(e, BookingConfirmed)] == [
        BookingConfirmed(session.id, NOW, paid=False)
    ]
    assert (package.credits.used, package.credits.left, package.status) == (1, 3, B.CONFIRMED)


def test_the_fifth_session_of_four_is_refused_and_changes_nothing() -> None:
    package = a_package()
    for day in range(1, 5):
        session_at(package, day * DAY)
    before = copy.deepcopy(package.credits)
    with pytest.raises(NoSessionsLeft):
        session_at(package, 5 * DAY)
    assert package.credits == before


def test_a_session_must_start_before_the_validity_ends() -> None:
    package = a_package(valid_days=31)
    session_at(package, 31 * DAY - HOUR)
    with pytest.raises(OutsideValidity):
        session_at(package, 31 * DAY)
    assert package.credits is not None
    assert package.credits.used == 1


def test_an_unpaid_package_schedules_nothing() -> None:
    package = a_package(paid=False)
    with pytest.raises(PaymentRequired):
        session_at(package, DAY)


def test_a_booking_that_is_not_a_package_has_no_sessions() -> None:
    booking = a_booking()
    booking.mark_paid(now=NOW)
    with pytest.raises(NotAPackage):
        session_at(booking, DAY)


def test_a_cancelled_package_schedules_nothing_more() -> None:
    package = a_package()
    package.cancel(now=NOW)
    with pytest.raises(IllegalTransition):
        session_at(package, DAY)


def test_a_session_cancelled_in_time_gives_its_credit_back_and_a_late_one_does_not() -> None:
    package = a_package()
    early, late = session_at(package, 3 * DAY), session_at(package, 4 * DAY)
    notice = timedelta(hours=24)
    assert cancel_session(package, early, now=NOW + DAY, notice=notice) is True
    assert cancel_session(package, late, now=NOW + 4 * DAY - HOUR, notice=notice) is False
    assert (early.status, late.status) == (B.CANCELLED, B.CANCELLED)
    assert package.credits is not None
    assert package.credits.used == 1
    # Cancelling again changes nothing; a session that has begun stays.
    assert cancel_session(package, early, now=NOW + DAY, notice=notice) is False
    held = session_at(package, 2 * DAY)
    with pytest.raises(IllegalTransition):
        cancel_session(package, held, now=NOW + 2 * DAY, notice=notice)


def test_without_a_notice_a_session_is_free_to_cancel_until_it_starts() -> None:
    package = a_package()
    session = session_at(package, DAY)
    assert cancel_session(package, session, now=NOW + DAY - timedelta(minutes=1), notice=timedelta(0))
    assert package.credits is not None
    assert package.credits.used == 0


def test_cancelling_the_package_refunds_the_credits_left_pro_rata_and_keeps_the_sessions_held() -> None:
    package = a_package(total=4)
    held = session_at(package, DAY)
    upcoming = session_at(package, 10 * DAY)
    cancel_package(package, [held, upcoming], now=NOW + 2 * DAY, notice=timedelta(hours=24))
    assert (held.status, upcoming.status, package.status) == (B.SCHEDULED, B.CANCELLED, B.CANCELLED)
    # Three of four credits were not used: 3/4 of 320.00 goes back, and accounting credits that much.
    assert BookingCancelled(package.id, NOW + 2 * DAY, True, None) in package.events
    [refund] = [e for e in package.events if isinstance(e, RefundRequested)]
    assert (refund.amount_cents, refund.currency) == (24000, "EUR")


def test_a_package_with_every_credit_spent_or_lapsed_refunds_nothing() -> None:
    package = a_package(total=1)
    session = session_at(package, DAY)
    cancel_package(package, [session], now=NOW + 2 * DAY, notice=timedelta(0))
    assert not [e for e in package.events if isinstance(e, RefundRequested)]
    lapsed = a_package(total=2, valid_days=1)
    assert unused_value(lapsed, NOW + 2 * DAY) == 0


def test_an_unused_package_is_refunded_in_full() -> None:
    package = a_package(total=3)
    cancel_package(package, [], now=NOW + HOUR, notice=timedelta(0))
    [refund] = [e for e in package.events if isinstance(e, RefundRequested)]
    assert refund.amount_cents is None  # what is left of the payment: all of it


# An operation on a package: schedule at a start (hours from now), cancel the i-th session, or let time
# pass (hours).
operations = st.lists(
    st.one_of(
        st.tuples(st.just("schedule"), st.integers(min_value=1, max_value=24 * 40)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=15)),
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=24 * 5)),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=12),
    valid_days=st.integers(min_value=1, max_value=40),
    notice_hours=st.integers(min_value=0, max_value=48),
    ops=operations,
)
def test_credits_never_go_below_zero_nor_above_what_was_bought(
    total: int, valid_days: int, notice_hours: int, ops: list[tuple[str, int]]
) -> None:
    package = a_package(total, valid_days)
    credits = package.credits
    assert credits is not None
    sessions: list[Booking] = []
    spent_late = 0  # sessions cancelled too late: their credits stay spent
    elapsed = timedelta(0)
    for op, value in ops:
        now = NOW + elapsed
        if op == "wait":
            elapsed += timedelta(hours=value)
            continue
        try:
            if op == "schedule":
                start = NOW + timedelta(hours=value)
                if start > now:
                    sessions.append(session_at(package, timedelta(hours=value), now=elapsed))
            elif sessions:
                session = sessions[value % len(sessions)]
                was = session.status
                in_time = cancel_session(package, session, now=now, notice=timedelta(hours=notice_hours))
                spent_late += was is not B.CANCELLED and not in_time
        except (NoSessionsLeft, OutsideValidity, IllegalTransition):
            pass
        holding = sum(1 for s in sessions if s.status is B.SCHEDULED)
        assert 0 <= credits.used <= total
        assert holding <= total
        assert credits.used == holding + spent_late
        assert all(
            credits.valid_until is None or s.slot.start < credits.valid_until for s in sessions if s.slot
        )
