"""Benchmark the real `bookhub serve` process on PostgreSQL: creation rate, a race, availability, memory.

`make bench` runs this file. It creates a throwaway database (dropped at the end, also on failure or
Ctrl-C), seeds it with 100,000 bookings, writes its own catalog, starts `bookhub serve --no-worker`
with N server processes, and measures. Rates (creation, the reference route) come from `wrk` with the
Lua scripts in bench/wrk/ (bench/loadgen.py); the race and the availability latency, one request at a
time, from httpx keep-alive clients in this process. The CPU used by the generator, the server and
PostgreSQL is measured beside every figure, so a load generator that steals the machine shows in the
output instead of silently lowering the numbers.
See docs/benchmarks.md for what each figure means and the figures measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
ADMIN_DATABASE = "test"
BOOKHUB = Path(sys.executable).parent / "bookhub"
ROOT = Path(__file__).resolve().parent.parent

VEHICLES = 200
RACE_SLOTS, RACERS_PER_SLOT = 20, 10
ZONE = "Europe/Paris"
# Seeded bookings span four years around the bench's "now", so past and future months are both full.
SEED_FROM = datetime(2025, 1, 1, tzinfo=UTC)
SEED_HOURS = 4 * 365 * 24
# Where each phase books (all in the future, inside the seeded years; a phase never shares a slot).
CREATE_FROM = datetime(2027, 3, 1, tzinfo=UTC)
PAID_FROM = datetime(2028, 1, 1, tzinfo=UTC)  # 7,344 hours of creation: 5 s at 1,400/s
WARMUP_FROM = datetime(2028, 9, 1, tzinfo=UTC)
RACE_FROM = datetime(2027, 2, 10, tzinfo=UTC)
MONTH = ("2027-01-01T00:00:00+01:00", "2027-02-01T00:00:00+01:00")  # January 2027, Paris time

AVAILABILITY_SECONDS = 60  # the availability phase stops here even before its last request (see report)
TARGETS = {"creation": 400.0, "availability_p99_ms": 20.0, "rss_mb": 250.0}
CLK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------- catalog


def catalog_toml() -> str:
    hours = ", ".join(f'{d} = ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    parts = ["# Written by bench/run.py for one run; see docs/benchmarks.md.\n"]
    for i in range(1, VEHICLES + 1):
        parts.append(f'[[resources]]\nid = "veh-{i:03d}"\ntype = "vehicle"\nname = "Vehicle {i}"\n')
    parts.append('[[resources]]\nid = "race-van"\ntype = "race-van"\nname = "The one race van"\n')
    for offering, name, amount, resource_type in (
        ("bench-transfer", "Free transfer, 200 vehicles", 0, "vehicle"),
        ("bench-transfer-paid", "Paid transfer, the same 200 vehicles", 8500, "vehicle"),
        ("bench-race", "One van, raced for", 0, "race-van"),
    ):
        parts.append(
            f'[[offerings]]\nid = "{offering}"\nname = "{name}"\nkind = "transfer"\n'
            f'duration_minutes = 60\namount_cents = {amount}\ncurrency = "EUR"\n'
            f'resource_type = "{resource_type}"\nbuffer_minutes = 0\ntimezone = "{ZONE}"\n'
            f"opening_hours = {{ {hours} }}\n"
        )
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------ seed


@dataclass
class Seeded:
    bookings: int
    customers: int
    seconds: float
    in_month: int = 0


BOOKING_COLUMNS = (
    "id",
    "offering_id",
    "customer_id",
    "status",
    "payment_status",
    "amount_cents",
    "currency",
    "start_at",
    "end_at",
    "block_end",
    "resource_id",
    "capacity",
    "hold_expires_at",
    "notes",
    "intake",
    "refs",
    "token_hash",
    "version",
    "created_at",
    "updated_at",
)


async def seed(database: str, count: int, rng: random.Random) -> Seeded:
    """Bookings spread over both transfer offerings, the 200 vehicles and four years, never overlapping.

    Each vehicle gets its share of distinct hours, so no two holding bookings of one vehicle overlap
    (the exclusion constraint checks it as the rows go in). Past ones are completed; of future ones
    most are confirmed, some cancelled.
    """
    started = time.perf_counter()
    now = datetime.now(UTC)
    customer_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(max(1, count // 5))]
    customers = [
        (cid, f"seed-{i}@example.com", f"Seeded Customer {i}", None, "en", "{}", SEED_FROM)
        for i, cid in enumerate(customer_ids)
    ]
    rows = []
    for v in range(VEHICLES):
        share = count // VEHICLES + (1 if v < count % VEHICLES else 0)
        for hour in rng.sample(range(SEED_HOURS), share):
            start = SEED_FROM + timedelta(hours=hour)
            paid = rng.random() < 0.4
            if start < now:
                status, payment = "completed", ("paid" if paid else "not_required")
            elif rng.random() < 0.07:
                status, payment = "cancelled", ("refunded" if paid else "not_required")
            else:
                status, payment = "confirmed", ("paid" if paid else "not_required")
            created = min(start - timedelta(days=rng.randint(1, 60)), now)
            rows.append(
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    "bench-transfer-paid" if paid else "bench-transfer",
                    rng.choice(customer_ids),
                    status,
                    payment,
                    8500 if paid else 0,
                    "EUR",
                    start,
                    start + timedelta(hours=1),
                    start + timedelta(hours=1),
                    f"veh-{v + 1:03d}",
                    None,
                    created + timedelta(minutes=30) if paid else None,
                    None,
                    "{}",
                    "{}",
                    rng.randbytes(32),
                    2,
                    created,
                    created,
                )
            )
    rows.sort(key=lambda r: r[7])  # inserted in time order, as a real table fills
    conn = await asyncpg.connect(database=database, **PG)
    try:
        await conn.copy_records_to_table(
            "customers",
            records=customers,
            columns=["id", "email", "name", "phone", "locale", "refs", "created_at"],
        )
        await conn.copy_records_to_table("bookings", records=rows, columns=BOOKING_COLUMNS)
        await conn.execute("ANALYZE")
        month_from, month_to = (datetime.fromisoformat(x) for x in MONTH)
        in_month = await conn.fetchval(
            "SELECT count(*) FROM bookings WHERE offering_id LIKE 'bench-transfer%' "
            "AND status = 'confirmed' AND start_at >= $1 AND start_at < $2",
            month_from,
            month_to,
        )
    finally:
        await conn.close()
    return Seeded(len(rows), len(customers), time.perf_counter() - started, in_month)


# ------------------------------------------------------------------------------------- process metrics


@contextlib.asynccontextmanager
async def seeded_container(prefix: str, bookings: int):  # type: ignore[no-untyped-def]
    """For the in-process benches: a throwaway database migrated and seeded like the bench's (dropped
    afterwards), and the application's container on it. Yields (container, Seeded)."""
    from adapters.persistence.migrate import migrate
    from entrypoints.container import build_container
    from entrypoints.settings import Settings

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as workdir:
            catalog = Path(workdir) / "catalog.toml"
            catalog.write_text(catalog_toml())
            url = f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
            container = build_container(Settings(database_url=url, catalog_path=catalog))
            try:
                await migrate(container.database().engine)
                yield container, await seed(name, bookings, random.Random(1))
            finally:
                await container.database().dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            f = _stat_fields(pid)
            total += (int(f[11]) + int(f[12])) / CLK
    return total


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(root: int) -> list[int]:
    """The process and all its descendants (uvicorn's supervisor, its worker processes, helpers)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                children[int(_stat_fields(int(entry.name))[1])].append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL backends serving our database (their title names it); the server's pool keeps them."""
    marker = f" {database} ".encode()
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = Path(f"/proc/{entry.name}/cmdline").read_bytes()
                if title.startswith(b"postgres: ") and marker in title:
                    pids.append(int(entry.name))
    return pids


