"""The admin's actions on one booking, for machines (the console calls the same use cases): cancel with
a partial refund, move it, put it on another resource, send its confirmation again, and read its
timeline. Behind Authorization: Bearer <BOOKHUB_ADMIN_API_KEY>."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from application.bookings.commands import RescheduleBooking
from application.bookings.lifecycle import CancelBooking
from application.bookings.queries import GetBooking, check_instant
from application.bookings.reschedule import RescheduleBookingHandler
from application.errors import InvalidRequest
from entrypoints.booking_actions import BookingActions
from entrypoints.http.admin import admin_only
from entrypoints.http.admin_schemas import (
    AdminCancelIn,
    AssignIn,
    FreeResourcesOut,
    TimelineOut,
    free_resources_out,
    timeline_out,
)
from entrypoints.http.booking_changes import CancelledOut, RescheduleIn
from entrypoints.http.deps import Inject
from entrypoints.http.json_body import NUL_REASON, json_body, text_with_nul
from entrypoints.http.openapi import ADMIN_ONLY, JSON_BODY, problems
from entrypoints.http.schemas import BookingOut, booking_out

_CHANGE = ("unauthorized", "not_found", "illegal_transition", "conflict")


class AdminBookingActionsController(Controller):
    path = "/admin/bookings"
    tags = ["admin"]
    guards = [admin_only]
    security = ADMIN_ONLY

    @post(
        "/{booking_id:uuid}/cancel",
        status_code=200,
        before_request=json_body,
        responses=problems(*JSON_BODY, *_CHANGE, "invalid_request"),
    )
    async def cancel(
        self,
        booking_id: FromPath[UUID],
        cancel_booking: Inject[CancelBooking],
        get_booking: Inject[GetBooking],
        data: JSONBody[AdminCancelIn],
    ) -> CancelledOut:
        """Cancels whatever the offering's policy says and refunds `amount_cents` of what was paid (left
        out, `{}`: all of it), through the provider that took it, for exactly that amount;
        the credit note in accounting follows the provider's report. 200 the booking and `refund_cents`
        (0 for a booking cancelled already). 422 `invalid_request` naming `amount_cents` beyond what was
        paid; 409 `illegal_transition` for a completed or expired booking."""
        refund = data.amount_cents
        cancelled = await cancel_booking(booking_id, token=None, admin=True, refund_cents=refund)
        view = await get_booking(booking_id, token=None, admin=True)
        return CancelledOut(**msgspec.structs.asdict(booking_out(view)), refund_cents=cancelled.refund_cents)

    @post(
        "/{booking_id:uuid}/reschedule",
        status_code=200,
        before_request=json_body,
        responses=problems(
            *JSON_BODY,
            *_CHANGE,
            "unknown_offering",
            "slot_unavailable",
            "invalid_request",
            "outside_validity",
        ),
    )
    async def reschedule(
        self,
        booking_id: FromPath[UUID],
        data: JSONBody[RescheduleIn],
        reschedule_booking: Inject[RescheduleBookingHandler],
        get_booking: Inject[GetBooking],
    ) -> BookingOut:
        """As `POST /v1/bookings/{booking_id}/reschedule` with the admin key: the old time stays held
        until the new one is; 409 `slot_unavailable` when it is taken."""
        check_instant("start", data.start)
        await reschedule_booking(RescheduleBooking(booking_id, data.start, admin=True))
        return booking_out(await get_booking(booking_id, token=None, admin=True))

    @post(
        "/{booking_id:uuid}/assign",
        status_code=200,
        before_request=json_body,
        responses=problems(*JSON_BODY, *_CHANGE, "unknown_offering", "slot_unavailable", "invalid_request"),
    )
    async def assign(
        self,
        booking_id: FromPath[UUID],
        data: JSONBody[AssignIn],
        booking_actions: Inject[BookingActions],
        get_booking: Inject[GetBooking],
    ) -> BookingOut:
        """Puts the booking on `resource_id` (a driver, a vehicle) for its whole time, if that resource is
        of the offering's type and free then; the database refuses it when another booking just took it
        (409 `slot_unavailable`). The driver app gets the pickup again when it had it. 422
        `invalid_request` naming `resource_id` for a resource of another type; 409 `illegal_transition`
        for a booking that holds no time."""
        if text_with_nul(data.resource_id) is not None:
            raise InvalidRequest("text holds a NUL character", {"resource_id": NUL_REASON})
        await booking_actions.assign(booking_id, data.resource_id)
        return booking_out(await get_booking(booking_id, token=None, admin=True))

    @get("/{booking_id:uuid}/free-resources", responses=problems("unauthorized", "not_found"))
    async def free_resources(
        self, booking_id: FromPath[UUID], booking_actions: Inject[BookingActions]
    ) -> FreeResourcesOut:
        """The resources of the booking's type free for its whole time (the one it holds `current`); none
        for a booking that holds no time or needs no resource."""
        return free_resources_out(await booking_actions.free_resources(booking_id))

    @post(
        "/{booking_id:uuid}/resend-confirmation",
        status_code=200,
        responses=problems(*_CHANGE),
    )
    async def resend_confirmation(
        self,
        booking_id: FromPath[UUID],
        booking_actions: Inject[BookingActions],
        get_booking: Inject[GetBooking],
    ) -> BookingOut:
        """The confirmation email and SMS go out again (new idempotency keys); 409 `illegal_transition`
        unless the booking is confirmed or scheduled."""
        await booking_actions.resend_confirmation(booking_id)
        return booking_out(await get_booking(booking_id, token=None, admin=True))

    @get("/{booking_id:uuid}/timeline", responses=problems("unauthorized", "not_found"))
    async def timeline(
        self, booking_id: FromPath[UUID], booking_actions: Inject[BookingActions]
    ) -> TimelineOut:
        """The booking's history by time: audit entries, outbox deliveries, provider events, payments."""
        return timeline_out(await booking_actions.timeline(booking_id))
