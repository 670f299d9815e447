"""The inbound-webhook port, adapter by adapter: verify first, then a command, IGNORED, or a refusal
whose answer the adapter names. Acuity fetches the appointment inside its parse."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from adapters.providers.acuity.client import AcuityClient
from adapters.providers.acuity.webhook import AcuityWebhook
from adapters.providers.airwallex.webhook import AirwallexWebhook
from adapters.providers.calcom.webhook import CalComWebhook
from adapters.providers.driver_app.webhook import DriverAppWebhook
from adapters.providers.stripe.webhook import StripeWebhook
from application.errors import InvalidPayload, InvalidSignature, ProviderUnavailable
from application.scheduling.commands import AppointmentReported
from application.webhooks import IGNORED, InboundWebhook
from tests.support.providers import (
    ACUITY_API_KEY,
    ACUITY_USER_ID,
    CAL_WEBHOOK_SECRET,
    acuity_appointment,
    acuity_notification,
    acuity_signature,
    cal_webhook,
)

DRIVER_SECRET = "driver-secret-0123"


def _acuity(answer: httpx.Response | Exception, fetched: list[str]) -> AcuityWebhook:
    def reply(request: httpx.Request) -> httpx.Response:
        fetched.append(request.url.path)
        if isinstance(answer, Exception):
            raise answer
        return answer

    http = httpx.AsyncClient(transport=httpx.MockTransport(reply))
    client = AcuityClient(http, user_id=ACUITY_USER_ID, api_key=ACUITY_API_KEY, api_base="http://acuity.test")
    return AcuityWebhook(client, api_key=ACUITY_API_KEY)


async def test_acuity_fetches_the_appointment_a_signed_notification_names() -> None:
    fetched: list[str] = []
    adapter = _acuity(httpx.Response(200, json=acuity_appointment(501)), fetched)
    body, headers = acuity_notification("scheduled", 501)
    command = await adapter.parse(body, headers)
    assert isinstance(command, AppointmentReported)
    assert (command.event_type, command.appointment.reference, command.appointment.provider) == (
        "scheduled",
        "501",
        "acuity",
    )
    assert fetched == ["/api/v1/appointments/501"]


async def test_acuity_fetches_nothing_for_a_forged_or_unfollowed_notification() -> None:
    fetched: list[str] = []
    adapter = _acuity(httpx.Response(200, json=acuity_appointment(501)), fetched)
    body, headers = acuity_notification("scheduled", 501)
    with pytest.raises(InvalidSignature):
        await adapter.parse(body + b"&x=1", headers)
    other = b"action=order.completed&id=7"
    assert await adapter.parse(other, {"x-acuity-signature": acuity_signature(other)}) is IGNORED
    assert fetched == []


@pytest.mark.parametrize("answer", [httpx.Response(503), httpx.ConnectError("down")])
async def test_an_acuity_outage_during_the_fetch_is_provider_unavailable(
    answer: httpx.Response | Exception,
) -> None:
    adapter = _acuity(answer, [])
    body, headers = acuity_notification("scheduled", 501)
    with pytest.raises(ProviderUnavailable):
        await adapter.parse(body, headers)


def test_calcom_ignores_a_trigger_it_does_not_follow_and_refuses_a_malformed_booking() -> None:
    adapter = CalComWebhook(CAL_WEBHOOK_SECRET)
    assert adapter.parse(*cal_webhook("MEETING_ENDED", {"uid": "cal-1"})) is IGNORED
    with pytest.raises(InvalidPayload) as refused:
        adapter.parse(*cal_webhook("BOOKING_CREATED", {"uid": ""}))
    assert set(refused.value.fields) == {"body"}


def test_the_driver_app_refuses_a_signed_body_that_is_not_a_status_update() -> None:
    body = json.dumps({"status": "arrived"}).encode()
    signature = hmac.new(DRIVER_SECRET.encode(), body, hashlib.sha256).hexdigest()
    with pytest.raises(InvalidPayload) as refused:
        DriverAppWebhook(DRIVER_SECRET).parse(body, {"x-webhook-signature": signature})
    assert set(refused.value.fields) == {"body"}
    with pytest.raises(InvalidSignature):
        DriverAppWebhook(DRIVER_SECRET).parse(body, {})


@pytest.mark.parametrize(
    ("adapter", "answers"),
    [
        (StripeWebhook("whsec"), ("stripe", 400, "invalid_payload")),
        (AirwallexWebhook("whsec"), ("airwallex", 400, "invalid_payload")),
        (_acuity(httpx.Response(200), []), ("acuity", 400, "invalid_payload")),
        (CalComWebhook("s"), ("calcom", 400, "invalid_request")),
        (DriverAppWebhook("s"), ("driver_app", 401, "invalid_request")),
    ],
)
def test_each_adapter_names_how_its_refusals_are_answered(
    adapter: InboundWebhook, answers: tuple[str, int, str]
) -> None:
    assert (adapter.provider, adapter.signature_refusal_status, adapter.payload_refusal_code) == answers
