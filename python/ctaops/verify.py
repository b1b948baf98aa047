"""Read-back verification of CTA tapes against the catalogue.

:func:`verify_tape` reads the selected files from a tape image or drive (GIL released, reading
and Adler-32 overlapped, memory bounded), compares each with its catalogue entry and returns a
:class:`VerifyReport`. Every file gets a status: ``ok``, ``checksum_mismatch``,
``size_mismatch``, ``header_error``, ``unreadable``, ``missing``, ``unexpected``,
``placeholder`` (CTA's stand-in for a zero-length file; not an error) or ``no_checksum`` (the
catalogue lists no checksum to compare with: not verified).

Example::

    from ctaops.verify import load_tapefile_ls, verify_tape

    catalogue = load_tapefile_ls("V01007.json", "V01007")  # saved `cta-admin --json tapefile ls --vid V01007`
    report = verify_tape("V01007.img", "V01007", catalogue=catalogue, first=10, last=10)
    print(report.all_ok, report.summary.counts)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Union

from ctaops import _core
from ctaops.tape import TapeDevice, TapeImage

FileStatus = Literal[
    "ok",
    "checksum_mismatch",
    "size_mismatch",
    "header_error",
    "unreadable",
    "missing",
    "unexpected",
    "placeholder",
    "no_checksum",
]


@dataclass(frozen=True)
class CatalogueEntry:
    """One tape file as the catalogue records it (``cta-admin tapefile ls``)."""

    fseq: int
    block_id: int
    archive_id: int
    size: int
    adler32: int | None = None
    #: The other checksums of the file's blob as ``(type, hex)`` in CTA's spelling
    #: (``("CRC32C", "0a0b0c0d")``); they are compared too.
    checksums: tuple[tuple[str, str], ...] = ()

    def _tuple(self) -> tuple[int, int, int, int, int | None, list[tuple[str, str]]]:
        return (self.fseq, self.block_id, self.archive_id, self.size, self.adler32, list(self.checksums))


@dataclass(frozen=True)
class FileResult:
    """The verdict on one file."""

    fseq: int
    archive_id: int | None
    block_id: int | None
    size: int
    expected_size: int | None
    checksum: str | None
    expected_checksum: str | None
    status: FileStatus
    detail: str
    position: int | None
    blocks: int


@dataclass(frozen=True)
class Summary:
    """Counts per status and volume read."""

    files: int
    counts: dict[str, int]
    bytes: int
    expected_bytes: int
    seconds: float
    bytes_per_second: float


@dataclass(frozen=True)
class Volume:
    """The VOL1 found on the tape."""

    vsn: str
    owner: str
    lbp: str


@dataclass(frozen=True)
class VerifyReport:
    """A whole verification."""

    vid: str
    volume: Volume | None
    files: list[FileResult]
    tape_errors: list[str]
    summary: Summary

    @property
    def all_ok(self) -> bool:
        """True when every selected file is ok (placeholders allowed) and the tape had no problem."""
        return not self.tape_errors and all(f.status in ("ok", "placeholder") for f in self.files)


@dataclass(frozen=True)
class Progress:
    """Progress of a running verification."""

    files_done: int
    files_total: int | None
    bytes_done: int
    bytes_total: int | None
    elapsed_seconds: float
    bytes_per_second: float
    eta_seconds: float | None


ProgressCallback = Callable[[Progress], object]
TapeLike = Union[TapeDevice, str, "os.PathLike[str]"]


def parse_tapefile_ls(text: str, vid: str) -> list[CatalogueEntry]:
    """Entries for ``vid`` from the text of ``cta-admin --json tapefile ls --vid VID``."""
    return [
        CatalogueEntry(f, b, a, s, adler, tuple(others))
        for f, b, a, s, adler, others in _core.tapefile_ls_entries(text, vid)
    ]


def load_tapefile_ls(path: str | os.PathLike[str], vid: str) -> list[CatalogueEntry]:
    """Entries for ``vid`` from a saved ``cta-admin --json tapefile ls --vid VID`` file."""
    with open(path, encoding="utf-8") as f:
        return parse_tapefile_ls(f.read(), vid)


def select_files(  # noqa: PLR0913 - the selection options of cta-ops-verify-tape
    catalogue: Iterable[CatalogueEntry],
    *,
    fseqs: Iterable[int] = (),
    first: int = 0,
    last: int = 0,
    random: int = 0,
    seed: int = 0,
    min_bytes: int = 0,
) -> tuple[list[int], list[int]]:
    """Return the fSeqs :func:`verify_tape` would read for this selection, and requested fSeqs not listed.

    The union of ``fseqs``, the first and last N files (fSeq order), ``random`` files chosen with
    ``seed``, then random files until ``min_bytes`` are selected. No option selects nothing here
    (``verify_tape`` then reads every file).
    """
    entries = [e._tuple() for e in catalogue]
    return _core.tape_select(entries, list(fseqs), first, last, random, seed, min_bytes)


def _file(raw: dict[str, Any]) -> FileResult:
    return FileResult(
        fseq=raw["fseq"],
        archive_id=raw["archiveId"],
        block_id=raw["blockId"],
        size=raw["size"],
        expected_size=raw["expectedSize"],
        checksum=raw["checksum"],
        expected_checksum=raw["expectedChecksum"],
        status=raw["status"],
        detail=raw["detail"],
        position=raw["position"],
        blocks=raw["blocks"],
    )


def _report(raw: dict[str, Any]) -> VerifyReport:
    s = raw["summary"]
    vol = raw["volume"]
    return VerifyReport(
        vid=raw["vid"],
        volume=Volume(vsn=vol["vsn"], owner=vol["owner"], lbp=vol["lbp"]) if vol else None,
        files=[_file(f) for f in raw["files"]],
        tape_errors=list(raw["tapeErrors"]),
        summary=Summary(
            files=s["files"],
            counts=dict(s["counts"]),
            bytes=s["bytes"],
            expected_bytes=s["expectedBytes"],
            seconds=s["seconds"],
            bytes_per_second=s["bytesPerSecond"],
        ),
    )


def verify_tape(  # noqa: PLR0913 - the selection options of cta-ops-verify-tape
    tape: TapeLike,
    vid: str,
    *,
    catalogue: Iterable[CatalogueEntry] | None = None,
    fseqs: Iterable[int] = (),
    first: int = 0,
    last: int = 0,
    random: int = 0,
    seed: int = 0,
    min_bytes: int = 0,
    progress: ProgressCallback | None = None,
) -> VerifyReport:
    """Verify a tape (a device, or the path of an image file) against its catalogue listing.

    With no selection every file is read in tape order (files the catalogue lacks are
    ``unexpected``, catalogue files not found are ``missing``); ``fseqs``/``first``/``last``/
    ``random``/``min_bytes`` select a union of catalogue files, each located by its blockId.
    Without a catalogue, files are read back and their structure checked only.
    ``progress`` is called with a :class:`Progress` after each file and a few times a second.
    """
    device = tape if isinstance(tape, TapeDevice) else TapeImage(tape)
    entries = None if catalogue is None else [e._tuple() for e in catalogue]

    callback = None
    if progress is not None:
        user = progress

        def callback(*values: Any) -> None:
            user(Progress(*values))

    text = _core.tape_verify(device._dev, vid, entries, list(fseqs), first, last, random, seed, min_bytes, callback)
    return _report(json.loads(text))


__all__ = [
    "CatalogueEntry",
    "FileResult",
    "FileStatus",
    "Progress",
    "Summary",
    "VerifyReport",
    "Volume",
    "load_tapefile_ls",
    "parse_tapefile_ls",
    "select_files",
    "verify_tape",
]
