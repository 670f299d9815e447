"""Logging: one line per record to stderr; records carry ids, never personal data."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str) -> None:
    line = "%(asctime)s %(levelname)s %(name)s %(message)s"
    logging.basicConfig(level=level, format=line, stream=sys.stderr)
