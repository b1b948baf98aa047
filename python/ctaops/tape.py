"""CTA tapes: devices (SIMH image files, Linux st drives, memory), label records, writer and dump.

A tape is a sequence of logical objects (data blocks and tape marks) numbered from 0 at BOT.
:class:`TapeImage` reads and writes SIMH image files in the byte-exact layout CTA writes on a real
tape; :class:`StDrive` drives ``/dev/nstN`` in variable block mode; :class:`MemoryTape` is for tests.
All device calls release the GIL.

Example::

    from ctaops.tape import TapeImage, label_tape, write_files

    with TapeImage("V01007.img", create=True) as tape:
        label_tape(tape, "V01007")
        written = write_files(tape, "V01007", [b"hello", "/data/file1"])
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, overload

from typing_extensions import Buffer, Self

from ctaops import _core
from ctaops.errors import RefusedError

BLOCK_SIZE: int = _core.TAPE_BLOCK_SIZE
"""Block size CTA writes with (262144 bytes)."""

Section = Literal["header", "trailer"]
StrPath = Union[str, "os.PathLike[str]"]


class TapeDevice:
    """A tape positioned at one logical object. Writes cut off everything after the written object."""

    def __init__(self, device: _core.TapeDevice) -> None:
        self._dev = device

    def read_record(self, max_size: int = BLOCK_SIZE) -> bytes | None:
        """Return the next record: its bytes, ``b""`` for a tape mark, ``None`` at end of data."""
        return self._dev.read_record(max_size)

    def skip_record(self) -> int | None:
        """Move past one object; return its length (0 for a tape mark), ``None`` at end of data."""
        return self._dev.skip_record()

    def write_record(self, data: Buffer) -> None:
        """Write one data block at the current position."""
        self._dev.write_record(data)

    def write_tape_marks(self, count: int = 1) -> None:
        """Write ``count`` tape marks."""
        self._dev.write_tape_marks(count)

    def space_marks_forward(self, count: int = 1) -> None:
        """Space forward over ``count`` tape marks (stop just after the last)."""
        self._dev.space_marks_forward(count)

    def space_marks_backward(self, count: int = 1) -> None:
        """Space backward over ``count`` tape marks (stop at the last)."""
        self._dev.space_marks_backward(count)

    def locate(self, position: int) -> None:
        """Move to logical object ``position``."""
        self._dev.locate(position)

    def rewind(self) -> None:
        """Move to BOT."""
        self._dev.rewind()

    @property
    def position(self) -> int:
        """The current logical object number."""
        return self._dev.position()

    def flush(self) -> None:
        """Make written data durable."""
        self._dev.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._dev.describe()!r})"


class TapeImage(TapeDevice):
    """A SIMH tape image file (read-only unless ``writable``; ``create`` makes a blank one if missing)."""

    def __init__(self, path: StrPath, *, writable: bool = False, create: bool = False) -> None:
        super().__init__(_core.TapeDevice.image(os.fspath(path), writable or create, create))


class StDrive(TapeDevice):
    """A Linux st tape drive (``/dev/nstN``) in variable block mode; NotATapeError if it is not one."""

    def __init__(self, path: StrPath, *, writable: bool = False) -> None:
        super().__init__(_core.TapeDevice.st(os.fspath(path), writable))


class MemoryTape(TapeDevice):
    """An empty in-memory tape."""

    def __init__(self) -> None:
        super().__init__(_core.TapeDevice.memory())


@dataclass(frozen=True)
class Vol1:
    """The volume label (object 0)."""

    vsn: str
    owner: str = "CTA"
    lbp: Literal["none", "crc32c"] = "none"

    def to_bytes(self) -> bytes:
        """Return the 80-byte record."""
        return _format("Vol1", self)


@dataclass(frozen=True)
class Hdr1:
    """HDR1 or EOF1 (``section`` header/trailer); ``file_id`` is the archive ID in hex or PRELABEL."""

    section: Section
    file_id: str
    vsn: str
    fseq_field: str
    creation_date: str
    expiration_date: str
    block_count: int
    system_code: str

    @property
    def archive_id(self) -> int | None:
        """The archive file ID, ``None`` for PRELABEL."""
        try:
            return int(self.file_id, 16)
        except ValueError:
            return None

    def to_bytes(self) -> bytes:
        """Return the 80-byte record."""
        return _format("Hdr1", self)


@dataclass(frozen=True)
class Hdr2:
    """HDR2 or EOF2."""

    section: Section
    block_length: str
    record_length: str
    recording_technique: str = ""

    def to_bytes(self) -> bytes:
        """Return the 80-byte record."""
        return _format("Hdr2", self)


@dataclass(frozen=True)
class Uhl1:
    """UHL1 or UTL1: fSeq and the block size readers use."""

    section: Section
    fseq: int
    block_size: int
    record_length: int
    site: str
    mover_host: str
    drive_vendor: str
    drive_model: str
    drive_serial: str

    def to_bytes(self) -> bytes:
        """Return the 80-byte record."""
        return _format("Uhl1", self)


LabelRecord = Union[Vol1, Hdr1, Hdr2, Uhl1]
_LABEL_TYPES: dict[str, type[LabelRecord]] = {"Vol1": Vol1, "Hdr1": Hdr1, "Hdr2": Hdr2, "Uhl1": Uhl1}


def _format(kind: str, label: LabelRecord) -> bytes:
    fields = dict(label.__dict__)
    fields["record"] = kind
    return _core.label_format(json.dumps(fields))


def parse_label(data: Buffer) -> LabelRecord | None:
    """Parse an 80-byte label record with CTA's checks; ``None`` if it is not a label.

    Raises TapeLabelError naming the record and field that is out of spec.
    """
    text = _core.label_parse(data)
    if text is None:
        return None
    fields: dict[str, Any] = json.loads(text)
    cls = _LABEL_TYPES[fields.pop("record")]
    return cls(**fields)


@dataclass(frozen=True)
class WrittenFile:
    """One file as written: what the catalogue records for it."""

    fseq: int
    block_id: int
    archive_id: int
    size: int
    adler32: int
    blocks: int
    placeholder: bool

    @property
    def checksum(self) -> str:
        """Adler-32 in CTA's spelling (8 lower-case hex digits)."""
        return f"{self.adler32:08x}"


