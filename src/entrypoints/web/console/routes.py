"""The console as one router: its routes (each part of the console appends its handlers to
CONSOLE_ROUTES), its error pages, and the redirect to the sign-in page without a session."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from domain.errors import DomainError
from entrypoints.http.errors import STATUS_OF_CODE
from entrypoints.web.console.access import LOGIN, CsrfRefused, NotSignedIn, OwnersOnly
from entrypoints.web.console.booking_forms import (
    assign,
    cancel_and_refund,
    change_time,
    mark_ready,
    propose_extension,
    resend_confirmation,
)
from entrypoints.web.console.booking_page import booking_page
from entrypoints.web.console.bookings_list import bookings_page
from entrypoints.web.console.customers import (
    customers_page,
    erase_customer_data,
    export_customer_data,
    find_customer,
)
from entrypoints.web.console.integrations import integrations_page
from entrypoints.web.console.sign_in import (
    console_home,
    login_page,
    password_page,
    set_password,
    sign_in,
    sign_out,
)
from entrypoints.web.console.staff_pages import add_staff, disable_staff, new_password_link, staff_page
from entrypoints.web.console.sync_queue import retry_integration, retry_message, sync_queue_page
from entrypoints.web.console.today import today_page
from entrypoints.web.console.webhooks import webhooks_page
from entrypoints.web.pages import AnyRequest, language, render, web_server_error

CONSOLE_ROUTES: list[Any] = [
    console_home,
    login_page,
    sign_in,
    sign_out,
    password_page,
    set_password,
    today_page,
    booking_page,
    cancel_and_refund,
    propose_extension,
    assign,
    change_time,
    mark_ready,
    resend_confirmation,
    customers_page,
    find_customer,
    export_customer_data,
    erase_customer_data,
    staff_page,
    add_staff,
    disable_staff,
    new_password_link,
    bookings_page,
    sync_queue_page,
    retry_message,
    retry_integration,
    integrations_page,
    webhooks_page,
]


def console_router() -> Router:
    """Out of the OpenAPI document: HTML pages, whose errors are pages too."""
    return Router(
        path="/",
        route_handlers=CONSOLE_ROUTES,
        exception_handlers=CONSOLE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )


def console_error(request: AnyRequest, status: int, reason: str | None = None) -> Template:
    settings = request.app.state["settings"]
    lang = language(request, settings)
    return render(
        request, "console/error.html", lang, status=status, status_code=status, reason=reason, member=None
    )


def _not_signed_in(request: AnyRequest, _: NotSignedIn) -> Redirect | Template:
    if request.method in ("GET", "HEAD"):
        settings = request.app.state["settings"]
        return Redirect(language(request, settings).link(LOGIN), status_code=303)
    return console_error(request, 403, "signed_out")


def _owners_only(request: AnyRequest, _: OwnersOnly) -> Template:
    return console_error(request, 403, "owners_only")


def _csrf_refused(request: AnyRequest, _: CsrfRefused) -> Template:
    return console_error(request, 403, "csrf")


def _domain_error(request: AnyRequest, exc: DomainError) -> Template:
    return console_error(request, STATUS_OF_CODE.get(exc.code, 409))


def _http_error(request: AnyRequest, exc: HTTPException) -> Template:
    status = exc.status_code if exc.status_code in (400, 403, 404, 405, 413) else 400
    return console_error(request, status)


def _server_error(request: AnyRequest, exc: Exception) -> Template:
    web_server_error(request, exc)  # logs the route's name and the exception's chain, never values
    return console_error(request, 500)


CONSOLE_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    NotSignedIn: _not_signed_in,
    OwnersOnly: _owners_only,
    CsrfRefused: _csrf_refused,
    DomainError: _domain_error,
    HTTPException: _http_error,
    Exception: _server_error,
}
