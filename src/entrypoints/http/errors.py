"""One table from error to RFC 9457 problem+json with a stable `code`."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import ClientException, HTTPException, NotAuthorizedException, ValidationException
from litestar.params import ParameterKwarg
from litestar.status_codes import (
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from application.errors import InvalidRequest
from domain.errors import DomainError
from entrypoints.logs import describe_exception

log = logging.getLogger("bookhub.http")

STATUS_OF_CODE = {
    "slot_unavailable": 409,
    "illegal_transition": 409,
    "conflict": 409,
    "idempotency_in_progress": 409,
    "not_dead": 409,
    "payment_not_retryable": 409,
    "payment_required": 409,
    "no_sessions_left": 409,
    "not_a_package": 409,
    "extension_not_allowed": 409,
    "not_dispatched": 409,
    "erasure_refused": 409,
    "provider_rejected": 409,
    "invalid_extension": 422,
    "unknown_offering": 404,
    "not_found": 404,
    "invalid_request": 422,
    "outside_opening_hours": 422,
    "outside_validity": 422,
    "idempotency_key_reused": 422,
    "provider_unavailable": 502,
    "invalid_signature": 400,
    "invalid_payload": 400,
}
CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Unauthorized(NotAuthorizedException):
    pass


class InvalidJson(ClientException):
    """The body is empty, is not JSON, or holds a string that is not UTF-8."""

    code = "invalid_json"


class UnsupportedMediaType(HTTPException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_media_type"


def problem(
    status: int, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return Response(body, status_code=status, media_type="application/problem+json", headers=headers)


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = STATUS_OF_CODE.get(exc.code, 409)
    if isinstance(exc, InvalidRequest):
        return problem(status, exc.code, exc.detail, fields=exc.fields)
    return problem(status, exc.code, exc.detail)


def validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra:
        missing = re.match(r"Missing required \w+ parameter '([^']+)'", str(exc.detail))
        if missing:
            fields = {missing.group(1): "required"}
            return problem(422, "invalid_request", "the request has invalid fields", fields=fields)
        return problem(400, "bad_request", "the request could not be read")
    wire_names = _wire_names(request)
    fields: dict[str, str] = {}
    for item in extra:
        if not isinstance(item, dict):
            continue
        key, message = str(item.get("key") or "body"), str(item.get("message", "invalid"))
        if item.get("source") != "body":
            key = wire_names.get(key, key)
        named = re.match(r"Object (?:missing required|contains unknown) field `([^`]+)`", message)
        if named:
            key = named.group(1) if key in {"data", "body"} else f"{key}.{named.group(1)}"
        fields[key] = message
    return problem(422, "invalid_request", "the request has invalid fields", fields=fields)


def _wire_names(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The handler's parameter names as a client sends them: `start` is the query parameter `from`."""
    names: dict[str, str] = {}
    for name, field in request.route_handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, ParameterKwarg):
            alias = kwarg.name or kwarg.query or kwarg.header or kwarg.cookie
            if alias:
                names[name] = alias
    return names


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    code = getattr(exc, "code", None) or CODE_OF_STATUS.get(status, "error")
    # A 405 says which methods the resource has (RFC 9110): Litestar's router puts them in `allow`.
    allow = (exc.headers or {}).get("allow") if status == HTTP_405_METHOD_NOT_ALLOWED else None
    return problem(status, code, str(exc.detail), headers={"Allow": allow} if allow else None)


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # The traceback without the exception's text: a database error's text can quote the row's values.
    log.error("unhandled error on %s %s\n%s", request.method, request.url.path, describe_exception(exc))
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: server_error,
}
