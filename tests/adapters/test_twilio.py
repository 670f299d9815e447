"""The Twilio gateway against a local HTTP sink: the form Twilio documents, and what is retried."""

from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.providers.twilio import gateway as twilio
from adapters.providers.twilio.gateway import TwilioSmsGateway
from application.errors import ProviderRejected, ProviderUnavailable
from domain.notifications import Sms
from tests.support.sink import http_sink

SMS = Sms("+33612345678", "Hello Ada, see you on 2027-06-01 10:00.")
KEY = "sms.booking_confirmed:6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d"


def _gateway(http: httpx.AsyncClient, base: str) -> TwilioSmsGateway:
    return TwilioSmsGateway(http, account_sid="AC123", auth_token="tok", sender="+15005550006", api_base=base)


async def test_an_sms_is_posted_as_a_form_with_basic_auth_from_the_configured_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bookhub.twilio")
    with http_sink(status=201, body=b'{"sid": "SM1", "status": "queued"}') as sink:
        async with httpx.AsyncClient() as http:
            await _gateway(http, sink.base).send_sms(SMS, idempotency_key=KEY)
    [request] = sink.received
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"AC123:tok").decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {
        "To": ["+33612345678"],
        "From": ["+15005550006"],
        "Body": ["Hello Ada, see you on 2027-06-01 10:00."],
    }
    assert [r.getMessage() for r in caplog.records] == [f"twilio {KEY}: HTTP 201"]


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (500, 20500, ProviderUnavailable),
        (503, 20503, ProviderUnavailable),
        (429, 20429, ProviderUnavailable),
        (400, 21211, ProviderRejected),
        (401, 20003, ProviderRejected),
        (404, 20404, ProviderRejected),
    ],
)
async def test_what_twilio_refuses_is_retried_or_given_up(
    status: int, code: int, error: type[Exception]
) -> None:
    body = f'{{"code": {code}, "message": "The To number +33612345678 is not valid", "status": {status}}}'
    with http_sink(status=status, body=body.encode()) as sink:
        async with httpx.AsyncClient() as http:
            with pytest.raises(error) as raised:
                await _gateway(http, sink.base).send_sms(SMS, idempotency_key=KEY)
    assert str(raised.value) == f"twilio answered HTTP {status} {code}"  # the code, never the message


async def test_a_twilio_that_does_not_answer_in_time_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twilio, "TIMEOUT_SECONDS", 0.2)
    with http_sink(status=201, delay=1.0) as sink:
        async with httpx.AsyncClient() as http:
            with pytest.raises(ProviderUnavailable, match="timed out"):
                await _gateway(http, sink.base).send_sms(SMS, idempotency_key=KEY)


async def test_a_twilio_that_cannot_be_reached_is_retried() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ProviderUnavailable, match="unreachable"):
            await _gateway(http, "http://127.0.0.1:9").send_sms(SMS, idempotency_key=KEY)
