"""The manual driver or vehicle assignment: a booking moves to another resource of its offering's type,
in one transaction whose write the database's own rule refuses when the resource was just taken
(ADR 0002), so two staff members assigning two bookings to one free resource cannot both succeed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from application.bookings.commands import FreeResource
from application.catalog import offering_of
from application.errors import InvalidRequest, NotFound
from application.ports import CatalogSource, Clock, UnitOfWork, UnitOfWorkFactory
from domain.availability import Occupancy
from domain.booking import Booking
from domain.booking_actions import assign_resource, check_assignable
from domain.catalog import Offering, Resource
from domain.errors import SlotUnavailable


class AssignResource:
    """404 `not_found`; 422 `invalid_request` naming `resource_id` for one that is not of the offering's
    type; 409 `illegal_transition` for a booking that holds no time, `slot_unavailable` when the
    resource is taken then. Assigning the resource it holds changes nothing."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(self, booking_id: UUID, resource_id: str) -> Booking:
        now = self._clock.now()
        async with self._uow() as uow:
            booking = await _booking(uow, booking_id, lock=True)
            offering = offering_of(self._catalog, booking.offering_id)
            resources = self._catalog.catalog.resources_for(offering)
            if resource_id not in {r.id for r in resources}:
                raise InvalidRequest(
                    "not a resource this booking can hold",
                    {"resource_id": "must be a resource of the offering's type (see free-resources)"},
                )
            check_assignable(booking, now)
            moving = resource_id != booking.resource_id
            if moving and resource_id not in await free_ids(uow, booking, offering, resources, now):
                raise SlotUnavailable(f"{resource_id} is taken at that time")
            if assign_resource(booking, resource_id, now=now):
                await uow.commit()  # the database refuses it too when the resource was just taken
        return booking


class FreeResources:
    """The resources of the booking's type free for its whole block (`[start, end + buffer)`), in catalog
    order, the one it holds marked `current`; none for a booking that holds no time (cancelled, expired,
    without one) or whose offering needs no resource. 404 `not_found`."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(self, booking_id: UUID) -> list[FreeResource]:
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            booking = await _booking(uow, booking_id, lock=False)
            offering = self._catalog.catalog.offerings.get(booking.offering_id)
            resources = self._catalog.catalog.resources_for(offering) if offering is not None else ()
            if offering is None or not resources or not booking.holds_slot(now):
                return []
            free = set(await free_ids(uow, booking, offering, resources, now))
        return [
            FreeResource(r.id, r.name, r.type, current=r.id == booking.resource_id)
            for r in resources
            if r.id in free or r.id == booking.resource_id
        ]


async def _booking(uow: UnitOfWork, booking_id: UUID, *, lock: bool) -> Booking:
    booking = await uow.bookings.get(booking_id, for_update=lock)
    if booking is None:
        raise NotFound("no such booking")
    return booking


async def free_ids(
    uow: UnitOfWork, booking: Booking, offering: Offering, resources: Sequence[Resource], now: datetime
) -> list[str]:
    """The resources no other booking holds during the booking's block (its own holding not counted)."""
    slot, block = booking.slot, booking.block
    if slot is None or block is None:
        return []
    ids = [r.id for r in resources]
    occupied = await uow.bookings.occupancy(offering=offering, resource_ids=ids, window=block, now=now)
    own = Occupancy(slot, block, booking.resource_id)
    taken = {o.resource_id for o in occupied if o != own and o.block.overlaps(block)}
    return [i for i in ids if i not in taken]
