"""The Resend gateway against a local HTTP sink: the request Resend documents, and what is retried."""

from __future__ import annotations

import logging

import httpx
import pytest

from adapters.providers.resend.gateway import ResendEmailGateway
from application.errors import ProviderRejected, ProviderUnavailable
from domain.notifications import Email
from tests.support.sink import http_sink

EMAIL = Email("ada@example.com", "Booked", "Hello Ada", "<p>Hello Ada</p>")
KEY = "email.booking_confirmed:6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d"


async def test_an_email_is_posted_with_the_api_key_and_the_idempotency_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bookhub.resend")
    with http_sink() as sink:
        async with httpx.AsyncClient() as http:
            gateway = ResendEmailGateway(
                http, api_key="re_test", sender="Bookings <b@x.test>", api_base=sink.base
            )
            await gateway.send_email(EMAIL, idempotency_key=KEY)
    [request] = sink.received
    assert request.path == "/emails"
    assert (request.headers["authorization"], request.headers["idempotency-key"]) == ("Bearer re_test", KEY)
    assert request.json() == {
        "from": "Bookings <b@x.test>",
        "to": ["ada@example.com"],
        "subject": "Booked",
        "html": "<p>Hello Ada</p>",
        "text": "Hello Ada",
    }
    assert [r.getMessage() for r in caplog.records] == [f"resend {KEY}: HTTP 200"]


@pytest.mark.parametrize(
    ("status", "name", "error"),
    [
        (503, "internal_server_error", ProviderUnavailable),
        (429, "rate_limit_exceeded", ProviderUnavailable),
        (409, "concurrent_idempotent_requests", ProviderUnavailable),
        (409, "invalid_idempotent_request", ProviderRejected),
        (422, "validation_error", ProviderRejected),
        (403, "invalid_api_key", ProviderRejected),
    ],
)
async def test_what_resend_refuses_is_retried_or_given_up(
    status: int, name: str, error: type[Exception]
) -> None:
    body = f'{{"statusCode": {status}, "message": "to: ada@example.com is bad", "name": "{name}"}}'
    with http_sink(status=status, body=body.encode()) as sink:
        async with httpx.AsyncClient() as http:
            gateway = ResendEmailGateway(http, api_key="re_test", sender="b@x.test", api_base=sink.base)
            with pytest.raises(error) as raised:
                await gateway.send_email(EMAIL, idempotency_key=KEY)
    assert str(raised.value) == f"resend answered HTTP {status} {name}"  # the name, never the message
