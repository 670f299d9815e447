"""Today: a business day's bookings by resource, in the business's time zone; another day by `?date=`."""

from __future__ import annotations

from datetime import timedelta

from litestar import get
from litestar.response import Template

from application.errors import InvalidRequest
from entrypoints.console_views_wiring import ConsoleViews
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import HOME, ConsoleAccess
from entrypoints.web.console.views_common import day_of
from entrypoints.web.pages import AnyRequest

REACH = timedelta(days=5 * 366)  # how far back and ahead the day picker goes


@get(HOME)
async def today_page(
    request: AnyRequest, console: Inject[ConsoleAccess], console_views: Inject[ConsoleViews]
) -> Template:
    member = await console.member(request)
    today = console_views.today.today()
    day = day_of(request, "date") or today
    if abs(day - today) > REACH:
        raise InvalidRequest("a day too far", {"date": "within five years of today"})
    schedule = await console_views.today(day)
    return await console.render(
        request,
        member,
        "console/today.html",
        schedule=schedule,
        day=day,
        is_today=day == today,
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        first_day=today - REACH,
        last_day=today + REACH,
    )
