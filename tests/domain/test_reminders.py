"""Reminders: when each goes out, and which start a booking still expects."""

from __future__ import annotations

from datetime import timedelta

from domain.events import ReminderDue, RemindersPlanned
from domain.reminders import is_at, plan_reminders, reminder_times
from domain.slot import Slot
from tests.domain.builders import NOW, a_booking, at

START = at(2026, 6, 10, 9)


def test_each_reminder_is_its_hours_before_the_start_earliest_first() -> None:
    assert reminder_times(START, [2, 24], since=NOW) == [
        (24, START - timedelta(hours=24)),
        (2, START - timedelta(hours=2)),
    ]


def test_a_reminder_whose_time_passed_before_the_booking_had_its_start_is_not_sent() -> None:
    assert reminder_times(START, [24, 2], since=START - timedelta(hours=3)) == [
        (2, START - timedelta(hours=2))
    ]
    assert reminder_times(START, [24, 2], since=START) == []


def test_a_confirmed_booking_plans_reminders_and_a_move_plans_them_again() -> None:
    booking = a_booking(slot=Slot(START, START + timedelta(hours=1)))
    booking.mark_paid(now=NOW)
    assert [e for e in booking.events if isinstance(e, RemindersPlanned)] == [
        RemindersPlanned(booking.id, NOW, START)
    ]
    later = START + timedelta(hours=1)
    booking.reschedule(Slot(later, later + timedelta(hours=1)), resource_id=booking.resource_id, now=NOW)
    assert [e.start for e in booking.events if isinstance(e, RemindersPlanned)] == [START, later]
    assert not is_at(booking, START)
    assert is_at(booking, later)


def test_planning_records_a_reminder_per_hour_for_the_start_the_booking_still_has() -> None:
    booking = a_booking(slot=Slot(START, START + timedelta(hours=1)))
    booking.mark_paid(now=NOW)
    booking.events.clear()

    assert plan_reminders(booking, START, (24, 2), since=NOW, now=NOW) == 2
    assert booking.events == [
        ReminderDue(booking.id, NOW, START, 24, START - timedelta(hours=24)),
        ReminderDue(booking.id, NOW, START, 2, START - timedelta(hours=2)),
    ]
    assert plan_reminders(booking, START + timedelta(hours=1), (24,), since=NOW, now=NOW) == 0


def test_a_cancelled_or_unpaid_booking_gets_no_reminders() -> None:
    unpaid = a_booking(slot=Slot(START, START + timedelta(hours=1)))
    assert plan_reminders(unpaid, START, (24,), since=NOW, now=NOW) == 0
    cancelled = a_booking(slot=Slot(START, START + timedelta(hours=1)))
    cancelled.mark_paid(now=NOW)
    cancelled.cancel(now=NOW)
    assert plan_reminders(cancelled, START, (24,), since=NOW, now=NOW) == 0
    assert not is_at(cancelled, START)
