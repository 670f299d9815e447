"""What every console route goes through: the signed-in member (else to the sign-in page), the owner
check, the CSRF check of a posted form, rendering in the console's layout, and acting as the member.

A console route, read or write, looks like this::

    @post("/console/things/{thing_id:uuid}/retry", status_code=200)
    async def retry(request: AnyRequest, thing_id: FromPath[UUID], console: Inject[ConsoleAccess],
                    retry_thing: Inject[RetryThing]) -> Response[Any]:
        member = await console.member(request)       # no valid session: 303 to /console/login (403 on POST)
        form = await console.form(request)           # no valid CSRF token: 403 page, nothing changed
        with as_staff(member):                       # audit rows written inside name `staff:<member.id>`
            await retry_thing(thing_id)
        return console.back("/console/things")      # 303 (the language kept)

and a page: `return await console.render(request, member, "console/things.html", things=...)`.
`console.member(request, owner=True)` answers a 403 page to a member of role `staff`.
The console reads only its own session cookie: an `Authorization` header (the admin API key) opens nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from application.audit.ports import acting_as, staff_actor
from application.staff.sessions import ResolveStaffSession
from domain.staff import StaffMember
from entrypoints.settings import LANGUAGES, Settings
from entrypoints.web.pages import (
    NAMES,
    AnyRequest,
    CsrfRefused,
    Lang,
    checked_form,
    csrf_token,
    form_language,
    language,
    render,
)
from entrypoints.web.security import Csrf

SESSION_COOKIE = "bookhub_console"
CONSOLE_PATH = "/console"
LOGIN = "/console/login"
HOME = "/console/today"


class NotSignedIn(Exception):
    """No valid session: a page goes to the sign-in page, a form post is refused (403)."""


class OwnersOnly(Exception):
    """The member's role may not do this (a 403 page)."""


@contextmanager
def as_staff(member: StaffMember) -> Iterator[None]:
    """Run use cases inside this, so every audit entry they write names `staff:<member.id>`."""
    with acting_as(staff_actor(member.id)):
        yield


class ConsoleAccess:
    def __init__(self, resolve_session: ResolveStaffSession, csrf: Csrf, settings: Settings) -> None:
        self._resolve, self.csrf, self._settings = resolve_session, csrf, settings

    async def member(self, request: AnyRequest, *, owner: bool = False) -> StaffMember:
        """The signed-in member; raises NotSignedIn (303 to the sign-in page for a GET, 403 otherwise)
        or, with `owner`, OwnersOnly for a member who is not an owner."""
        found = await self.signed_in(request)
        if found is None:
            raise NotSignedIn
        if owner and not found.is_owner:
            raise OwnersOnly
        return found

    async def signed_in(self, request: AnyRequest) -> StaffMember | None:
        return await self._resolve(request.cookies.get(SESSION_COOKIE))

    async def form(self, request: AnyRequest) -> dict[str, Any]:
        """The posted form; raises CsrfRefused when its CSRF token is missing or wrong."""
        form = await checked_form(request, self.csrf)
        if form is None:
            raise CsrfRefused
        return form

    def language(self, request: AnyRequest, form: dict[str, Any] | None = None) -> Lang:
        if form is not None:
            return form_language(form, request, self._settings)
        return language(request, self._settings)

    async def render(
        self,
        request: AnyRequest,
        member: StaffMember | None,
        template: str,
        *,
        lang: Lang | None = None,
        status: int = 200,
        cookies: list[Cookie] | None = None,
        **values: Any,
    ) -> Template:
        """A page in the console's layout (`console/base.html`): the navigation for `member`, the
        `Sign out` form, and `csrf` for the page's own forms."""
        token, csrf_cookies = await csrf_token(request, self.csrf)
        lang = lang or self.language(request)
        return render(
            request,
            template,
            lang,
            status=status,
            cookies=[*csrf_cookies, *(cookies or [])],
            member=member,
            csrf=token,
            section=_section(request.url.path),
            languages=_switcher(request, lang, member),
            **values,
        )

    def back(self, path: str, lang: Lang | None = None, **query: object) -> Redirect:
        """A 303 to a console page after a form, keeping a language chosen with `?lang=`."""
        return Redirect((lang or Lang("en")).link(path, **query), status_code=303)

    def session_cookie(self, session_id: str) -> Cookie:
        """HttpOnly, SameSite=Lax, for /console only, Secure behind https; a browser-session cookie (the
        server ends the session after 12 hours idle)."""
        return Cookie(
            SESSION_COOKIE,
            value=session_id,
            path=CONSOLE_PATH,
            httponly=True,
            samesite="lax",
            secure=self._settings.secure_cookies,
        )

    def ended_cookie(self) -> Cookie:
        return Cookie(
            SESSION_COOKIE,
            value="",
            path=CONSOLE_PATH,
            httponly=True,
            samesite="lax",
            secure=self._settings.secure_cookies,
            max_age=0,
            expires=0,
        )


def _switcher(
    request: AnyRequest, lang: Lang, member: StaffMember | None
) -> list[tuple[str, str, str, bool]]:
    """(code, name, href, current) per language: this page, or after a form Today (the sign-in page
    when signed out); the query is not kept (it may say what a form did)."""
    path = request.url.path if request.method == "GET" else HOME if member else LOGIN
    return [(code, NAMES[code], f"{path}?lang={code}", code == lang.code) for code in LANGUAGES]


def _section(path: str) -> str:
    """The navigation entry a path belongs to (`/console/bookings/…` → `bookings`)."""
    return path.removeprefix(CONSOLE_PATH).strip("/").split("/")[0]
