//! Client-side errors, each with a stable code. `User` is the same class as `cta-admin` exit 2.

use ctaops_core::admin::AdminError;

#[derive(Debug, thiserror::Error)]
pub enum GrpcError {
    /// `cta-cli.conf` missing, unreadable or incomplete, or the token file cannot be read.
    #[error("gRPC client configuration: {0}")]
    Config(String),
    /// The command has no gRPC encoding (unknown option, option number not public yet).
    #[error("{0}")]
    Encode(String),
    /// CTA refused the request (`INVALID_ARGUMENT`, or `RSP_ERR_USER` in a reply).
    #[error("cta-admin {command}: {message}")]
    User { command: String, message: String },
    /// The token was refused or missing (`UNAUTHENTICATED`).
    #[error("cta-admin {command}: not authenticated: {message}")]
    Unauthenticated { command: String, message: String },
    /// Any other status, or an error reply: a server-side failure.
    #[error("cta-admin {command}: server error ({status}): {message}")]
    Server {
        command: String,
        status: String,
        message: String,
    },
    /// TLS handshake failed (no TLS on the server, untrusted certificate, wrong host name).
    #[error("cta-admin {command}: TLS failure talking to {endpoint}: {message}")]
    Tls {
        command: String,
        endpoint: String,
        message: String,
    },
    /// Cannot reach the frontend.
    #[error("cta-admin {command}: cannot reach {endpoint}: {message}")]
    Unavailable {
        command: String,
        endpoint: String,
        message: String,
    },
    /// No TCP connection, or no TLS handshake, within the connect timeout: not retried (a
    /// black-holed endpoint does not recover in the retry's back-off).
    #[error(
        "cta-admin {command}: cannot reach {endpoint}: no connection within {seconds} s (grpc.connect_timeout_secs)"
    )]
    ConnectTimeout {
        command: String,
        endpoint: String,
        seconds: f64,
    },
    /// No complete answer within the deadline.
    #[error("cta-admin {command}: no complete answer within {seconds} s")]
    Deadline { command: String, seconds: f64 },
    /// The listing stopped before the server's final `OK`: the records received are incomplete.
    #[error("cta-admin {command}: stream cut after {records} records: {message}")]
    Truncated {
        command: String,
        records: usize,
        message: String,
    },
    /// A message that could not be decoded into the expected record.
    #[error("cta-admin {command}: undecodable reply: {message}")]
    Decode { command: String, message: String },
    /// Kerberos was chosen but this build has no GSS-API support.
    #[error(
        "grpc.cta_admin_auth_method krb5: this build of ctaops has no Kerberos support (rebuild with the 'kerberos' feature, or use jwt)"
    )]
    KerberosUnsupported,
    /// No usable Kerberos ticket (none in the credentials cache, or expired).
    #[error("cta-admin {command}: {message}")]
    KerberosNoTicket { command: String, message: String },
    /// The frontend does not serve `Negotiation/Negotiate` (`UNIMPLEMENTED`).
    #[error(
        "cta-admin {command}: the frontend at {endpoint} does not offer Kerberos (Negotiate is UNIMPLEMENTED there)"
    )]
    KerberosNotOffered { command: String, endpoint: String },
    /// The negotiation failed (GSS-API error, server refusal, mutual authentication failed).
    #[error("cta-admin {command}: {message}")]
    KerberosFailed { command: String, message: String },
    /// The server refused the nonce on the admin call (unknown, already used, or expired).
    #[error("cta-admin {command}: Kerberos nonce refused: {message}")]
    KerberosNonceRejected { command: String, message: String },
    /// The command cannot be expressed for the frontend's CTA version; nothing was sent.
    #[error("cta-admin {command}: {message}")]
    Unsupported { command: String, message: String },
}

impl GrpcError {
    /// Stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "GRPC_CONFIG",
            Self::Encode(_) => "INVALID_ARGUMENT",
            Self::User { .. } => "CTA_ADMIN_USER_ERROR",
            Self::Unauthenticated { .. } => "GRPC_UNAUTHENTICATED",
            Self::Server { .. } => "GRPC_SERVER_ERROR",
            Self::Tls { .. } => "GRPC_TLS_ERROR",
            Self::Unavailable { .. } | Self::ConnectTimeout { .. } => "GRPC_UNAVAILABLE",
            Self::Deadline { .. } => "GRPC_DEADLINE",
            Self::Truncated { .. } => "GRPC_STREAM_TRUNCATED",
            Self::Decode { .. } => "GRPC_DECODE_ERROR",
            Self::KerberosUnsupported => "GRPC_KERBEROS_UNSUPPORTED",
            Self::KerberosNoTicket { .. } => "GRPC_KERBEROS_NO_TICKET",
            Self::KerberosNotOffered { .. } => "GRPC_KERBEROS_NOT_OFFERED",
            Self::KerberosFailed { .. } => "GRPC_KERBEROS_FAILED",
            Self::KerberosNonceRejected { .. } => "GRPC_KERBEROS_NONCE_REJECTED",
            Self::Unsupported { .. } => "CTA_VERSION_UNSUPPORTED",
        }
    }

    /// Exit status with `cta-admin`'s meaning: 2 for a user error, 1 for everything else.
    #[must_use]
    pub fn exit_status(&self) -> i32 {
        if matches!(self, Self::User { .. }) { 2 } else { 1 }
    }

    /// Whether retrying an idempotent call could help.
    #[must_use]
    pub fn transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Truncated { .. })
    }
}

impl From<GrpcError> for AdminError {
    /// For callers that only know the `cta-admin` error model: user errors stay user errors.
    fn from(e: GrpcError) -> Self {
        match e {
            GrpcError::User { command, message } => AdminError::User { command, message },
            GrpcError::Encode(m) => AdminError::InvalidArgument(m),
            other => AdminError::Failed {
                command: String::new(),
                status: 1,
                message: other.to_string(),
            },
        }
    }
}
