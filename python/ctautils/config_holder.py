"""Upstream "Config Holder": config objects for CLI tools and cta-admin error translation."""

from __future__ import annotations

from ctaops.utils.config import (
    DEFAULT_PATH,
    ENV_VAR,
    Config,
    GlobalConfig,
    load_config,
    locate_config,
)
from ctaops.utils.translate import ErrorTranslations, load_translations, translate_error

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "Config",
    "ErrorTranslations",
    "GlobalConfig",
    "load_config",
    "load_translations",
    "locate_config",
    "translate_error",
]
