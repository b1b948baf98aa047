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


class ScsiError(CtaOpsError):
    """A tape library or drive reported an error or could not be reached."""

    code = "SCSI_ERROR"


class DeviceNotFoundError(ScsiError, FileNotFoundError):
    """The device node (``/dev/sgN``) does not exist."""

    code = "DEVICE_NOT_FOUND"


class DeviceOpenError(ScsiError, OSError):
    """The device node exists but could not be opened."""

    code = "DEVICE_OPEN_FAILED"


class NotSgDeviceError(ScsiError):
    """The path is not a SCSI generic (sg) device."""

    code = "NOT_SG_DEVICE"


class WrongDeviceTypeError(ScsiError):
    """The device is not a changer (or not a tape drive) as required."""

    code = "WRONG_DEVICE_TYPE"


class SgIoError(ScsiError, OSError):
    """The SG_IO ioctl itself failed."""

    code = "SG_IO_FAILED"


class ScsiTimeoutError(ScsiError, TimeoutError):
    """The command timed out; it may be retried."""

    code = "TIMEOUT"


class DeviceBusyError(ScsiError):
    """The device answered BUSY; retry later."""

    code = "DEVICE_BUSY"


class ReservationConflictError(ScsiError):
    """Another host holds a reservation on the device."""

    code = "RESERVATION_CONFLICT"


class ScsiStatusError(ScsiError):
    """The device returned an unexpected SCSI status."""

    code = "SCSI_STATUS"


class TransportError(ScsiError):
    """The host adapter reported a transport error."""

    code = "TRANSPORT_ERROR"


class DriverError(ScsiError):
    """The sg driver reported an error."""

    code = "DRIVER_ERROR"


class ShortResponseError(ScsiError):
    """The device sent less data than the format needs."""

    code = "SHORT_RESPONSE"


class BadResponseError(ScsiError):
    """The device sent data that does not follow its format."""

    code = "BAD_RESPONSE"


class UnsupportedPageError(ScsiError):
    """The device does not support the page asked for."""

    code = "UNSUPPORTED_PAGE"


class CheckConditionError(ScsiError):
    """CHECK CONDITION with a sense key not classified further."""

    code = "CHECK_CONDITION"


class NoSenseError(CheckConditionError):
    """NO SENSE with a condition (filemark, end of medium) treated as an error."""

    code = "NO_SENSE"


class RecoveredError(CheckConditionError):
    """The device recovered from an error."""

    code = "RECOVERED_ERROR"


class NotReadyError(CheckConditionError):
    """The device is not ready."""

    code = "NOT_READY"


class BecomingReadyError(NotReadyError):
    """The device is becoming ready (loading, inventorying): poll again."""

    code = "BECOMING_READY"


class LibraryPausedError(NotReadyError):
    """The library is paused (IBM): retry in 60 s."""

    code = "LIBRARY_PAUSED"


class MediumNotPresentError(CheckConditionError):
    """No cartridge is loaded."""

    code = "MEDIUM_NOT_PRESENT"


class MediumError(CheckConditionError):
    """The cartridge could not be read or written."""

    code = "MEDIUM_ERROR"


class HardwareError(CheckConditionError):
    """The device reported a hardware failure."""

    code = "HARDWARE_ERROR"


class IllegalRequestError(CheckConditionError):
    """The device refused the command or a field of it."""

    code = "ILLEGAL_REQUEST"


class InvalidElementAddressError(IllegalRequestError):
    """The element address does not exist in the library."""

    code = "INVALID_ELEMENT_ADDRESS"


class DestinationFullError(IllegalRequestError):
    """The library refused a move: destination element full."""

    code = "DESTINATION_FULL"


class SourceEmptyError(IllegalRequestError):
    """The library refused a move: source element empty."""

    code = "SOURCE_EMPTY"


class MediumRemovalPreventedError(IllegalRequestError):
    """The library refused to take a cartridge its drive holds (5/53/02): unload the drive first."""

    code = "MEDIUM_REMOVAL_PREVENTED"


class UnitAttentionError(CheckConditionError):
    """Unit attention (reset, medium changed): retry."""

    code = "UNIT_ATTENTION"


class DataProtectError(CheckConditionError):
    """The cartridge is write protected."""

    code = "DATA_PROTECT"