TapeState = Literal["blank", "labelled", "data"]


def inspect(tape: TapeDevice) -> tuple[TapeState, str | None]:
    """Tell a blank tape, a freshly labelled one and one holding data apart; also return the VSN."""
    state, vsn = _core.tape_inspect(tape._dev)
    states: dict[str, TapeState] = {"blank": "blank", "labelled": "labelled", "data": "data"}
    return states[state], vsn


def label_tape(tape: TapeDevice, vid: str, *, force: bool = False) -> None:
    """Write VOL1 + PRELABEL HDR1 + tape mark; refuse (RefusedError) a tape holding data or another VID."""
    state, vsn = inspect(tape)
    if not force and state == "data":
        who = f" {vsn!r}" if vsn else ""
        raise RefusedError(f"the tape{who} holds data; pass force=True to overwrite it")
    if not force and state == "labelled" and vsn != vid:
        raise RefusedError(f"the tape is labelled {vsn!r}, not {vid!r}; pass force=True to relabel it")
    _core.tape_label(tape._dev, vid)


def write_files(
    tape: TapeDevice,
    vid: str,
    files: Iterable[bytes | StrPath],
    *,
    first_archive_id: int | None = None,
    last_fseq: int | None = None,
) -> list[WrittenFile]:
    """Append files (bytes or paths) as CTA writes them; WrongVsnError if VOL1 is not ``vid``."""
    sources: list[Any] = [f if isinstance(f, (bytes, bytearray, memoryview)) else os.fspath(f) for f in files]
    raw: list[dict[str, Any]] = json.loads(_core.tape_write(tape._dev, vid, sources, first_archive_id, last_fseq))
    return [
        WrittenFile(
            fseq=r["fseq"],
            block_id=r["blockId"],
            archive_id=r["archiveId"],
            size=r["size"],
            adler32=r["adler32"],
            blocks=r["blocks"],
            placeholder=r["placeholder"],
        )
        for r in raw
    ]


@dataclass(frozen=True)
class DumpItem:
    """One entry of :func:`dump`.

    A label, a run of tape marks, a run of data blocks, a read error, or a problem (a record out
    of CTA's layout, listed just before that record).
    """

    kind: Literal["label", "tape_mark", "data", "error", "problem"]
    object: int
    name: str | None = None
    text: str | None = None
    error: str | None = None
    blocks: int | None = None
    size: int | None = None
    adler32: int | None = None
    largest_block: int | None = None
    detail: str | None = None
    fatal: bool | None = None
    count: int | None = None


@dataclass(frozen=True)
class Dump(Sequence[DumpItem]):
    """A whole-tape listing: the items in tape order, and what the reading found."""

    items: tuple[DumpItem, ...]
    objects: int
    #: Layout problems, invalid labels and read errors; 0 for a tape exactly as CTA writes it.
    problems: int
    #: True when reading stopped early after ``max_problems`` problems.
    stopped: bool

    @overload
    def __getitem__(self, index: int) -> DumpItem: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DumpItem]: ...
    def __getitem__(self, index: int | slice) -> DumpItem | Sequence[DumpItem]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)


def dump(tape: TapeDevice, max_problems: int = 100) -> Dump:
    """Every label, tape mark and data run from BOT to end of data, checked against CTA's layout.

    Reading stops after ``max_problems`` problems so a foreign or damaged medium stays bounded.
    """
    doc = json.loads(_core.tape_dump(tape._dev, max_problems))
    return Dump(tuple(DumpItem(**item) for item in doc["items"]), doc["objects"], doc["problems"], doc["stopped"])


__all__ = [
    "BLOCK_SIZE",
    "Dump",
    "DumpItem",
    "Hdr1",
    "Hdr2",
    "LabelRecord",
    "MemoryTape",
    "StDrive",
    "TapeDevice",
    "TapeImage",
    "TapeState",
    "Uhl1",
    "Vol1",
    "WrittenFile",
    "dump",
    "inspect",
    "label_tape",
    "parse_label",
    "write_files",
]
