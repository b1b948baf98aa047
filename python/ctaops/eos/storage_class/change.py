"""Changing the files of one split: EOS's attribute first, then CTA's catalogue.

A file is changed only when it is fully archived (EOS shows a tape replica and CTA's catalogue
has it), its EOS entry is the dump's archive file, and the target class belongs to the VO of
its current class. Each side is changed only when it differs from the target, and each change
is journalled as soon as it is made, so a rerun does nothing twice.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from ctaops.errors import CtaAdminError, CtaAdminUserError

from ..rest import EosClient, EosNotFoundError, EosUnreachableError, on_tape, xattr
from .dump import DumpFile
from .journal import Journal

if TYPE_CHECKING:
    from ctaops.admin import CtaAdmin

T = TypeVar("T")

FILE_ID = "sys.archive.file_id"
STORAGE_CLASS = "sys.archive.storage_class"


@dataclass
class Outcome:
    """What happened to the files so far."""

    changed: int = 0
    unchanged: int = 0
    earlier: int = 0
    skipped: list[tuple[DumpFile, str]] = field(default_factory=list)
    failed: list[tuple[DumpFile, str]] = field(default_factory=list)


class Changer:
    """Applies the dump's classes split by split."""

    def __init__(  # noqa: PLR0913 (the run's collaborators)
        self,
        *,
        admin: CtaAdmin,
        eos: EosClient,
        journal: Journal,
        vo_of: dict[str, str],
        retries: int,
        log: logging.Logger,
    ) -> None:
        self.admin = admin
        self.eos = eos
        self.journal = journal
        self.vo_of = vo_of
        self.retries = max(1, retries)
        self.log = log

    def _retry(self, what: str, call: Callable[[], T]) -> T:
        """``call`` up to ``retries`` times while the failure may pass (EOS unreachable, CTA server errors)."""
        for attempt in range(1, self.retries + 1):
            try:
                return call()
            except (EosUnreachableError, CtaAdminError) as e:
                if isinstance(e, CtaAdminUserError) or attempt == self.retries:
                    raise
                self.log.warning("%s failed (attempt %d of %d): %s", what, attempt, self.retries, e)
                time.sleep(min(0.1 * 2**attempt, 5.0))
        raise AssertionError("unreachable")

    def catalogue_class(self, archive_id: int) -> str | None:
        """Return the file's class in CTA's catalogue (None: CTA does not have it yet)."""
        try:
            rows = self._retry(
                f"tapefile ls --id {archive_id}", lambda: self.admin.tape_files(id=archive_id).to_dicts()
            )
        except CtaAdminUserError:
            return None
        return str((rows[0].get("af") or {}).get("storageClass", "")) if rows else None

    def _inspect(self, f: DumpFile, out: Outcome) -> tuple[str, str] | None:
        """(EOS class, CTA class) of a file that may be changed; else it is reported and None."""
        try:
            info = self._retry(f"EOS file info {f.ref}", lambda: self.eos.fileinfo(f.ref))
        except EosNotFoundError:
            out.failed.append((f, f"EOS does not know fid {f.fid}"))
            return None
        if xattr(info, FILE_ID) != str(f.archive_id):
            out.failed.append((f, f"EOS has {FILE_ID}={xattr(info, FILE_ID)} for fid {f.fid}, the dump {f.archive_id}"))
            return None
        if not on_tape(info):
            out.skipped.append((f, "no tape copy yet (still being archived)"))
            return None
        current = self.catalogue_class(f.archive_id)
        if current is None:
            out.skipped.append((f, "not in CTA's catalogue yet (still being archived)"))
            return None
        if current != f.target and self.vo_of.get(current) != self.vo_of[f.target]:
            out.failed.append(
                (
                    f,
                    f"storage class {f.target} belongs to VO {self.vo_of[f.target]}, "
                    f"the file's class {current} to VO {self.vo_of.get(current, '?')}",
                )
            )
            return None
        return xattr(info, STORAGE_CLASS) or "", current

    def split(self, files: list[DumpFile], out: Outcome) -> None:
        """Change one split's files; the journal is synced at its end."""
        to_catalogue: dict[str, list[DumpFile]] = {}
        touched: set[int] = set()
        for f in files:
            if self.journal.finished(f.archive_id, f.target):
                out.earlier += 1
                continue
            state = self._inspect(f, out)
            if state is None:
                continue
            eos_class, cta_class = state
            if eos_class != f.target:
                self._retry(
                    f"EOS attr set {f.ref}", functools.partial(self.eos.attr_set, f.ref, STORAGE_CLASS, f.target)
                )
                self.log.info("EOS: %s (archive file %d) %s -> %s", f.path or f.ref, f.archive_id, eos_class, f.target)
                touched.add(f.archive_id)
            self.journal.record(f.archive_id, "eos", f.target)
            if cta_class != f.target:
                to_catalogue.setdefault(f.target, []).append(f)
                continue
            self.journal.record(f.archive_id, "cta", f.target)
            if f.archive_id in touched:
                out.changed += 1
            else:
                out.unchanged += 1
        for target, group in to_catalogue.items():
            try:
                self._catalogue(target, group)
            except CtaAdminError as e:
                out.failed.extend((f, f"cta-admin archivefile ch: {e}") for f in group)
                continue
            for f in group:
                self.journal.record(f.archive_id, "cta", target)
            out.changed += len(group)
        self.journal.sync()

    def _catalogue(self, target: str, group: list[DumpFile]) -> None:
        self.journal.path.parent.mkdir(parents=True, exist_ok=True)
        fd, idfile = tempfile.mkstemp(prefix=".archive-ids-", dir=self.journal.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.writelines(f"{g.archive_id}\n" for g in group)
            self._retry(
                f"archivefile ch --storageclass {target}",
                lambda: self.admin.run("archivefile", "ch", "--idfile", idfile, "--storageclass", target),
            )
            self.log.info("CTA: %d archive files -> %s", len(group), target)
        finally:
            os.unlink(idfile)