class BlankCheckError(CheckConditionError):
    """Blank check: no data where data was expected."""

    code = "BLANK_CHECK"


class EndOfDataError(BlankCheckError):
    """End of data was reached."""

    code = "END_OF_DATA"


class AbortedCommandError(CheckConditionError):
    """The device aborted the command; it may be retried."""

    code = "ABORTED_COMMAND"


class VolumeOverflowError(CheckConditionError):
    """Physical end of medium reached while writing."""

    code = "VOLUME_OVERFLOW"


class ElementFullError(ScsiError):
    """Move refused before sending: the destination holds a cartridge."""

    code = "ELEMENT_FULL"


class ElementEmptyError(ScsiError):
    """Move refused before sending: the source holds no cartridge."""

    code = "ELEMENT_EMPTY"


class NoSuchElementError(ScsiError):
    """No element with that address in the library."""

    code = "NO_SUCH_ELEMENT"


class VolumeNotFoundError(ScsiError):
    """The cartridge is not in the library."""

    code = "VOLUME_NOT_FOUND"


class VolumeInUseError(ScsiError):
    """The cartridge is not where the operation needs it (e.g. in a drive)."""

    code = "VOLUME_IN_USE"


class DriveLoadedError(ScsiError):
    """The drive still has the tape threaded: unload it first."""

    code = "DRIVE_LOADED"


class NoFreeElementError(ScsiError):
    """No free slot or I/O station element."""

    code = "NO_FREE_ELEMENT"


class LibraryStateError(ScsiError):
    """An emulated library state file could not be read or written."""

    code = "LIBRARY_STATE_ERROR"


class CtaAdminError(CtaOpsError):
    """``cta-admin`` failed (exit status 1 or another non-zero status); the message names the command."""

    code = "CTA_ADMIN_ERROR"
    original: str | None = None
    """When the message was translated for operators: the untranslated message."""
    cta_message: str | None = None
    """When the message was translated for operators: CTA's own message (its stderr)."""


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


class CtaVersionUnsupportedError(CtaAdminError):
    """The command cannot be expressed for the detected (or configured) CTA version; nothing was run."""

    code = "CTA_VERSION_UNSUPPORTED"


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


class GrpcError(CtaAdminError):
    """The native gRPC transport failed (``CtaAdmin(transport="grpc")``); subclasses say how."""

    code = "GRPC_ERROR"


class GrpcConfigError(GrpcError):
    """``cta-cli.conf`` is incomplete, or its CA file or token file cannot be read."""

    code = "GRPC_CONFIG"


class GrpcUnauthenticatedError(GrpcError):
    """The frontend refused the token (missing, expired, forged, wrong key)."""

    code = "GRPC_UNAUTHENTICATED"


class GrpcTlsError(GrpcError):
    """The TLS handshake failed: no TLS on the server, untrusted CA, certificate for another host."""

    code = "GRPC_TLS_ERROR"


class GrpcUnavailableError(GrpcError):
    """The frontend cannot be reached."""

    code = "GRPC_UNAVAILABLE"


class GrpcDeadlineError(GrpcError, TimeoutError):
    """The call did not finish within its deadline."""

    code = "GRPC_DEADLINE"


class GrpcStreamTruncatedError(GrpcError):
    """A listing stream ended without CTA's final OK: never passed off as a complete list."""

    code = "GRPC_STREAM_TRUNCATED"


class GrpcDecodeError(GrpcError):
    """A reply could not be decoded (missing header, a record of the wrong type, bad protobuf)."""

    code = "GRPC_DECODE_ERROR"


class GrpcServerError(GrpcError):
    """The frontend failed the request (any status but ``INVALID_ARGUMENT``)."""

    code = "GRPC_SERVER_ERROR"


class GrpcKerberosUnsupportedError(GrpcConfigError):
    """``grpc.cta_admin_auth_method krb5`` but this build has no Kerberos (feature ``kerberos``)."""

    code = "GRPC_KERBEROS_UNSUPPORTED"


class GrpcKerberosNoTicketError(GrpcUnauthenticatedError):
    """No valid Kerberos ticket (no credentials cache, or the ticket expired): run ``kinit``."""

    code = "GRPC_KERBEROS_NO_TICKET"


