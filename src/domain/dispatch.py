"""Driver dispatch: where a vehicle is collected and returned, and the driver app's trip statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from domain.errors import DomainError
from domain.statuses import BookingStatus


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    zip: str
    city: str
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    brand: str
    model: str
    license_plate: str | None = None


@dataclass(frozen=True, slots=True)
class Dispatch:
    """What a booking of a `dispatch = true` offering tells the driver: where and which vehicle."""

    pickup: Address
    vehicle: Vehicle
    delivery: Address | None = None


class TripKind(StrEnum):
    PICKUP = "b2c_pickup"
    DELIVERY = "b2c_delivery"


class TripStatus(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ARRIVED = "arrived"
    PICKUP_COMPLETED = "pickup_completed"
    DELIVERY_COMPLETED = "delivery_completed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Trip:
    """One leg as the driver app receives it. It carries what a driver needs and nothing more."""

    kind: TripKind
    booking_id: UUID
    customer_id: UUID
    customer_name: str
    customer_phone: str
    dispatch: Dispatch
    scheduled_pickup: datetime
    notes: str | None = None
    resource_id: str | None = None  # sent again after a manual assignment: the driver or vehicle now on it


class NotDispatched(DomainError):
    """The booking's offering sends no driver (`dispatch = false`), so it has no trips."""

    code = "not_dispatched"


# The booking's status after a trip status, and the statuses a booking can be marked ready from.
BOOKING_AFTER_TRIP: Final[Mapping[TripStatus, BookingStatus]] = {
    TripStatus.PICKUP_COMPLETED: BookingStatus.IN_SERVICE,
    TripStatus.DELIVERY_COMPLETED: BookingStatus.COMPLETED,
}
READY_FROM: Final = frozenset({BookingStatus.CONFIRMED, BookingStatus.SCHEDULED, BookingStatus.IN_SERVICE})