def machine_ticks() -> tuple[int, int]:
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def postmaster() -> int | None:
    """PostgreSQL's first process: it collects the CPU time of the backends that exited (cutime)."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == "postgres":
                    parent = int(_stat_fields(int(entry.name))[1])
                    if Path(f"/proc/{parent}/comm").read_text().strip() != "postgres":
                        return int(entry.name)
    return None


def exited_children_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        f = _stat_fields(pid)
        return (int(f[13]) + int(f[14])) / CLK
    return 0.0


@dataclass
class Usage:
    wall: float
    client: float
    server: list[float]  # per server process, supervisor first
    postgres: float
    busy: float  # share of the whole machine (all cores) that was busy
    sessions: int  # PostgreSQL connections opened to our database during the phase (stats lag ~1 s)

    def with_generator(self, load: WrkLoad) -> Usage:
        """The phase's generator was wrk: its CPU (read when it exited) is the generator's."""
        self.client += load.measured.generator_cpu
        return self

    def line(self) -> str:
        w = max(self.wall, 1e-9)
        split = " + ".join(f"{p / w:.0%}" for p in self.server)
        return (
            f"{self.wall:5.1f} s: load generator {self.client / w:.0%}, "
            f"server {sum(self.server) / w:.0%} ({split}), PostgreSQL {self.postgres / w:.0%}; "
            f"machine {self.busy:.0%} of {os.cpu_count()} cores busy; {self.sessions} new PG connections"
        )


@dataclass
class _Sample:
    wall: float
    client: float
    server: dict[int, float]
    backends: dict[int, float]
    exited: float
    ticks: tuple[int, int]
    sessions: int


class Meter:
    """CPU of the load generator (this process, plus wrk's when it ran the phase), each server process
    and PostgreSQL, around a phase.

    PostgreSQL counts our database's backends plus the backends that exited during the phase (the
    postmaster's children time; on a shared machine that may include other databases' short sessions).
    """

    def __init__(self, server: Server, database: str) -> None:
        self._server, self._database = server, database
        self._postmaster = postmaster()

    async def _sample(self, admin: asyncpg.Connection) -> _Sample:
        sessions = await admin.fetchval(
            "SELECT sessions FROM pg_stat_database WHERE datname = $1", self._database
        )
        return _Sample(
            time.perf_counter(),
            time.process_time(),
            {p: cpu_seconds([p]) for p in self._server.pids()},
            {p: cpu_seconds([p]) for p in postgres_backends(self._database)},
            exited_children_cpu(self._postmaster),
            machine_ticks(),
            int(sessions or 0),
        )

    @contextlib.asynccontextmanager
    async def measure(self, into: list[Usage]):  # type: ignore[no-untyped-def]
        admin = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
        try:
            a = await self._sample(admin)
            yield
            b = await self._sample(admin)
        finally:
            await admin.close()
        server = [cpu - a.server.get(pid, 0.0) for pid, cpu in sorted(b.server.items())]
        pg = sum(cpu - a.backends.get(pid, 0.0) for pid, cpu in b.backends.items()) + b.exited - a.exited
        busy = (b.ticks[0] - a.ticks[0]) / max(1, b.ticks[1] - a.ticks[1])
        into.append(
            Usage(b.wall - a.wall, b.client - a.client, server, pg, busy, max(0, b.sessions - a.sessions))
        )


class RssSampler:
    """Sum of VmRSS over the server's processes, sampled; and the sum of their VmHWM (peaks) at the end."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self.peak_sum_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        pids, refreshed = self._server.pids(), time.monotonic()
        while True:
            if time.monotonic() - refreshed > 2:
                pids, refreshed = self._server.pids(), time.monotonic()
            self.peak_sum_kb = max(self.peak_sum_kb, sum(status_kb(p, "VmRSS") for p in pids))
            await asyncio.sleep(0.2)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        for pid in self._server.pids():
            self.hwm_kb[pid] = status_kb(pid, "VmHWM")
            self.roles[pid] = self._server.role(pid)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def pss_kb(self) -> int:
        total = 0
        for pid in self._server.pids():
            with contextlib.suppress(OSError, ValueError):
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        return total


