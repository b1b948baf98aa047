"""Operator-friendly translation of external tools' error messages (notably cta-admin).

The table comes from ``global.logging.error_translation_file``: a YAML mapping of regular
expression → friendly text, tried in file order; the first pattern found in the message
wins and ``$1``/``${name}`` in the text insert capture groups. Patterns use Rust ``regex``
syntax (as Python ``re`` without look-around or back-references). Format: docs/error-translation.md.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ctaops._core import ErrorTranslations

if TYPE_CHECKING:
    from ctaops.utils.config import Config

_cache: dict[str, ErrorTranslations] = {}


def load_translations(path: str | os.PathLike[str]) -> ErrorTranslations:
    """Read and compile a translation file (raises ``ConfigError`` naming a bad pattern)."""
    return ErrorTranslations.load(str(path))


def _configured(config: Config | None) -> ErrorTranslations:
    if config is None:
        from ctaops.utils.config import load_config  # noqa: PLC0415  (loaded only when needed)

        config = load_config()
    path = config.logging.error_translation_file
    if not path or not os.path.exists(path):
        return ErrorTranslations()
    key = os.path.abspath(path)
    if key not in _cache:
        _cache[key] = load_translations(path)
    return _cache[key]


def translate_error(
    message: str,
    *,
    config: Config | None = None,
    translations: ErrorTranslations | None = None,
) -> str:
    """Return the friendly text for ``message``, or ``message`` unchanged when no pattern matches.

    ``translations`` wins over ``config``; with neither, the default config is loaded.
    A configured but missing file disables translation (it is a convenience, not a requirement).
    """
    table = translations if translations is not None else _configured(config)
    friendly = table.translate(message)
    return message if friendly is None else friendly


__all__ = ["ErrorTranslations", "load_translations", "translate_error"]
