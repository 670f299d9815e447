"""Cal.com webhooks: verify `X-Cal-Signature-256` on the raw body and normalise the booking triggers
into the hub's terms (PROVIDERS.md §4b). Logs carry the trigger and uid only."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from adapters.providers.http_lanes import HttpLanes
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import CalendarBookingRequest, ClaimedMessage, ProviderBooking
from application.scheduling.commands import AppointmentReported, Attendee, ProviderAppointment
from domain.outbox import OutboxState
from domain.slot import Slot

log = logging.getLogger("bookhub.calcom")

TRIGGERS = frozenset({"BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED", "BOOKING_PAID"})


class MalformedWebhook(ValueError):
    """A signed body that is not the JSON Cal.com sends."""


def signature_matches(secret: str | None, body: bytes, header: str | None) -> bool:
    """hex(HMAC-SHA256(webhook secret, raw body)); `no-secret-provided` never matches."""
    if not secret or not header:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


class _Envelope(msgspec.Struct, frozen=True, rename="camel"):
    trigger_event: str
    payload: msgspec.Raw = msgspec.Raw(b"{}")
    created_at: str = ""


class _Attendee(msgspec.Struct, frozen=True, rename="camel"):
    email: str = ""
    name: str = ""
    time_zone: str | None = None
    phone_number: str | None = None
    language: Any = None  # {"locale": "fr"} in webhooks, "fr" in the REST API


class _Payload(msgspec.Struct, frozen=True, rename="camel"):
    uid: str
    start_time: str | None = None
    end_time: str | None = None
    event_type_id: int | None = None
    attendees: list[_Attendee] = []
    reschedule_uid: str | None = None
    location: str | None = None
    metadata: dict[str, Any] = {}
    responses: dict[str, Any] = {}


_envelope = msgspec.json.Decoder(_Envelope).decode
_payload = msgspec.json.Decoder(_Payload).decode


def appointment_reported(body: bytes) -> AppointmentReported | None:
    """The booking trigger in the hub's terms; None for a trigger we do not follow. The event id is the
    trigger, the uid and the times: Cal.com sends no event id, and a repeated delivery repeats these."""
    try:
        envelope = _envelope(body)
        if envelope.trigger_event not in TRIGGERS:
            return None
        p = _payload(envelope.payload)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise MalformedWebhook(str(exc)) from exc
    trigger = envelope.trigger_event
    if not p.uid or len(p.uid) > 200:
        raise MalformedWebhook("a booking trigger without a usable uid")
    slot = _slot(p.start_time, p.end_time)
    event_id = f"{trigger}:{p.uid}:{p.start_time}:{p.end_time}"
    attendee = p.attendees[0] if p.attendees else None
    appointment = ProviderAppointment(
        provider="calcom",
        reference=p.uid,
        type_id=p.event_type_id,
        slot=slot,
        cancelled=trigger == "BOOKING_CANCELLED",
        attendee=_attendee(attendee) if attendee is not None else None,
        intake=_intake(p.responses),
        paid=trigger == "BOOKING_PAID",
        previous_reference=p.reschedule_uid if trigger == "BOOKING_RESCHEDULED" else None,
        meeting_url=_meeting_url(p),
    )
    return AppointmentReported(event_id[:255], trigger, appointment)


def _slot(start: str | None, end: str | None) -> Slot | None:
    if not start or not end:
        return None
    try:
        s, e = datetime.fromisoformat(start), datetime.fromisoformat(end)
    except ValueError as exc:
        raise MalformedWebhook("startTime and endTime are ISO 8601") from exc
    if s.tzinfo is None or e.tzinfo is None or e <= s:
        raise MalformedWebhook("startTime and endTime are UTC instants, end after start")
    return Slot(s.astimezone(UTC), e.astimezone(UTC))


def _attendee(a: _Attendee) -> Attendee:
    language = a.language.get("locale") if isinstance(a.language, dict) else a.language
    return Attendee(
        name=a.name,
        email=a.email,
        phone=a.phone_number or None,
        locale=language if isinstance(language, str) and 0 < len(language) <= 16 else None,
    )


def _intake(responses: dict[str, Any]) -> dict[str, Any]:
    """The booking questions' answers, without the attendee's own name and email."""
    answers: dict[str, Any] = {}
    for name, entry in responses.items():
        if name in ("name", "email") or not isinstance(entry, dict):
            continue
        value = entry.get("value")
        if isinstance(value, str | int | float | bool) and str(value).strip():
            answers[str(entry.get("label") or name)[:100]] = str(value)[:1000]
    return {"Cal.com": answers} if answers else {}


def _meeting_url(p: _Payload) -> str | None:
    url = p.metadata.get("videoCallUrl")
    if isinstance(url, str) and url.startswith("https://"):
        return url[:500]
    if p.location and p.location.startswith("https://"):
        return p.location[:500]
    return None


TIMEOUT_SECONDS = 10.0
RETRYABLE_4XX = frozenset({408, 429})


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


class CalComCancelSender:
    """`calcom.booking_cancelled`: cancels the Cal.com booking of a booking cancelled in the hub. A 404
    (no such booking there) has nothing left to cancel; 408, 429 and 5xx are tried again."""

    def __init__(self, client: CalComClient) -> None:
        self._client = client

    async def send(self, message: ClaimedMessage) -> OutboxState:
        uid = message.payload.get("uid")
        if not isinstance(uid, str) or not uid:
            raise ProviderRejected("calcom message without a uid")
        status = await self._client.cancel_booking(uid, booking=str(message.booking_id))
        if 200 <= status < 300 or status == 404:
            return OutboxState.DELIVERED
        if status >= 500 or status in RETRYABLE_4XX:
            raise ProviderUnavailable(f"Cal.com answered HTTP {status}")
        raise ProviderRejected(f"Cal.com answered HTTP {status}")