class GrpcKerberosNotOfferedError(GrpcUnauthenticatedError):
    """The frontend does not serve ``Negotiation/Negotiate`` (``UNIMPLEMENTED``)."""

    code = "GRPC_KERBEROS_NOT_OFFERED"


class GrpcKerberosFailedError(GrpcUnauthenticatedError):
    """The Kerberos negotiation failed (GSS-API error, server refusal, mutual authentication)."""

    code = "GRPC_KERBEROS_FAILED"


class GrpcKerberosNonceRejectedError(GrpcUnauthenticatedError):
    """The frontend refused the negotiated nonce (unknown, already used, or expired)."""

    code = "GRPC_KERBEROS_NONCE_REJECTED"


class CtaAdminRecordTooLargeError(CtaAdminParseError):
    """One record is larger than the parser accepts (a huge line that is not a CTA record)."""

    code = "CTA_ADMIN_RECORD_TOO_LARGE"


class CtaAdminIOError(CtaAdminParseError):
    """Reading ``cta-admin`` output failed."""

    code = "CTA_ADMIN_IO_ERROR"


class AtresysUnknownTapeError(CtaOpsError, LookupError):
    """The tape is not in the ATRESYS repack table."""

    code = "ATRESYS_UNKNOWN_TAPE"


class AtresysTransitionError(CtaOpsError):
    """The requested state change does not follow from the tape's current state."""

    code = "ATRESYS_INVALID_TRANSITION"


class AtresysUnreachableError(CtaOpsError, ConnectionError):
    """The ATRESYS database could not be reached or refused the login."""

    code = "ATRESYS_DB_UNREACHABLE"


class AtresysSchemaError(CtaOpsError):
    """The ATRESYS schema is missing or newer than this program."""

    code = "ATRESYS_SCHEMA"


class AtresysDatabaseError(CtaOpsError):
    """Any other ATRESYS database error."""

    code = "ATRESYS_DB_ERROR"


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
    "AbortedCommandError",
    "AtresysDatabaseError",
    "AtresysSchemaError",
    "AtresysTransitionError",
    "AtresysUnknownTapeError",
    "AtresysUnreachableError",
    "BadResponseError",
    "BecomingReadyError",
    "BlankCheckError",
    "CheckConditionError",
    "CommandError",
    "ConfigError",
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
    "CtaVersionUnsupportedError",
    "DataProtectError",
    "DestinationFullError",
    "DeviceBusyError",
    "DeviceNotFoundError",
    "DeviceOpenError",
    "DriveLoadedError",
    "DriverError",
    "ElementEmptyError",
    "ElementFullError",
    "EndOfDataError",
    "FileChangedError",
    "GrpcConfigError",
    "GrpcDeadlineError",
    "GrpcDecodeError",
    "GrpcError",
    "GrpcKerberosFailedError",
    "GrpcKerberosNoTicketError",
    "GrpcKerberosNonceRejectedError",
    "GrpcKerberosNotOfferedError",
    "GrpcKerberosUnsupportedError",
    "GrpcServerError",
    "GrpcStreamTruncatedError",
    "GrpcTlsError",
    "GrpcUnauthenticatedError",
    "GrpcUnavailableError",
    "HardwareError",
    "IllegalRequestError",
    "InvalidArgumentError",
    "InvalidElementAddressError",
    "LibraryPausedError",
    "LibraryStateError",
    "MailError",
    "MediumError",
    "MediumNotPresentError",
    "MediumRemovalPreventedError",
    "NoFreeElementError",
    "NoSenseError",
    "NoSuchElementError",
    "NotATapeError",
    "NotReadyError",
    "NotSgDeviceError",
    "RecoveredError",
    "RefusedError",
    "ReservationConflictError",
    "ScsiError",
    "ScsiStatusError",
    "ScsiTimeoutError",
    "SgIoError",
    "ShortResponseError",
    "SourceEmptyError",
    "TapeBlockTooLongError",
    "TapeEndOfDataError",
    "TapeFormatError",
    "TapeLabelError",
    "TransportError",
    "UnitAttentionError",
    "UnsupportedPageError",
    "VolumeInUseError",
    "VolumeNotFoundError",
    "VolumeOverflowError",
    "WrongDeviceTypeError",
    "WrongVsnError",
    "error_class_for_code",
]
