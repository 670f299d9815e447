"""Generated requests for the HTTP tests: random JSON, near-valid bookings, schema-driven parameters.

A hand-rolled equivalent of a schemathesis run: strategies build `Case`s, `check` says what is wrong
with the response to one (a 5xx, or a 4xx that is not problem+json with a `code`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import strategies as st

from tests.support.app import ADMIN_KEY

# The catalog's offerings (tests/support/catalog.toml).
OFFERINGS = ("van-transfer", "coaching", "workshop", "free-call", "paris-morning", "paris-night")
PROBLEM = "application/problem+json"

# Text that httpx can send: any code point but lone surrogates, which UTF-8 cannot carry.
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(),  # NaN and Infinity too: json.dumps writes them, and they are not JSON
    TEXT,
    # Lone surrogates, which json.dumps escapes as \udXXX: valid JSON syntax, but no valid text.
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2),
)
# Every JSON value: nested lists and objects of the scalars above.
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)

OFFSETS = st.sampled_from(
    ["Z", "+00:00", "+02:00", "-05:00", "+05:30", "+14:00", "-12:00", "+23:59", "-23:59", "", "z", "+0200"]
)
EDGE_MOMENTS = st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:30:00",
        "0001-01-02T12:00:00",
        "9999-12-31T23:59:59",
        "9999-12-31T20:00:00",
        "9999-12-28T12:00:00",
        "9999-06-01T10:00:00",
    ]
)
ANY_MOMENT = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))  # noqa: DTZ001
SOON = st.datetimes(min_value=datetime(2026, 6, 1, 9), max_value=datetime(2026, 8, 15)).map(  # noqa: DTZ001
    lambda d: d.replace(minute=d.minute // 15 * 15, second=0, microsecond=0)
)
# Datetimes as clients spell them: any year, with and without an offset, real zones, or not a date at all.
DATETIME_TEXTS = st.one_of(
    st.builds(lambda base, offset: base + offset, EDGE_MOMENTS, OFFSETS),
    st.builds(lambda base, offset: base.isoformat() + offset, ANY_MOMENT | SOON, OFFSETS),
    st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.timezones(),
    ).map(datetime.isoformat),
    TEXT,
)

# Starts every offering but the night desk is open for: 09:00 to 11:00 in Paris on a June weekday,
# spelled in UTC, in Paris time or in New York time.
OPEN_STARTS = st.builds(
    lambda day, hour, zone: (
        datetime.fromisoformat(f"2026-06-{day:02d}T{hour:02d}:00:00+02:00").astimezone(zone).isoformat()
    ),
    st.sampled_from([d for d in range(2, 31) if datetime(2026, 6, d).weekday() < 5]),  # noqa: DTZ001
    st.sampled_from([9, 10, 11]),
    st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-4))]),
)
EMAILS = st.emails().filter(lambda e: len(e) <= 255) | TEXT
CUSTOMERS = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Ada Lovelace", "Grace Hopper", "Élodie Brûlé"]),
        "email": st.sampled_from(["ada@example.com", "grace@example.org", "Elodie@Example.FR"]),
    },
    optional={
        "phone": st.sampled_from(["+33 6 12 34 56 78", "555 010-0000", None]),
        "locale": st.sampled_from(["en", "fr-FR", "de"]),
    },
)
ADDRESSES = st.fixed_dictionaries(
    {"street": st.just("1 rue de Rivoli"), "zip": st.just("75001"), "city": st.just("Paris")},
    optional={"lat": st.floats(-90, 90), "lng": st.floats(-180, 180)},
)
VALID_BOOKINGS = st.fixed_dictionaries(
    {
        "offering_id": st.sampled_from(OFFERINGS),
        "customer": CUSTOMERS,
        "start": OPEN_STARTS,
    },
    optional={
        "notes": st.none() | TEXT,
        "intake": st.dictionaries(TEXT, JSON_VALUES, max_size=3),
        "payment_provider": st.sampled_from(["sandbox", None]),
        "pickup_address": ADDRESSES | st.none(),
        "delivery_address": ADDRESSES | st.none(),
        "vehicle": st.fixed_dictionaries({"brand": st.just("Renault"), "model": st.just("Trafic")}),
    },
)
# Where a mutation can land in a booking body (the value _MISSING leaves the field out).
BOOKING_FIELDS = (
    ("offering_id",),
    ("customer",),
    ("customer", "name"),
    ("customer", "email"),
    ("customer", "phone"),
    ("customer", "locale"),
    ("start",),
    ("notes",),
    ("intake",),
    ("payment_provider",),
    ("pickup_address",),
    ("vehicle",),
    ("amount_cents",),
)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING = _Missing()


def _with(body: dict[str, Any], path: tuple[str, ...], value: object) -> dict[str, Any]:
    body = json.loads(json.dumps(body))
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is _MISSING:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return body


def _replace_all(body: dict[str, Any], changes: dict[tuple[str, ...], object]) -> dict[str, Any]:
    for path, value in changes.items():
        body = _with(body, path, value)
    return body


BOOKING_BODIES = st.one_of(
    JSON_VALUES,
    VALID_BOOKINGS,
    # A valid body with one field set to any JSON value, or left out.
    st.builds(
        _with,
        VALID_BOOKINGS,
        st.sampled_from(BOOKING_FIELDS),
        JSON_VALUES | st.just(_MISSING),
    ),
    # Any unicode in the free-text fields.
    st.builds(
        lambda body, name, email, notes: _replace_all(
            body, {("customer", "name"): name, ("customer", "email"): email, ("notes",): notes}
        ),
        VALID_BOOKINGS,
        TEXT,
        EMAILS,
        TEXT | st.text(max_size=1200).map(lambda t: t * 3),
    ),
    # Any start, from year 1 to 9999, with and without an offset.
    st.builds(lambda body, start: _with(body, ("start",), start), VALID_BOOKINGS, DATETIME_TEXTS),
)

CREDENTIALS = st.sampled_from(
    [None, f"Bearer {ADMIN_KEY}", "Bearer nope", "Bearer ", "Basic YWRtaW46YWRtaW4=", f"bearer {ADMIN_KEY}"]
)
PATH_SEGMENTS = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: u.hex),
    TEXT.filter(lambda s: s not in {"", ".", ".."}),
    st.sampled_from(["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", "0" * 300]),
)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: object = _MISSING
    raw: bytes | None = None

    async def send(self, client: httpx.AsyncClient) -> httpx.Response:
        headers = dict(self.headers)
        content = self.raw
        if self.raw is not None:
            headers.setdefault("Content-Type", "application/json")
        elif self.body is not _MISSING:
            # json.dumps, not httpx's encoder: it escapes lone surrogates and writes NaN like a sloppy client.
            content = json.dumps(self.body).encode()
            headers.setdefault("Content-Type", "application/json")
        return await client.request(
            self.method, self.path, params=self.params, headers=headers, content=content
        )


def check(case: Case, response: httpx.Response) -> str | None:
    """What is wrong with this response, or None: no 5xx, and every 4xx a problem+json with a code."""
    status = response.status_code
    if status >= 500:
        return f"{status} for {case}: {response.text[:500]}"
    if 400 <= status < 500:
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type != PROBLEM:
            return f"{status} as {media_type!r}, not {PROBLEM}, for {case}: {response.text[:300]}"
        try:
            body = response.json()
        except ValueError:
            return f"{status} with a body that is not JSON for {case}: {response.text[:300]}"
        if not (isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"]):
            return f"{status} without a code for {case}: {response.text[:300]}"
        if body.get("status") != status:
            return f"{status} whose body says status {body.get('status')!r} for {case}"
    return None


def booking_case(body: object, idempotency_key: str | None = None) -> Case:
    headers = {} if idempotency_key is None else {"Idempotency-Key": idempotency_key}
    return Case(
        "POST",
        "/v1/bookings",
        headers=headers,
        body=body,
    )


def raw_booking_case(raw: bytes) -> Case:
    return Case("POST", "/v1/bookings", raw=raw)


def _with_byte(body: dict[str, Any], at: int, byte: int) -> bytes:
    raw = json.dumps(body).encode()
    at %= len(raw)
    return raw[:at] + bytes([byte]) + raw[at + 1 :]


# Bodies that are not JSON: bytes, and valid bodies cut short or with one byte replaced.
RAW_BOOKING_CASES = st.builds(
    raw_booking_case,
    st.binary(max_size=64)
    | st.builds(lambda body, cut: json.dumps(body).encode()[:cut], VALID_BOOKINGS, st.integers(0, 200))
    | st.builds(_with_byte, VALID_BOOKINGS, st.integers(0, 400), st.integers(0, 255)),
)


def availability_case(offering: str, params: dict[str, str]) -> Case:
    return Case("GET", f"/v1/offerings/{quote(offering, safe='')}/availability", params=params)


# Windows a client would ask for: a start, and an end up to ten weeks later (past the 62-day limit).
WINDOWS = st.builds(
    lambda start, length, offset: {
        "from": start.isoformat() + offset,
        "to": (start + length).isoformat() + offset,
    },
    SOON | st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 10, 1)),  # noqa: DTZ001
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=70)),
    st.sampled_from(["Z", "+02:00", "-05:00", ""]),
)
AVAILABILITY_CASES = st.builds(
    availability_case,
    st.sampled_from(OFFERINGS) | TEXT.filter(lambda s: s not in {"", ".", ".."}),
    WINDOWS
    | st.fixed_dictionaries({"from": DATETIME_TEXTS, "to": DATETIME_TEXTS}, optional={"extra": TEXT})
    | st.fixed_dictionaries({}, optional={"from": DATETIME_TEXTS, "to": DATETIME_TEXTS, "extra": TEXT}),
)


def booking_route_case(method: str, template: str, segment: str, credential: str | None) -> Case:
    headers = {} if credential is None else {"Authorization": credential}
    return Case(method, template.format(quote(segment, safe="")), headers=headers)


BOOKING_ROUTE_CASES = st.one_of(
    st.builds(booking_route_case, st.just("GET"), st.just("/v1/bookings/{}"), PATH_SEGMENTS, CREDENTIALS),
    st.builds(
        booking_route_case, st.just("POST"), st.just("/v1/bookings/{}/cancel"), PATH_SEGMENTS, CREDENTIALS
    ),
)


# --- From the OpenAPI document: a strategy for any operation, so new routes are covered unseen. ---


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        *_, name = schema["$ref"].split("/")
        schema = document["components"]["schemas"][name]
    return schema


def parameter_values(schema: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[str | None]:
    """Text for a path, query or header parameter: mostly what the schema asks for, sometimes anything."""
    schema = _resolve(schema, document)
    if "oneOf" in schema or "anyOf" in schema:
        options = schema.get("oneOf") or schema.get("anyOf") or []
        return st.one_of([parameter_values(option | _bounds(schema), document) for option in options])
    if "enum" in schema:
        conforming: st.SearchStrategy[str | None] = st.sampled_from([str(v) for v in schema["enum"]])
    elif schema.get("type") == "null":
        return st.none()
    elif schema.get("type") == "integer":
        low, high = int(schema.get("minimum", -(2**70))), int(schema.get("maximum", 2**70))
        conforming = st.integers(min_value=low, max_value=high).map(str) | st.integers().map(str)
    elif schema.get("type") == "number":
        conforming = st.floats(allow_nan=True).map(str)
    elif schema.get("type") == "boolean":
        conforming = st.sampled_from(["true", "false", "1", "0"])
    elif schema.get("format") == "date-time":
        conforming = DATETIME_TEXTS
    elif schema.get("format") == "uuid":
        conforming = st.uuids().map(str)
    else:
        conforming = st.text(st.characters(codec="utf-8"), max_size=schema.get("maxLength", 40) + 5)
    return conforming | TEXT


def _bounds(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k in {"maxLength", "minimum", "maximum"}}


def body_values(schema: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[object]:
    """A JSON body: any JSON value, or an object with the schema's properties set to any JSON value."""
    schema = _resolve(schema, document)
    properties = schema.get("properties", {})
    if not properties:
        return JSON_VALUES
    shaped = st.fixed_dictionaries({}, optional=dict.fromkeys(properties, JSON_VALUES))
    return JSON_VALUES | shaped


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in methods
    ]


