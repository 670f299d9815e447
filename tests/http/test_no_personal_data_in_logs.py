"""Logs carry ids, never personal data: a whole booking flow, captured at DEBUG from every logger."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest

from adapters.memory.clock import FixedClock
from entrypoints.logs import WithoutExceptionText
from tests.support.app import ADMIN_KEY, running_app

NOW = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
NAME, EMAIL, PHONE = "Zacharie Quellenberg", "zacharie.q@example.org", "+33612345678"
CUSTOMER = {"name": NAME, "email": EMAIL, "phone": PHONE}
# Any of these in a record is a leak: the whole name or either half, the email however it is encoded,
# the phone with or without its country code.
PERSONAL = ("Zacharie", "Quellenberg", EMAIL, "zacharie.q%40example.org", "zacharie.q", PHONE, "612345678")
# Loggers that are not the service's: the test's own HTTP client logs the URLs it requests.
CLIENT_LOGGERS = ("httpx", "httpcore")
# The SQLite driver traces every statement with its parameters at DEBUG unless the service holds it
# above (see the test at DEBUG below).
DRIVER_LOGGERS = ("aiosqlite",)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _every_record(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Every record any logger emits, at DEBUG and up: through caplog and a handler of our own on root."""
    caplog.set_level(logging.DEBUG)
    handler, root = _Collect(), logging.getLogger()
    root.addHandler(handler)
    records: list[logging.LogRecord] = []
    try:
        yield records
    finally:
        root.removeHandler(handler)
        seen = {id(r) for r in handler.records}
        records.extend(handler.records + [r for r in caplog.records if id(r) not in seen])


