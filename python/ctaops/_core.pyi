"""Type stubs of the compiled ``ctaops._core`` module (checked by stubtest)."""

from collections.abc import Sequence
from os import PathLike
from typing import final

from typing_extensions import Buffer

__all__ = [
    "ChecksumBlob",
    "ScsiChanger",
    "ScsiDrive",
    "__version__",
    "adler32",
    "build_info",
    "cli_main",
    "crc32",
    "crc32c",
    "decode_element_status",
    "emulated_library_create",
    "file_checksum",
    "md5",
    "reset_log_cache",
    "scsi_discover_json",
    "sha1",
    "tapealert_flags",
]

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
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def reset_log_cache() -> None:
    """Make Rust logging re-read Python logger levels after ``logging`` configuration changes."""

@final
class ScsiChanger:
    """A media changer: ``/dev/sgN`` (SG_IO) or an emulated library state file."""

    @staticmethod
    def open(device: str | PathLike[str]) -> ScsiChanger: ...
    @staticmethod
    def emulated(path: str | PathLike[str]) -> ScsiChanger: ...
    def inventory(
        self,
    ) -> tuple[
        str,
        str,
        str,
        list[tuple[str, int, bool, str | None, bool, bool, int, int, int | None, bool, int, str | None]],
    ]: ...
    def move_medium(self, source: int, dest: int) -> None: ...
    @property
    def is_emulated(self) -> bool: ...
    def emulated_drive_report_json(self, address: int) -> str: ...
    def emulated_drive_load(self, address: int, load: bool) -> None: ...
    def emulated_operator_insert(self, port: int, barcode: str) -> None: ...

@final
class ScsiDrive:
    """A tape drive at ``/dev/nstN`` or ``/dev/sgN`` (SG_IO)."""

    @staticmethod
    def open(device: str | PathLike[str]) -> ScsiDrive: ...
    def report_json(self) -> str: ...
    def load(self, load: bool) -> None: ...

def emulated_library_create(
    path: str | PathLike[str], slots: int, drives: int, ports: int = 1, tapes: int = 0, preset: str = "ts4500"
) -> None:
    """Write a new emulated library state file."""

def scsi_discover_json(sysfs: str | PathLike[str]) -> str:
    """SCSI generic devices found under ``sysfs``, as JSON."""

def tapealert_flags() -> list[tuple[int, str, str, str, str]]:
    """Return the 64 TapeAlert flags as (code, name, severity, subject, action)."""

def decode_element_status(data: Buffer) -> int:
    """Decode READ ELEMENT STATUS data; return the number of element descriptors."""