# ---------------------------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(
        self,
        *,
        database: str,
        catalog: Path,
        workers: int,
        workdir: Path,
    ) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log_path = workdir / f"server-{database}.log"
        self.command = [
            str(BOOKHUB),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-worker",
            "--workers",
            str(workers),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKHUB_")}
        self.env = env | {
            "BOOKHUB_DATABASE_URL": f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
            "BOOKHUB_CATALOG": str(catalog),
            "BOOKHUB_ADMIN_API_KEY": secrets.token_hex(16),
            "BOOKHUB_LOG_LEVEL": "WARNING",
            "BOOKHUB_PUBLIC_URL": self.url,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self._pids: list[int] = []

    @property
    def shown_command(self) -> list[str]:
        return ["bookhub", *self.command[self.command.index("serve") :]]

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        RUNNING.append(self)

    async def wait_ready(self, limit: float = 90.0) -> float:
        assert self.process is not None
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:
            while time.perf_counter() - started < limit:
                if self.process.poll() is not None:
                    raise RuntimeError(f"bookhub serve exited with {self.process.returncode}:\n{self.log()}")
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/health")).status_code == 200 and self._all_workers_up():
                        return time.perf_counter() - started
                await asyncio.sleep(0.2)
        raise RuntimeError(f"bookhub serve did not answer /health within {limit:.0f} s:\n{self.log()}")

    def _all_workers_up(self) -> bool:
        assert self.process is not None
        self._pids = process_tree(self.process.pid)
        # --workers N > 1: the supervisor plus N processes.
        return len(self._pids) >= (1 if self.workers == 1 else self.workers + 1)

    def pids(self) -> list[int]:
        if self.process is None or self.process.poll() is not None:
            return []
        self._pids = process_tree(self.process.pid)
        return self._pids

    def role(self, pid: int) -> str:
        if self.process is not None and pid == self.process.pid:
            return "supervisor" if self.workers > 1 else "server"
        with contextlib.suppress(OSError):
            if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return "mp-tracker"
        return "worker"

    def errors(self) -> str:
        """The exceptions the server logged (it runs at WARNING), counted, and the last of our frames."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        raised = Counter(
            line.strip()[:240] for line in lines if re.match(r"^[\w.]+(Error|Exception|Violation)\b", line)
        )
        if not raised:
            return ""
        ours = [line.strip() for line in lines if "/src/" in line and line.strip().startswith("File")]
        shown = [f"{n} x {text}" for text, n in raised.most_common(5)]
        return "\n".join([*shown, "last of our frames:", *ours[-6:]])

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


RUNNING: list[Server] = []
DATABASES: list[str] = []


# ------------------------------------------------------------------------------------------------ load


@dataclass
class Load:
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    unexpected: list[str] = field(default_factory=list)
    first_body: bytes = b""

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.done / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        """Latency at quantile q in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000


@dataclass
class WrkLoad:
    """A rate measured by wrk (bench/loadgen.py), read like `Load` by the report."""

    measured: loadgen.Measured

    @property
    def done(self) -> int:
        return self.measured.requests

    @property
    def rate(self) -> float:
        return self.measured.rate

    @property
    def statuses(self) -> Counter[int | str]:
        found: Counter[int | str] = Counter({int(k): v for k, v in self.measured.statuses.items()})
        return found + Counter(self.measured.errors)

    @property
    def unexpected(self) -> list[str]:
        problems = [f"{n} x {kind}" for kind, n in self.measured.errors.items()]
        wrapped = self.measured.wrapped
        return problems + ([f"{wrapped} wraps past the phase's hours"] if wrapped else [])

    def pct(self, q: float) -> float:
        return {0.5: self.measured.p50_ms, 0.99: self.measured.p99_ms}[q]


def wrk_bookings(
    url: str,
    offering: str,
    first: datetime,
    until: datetime,
    tag: str,
    args: argparse.Namespace,
    seconds: int,
) -> WrkLoad:
    """Bookings of `offering` for `seconds` from wrk, each on its own hour from `first` (before `until`)."""
    hours = int((until - first).total_seconds() // 3600)
    script_args = (offering, str(int(first.timestamp())), str(hours), tag, str(args.threads))
    measured = loadgen.wrk(
        url, "bookings.lua", *script_args, connections=args.concurrency, seconds=seconds, threads=args.threads
    )
    return WrkLoad(measured)


Request = tuple[str, str, bytes | None]
JSON = {"content-type": "application/json"}


def client(base_url: str, connections: int = 1) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    # Plain HTTP to 127.0.0.1: one shared TLS context spares each client building its own (~10 ms).
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60, verify=_TLS)


_TLS = ssl.create_default_context()


@contextlib.asynccontextmanager
async def clients(base_url: str, count: int, *, shared: bool = False):  # type: ignore[no-untyped-def]
    """`count` keep-alive clients, each with its own connection.

    One AsyncClient per simulated client, not one client with a pool of `count` connections: httpx's
    pool spends CPU per request in proportion to its size, and with 32 connections on this 2-core
    machine that pool alone caps the load near 500 requests/s and takes CPU from the server
    (--shared-pool shows it). Separate clients are also what a server sees from separate customers.
    """
    pool = [client(base_url, count)] * count if shared else [client(base_url) for _ in range(count)]
    try:
        yield pool
    finally:
        for http in set(pool):
            await http.aclose()


async def closed_loop(
    pool: Sequence[httpx.AsyncClient], requests: Sequence[Request], *, seconds: float, expect: int
) -> Load:
    """One simulated client per entry of `pool`, each sending its next request once the last answered.

    Bounded twice: by the number of requests and by `seconds`, whichever comes first.
    """
    load = Load()
    queue = iter(requests)
    started = time.perf_counter()
    deadline = started + seconds

    async def one_client(http: httpx.AsyncClient) -> None:
        for method, url, body in queue:
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            try:
                response = await http.request(method, url, content=body, headers=JSON if body else None)
                status: int | str = response.status_code
                content = response.content
            except httpx.HTTPError as exc:
                status, content = type(exc).__name__, str(exc).encode()
            load.latencies.append(time.perf_counter() - t0)
            load.statuses[status] += 1
            if not load.first_body:
                load.first_body = content
            if status != expect and len(load.unexpected) < 5:
                load.unexpected.append(f"{status}: {content[:300]!r}")

    await asyncio.gather(*(one_client(http) for http in pool))
    load.wall = time.perf_counter() - started
    return load


def booking_requests(offering: str, first: datetime, count: int, tag: str) -> list[Request]:
    """Bookings on `count` distinct hours: each finds all 200 vehicles free but for the seeded ones."""
    return [
        (
            "POST",
            "/v1/bookings",
            json.dumps(
                {
                    "offering_id": offering,
                    "customer": {"name": f"Bench Customer {i}", "email": f"bench-{tag}-{i}@example.com"},
                    "start": (first + timedelta(hours=i)).isoformat(),
                }
            ).encode(),
        )
        for i in range(count)
    ]


@dataclass
class Race:
    statuses: Counter[int | str]
    settle: float
    confirmed_in_db: int
    slots_with_one: int
    unexpected: list[str]


async def race(base_url: str, database: str, tag: str, *, shared: bool = False) -> Race:
    """200 clients on 200 open connections, released at once: 10 of them for each of 20 one-van slots."""
    bodies = [
        json.dumps(
            {
                "offering_id": "bench-race",
                "customer": {"name": f"Racer {s}-{r}", "email": f"racer-{tag}-{s}-{r}@example.com"},
                "start": (RACE_FROM + timedelta(hours=s)).isoformat(),
            }
        ).encode()
        for s in range(RACE_SLOTS)
        for r in range(RACERS_PER_SLOT)
    ]
    random.Random(7).shuffle(bodies)
    n = len(bodies)
    async with clients(base_url, n, shared=shared) as pool:
        # Open all 200 keep-alive connections first, so the race measures booking, not connecting.
        await asyncio.gather(*(http.get("/v1/offerings") for http in pool))
        go = asyncio.Event()
        ends: list[float] = []
        unexpected: list[str] = []
        statuses: Counter[int | str] = Counter()

        async def racer(http: httpx.AsyncClient, body: bytes) -> None:
            await go.wait()
            try:
                response = await http.post("/v1/bookings", content=body, headers=JSON)
                statuses[response.status_code] += 1
                if response.status_code == 409 and b"slot_unavailable" not in response.content:
                    unexpected.append(f"409 without slot_unavailable: {response.content[:200]!r}")
                elif response.status_code not in (201, 409):
                    unexpected.append(f"{response.status_code}: {response.content[:300]!r}")
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                unexpected.append(repr(exc))
            ends.append(time.perf_counter())

        tasks = [asyncio.create_task(racer(http, b)) for http, b in zip(pool, bodies, strict=True)]
        await asyncio.sleep(0.1)  # every racer is waiting on the start line
        started = time.perf_counter()
        go.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    conn = await asyncpg.connect(database=database, **PG)
    try:
        per_slot = await conn.fetch(
            "SELECT start_at, count(*) AS n FROM bookings WHERE offering_id = 'bench-race' "
            "AND status IN ('pending_payment', 'confirmed', 'scheduled', 'in_service') GROUP BY start_at"
        )
    finally:
        await conn.close()
    return Race(
        statuses,
        max(ends) - started,
        sum(r["n"] for r in per_slot),
        sum(1 for r in per_slot if r["n"] == 1),
        unexpected[:5],
    )


# ------------------------------------------------------------------------------------------- profiling


class Profiler:
    """py-spy sampling the server's processes (optional: --profile DIR; py-spy is not a dependency)."""

    def __init__(self, outdir: Path | None, server: Server) -> None:
        self._outdir, self._server = outdir, server
        self._process: subprocess.Popen[bytes] | None = None
        self.path: Path | None = None

    @contextlib.asynccontextmanager
    async def record(self, name: str):  # type: ignore[no-untyped-def]
        if self._outdir is None or self._server.process is None:
            yield
            return
        self.path = self._outdir / f"{name}.txt"
        self._process = self.spawn(self._server.process.pid, self.path)
        await asyncio.sleep(1.0)  # py-spy attaches to every process before the phase starts
        try:
            yield
        finally:
            self._process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=30)

    @staticmethod
    def spawn(pid: int, path: Path) -> subprocess.Popen[bytes]:
        spy = Path(sys.executable).parent / "py-spy"
        return subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--nonblocking",
                "--full-filenames",
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")
LAYERS = ("domain", "application", "adapters", "entrypoints")


def _category(path: str) -> str:
    if "/site-packages/" in path:
        package = path.split("/site-packages/", 1)[1].split("/", 1)[0]
        package = package.removesuffix(".py").split(".", 1)[0]
        return {"h11": "uvicorn+h11", "uvicorn": "uvicorn+h11"}.get(package, package)
    if "/src/" in path and any(f"/src/{layer}/" in path for layer in LAYERS):
        return "bookhub." + path.split("/src/", 1)[1].split("/", 1)[0]
    if "/asyncio/" in path or path.endswith("selectors.py"):
        return "asyncio"
    return "stdlib"


def summarise_profile(path: Path, top: int = 12) -> str:
    """Where the samples went: by owner (the innermost frame outside the standard library), and by our code.

    A stdlib frame (json, uuid, hashlib, datetime...) is charged to the library or module that called it;
    asyncio's own loop stays asyncio.
    """
    owners: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for raw in path.read_text(errors="replace").splitlines():
        stack, _, count_text = raw.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = []
        for text in stack.split(";"):
            match = _FRAME.match(text)
            if match:
                frames.append((match["func"], match["file"]))
        if not frames:
            continue
        total += count
        categories = [_category(f) for _, f in frames]
        owner = next((c for c in reversed(categories) if c not in ("stdlib", "asyncio")), None)
        owners[owner or categories[-1]] += count
        func, file = frames[-1]
        leaves[f"{Path(file).name}:{func} [{categories[-1]}]"] += count
        seen = set()
        for (func, file), category in zip(frames, categories, strict=True):
            if category.startswith("bookhub."):
                key = f"{file.split('/src/', 1)[1]}:{func}"
                if key not in seen:
                    seen.add(key)
                    ours[key] += count
    if not total:
        return f"(no samples in {path})"
    lines = [f"{total} samples in {path.name}", "  by owner (self time, stdlib charged to its caller):"]
    lines += [f"    {n / total:6.1%}  {name}" for name, n in owners.most_common()]
    lines.append("  hottest leaf functions:")
    lines += [f"    {n / total:6.1%}  {name}" for name, n in leaves.most_common(top)]
    lines.append("  our functions, inclusive (this function and everything it calls):")
    lines += [f"    {n / total:6.1%}  {name}" for name, n in ours.most_common(top)]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ one config


@dataclass
class Figures:
    workers: int
    ready_seconds: float
    reference: WrkLoad
    creation: WrkLoad
    paid: WrkLoad
    race: Race
    availability: Load
    slots_per_response: int
    usage: dict[str, Usage]
    rss_peak_mb: float
    hwm_sum_mb: float
    pss_mb: float
    processes: int
    profiles: list[str] = field(default_factory=list)
    server_errors: str = ""
    per_process: str = ""


async def measure(
    args: argparse.Namespace, database: str, catalog: Path, workdir: Path, workers: int
) -> Figures:
    server = Server(
        database=database,
        catalog=catalog,
        workers=workers,
        workdir=workdir,
    )
    print(f"\nserver: {' '.join(server.shown_command)}", flush=True)
    server.start()
    try:
        ready = await server.wait_ready()
        rss = RssSampler(server)
        rss.start()
        meter = Meter(server, database)
        profiler = Profiler(args.profile, server)
        usage: dict[str, Usage] = {}
        phase: list[Usage] = []
        tag = f"w{workers}"
        async with clients(server.url, args.concurrency, shared=args.shared_pool) as pool:
            # Warm up: every server process opens its pool connections and fills its statement caches.
            requests = booking_requests("bench-transfer", WARMUP_FROM, 4 * args.concurrency, tag + "-warm")
            warm = await closed_loop(pool, requests, seconds=60, expect=201)
            if warm.statuses[201] != warm.done:
                raise RuntimeError(f"warm-up bookings failed: {warm.unexpected}\n{server.log()}")
        # Rates from wrk (bench/wrk/): an httpx generator here would cost as much CPU as the server.
        async with meter.measure(phase):
            reference = WrkLoad(
                await asyncio.to_thread(
                    loadgen.wrk,
                    f"{server.url}/v1/offerings",
                    "get.lua",
                    connections=args.concurrency,
                    seconds=3,
                    threads=args.threads,
                )
            )
        usage["reference"] = phase.pop().with_generator(reference)
        print(f"  reference GET /v1/offerings: {reference.rate:,.0f}/s", flush=True)

        async with profiler.record(f"creation-w{workers}"), meter.measure(phase):
            creation = await asyncio.to_thread(
                wrk_bookings,
                server.url,
                "bench-transfer",
                CREATE_FROM,
                PAID_FROM,
                tag,
                args,
                args.creation_seconds,
            )
        usage["creation"] = phase.pop().with_generator(creation)
        profile_paths = [profiler.path] if profiler.path else []
        print(f"  creation: {creation.rate:,.0f}/s {dict(creation.statuses)}", flush=True)

        async with meter.measure(phase):
            paid = await asyncio.to_thread(
                wrk_bookings,
                server.url,
                "bench-transfer-paid",
                PAID_FROM,
                WARMUP_FROM,
                tag + "-paid",
                args,
                args.paid_seconds,
            )
        usage["paid"] = phase.pop().with_generator(paid)
        print(f"  paid creation: {paid.rate:,.0f}/s {dict(paid.statuses)}", flush=True)

        async with meter.measure(phase):
            raced = await race(server.url, database, tag, shared=args.shared_pool)
        usage["race"] = phase.pop()
        print(f"  race: {dict(raced.statuses)} in {raced.settle:.2f} s", flush=True)

        query = urlencode({"from": MONTH[0], "to": MONTH[1]})
        url = f"/v1/offerings/bench-transfer/availability?{query}"
        async with clients(server.url, args.availability_concurrency) as pool:
            await closed_loop(pool, [("GET", url, None)] * 20, seconds=30, expect=200)
            requests = [("GET", url, None)] * args.availability_requests
            async with profiler.record(f"availability-w{workers}"), meter.measure(phase):
                availability = await closed_loop(pool, requests, seconds=AVAILABILITY_SECONDS, expect=200)
            usage["availability"] = phase.pop()
            if profiler.path and profiler.path not in profile_paths:
                profile_paths.append(profiler.path)
        slots = len(json.loads(availability.first_body).get("slots", [])) if availability.first_body else 0
        print(f"  availability: p99 {availability.pct(0.99):.1f} ms, {slots} slots", flush=True)

        await rss.stop()
        pids = server.pids()
        return Figures(
            workers=workers,
            ready_seconds=ready,
            reference=reference,
            creation=creation,
            paid=paid,
            race=raced,
            availability=availability,
            slots_per_response=slots,
            usage=usage,
            rss_peak_mb=rss.peak_sum_kb / 1024,
            hwm_sum_mb=sum(rss.hwm_kb.values()) / 1024,
            pss_mb=rss.pss_kb() / 1024,
            processes=len(pids),
            per_process=" + ".join(
                f"{rss.roles.get(pid, '?')} {kb / 1024:.0f}" for pid, kb in sorted(rss.hwm_kb.items())
            ),
            profiles=[summarise_profile(p) for p in profile_paths if p.exists()],
            server_errors=server.errors(),
        )
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------- report


def _verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def report(figures: Figures, args: argparse.Namespace) -> tuple[list[str], bool, bool]:
    """The table; whether every target was met; whether every correctness check held."""
    f = figures
    crt, pay, av, rc = f.creation, f.paid, f.availability, f.race
    creation_ok = crt.statuses[201] == crt.done > 0 and not crt.unexpected
    paid_ok = pay.statuses[201] == pay.done > 0 and not pay.unexpected
    race_ok = (
        rc.statuses[201] == RACE_SLOTS
        and rc.statuses[409] == RACE_SLOTS * (RACERS_PER_SLOT - 1)
        and rc.confirmed_in_db == RACE_SLOTS
        and rc.slots_with_one == RACE_SLOTS
    )
    avail_ok = av.statuses[200] == av.done >= min(args.availability_requests, 100)
    capped = f", stopped at the {AVAILABILITY_SECONDS} s cap" if av.done < args.availability_requests else ""
    rows = [
        ("figure", "measured", "target", "result"),
        (
            f"booking creation, free (c={args.concurrency}, {crt.done} bookings)",
            f"{crt.rate:,.0f} /s",
            f">= {TARGETS['creation']:.0f} /s",
            _verdict(creation_ok and crt.rate >= TARGETS["creation"]),
        ),
        ("  latency p50 / p99", f"{crt.pct(0.5):.1f} / {crt.pct(0.99):.1f} ms", "", ""),
        ("  statuses", _statuses(crt.statuses), "all 201", _verdict(creation_ok)),
        (
            f"booking creation, paid (c={args.concurrency}, {pay.done} bookings)",
            f"{pay.rate:,.0f} /s",
            "(information)",
            "" if paid_ok else "ERRORS",
        ),
        ("  latency p50 / p99", f"{pay.pct(0.5):.1f} / {pay.pct(0.99):.1f} ms", "", ""),
        (
            f"race: {RACE_SLOTS * RACERS_PER_SLOT} clients, {RACE_SLOTS} one-van slots",
            f"{rc.statuses[201]} x 201, {rc.statuses[409]} x 409",
            f"{RACE_SLOTS} x 201, {RACE_SLOTS * (RACERS_PER_SLOT - 1)} x 409",
            _verdict(race_ok),
        ),
        ("  settled in", f"{rc.settle * 1000:,.0f} ms", "", ""),
        (
            "  holding bookings in the table",
            f"{rc.confirmed_in_db} ({rc.slots_with_one} slots with 1)",
            "",
            "",
        ),
        (
            f"availability, 1 month ({av.done} GETs, c={args.availability_concurrency}{capped})",
            f"p99 {av.pct(0.99):.1f} ms",
            f"p99 <= {TARGETS['availability_p99_ms']:.0f} ms",
            _verdict(avail_ok and av.pct(0.99) <= TARGETS["availability_p99_ms"]),
        ),
        ("  p50 / mean / rate", f"{av.pct(0.5):.1f} ms / {_mean(av):.1f} ms / {av.rate:,.0f}/s", "", ""),
        ("  slots per response", f"{f.slots_per_response}", "", ""),
        (
            f"server peak RSS (sum over {f.processes} processes)",
            f"{max(f.hwm_sum_mb, f.rss_peak_mb):.0f} MB",
            f"<= {TARGETS['rss_mb']:.0f} MB",
            _verdict(max(f.hwm_sum_mb, f.rss_peak_mb) <= TARGETS["rss_mb"]),
        ),
        (
            "  sum of VmHWM / peak of sampled VmRSS sum",
            f"{f.hwm_sum_mb:.0f} / {f.rss_peak_mb:.0f} MB",
            "",
            "",
        ),
        ("  VmHWM per process", f"{f.per_process} MB", "", ""),
        ("  PSS at the end (shared pages split)", f"{f.pss_mb:.0f} MB", "", ""),
        (
            f"reference: GET /v1/offerings, no database (c={args.concurrency})",
            f"{f.reference.rate:,.0f} /s",
            "",
            "",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"--workers {f.workers} (ready in {f.ready_seconds:.1f} s)"]
    for i, row in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    lines.append("  CPU during each phase (100% = one core busy for the whole phase):")
    for name, use in f.usage.items():
        lines.append(f"    {name:<12} {use.line()}")
    for phase, load in (("creation", crt), ("paid", pay), ("availability", av)):
        for problem in load.unexpected:
            lines.append(f"  unexpected in {phase}: {problem}")
    for problem in rc.unexpected:
        lines.append(f"  unexpected in race: {problem}")
    if f.server_errors:
        lines.append("  the server logged errors (last lines):")
        lines += ["    " + line[:300] for line in f.server_errors.splitlines()]
    met = all(
        (
            crt.rate >= TARGETS["creation"],
            av.pct(0.99) <= TARGETS["availability_p99_ms"],
            max(f.hwm_sum_mb, f.rss_peak_mb) <= TARGETS["rss_mb"],
            race_ok,
        )
    )
    return lines, met, creation_ok and paid_ok and race_ok and avail_ok


def _statuses(statuses: Counter[int | str]) -> str:
    return ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items(), key=str))


