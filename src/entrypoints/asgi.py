"""The ASGI factory each process of `bookhub serve --workers N` runs (see entrypoints/processes.py)."""

from __future__ import annotations

import os

from litestar import Litestar

from entrypoints.cli import announce
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging
from entrypoints.processes import PROCESS_INDEX, RUN_WORKER
from entrypoints.settings import Settings


def app() -> Litestar:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    if os.environ.get(PROCESS_INDEX, "0") == "0":  # one start-up announcement, not one per process
        announce(settings)
    return create_app(build_container(settings), worker=os.environ.get(RUN_WORKER) == "1")
