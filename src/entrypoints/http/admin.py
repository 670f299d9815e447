"""Admin routes, behind Authorization: Bearer <BOOKHUB_ADMIN_API_KEY>."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter

from application.bookings.queries import MAX_LIST_OFFSET, GetBooking, ListBookings
from application.dispatch.trip_updates import MarkReady
from application.errors import InvalidRequest
from application.outbox.sync_queue import ListSyncQueue, RetryOutboxMessage
from application.payments.commands import ProposeExtension
from application.payments.extensions import ProposeExtensionHandler
from domain.statuses import BookingStatus
from entrypoints.http.auth import bearer, is_admin
from entrypoints.http.deps import Inject
from entrypoints.http.errors import Unauthorized
from entrypoints.http.json_body import NUL_REASON, json_body, text_with_nul
from entrypoints.http.openapi import ADMIN_ONLY, JSON_BODY, problems
from entrypoints.http.schemas import (
    BookingList,
    BookingOut,
    ExtensionIn,
    ExtensionOut,
    SyncQueueOut,
    SyncQueueRetriedOut,
    booking_out,
    extension_out,
    sync_queue_item_out,
)

MAX_ID = 2**63 - 1
# The bound as the integer it is: Litestar writes `le` as a float, 2**63, one more than is accepted.
EXACT_OFFSET = {"maximum": MAX_LIST_OFFSET}


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not is_admin(bearer(connection), connection.app.state.settings.admin_api_key):  # type: ignore[arg-type]
        raise Unauthorized("admin routes take Authorization: Bearer <BOOKHUB_ADMIN_API_KEY>")


class AdminController(Controller):
    path = "/admin"
    tags = ["admin"]
    guards = [admin_only]
    security = ADMIN_ONLY

    @get("/bookings", responses=problems("unauthorized", "invalid_request"))
    async def bookings(
        self,
        list_bookings: Inject[ListBookings],
        status: FromQuery[BookingStatus | None] = None,
        offering_id: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
        customer_email: Annotated[str | None, QueryParameter(min_length=1, max_length=255)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_LIST_OFFSET, schema_extra=EXACT_OFFSET)] = 0,
    ) -> BookingList:
        for name, value in (("offering_id", offering_id), ("customer_email", customer_email)):
            if value is not None and text_with_nul(value) is not None:
                raise InvalidRequest("text holds a NUL character", {name: NUL_REASON})
        views = await list_bookings(
            status=status, offering_id=offering_id, customer_email=customer_email, limit=limit, offset=offset
        )
        return BookingList([booking_out(v) for v in views])

    @post(
        "/bookings/{booking_id:uuid}/ready",
        status_code=200,
        responses=problems("unauthorized", "not_found", "not_dispatched", "illegal_transition", "conflict"),
    )
    async def ready(
        self,
        booking_id: FromPath[UUID],
        mark_ready: Inject[MarkReady],
        get_booking: Inject[GetBooking],
    ) -> BookingOut:
        """The service is done: a dispatched booking sends its delivery trip to the driver app (once,
        however often it is marked). 404 `not_found`; 409 `not_dispatched` for an offering that sends
        no driver, `illegal_transition` for a booking that is not under way."""
        await mark_ready(booking_id)
        return booking_out(await get_booking(booking_id, token=None, admin=True))

    @post(
        "/bookings/{booking_id:uuid}/extensions",
        status_code=201,
        before_request=json_body,
        responses=problems(
            *JSON_BODY, "unauthorized", "not_found", "extension_not_allowed", "conflict", "invalid_request"
        ),
    )
    async def propose_extension(
        self,
        booking_id: FromPath[UUID],
        data: JSONBody[ExtensionIn],
        propose_extension: Inject[ProposeExtensionHandler],
    ) -> ExtensionOut:
        """Extra work for a paid booking that is not over; the customer is told and approves it with the
        booking token. 404 `not_found`; 409 `extension_not_allowed`; 422 for an amount outside 1 to
        10,000,000 cents."""
        if text_with_nul(data.description) is not None:
            raise InvalidRequest("text holds a NUL character", {"description": NUL_REASON})
        cmd = ProposeExtension(booking_id, data.description, data.amount_cents)
        return extension_out(await propose_extension(cmd))

    @get("/sync-queue", responses=problems("unauthorized", "invalid_request"))
    async def sync_queue(
        self,
        list_sync_queue: Inject[ListSyncQueue],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 500,
    ) -> SyncQueueOut:
        """Outbox messages that are dead or retrying, most recent first."""
        return SyncQueueOut([sync_queue_item_out(m) for m in await list_sync_queue(limit=limit)])

    @post(
        "/sync-queue/{message_id:int}/retry",
        status_code=200,
        responses=problems("unauthorized", "not_found", "not_dead", "conflict", "invalid_request"),
    )
    async def retry(
        self,
        message_id: Annotated[int, PathParameter(ge=1, le=MAX_ID, schema_extra={"maximum": MAX_ID})],
        retry_outbox_message: Inject[RetryOutboxMessage],
    ) -> SyncQueueRetriedOut:
        """Puts a dead message back to pending: 404 for an unknown id, 409 `not_dead` otherwise."""
        await retry_outbox_message(message_id)
        return SyncQueueRetriedOut(message_id, "pending")
