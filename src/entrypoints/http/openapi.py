"""What a route answers besides its success, said in one line: `responses=problems("not_found", ...)`.

Every refusal is an RFC 9457 problem+json with a stable `code` (errors.py). A route names the codes it can
answer with; each of their statuses is documented as the shared `Problem` schema, its `status` and `code`
narrowed to that route's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Components, OpenAPIType, Schema, SecurityScheme, Tag
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition
from msgspec import UNSET, Meta, Struct, UnsetType

from entrypoints.http.errors import CODE_OF_STATUS, STATUS_OF_CODE, TITLES

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The codes errors.py answers for Litestar's own refusals and for the JSON body hook.
_HTTP_STATUS_OF_CODE = {code: status for status, code in CODE_OF_STATUS.items()} | {
    "invalid_json": 400,
    "unsupported_media_type": 415,
}
# What every route that reads a JSON body can answer before the route itself runs (json_body.py, and
# the app's body limit).
JSON_BODY = ("invalid_json", "payload_too_large", "unsupported_media_type")
ADMIN_KEY = "admin_key"
COMPONENTS = Components(
    security_schemes={
        ADMIN_KEY: SecurityScheme(
            type="http",
            scheme="bearer",
            description="The admin key, BOOKHUB_ADMIN_API_KEY: 401 `unauthorized` without it or another.",
        )
    },
)
# The admin routes' `security`. A booking's own routes declare none: they take the booking's token as
# a capability (or the admin key), and a token that is not this booking's is answered 404 like a booking
# that does not exist, not 401; the `bookings` tag says so.
ADMIN_ONLY: list[dict[str, list[str]]] = [{ADMIN_KEY: []}]
TAGS = [
    Tag(
        name="bookings",
        description="A booking's routes take `Authorization: Bearer <booking_token>` (or the admin key): "
        "401 `unauthorized` without it, 404 `not_found` for a token that is not this booking's.",
    ),
    Tag(name="admin", description="`Authorization: Bearer <BOOKHUB_ADMIN_API_KEY>`."),
]


class Problem(Struct):
    """RFC 9457 problem details (`application/problem+json`); `code` says what went wrong, and stays."""

    type: str
    title: str
    status: Annotated[int, Meta(ge=400, le=599)]
    detail: str
    code: str
    # With `invalid_request`: each invalid field, by its name on the wire, and what is wrong with it.
    fields: dict[str, str] | UnsetType = UNSET


class WebhookOutcomeOut(Struct):
    """What the hub made of a webhook: applied, duplicate, ignored, unknown_booking, ..."""

    outcome: str


def status_of(code: str) -> int:
    """The HTTP status errors.py answers `code` with."""
    status = STATUS_OF_CODE.get(code) or _HTTP_STATUS_OF_CODE.get(code)
    if status is None:
        raise KeyError(f"no HTTP status for the problem code {code!r}: add it to entrypoints.http.errors")
    return status


def problems(*codes: str | tuple[int, str]) -> dict[int, ResponseSpec]:
    """The `responses=` of a route that can answer with these problem codes, grouped by status; a
    `(status, code)` pair for a code the route answers with another status than errors.py's. Any route
    can also answer 400 `bad_request`, for a request it cannot read."""
    by_status: dict[int, list[str]] = {}
    for entry in ("bad_request", *codes):
        status, code = entry if isinstance(entry, tuple) else (status_of(entry), entry)
        by_status.setdefault(status, []).append(code)
    return {status: _problem_response(status, found) for status, found in sorted(by_status.items())}


def webhook_answers(*codes: str | tuple[int, str]) -> dict[int, ResponseSpec]:
    """A webhook's `responses=`: 200 with what became of the event, and its refusals."""
    outcome = ResponseSpec(
        data_container=WebhookOutcomeOut,
        description="The event was recorded, or knowingly ignored; a repeat answers the same.",
        generate_examples=False,
    )
    return {200: outcome, **problems(*codes)}


@dataclass(frozen=True)
class _Answers:
    """Marks a response as a Problem with this status and these codes (see ProblemSchemas)."""

    status: int
    codes: tuple[str, ...]


class _ProblemAnswer:
    """Stands for a route's problem answer in `ResponseSpec`; ProblemSchemas writes its schema."""


def _problem_response(status: int, codes: list[str]) -> ResponseSpec:
    answers = _Answers(status, tuple(sorted(set(codes))))
    return ResponseSpec(
        data_container=Annotated[_ProblemAnswer, answers],
        media_type=PROBLEM_MEDIA_TYPE,
        description=f"{TITLES.get(status, 'Error')}: {', '.join(f'`{code}`' for code in answers.codes)}",
        generate_examples=False,
    )


class ProblemSchemas(OpenAPISchemaPlugin):
    """A route's problem answer: the shared `Problem` component, `status` and `code` narrowed to the
    route's values."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return any(isinstance(meta, _Answers) for meta in field_definition.metadata)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        answers = next(meta for meta in field_definition.metadata if isinstance(meta, _Answers))
        problem = schema_creator.for_field_definition(FieldDefinition.from_annotation(Problem))
        narrowed = Schema(
            properties={
                "status": Schema(type=OpenAPIType.INTEGER, enum=[answers.status]),
                "code": Schema(type=OpenAPIType.STRING, enum=list(answers.codes)),
            }
        )
        return Schema(all_of=[problem, narrowed])


class ClosedStructs(OpenAPISchemaPlugin):
    """A request struct that refuses unknown fields (422) says so: `additionalProperties: false`."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return _STRUCTS.is_plugin_supported_field(field_definition) and bool(
            msgspec.inspect.type_info(field_definition.type_).forbid_unknown_fields  # type: ignore[attr-defined]
        )

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = _STRUCTS.to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema


_STRUCTS = StructSchemaPlugin()
# The app's `plugins=`: what the OpenAPI document says beyond Litestar's own reading of the routes.
OPENAPI_PLUGINS = [ProblemSchemas(), ClosedStructs()]

__all__ = [
    "ADMIN_ONLY",
    "COMPONENTS",
    "JSON_BODY",
    "OPENAPI_PLUGINS",
    "TAGS",
    "Problem",
    "WebhookOutcomeOut",
    "problems",
    "status_of",
    "webhook_answers",
]
