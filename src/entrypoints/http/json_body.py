"""A route's JSON body, checked before Litestar decodes it into the route's struct.

Litestar decodes a body whatever its Content-Type, answers a malformed one with a generic 400, lets a
string that is not UTF-8 escape as a 500 and reads an empty one as a missing parameter. This hook
gives each of them the documented answer: 415 `unsupported_media_type` or 400 `invalid_json`. It also
refuses text holding a NUL character, which PostgreSQL cannot store, with 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

from application.errors import InvalidRequest
from entrypoints.http.errors import InvalidJson, UnsupportedMediaType


def is_json_media_type(content_type: str) -> bool:
    """No Content-Type (a hurried client) is taken as JSON; `application/json` and any `+json` are."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in {"", "application/json"} or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def json_body(request: Request[Any, Any, Any]) -> None:
    """A before_request hook: refuses a body that is not JSON; decodes it once, for the route to convert."""
    if not is_json_media_type(request.headers.get("Content-Type", "")):
        raise UnsupportedMediaType("send the body as application/json")
    if not await request.body():  # reads at most the app's body limit, else 413
        raise InvalidJson("the body is empty: send a JSON object")
    try:
        value = await request.json()  # cached on the request: the route's own decoding reuses it
    except SerializationException as exc:
        raise InvalidJson(f"the body is not valid JSON: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidJson("the body is not valid JSON: its strings must be UTF-8") from exc
    if (field := text_with_nul(value)) is not None:
        raise InvalidRequest("text holds a NUL character", {field: NUL_REASON})


NUL_REASON = "must not contain NUL (U+0000) characters"


def text_with_nul(value: object, path: str = "") -> str | None:
    """The path (`customer.name`, `intake.items[2]`) of the first key or string holding a NUL, or None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            if (found := text_with_nul(item, here)) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := text_with_nul(item, f"{path}[{index}]")) is not None:
                return found
    return None


__all__ = ["NUL_REASON", "is_json_media_type", "json_body", "text_with_nul"]
