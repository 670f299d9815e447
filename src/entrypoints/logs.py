"""Logging: one line per record to stderr; records carry ids, never personal data."""

from __future__ import annotations

import logging
import sys
import traceback

# Libraries that write SQL statements with their parameters (names, emails, phones) at DEBUG or INFO,
# or URLs with their query strings: pinned at WARNING whatever BOOKHUB_LOG_LEVEL says.
PARAMETER_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy", "httpx", "httpcore")


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(WithoutExceptionText("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    quiet_parameter_loggers()


def quiet_parameter_loggers() -> None:
    """Keeps the libraries that log statement parameters above DEBUG and INFO, even when root is lower."""
    for name in PARAMETER_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET too: it would follow root down to DEBUG
            logger.setLevel(logging.WARNING)


def describe_exception(exc: BaseException) -> str:
    """An exception as its chain of types and frames, without the texts: a database error's text can
    carry the values of the row it failed on (`DETAIL: Key (email)=(...)`, `[parameters: ...]`)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    blocks = []
    for error in reversed(chain):
        frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        blocks.append(f"Traceback (most recent call last):\n{frames}{_kind(error)}")
    return "\n\nwhich led to\n\n".join(blocks)


def _kind(error: BaseException) -> str:
    kind = f"{type(error).__module__}.{type(error).__qualname__}"
    # Error codes say what went wrong without quoting any value.
    code = getattr(error, "sqlstate", None) or getattr(error, "sqlite_errorname", None)
    if isinstance(error, BaseExceptionGroup):
        kind += " of " + ", ".join(sorted({type(e).__qualname__ for e in error.exceptions}))
    return f"{kind} ({code})" if isinstance(code, str) else kind


class WithoutExceptionText(logging.Formatter):
    """Writes a record's traceback as describe_exception does, whichever logger passed exc_info."""

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # another handler's text may quote values
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: object) -> str:
        exc = ei[1] if isinstance(ei, tuple) and len(ei) == 3 else None
        return describe_exception(exc) if isinstance(exc, BaseException) else ""


__all__ = ["WithoutExceptionText", "configure_logging", "describe_exception", "quiet_parameter_loggers"]
