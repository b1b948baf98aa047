"""Type stubs of the compiled ``ctaops._core`` module (checked by stubtest)."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from os import PathLike
from typing import Any, final, overload

from typing_extensions import Buffer

__all__ = [
    "TAPE_BLOCK_SIZE",
    "AdminRecord",
    "AdminRecords",
    "AdminRunner",
    "AdminStruct",
    "AtresysStore",
    "ChecksumBlob",
    "EosDump",
    "ErrorTranslations",
    "GrpcAdminRunner",
    "ScsiChanger",
    "ScsiDrive",
    "TapeDevice",
    "TapedLogAggregator",
    "__version__",
    "adler32",
    "admin_concat",
    "admin_kinds",
    "admin_parse",
    "admin_parse_arrow",
    "admin_read_arrow_fd",
    "atresys_operator",
    "build_info",
    "cli_main",
    "crc32",
    "crc32c",
    "decode_element_status",
    "emulated_library_create",
    "file_checksum",
    "format_size",
    "format_size_decimal",
    "format_size_human",
    "forward_termination",
    "label_format",
    "label_parse",
    "load_config",
    "load_yaml",
    "locate_config",
    "md5",
    "parse_duration",
    "parse_size",
    "reset_log_cache",
    "scsi_discover_json",
    "sha1",
    "tape_dump",
    "tape_inspect",
    "tape_label",
    "tape_select",
    "tape_verify",
    "tape_write",
    "tapealert_flags",
    "tapefile_ls_entries",
    "track_child",
    "untrack_child",
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

def forward_termination() -> None:
    """Make this process pass SIGTERM, SIGINT and SIGHUP on to its tracked children, then exit 128+signo."""

def track_child(pid: int, own_group: bool = False) -> None:
    """Track child ``pid`` (``own_group``: it leads its own process group) for termination forwarding."""

def untrack_child(pid: int) -> None:
    """Stop tracking child ``pid`` (after it was waited for)."""

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

@final
class EosDump:
    """An EOS namespace dump read whole, held in Rust (docs/eos-tools.md).

    Raises ``ParseError`` naming the first line that does not fit.
    """

    def __new__(cls, path: str | PathLike[str]) -> EosDump: ...
    def __len__(self) -> int: ...
    def foreign_instance(self, instance: str) -> tuple[int, str] | None: ...
    def targets(self) -> list[str]: ...
    def entries(self, start: int, stop: int) -> list[tuple[int, int, str, int, str, str]]: ...
    def plan(
        self, finished: dict[int, str], split_size: int
    ) -> tuple[int, list[tuple[str, int]], list[tuple[int, int, list[tuple[str, int]]]]]: ...

@final
class TapedLogAggregator:
    """Daily totals of cta-taped ``Tape session finished`` records over ``from_day <= day < to_day``."""

    def __new__(cls, from_day: int | None = None, to_day: int | None = None) -> TapedLogAggregator: ...
    def feed_file(self, path: str | PathLike[str]) -> None: ...
    def feed(self, chunk: bytes) -> None: ...
    def end_log(self) -> None: ...
    @property
    def records(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    def daily(self) -> list[tuple[int, str, str, str, str, str, int, int, int, int]]: ...

def reset_log_cache() -> None:
    """Make Rust logging re-read Python logger levels after ``logging`` configuration changes."""

def load_config(path: str | None = None, tool: str | None = None) -> dict[str, Any]:
    """Load and validate the ops config.

    Keys: ``source``, ``document``, ``global``, ``tool``, ``tool_section``, ``unknown_keys``.
    """

def locate_config(path: str | None = None) -> str | None:
    """Return the config file that would be read (explicit path, ``$CTAOPS_CONFIG``, default if present)."""

def load_yaml(path: str) -> Any:
    """Read a YAML file (``<<`` merge keys applied) into Python objects."""

def parse_size(text: str) -> int:
    """Bytes in ``'10G'``, ``'10MB'``, ``'4KiB'``: ``kB MB …`` SI, ``KiB …`` and bare ``K M G …`` IEC."""

def parse_duration(text: str) -> float:
    """Seconds in ``'30s'``, ``'5m'``, ``'2h'``, ``'1d'``, ``'1.5h'``; a bare number is seconds."""

def format_size_human(bytes: int) -> str:
    """Sizes for people: SI units, one decimal, ``'999 B'``, ``'10.2 GB'``."""

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

TAPE_BLOCK_SIZE: int

@final
class TapeDevice:
    """A tape device (SIMH image, st drive or memory); every call releases the GIL."""

    @staticmethod
    def image(path: str | PathLike[str], writable: bool = False, create: bool = False) -> TapeDevice: ...
    @staticmethod
    def st(path: str | PathLike[str], writable: bool = False) -> TapeDevice: ...
    @staticmethod
    def memory() -> TapeDevice: ...
    def read_record(self, max_size: int = ...) -> bytes | None: ...
    def skip_record(self) -> int | None: ...
    def write_record(self, data: Buffer) -> None: ...
    def write_tape_marks(self, count: int = 1) -> None: ...
    def space_marks_forward(self, count: int = 1) -> None: ...
    def space_marks_backward(self, count: int = 1) -> None: ...
    def locate(self, object: int) -> None: ...
    def rewind(self) -> None: ...
    def position(self) -> int: ...
    def flush(self) -> None: ...
    def describe(self) -> str: ...

def tape_label(device: TapeDevice, vid: str) -> None:
    """Write VOL1 + PRELABEL HDR1 + tape mark."""

def tape_inspect(device: TapeDevice) -> tuple[str, str | None]:
    """Return ``(state, vsn)`` with state ``blank``, ``labelled`` or ``data``."""

def tape_write(
    device: TapeDevice,
    vid: str,
    sources: Sequence[object],
    first_archive_id: int | None = None,
    last_fseq: int | None = None,
) -> str:
    """Append files (bytes-like or paths); return the written files as JSON."""

def tape_dump(device: TapeDevice, max_problems: int = ...) -> str:
    """Return every object on the tape as JSON, with the count of layout problems."""

def label_parse(data: Buffer) -> str | None:
    """Return a label record's fields as JSON, None if the bytes are not a label."""

