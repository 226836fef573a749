"""Request and activity ids on every log line, via context variables and a logging filter."""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
activity_id: ContextVar[str] = ContextVar("activity_id", default="-")

LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s act=%(activity_id)s] %(message)s"
)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.activity_id = activity_id.get()
        return True


def configure_logging(level: str) -> None:
    """Configure the root logger once; called only by the CLI entry point."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiohttp's access log repeats what our middleware logs with ids.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
