"""Data sizes as the ops tools write them: ``'10G'``, ``'0B'``, ``'1.5T'``.

``K M G T P E`` are powers of **1024** (upstream documents ``'10G'`` as 10 GiB and
``5368709120`` as 5 GiB). A bare number is bytes; a unit may be followed by ``B`` or ``iB``
(``'4KiB'``, ``'2GB'``), case does not matter. :func:`format_size_decimal` reproduces
cta-admin's own tables instead (powers of 1000, one decimal).
"""

from __future__ import annotations

from ctaops._core import format_size, format_size_decimal, parse_size

__all__ = ["format_size", "format_size_decimal", "parse_size"]
