//! Simulator errors. The three admin outcomes mirror cta-admin's exit codes (cta-interfaces.md §1.5).

/// What went wrong, with the exit status cta-admin would give.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Client-side usage error (bad option, missing value): exit 1, message on stderr.
    #[error("{0}")]
    Usage(String),
    /// Server-side user error (`RSP_ERR_USER`): exit 2, `[]` on stdout under `--json`.
    #[error("{0}")]
    User(String),
    /// Server-side failure (`RSP_ERR_CTA`): exit 1.
    #[error("{0}")]
    Cta(String),
    #[error("catalogue: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("catalogue: {0}")]
    Pg(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("tape: {0}")]
    Tape(#[from] ctaops_tape::TapeError),
    #[error("library: {0}")]
    Library(#[from] ctaops_scsi::error::ScsiError),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

impl SimError {
    /// Stable error code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Usage(_) => "SIM_USAGE",
            Self::User(_) => "SIM_USER_ERROR",
            Self::Cta(_) => "SIM_SERVER_ERROR",
            Self::Db(_) | Self::Pg(_) => "SIM_CATALOGUE",
            Self::Io(_) => "SIM_IO",
            Self::Tape(_) => "SIM_TAPE",
            Self::Library(_) => "SIM_LIBRARY",
            Self::Json(_) => "SIM_JSON",
        }
    }

    /// cta-admin's exit status for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::User(_) => 2,
            _ => 1,
        }
    }
}

/// Shorthand for a user error.
pub fn user<T>(msg: impl Into<String>) -> Result<T> {
    Err(SimError::User(msg.into()))
}

pub type Result<T, E = SimError> = std::result::Result<T, E>;
