"""Cal.com API v2: bookings made and cancelled for the hub's bookings. Logs carry the booking id and
status only."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import msgspec

from adapters.providers.http_lanes import HttpLanes
from application.errors import ProviderUnavailable
from application.ports import CalendarBookingRequest, ProviderBooking

log = logging.getLogger("bookhub.calcom")

TIMEOUT_SECONDS = 10.0


class _CalBooking(msgspec.Struct, frozen=True, rename="camel"):
    uid: str
    meeting_url: str | None = None
    location: str | None = None


class _Created(msgspec.Struct, frozen=True):
    data: _CalBooking


_created = msgspec.json.Decoder(_Created).decode


class CalComClient:
    """Cal.com API v2 with the bookings controller pinned by `cal-api-version` (PROVIDERS.md §4a)."""

    def __init__(
        self, http: httpx.AsyncClient | HttpLanes, *, api_key: str | None, api_base: str, api_version: str
    ) -> None:
        self._http, self._base = http, api_base.rstrip("/")
        self._headers = {
            "authorization": f"Bearer {api_key or ''}",
            "cal-api-version": api_version,
            "content-type": "application/json",
        }

    async def create_booking(self, request: CalendarBookingRequest) -> ProviderBooking:
        body = msgspec.json.encode(
            {
                "start": request.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventTypeId": request.event_type_id,
                "attendee": {
                    "name": request.attendee_name,
                    "email": request.attendee_email,
                    "timeZone": request.time_zone,
                    **_language(request.locale),
                },
                "metadata": {"booking_id": str(request.booking_id)},
            }
        )
        booking = str(request.booking_id)
        response = await self._call("POST", "/v2/bookings", body, booking)
        if not 200 <= response.status_code < 300:
            raise ProviderUnavailable(f"Cal.com answered HTTP {response.status_code}")
        try:
            data = _created(response.content).data
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ProviderUnavailable("Cal.com answered a booking we could not read") from exc
        link = data.meeting_url or data.location
        return ProviderBooking(data.uid, link if link and link.startswith("https://") else None)

    async def reschedule_booking(self, uid: str, start: datetime, *, booking: str) -> tuple[int, str | None]:
        """`POST /v2/bookings/{uid}/reschedule`: the HTTP status, and on success the new booking's uid
        (Cal.com makes a new booking; the old uid is no longer active)."""
        body = msgspec.json.encode(
            {
                "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "reschedulingReason": "Moved at the customer's request",
            }
        )
        path = f"/v2/bookings/{quote(uid, safe='')}/reschedule"
        response = await self._call("POST", path, body, booking)
        if not 200 <= response.status_code < 300:
            return response.status_code, None
        try:
            return response.status_code, _created(response.content).data.uid
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ProviderUnavailable("Cal.com answered a booking we could not read") from exc

    async def cancel_booking(self, uid: str, *, booking: str) -> int:
        body = msgspec.json.encode({"cancellationReason": "Cancelled by the business"})
        return (
            await self._call("POST", f"/v2/bookings/{quote(uid, safe='')}/cancel", body, booking)
        ).status_code

    async def _call(self, method: str, path: str, body: bytes, booking: str) -> httpx.Response:
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                response = await self._http.request(
                    method, self._base + path, content=body, headers=self._headers, timeout=TIMEOUT_SECONDS
                )
        except (TimeoutError, httpx.HTTPError) as exc:
            log.warning("calcom %s for booking %s: %s", path.split("/")[-1], booking, type(exc).__name__)
            raise ProviderUnavailable("Cal.com could not be reached") from exc
        log.info("calcom %s for booking %s: HTTP %s", path.split("/")[-1], booking, response.status_code)
        return response


def _language(locale: str) -> dict[str, str]:
    """Cal.com takes its own list of languages: only the common ones are passed on."""
    language = locale.split("-")[0].lower()
    return {"language": language} if language in {"en", "fr", "es", "pt", "de", "it", "nl"} else {}
