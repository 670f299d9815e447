"""The driver dispatch app, status updates back: signed like the trips, answered 401 when the signature
does not match (its contract)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from uuid import UUID

import msgspec

from adapters.providers.driver_app.signature import SIGNATURE_HEADER, signature_matches
from application.dispatch.commands import PROVIDER, TripStatusReported
from application.errors import InvalidPayload, InvalidSignature
from domain.dispatch import TripStatus

MAX_EVENT_ID = 255


class DriverAppWebhook:
    provider = PROVIDER
    signature_refusal_status = 401
    payload_refusal_code = "invalid_request"

    def __init__(self, secret: str | None) -> None:
        self._secret = secret

    def parse(self, body: bytes, headers: Mapping[str, str]) -> TripStatusReported:
        if not signature_matches(self._secret, body, headers.get(SIGNATURE_HEADER)):
            raise InvalidSignature("the x-webhook-signature does not match the body")
        try:
            return parse_status_update(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise InvalidPayload("not a driver app status update", {"body": str(exc)}) from exc


class _StatusUpdate(msgspec.Struct, rename="camel"):
    """The driver app's status update (`bookingId`, `tripId`, …); fields we do not know are ignored."""

    booking_id: str
    status: str
    timestamp: str | int | float | None = None
    trip_id: str | int | None = None
    event_id: str | int | None = None


def parse_status_update(body: bytes) -> TripStatusReported:
    """Raises msgspec.DecodeError (a ValueError) for a body that is not such an update."""
    update = msgspec.json.decode(body, type=_StatusUpdate)
    key = str(update.event_id) if update.event_id not in (None, "") else None
    if key is None:
        key = f"{update.booking_id}:{update.status}:{update.timestamp}"
    if len(key) > MAX_EVENT_ID:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return TripStatusReported(
        event_id=key,
        booking_id=_uuid(update.booking_id),
        status=TripStatus(update.status) if update.status in TripStatus._value2member_map_ else None,
        trip_id=None if update.trip_id is None else str(update.trip_id)[:100],
    )


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
