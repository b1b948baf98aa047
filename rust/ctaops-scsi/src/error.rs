//! Errors of the SCSI layer. Each variant has a stable [`ScsiError::code`] and a retry advice.

use std::path::PathBuf;

use crate::sense::{RetryAdvice, Sense};

/// Everything that can go wrong talking to a changer or drive, real or emulated.
#[derive(Debug, thiserror::Error)]
pub enum ScsiError {
    /// The device node could not be opened (missing, permission, …).
    #[error("{path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The path exists but is not a SCSI generic (sg) device.
    #[error("{path}: not a SCSI generic device ({detail})")]
    NotSgDevice { path: PathBuf, detail: String },
    /// The device answered INQUIRY with another peripheral type than the one needed.
    #[error("{device}: peripheral device type 0x{found:02X} is not a {expected}")]
    WrongDeviceType {
        device: String,
        expected: &'static str,
        found: u8,
    },
    /// `ioctl(SG_IO)` itself failed (errno).
    #[error("SG_IO on {device}: {source}")]
    Ioctl {
        device: String,
        #[source]
        source: std::io::Error,
    },
    /// CHECK CONDITION with decoded sense data.
    #[error("{op}: {sense}")]
    CheckCondition { op: &'static str, sense: Box<Sense> },
    /// A SCSI status other than GOOD or CHECK CONDITION (BUSY, RESERVATION CONFLICT, …).
    #[error("{op}: SCSI status 0x{status:02X} ({})", status_name(*status))]
    Status { op: &'static str, status: u8 },
    /// The command timed out (DID_TIME_OUT, DRIVER_TIMEOUT or the emulator's injected timeout).
    #[error("{op}: command timed out")]
    Timeout { op: &'static str },
    /// The host adapter reported a transport error (DID_*).
    #[error("{op}: transport error: {} (host status 0x{host_status:02X})", host_status_name(*host_status))]
    Host { op: &'static str, host_status: u16 },
    /// The sg driver reported an error (DRIVER_*).
    #[error("{op}: driver status 0x{driver_status:02X}")]
    Driver { op: &'static str, driver_status: u16 },
    /// The response is shorter than its format requires.
    #[error("{what}: response too short (need {need} bytes, got {got})")]
    ShortResponse {
        what: &'static str,
        need: usize,
        got: usize,
    },
    /// The response does not follow its format.
    #[error("{what}: {detail}")]
    BadResponse { what: &'static str, detail: String },
    /// The device returned a different page than the one asked for, or a page we do not decode.
    #[error("unsupported page 0x{page:02X}: {detail}")]
    UnsupportedPage { page: u8, detail: String },
    /// A value given by the caller is not acceptable.
    #[error("{0}")]
    InvalidArgument(String),
    /// A move refused before any command was sent: the destination already holds a cartridge.
    #[error("element {address} is full ({vid})")]
    ElementFull { address: u16, vid: String },
    /// A move refused before any command was sent: the source holds no cartridge.
    #[error("element {address} is empty")]
    ElementEmpty { address: u16 },
    /// No element with that address exists in the library.
    #[error("no element at address {address}")]
    NoSuchElement { address: u16 },
    /// The cartridge is not in the library.
    #[error("volume {vid} not found in the library")]
    VolumeNotFound { vid: String },
    /// The cartridge is in the library but not where the operation needs it (e.g. in a drive).
    #[error("volume {vid} is in use ({detail})")]
    VolumeInUse { vid: String, detail: String },
    /// A drive still holds a loaded (threaded) cartridge: it must be unloaded first.
    #[error("drive at element {address} still has the cartridge loaded")]
    DriveLoaded { address: u16 },
    /// No free element to put a cartridge in (export with every port full, import with no free slot).
    #[error("{0}")]
    NoFreeElement(String),
    /// The library state file (emulated library) could not be read or written.
    #[error("library state {path}: {detail}")]
    State { path: PathBuf, detail: String },
}

impl ScsiError {
    /// Stable machine-readable code (upper snake case).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Open { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => "DEVICE_NOT_FOUND",
                std::io::ErrorKind::PermissionDenied => "PERMISSION_DENIED",
                _ => "DEVICE_OPEN_FAILED",
            },
            Self::NotSgDevice { .. } => "NOT_SG_DEVICE",
            Self::WrongDeviceType { .. } => "WRONG_DEVICE_TYPE",
            Self::Ioctl { .. } => "SG_IO_FAILED",
            Self::CheckCondition { sense, .. } => sense.code(),
            Self::Status { status: 0x08, .. } => "DEVICE_BUSY",
            Self::Status { status: 0x18, .. } => "RESERVATION_CONFLICT",
            Self::Status { .. } => "SCSI_STATUS",
            Self::Timeout { .. } => "TIMEOUT",
            Self::Host { .. } => "TRANSPORT_ERROR",
            Self::Driver { .. } => "DRIVER_ERROR",
            Self::ShortResponse { .. } => "SHORT_RESPONSE",
            Self::BadResponse { .. } => "BAD_RESPONSE",
            Self::UnsupportedPage { .. } => "UNSUPPORTED_PAGE",
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::ElementFull { .. } => "ELEMENT_FULL",
            Self::ElementEmpty { .. } => "ELEMENT_EMPTY",
            Self::NoSuchElement { .. } => "NO_SUCH_ELEMENT",
            Self::VolumeNotFound { .. } => "VOLUME_NOT_FOUND",
            Self::VolumeInUse { .. } => "VOLUME_IN_USE",
            Self::DriveLoaded { .. } => "DRIVE_LOADED",
            Self::NoFreeElement(_) => "NO_FREE_ELEMENT",
            Self::State { .. } => "LIBRARY_STATE_ERROR",
        }
    }

    /// What a caller should do: retry, wait for ready, or give up.
    #[must_use]
    pub fn retry_advice(&self) -> RetryAdvice {
        match self {
            Self::CheckCondition { sense, .. } => sense.retry_advice(),
            Self::Status {
                status: 0x08 | 0x28, ..
            }
            | Self::Timeout { .. } => RetryAdvice::Retry,
            Self::Host {
                host_status: 0x02 | 0x03 | 0x0C | 0x0D | 0x0E,
                ..
            } => RetryAdvice::Retry,
            Self::DriveLoaded { .. } => RetryAdvice::WaitReady,
            _ => RetryAdvice::NoRetry,
        }
    }

    /// The decoded sense, when the error carries one.
    #[must_use]
    pub fn sense(&self) -> Option<&Sense> {
        match self {
            Self::CheckCondition { sense, .. } => Some(sense),
            _ => None,
        }
    }
}

/// Name of a SCSI status byte.
#[must_use]
pub fn status_name(status: u8) -> &'static str {
    match status {
        0x00 => "GOOD",
        0x02 => "CHECK CONDITION",
        0x04 => "CONDITION MET",
        0x08 => "BUSY",
        0x18 => "RESERVATION CONFLICT",
        0x28 => "TASK SET FULL",
        0x30 => "ACA ACTIVE",
        0x40 => "TASK ABORTED",
        _ => "unknown status",
    }
}

pub(crate) fn short(what: &'static str, need: usize, got: usize) -> ScsiError {
    ScsiError::ShortResponse { what, need, got }
}

pub type Result<T, E = ScsiError> = std::result::Result<T, E>;

/// What the kernel's DID_* host byte means (include/scsi/scsi_status.h), for messages.
#[must_use]
pub fn host_status_name(host_status: u16) -> &'static str {
    match host_status {
        0x01 => "no connection to the device (DID_NO_CONNECT)",
        0x02 => "bus busy (DID_BUS_BUSY)",
        0x03 => "timed out (DID_TIME_OUT)",
        0x04 => "bad target (DID_BAD_TARGET)",
        0x05 => "aborted (DID_ABORT)",
        0x07 => "adapter error (DID_ERROR)",
        0x08 => "bus reset (DID_RESET)",
        0x0B => "soft error, retry (DID_SOFT_ERROR)",
        0x0C => "requeued (DID_IMM_RETRY)",
        0x0D => "requeued (DID_REQUEUE)",
        0x0E => "the transport to the device is disrupted (DID_TRANSPORT_DISRUPTED)",
        0x0F => "the transport to the device failed (DID_TRANSPORT_FAILFAST)",
        _ => "host adapter error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_say_what_the_host_byte_means() {
        let e = ScsiError::Host {
            op: "READ ELEMENT STATUS",
            host_status: 0x0E,
        };
        assert_eq!(
            e.to_string(),
            "READ ELEMENT STATUS: transport error: the transport to the device is disrupted \
             (DID_TRANSPORT_DISRUPTED) (host status 0x0E)"
        );
        assert_eq!(host_status_name(0x7F), "host adapter error");
    }
}
