"""The Acuity and Cal.com adapters on their own: signatures, notifications, and what is retried."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from adapters.memory.store import FakeUnitOfWorkFactory
from adapters.providers.acuity import notification as acuity_notification
from adapters.providers.acuity import webhook as acuity
from adapters.providers.calcom import webhook as calcom
from adapters.providers.calcom.client import CalComClient
from adapters.providers.calcom.senders import CalComCancelSender, CalComRescheduleSender
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import ClaimedMessage
from domain.outbox import OutboxState
from domain.slot import Slot
from tests.domain.builders import NOW, a_booking
from tests.support.providers import ACUITY_API_KEY, CAL_WEBHOOK_SECRET, acuity_signature, cal_signature

BOOKING = uuid.UUID("6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d")


def test_the_acuity_signature_is_base64_hmac_sha256_of_the_raw_body_with_the_api_key() -> None:
    body = b"action=scheduled&id=501&calendarID=1&appointmentTypeID=1001"
    assert acuity.signature_matches(ACUITY_API_KEY, body, acuity_signature(body))
    assert not acuity.signature_matches(ACUITY_API_KEY, body + b"&x=1", acuity_signature(body))
    assert not acuity.signature_matches(ACUITY_API_KEY, body, acuity_signature(body, "another-key"))
    assert not acuity.signature_matches(None, body, acuity_signature(body))
    assert not acuity.signature_matches(ACUITY_API_KEY, body, None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"action=scheduled&id=501", ("scheduled", "501")),
        (b"action=appointment.rescheduled&id=501", ("rescheduled", "501")),
        (b"action=appointment.canceled&id=7", ("canceled", "7")),
        (b"action=changed&id=7", ("changed", "7")),
        (b"action=order.completed&id=7", None),
        (b"action=scheduled", None),
        (b"action=scheduled&id=../../admin", None),
        (b"\xff\xfe", None),
    ],
)
def test_acuity_notifications_are_read_in_both_spellings(
    body: bytes, expected: tuple[str, str] | None
) -> None:
    notification = acuity_notification.parse_notification(body)
    assert (None if notification is None else (notification.action, notification.appointment_id)) == expected


def test_the_cal_signature_is_hex_hmac_sha256_and_no_secret_provided_never_matches() -> None:
    body = b'{"triggerEvent":"BOOKING_CREATED"}'
    assert calcom.signature_matches(CAL_WEBHOOK_SECRET, body, cal_signature(body))
    assert calcom.signature_matches(CAL_WEBHOOK_SECRET, body, cal_signature(body).upper())
    assert not calcom.signature_matches(CAL_WEBHOOK_SECRET, body, "no-secret-provided")
    assert not calcom.signature_matches(None, body, cal_signature(body, ""))


def message(uid: object = "uid-1") -> ClaimedMessage:
    key = f"calcom.booking_cancelled:{BOOKING}:{uid}"
    return ClaimedMessage(1, "calcom.booking_cancelled", key, BOOKING, {"uid": uid}, 1)


def sender(status: int, seen: list[httpx.Request]) -> CalComCancelSender:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"status": "success" if status < 300 else "error"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return CalComCancelSender(
        CalComClient(http, api_key="cal_k", api_base="http://cal.test", api_version="2024-08-13")
    )


@pytest.mark.parametrize("status", [200, 404])
async def test_a_cancellation_cal_com_took_or_has_nothing_to_cancel_is_delivered(status: int) -> None:
    seen: list[httpx.Request] = []
    assert await sender(status, seen).send(message()) is OutboxState.DELIVERED
    [request] = seen
    assert (request.method, request.url.path) == ("POST", "/v2/bookings/uid-1/cancel")
    assert request.headers["cal-api-version"] == "2024-08-13"
    assert request.headers["authorization"] == "Bearer cal_k"


@pytest.mark.parametrize(
    ("status", "error"), [(503, ProviderUnavailable), (429, ProviderUnavailable), (400, ProviderRejected)]
)
async def test_a_failed_cancellation_is_retried_or_given_up(status: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        await sender(status, []).send(message())


async def test_a_cancellation_without_a_uid_is_given_up() -> None:
    with pytest.raises(ProviderRejected):
        await sender(200, []).send(message(uid=None))


@pytest.mark.parametrize(
    ("status", "raised"), [(503, ProviderUnavailable), (429, ProviderUnavailable), (400, ProviderRejected)]
)
async def test_a_reschedule_cal_com_refuses_is_retried_or_given_up(
    status: int, raised: type[Exception]
) -> None:

    booking = a_booking(slot=Slot(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1)))
    booking.mark_paid(now=NOW)
    uow = FakeUnitOfWorkFactory()
    uow.state.bookings[booking.id] = booking
    start = booking.slot.start.isoformat() if booking.slot else ""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"status": "error"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = CalComClient(http, api_key="cal_k", api_base="http://cal.test", api_version="2024-08-13")
    message = ClaimedMessage(
        1, "calcom.booking_rescheduled", "k", booking.id, {"uid": "uid-1", "start": start}, 1
    )
    with pytest.raises(raised):
        await CalComRescheduleSender(client, uow).send(message)
    assert [r.url.path for r in seen] == ["/v2/bookings/uid-1/reschedule"]
