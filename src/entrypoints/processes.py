"""`bookhub serve --workers N`: N server processes, each listening on its own SO_REUSEPORT socket.

uvicorn's own multi-process mode shares one listening socket between its processes: the first
process to wake takes a whole burst of new keep-alive connections (the others may serve nothing for
their lifetime), and that socket leaves Nagle on, which adds a delayed-ACK wait to every keep-alive
response (docs/benchmarks.md). Here each process binds its own TCP socket with SO_REUSEPORT and the
kernel spreads connections over them. The supervisor imports no application code, so it costs a few
MB: it starts the processes, restarts one that dies, and stops them all on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time

log = logging.getLogger("bookhub")

PROCESS_INDEX = "BOOKHUB_SERVE_PROCESS_INDEX"
RUN_WORKER = "BOOKHUB_SERVE_RUNS_WORKER"
# A process that dies sooner than this after its start is failing to start: stop, do not loop.
_MIN_UPTIME_SECONDS = 5.0


def supervise(host: str, port: int, processes: int, *, worker: bool) -> int:
    """Run `processes` server processes until SIGTERM/SIGINT; the exit code is the worst child's."""
    stopping = False

    def start(index: int) -> tuple[subprocess.Popen[bytes], float]:
        env = os.environ | {PROCESS_INDEX: str(index), RUN_WORKER: "1" if worker and index == 0 else "0"}
        command = [sys.executable, "-m", "entrypoints.processes", "--host", host, "--port", str(port)]
        return subprocess.Popen(command, env=env), time.monotonic()  # noqa: S603 - our own module

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for child, _started in children:
            if child.poll() is None:
                child.terminate()

    children = [start(i) for i in range(processes)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("serving on http://%s:%s with %s processes", host, port, processes)
    worst = 0
    while True:
        time.sleep(0.2)
        alive = False
        for index, (child, started) in enumerate(children):
            code = child.poll()
            if code is None:
                alive = True
            elif stopping:
                continue
            elif time.monotonic() - started < _MIN_UPTIME_SECONDS:
                log.error("server process %s exited with %s at start; stopping", index, code)
                worst = max(worst, abs(code) or 1)
                stop()
            else:
                log.warning("server process %s exited with %s; starting it again", index, code)
                children[index] = start(index)
                alive = True
        if not alive:  # stopped, or a process could not start
            return worst


def _serve_one(host: str, port: int) -> None:
    """One server process: its own listening socket, the whole application.

    The socket listens before the application is imported, so the kernel spreads new connections over
    every process from the start; those that land here wait in its backlog for the second or so the
    import takes, instead of all going to whichever process was ready first.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP: asyncio sets NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)

    import uvicorn

    # By name: uvicorn imports the application factory in this process, after the socket listens.
    config = uvicorn.Config(
        "entrypoints.asgi:app", factory=True, access_log=False, log_config=None, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="bookhub serve process")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _serve_one(args.host, args.port)
