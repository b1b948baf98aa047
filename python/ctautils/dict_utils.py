"""Upstream "Dict Utils": helpers for nested dictionaries."""

from __future__ import annotations

from ctaops.utils.dicts import deep_merge, flatten, get_nested

__all__ = ["deep_merge", "flatten", "get_nested"]
