"""ctaops: the CERN Tape Archive operator toolkit, with a Rust core."""

from __future__ import annotations

from ctaops import admin, checksum
from ctaops._core import __version__, build_info
from ctaops.errors import CtaOpsError

__all__ = ["CtaOpsError", "__version__", "admin", "build_info", "checksum"]
