"""Rows to domain objects and back; the domain never sees SQLAlchemy."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Row

from application.ports import NewCustomer
from domain.booking import Booking
from domain.catalog import Money
from domain.credits import SessionCredits
from domain.customer import Customer
from domain.dispatch import Address, Dispatch, Vehicle
from domain.slot import Slot
from domain.statuses import BookingStatus, PaymentStatus


def booking_from_row(row: Row[Any]) -> Booking:
    slot = Slot(row.start_at, row.end_at) if row.start_at is not None else None
    return Booking(
        id=row.id,
        offering_id=row.offering_id,
        customer_id=row.customer_id,
        price=Money(row.amount_cents, row.currency),
        status=BookingStatus(row.status),
        payment_status=PaymentStatus(row.payment_status),
        created_at=row.created_at,
        slot=slot,
        buffer=(row.block_end - row.end_at) if slot is not None else timedelta(0),
        resource_id=row.resource_id,
        hold_expires_at=row.hold_expires_at,
        notes=row.notes,
        intake=row.intake,
        references=dict(row.refs),
        dispatch=dispatch_from_json(row.dispatch),
        token_hash=row.token_hash,
        credits=_credits(row),
        package_id=row.package_id,
        version=row.version,
    )


def _credits(row: Row[Any]) -> SessionCredits | None:
    if row.sessions_total is None:
        return None
    return SessionCredits(row.sessions_total, row.sessions_valid_days, row.sessions_used, row.valid_until)


def booking_state(booking: Booking) -> dict[str, Any]:
    """The columns a booking's lifetime can change, compared at commit to decide on an UPDATE."""
    block = booking.block
    return {
        "status": booking.status.value,
        "payment_status": booking.payment_status.value,
        "start_at": booking.slot.start if booking.slot else None,
        "end_at": booking.slot.end if booking.slot else None,
        "block_end": block.end if block else None,
        "resource_id": booking.resource_id,
        "hold_expires_at": booking.hold_expires_at,
        "notes": booking.notes,
        "intake": dict(booking.intake),
        "refs": dict(booking.references),
        "dispatch": None if booking.dispatch is None else asdict(booking.dispatch),
        "sessions_used": None if booking.credits is None else booking.credits.used,
        "valid_until": None if booking.credits is None else booking.credits.valid_until,
    }


def dispatch_from_json(value: dict[str, Any] | None) -> Dispatch | None:
    if value is None:
        return None
    delivery = value.get("delivery")
    return Dispatch(
        pickup=Address(**value["pickup"]),
        vehicle=Vehicle(**value["vehicle"]),
        delivery=Address(**delivery) if delivery else None,
    )


def booking_row(booking: Booking, *, capacity: int | None, now: datetime) -> dict[str, Any]:
    return {
        **booking_state(booking),
        "id": booking.id,
        "offering_id": booking.offering_id,
        "customer_id": booking.customer_id,
        "amount_cents": booking.price.amount_cents,
        "currency": booking.price.currency,
        "capacity": capacity,
        "sessions_total": None if booking.credits is None else booking.credits.total,
        "sessions_valid_days": None if booking.credits is None else booking.credits.valid_days,
        "package_id": booking.package_id,
        "token_hash": booking.token_hash,
        "version": booking.version,
        "created_at": booking.created_at,
        "updated_at": now,
    }


def customer_from_row(row: Row[Any]) -> Customer:
    return Customer(
        id=row.id,
        email=row.email,
        name=row.name,
        phone=row.phone,
        locale=row.locale,
        references=dict(row.refs),
    )


def customer_row(customer: NewCustomer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "email": customer.email,
        "name": customer.name,
        "phone": customer.phone,
        "locale": customer.locale,
        "refs": {},
        "created_at": datetime.now(UTC),
    }
