"""A package's sessions: schedule one, cancel one (the booking's token, or the admin key)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody

from application.bookings.queries import check_instant
from application.packages.commands import ScheduleSession
from application.packages.sessions import CancelSession, ScheduleSessionHandler
from entrypoints.http.auth import token_or_admin
from entrypoints.http.deps import Inject
from entrypoints.http.json_body import json_body
from entrypoints.http.openapi import JSON_BODY, problems
from entrypoints.http.package_schemas import SessionIn, SessionOut, session_out
from entrypoints.settings import Settings


class SessionController(Controller):
    path = "/v1/bookings/{booking_id:uuid}/sessions"
    tags = ["bookings"]

    @post(
        "/",
        status_code=201,
        before_request=json_body,
        responses=problems(
            *JSON_BODY,
            "unauthorized",
            "not_found",
            "unknown_offering",
            "not_a_package",
            "payment_required",
            "illegal_transition",
            "no_sessions_left",
            "slot_unavailable",
            "conflict",
            "invalid_request",
            "outside_validity",
            "provider_unavailable",
        ),
    )
    async def schedule(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        data: JSONBody[SessionIn],
        schedule_session: Inject[ScheduleSessionHandler],
        settings: Inject[Settings],
    ) -> SessionOut:
        """One session of a paid package at `start`, on the hub's availability (and at Cal.com where the
        offering maps an event type): 409 `no_sessions_left` once every credit is taken, 422
        `outside_validity` for a start after the package's `valid_until`."""
        token, admin = token_or_admin(request, settings.admin_api_key)
        check_instant("start", data.start)
        command = ScheduleSession(booking_id, data.start, timezone=data.timezone, token=token, admin=admin)
        return session_out(await schedule_session(command))

    @post(
        "/{session_id:uuid}/cancel",
        status_code=200,
        responses=problems("unauthorized", "not_found", "not_a_package", "illegal_transition", "conflict"),
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        session_id: FromPath[UUID],
        cancel_session: Inject[CancelSession],
        settings: Inject[Settings],
    ) -> SessionOut:
        """Cancel one session: cancelled at least the offering's `free_cancellation_hours` before its
        start (or, without them, before it starts), its credit goes back to the package; a session that
        has begun stays (409 `illegal_transition`)."""
        token, admin = token_or_admin(request, settings.admin_api_key)
        return session_out(await cancel_session(booking_id, session_id, token=token, admin=admin))
