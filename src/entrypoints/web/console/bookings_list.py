"""Bookings: the search form (text, status, offering, days) and a page of results, each row a link to
the booking's own console page. A search that cannot be made answers the form again saying why (400)."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.response import Template

from application.bookings.queries import ListOfferings
from application.console.commands import BookingSearch
from application.errors import InvalidRequest
from domain.statuses import BookingStatus
from entrypoints.console_views_wiring import ConsoleViews
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import ConsoleAccess
from entrypoints.web.console.views_common import day_of, moment, page_number
from entrypoints.web.pages import AnyRequest

PER_PAGE = 25
# The query's names for the search's fields (kept short: they show in the address bar).
QUERY = ("q", "status", "offering", "from", "to")


@get("/console/bookings")
async def bookings_page(
    request: AnyRequest,
    console: Inject[ConsoleAccess],
    console_views: Inject[ConsoleViews],
    list_offerings: Inject[ListOfferings],
) -> Template:
    member = await console.member(request)
    offerings = list_offerings()
    asked = {name: (request.query_params.get(name) or "").strip() for name in QUERY}
    values: dict[str, Any] = {"asked": asked, "page": None, "invalid": None}
    status = 200
    try:
        search = BookingSearch(
            text=asked["q"],
            status=asked["status"] or None,
            offering_id=asked["offering"] or None,
            date_from=day_of(request, "from"),
            date_to=day_of(request, "to"),
            page=page_number(request),
            per_page=PER_PAGE,
        )
        values["page"] = await console_views.search(search)
    except InvalidRequest as refused:
        values["invalid"], status = next(iter(refused.fields), "q"), 400
    return await console.render(
        request,
        member,
        "console/bookings.html",
        status=status,
        statuses=[s.value for s in BookingStatus],
        offerings=offerings,
        offering_names={o.id: o.name for o in offerings},
        when=moment(console.language(request).code, console_views.today.zone),
        query={name: value for name, value in asked.items() if value},
        **values,
    )
