"""The ERP ingest sender against a local HTTP sink: the exact body and header, and what is retried."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest

from adapters.providers.erp.senders import HttpErpSender
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import ClaimedMessage
from domain.outbox import OutboxState
from tests.support.sink import http_sink

BOOKING = uuid.UUID("6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d")
SECRET = "ingest-secret-0123"


def message() -> ClaimedMessage:
    return ClaimedMessage(1, "erp.booking_confirmed", f"booking_confirmed:{BOOKING}:v1", BOOKING, {}, 1)


async def test_a_paid_booking_is_posted_with_the_four_keys_and_the_ingest_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bookhub.erp")
    with http_sink() as sink:
        async with httpx.AsyncClient() as http:
            result = await HttpErpSender(http, url=sink.url, secret=SECRET).send(message())

    assert result is OutboxState.DELIVERED
    [request] = sink.received
    assert request.path == "/ingest"
    assert request.headers["x-ingest-secret"] == SECRET
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "event": "booking_confirmed",
        "version": "v1",
        "booking_id": str(BOOKING),
        "idempotency_key": f"booking_confirmed:{BOOKING}:v1",
    }
    assert list(request.json()) == ["event", "version", "booking_id", "idempotency_key"]
    assert [r.getMessage() for r in caplog.records] == [f"erp ingest booking {BOOKING}: HTTP 200"]
    assert SECRET not in caplog.text


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
async def test_server_errors_timeouts_and_rate_limits_are_tried_again(status: int) -> None:
    with http_sink(status=status) as sink:
        async with httpx.AsyncClient() as http:
            with pytest.raises(ProviderUnavailable, match=f"erp answered HTTP {status}"):
                await HttpErpSender(http, url=sink.url, secret=SECRET).send(message())


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 301])
async def test_other_refusals_are_permanent(status: int) -> None:
    with http_sink(status=status) as sink:
        async with httpx.AsyncClient() as http:
            with pytest.raises(ProviderRejected, match=f"erp answered HTTP {status}"):
                await HttpErpSender(http, url=sink.url, secret=SECRET).send(message())


async def test_an_erp_slower_than_2000_ms_is_a_timeout_to_try_again() -> None:
    with http_sink(delay=2.5) as sink:
        async with httpx.AsyncClient() as http:
            with pytest.raises(ProviderUnavailable, match="timed out after 2000 ms"):
                await HttpErpSender(http, url=sink.url, secret=SECRET).send(message())


async def test_an_erp_that_does_not_listen_is_tried_again() -> None:
    with http_sink() as sink:
        url = sink.url
    async with httpx.AsyncClient() as http:
        with pytest.raises(ProviderUnavailable, match="erp unreachable: ConnectError"):
            await HttpErpSender(http, url=url, secret=SECRET).send(message())
