"""Structured logs: every line of a request carries its request id, user, party and command.

The API binds that context once per request (``hotline.api.request_log``) with structlog's
contextvars; the writer carries a command's context into its own task, so a failure logged while
committing names the request it came from. Lines from the standard library's loggers (ours, uvicorn's)
go through the same processors. ``json`` is one JSON object per line for a deployment's collector;
``console`` is readable lines for the demo and a terminal.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any, Literal

import structlog

__all__ = ["FORMATS", "configure_logging", "logger"]

FORMATS = ("console", "json")
Format = Literal["console", "json"]

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(fmt: str = "console", *, level: int = logging.INFO, stream: IO[str] | None = None) -> None:
    """Send every log line of hotline, structlog's and the standard library's, to ``stream`` (stderr)
    in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r} is not one of {FORMATS}")
    renderer: Any = (structlog.processors.JSONRenderer() if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[*_SHARED, structlog.processors.StackInfoRenderer(),
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer]))
    hotline = logging.getLogger("hotline")
    hotline.handlers[:] = [handler]
    hotline.setLevel(level)
    hotline.propagate = False


def logger(name: str) -> Any:
    """A structlog logger under ``hotline``: keyword arguments become fields of the line."""
    return structlog.stdlib.get_logger(name)
