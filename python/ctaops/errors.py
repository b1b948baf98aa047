"""The ctaops exception tree.

Every error raised by ctaops derives from :class:`CtaOpsError` and carries a stable
``code`` string (``"FILE_NOT_FOUND"``, ``"INVALID_ARGUMENT"`` …) that scripts can match on;
messages may be reworded between releases, codes are not.
"""

from __future__ import annotations

from typing import ClassVar


class CtaOpsError(Exception):
    """Root of every ctaops error."""

    code: ClassVar[str] = "CTAOPS_ERROR"


class InvalidArgumentError(CtaOpsError, ValueError):
    """A value passed by the caller is not acceptable."""

    code = "INVALID_ARGUMENT"


class ParseError(CtaOpsError, ValueError):
    """Input that should follow a format (JSON, protobuf, label record …) does not."""

    code = "PARSE_ERROR"


class CtaOpsIOError(CtaOpsError, OSError):
    """An I/O failure on a file or device; the message names the path."""

    code = "IO_ERROR"


class CtaOpsFileNotFoundError(CtaOpsIOError, FileNotFoundError):
    """The file or device does not exist."""

    code = "FILE_NOT_FOUND"


class CtaOpsPermissionError(CtaOpsIOError, PermissionError):
    """The file or device exists but may not be opened."""

    code = "PERMISSION_DENIED"


class CtaOpsIsADirectoryError(CtaOpsIOError, IsADirectoryError):
    """A directory was given where a file was expected."""

    code = "IS_A_DIRECTORY"


class FileChangedError(CtaOpsError):
    """The file changed size while it was being read, so its checksum would be wrong."""

    code = "FILE_CHANGED"


class CtaAdminError(CtaOpsError):
    """``cta-admin`` failed (exit status 1 or another non-zero status); the message names the command."""

    code = "CTA_ADMIN_ERROR"


class CtaAdminUserError(CtaAdminError):
    """``cta-admin`` exited 2: CTA refused the request; the message is CTA's own."""

    code = "CTA_ADMIN_USER_ERROR"


class CtaAdminNotFoundError(CtaAdminError):
    """The ``cta-admin`` binary does not exist."""

    code = "CTA_ADMIN_NOT_FOUND"


class CtaAdminSpawnError(CtaAdminError):
    """The ``cta-admin`` binary exists but could not be started."""

    code = "CTA_ADMIN_SPAWN_FAILED"


class CtaAdminTimeoutError(CtaAdminError, TimeoutError):
    """``cta-admin`` did not finish within the timeout and was killed."""

    code = "CTA_ADMIN_TIMEOUT"


class CtaAdminKilledError(CtaAdminError):
    """``cta-admin`` was killed by a signal that ctaops did not send."""

    code = "CTA_ADMIN_KILLED"


class CtaAdminParseError(CtaAdminError, ParseError):
    """``cta-admin`` output is not the expected records; the message names the record and field."""

    code = "CTA_ADMIN_PARSE_ERROR"


class CtaAdminTruncatedError(CtaAdminParseError):
    """The output stops inside a record or before the closing ``]``."""

    code = "CTA_ADMIN_TRUNCATED"


class CtaAdminNotJsonError(CtaAdminParseError):
    """The output is not JSON (e.g. an XRootD error printed on stdout)."""

    code = "CTA_ADMIN_NOT_JSON"


class CtaAdminEmptyOutputError(CtaAdminParseError):
    """``--json`` output with no bytes at all (CTA always prints at least ``[]``)."""

    code = "CTA_ADMIN_EMPTY_OUTPUT"


class CtaAdminRecordTooLargeError(CtaAdminParseError):
    """One record is larger than the parser accepts (a huge line that is not a CTA record)."""

    code = "CTA_ADMIN_RECORD_TOO_LARGE"


class CtaAdminIOError(CtaAdminParseError):
    """Reading ``cta-admin`` output failed."""

    code = "CTA_ADMIN_IO_ERROR"


def _all_subclasses(cls: type[CtaOpsError]) -> list[type[CtaOpsError]]:
    out: list[type[CtaOpsError]] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


def error_class_for_code(code: str) -> type[CtaOpsError]:
    """Return the exception class registered for ``code`` (the root class if unknown)."""
    for cls in _all_subclasses(CtaOpsError):
        if cls.__dict__.get("code") == code:
            return cls
    return CtaOpsError


def _error_for_code(code: str, message: str) -> CtaOpsError:
    """Build an exception instance; called by the Rust extension."""
    cls = error_class_for_code(code)
    exc = cls(message)
    if cls is CtaOpsError and code != CtaOpsError.code:
        # Keep the precise code even when no dedicated class exists yet.
        exc.code = code  # type: ignore[misc]
    return exc


__all__ = [
    "CtaAdminEmptyOutputError",
    "CtaAdminError",
    "CtaAdminIOError",
    "CtaAdminKilledError",
    "CtaAdminNotFoundError",
    "CtaAdminNotJsonError",
    "CtaAdminParseError",
    "CtaAdminRecordTooLargeError",
    "CtaAdminSpawnError",
    "CtaAdminTimeoutError",
    "CtaAdminTruncatedError",
    "CtaAdminUserError",
    "CtaOpsError",
    "CtaOpsFileNotFoundError",
    "CtaOpsIOError",
    "CtaOpsIsADirectoryError",
    "CtaOpsPermissionError",
    "FileChangedError",
    "InvalidArgumentError",
    "ParseError",
    "error_class_for_code",
]
