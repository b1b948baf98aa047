"""Command-line input every ops tool checks the same way, before doing anything.

Use these as argparse ``type=`` so a bad value is a usage error (one line, exit 2) that names
the option:

* :func:`non_negative_int`, :func:`positive_int`: counts (``-n``, ``--first``, ``--maxverify``…);
  ``-5`` used to be taken as "no tapes" or to fail later with exit 1;
* :func:`size`: data sizes (``--data-size 500G``) through the core parser, so ``-5G`` or
  ``5X`` is a usage error instead of a failure halfway through the run;
* :func:`utf8_text`: VIDs and other names sent to CTA. Python keeps undecodable bytes of
  ``argv`` as lone surrogates; left in, they fail deep inside (a traceback from the logger or
  the Rust layer) instead of at the edge;
* :func:`list_file`: a ``--vidfile``: read at most :data:`LIST_FILE_MAX_BYTES` (``/dev/zero``
  or a sparse file of terabytes fails at once instead of filling the memory), UTF-8 only.

The limits are listed in ``docs/reliability.md`` ("Input limits").
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from typing import BinaryIO

LIST_FILE_MAX_BYTES = 64 * 1024 * 1024
"""Largest list file read (the same bound as ``cta-admin --vidfile`` in ctaops' Rust layer)."""


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def non_negative_int(text: str) -> int:
    """Parse a count that may be zero."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give 0 or more")
    return value


def positive_int(text: str) -> int:
    """Parse a count that must be at least one."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive; give 1 or more")
    return value


def size(text: str) -> int:
    """Parse a data size with :func:`ctaops.utils.units.parse_size` (the one parser every tool uses)."""
    from ctaops.utils.units import parse_size  # noqa: PLC0415  (the compiled module; keeps --help fast)

    try:
        return parse_size(text)
    except (ValueError, OverflowError) as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size ({e})") from None


def utf8_text(text: str) -> str:
    """Refuse an argument holding bytes that are not UTF-8 (lone surrogates in ``sys.argv``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(text)
        raise argparse.ArgumentTypeError(f"{raw!r} is not UTF-8 text") from None
    return text


def _read_bounded(f: BinaryIO, name: str, size: int | None) -> bytes:
    limit = LIST_FILE_MAX_BYTES
    too_large = f"{name}: larger than {limit >> 20} MiB ({limit} bytes), the limit for list files"
    if size is not None and size > LIST_FILE_MAX_BYTES:
        raise argparse.ArgumentTypeError(too_large)  # judged by its size: nothing read
    data = f.read(LIST_FILE_MAX_BYTES + 1)
    if len(data) > LIST_FILE_MAX_BYTES:
        raise argparse.ArgumentTypeError(too_large)
    return data


def list_file(path: str) -> list[str]:
    """Read a VID list file (``-``: stdin): whitespace-separated words, ``#`` starts a comment."""
    name = "<stdin>" if path == "-" else os.fsencode(path).decode("utf-8", "backslashreplace")
    try:
        if path == "-":
            data = _read_bounded(sys.stdin.buffer, name, None)
        else:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                data = _read_bounded(f, name, st.st_size if stat.S_ISREG(st.st_mode) else None)
    except OSError as e:
        raise argparse.ArgumentTypeError(f"{name}: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise argparse.ArgumentTypeError(f"{name}: not UTF-8 text (invalid byte at offset {e.start})") from None
    return [w for line in text.splitlines() for w in line.split("#", 1)[0].split()]


__all__ = ["LIST_FILE_MAX_BYTES", "list_file", "non_negative_int", "positive_int", "size", "utf8_text"]
