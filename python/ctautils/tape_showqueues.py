"""Upstream "Tape Showqueues": rendering of ``cta-admin showqueues``."""

from __future__ import annotations

from ctaops.utils.showqueues import (
    ARCHIVE_COLUMNS,
    RETRIEVE_COLUMNS,
    SHOWQUEUES_TABLE_HEADERS,
    format_age,
    normalize,
    render_showqueues,
    select,
    summary,
)

__all__ = [
    "ARCHIVE_COLUMNS",
    "RETRIEVE_COLUMNS",
    "SHOWQUEUES_TABLE_HEADERS",
    "format_age",
    "normalize",
    "render_showqueues",
    "select",
    "summary",
]