def operation_cases(
    method: str, path: str, operation: dict[str, Any], document: dict[str, Any]
) -> st.SearchStrategy[Case]:
    """Cases for one operation: its parameters from their schemas, its body, any credential."""
    parameters = operation.get("parameters", [])
    in_path = {
        p["name"]: parameter_values(p.get("schema", {}), document) for p in parameters if p["in"] == "path"
    }
    in_query = {
        p["name"]: parameter_values(p.get("schema", {}), document) for p in parameters if p["in"] == "query"
    }
    in_header = {p["name"]: HEADER_TEXT for p in parameters if p["in"] == "header"}
    body_schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    )
    bodies = (
        st.just(_MISSING) if body_schema is None else body_values(body_schema, document) | st.just(_MISSING)
    )

    def build(
        path_values: dict[str, str | None],
        query: dict[str, str | None],
        headers: dict[str, str],
        credential: str | None,
        body: object,
    ) -> Case:
        url = path
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", quote(value or "x", safe="") or "x")
        params = {k: v for k, v in query.items() if v is not None}
        if credential is not None:
            headers = headers | {"Authorization": credential}
        return Case(method, url, params=params, headers=headers, body=body)

    return st.builds(
        build,
        st.fixed_dictionaries(in_path),
        st.fixed_dictionaries({}, optional=in_query),
        st.fixed_dictionaries({}, optional=in_header),
        CREDENTIALS,
        bodies,
    )
