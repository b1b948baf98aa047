//! Store errors, each with a stable code (mapped to Python classes in `ctaops.errors`).

/// What can go wrong talking to the ATRESYS database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The tape is not in the table.
    #[error("tape {0} is not in the repack table")]
    UnknownTape(String),
    /// A caller-supplied value is out of range or malformed.
    #[error("{0}")]
    InvalidArgument(String),
    /// The requested state change does not follow from the tape's current state.
    #[error("tape {vid}: cannot go from {from} to {to}")]
    InvalidTransition { vid: String, from: String, to: String },
    /// The database could not be reached or refused the login.
    #[error("cannot connect to the {backend} database {target}: {message}")]
    Unreachable {
        backend: &'static str,
        target: String,
        message: String,
    },
    /// The schema is missing or newer than this program.
    #[error("{0}")]
    Schema(String),
    /// A row the table holds cannot be read (hand-edited or damaged).
    #[error("row {tape} of the repack table is malformed: {problem}")]
    MalformedRow { tape: String, problem: String },
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
    /// The config file is wrong.
    #[error(transparent)]
    Config(#[from] ctaops_core::Error),
}

impl StoreError {
    /// Stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownTape(_) => "ATRESYS_UNKNOWN_TAPE",
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::InvalidTransition { .. } => "ATRESYS_INVALID_TRANSITION",
            Self::Unreachable { .. } => "ATRESYS_DB_UNREACHABLE",
            Self::Schema(_) => "ATRESYS_SCHEMA",
            Self::Database(_) | Self::MalformedRow { .. } => "ATRESYS_DB_ERROR",
            Self::Config(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Database(e.to_string().replace('\n', " "))
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's message (e.g. "relation … does not exist") is on the DbError source.
        let text = e
            .as_db_error()
            .map_or_else(|| e.to_string(), |db| format!("{}: {}", db.severity(), db.message()));
        Self::Database(text.replace('\n', " "))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