def _mean(load: Load) -> float:
    return sum(load.latencies) / len(load.latencies) * 1000 if load.latencies else float("nan")


def machine() -> list[str]:
    postgres = "unknown"
    with contextlib.suppress(Exception):
        postgres = asyncio.run(_postgres_version())
    cpu = "unknown"
    with contextlib.suppress(OSError):
        names = [x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("model name")]
        cpu = names[0].split(":", 1)[1].strip() if names else "unknown"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return [
        f"machine: {nproc} cores ({cpu}), {_memory_gb():.0f} GB, {platform.system()} {platform.release()}",
        f"python: {platform.python_version()} ({sys.executable})",
        f"postgresql: {postgres}",
        f"packages: {_versions('litestar', 'sqlalchemy', 'asyncpg', 'msgspec', 'uvicorn', 'httpx')}",
    ]


async def _postgres_version() -> str:
    conn = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def _memory_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3


def _versions(*names: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return ", ".join(found)


# ----------------------------------------------------------------------------------------------- main


async def bench(args: argparse.Namespace, workdir: Path, out: Callable[[str], None]) -> tuple[bool, bool]:
    catalog = workdir / "bench-catalog.toml"
    catalog.write_text(catalog_toml())
    base = f"bookhub_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
    try:
        await admin.execute(f'CREATE DATABASE "{base}"')
        DATABASES.append(base)
        out(f"database {base}: migrating with `bookhub migrate`, seeding {args.seed:,} bookings...")
        env = Server(database=base, catalog=catalog, workers=1, workdir=workdir).env
        migrated = await asyncio.to_thread(
            subprocess.run, [str(BOOKHUB), "migrate"], env=env, capture_output=True, text=True, timeout=120
        )
        if migrated.returncode != 0:
            raise RuntimeError(f"bookhub migrate failed:\n{migrated.stdout}{migrated.stderr}")
        seeded = await seed(base, args.seed, random.Random(args.random_seed))
        out(
            f"seeded {seeded.bookings:,} bookings and {seeded.customers:,} customers "
            f"in {seeded.seconds:.1f} s; "
            f"{seeded.in_month:,} confirmed transfers in the measured month (Jan 2027, {VEHICLES} vehicles)"
        )
        all_met, all_correct = True, True
        for workers in args.workers:
            database = base
            if len(args.workers) > 1:  # each configuration starts from the same seeded copy
                database = f"{base}_w{workers}"
                await admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{base}"')
                DATABASES.append(database)
            figures = await measure(args, database, catalog, workdir, workers)
            lines, met, correct = report(figures, args)
            all_met, all_correct = all_met and met, all_correct and correct
            out("\n" + "\n".join(lines))
            for profile in figures.profiles:
                out("\nprofile (py-spy, all server processes): " + profile)
        return all_met, all_correct
    finally:
        await admin.close()


async def drop_databases() -> None:
    if not DATABASES:
        return
    admin = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
    try:
        while DATABASES:
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASES.pop()}" WITH (FORCE)')
    finally:
        await admin.close()


