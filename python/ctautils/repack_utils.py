"""Upstream "Repack Utils": only the config-derived helpers (see docs/ctautils.md for what is missing)."""

from __future__ import annotations

from ctaops.utils.repack import RepackPriority, destination_pool, existing_files_on_tape_path, priorities

__all__ = ["RepackPriority", "destination_pool", "existing_files_on_tape_path", "priorities"]
