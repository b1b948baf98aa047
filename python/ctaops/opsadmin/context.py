"""What a cta-ops-admin handler gets: the config, its own section, CTA, the library, the output.

A handler is a module of :mod:`ctaops.opsadmin.handlers` named after the handler with ``-``
as ``_`` (``tape-summary`` → ``tape_summary``, ``custom:drive`` → ``custom_drive``) with:

* ``HELP``: one line for ``--help``;
* ``add_arguments(parser)``: its options (``--dry-run`` and ``--json`` are already there);
* ``run(ctx, args) -> int``: the exit status (0 done, 1 failed or refused).

A refusal raises :class:`~ctaops._toolcli.ToolExit` (or returns 1 after printing why), a change
goes through :meth:`Context.would` first so ``--dry-run`` prints ``would: …`` and does nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from ctaops.utils.tables import flatten_headers, format_table, use_color

if TYPE_CHECKING:
    import logging

    from ctaops.admin import AdminRecords, CtaAdmin
    from ctaops.library import Library
    from ctaops.utils.config import Config


def table_columns(headers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Turn a ``table_headers`` map into ``(dotted key, title)`` pairs, in the map's order."""
    return list(flatten_headers(headers).items())


@dataclass
class Context:
    """One cta-ops-admin run of a handler (or of the pass-through)."""

    prog: str
    """``cta-ops-admin tape summary``: the name error lines start with."""
    config: Config
    section: Mapping[str, Any]
    """``tools.cta-ops-admin.<handler>`` with its defaults (empty for the pass-through)."""
    log: logging.Logger
    command: str
    """The command as the table names it (``tape``), whatever alias was typed."""
    subcommand: str | None
    headers: Mapping[str, Any] = field(default_factory=dict)
    """The command's ``table_headers``."""
    empty: str = "-"
    """``empty_table_item_char``."""
    dry_run: bool = False
    json: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    _admin: CtaAdmin | None = None
    _library: Library | None = None

    @property
    def admin(self) -> CtaAdmin:
        """CTA through the cta-admin layer (``global.binaries.cta-admin``, its config and keytab)."""
        if self._admin is None:
            from ctaops.admin import CtaAdmin  # noqa: PLC0415  (a handler that needs no CTA starts faster)

            self._admin = CtaAdmin(self.config, tool="cta-ops-admin")
        return self._admin

    @property
    def library(self) -> Library:
        """The tape library the config names (``tools.ctaops-smc``: a changer device or an emulated state)."""
        if self._library is None:
            from ctaops.library import Library  # noqa: PLC0415

            self._library = Library.from_config(self.config)
        return self._library

    def would(self, action: str) -> bool:
        """Log ``action``; with ``--dry-run`` print ``would: action`` and return False (do not do it).

        The ``would:`` lines go to stdout, or to stderr with ``--json`` (stdout is then the document).
        """
        if self.dry_run:
            (sys.stderr if self.json else self.out).write(f"would: {action}\n")
            return False
        self.log.info("%s", action)
        return True

    def say(self, line: str) -> None:
        """One line for the operator on stdout (not with ``--json``, whose stdout is the document)."""
        if not self.json:
            self.out.write(line + "\n")

    def emit_json(self, document: Any) -> None:
        """Print ``document`` as JSON (``--json``)."""
        self.out.write(json.dumps(document, indent=None, separators=(",", ":"), default=str) + "\n")

    def records_table(self, records: AdminRecords, headers: Mapping[str, Any] | None = None) -> str:
        """cta-admin records as a table: the given or the command's ``table_headers``, rendered in Rust."""
        chosen = self.headers if headers is None else headers
        text = records.to_table(
            table_columns(chosen) if chosen else None,
            style=self.config.table_format,
            max_width=self.config.table_max_col_width,
            empty=self.empty,
        )
        return self._colour_header(text)

    def rows_table(self, rows: Sequence[Mapping[str, Any]], headers: Mapping[str, Any]) -> str:
        """Rows the handler built itself (dicts) as a table with ``headers``."""
        return format_table(rows, headers, config=self.config, empty=self.empty, stream=self.out)

    def _colour_header(self, text: str) -> str:
        if not text or not use_color(self.out):
            return text
        head, sep, rest = text.partition("\n")
        colors = self.config.colors
        return f"{colors.ansi_color_table}{head}{colors.ansi_end}{sep}{rest}"

    def print(self, text: str) -> None:
        """Write ``text`` (a table, a summary) with one trailing newline; nothing for empty text."""
        if text:
            self.out.write(text if text.endswith("\n") else text + "\n")


__all__ = ["Context", "table_columns"]
