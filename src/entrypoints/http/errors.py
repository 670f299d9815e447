"""One table from error to RFC 9457 problem+json with a stable `code`."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from application.errors import InvalidRequest
from domain.errors import DomainError

log = logging.getLogger("bookhub.http")

STATUS_OF_CODE = {
    "slot_unavailable": 409,
    "illegal_transition": 409,
    "conflict": 409,
    "idempotency_in_progress": 409,
    "not_dead": 409,
    "unknown_offering": 404,
    "not_found": 404,
    "invalid_request": 422,
    "outside_opening_hours": 422,
    "idempotency_key_reused": 422,
    "provider_unavailable": 502,
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
    422: "Unprocessable Content",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Unauthorized(NotAuthorizedException):
    pass


def problem(status: int, code: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return Response(body, status_code=status, media_type="application/problem+json")


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = STATUS_OF_CODE.get(exc.code, 409)
    if isinstance(exc, InvalidRequest):
        return problem(status, exc.code, exc.detail, fields=exc.fields)
    return problem(status, exc.code, exc.detail)


def validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra:
        return problem(400, "invalid_json", "the body is not valid JSON")
    fields: dict[str, str] = {}
    for item in extra:
        if not isinstance(item, dict):
            continue
        key, message = str(item.get("key") or "body"), str(item.get("message", "invalid"))
        named = re.match(r"Object (?:missing required|contains unknown) field `([^`]+)`", message)
        if named:
            key = named.group(1) if key in {"data", "body"} else f"{key}.{named.group(1)}"
        fields[key] = message
    return problem(422, "invalid_request", "the request has invalid fields", fields=fields)


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    return problem(status, CODE_OF_STATUS.get(status, "error"), str(exc.detail))


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: server_error,
}
