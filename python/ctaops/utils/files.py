"""The one way the Python tools replace a file: readers see the old content or the new, never half.

Same guarantees as the Rust core's ``atomic_write`` (see docs/reliability.md, "Files ctaops writes"):
a symlink is followed and its target replaced (the link stays); an existing file keeps its mode
and, when the caller may set it, its owner; what is not a regular file (``/dev/full``, a FIFO) is
written in place; a directory is refused; the temporary file never outlives an error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable
from typing import Union

from ctaops.errors import RefusedError

StrPath = Union[str, "os.PathLike[str]"]

_MAX_LINKS = 40


def _resolve(path: str) -> str:
    """Follow the last component's symlinks; a dangling link resolves to where it points."""
    p = path
    for _ in range(_MAX_LINKS):
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            return p
        if not stat.S_ISLNK(st.st_mode):
            return p
        to = os.readlink(p)
        p = os.path.join(os.path.dirname(p), to)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)


def make_parent(path: StrPath, roots: Iterable[StrPath | None]) -> None:
    """Make sure ``path``'s directory exists, creating it only inside one of ``roots``.

    ``roots`` are the configured ``log_dir``/``state_dir``: a tool creates what it needs under
    them, but a missing directory elsewhere (a typo, a default path on a host not set up for the
    tool) is refused with one line rather than created silently.
    """
    parent = os.path.dirname(os.path.abspath(os.fspath(path)))
    if os.path.isdir(parent):
        return
    for root in roots:
        if root is None or not os.fspath(root):
            continue
        top = os.path.abspath(os.fspath(root))
        if parent == top or parent.startswith(top.rstrip(os.sep) + os.sep):
            os.makedirs(parent, exist_ok=True)
            return
    raise RefusedError(
        f"{parent}: no such directory (not created: it is outside the configured log_dir/state_dir; create it first)"
    )


def _create_temp(directory: str, base: str) -> tuple[int, str]:
    """Create the temporary file beside the target, 0666 less the umask as open(2) would."""
    for _ in range(100):
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", directory)


def write_atomic(path: StrPath, data: str | bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8).

    ``mode`` forces the file's mode (secrets, scripts); without it an existing file keeps its
    mode and a new one gets 0666 less the umask. Raises ``OSError`` naming ``path``.
    """
    name = os.fspath(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = _resolve(name)
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    if old is not None and not stat.S_ISREG(old.st_mode):
        # Renaming over a device node or FIFO would replace it with a regular file.
        try:
            with open(target, "wb") as f:
                f.write(raw)
        except OSError as e:
            raise OSError(e.errno, e.strerror, name) from None
        return
    _replace(name, target, raw, old, mode)


def _replace(name: str, target: str, raw: bytes, old: os.stat_result | None, mode: int | None) -> None:
    directory = os.path.dirname(target) or "."
    tmp = ""
    try:
        fd, tmp = _create_temp(directory, os.path.basename(target))
        with os.fdopen(fd, "wb") as f:
            if old is not None:
                _keep_owner(fd, old)
            # chown clears set-id bits, so the mode comes after it.
            if mode is not None:
                os.fchmod(fd, mode & 0o7777)
            elif old is not None:
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
            f.write(raw)
            f.flush()
            os.fsync(fd)
        os.replace(tmp, target)
        tmp = ""
        _sync_dir(directory)
    except OSError as e:
        raise OSError(e.errno, e.strerror, name) from None
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _keep_owner(fd: int, old: os.stat_result) -> None:
    """Only root may give a file away; anyone else keeps what they can, as an editor would."""
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (old.st_uid, old.st_gid):
        return
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except PermissionError:
        if mine.st_uid == 0:
            raise


def _sync_dir(directory: str) -> None:
    """Make the rename durable; a filesystem that cannot sync a directory is no failure."""
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(dfd)


__all__ = ["make_parent", "write_atomic"]
