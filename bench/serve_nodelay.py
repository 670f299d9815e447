"""What-if launcher: `bookhub` with uvicorn's pre-bound listening socket marked as TCP (bench only).

With `--workers N > 1`, uvicorn's supervisor binds the socket itself with `socket.socket(family)`,
so its `proto` is 0; accepted sockets inherit it and asyncio then skips TCP_NODELAY (it sets it only
when `proto == IPPROTO_TCP`). Nagle's algorithm stays on, and every keep-alive response whose
headers and body leave in two writes waits ~40 ms for the client's delayed ACK. Known upstream as
Kludex/uvicorn#3149 (open); `--workers 1` is not affected (asyncio binds from getaddrinfo there).

`bench/run.py --launcher nodelay` starts the server through this file to show what a fix in
`entrypoints.cli._serve_processes` would give. It changes nothing else: same command, same code.
"""

from __future__ import annotations

import socket
import sys

from uvicorn.config import Config

_bind_socket = Config.bind_socket


def _bind_tcp_socket(self: Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        # The same file descriptor, now known as TCP, so asyncio sets TCP_NODELAY on accepted sockets.
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


Config.bind_socket = _bind_tcp_socket  # type: ignore[method-assign]

if __name__ == "__main__":
    from entrypoints.cli import main

    sys.argv[0] = "bookhub"
    raise SystemExit(main())