def cleanup() -> None:
    while RUNNING:
        RUNNING.pop().stop()
    if DATABASES:
        asyncio.run(drop_databases())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[2], help="server processes; several values run each"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="clients for the creation phases")
    parser.add_argument(
        "--creation-seconds", type=int, default=5, help="wrk run of free bookings, each on its own hour"
    )
    parser.add_argument("--paid-seconds", type=int, default=3, help="wrk run of paid bookings")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--seed", type=int, default=100_000, help="bookings in the table before measuring")
    parser.add_argument("--availability-requests", type=int, default=500)
    parser.add_argument("--availability-concurrency", type=int, default=1)
    parser.add_argument("--random-seed", type=int, default=20261123)
    parser.add_argument("--profile", type=Path, help="record py-spy profiles of the server into this folder")
    parser.add_argument(
        "--shared-pool", action="store_true", help="one httpx client with a pool of --concurrency connections"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: small seed, few requests")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.creation_seconds, args.paid_seconds, args.seed, args.availability_requests = 2, 1, 10_000, 50
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    loadgen.need("wrk")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"bookhub bench, {stamp}", flush=True)
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]), flush=True)
    for line in machine():
        print(line, flush=True)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="bookhub-bench-") as tmp:
            met, correct = asyncio.run(bench(args, Path(tmp), lambda s: print(s, flush=True)))
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the server and dropping the bench databases", file=sys.stderr)
        return 130
    finally:
        cleanup()
    print(f"\ntotal {time.perf_counter() - started:.0f} s; targets {'all met' if met else 'NOT all met'}")
    if not correct:
        print("CORRECTNESS CHECKS FAILED (see 'unexpected' lines above)", file=sys.stderr)
        return 1
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
