"""Logging: one line per record to stderr; records carry ids, never personal data."""

from __future__ import annotations

import logging
import sys

# Libraries that write SQL statements with their parameters (names, emails, phones) at DEBUG or INFO,
# or URLs with their query strings: pinned at WARNING whatever BOOKHUB_LOG_LEVEL says.
PARAMETER_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy", "httpx", "httpcore")


def configure_logging(level: str) -> None:
    line = "%(asctime)s %(levelname)s %(name)s %(message)s"
    logging.basicConfig(level=level, format=line, stream=sys.stderr)
    quiet_parameter_loggers()


def quiet_parameter_loggers() -> None:
    """Keeps the libraries that log statement parameters above DEBUG and INFO, even when root is lower."""
    for name in PARAMETER_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET too: it would follow root down to DEBUG
            logger.setLevel(logging.WARNING)


__all__ = ["configure_logging", "quiet_parameter_loggers"]
