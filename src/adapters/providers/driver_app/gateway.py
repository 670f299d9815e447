"""The driver dispatch app, trips out: its camelCase contract, HMAC-signed."""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

import httpx
import msgspec

from adapters.providers.driver_app.signature import SIGNATURE_HEADER, sign
from adapters.providers.http_lanes import HttpClient
from application.errors import ProviderRejected, ProviderUnavailable
from domain.dispatch import Address, Trip

log = logging.getLogger("bookhub.driver_app")

TIMEOUT_SECONDS = 10.0
RETRYABLE_4XX = frozenset({408, 429})


def trip_body(trip: Trip) -> bytes:
    d = trip.dispatch
    body: dict[str, Any] = {
        "type": trip.kind.value,
        "bookingId": str(trip.booking_id),
        "customerId": str(trip.customer_id),
        "customerName": trip.customer_name,
        "customerPhone": trip.customer_phone,
        "pickupAddress": _address(d.pickup),
    }
    if d.delivery is not None:
        body["deliveryAddress"] = _address(d.delivery)
    vehicle = {"brand": d.vehicle.brand, "model": d.vehicle.model}
    if d.vehicle.license_plate:
        vehicle["licensePlate"] = d.vehicle.license_plate
    body["vehicle"] = vehicle
    body["scheduledPickup"] = trip.scheduled_pickup.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if trip.notes:
        body["notes"] = trip.notes
    if trip.resource_id is not None:  # our extension: the trip again, after a manual assignment
        body["resourceId"] = trip.resource_id
    return msgspec.json.encode(body)


def _address(a: Address) -> dict[str, Any]:
    out: dict[str, Any] = {"street": a.street, "zip": a.zip, "city": a.city}
    if a.lat is not None:
        out["lat"] = a.lat
    if a.lng is not None:
        out["lng"] = a.lng
    return out


class DriverAppGateway:
    """POSTs each trip to DRIVER_APP_WEBHOOK_URL signed with `x-webhook-signature`. 2xx is delivered;
    408, 429, 5xx, timeouts and connection errors are tried again; any other answer is permanent. The
    body carries the name, phone and addresses the driver needs; logs carry the booking id and status."""

    def __init__(self, http: HttpClient, *, url: str, secret: str) -> None:
        self._http, self._url, self._secret = http, url, secret

    async def send_trip(self, trip: Trip, *, idempotency_key: str) -> None:
        body = trip_body(trip)
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, body),
            "idempotency-key": idempotency_key,  # ours: the same for retries of one message
        }
        booking = trip.booking_id
        try:
            response = await self._http.post(
                self._url, content=body, headers=headers, timeout=TIMEOUT_SECONDS
            )
        except httpx.TimeoutException as exc:
            log.warning("driver app %s for booking %s: timed out", trip.kind.value, booking)
            raise ProviderUnavailable("driver app timed out") from exc
        except httpx.HTTPError as exc:
            log.warning("driver app %s for booking %s: %s", trip.kind.value, booking, type(exc).__name__)
            raise ProviderUnavailable(f"driver app unreachable: {type(exc).__name__}") from exc
        status = response.status_code
        log.info("driver app %s for booking %s: HTTP %s", trip.kind.value, booking, status)
        if 200 <= status < 300:
            return
        if status >= 500 or status in RETRYABLE_4XX:
            raise ProviderUnavailable(f"driver app answered HTTP {status}")
        raise ProviderRejected(f"driver app answered HTTP {status}")
