"""The Staff page (owners): add a member with a one-time link, the link sets the password once, disable a
member and their sessions end; a staff member gets a 403 page on the owners' pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from adapters.memory.clock import FixedClock
from tests.console.support import PASSWORD, console_app, csrf_of, post_form, sign_in
from tests.web.support import text_of

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
NEW = "new.member@example.com"


def _link_path(html: str) -> str:
    found = re.search(r"<code>http://[^/]+(/console/password/[A-Za-z0-9_-]+)</code>", html)
    assert found, text_of(html)
    return found.group(1)


async def _set_password(
    client: httpx.AsyncClient, path: str, password: str, repeat: str | None = None
) -> httpx.Response:
    form = await client.get(path)
    assert form.status_code == 200, form.text
    data = {"csrf_token": csrf_of(form.text), "password": password, "repeat": repeat or password}
    return await client.post(path, data=data)


async def test_an_owner_adds_a_member_whose_link_sets_the_password_once(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, container, _):
        added = await post_form(
            client, "/console/staff", {"email": NEW, "role": "staff"}, page="/console/staff"
        )
        path = _link_path(added.text)
        listed = await container.staff().list()
        newcomer = httpx.AsyncClient(transport=client._transport, base_url="http://bookhub.test")
        async with newcomer:
            short = await _set_password(newcomer, path, "too short")
            different = await _set_password(newcomer, path, PASSWORD, "another password here")
            done = await _set_password(newcomer, path, PASSWORD)
            again = await newcomer.get(path)
            signed = await sign_in(newcomer, NEW)
            page = await newcomer.get("/console/today")
    assert added.status_code == 200
    assert f"Account added for {NEW}" in text_of(added.text)
    assert [(e.member.email, e.has_password) for e in listed if e.member.email == NEW] == [(NEW, False)]
    assert (short.status_code, different.status_code) == (422, 422)
    assert "at least 12 characters" in text_of(short.text)
    assert (done.status_code, done.headers["location"]) == (303, "/console/login?notice=password_set")
    assert again.status_code == 404
    assert "This link cannot be used" in text_of(again.text)
    assert signed.status_code == 303
    assert "Staff</a>" not in page.text  # a staff member: no owners' links


async def test_a_password_link_expires_after_24_hours(sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    async with console_app(sqlite_url, clock=clock) as (client, _, _member):
        added = await post_form(
            client, "/console/staff", {"email": NEW, "role": "owner"}, page="/console/staff"
        )
        clock.advance(timedelta(hours=24, seconds=1))
        late = await client.get(_link_path(added.text))
    assert late.status_code == 404


async def test_adding_an_email_twice_or_a_bad_one_is_refused_on_the_page(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, _, member):
        twice = await post_form(client, "/console/staff", {"email": member.email.upper(), "role": "staff"})
        bad = await post_form(client, "/console/staff", {"email": "not an email", "role": "staff"})
        role = await post_form(client, "/console/staff", {"email": NEW, "role": "boss"})
    assert twice.status_code == 409
    assert "exists already" in text_of(twice.text)
    assert (bad.status_code, role.status_code) == (422, 422)


async def test_disabling_a_member_ends_their_session_at_once(sqlite_url: str) -> None:
    async with console_app(sqlite_url, role="staff") as (staff_client, container, staff_member):
        owner = httpx.AsyncClient(transport=staff_client._transport, base_url="http://bookhub.test")
        async with owner:
            from tests.console.support import add_staff

            await add_staff(container, "boss@example.com", "owner")
            assert (await sign_in(owner, "boss@example.com")).status_code == 303
            before = await staff_client.get("/console/today")
            page = await owner.get("/console/staff")
            disabled = await post_form(
                owner, f"/console/staff/{staff_member.id}/disable", page="/console/staff"
            )
            listed = await owner.get("/console/staff")
        after = await staff_client.get("/console/today")
    assert before.status_code == 200
    assert f"Disable {staff_member.email}" in page.text
    assert (disabled.status_code, disabled.headers["location"]) == (303, "/console/staff?notice=disabled")
    assert "Disabled" in text_of(listed.text)
    assert after.status_code == 303


async def test_an_owner_cannot_disable_themselves(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, _, member):
        refused = await post_form(client, f"/console/staff/{member.id}/disable", page="/console/staff")
        still = await client.get("/console/today")
    assert refused.status_code == 409
    assert still.status_code == 200


async def test_a_staff_member_gets_a_403_page_on_the_owners_pages(sqlite_url: str) -> None:
    async with console_app(sqlite_url, role="staff") as (client, _, member):
        staff = await client.get("/console/staff")
        customers = await client.get("/console/customers")
        add = await post_form(client, "/console/staff", {"email": NEW, "role": "owner"})
        disable = await post_form(client, f"/console/staff/{member.id}/disable")
    assert [r.status_code for r in (staff, customers, add, disable)] == [403] * 4
    assert "Only an owner can open this page." in text_of(staff.text)


async def test_a_new_link_resets_a_forgotten_password_and_ends_the_old_sessions(sqlite_url: str) -> None:
    async with console_app(sqlite_url, role="staff") as (staff_client, container, staff_member):
        owner = httpx.AsyncClient(transport=staff_client._transport, base_url="http://bookhub.test")
        async with owner:
            from tests.console.support import add_staff

            await add_staff(container, "boss@example.com", "owner")
            assert (await sign_in(owner, "boss@example.com")).status_code == 303
            first = await post_form(owner, f"/console/staff/{staff_member.id}/link", page="/console/staff")
            second = await post_form(owner, f"/console/staff/{staff_member.id}/link", page="/console/staff")
            stale = await owner.get(_link_path(first.text))
            owner.cookies.clear()
            reset = await _set_password(owner, _link_path(second.text), "my brand new password")
        old_session = await staff_client.get("/console/today")
        old_password = await sign_in(staff_client, staff_member.email, PASSWORD)
        new_password = await sign_in(staff_client, staff_member.email, "my brand new password")
    assert first.status_code == second.status_code == 200
    assert f"A new link for {staff_member.email}" in text_of(second.text)
    assert stale.status_code == 404  # the older link is spent by the newer one
    assert reset.status_code == 303
    assert old_session.status_code == 303
    assert (old_password.status_code, new_password.status_code) == (401, 303)
