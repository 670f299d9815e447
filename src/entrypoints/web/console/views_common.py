"""What the console's overview pages share: numbers, rates and moments in the page's language, a page
number from the query, a day from the query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from application.errors import InvalidRequest
from entrypoints.web.i18n import REGION
from entrypoints.web.pages import AnyRequest

MAX_PAGE = 10_000


def number(language: str) -> Callable[[int], str]:
    """`n -> str`: a whole number the language's way (en `1,234`, de `1.234`)."""

    def write(value: int) -> str:
        return format_decimal(value, locale=REGION.get(language, language))

    return write


def moment(language: str, zone: ZoneInfo, *, seconds: bool = False) -> Callable[[datetime], str]:
    """`instant -> str`: its day and time in the zone, short (`8 Dec 2026, 09:00`, de `08.12.2026, 09:00`)."""

    def write(value: datetime) -> str:
        local = value.astimezone(zone)
        day = format_date(local.date(), "medium", locale=REGION.get(language, language))
        return f"{day}, {local:%H:%M:%S}" if seconds else f"{day}, {local:%H:%M}"

    return write


def rate(language: str, value: float | None) -> str:
    """A share with one decimal the language's way (`2.5%`, fr `2,5 %`); a dash when nothing came."""
    return (
        "\u2013"
        if value is None
        else format_percent(value, "#,##0.0%", locale=REGION.get(language, language))
    )


def page_number(request: AnyRequest) -> int:
    raw = request.query_params.get("page") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidRequest("page out of range", {"page": f"from 1 to {MAX_PAGE}"})
    return int(raw)


def day_of(request: AnyRequest, name: str) -> date | None:
    """A `YYYY-MM-DD` day from the query; None when absent or empty."""
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidRequest("not a day", {name: "a day as YYYY-MM-DD"}) from None
