"""Tables as the ops tools print them.

``tabulate`` with ``global.table_format`` and ``global.table_max_col_width``, headers from a
``table_headers``-style map (JSON key → title, nested maps or dotted keys for nested
objects), empty cells shown as ``-``.

Colour (``global.colors.ansi_color_table`` on the header) is used only when the output is a
terminal and ``NO_COLOR`` is not set; ``color=True/False`` forces it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, Union

from ctaops.utils.dicts import flatten, get_nested

if TYPE_CHECKING:
    from ctaops.utils.config import Config

DEFAULT_FORMAT = "plain"
DEFAULT_MAX_COL_WIDTH = 30
EMPTY_CELL = "-"

Headers = Union[Mapping[str, Any], Sequence[str], None]


def use_color(stream: TextIO | None = None) -> bool:
    """Colour on: ``stream`` (stdout by default) is a TTY, ``NO_COLOR`` unset, ``TERM`` not ``dumb``."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    target = stream if stream is not None else sys.stdout
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


def flatten_headers(headers: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"creationLog": {"time": "C.Time"}}`` → ``{"creationLog.time": "C.Time"}``."""
    out: dict[str, str] = {}
    for key, title in headers.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(title, Mapping):
            out.update(flatten_headers(title, name))
        else:
            out[name] = str(title)
    return out


def _cell(value: Any, empty: str) -> Any:
    if value is None or value in ("", []):
        return empty
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value


def format_table(  # noqa: PLR0913  (keyword-only options)
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    headers: Headers = None,
    *,
    config: Config | None = None,
    table_format: str | None = None,
    max_col_width: int | None = None,
    empty: str = EMPTY_CELL,
    color: bool | None = None,
    stream: TextIO | None = None,
) -> str:
    """Render ``rows`` as text.

    ``rows`` are mappings (e.g. cta-admin JSON records) or sequences. For mappings,
    ``headers`` is a ``table_headers`` map selecting and titling keys (dotted or nested
    keys reach into sub-objects); without it every key of the first row is shown. For
    sequences, ``headers`` is a list of titles. ``table_format``/``max_col_width`` default
    to the config's ``table_format``/``table_max_col_width`` (``plain``/30 with no config).
    ``max_col_width=0`` disables wrapping.
    """
    from tabulate import tabulate  # noqa: PLC0415  (heavy import kept lazy)

    fmt = table_format or (config.table_format if config is not None else DEFAULT_FORMAT)
    width = (
        max_col_width
        if max_col_width is not None
        else (config.table_max_col_width if config is not None else DEFAULT_MAX_COL_WIDTH)
    )
    rows = list(rows)
    titles: list[str]
    body: list[list[Any]]
    if rows and isinstance(rows[0], Mapping):
        if headers is None:
            keys = list(flatten(rows[0]).keys())
            columns = dict(zip(keys, keys))
        elif isinstance(headers, Mapping):
            columns = flatten_headers(headers)
        else:
            columns = {str(h): str(h) for h in headers}
        titles = list(columns.values())
        body = [[_cell(get_nested(r, k), empty) for k in columns] for r in rows if isinstance(r, Mapping)]
    else:
        if isinstance(headers, Mapping):
            titles = list(flatten_headers(headers).values())
        else:
            titles = [str(h) for h in headers] if headers is not None else []
        body = [[_cell(v, empty) for v in r] for r in rows if not isinstance(r, Mapping)]

    colored = use_color(stream) if color is None else color
    if colored and titles:
        start = config.colors.ansi_color_table if config is not None else "\x1b[1;31m"
        end = config.colors.ansi_end if config is not None else "\x1b[0m"
        titles = [f"{start}{t}{end}" for t in titles]
    ncols = len(titles) if titles else max((len(r) for r in body), default=0)
    widths: list[int | None] | None = [width] * ncols if width and ncols else None
    return tabulate(
        body,
        headers=titles if titles else (),
        tablefmt=fmt,
        maxcolwidths=widths,
        disable_numparse=True,
    )


def print_table(
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    headers: Headers = None,
    *,
    config: Config | None = None,
    file: TextIO | None = None,
    **options: Any,
) -> None:
    """:func:`format_table` to ``file`` (stdout): tables are data."""
    out = file if file is not None else sys.stdout
    out.write(format_table(rows, headers, config=config, stream=out, **options) + "\n")


__all__ = [
    "DEFAULT_FORMAT",
    "DEFAULT_MAX_COL_WIDTH",
    "EMPTY_CELL",
    "flatten_headers",
    "format_table",
    "print_table",
    "use_color",
]
