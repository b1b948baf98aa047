"""Upstream "Log Utils": ``init_logger(...)`` and ``log_and_exit(...)``.

The legacy variants upstream mentions are not documented, so they are not provided.
"""

from __future__ import annotations

from ctaops.utils.logging import (
    LINE_FORMAT,
    JsonLinesFormatter,
    LineFormatter,
    init_logger,
    log_and_exit,
    log_file_path,
)

__all__ = ["LINE_FORMAT", "JsonLinesFormatter", "LineFormatter", "init_logger", "log_and_exit", "log_file_path"]
