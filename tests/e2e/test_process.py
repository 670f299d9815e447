"""The real `bookhub` process, as a newcomer runs it: serve, book, pay in the sandbox; bad config stops it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

BOOKHUB = shutil.which("bookhub", path=str(Path(sys.executable).parent)) or "bookhub"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKHUB_")}
    env |= {
        "BOOKHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}",
        "BOOKHUB_LOG_LEVEL": "INFO",
        "BOOKHUB_ODOO_MOCK_LOG": str(tmp_path / "odoo-mock.jsonl"),
    }
    return env | extra


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [BOOKHUB, "serve", "--port", str(port)],
        env=_env(tmp_path, BOOKHUB_PUBLIC_URL=url, BOOKHUB_ADMIN_API_KEY="e2e-admin-key-123"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(
                "bookhub serve did not answer /health within 60 s: " + (tmp_path / "server.log").read_text()
            )
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_a_newcomer_books_and_pays_in_the_sandbox_against_the_real_process(server: str) -> None:
    start = (datetime.now(UTC) + timedelta(days=7)).date()
    while start.weekday() != 1:  # a Tuesday, when the airport transfer runs 06:00-22:00
        start += timedelta(days=1)
    body = {
        "offering_id": "airport-transfer",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "start": f"{start.isoformat()}T10:00:00+01:00",
    }
    created = httpx.post(f"{server}/v1/bookings", json=body, timeout=5)
    assert created.status_code == 201, created.text
    booking = created.json()
    checkout = httpx.get(booking["payment"]["url"], timeout=5)
    assert "Pay" in checkout.text
    paid = httpx.post(booking["payment"]["url"], data={"outcome": "pay"}, timeout=5)
    assert paid.status_code == 303  # back to the booking's page through its manage link
    assert paid.headers["location"].startswith("/manage/")
    assert booking["manage_url"].startswith(f"{server}/manage/")
    read = httpx.get(
        f"{server}/v1/bookings/{booking['booking_id']}",
        headers={"Authorization": f"Bearer {booking['booking_token']}"},
        timeout=5,
    )
    assert (read.json()["status"], read.json()["payment_status"]) == ("confirmed", "paid")
    assert httpx.get(f"{server}/schema/openapi.json", timeout=5).json()["openapi"].startswith("3.1")


def test_migrate_applies_the_schema_and_exits_zero(tmp_path: Path) -> None:
    done = subprocess.run(
        [BOOKHUB, "migrate"], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bookhub.db").exists()


def test_a_broken_catalog_stops_the_start_with_the_file_and_key_named(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text('[[offerings]]\nid = "x"\nname = "X"\nkind = "session"\nduration_minutes = "long"\n')
    env = _env(tmp_path, BOOKHUB_CATALOG=str(catalog))
    done = subprocess.run([BOOKHUB, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert str(catalog) in done.stderr
    assert "'duration_minutes'" in done.stderr


def test_a_bad_setting_stops_the_start_with_the_variable_named(tmp_path: Path) -> None:
    env = _env(tmp_path, BOOKHUB_HOLD_MINUTES="soon")
    done = subprocess.run([BOOKHUB, "migrate"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "BOOKHUB_HOLD_MINUTES" in done.stderr


@pytest.mark.postgres
def test_serve_with_two_processes_spreads_connections_and_stops_cleanly_on_sigterm(
    tmp_path: Path, postgres_url: str
) -> None:
    with _two_processes(tmp_path, postgres_url) as (process, port, url):
        # Each new connection lands on one of the two processes' own sockets; both must take some.
        clients = [httpx.Client(timeout=5) for _ in range(40)]
        try:
            assert all(c.get(f"{url}/v1/offerings").status_code == 200 for c in clients)
            per_process = _open_connections_per_child(process.pid, port)
        finally:
            for client in clients:
                client.close()
        assert len(per_process) == 2, per_process
        assert sum(per_process.values()) == 40, per_process
        assert min(per_process.values()) > 0, per_process


def _wait_for_health(url: str, tmp_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("bookhub serve did not answer /health within 60 s: " + (tmp_path / "server.log").read_text())


def _open_connections_per_child(parent: int, port: int) -> dict[int, int]:
    """How many established TCP connections on `port` each child process of `parent` holds (Linux)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01 = ESTABLISHED
                established.add(fields[9])  # the socket's inode
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    counts = {}
    for child in map(int, children):
        inodes = set()
        for fd in Path(f"/proc/{child}/fd").iterdir():
            with contextlib.suppress(OSError):  # an fd may close while we look
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        counts[child] = len(inodes & established)
    return counts


@pytest.mark.postgres
def test_a_server_process_that_dies_is_started_again(tmp_path: Path, postgres_url: str) -> None:
    with _two_processes(tmp_path, postgres_url) as (process, _port, url):
        time.sleep(6)  # past the start-up window, after which a death means "start it again"
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            if len(now) == 2 and children[0] not in now:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the killed server process was not started again")
        _wait_for_health(url, tmp_path)


@contextlib.contextmanager
def _two_processes(tmp_path: Path, postgres_url: str) -> Iterator[tuple[subprocess.Popen[bytes], int, str]]:
    """`bookhub serve --workers 2` on PostgreSQL, answering /health; SIGTERM stops it with exit code 0."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [BOOKHUB, "serve", "--port", str(port), "--workers", "2", "--no-worker"],
        env=_env(tmp_path, BOOKHUB_DATABASE_URL=postgres_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_health(url, tmp_path)
        yield process, port, url
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        log.close()
    assert code == 0, (tmp_path / "server.log").read_text()
