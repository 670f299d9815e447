"""Erasure's rules: what stands in the way, what a booking becomes, and how values are found in text."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from domain.booking import Booking
from domain.customer import is_valid_email
from domain.dispatch import Address, Dispatch, Vehicle
from domain.privacy import (
    ERASED,
    anonymise_booking,
    blocks_erasure,
    erased_email,
    is_erased,
    personal_values,
    scrub,
)
from domain.slot import Slot
from domain.statuses import BookingStatus
from tests.domain.builders import NOW, a_booking_in

_B = BookingStatus
PAST = Slot(NOW - timedelta(hours=3), NOW - timedelta(hours=2))
AHEAD = Slot(NOW + timedelta(hours=2), NOW + timedelta(hours=3))


def booking(status: BookingStatus, slot: Slot | None, *, hold_expires_at: datetime | None = None) -> Booking:
    b = a_booking_in(status, hold_expires_at=hold_expires_at)
    b.slot = slot
    return b


@pytest.mark.parametrize(
    ("status", "slot", "blocks"),
    [
        (_B.CONFIRMED, AHEAD, True),
        (_B.SCHEDULED, AHEAD, True),
        (_B.CONFIRMED, None, True),  # paid, not scheduled yet: still to come
        (_B.IN_SERVICE, PAST, True),  # the car is still at the garage
        (_B.CONFIRMED, PAST, False),  # it happened
        (_B.COMPLETED, PAST, False),
        (_B.CANCELLED, AHEAD, False),
        (_B.EXPIRED, AHEAD, False),
    ],
)
def test_a_booking_still_to_come_or_under_way_stands_in_the_way(
    status: BookingStatus, slot: Slot | None, blocks: bool
) -> None:
    assert blocks_erasure(booking(status, slot), NOW) is blocks


def test_a_hold_stands_in_the_way_only_while_it_lasts() -> None:
    held = booking(_B.PENDING_PAYMENT, AHEAD, hold_expires_at=NOW + timedelta(minutes=5))
    lapsed = booking(_B.PENDING_PAYMENT, AHEAD, hold_expires_at=NOW - timedelta(minutes=5))
    assert (blocks_erasure(held, NOW), blocks_erasure(lapsed, NOW)) == (True, False)


def test_an_erased_email_is_unique_per_customer_never_a_real_address_and_not_derived_from_the_old_one() -> (
    None
):
    one, other = uuid4(), uuid4()
    assert erased_email(one) != erased_email(other)
    assert is_erased(erased_email(one))
    assert not is_valid_email(erased_email(one))  # no booking can give one
    assert not is_erased("erased-someone@example.com")


def test_an_anonymised_booking_keeps_its_facts_and_loses_what_names_or_locates_its_person() -> None:
    b = a_booking_in(_B.CANCELLED)
    b.notes, b.intake = "Keys with the concierge", {"gate": {"code": "B7431X"}}
    b.dispatch = Dispatch(Address("17 impasse Q", "75011", "Paris"), Vehicle("Renault", "Clio", "ZQ-417-QZ"))
    b.references = {
        "stripe_payment_intent": "pi_1",
        "stripe_payment_method": "pm_1",
        "meeting_url": "https://m",
    }
    found = personal_values(b)
    price, status = b.price, b.status

    anonymise_booking(b, token_hash=b"\x01" * 32)

    assert {"Keys with the concierge", "B7431X", "17 impasse Q", "ZQ-417-QZ"} <= found
    assert (b.notes, b.intake, b.token_hash) == (None, {}, b"\x01" * 32)
    assert b.dispatch == Dispatch(Address(ERASED, "", ERASED), Vehicle(ERASED, ERASED))
    assert b.references == {"stripe_payment_intent": "pi_1"}
    assert (b.price, b.status) == (price, status)


def test_scrub_replaces_each_value_in_any_case_inside_text_and_json_and_keeps_keys_and_numbers() -> None:
    value = {"to": "Zacharie.Q@example.org", "lines": ["Dear ZACHARIE QUELLENBERG", 3], "zacharie": True}
    secrets = {"zacharie.q@example.org", "Zacharie Quellenberg", "x"}  # one letter is not searched for
    assert scrub(value, secrets) == {"to": ERASED, "lines": [f"Dear {ERASED}", 3], "zacharie": True}
    assert scrub("nothing here", secrets) == "nothing here"
