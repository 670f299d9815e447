"""An ASGI factory for servers that start their own processes (`bookhub serve --workers N`)."""

from __future__ import annotations

import os

from litestar import Litestar

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging
from entrypoints.settings import Settings

RUN_WORKER = "BOOKHUB_SERVE_RUNS_WORKER"


def app() -> Litestar:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(build_container(settings), worker=os.environ.get(RUN_WORKER) == "1")
