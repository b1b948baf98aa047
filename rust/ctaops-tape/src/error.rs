//! Errors of the tape layer, each with a stable [`TapeError::code`].

use std::path::PathBuf;

use crate::label::LabelError;

/// Errors raised by tape devices, the writer and the reader.
///
/// Errors that leave the device positioned after the faulty object (so reading can go on) say
/// so through [`TapeError::is_recoverable`]; the verification engine relies on it to keep going.
#[derive(Debug, thiserror::Error)]
pub enum TapeError {
    /// An I/O failure on the image file or device.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The path opened as a tape drive is not one (the st ioctls are refused).
    #[error("{path}: not a tape device ({detail})")]
    NotATape { path: PathBuf, detail: String },
    /// A SIMH record whose leading and trailing length words disagree, or an unusable length word.
    #[error("broken SIMH framing at byte {offset} (object {object}): {detail}")]
    Framing {
        offset: u64,
        object: u64,
        detail: String,
        recoverable: bool,
    },
    /// A record whose declared length runs past the end of the image.
    #[error("truncated record at byte {offset} (object {object}): {declared} bytes declared, {available} available")]
    TruncatedRecord {
        offset: u64,
        object: u64,
        declared: u64,
        available: u64,
    },
    /// The image ends inside a length word.
    #[error("truncated image at byte {offset} (object {object}): partial length word")]
    TruncatedImage { offset: u64, object: u64 },
    /// A block longer than the buffer the reader offered (st: ENOMEM). The device has moved past it.
    #[error("block at object {object} is longer than {max} bytes{}", len.map(|l| format!(" ({l} bytes)")).unwrap_or_default())]
    BlockTooLong { object: u64, len: Option<u64>, max: usize },
    /// Positioning or reading went past the last written object.
    #[error("end of data reached at object {object} while {doing}")]
    EndOfData { object: u64, doing: &'static str },
    /// A label record that does not follow the format.
    #[error("object {object}: {source}")]
    Label {
        object: u64,
        #[source]
        source: LabelError,
    },
    /// A record of the wrong kind or size where the format requires a given one.
    #[error("object {object}: expected {expected}, found {found}")]
    Unexpected {
        object: u64,
        expected: &'static str,
        found: String,
    },
    /// The tape's VOL1 names another volume.
    #[error("VOL1 VSN '{found}' does not match VID '{expected}'")]
    WrongVsn { expected: String, found: String },
    /// A header field does not match what the catalogue (or the caller) expects.
    #[error("object {object}: {detail}")]
    HeaderMismatch { object: u64, detail: String },
    /// The operation would destroy data or break the format; the message says why.
    #[error("{0}")]
    Refused(String),
    /// A value given by the caller is not acceptable.
    #[error("{0}")]
    InvalidArgument(String),
    /// The drive reached the end of the medium while writing (st: ENOSPC after early warning).
    #[error("{path}: end of medium reached: the tape is full")]
    EndOfMedium { path: PathBuf },
    /// The drive cannot report its position and nothing counted it since the last rewind.
    #[error("{path}: the tape position is unknown (the drive does not report it); rewind first")]
    PositionUnknown { path: PathBuf },
    /// A SCSI command sent to the drive failed.
    #[error("{path}: {source}")]
    Scsi {
        path: PathBuf,
        #[source]
        source: ctaops_scsi::ScsiError,
    },
}

impl TapeError {
    /// Stable machine-readable code (upper snake case).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => "FILE_NOT_FOUND",
                std::io::ErrorKind::PermissionDenied => "PERMISSION_DENIED",
                std::io::ErrorKind::IsADirectory => "IS_A_DIRECTORY",
                _ => "IO_ERROR",
            },
            Self::NotATape { .. } => "NOT_A_TAPE",
            Self::Framing { .. } | Self::TruncatedRecord { .. } | Self::TruncatedImage { .. } => "TAPE_FORMAT_ERROR",
            Self::BlockTooLong { .. } => "TAPE_BLOCK_TOO_LONG",
            Self::EndOfData { .. } => "TAPE_END_OF_DATA",
            Self::Label { .. } | Self::Unexpected { .. } | Self::HeaderMismatch { .. } => "TAPE_LABEL_ERROR",
            Self::WrongVsn { .. } => "TAPE_WRONG_VSN",
            Self::Refused(_) => "REFUSED",
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::EndOfMedium { .. } => "TAPE_FULL",
            Self::PositionUnknown { .. } => "TAPE_POSITION_UNKNOWN",
            Self::Scsi { source, .. } => source.code(),
        }
    }

    /// True when the device is positioned after the faulty object, so the next read sees the
    /// next object (the medium allows going on).
    #[must_use]
    pub fn is_recoverable(&self) -> bool {
        match self {
            Self::Framing { recoverable, .. } => *recoverable,
            Self::BlockTooLong { .. } | Self::Label { .. } | Self::Unexpected { .. } | Self::HeaderMismatch { .. } => {
                true
            }
            _ => false,
        }
    }

    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = TapeError> = std::result::Result<T, E>;
