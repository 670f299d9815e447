"""Staff (owners only): every account with its role and status, `Add` (Email, Role; answers the one-time
link that sets the new member's password), `New password link` per active account (a forgotten password)
and `Disable` per account (its sessions end at once)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.staff.commands import AddStaff
from domain.staff import PASSWORD_LINK_VALID, InvalidStaffEmail, Role, StaffError, StaffExists
from entrypoints.console_wiring import StaffServices
from entrypoints.http.deps import Inject
from entrypoints.settings import Settings
from entrypoints.web.console.access import ConsoleAccess, as_staff
from entrypoints.web.pages import AnyRequest

STAFF_PAGE = "/console/staff"


@get(STAFF_PAGE)
async def staff_page(
    request: AnyRequest, console: Inject[ConsoleAccess], staff: Inject[StaffServices]
) -> Template:
    member = await console.member(request, owner=True)
    notice = request.query_params.get("notice")
    return await _page(request, console, staff, member, notice=notice if notice in ("disabled",) else None)


@post(STAFF_PAGE, status_code=200)
async def add_staff(
    request: AnyRequest,
    console: Inject[ConsoleAccess],
    staff: Inject[StaffServices],
    settings: Inject[Settings],
) -> Template:
    """A new account without a password: the page shows its one-time link (24 hours, single use) once."""
    member = await console.member(request, owner=True)
    form = await console.form(request)
    lang = console.language(request, form)
    email, role = form.get("email"), form.get("role")
    if not isinstance(email, str) or role not in {r.value for r in Role}:
        return await _page(request, console, staff, member, lang=lang, status=422, problem="invalid")
    try:
        with as_staff(member):
            added = await staff.add(AddStaff(email, Role(str(role))))
    except (InvalidStaffEmail, StaffExists) as exc:
        problem = "exists" if isinstance(exc, StaffExists) else "invalid"
        return await _page(
            request,
            console,
            staff,
            member,
            lang=lang,
            status=409 if problem == "exists" else 422,
            problem=problem,
        )
    link = _link(settings, added.password_token)
    return await _page(request, console, staff, member, lang=lang, added=added.member, password_link=link)


@post(STAFF_PAGE + "/{staff_id:uuid}/link", status_code=200)
async def new_password_link(
    request: AnyRequest,
    staff_id: FromPath[UUID],
    console: Inject[ConsoleAccess],
    staff: Inject[StaffServices],
    settings: Inject[Settings],
) -> Template:
    """A new one-time link for an active account, shown once; the account's older links are spent."""
    member = await console.member(request, owner=True)
    form = await console.form(request)
    lang = console.language(request, form)
    try:
        with as_staff(member):
            issued = await staff.issue_link(staff_id=staff_id)
    except StaffError:
        return await _page(request, console, staff, member, lang=lang, status=404, problem="unknown")
    link = _link(settings, issued.password_token)
    return await _page(request, console, staff, member, lang=lang, relinked=issued.member, password_link=link)


def _link(settings: Settings, token: str | None) -> str:
    return f"{settings.public_url.rstrip('/')}/console/password/{token}"


@post(STAFF_PAGE + "/{staff_id:uuid}/disable", status_code=200)
async def disable_staff(
    request: AnyRequest,
    staff_id: FromPath[UUID],
    console: Inject[ConsoleAccess],
    staff: Inject[StaffServices],
) -> Redirect | Template:
    member = await console.member(request, owner=True)
    form = await console.form(request)
    lang = console.language(request, form)
    if staff_id == member.id:  # the last owner would lock everyone out: another owner does it
        return await _page(request, console, staff, member, lang=lang, status=409, problem="self")
    try:
        with as_staff(member):
            await staff.disable(staff_id=staff_id)
    except StaffError:
        return await _page(request, console, staff, member, lang=lang, status=404, problem="unknown")
    return console.back(STAFF_PAGE, lang, notice="disabled")


async def _page(
    request: AnyRequest,
    console: ConsoleAccess,
    staff: StaffServices,
    member: Any,
    *,
    status: int = 200,
    **values: Any,
) -> Template:
    values.setdefault("problem", None)
    values.setdefault("notice", None)
    values.setdefault("added", None)
    values.setdefault("relinked", None)
    values.setdefault("password_link", None)
    return await console.render(
        request,
        member,
        "console/staff.html",
        status=status,
        accounts=await staff.list(),
        roles=[r.value for r in Role],
        link_hours=int(PASSWORD_LINK_VALID.total_seconds() // 3600),
        **values,
    )
