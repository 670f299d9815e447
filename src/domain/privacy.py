"""Erasure: what a person's data becomes once they are forgotten, and what still stands in the way.

The non-personal facts stay (offering, times, amounts, states, provider payment ids) so accounting and
statistics add up; whatever names, reaches or locates the person is replaced by these values."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from domain.booking import Booking
from domain.dispatch import Address, Dispatch, Vehicle
from domain.statuses import BookingStatus

ERASED: Final = "Erased"
_ERASED_ADDRESS: Final = Address(street=ERASED, zip="", city=ERASED)
_ERASED_VEHICLE: Final = Vehicle(brand=ERASED, model=ERASED)
# The `.invalid` top-level domain never delivers (RFC 2606), and no booking can give one (no dot).
_ERASED_DOMAIN: Final = "@invalid"
_ERASED_PREFIX: Final = "erased-"
# Booking references that point at the person rather than at a payment: a meeting link, a saved card.
_PERSONAL_REFERENCE_SUFFIXES: Final = ("meeting_url", "_payment_method")
# What the customer's references keep after erasure: the accounting system's, whose invoices stay.
_KEPT_CUSTOMER_REFERENCE_PREFIX: Final = "odoo"
# Shorter values are not searched for in free text (a one-letter answer would mangle every word).
MIN_SCRUBBED_CHARS: Final = 3

_B = BookingStatus
_ACTIVE: Final = frozenset({_B.PENDING, _B.PENDING_PAYMENT, _B.CONFIRMED, _B.SCHEDULED, _B.IN_SERVICE})


def erased_email(customer_id: UUID) -> str:
    """Unique per customer (the column is), and not derived from the email it replaces."""
    return f"{_ERASED_PREFIX}{hashlib.sha256(customer_id.bytes).hexdigest()[:16]}{_ERASED_DOMAIN}"


def is_erased(email: str) -> bool:
    return email.startswith(_ERASED_PREFIX) and email.endswith(_ERASED_DOMAIN)


def blocks_erasure(booking: Booking, now: datetime) -> bool:
    """A booking still to come or under way: the person must cancel it first. A hold that ran out
    does not count, nor does a booking that is over."""
    if booking.status not in _ACTIVE:
        return False
    if booking.status is _B.PENDING_PAYMENT:
        return booking.hold_expires_at is None or booking.hold_expires_at > now
    if booking.status is _B.IN_SERVICE or booking.slot is None:
        return True
    return booking.slot.end > now


def personal_values(booking: Booking) -> set[str]:
    """The free-text values of a booking that name or locate its person: notes, intake answers,
    addresses and vehicle (searched for in whatever else the hub stored about the booking)."""
    values = {booking.notes or ""} | set(_strings(booking.intake))
    dispatch = booking.dispatch
    if dispatch is not None:
        for address in (dispatch.pickup, dispatch.delivery):
            if address is not None:
                values |= {address.street, address.zip, address.city}
        values |= {dispatch.vehicle.brand, dispatch.vehicle.model, dispatch.vehicle.license_plate or ""}
    return {v for v in values if len(v.strip()) >= MIN_SCRUBBED_CHARS}


def anonymise_booking(booking: Booking, *, token_hash: bytes) -> None:
    """Notes, intake, addresses and vehicle replaced; references to the person dropped; a new token
    hash, so no token or manage link made for the old one opens the booking again."""
    booking.notes = None
    booking.intake = {}
    if booking.dispatch is not None:
        delivery = _ERASED_ADDRESS if booking.dispatch.delivery is not None else None
        booking.dispatch = Dispatch(pickup=_ERASED_ADDRESS, vehicle=_ERASED_VEHICLE, delivery=delivery)
    booking.references = {
        k: v for k, v in booking.references.items() if not k.endswith(_PERSONAL_REFERENCE_SUFFIXES)
    }
    booking.token_hash = token_hash


def kept_customer_references(references: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in references.items() if k.startswith(_KEPT_CUSTOMER_REFERENCE_PREFIX)}


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """`value` (text, or JSON of dicts and lists) with every occurrence of each secret, in any case,
    replaced by `Erased`. Keys are kept; numbers and booleans are not personal on their own."""
    needles = sorted(
        {s.lower() for s in secrets if len(s.strip()) >= MIN_SCRUBBED_CHARS}, key=len, reverse=True
    )
    return _scrub(value, needles)


def _scrub(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, needles)
    if isinstance(value, Mapping):
        return {k: _scrub(v, needles) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, needles) for v in value]
    return value


def _scrub_text(text: str, needles: list[str]) -> str:
    lowered = text.lower()
    for needle in needles:
        start = lowered.find(needle)
        while start >= 0:
            text = text[:start] + ERASED + text[start + len(needle) :]
            lowered = text.lower()
            start = lowered.find(needle, start + len(ERASED))
    return text


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
