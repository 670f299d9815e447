"""What-if launcher: N server processes, each with its own SO_REUSEPORT listening socket (bench only).

`bookhub serve --workers N` runs uvicorn's supervisor: one listening socket shared by N processes.
Two things follow on Linux, both measured by bench/run.py (see docs/benchmarks.md):

- a burst of new keep-alive connections is accepted by whichever process wakes first, which takes
  the whole burst (asyncio accepts up to the backlog per wake-up), so the other process may serve
  nothing for the life of those connections;
- that shared socket has `proto` 0, so asyncio leaves Nagle on (see bench/serve_nodelay.py).

Here each process binds its own TCP socket with SO_REUSEPORT, and the kernel spreads connections
over them by a hash of the address pair. The parent imports no application code: it migrates with
`bookhub migrate`, starts the processes, and stops them on SIGTERM or SIGINT. The application code is
the same (`entrypoints.asgi:app`), so `bench/run.py --launcher reuseport` shows what such a change to
`entrypoints.cli._serve_processes` would give. Accepts the subset of `bookhub serve` options the
bench uses.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

BOOKHUB = Path(sys.executable).parent / "bookhub"


def child(host: str, port: int) -> None:
    import uvicorn

    if os.environ.get("BENCH_NARROW_WINDOW") == "1":
        # What-if for booking creation: look for collisions only around the slot itself (its block
        # widened by the buffer), not two more days on each side; the occupancy query already reaches
        # back MAX_SPAN for long bookings that overlap.
        from datetime import timedelta

        from application.bookings import create_booking

        create_booking._LONGEST = timedelta(0)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    config = uvicorn.Config(
        "entrypoints.asgi:app",
        factory=True,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        lifespan="on",
    )
    uvicorn.Server(config).run(sockets=[sock])


def main() -> int:
    parser = argparse.ArgumentParser(prog="serve_reuseport.py")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-worker", action="store_true")
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.host, args.port)
        return 0
    if not args.no_migrate:
        subprocess.run([str(BOOKHUB), "migrate"], check=True)
    env = os.environ | {"BOOKHUB_SERVE_RUNS_WORKER": "0" if args.no_worker else "1"}
    command = [sys.executable, __file__, "serve", "--child", "--host", args.host, "--port", str(args.port)]
    processes = [subprocess.Popen(command, env=env) for _ in range(args.workers)]

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    codes = [process.wait() for process in processes]
    return max(codes, default=0)


if __name__ == "__main__":
    raise SystemExit(main())
