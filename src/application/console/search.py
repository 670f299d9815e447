"""The console's `Bookings`: search by booking id (or its first digits), email (or its start) or name
(any part), filtered by status, offering and local days, a page at a time."""

from __future__ import annotations

import re

from application.console.commands import BookingFilter, BookingRow, BookingSearch, Page
from application.console.ports import ConsoleReadModel
from application.console.today import business_zone, day_bounds
from application.errors import InvalidRequest
from application.ports import CatalogSource
from domain.statuses import BookingStatus

MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_TEXT = 100
# The start of a booking id: at least four hex digits, dashes where a uuid has them or none.
_ID_PREFIX = re.compile(r"[0-9a-f]{4,32}")
_STATUSES = frozenset(s.value for s in BookingStatus)


def search_filter(search: BookingSearch, catalog: CatalogSource) -> BookingFilter:
    """The search as the read model takes it; refuses what cannot be searched, naming the field."""
    text = search.text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidRequest("search text too long", {"text": f"at most {MAX_TEXT} characters"})
    if search.status is not None and search.status not in _STATUSES:
        raise InvalidRequest("unknown status", {"status": "not a booking status"})
    if not 1 <= search.page <= MAX_PAGE:
        raise InvalidRequest("page out of range", {"page": f"from 1 to {MAX_PAGE}"})
    if not 1 <= search.per_page <= MAX_PER_PAGE:
        raise InvalidRequest("page size out of range", {"per_page": f"from 1 to {MAX_PER_PAGE}"})
    if search.date_from and search.date_to and search.date_to < search.date_from:
        raise InvalidRequest("an empty range of days", {"date_to": "must not be before date_from"})
    zone = business_zone(catalog.catalog)
    hex_digits = text.lower().replace("-", "")
    return BookingFilter(
        id_prefix=hex_digits if _ID_PREFIX.fullmatch(hex_digits) else None,
        email_prefix=text.lower() or None,
        name_part=text or None,
        status=search.status,
        offering_id=search.offering_id,
        start_from=day_bounds(search.date_from, zone)[0] if search.date_from else None,
        start_before=day_bounds(search.date_to, zone)[1] if search.date_to else None,
    )


class SearchBookings:
    def __init__(self, read_model: ConsoleReadModel, catalog: CatalogSource) -> None:
        self._read, self._catalog = read_model, catalog

    async def __call__(self, search: BookingSearch) -> Page[BookingRow]:
        where = search_filter(search, self._catalog)
        offset = (search.page - 1) * search.per_page
        rows = await self._read.search_bookings(where, offset=offset, limit=search.per_page + 1)
        return Page(
            rows[: search.per_page], search.page, search.per_page, has_next=len(rows) > search.per_page
        )
