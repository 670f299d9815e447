"""A local HTTP sink standing in for a partner endpoint: records each request, answers as scripted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Sink:
    url: str
    status: int = 200
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered first, one per request, then `status`
    lock: threading.Lock = field(default_factory=threading.Lock)

    body: bytes = b'{"ok": true}'

    @property
    def base(self) -> str:
        """Scheme, host and port, as `<PROVIDER>_API_BASE` takes them."""
        return self.url.removesuffix("/ingest")

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else self.status


@contextmanager
def http_sink(**script: Any) -> Iterator[Sink]:
    sink_box: list[Sink] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real partner

        def do_POST(self) -> None:
            sink = sink_box[0]
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if sink.delay:
                time.sleep(sink.delay)
            status = sink.next_status()
            if 200 <= status < 300:
                with sink.lock:
                    sink.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
            reply = sink.body
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):  # the caller gave up or was killed
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sink_box.append(Sink(f"http://127.0.0.1:{server.server_address[1]}/ingest", **script))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield sink_box[0]
    finally:
        server.shutdown()
        server.server_close()
