"""Upstream "Table Utils": table formatting honouring ``table_format`` and ``table_max_col_width``."""

from __future__ import annotations

from ctaops.utils.tables import flatten_headers, format_table, print_table, use_color

__all__ = ["flatten_headers", "format_table", "print_table", "use_color"]
