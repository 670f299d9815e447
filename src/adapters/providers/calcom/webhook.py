"""Cal.com webhooks: verify `X-Cal-Signature-256` on the raw body and normalise the booking triggers
into the hub's terms (PROVIDERS.md §4b)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from application.errors import InvalidPayload, InvalidSignature
from application.scheduling.commands import AppointmentReported, Attendee, ProviderAppointment
from application.webhooks import IGNORED, Ignored
from domain.slot import Slot

PROVIDER = "calcom"
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


class CalComWebhook:
    provider = PROVIDER
    signature_refusal_status = 400
    payload_refusal_code = "invalid_request"

    def __init__(self, secret: str | None) -> None:
        self._secret = secret

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AppointmentReported | Ignored:
        if not signature_matches(self._secret, body, headers.get("x-cal-signature-256")):
            raise InvalidSignature("the X-Cal-Signature-256 header does not match the body")
        try:
            event = appointment_reported(body)
        except MalformedWebhook as exc:
            raise InvalidPayload("not a Cal.com booking webhook", {"body": str(exc)[:200]}) from exc
        return IGNORED if event is None else event
