"""The driver app gateway against a local HTTP sink: its camelCase body, the signature, and retries."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from uuid import UUID

import httpx
import msgspec
import pytest

from adapters.providers.driver_app.gateway import DriverAppGateway
from adapters.providers.driver_app.signature import signature_matches
from adapters.providers.driver_app.webhook import parse_status_update
from application.errors import ProviderRejected, ProviderUnavailable
from domain.dispatch import Address, Dispatch, Trip, TripKind, TripStatus, Vehicle
from tests.support.sink import http_sink

SECRET = "driver-secret-0123"
BOOKING = UUID("6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d")
CUSTOMER = UUID("0b6c0a3e-7f5b-4c4e-9a59-3c2f1a0b9d8e")
TRIP = Trip(
    kind=TripKind.PICKUP,
    booking_id=BOOKING,
    customer_id=CUSTOMER,
    customer_name="Ada Lovelace",
    customer_phone="+33612345678",
    dispatch=Dispatch(
        Address("1 rue de Rivoli", "75001", "Paris", lat=48.86, lng=2.35),
        Vehicle("Renault", "Clio", "AB-123-CD"),
    ),
    scheduled_pickup=datetime(2027, 6, 1, 8, 0, tzinfo=UTC),
)


async def test_a_trip_is_posted_in_the_driver_apps_own_shape_and_signed_over_its_bytes() -> None:
    with http_sink() as sink:
        async with httpx.AsyncClient() as http:
            await DriverAppGateway(http, url=sink.url, secret=SECRET).send_trip(TRIP, idempotency_key="k")
    [request] = sink.received
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-webhook-signature"] == expected
    assert request.json() == {
        "type": "b2c_pickup",
        "bookingId": str(BOOKING),
        "customerId": str(CUSTOMER),
        "customerName": "Ada Lovelace",
        "customerPhone": "+33612345678",
        "pickupAddress": {
            "street": "1 rue de Rivoli",
            "zip": "75001",
            "city": "Paris",
            "lat": 48.86,
            "lng": 2.35,
        },
        "vehicle": {"brand": "Renault", "model": "Clio", "licensePlate": "AB-123-CD"},
        "scheduledPickup": "2027-06-01T08:00:00Z",
    }


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, ProviderUnavailable),
        (503, ProviderUnavailable),
        (429, ProviderUnavailable),
        (408, ProviderUnavailable),
        (400, ProviderRejected),
        (401, ProviderRejected),
        (404, ProviderRejected),
    ],
)
async def test_what_the_driver_app_refuses_is_retried_or_given_up(
    status: int, error: type[Exception]
) -> None:
    with http_sink(status=status) as sink:
        async with httpx.AsyncClient() as http:
            with pytest.raises(error, match=f"HTTP {status}"):
                await DriverAppGateway(http, url=sink.url, secret=SECRET).send_trip(TRIP, idempotency_key="k")


async def test_a_driver_app_that_cannot_be_reached_is_retried() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ProviderUnavailable):
            await DriverAppGateway(http, url="http://127.0.0.1:9/", secret=SECRET).send_trip(
                TRIP, idempotency_key="k"
            )


def test_a_signature_matches_only_the_exact_body_and_secret() -> None:
    body = b'{"bookingId": "x", "status": "assigned"}'
    good = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert signature_matches(SECRET, body, good)
    assert signature_matches(SECRET, body, good.upper())
    assert not signature_matches(SECRET, body + b" ", good)
    assert not signature_matches("other", body, good)
    assert not signature_matches(SECRET, body, None)
    assert not signature_matches(None, body, good)


def test_a_status_update_is_keyed_by_its_event_id_else_by_booking_status_and_time() -> None:
    with_id = {
        "bookingId": str(BOOKING),
        "status": "arrived",
        "timestamp": "t",
        "eventId": "ev-1",
        "extra": 1,
    }
    without = {"bookingId": str(BOOKING), "status": "arrived", "timestamp": "2027-06-01T08:00:00Z"}
    first, second = (parse_status_update(json.dumps(b).encode()) for b in (with_id, without))
    assert (first.event_id, first.booking_id, first.status) == ("ev-1", BOOKING, TripStatus.ARRIVED)
    assert second.event_id == f"{BOOKING}:arrived:2027-06-01T08:00:00Z"


def test_an_unknown_status_or_booking_id_is_read_but_marked_unknown() -> None:
    report = parse_status_update(b'{"bookingId": "B-17", "status": "teleported", "timestamp": 1}')
    assert (report.booking_id, report.status) == (None, None)
    with pytest.raises(msgspec.ValidationError):
        parse_status_update(b'{"status": "arrived"}')