def _rendered(record: logging.LogRecord) -> str:
    """The record as any handler could write it: formatted message, raw args, traceback, extra fields."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
    return "\n".join([formatter.format(record), repr(record.msg), repr(record.args), repr(extras)])


def _leaks(records: list[logging.LogRecord], secrets: tuple[str, ...]) -> list[str]:
    """Each leaking record, by logger and level, with the text around the first secret it holds."""
    leaks = []
    for record in records:
        text = _rendered(record)
        found = [text.lower().find(secret.lower()) for secret in secrets]
        at = min((i for i in found if i >= 0), default=-1)
        if at >= 0:
            leaks.append(f"{record.name} {record.levelname}: ...{text[max(0, at - 120) : at + 80]}...")
    return leaks


async def _whole_flow(client: httpx.AsyncClient) -> tuple[str, ...]:
    """Book, pay, read, list, cancel, fail; returns the credentials the flow used."""
    created = await client.post(
        "/v1/bookings",
        json={"offering_id": "van-transfer", "customer": CUSTOMER, "start": "2026-06-02T10:00:00+02:00"},
        headers={"Idempotency-Key": "zacharie-booking-1"},
    )
    assert created.status_code == 201, created.text
    booking_id, token = created.json()["booking_id"], created.json()["booking_token"]
    as_customer = {"Authorization": f"Bearer {token}"}
    as_admin = {"Authorization": f"Bearer {ADMIN_KEY}"}

    manage_url = created.json()["manage_url"]
    page = await client.get(f"/sandbox/checkout/{booking_id}")
    paid = await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
    opened = await client.get("/manage/" + manage_url.rsplit("/", 1)[1])  # the app's path, this client's host
    booking_page = await client.get(opened.headers["location"])
    read = await client.get(f"/v1/bookings/{booking_id}", headers=as_customer)
    listed = await client.get("/admin/bookings", params={"customer_email": EMAIL}, headers=as_admin)
    cancelled = await client.post(f"/v1/bookings/{booking_id}/cancel", headers=as_customer)
    assert (page.status_code, paid.status_code, read.status_code) == (200, 303, 200), paid.text
    assert (opened.status_code, booking_page.status_code) == (303, 200)
    cookie = client.cookies.get("bookhub_booking", path=f"/bookings/{booking_id}")
    assert cookie
    assert read.json()["customer"]["email"] == EMAIL
    assert [item["booking_id"] for item in listed.json()["items"]] == [booking_id], listed.text
    assert cancelled.json()["status"] == "cancelled", cancelled.text

    invalid = await client.post(
        "/v1/bookings", json={"offering_id": "van-transfer", "customer": CUSTOMER | {"shoe_size": 44}}
    )
    malformed = await client.post(
        "/v1/bookings",
        content=f'{{"customer": {{"name": "{NAME}", "email": "{EMAIL}", "phone": "{PHONE}"'.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert (invalid.status_code, malformed.status_code) == (422, 400)
    # A start at the edge of time, once a 500 through the error log, now a 422 (test_bad_input); the
    # error log itself is proved by test_a_database_error_writes_no_personal_data_to_the_logs.
    await client.post(
        "/v1/bookings",
        json={"offering_id": "van-transfer", "customer": CUSTOMER, "start": "9999-12-31T20:00:00Z"},
    )
    opaque = manage_url.rsplit("/", 1)[1]
    return token, ADMIN_KEY, opaque, cookie, *await _web_booking(client)


async def _web_booking(client: httpx.AsyncClient) -> tuple[str, ...]:
    """The same customer books in the browser pages: their form, the booking cookie, the booking page."""
    start = "2026-06-02T14:00:00+02:00"
    form = await client.get("/book/van-transfer/details", params={"start": start})
    csrf = client.cookies["bookhub_csrf"]
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    fields = {"csrf_token": token, "key": "zacharie-web-1", "start": start, "lang": "fr"}
    booked = await client.post("/book/van-transfer", data=fields | CUSTOMER)
    assert booked.status_code == 303, booked.text
    booking_id = booked.headers["location"].rsplit("/", 1)[1]
    cookie = client.cookies.get("bookhub_booking", path=f"/bookings/{booking_id}")
    page = await client.get(f"/bookings/{booking_id}")
    assert page.status_code == 200
    assert NAME in page.text  # the page shows it; the logs must not
    return csrf, token, cookie


async def test_a_whole_booking_flow_writes_no_personal_data_or_credentials_to_the_logs(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with _every_record(caplog) as records:
        async with running_app(sqlite_url, clock=NOW) as (client, _):
            credentials = await _whole_flow(client)
    service = [r for r in records if not r.name.startswith(CLIENT_LOGGERS + DRIVER_LOGGERS)]
    # Not vacuous: the access log saw the admin list, by its path alone.
    access = [r.getMessage() for r in service if r.name == "bookhub.access"]
    assert any(line.startswith("GET /admin/bookings 200") for line in access), access
    assert any(line.startswith("GET /manage/{opaque} 303") for line in access), access
    assert _leaks(service, PERSONAL + credentials) == []


async def test_a_whole_booking_flow_writes_no_personal_data_even_from_the_database_driver_at_debug(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with _every_record(caplog) as records:
        async with running_app(sqlite_url, clock=NOW) as (client, _):
            await _whole_flow(client)
    everything = [r for r in records if not r.name.startswith(CLIENT_LOGGERS)]
    assert _leaks(everything, PERSONAL) == []


async def test_a_database_error_writes_no_personal_data_to_the_logs(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with _every_record(caplog) as records:
        async with running_app(sqlite_url, clock=NOW) as (client, container):
            async with container.database().engine.begin() as connection:
                await connection.exec_driver_sql("DROP TABLE customers")  # the database goes wrong
            response = await client.post(
                "/v1/bookings", json={"offering_id": "free-call", "customer": CUSTOMER}
            )
    assert response.status_code == 500, response.text
    service = [r for r in records if r.name.startswith("bookhub")]
    assert any(r.name == "bookhub.http" and r.levelno == logging.ERROR for r in service)
    assert _leaks(service, PERSONAL) == []


def test_a_traceback_written_by_the_service_log_format_quotes_no_exception_text() -> None:
    try:
        try:
            raise LookupError(f"no customer {EMAIL}")
        except LookupError as cause:
            raise RuntimeError(f"booking for {NAME} failed") from cause
    except RuntimeError as exc:
        exc_info = (RuntimeError, exc, exc.__traceback__)
    record = logging.LogRecord("bookhub.worker", logging.ERROR, __file__, 1, "failed", None, exc_info)
    record.exc_text = f"a text another handler cached: {PHONE}"
    written = WithoutExceptionText("%(name)s %(message)s").format(record)
    assert "builtins.LookupError" in written, written
    assert "builtins.RuntimeError" in written, written
    assert [secret for secret in PERSONAL if secret in written] == [], written
