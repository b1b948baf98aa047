"""Upstream "SQL Utils": only the connection URL so far (see docs/ctautils.md)."""

from __future__ import annotations

from ctaops.utils.sql import database_url

__all__ = ["database_url"]
