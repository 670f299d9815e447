"""Wiring of the staff's use cases on one booking (assign a resource, the resources free for it, send its
confirmation again, its timeline), kept beside the container so that one line there wires them all.
The console's booking page and the admin API take the same `BookingActions`."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.persistence.database import Database
from adapters.persistence.timeline import SqlBookingTimeline
from application.bookings.assign import AssignResource, FreeResources
from application.bookings.resend import ResendConfirmation
from application.bookings.timeline import GetBookingTimeline
from application.ports import CatalogSource, Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class BookingActions:
    assign: AssignResource
    free_resources: FreeResources
    resend_confirmation: ResendConfirmation
    timeline: GetBookingTimeline
    catalog: CatalogSource  # resources' names, for the console's page

    def resource_name(self, resource_id: str) -> str:
        resource = self.catalog.catalog.resources.get(resource_id)
        return resource.name if resource is not None else resource_id


def booking_actions(
    uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock, database: Database
) -> BookingActions:
    return BookingActions(
        assign=AssignResource(uow, catalog, clock),
        free_resources=FreeResources(uow, catalog, clock),
        resend_confirmation=ResendConfirmation(uow, clock),
        timeline=GetBookingTimeline(uow, SqlBookingTimeline(database)),
        catalog=catalog,
    )
