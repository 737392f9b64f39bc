"""Structured logs: every line of a request carries its request id, user, party and command.

The API binds that context once per request (``hotline.api.request_log``) with structlog's
contextvars; the writer carries a command's context into its own task, so a failure logged while
committing names the request it came from. Lines from the standard library's loggers (ours, uvicorn's)
go through the same processors. ``json`` is one JSON object per line for a deployment's collector;
``console`` is readable lines for the demo and a terminal.

A line logged at ``info`` through ``logger`` (the request line, one per HTTP request) is rendered by the
same processors and written to the same handler as the standard library would, without the two
``LogRecord``s and the formatter's copy the standard library's path makes of it: the same text for a
third of the cost.
"""

from __future__ import annotations

import contextlib
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
    global _direct
    _direct = (handler, [*_SHARED, structlog.processors.StackInfoRenderer(),
                         structlog.processors.format_exc_info, renderer])


# What ``configure_logging`` set up: the handler and the whole processor chain of a structlog line.
_direct: tuple[logging.Handler, list[Any]] | None = None


class _Logger:
    """structlog's standard-library logger, with ``info`` written straight to the configured handler
    whenever the standard library would have sent the line there and nowhere else."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._std = logging.getLogger(name)
        self._structlog: Any = structlog.stdlib.get_logger(name)

    def info(self, event: str, **fields: Any) -> None:
        direct = _direct
        if direct is None or not self._reaches_only(direct[0]):
            self._structlog.info(event, **fields)
            return
        if not self._std.isEnabledFor(logging.INFO):
            return
        handler, processors = direct
        ed: Any = fields
        ed["event"] = event  # the key order of structlog's own event dict: the fields, then the event
        for processor in processors:
            ed = processor(self._std, "info", ed)
        with handler.lock or _NO_LOCK:
            try:
                stream = handler.stream  # type: ignore[attr-defined]
                stream.write(ed + handler.terminator)  # type: ignore[attr-defined]
                stream.flush()
            except Exception:  # noqa: BLE001 (as the standard library: a log line never fails a request)
                return

    def _reaches_only(self, handler: logging.Handler) -> bool:
        """Whether this logger's lines go to ``handler`` alone: no handler or filter in between."""
        hotline = logging.getLogger("hotline")
        std = self._std
        return (not std.handlers and not std.filters and std.propagate and std.parent is hotline
                and hotline.handlers == [handler] and not hotline.filters and not handler.filters
                and not hotline.propagate and handler.level <= logging.INFO)

    def __getattr__(self, method: str) -> Any:
        return getattr(self._structlog, method)  # every other level: structlog's path


_NO_LOCK = contextlib.nullcontext()


def logger(name: str) -> Any:
    """A structlog logger under ``hotline``: keyword arguments become fields of the line."""
    return _Logger(name)
