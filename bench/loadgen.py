"""The bench's load generators outside Python: `wrk` for HTTP rates, `pgbench` for PostgreSQL's own.

A load generator in the bench's own Python process costs about as much CPU per request as a bare
route does to answer it, on the same two cores: an httpx echo measured 2.2k req/s where wrk measures
10k. So rates are measured with wrk (one C thread, epoll) driving Lua scripts in bench/wrk/, and the
CPU each tool used is read from the kernel when it exits (`wait4`), so the report shows whether the
generator could have been the limit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WRK_SCRIPTS = HERE / "wrk"
PGBENCH_SCRIPTS = HERE / "pgbench"
PACKAGES = {"wrk": "wrk", "pgbench": "postgresql-client"}


def need(tool: str) -> str:
    """The tool's path, or exit with one line saying how to get it (`make bench` installs both)."""
    found = shutil.which(tool) or (f"/usr/bin/{tool}" if Path(f"/usr/bin/{tool}").exists() else None)
    if found is None:
        raise SystemExit(f"bench: `{tool}` is missing; install it with `apt-get install -y {PACKAGES[tool]}`")
    return found


@dataclass
class Measured:
    """What one wrk or pgbench run measured, and the CPU the generator itself used."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    generator_cpu: float  # seconds of user + system CPU of wrk or pgbench
    statuses: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    wrapped: int = 0
    command: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def generator_share(self) -> float:
        """The generator's CPU as a share of one core over the run."""
        return self.generator_cpu / self.seconds if self.seconds else 0.0


def _run(command: list[str], *, timeout: float) -> tuple[str, float]:
    """Run `command`, return its output and the CPU seconds it used (from wait4, exact and cheap)."""
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # reaped here, so the rusage is the child's own
        finally:
            watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{text[-2000:]}")
    return text, usage.ru_utime + usage.ru_stime


def wrk(
    url: str,
    script: str,
    *script_args: str,
    connections: int,
    seconds: int,
    threads: int = 1,
) -> Measured:
    """`wrk` against `url` with bench/wrk/<script> for `seconds`, closed loop, `connections` keep-alive."""
    options = [f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    tail = ["--", *script_args] if script_args else []
    command = [need("wrk"), *options, "-s", str(WRK_SCRIPTS / script), url, *tail]
    # As a reader would type it: the bench's script by its path here, files by their name only.
    shown = ["wrk", *options, "-s", f"bench/wrk/{script}", url, *(Path(a).name for a in tail)]
    out, cpu = _run(command, timeout=seconds + 60)
    line = next((x for x in out.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report:\n{out[-2000:]}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    return Measured(
        requests=data["requests"],
        seconds=data["seconds"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        generator_cpu=cpu,
        statuses=data["statuses"],
        outcomes=data["outcomes"],
        errors={k: v for k, v in data["errors"].items() if v},
        wrapped=data["wrapped"],
        command=" ".join(shown),
    )


def pgbench(
    database: str,
    script: str,
    *,
    clients: int,
    seconds: int,
    variables: dict[str, str | int],
    logdir: Path,
    threads: int = 1,
    host: str = "127.0.0.1",
    port: int = 5432,
    user: str = "postgres",
) -> Measured:
    """`pgbench` running bench/pgbench/<script> on `database`; latencies from its per-transaction log."""
    for old in logdir.glob("pgbench_log*"):
        old.unlink()
    command = [
        need("pgbench"),
        "-n",
        "-M",
        "prepared",
        f"-c{clients}",
        f"-j{threads}",
        f"-T{seconds}",
        "-h",
        host,
        "-p",
        str(port),
        "-U",
        user,
        "-l",
        "--log-prefix",
        str(logdir / "pgbench_log"),
        *[f"-D{name}={value}" for name, value in variables.items()],
        "-f",
        str(PGBENCH_SCRIPTS / script),
        database,
    ]
    out, cpu = _run(command, timeout=seconds + 60)
    processed = re.search(r"number of transactions actually processed: (\d+)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    latencies: list[int] = []
    for log in logdir.glob("pgbench_log*"):
        latencies += [int(line.split()[2]) for line in log.read_text().splitlines() if line.strip()]
    latencies.sort()
    if processed is None or not latencies:
        raise RuntimeError(f"pgbench printed no result:\n{out[-2000:]}")
    # pgbench's rate excludes connection set-up; the log's first and last completions bound the run.
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    requests = int(processed.group(1))
    shown = ["pgbench", *command[1:]]
    shown[shown.index("-f") + 1] = f"bench/pgbench/{script}"
    shown[shown.index("--log-prefix") + 1] = "DIR/pgbench_log"
    return Measured(
        requests=requests,
        seconds=requests / float(tps.group(1)) if tps else float(seconds),
        p50_ms=latencies[len(latencies) // 2] / 1000,
        p99_ms=latencies[min(len(latencies) - 1, round(0.99 * len(latencies)))] / 1000,
        generator_cpu=cpu,
        errors={"failed": int(failed.group(1))} if failed and int(failed.group(1)) else {},
        command=" ".join(shown),
    )
