"""A route's JSON body, checked before Litestar decodes it into the route's struct.

Litestar decodes a body whatever its Content-Type, answers a malformed one with a generic 400, lets a
string that is not UTF-8 escape as a 500 and reads an empty one as a missing parameter. This hook
gives each of them the documented answer: 415 `unsupported_media_type` or 400 `invalid_json`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

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
        await request.json()  # cached on the request: the route's own decoding reuses it
    except SerializationException as exc:
        raise InvalidJson(f"the body is not valid JSON: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidJson("the body is not valid JSON: its strings must be UTF-8") from exc


__all__ = ["is_json_media_type", "json_body"]
