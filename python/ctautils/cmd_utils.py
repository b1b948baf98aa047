"""Upstream "Cmd Utils": running external commands and size unit conversion."""

from __future__ import annotations

from ctaops.utils.cmd import CmdResult, run_cmd
from ctaops.utils.units import format_size, format_size_decimal, parse_size

__all__ = ["CmdResult", "format_size", "format_size_decimal", "parse_size", "run_cmd"]
