"""Small helpers for nested dictionaries (cta-admin JSON records, config sections)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def get_nested(data: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    """Value at ``"a.b.c"`` in nested mappings, or ``default``; a literal dotted key wins."""
    if dotted in data:
        return data[dotted]
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def flatten(data: Mapping[str, Any], sep: str = ".", prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings: ``{"a": {"b": 1}}`` → ``{"a.b": 1}`` (lists are kept as values)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{sep}{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, sep, name))
        else:
            out[name] = value
    return out


def counter(value: Any) -> int:
    """Return a counter of a CTA record as an int (CTA prints uint64 as strings); 0 when absent or not a number."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Return a new dict: ``over`` merged into ``base`` key by key; ``None`` in ``over`` keeps ``base``."""
    out = dict(base)
    for key, value in over.items():
        if value is None:
            continue
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


__all__ = ["counter", "deep_merge", "flatten", "get_nested"]
