"""Nothing secret or personal in any log line of the console: no password, session id, password-link
token or email, whatever happens (sign-in refused, locked, accepted, a link used, sign-out)."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from entrypoints.web.console.access import SESSION_COOKIE
from tests.console.support import PASSWORD, console_app, post_form, sign_in

NEW = "secret.newcomer@example.com"
NEW_PASSWORD = "another long password 42"


async def test_no_password_session_id_token_or_email_is_logged(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with console_app(sqlite_url) as (client, _, member):
        session = client.cookies.get(SESSION_COOKIE)
        added = await post_form(
            client, "/console/staff", {"email": NEW, "role": "staff"}, page="/console/staff"
        )
        path = re.search(r"(/console/password/[A-Za-z0-9_-]+)</code>", added.text)
        assert path, added.text
        newcomer = httpx.AsyncClient(transport=client._transport, base_url="http://bookhub.test")
        async with newcomer:
            form = await newcomer.get(path.group(1))
            token = re.search(r'name="csrf_token" value="([^"]*)"', form.text)
            assert token
            await newcomer.post(
                path.group(1),
                data={"csrf_token": token.group(1), "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
            )
            for _ in range(6):
                await sign_in(newcomer, NEW, "a wrong password for them")
        await sign_in(client, member.email, "a wrong password for me")
        await post_form(client, "/console/logout")
    logged = caplog.text
    secrets = {
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "wrong password": "a wrong password",
        "session id": session or "no session",
        "link token": path.group(1).rsplit("/", 1)[1],
        "email": NEW,
        "owner email": member.email,
    }
    assert "/console/password/{token}" in logged  # the access log names the path without its token
    assert [name for name, value in secrets.items() if value in logged] == []
