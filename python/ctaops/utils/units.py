"""Sizes and durations, parsed by the same Rust code as the ``ctaops`` command line.

Sizes: a bare number is bytes; ``kB MB GB TB PB EB`` are SI (powers of 1000, as CTA's and EOS's
tools print); ``KiB MiB GiB …`` are IEC (powers of 1024); a bare letter ``K M G T P E`` stays IEC
because upstream documents ``'10G'`` as 10 GiB and ``5368709120`` as 5 GiB. Letters are
case-insensitive; only ``B`` against ``iB`` tells SI from IEC. :func:`format_size_human` is how
sizes are shown to people (``'10.2 GB'``), :func:`format_size` how the config writes them
(``'10G'``), :func:`format_size_decimal` cta-admin's own table style.

Durations: ``'30s'``, ``'5m'``, ``'2h'``, ``'1d'``, ``'250ms'``, fractions allowed; a bare number
is seconds. :func:`parse_duration` returns seconds as a float.
"""

from __future__ import annotations

from ctaops._core import format_size, format_size_decimal, format_size_human, parse_duration, parse_size

__all__ = ["format_size", "format_size_decimal", "format_size_human", "parse_duration", "parse_size"]
