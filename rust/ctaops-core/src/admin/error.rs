//! Errors of the `cta-admin` layer, each with a stable code.

use super::stream::ParseError;
use crate::config::ErrorTranslations;

/// Failures running or reading `cta-admin`. Every message names the command.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Exit 2: CTA refused the request (bad VID, missing entity, rule violation …).
    #[error("cta-admin {command}: {message}")]
    User { command: String, message: String },
    /// Exit 1 (or another non-zero status): client, server, protocol or connection failure.
    #[error("cta-admin {command} failed (exit {status}): {message}")]
    Failed {
        command: String,
        status: i32,
        message: String,
    },
    /// The binary does not exist.
    #[error("cta-admin {command}: binary '{binary}' not found")]
    NotFound { command: String, binary: String },
    /// The binary exists but could not be started.
    #[error("cta-admin {command}: cannot start '{binary}': {source}")]
    Spawn {
        command: String,
        binary: String,
        #[source]
        source: std::io::Error,
    },
    /// No answer within the timeout; the process was killed.
    #[error("cta-admin {command}: no answer within {seconds} s (killed)")]
    Timeout { command: String, seconds: f64 },
    /// Killed by a signal that ctaops did not send.
    #[error("cta-admin {command}: killed by signal {signal}")]
    Killed { command: String, signal: i32 },
    /// The output could not be read as the expected records.
    #[error("cta-admin {command}: {error}")]
    Parse { command: String, error: ParseError },
    /// A caller error detected before running anything (unknown option, bad value).
    #[error("{0}")]
    InvalidArgument(String),
    /// The command cannot be expressed for the detected (or configured) CTA version.
    #[error("cta-admin {command}: {message}")]
    Unsupported { command: String, message: String },
}

impl AdminError {
    /// Stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::User { .. } => "CTA_ADMIN_USER_ERROR",
            Self::Failed { .. } => "CTA_ADMIN_ERROR",
            Self::NotFound { .. } => "CTA_ADMIN_NOT_FOUND",
            Self::Spawn { .. } => "CTA_ADMIN_SPAWN_FAILED",
            Self::Timeout { .. } => "CTA_ADMIN_TIMEOUT",
            Self::Killed { .. } => "CTA_ADMIN_KILLED",
            Self::Parse { error, .. } => error.kind.code(),
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::Unsupported { .. } => "CTA_VERSION_UNSUPPORTED",
        }
    }
}

impl AdminError {
    /// CTA's own message (stderr) for a refused or failed command.
    #[must_use]
    pub fn cta_message(&self) -> Option<&str> {
        match self {
            Self::User { message, .. } | Self::Failed { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The error's text with CTA's message replaced by the operator-friendly text of the first
    /// matching pattern (`global.logging.error_translation_file`); `None` when nothing matches.
    #[must_use]
    pub fn translated(&self, table: &ErrorTranslations) -> Option<String> {
        match self {
            Self::User { command, message } => table
                .translate(message)
                .map(|friendly| format!("cta-admin {command}: {friendly}")),
            Self::Failed {
                command,
                status,
                message,
            } => table
                .translate(message)
                .map(|friendly| format!("cta-admin {command} failed (exit {status}): {friendly}")),
            _ => None,
        }
    }
}
