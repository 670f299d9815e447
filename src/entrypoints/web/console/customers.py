"""Customers (owners only): find a person by email, `Export` everything the hub holds about them (the
JSON of `bookhub customer export`, as a download) and `Erase` them after a confirmation. Emails travel
in form posts only, never in an address (which browsers keep and logs could write)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.response import Template

from application.errors import NotFound
from application.privacy.erase import EraseCustomer
from application.privacy.export import ExportCustomerData
from domain.errors import ErasureRefused
from domain.staff import StaffMember
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import ConsoleAccess, as_staff
from entrypoints.web.pages import AnyRequest, Lang

CUSTOMERS = "/console/customers"


@get(CUSTOMERS)
async def customers_page(request: AnyRequest, console: Inject[ConsoleAccess]) -> Template:
    member = await console.member(request, owner=True)
    return await _page(request, console, member, console.language(request))


@post(CUSTOMERS, status_code=200)
async def find_customer(
    request: AnyRequest, console: Inject[ConsoleAccess], export_customer: Inject[ExportCustomerData]
) -> Template:
    """The person with that email (name, bookings) and what can be done: Export, Erase."""
    member = await console.member(request, owner=True)
    form = await console.form(request)
    lang = console.language(request, form)
    email = _email(form)
    try:
        with as_staff(member):
            found = await export_customer(email)
    except NotFound:
        return await _page(request, console, member, lang, status=404, email=email, problem="unknown")
    return await _page(request, console, member, lang, email=email, found=found)


@post(CUSTOMERS + "/export", status_code=200)
async def export_customer_data(
    request: AnyRequest, console: Inject[ConsoleAccess], export_customer: Inject[ExportCustomerData]
) -> Response[Any] | Template:
    """`{"customer", "bookings", "messages"}` as a JSON download, never cached."""
    member = await console.member(request, owner=True)
    form = await console.form(request)
    email = _email(form)
    try:
        with as_staff(member):
            export = await export_customer(email)
    except NotFound:
        lang = console.language(request, form)
        return await _page(request, console, member, lang, status=404, email=email, problem="unknown")
    filename = f"customer-{export.customer.customer_id}.json"
    return Response(
        content=msgspec.json.format(msgspec.json.encode(export)),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@post(CUSTOMERS + "/erase", status_code=200)
async def erase_customer_data(
    request: AnyRequest,
    console: Inject[ConsoleAccess],
    export_customer: Inject[ExportCustomerData],
    erase_customer: Inject[EraseCustomer],
) -> Template:
    """Without `confirm=yes`: what erasing does, and `Yes, erase`. With it: erased (as the staff member),
    or refused while the person has a booking still to come."""
    member = await console.member(request, owner=True)
    form = await console.form(request)
    lang = console.language(request, form)
    email = _email(form)
    try:
        with as_staff(member):
            if form.get("confirm") != "yes":
                found = await export_customer(email)
                return await _page(request, console, member, lang, email=email, found=found, confirm=True)
            erased = await erase_customer(email)
    except NotFound:
        return await _page(request, console, member, lang, status=404, email=email, problem="unknown")
    except ErasureRefused:
        return await _page(request, console, member, lang, status=409, email=email, problem="refused")
    return await _page(request, console, member, lang, erased=erased)


def _email(form: dict[str, Any]) -> str:
    email = form.get("email")
    return email.strip()[:255] if isinstance(email, str) else ""


async def _page(
    request: AnyRequest,
    console: ConsoleAccess,
    member: StaffMember,
    lang: Lang,
    *,
    status: int = 200,
    **values: Any,
) -> Template:
    context = {"email": "", "found": None, "problem": None, "confirm": False, "erased": None} | values
    return await console.render(
        request, member, "console/customers.html", lang=lang, status=status, **context
    )
