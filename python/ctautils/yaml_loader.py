"""Upstream "Yaml Loader": YAML reading (the config itself: ``ctautils.config_holder``)."""

from __future__ import annotations

from ctaops.utils.config import load_yaml

__all__ = ["load_yaml"]
