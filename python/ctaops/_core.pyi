"""Type stubs of the compiled ``ctaops._core`` module (checked by stubtest)."""

from collections.abc import Sequence
from os import PathLike
from typing import Any, final

from typing_extensions import Buffer

__version__: str
build_info: str

def adler32(data: Buffer, value: int = 1) -> int:
    """Adler-32 of ``data`` continuing from ``value``; same result as ``zlib.adler32``."""

def crc32(data: Buffer, value: int = 0) -> int:
    """CRC-32 of ``data`` continuing from ``value``; same result as ``zlib.crc32``."""

def crc32c(data: Buffer, value: int = 0) -> int:
    """CRC-32C (Castagnoli) of ``data`` continuing from ``value``."""

def md5(data: Buffer) -> str:
    """MD5 of ``data`` as lower-case hex."""

def sha1(data: Buffer) -> str:
    """SHA-1 of ``data`` as lower-case hex."""

def file_checksum(path: str | PathLike[str], algo: str = "adler32") -> str:
    """Checksum of a file in CTA's hex spelling; raises FileChangedError if it changes while read."""

def cli_main(argv: Sequence[str]) -> int:
    """Run the ``ctaops`` command line with ``argv`` (program name first); return the exit status."""

@final
class ChecksumBlob:
    """The checksums of one archive file (``cta.common.ChecksumBlob``)."""

    def __new__(cls, entries: Sequence[tuple[str, str]] = ...) -> ChecksumBlob: ...
    @staticmethod
    def from_adler32(value: int) -> ChecksumBlob: ...
    @staticmethod
    def from_int(kind: str, value: int) -> ChecksumBlob: ...
    @staticmethod
    def from_protobuf(data: Buffer) -> ChecksumBlob: ...
    @staticmethod
    def from_json(text: str) -> ChecksumBlob: ...
    @staticmethod
    def from_stored(kind: str, data: Buffer) -> ChecksumBlob: ...
    def to_protobuf(self) -> bytes: ...
    def to_json(self) -> str: ...
    @property
    def entries(self) -> list[tuple[str, str]]: ...
    def hex(self, kind: str = "ADLER32") -> str | None: ...
    def int_value(self, kind: str = "ADLER32") -> int | None: ...
    def stored_bytes(self, kind: str = "ADLER32") -> bytes | None: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def load_config(path: str | None = None, tool: str | None = None) -> dict[str, Any]:
    """Load and validate the ops config.

    Keys: ``source``, ``document``, ``global``, ``tool``, ``tool_section``, ``unknown_keys``.
    """

def locate_config(path: str | None = None) -> str | None:
    """Return the config file that would be read (explicit path, ``$CTAOPS_CONFIG``, default if present)."""

def load_yaml(path: str) -> Any:
    """Read a YAML file (``<<`` merge keys applied) into Python objects."""

def parse_size(text: str) -> int:
    """Bytes in a size such as ``'10G'``, ``'0B'``, ``'1.5T'`` (binary units)."""

def format_size(bytes: int) -> str:
    """``'0B'``, ``'10G'``, ``'1.5T'``: binary units, at most one decimal."""

def format_size_decimal(bytes: int) -> str:
    """cta-admin's table style: raw below 1000, else powers of 1000 with one decimal."""

@final
class ErrorTranslations:
    """A compiled error-translation table (pattern -> friendly text)."""

    def __new__(cls, text: str = "", origin: str = "<string>") -> ErrorTranslations: ...
    @staticmethod
    def load(path: str) -> ErrorTranslations: ...
    def translate(self, message: str) -> str | None: ...
    def __len__(self) -> int: ...