def label_format(json: str) -> bytes:
    """Return the 80-byte record for fields as ``label_parse`` returns them."""

def tapefile_ls_entries(text: str, vid: str) -> list[tuple[int, int, int, int, int | None, list[tuple[str, str]]]]:
    """Return ``(fseq, block_id, archive_id, size, adler32, [(type, hex), ...])`` from ``tapefile ls`` text."""

def tape_select(
    catalogue: Sequence[tuple[int, int, int, int, int | None, list[tuple[str, str]]]],
    fseqs: Sequence[int] = ...,
    first: int = 0,
    last: int = 0,
    random: int = 0,
    seed: int = 0,
    min_bytes: int = 0,
) -> tuple[list[int], list[int]]:
    """Return the fSeqs the verification engine would read for this selection, and requested fSeqs not listed."""

def tape_verify(
    device: TapeDevice,
    vid: str,
    catalogue: Sequence[tuple[int, int, int, int, int | None, list[tuple[str, str]]]] | None = None,
    fseqs: Sequence[int] = ...,
    first: int = 0,
    last: int = 0,
    random: int = 0,
    seed: int = 0,
    min_bytes: int = 0,
    progress: Callable[..., object] | None = None,
) -> str:
    """Verify a tape with the GIL released; return the report as JSON."""

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
    def serial(self) -> str:
        """Return the library's unit serial number (INQUIRY VPD 0x80)."""
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

