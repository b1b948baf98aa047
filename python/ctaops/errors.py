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


class ConfigError(CtaOpsError, ValueError):
    """The config file (or a YAML file it names) is invalid; the message names file and key."""

    code = "CONFIG_ERROR"


class MailError(CtaOpsError):
    """A mail could not be sent (bad recipients, sendmail missing or failing)."""

    code = "MAIL_ERROR"


class CommandError(CtaOpsError):
    """An external command could not be run, timed out or (when checked) failed."""

    code = "COMMAND_FAILED"


class NotATapeError(CtaOpsIOError):
    """The device opened as a tape drive is not one (st ioctls refused)."""

    code = "NOT_A_TAPE"


class TapeFormatError(CtaOpsError):
    """A tape image breaks its framing (SIMH lengths disagree, truncated record or image)."""

    code = "TAPE_FORMAT_ERROR"


class TapeBlockTooLongError(CtaOpsError):
    """A block is longer than the buffer offered for it (the device moved past it)."""

    code = "TAPE_BLOCK_TOO_LONG"


class TapeEndOfDataError(CtaOpsError):
    """Positioning or reading went past the last written object."""

    code = "TAPE_END_OF_DATA"


class TapeLabelError(CtaOpsError, ValueError):
    """A label record (VOL1, HDR1 …) is not as CTA writes it, or is not where the format puts it."""

    code = "TAPE_LABEL_ERROR"


class WrongVsnError(CtaOpsError):
    """The tape's VOL1 names another volume than the VID given."""

    code = "TAPE_WRONG_VSN"


class RefusedError(CtaOpsError):
    """A destructive operation was refused because a precondition failed; the message says which."""

    code = "REFUSED"


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
    "CommandError",
    "ConfigError",
    "CtaOpsError",
    "CtaOpsFileNotFoundError",
    "CtaOpsIOError",
    "CtaOpsIsADirectoryError",
    "CtaOpsPermissionError",
    "FileChangedError",
    "InvalidArgumentError",
    "MailError",
    "NotATapeError",
    "ParseError",
    "RefusedError",
    "TapeBlockTooLongError",
    "TapeEndOfDataError",
    "TapeFormatError",
    "TapeLabelError",
    "WrongVsnError",
    "error_class_for_code",
]
