"""The console in the browser tests: accounts made with the real `bookhub staff add --password-stdin`
against the browser server's database, and a sign-in through the page.

    def test_something(browser, server, console_owner):
        page = browser.new_context(locale="en-GB").new_page()
        sign_in(page, server, *console_owner)            # lands on Today
        page.get_by_role("link", name="Sync queue", exact=True).click()
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest

from tests.browser.conftest import BOOKHUB, CATALOG, Server

PASSWORD = "correct horse battery staple"
OWNER = "owner.browser@example.com"
STAFF = "staff.browser@example.com"


def bookhub(server: Server, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """A `bookhub` command on the browser server's database (its SQLite file beside its log)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOKHUB_", "STRIPE_", "RESEND_"))}
    env |= {
        "BOOKHUB_DATABASE_URL": f"sqlite+aiosqlite:///{server.log.parent / 'bookhub.db'}",
        "BOOKHUB_CATALOG": str(CATALOG),
        "BOOKHUB_PUBLIC_URL": server.url,
        "BOOKHUB_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [BOOKHUB, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def add_staff_account(server: Server, email: str, role: str, password: str = PASSWORD) -> tuple[str, str]:
    """(email, password) of a new account; an account that exists already is kept as it is."""
    added = bookhub(server, "staff", "add", email, "--role", role, "--password-stdin", stdin=password + "\n")
    assert added.returncode == 0 or "exists already" in added.stderr, added.stderr
    return email, password


@pytest.fixture(scope="module")
def console_owner(server: Server) -> tuple[str, str]:
    return add_staff_account(server, OWNER, "owner")


@pytest.fixture(scope="module")
def console_staff(server: Server) -> tuple[str, str]:
    return add_staff_account(server, STAFF, "staff")


def sign_in(
    page: Any, server: Server, email: str, password: str = PASSWORD, *, lang: str | None = None
) -> None:
    """Signs in through the page and waits for Today (in English unless `lang` is given)."""
    page.goto(f"{server.url}/console/login" + (f"?lang={lang}" if lang else ""))
    fill_sign_in(page, email, password, lang=lang)
    page.wait_for_url("**/console/today*")


def fill_sign_in(page: Any, email: str, password: str, *, lang: str | None = None) -> None:
    words = SIGN_IN_WORDS[lang or "en"]
    page.get_by_label(words[0], exact=True).fill(email)
    page.get_by_label(words[1], exact=True).fill(password)
    page.get_by_role("button", name=words[2], exact=True).click()


SIGN_IN_WORDS = {
    "en": ("Email", "Password", "Sign in"),
    "fr": ("E-mail", "Mot de passe", "Se connecter"),
    "es": ("Correo electrónico", "Contraseña", "Iniciar sesión"),
    "pt": ("E-mail", "Palavra-passe", "Iniciar sessão"),
    "de": ("E-Mail", "Passwort", "Anmelden"),
}