@final
class AdminStruct:
    """A sub-message of a cta-admin record (``creationLog``, ``af`` …)."""

    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    def keys(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class AdminRecord:
    """One cta-admin record; attributes by CTA key name or snake_case spelling."""

    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    @property
    def kind(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class AdminRecords(Sequence[AdminRecord]):
    """The records of one cta-admin listing."""

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int, /) -> AdminRecord: ...
    @overload
    def __getitem__(self, index: slice, /) -> list[AdminRecord]: ...
    @property
    def kind(self) -> str: ...
    @property
    def fields(self) -> list[str]: ...
    def to_dicts(self) -> list[dict[str, Any]]: ...
    def to_json(self) -> str: ...
    def to_arrow(self, flatten: bool = False) -> Any: ...
    def to_pandas(self, flatten: bool = False) -> Any: ...
    def to_polars(self, flatten: bool = False) -> Any: ...
    def to_table(
        self,
        columns: Sequence[tuple[str, str]] | None = None,
        *,
        style: str = "plain",
        max_width: int = 30,
        empty: str = "-",
        human: bool = True,
    ) -> str: ...
    def _repr_html_(self) -> str: ...

@final
class AdminRunner:
    """Runs cta-admin (use ``ctaops.admin.CtaAdmin``)."""

    def __new__(
        cls,
        cta_admin: str | PathLike[str] = ...,
        config_file: str | PathLike[str] | None = None,
        sss_keytab: str | PathLike[str] | None = None,
        timeout: float = 300.0,
        translations: ErrorTranslations | None = None,
        cta_version: str | None = None,
    ) -> AdminRunner: ...
    def call(
        self, command: str, sub: str | None, options: Mapping[str, object] | None = None, mode: str = "auto"
    ) -> AdminRecords | str: ...
    def call_async(
        self, command: str, sub: str | None, options: Mapping[str, object] | None = None, mode: str = "auto"
    ) -> Awaitable[AdminRecords | str]: ...
    def run(self, args: Sequence[str]) -> AdminRecords | str: ...
    def run_async_words(self, args: Sequence[str]) -> Awaitable[AdminRecords | str]: ...
    def arrow(self, command: str, sub: str | None, options: Mapping[str, object] | None = None) -> Any: ...
    def cta_version(self) -> str | None: ...
    def argv(self, command: str, sub: str | None, options: Mapping[str, object] | None = None) -> list[str]: ...

@final
class GrpcAdminRunner:
    """Runs admin commands over CTA's gRPC frontend (use ``CtaAdmin(transport="grpc")``)."""

    def __new__(
        cls, cta_cli_conf: str | PathLike[str], timeout: float = 300.0, cta_version: str | None = None
    ) -> GrpcAdminRunner: ...
    def call(
        self, command: str, sub: str | None, options: Mapping[str, object] | None = None, mode: str = "auto"
    ) -> AdminRecords | str: ...
    def call_async(
        self, command: str, sub: str | None, options: Mapping[str, object] | None = None, mode: str = "auto"
    ) -> Awaitable[AdminRecords | str]: ...
    def run(self, args: Sequence[str]) -> AdminRecords | str: ...
    def run_async_words(self, args: Sequence[str]) -> Awaitable[AdminRecords | str]: ...
    def arrow(self, command: str, sub: str | None, options: Mapping[str, object] | None = None) -> Any: ...
    def cta_version(self) -> str | None: ...
    def argv(self, command: str, sub: str | None, options: Mapping[str, object] | None = None) -> list[str]: ...

def admin_parse(kind: str, data: str | Buffer, framing: str | None = None) -> AdminRecords:
    """Parse ``--json``/``--jsonl`` output of ``kind`` into records."""

def admin_parse_arrow(kind: str, data: str | Buffer, framing: str | None = None) -> Any:
    """Parse ``--json``/``--jsonl`` output of ``kind`` into a ``pyarrow.Table``."""

def admin_read_arrow_fd(kind: str, fd: int, framing: str = "json") -> Any:
    """Read records of ``kind`` from a file descriptor into a ``pyarrow.Table``."""

def atresys_operator() -> str:
    """Who the ATRESYS history records for this process (real uid's name, ``(sudo by X)``)."""

def admin_concat(kind: str, parts: Sequence[AdminRecords]) -> AdminRecords:
    """Join the records of several listings of one kind into one collection, in order."""

def admin_kinds() -> list[tuple[str, str]]:
    """``(name, alias)`` of every record kind."""

@final
class AtresysStore:
    """One open connection to the ATRESYS database (rows cross as JSON text)."""

    def __new__(
        cls,
        config_file: str | PathLike[str] | None = None,
        *,
        sqlite_path: str | PathLike[str] | None = None,
        pg_host: str | None = None,
        pg_port: int = 5432,
        pg_user: str | None = None,
        pg_password: str | None = None,
        pg_dbname: str | None = None,
        table: str | None = None,
    ) -> AtresysStore: ...
    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
    @property
    def table(self) -> str:
        """The repack table's name."""
    def schema_version(self) -> int: ...
    def check_schema(self) -> int:
        """Check the schema is exactly this program's; return its version (one-line error otherwise)."""
    def missing_tables(self) -> list[str]:
        """Return the quoted names of the schema's tables that do not exist."""
    def upgrade(self) -> tuple[int, int]:
        """Apply migrations; return ``(from_version, to_version)``."""
    def get(self, vid: str) -> str | None:
        """Return the row as JSON, or None."""
    def list(
        self, state: str | None = None, mode: str | None = None, tapepool: str | None = None, tapes: Sequence[str] = ...
    ) -> str:
        """``{"rows": [...], "bad": [{"tape", "problem"}, ...]}`` as JSON."""
    def add(self, tape_json: str, who: str, why: str) -> bool:
        """Enters a tape given as JSON (the `NewTape` fields); True if added, False if present."""
    def remove(self, vid: str, who: str, why: str) -> str:
        """Remove a tape; return the removed row as JSON."""
    def set_mode(self, vid: str, mode: str, who: str, why: str) -> bool: ...
    def set_priority(self, vid: str, priority: int, who: str, why: str) -> bool: ...
    def history(self, vid: str) -> str:
        """Return the tape's history as a JSON list."""
    def claim(self, step: str, state: str, limit: int, lease_seconds: int, who: str, why: str) -> str:
        """Claim tapes in `state` (mode auto) for `step`; the claimed rows as a JSON list."""
    def renew(self, vid: str, step: str, state: str, lease_seconds: int, who: str, why: str) -> str:
        """Whether `step` (owner `who`) still holds the tape in `state`, renewing the lease; JSON."""
    def release(self, vid: str, step: str) -> None: ...
    def advance(self, vid: str, to: str, who: str, why: str) -> bool:
        """Move a tape to `to`; True if applied, False if it already was there (no-op)."""
