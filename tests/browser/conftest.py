"""The pages in a real browser: Debian's Chromium driven by Playwright, against a real `bookhub serve`.

Without Chromium (or Playwright) these tests skip with a loud reason, except under CI=true, where that
is a failure (as the PostgreSQL tests do). `.ci/run` installs Chromium when it is missing."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.sink import Sink, http_sink

BOOKHUB = shutil.which("bookhub", path=str(Path(sys.executable).parent)) or "bookhub"
CHROMIUM = os.environ.get("BOOKHUB_CHROMIUM", "/usr/bin/chromium")
CATALOG = Path(__file__).with_name("catalog.toml")
ADMIN_KEY = "browser-admin-key-0123456789"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; under CI=true the browser tests must run (.ci/run installs chromium)")
    pytest.skip(f"SKIPPED LOUDLY: {reason}; `apt-get install chromium` (or set BOOKHUB_CHROMIUM) to run them")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Per module: Playwright's sync API runs an event loop of its own in this thread while it is open,
    which the asyncio tests of other modules must not find running."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a dev install has it
        _unavailable(f"Playwright is not installed ({exc!r})")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Server:
    url: str
    log: Path
    emails: Sink

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`bookhub serve` on a free port, a fresh SQLite file, the browser catalog, email to a local fake
    Resend; everything it logs goes to a file the tests read."""
    tmp = tmp_path_factory.mktemp("browser")
    with http_sink(body=b'{"id": "em_1"}') as resend:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOKHUB_", "STRIPE_", "RESEND_"))}
        env |= {
            "BOOKHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bookhub.db'}",
            "BOOKHUB_CATALOG": str(CATALOG),
            "BOOKHUB_PUBLIC_URL": url,
            "BOOKHUB_ADMIN_API_KEY": ADMIN_KEY,
            "BOOKHUB_LOG_LEVEL": "DEBUG",
            "BOOKHUB_WORKER_POLL_SECONDS": "0.2",
            "BOOKHUB_ODOO_MOCK_LOG": str(tmp / "odoo-mock.jsonl"),
            "RESEND_API_KEY": "re_test_browser",
            "RESEND_FROM": "Bookings <bookings@example.com>",
            "RESEND_API_BASE": resend.base,
        }
        with serving(env, port, tmp, resend) as running:
            yield running


@contextmanager
def serving(env: dict[str, str], port: int, tmp: Path, sink: Sink) -> Iterator[Server]:
    """`bookhub serve` on `port` with `env`, its log in `tmp/server.log`, until the block ends."""
    url = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [BOOKHUB, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _wait_for(url, log)
            yield Server(url, log, sink)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


def _wait_for(url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"bookhub serve did not answer /health within 60 s: {log.read_text()}")
