"""Generated requests against the whole app: never a 5xx, and every 4xx a problem+json with a `code`.

Hypothesis drives the requests from a worker thread while the app serves them on the test's event loop,
so a failing request is shrunk to a minimal one and reported as the falsifying example.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory.clock import FixedClock
from tests.http.fuzz import (
    AVAILABILITY_CASES,
    BOOKING_BODIES,
    BOOKING_ROUTE_CASES,
    CREDENTIALS,
    HEADER_TEXT,
    PATH_SEGMENTS,
    RAW_BOOKING_CASES,
    Case,
    booking_case,
    booking_route_case,
    check,
    operation_cases,
    operations,
)
from tests.support.app import running_app

NOW = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))

# Derandomized: the same requests on every run, so a failure in CI replays on a laptop.
GENERATED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@dataclass
class Run:
    statuses: Counter[int] = field(default_factory=Counter)
    tolerated: Counter[str] = field(default_factory=Counter)  # 5xx of known bugs, by bug
    failure: BaseException | None = None

    def raise_failure(self) -> None:
        """Raised once the app has stopped, so the falsifying example is not buried in an exception group."""
        if self.failure is not None:
            raise self.failure


async def _send_generated(
    client: httpx.AsyncClient, cases: st.SearchStrategy[Case], max_examples: int
) -> Run:
    """Sends `max_examples` generated cases and checks each response."""
    loop = asyncio.get_running_loop()
    run = Run()

    @settings(GENERATED, max_examples=max_examples)
    @given(cases)
    def each(case: Case) -> None:
        response = asyncio.run_coroutine_threadsafe(case.send(client), loop).result(timeout=60)
        run.statuses[response.status_code] += 1
        if response.status_code >= 500 and case.known_bug is not None:
            run.tolerated[case.known_bug] += 1
        problem = check(case, response)
        assert problem is None, problem

    try:
        await asyncio.to_thread(each)
    except Exception as exc:  # re-raised by run.raise_failure(), outside the app's task group
        run.failure = exc
    return run


async def test_generated_booking_bodies_never_get_a_5xx_and_every_4xx_is_a_problem(sqlite_url: str) -> None:
    # Keys from a small pool too, so some requests replay a key, with the same body or another one.
    keys = st.none() | HEADER_TEXT | st.sampled_from(["replayed-key-1", "replayed-key-2"])
    json_cases = st.builds(booking_case, BOOKING_BODIES, keys)
    cases = st.integers(0, 5).flatmap(lambda i: RAW_BOOKING_CASES if i == 0 else json_cases)
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        run = await _send_generated(client, cases, max_examples=300)
    run.raise_failure()
    # Not vacuous: some bodies were booked, some refused field by field, some not JSON at all.
    assert run.statuses[201] > 0, run
    assert run.statuses[422] > 0, run
    assert run.statuses[400] > 0, run


async def test_generated_availability_queries_never_get_a_5xx_and_every_4xx_is_a_problem(
    sqlite_url: str,
) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        run = await _send_generated(client, AVAILABILITY_CASES, max_examples=250)
    run.raise_failure()
    assert run.statuses[200] > 0, run
    assert run.statuses[422] > 0, run


async def test_generated_booking_ids_to_read_and_cancel_never_get_a_5xx_and_every_4xx_is_a_problem(
    sqlite_url: str,
) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        created = await client.post(
            "/v1/bookings",
            json={
                "offering_id": "van-transfer",
                "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
                "start": "2026-06-02T10:00:00+02:00",
            },
        )
        assert created.status_code == 201, created.text
        booking = created.json()
        # Random ids and credentials, and this booking's own id and token among them.
        segments = PATH_SEGMENTS | st.just(booking["booking_id"])
        credentials = CREDENTIALS | st.just(f"Bearer {booking['booking_token']}")
        read = st.builds(
            booking_route_case, st.just("GET"), st.just("/v1/bookings/{}"), segments, credentials
        )
        cancel = st.builds(
            booking_route_case, st.just("POST"), st.just("/v1/bookings/{}/cancel"), segments, credentials
        )
        run = await _send_generated(client, BOOKING_ROUTE_CASES | read | cancel, max_examples=200)
    run.raise_failure()
    assert run.statuses[200] > 0, run
    assert run.statuses[401] > 0, run
    assert run.statuses[404] > 0, run


async def test_every_operation_in_the_openapi_document_never_gets_a_5xx_and_every_4xx_is_a_problem(
    sqlite_url: str,
) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        schema = await client.get("/schema/openapi.json")
        assert schema.status_code == 200, schema.text
        document = schema.json()
        listed = operations(document)
        runs: dict[tuple[str, str], Run] = {}
        for method, path, operation in listed:
            cases = operation_cases(method, path, operation, document)
            runs[method, path] = await _send_generated(client, cases, max_examples=100)
    for run in runs.values():
        run.raise_failure()
    # Every operation the document lists was exercised, and the ones we know of are listed.
    assert set(runs) == {(method, path) for method, path, _ in listed}
    assert {
        ("GET", "/v1/offerings"),
        ("GET", "/v1/offerings/{offering_id}/availability"),
        ("POST", "/v1/bookings"),
        ("GET", "/v1/bookings/{booking_id}"),
        ("POST", "/v1/bookings/{booking_id}/cancel"),
        ("GET", "/admin/bookings"),
        ("GET", "/health"),
    } <= set(runs)
    assert all(sum(run.statuses.values()) > 0 for run in runs.values()), runs
    assert runs["GET", "/admin/bookings"].statuses[200] > 0, runs["GET", "/admin/bookings"]
