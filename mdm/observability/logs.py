"""Structured logs: with ``MDM_LOG_FORMAT=json`` every line is one JSON object that
carries the correlation id of the request it was written for.

The id comes from the context variable the correlation middleware sets
(``mdm.http.middleware.correlation_id_var``); worker threads started for a request
inherit it, so lines written by a use case on a thread carry it too. Lines written
outside any request have ``"correlation_id": null``. Uvicorn's own loggers are
routed through the same handler (``mdm serve`` passes ``log_config=None`` then).
"""

from __future__ import annotations

import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

import orjson

from mdm.http.middleware import correlation_id_var

__all__ = ["JsonFormatter", "configure_logging"]

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}
_MARK = "_mdm_json_handler"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, correlation_id, any
    ``extra`` fields, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        cid = getattr(record, "correlation_id", None) or correlation_id_var.get()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": cid,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(line, default=str).decode()


def configure_logging(log_format: str, *, level: int = logging.INFO) -> bool:
    """In ``json`` mode, make the root logger write JSON lines to stderr (replacing its
    handlers, once per process) and let uvicorn's loggers propagate to it; returns
    whether JSON logging is on. ``text`` leaves logging as it was."""
    if log_format != "json":
        return False
    root = logging.getLogger()
    if not any(getattr(h, _MARK, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        setattr(handler, _MARK, True)
        root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    return True
