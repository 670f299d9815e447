"""The ASGI factory each process of `bookhub serve --workers N` runs (see entrypoints/processes.py)."""

from __future__ import annotations

import os

from litestar import Litestar

from entrypoints import bootstrap
from entrypoints.http.app import create_app
from entrypoints.processes import PROCESS_INDEX, RUN_WORKER


def app() -> Litestar:
    settings = bootstrap.load_settings()
    # one start-up announcement, not one per process
    container = bootstrap.start(settings, announce=os.environ.get(PROCESS_INDEX, "0") == "0")
    return create_app(container, worker=os.environ.get(RUN_WORKER) == "1")
