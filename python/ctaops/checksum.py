"""Checksums as CTA computes and stores them.

``adler32``, ``crc32`` and ``crc32c`` are drop-in replacements for ``zlib.adler32`` and
``zlib.crc32`` (same results, same chaining through ``value``) that run SIMD code, accept any
contiguous buffer (bytes, bytearray, memoryview, mmap, numpy arrays) without copying, and
release the GIL for large inputs. ``file_checksum`` returns CTA's hex spelling: lower case,
full width, no ``0x``.
"""

from __future__ import annotations

from ctaops._core import ChecksumBlob, adler32, crc32, crc32c, file_checksum, md5, sha1

ALGORITHMS = ("adler32", "crc32", "crc32c", "md5", "sha1")
"""Names accepted by :func:`file_checksum` and ``ctaops checksum --algo``."""

__all__ = ["ALGORITHMS", "ChecksumBlob", "adler32", "crc32", "crc32c", "file_checksum", "md5", "sha1"]
