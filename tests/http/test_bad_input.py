"""Bad input, case by case: each is a 4xx problem+json with the stable code a client can act on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from adapters.memory.clock import FixedClock
from tests.support.app import ADMIN_KEY, running_app

NOW = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
PROBLEM = "application/problem+json"
AS_ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
AVAILABILITY = "/v1/offerings/van-transfer/availability"


def a_booking(**changes: Any) -> dict[str, Any]:
    """A valid body for POST /v1/bookings; `customer_x=...` changes the customer's field x."""
    body: dict[str, Any] = {
        "offering_id": "van-transfer",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "start": "2026-06-02T10:00:00+02:00",
    }
    for key, value in changes.items():
        if key.startswith("customer_"):
            body["customer"][key.removeprefix("customer_")] = value
        else:
            body[key] = value
    return body


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert body["title"], body
    return body


async def _post_raw(
    sqlite_url: str, content: bytes, content_type: str = "application/json"
) -> httpx.Response:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        return await client.post("/v1/bookings", content=content, headers={"Content-Type": content_type})


async def _post(sqlite_url: str, body: object, **headers: str) -> httpx.Response:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        return await client.post("/v1/bookings", content=json.dumps(body).encode(), headers=headers)


async def _get(sqlite_url: str, path: str, params: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        return await client.get(path, params=params, headers=headers)


# --- Bodies that are not JSON, or not a JSON object ---

MALFORMED = {
    "truncated": b'{"offering_id": "van-transfer", "customer": {',
    "not json": b"offering_id=van-transfer",
    "trailing comma": b'{"offering_id": "van-transfer",}',
    "trailing garbage": b'{"offering_id": "van-transfer"} and more',
    "NaN": b'{"offering_id": "van-transfer", "notes": NaN}',
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_json_is_a_400_problem(sqlite_url: str, raw: bytes) -> None:
    response = await _post_raw(sqlite_url, raw)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"], response.json()


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_json_has_the_code_invalid_json(sqlite_url: str, raw: bytes) -> None:
    assert_problem(await _post_raw(sqlite_url, raw), 400, "invalid_json")


async def test_an_empty_body_is_400_invalid_json(sqlite_url: str) -> None:
    assert_problem(await _post_raw(sqlite_url, b""), 400, "invalid_json")


@pytest.mark.parametrize("raw", [b'{"offering_id": "\xff"}', b'{"\x80": 1}', b'["\x80"]'])
async def test_a_json_string_that_is_not_utf_8_is_400_invalid_json(sqlite_url: str, raw: bytes) -> None:
    assert_problem(await _post_raw(sqlite_url, raw), 400, "invalid_json")


@pytest.mark.parametrize(
    "body", [[a_booking()], "a booking", 42, None], ids=["array", "string", "number", "null"]
)
async def test_a_json_value_that_is_not_an_object_is_422_invalid_request(
    sqlite_url: str, body: object
) -> None:
    assert_problem(await _post(sqlite_url, body), 422, "invalid_request")


async def test_a_booking_sent_as_text_plain_is_415_unsupported_media_type(sqlite_url: str) -> None:
    response = await _post_raw(sqlite_url, json.dumps(a_booking()).encode(), "text/plain")
    assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/vnd.bookhub+json"])
async def test_a_booking_sent_as_any_json_media_type_books(sqlite_url: str, content_type: str) -> None:
    response = await _post_raw(sqlite_url, json.dumps(a_booking()).encode(), content_type)
    assert response.status_code == 201, response.text


async def test_a_body_of_2_mb_is_413_payload_too_large(sqlite_url: str) -> None:
    response = await _post(sqlite_url, a_booking(notes="n" * 2_000_000))
    assert_problem(response, 413, "payload_too_large")


# --- Fields of POST /v1/bookings ---

WRONG_FIELDS: dict[str, tuple[dict[str, Any], str]] = {
    "offering_id an int": (a_booking(offering_id=7), "offering_id"),
    "customer a string": (a_booking(customer="Ada Lovelace <ada@example.com>"), "customer"),
    "customer.email an int": (a_booking(customer_email=42), "customer.email"),
    "start not a date": (a_booking(start="next tuesday"), "start"),
    "start a naive datetime": (a_booking(start="2026-06-02T10:00:00"), "start"),
    "notes a list": (a_booking(notes=["call first"]), "notes"),
    "intake a list": (a_booking(intake=[1, 2]), "intake"),
    "name of 1 character": (a_booking(customer_name="A"), "customer.name"),
    "name of 101 characters": (a_booking(customer_name="A" * 101), "customer.name"),
    "email of 256 characters": (a_booking(customer_email="a" * 244 + "@example.com"), "customer.email"),
    "email without a domain": (a_booking(customer_email="ada.example.com"), "customer.email"),
    "notes of 1001 characters": (a_booking(notes="n" * 1001), "notes"),
    "an unknown top-level field": (a_booking(amount_cents=1), "amount_cents"),
    "no customer": ({"offering_id": "van-transfer", "start": "2026-06-02T10:00:00+02:00"}, "customer"),
}


@pytest.mark.parametrize(("body", "field"), WRONG_FIELDS.values(), ids=WRONG_FIELDS.keys())
async def test_a_bad_booking_field_is_422_invalid_request_naming_the_field(
    sqlite_url: str, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await _post(sqlite_url, body), 422, "invalid_request")
    assert field in problem["fields"], problem


async def test_an_idempotency_key_of_3_characters_is_422_naming_the_header(sqlite_url: str) -> None:
    response = await _post(sqlite_url, a_booking(), **{"Idempotency-Key": "abc"})
    problem = assert_problem(response, 422, "invalid_request")
    assert "Idempotency-Key" in problem["fields"], problem


async def test_an_unknown_offering_is_404_unknown_offering(sqlite_url: str) -> None:
    assert_problem(await _post(sqlite_url, a_booking(offering_id="no-such-thing")), 404, "unknown_offering")


@pytest.mark.parametrize("offering", ["van-transfer", "coaching", "free-call", "workshop"])
async def test_a_start_at_the_edge_of_time_is_422_invalid_request(sqlite_url: str, offering: str) -> None:
    response = await _post(sqlite_url, a_booking(offering_id=offering, start="9999-12-31T20:00:00Z"))
    problem = assert_problem(response, 422, "invalid_request")
    assert "start" in problem["fields"], problem


NUL_TEXTS: dict[str, tuple[dict[str, Any], str]] = {
    "in customer.name": (a_booking(customer_name="Ada\x00"), "customer.name"),
    "in notes": (a_booking(notes="\x00"), "notes"),
    "in an intake value": (a_booking(intake={"flight": ["AF", "12\x00"]}), "intake.flight[1]"),
    "in an intake key": (a_booking(intake={"fl\x00ight": "AF12"}), "intake.fl\x00ight"),
}


@pytest.mark.parametrize(("body", "field"), NUL_TEXTS.values(), ids=NUL_TEXTS.keys())
async def test_a_nul_character_in_any_text_of_a_booking_is_422_naming_the_field(
    sqlite_url: str, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await _post(sqlite_url, body), 422, "invalid_request")
    assert field in problem["fields"], problem


# --- Availability ---

BAD_WINDOWS: dict[str, tuple[dict[str, str], str]] = {
    "a naive from": ({"from": "2026-06-02T00:00:00", "to": "2026-06-03T00:00:00Z"}, "from"),
    "to before from": ({"from": "2026-06-03T00:00:00Z", "to": "2026-06-02T00:00:00Z"}, "to"),
    "to equal to from": ({"from": "2026-06-03T00:00:00Z", "to": "2026-06-03T00:00:00Z"}, "to"),
    "a window of 63 days": ({"from": "2026-06-01T00:00:00Z", "to": "2026-08-03T00:00:00Z"}, "to"),
}


@pytest.mark.parametrize(("params", "field"), BAD_WINDOWS.values(), ids=BAD_WINDOWS.keys())
async def test_a_bad_availability_window_is_422_invalid_request_naming_the_parameter(
    sqlite_url: str, params: dict[str, str], field: str
) -> None:
    problem = assert_problem(await _get(sqlite_url, AVAILABILITY, params, {}), 422, "invalid_request")
    assert field in problem["fields"], problem


NOT_DATES = {
    "from": {"from": "yesterday", "to": "2026-06-03T00:00:00Z"},
    "to": {"from": "2026-06-02T00:00:00Z", "to": "2026-13-45T99:00:00Z"},
}


@pytest.mark.parametrize("params", NOT_DATES.values(), ids=NOT_DATES.keys())
async def test_an_availability_bound_that_is_not_a_date_is_422_invalid_request(
    sqlite_url: str, params: dict[str, str]
) -> None:
    assert_problem(await _get(sqlite_url, AVAILABILITY, params, {}), 422, "invalid_request")


@pytest.mark.parametrize("name", NOT_DATES.keys())
async def test_an_availability_bound_that_is_not_a_date_is_named_as_sent(sqlite_url: str, name: str) -> None:
    problem = assert_problem(
        await _get(sqlite_url, AVAILABILITY, NOT_DATES[name], {}), 422, "invalid_request"
    )
    assert name in problem["fields"], problem


@pytest.mark.parametrize(
    ("params", "missing"),
    [({"to": "2026-06-03T00:00:00Z"}, "from"), ({"from": "2026-06-02T00:00:00Z"}, "to")],
    ids=["no from", "no to"],
)
async def test_a_missing_availability_bound_is_422_invalid_request_naming_it(
    sqlite_url: str, params: dict[str, str], missing: str
) -> None:
    problem = assert_problem(await _get(sqlite_url, AVAILABILITY, params, {}), 422, "invalid_request")
    assert missing in problem["fields"], problem


@pytest.mark.parametrize(
    "params",
    [
        {"from": "9999-12-01T00:00:00Z", "to": "9999-12-31T23:59:59Z"},
        {"from": "0001-01-01T00:00:00Z", "to": "0001-01-05T00:00:00Z"},
    ],
    ids=["year 9999", "year 1"],
)
async def test_an_availability_window_at_the_edge_of_time_is_not_a_server_error(
    sqlite_url: str, params: dict[str, str]
) -> None:
    response = await _get(sqlite_url, "/v1/offerings/paris-morning/availability", params, {})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem(response, 422, "invalid_request")


# --- Bookings by id, unknown routes and methods ---


async def test_a_booking_id_that_is_not_a_uuid_is_404_not_found(sqlite_url: str) -> None:
    assert_problem(await _get(sqlite_url, "/v1/bookings/not-a-uuid", {}, AS_ADMIN), 404, "not_found")


async def test_an_unknown_route_is_404_not_found(sqlite_url: str) -> None:
    assert_problem(await _get(sqlite_url, "/v1/nothing-here", {}, {}), 404, "not_found")


async def test_a_method_a_route_does_not_take_is_405_method_not_allowed(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        response = await client.delete("/v1/bookings")
    assert_problem(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"POST", "OPTIONS"}, response.headers


# --- Admin ---


@pytest.mark.parametrize("limit", ["0", "100000"])
async def test_an_admin_list_limit_out_of_range_is_422_for_the_admin(sqlite_url: str, limit: str) -> None:
    response = await _get(sqlite_url, "/admin/bookings", {"limit": limit}, AS_ADMIN)
    problem = assert_problem(response, 422, "invalid_request")
    assert "limit" in problem["fields"], problem


@pytest.mark.parametrize("limit", ["0", "100000"])
async def test_an_admin_list_limit_out_of_range_is_401_without_the_admin_key(
    sqlite_url: str, limit: str
) -> None:
    assert_problem(await _get(sqlite_url, "/admin/bookings", {"limit": limit}, {}), 401, "unauthorized")


async def test_an_admin_list_offset_beyond_64_bits_is_422_invalid_request(sqlite_url: str) -> None:
    response = await _get(sqlite_url, "/admin/bookings", {"offset": str(2**63)}, AS_ADMIN)
    problem = assert_problem(response, 422, "invalid_request")
    assert "offset" in problem["fields"], problem


async def test_an_admin_list_offset_at_the_64_bit_limit_lists_nothing(database_url: str) -> None:
    response = await _get(database_url, "/admin/bookings", {"offset": str(2**63 - 1)}, AS_ADMIN)
    assert (response.status_code, response.json()) == (200, {"items": []}), response.text


# --- The sandbox checkout (a browser page, outside the OpenAPI document) ---


async def test_a_sandbox_checkout_with_an_unknown_outcome_is_a_422_page(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        created = (await client.post("/v1/bookings", json=a_booking())).json()
        response = await client.post(f"/sandbox/checkout/{created['booking_id']}", data={"outcome": "refund"})
        page = await client.get(f"/sandbox/checkout/{created['booking_id']}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Pending" not in page.text
    assert "Awaiting payment" in page.text


# --- PostgreSQL only ---


@pytest.mark.postgres
async def test_a_nul_character_in_text_is_never_a_server_error_on_postgres(postgres_url: str) -> None:
    async with running_app(postgres_url, clock=NOW) as (client, _):
        created = [
            await client.post("/v1/bookings", json=a_booking(offering_id="free-call", start=None, **change))
            for change in (
                {"customer_name": "Ada\x00"},
                {"customer_email": "a\x00@example.com"},
                {"notes": "\x00"},
            )
        ]
        listed = [
            await client.get("/admin/bookings", params=params, headers=AS_ADMIN)
            for params in ({"customer_email": "a\x00@example.com"}, {"offering_id": "\x00"})
        ]
    for response in created:
        assert_problem(response, 422, "invalid_request")
    for response in listed:
        assert response.status_code < 500, response.text
