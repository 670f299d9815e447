"""Signed-in console clients for route tests: an account made through the use case, then a sign-in
through `POST /console/login` with the form's CSRF token, as a browser does; the client keeps the cookies.

    async with console_app(sqlite_url, role="owner") as (client, container, member):
        page = await client.get("/console/today")
        await post_form(client, "/console/sync-queue/1/retry", {"lang": "en"})

Passwords are hashed with argon2id's cheapest parameters here, so a test signs in in milliseconds."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from argon2 import PasswordHasher
from dependency_injector import providers

from adapters.memory.clock import FixedClock
from adapters.passwords import Argon2Passwords
from application.staff.commands import AddStaff
from domain.staff import Role, StaffMember
from entrypoints.container import Container
from tests.support.app import running_app

PASSWORD = "correct horse battery staple"
OWNER_EMAIL = "owner@example.com"
STAFF_EMAIL = "staff@example.com"


def cheap_passwords() -> Argon2Passwords:
    return Argon2Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


async def add_staff(
    container: Container, email: str = OWNER_EMAIL, role: Role | str = Role.OWNER, password: str = PASSWORD
) -> StaffMember:
    added = await container.staff().add(AddStaff(email, Role(role), password))
    return added.member


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """Opens the sign-in page and posts it: 303 to /console/today when it worked. (Already signed in,
    the page leads to Today, whose forms carry the same token.)"""
    page = await client.get("/console/login", follow_redirects=True)
    return await client.post(
        "/console/login", data={"csrf_token": csrf_of(page.text), "email": email, "password": password}
    )


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, Any] | None = None, *, page: str = "/console/today"
) -> httpx.Response:
    """Posts a console form with the CSRF token read from `page` (any console page carries one)."""
    opened = await client.get(page)
    assert opened.status_code == 200, opened.text
    return await client.post(path, data={"csrf_token": csrf_of(opened.text), **(data or {})})


@asynccontextmanager
async def console_app(
    database_url: str,
    *,
    role: Role | str = Role.OWNER,
    email: str | None = None,
    clock: FixedClock | None = None,
    **settings: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, Container, StaffMember]]:
    """The whole app (tests/support/app.py running_app) with one account of `role`, signed in."""
    async with running_app(database_url, clock=clock, **settings) as (client, container):
        container.passwords.override(providers.Object(cheap_passwords()))
        email = email or (OWNER_EMAIL if Role(role) is Role.OWNER else STAFF_EMAIL)
        member = await add_staff(container, email, role)
        signed = await sign_in(client, email)
        assert signed.status_code == 303, signed.text
        yield client, container, member
