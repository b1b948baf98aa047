//! One error type for the core, grouped by what an operator can do about it.

use std::path::PathBuf;

/// Errors raised by the core. Each variant has a stable [`Error::code`] that the Python
/// layer and `--json` outputs expose, so scripts never match on message text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O failure on a named file or device.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file changed size while it was being read, so any checksum would be wrong.
    #[error("{path}: file changed while being read (expected {expected} bytes, read {actual})")]
    FileChanged { path: PathBuf, expected: u64, actual: u64 },
    /// A value given by the caller is not acceptable (bad algorithm name, bad hex, …).
    #[error("{0}")]
    InvalidArgument(String),
    /// Bytes that should follow a format (protobuf blob, JSON, label record) do not.
    #[error("{what}: {detail}")]
    Parse { what: &'static str, detail: String },
    /// The config file (or a YAML file it points to) is not valid: names the file and the key.
    #[error("{file}: {key}: {message}")]
    Config { file: String, key: String, message: String },
}

impl Error {
    /// Stable machine-readable code (upper snake case), never reused for another meaning.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => "FILE_NOT_FOUND",
                std::io::ErrorKind::PermissionDenied => "PERMISSION_DENIED",
                std::io::ErrorKind::IsADirectory => "IS_A_DIRECTORY",
                _ => "IO_ERROR",
            },
            Self::FileChanged { .. } => "FILE_CHANGED",
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::Parse { .. } => "PARSE_ERROR",
            Self::Config { .. } => "CONFIG_ERROR",
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
