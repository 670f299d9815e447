"""The OpenAPI document says every refusal as the problem+json it is, with the codes a client can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.openapi import PROBLEM_MEDIA_TYPE, problems, status_of
from entrypoints.settings import Settings

# Answers that are plain JSON on purpose: an extension's refused charge, the health of a dead database.
PLAIN_JSON = {
    ("post", "/v1/bookings/{booking_id}/extensions/{extension_id}/approve", "402"),
    ("get", "/health", "503"),
}


@pytest.fixture
def document(tmp_path: Path) -> dict[str, Any]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}", admin_api_key="key")
    return create_app(build_container(settings)).openapi_schema.to_schema()


def _answers(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (method, path, status, answer)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, answer in operation["responses"].items()
        if int(status) >= 400 and (method, path, status) not in PLAIN_JSON
    ]


def test_every_refusal_is_a_problem_with_its_codes(document: dict[str, Any]) -> None:
    answers = _answers(document)
    assert len(answers) > 50, answers
    for method, path, status, answer in answers:
        assert list(answer["content"]) == [PROBLEM_MEDIA_TYPE], (method, path, status)
        problem, narrowed = answer["content"][PROBLEM_MEDIA_TYPE]["schema"]["allOf"]
        assert problem == {"$ref": "#/components/schemas/Problem"}
        assert narrowed["properties"]["status"]["enum"] == [int(status)], (method, path, status)
        assert narrowed["properties"]["code"]["enum"], (method, path, status)


def test_each_documented_code_has_the_status_the_error_table_gives_it(document: dict[str, Any]) -> None:
    for method, path, status, answer in _answers(document):
        narrowed = answer["content"][PROBLEM_MEDIA_TYPE]["schema"]["allOf"][1]
        for code in narrowed["properties"]["code"]["enum"]:
            if (path, code) == ("/webhooks/driver-app", "invalid_signature"):
                assert status == "401"  # the driver app's own convention
                continue
            assert status_of(code) == int(status), (method, path, code)


def test_a_problem_code_without_a_status_is_refused_when_the_routes_are_declared() -> None:
    with pytest.raises(KeyError, match="no_such_code"):
        problems("no_such_code")


def test_a_request_body_that_refuses_unknown_fields_says_so(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("CreateBookingIn", "CustomerIn", "AddressIn", "VehicleIn", "ScheduleIn", "ExtensionIn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["BookingOut"]
