//! Client settings from the `cta-cli.conf` that CTA's own client reads: `key value…` lines,
//! `#` comments anywhere, first value used.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::GrpcError;

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    /// `Bearer` token read from this file (re-read when it changes).
    Jwt(PathBuf),
    /// Kerberos through `Negotiation/Negotiate` (needs the `kerberos` feature).
    Krb5,
}

/// Everything the gRPC client needs.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// `host:port`, no scheme (`cta.endpoint`).
    pub endpoint: String,
    /// PEM CA bundle (`grpc.tls.chain_cert_path`); required here, as this client carries no
    /// system roots.
    pub ca_file: PathBuf,
    pub auth: AuthMethod,
    /// Deadline of one call, stream included.
    pub timeout: Duration,
    /// Bound on reaching the frontend: the TCP connection, then the TLS handshake, each
    /// (`grpc.connect_timeout_secs`, a ctaops key; default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// Extra attempts for `ls` calls that failed before completing (idempotent only).
    pub retries: u32,
    /// Kerberos service principal to use instead of the one the server announces
    /// (`grpc.service_principal`, a ctaops extension: see `negotiate::SPN_FIELD`).
    pub service_principal: Option<String>,
    /// The CTA version to adapt commands to instead of asking `version` (see
    /// `ctaops_core::admin::compat`); not a `cta-cli.conf` key.
    pub cta_version: Option<String>,
}

/// Connect timeout unless `grpc.connect_timeout_secs` says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The `cta-cli.conf` key of [`ClientSettings::connect_timeout`] (not a CTA key).
pub const CONNECT_TIMEOUT_KEY: &str = "grpc.connect_timeout_secs";

/// Seconds, `> 0` and at most a day, as the connect timeout.
fn connect_timeout(text: &str, origin: &Path) -> Result<Duration, GrpcError> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            GrpcError::Config(format!(
                "{}: {CONNECT_TIMEOUT_KEY} '{text}' is not a number of seconds between 0 and 86400",
                origin.display()
            ))
        })
}

/// `(key, first value)` of each line of a CTA config file (`cta-cli.conf`, `cta-frontend.conf`).
pub fn first_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("");
            let mut words = l.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

impl ClientSettings {
    /// Reads `cta-cli.conf`; `CTA_ADMIN_GRPC_AUTH_METHOD` overrides the method, as in CTA.
    pub fn from_cta_cli_conf(path: &Path) -> Result<Self, GrpcError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| GrpcError::Config(format!("cannot read {}: {e}", path.display())))?;
        let method = std::env::var("CTA_ADMIN_GRPC_AUTH_METHOD").ok();
        Self::from_text(&text, method.as_deref(), path)
    }

    /// Parses the file's text (`origin` only names it in messages).
    pub fn from_text(text: &str, method_override: Option<&str>, origin: &Path) -> Result<Self, GrpcError> {
        let kv = first_values(text);
        let get = |k: &str| kv.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let missing = |k: &str| GrpcError::Config(format!("{}: no '{k}' set", origin.display()));
        let endpoint = get("cta.endpoint").ok_or_else(|| missing("cta.endpoint"))?;
        let ca_file =
            PathBuf::from(get("grpc.tls.chain_cert_path").ok_or_else(|| missing("grpc.tls.chain_cert_path"))?);
        let method = method_override
            .map(str::to_owned)
            .or_else(|| get("grpc.cta_admin_auth_method"));
        let auth = match method.as_deref().unwrap_or("krb5") {
            "jwt" => AuthMethod::Jwt(PathBuf::from(
                get("grpc.jwt_token_path").ok_or_else(|| missing("grpc.jwt_token_path"))?,
            )),
            "krb5" => AuthMethod::Krb5,
            other => {
                return Err(GrpcError::Config(format!(
                    "{}: unknown grpc.cta_admin_auth_method '{other}' (jwt or krb5)",
                    origin.display()
                )));
            }
        };
        let connect_timeout = match get(CONNECT_TIMEOUT_KEY) {
            Some(t) => connect_timeout(&t, origin)?,
            None => DEFAULT_CONNECT_TIMEOUT,
        };
        Ok(Self {
            endpoint,
            ca_file,
            auth,
            timeout: Duration::from_secs(300),
            connect_timeout,
            retries: 2,
            service_principal: get("grpc.service_principal"),
            cta_version: None,
        })
    }

    /// Host part of the endpoint (what the server certificate must name).
    #[must_use]
    pub fn host(&self) -> &str {
        match self.endpoint.rsplit_once(':') {
            Some((h, _)) => h.trim_start_matches('[').trim_end_matches(']'),
            None => &self.endpoint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cta_cli_conf_keys() {
        let text = "# comment\ncta.endpoint ctafrontend.cern.ch:17017 # trailing\ngrpc.tls.chain_cert_path /etc/ca.pem\n\
                    grpc.cta_admin_auth_method jwt\ngrpc.jwt_token_path /tmp/tok extra\n";
        let s = ClientSettings::from_text(text, None, Path::new("c")).unwrap();
        assert_eq!(s.endpoint, "ctafrontend.cern.ch:17017");
        assert_eq!(s.host(), "ctafrontend.cern.ch");
        assert_eq!(s.auth, AuthMethod::Jwt("/tmp/tok".into()));
        let s = ClientSettings::from_text(text, Some("krb5"), Path::new("c")).unwrap();
        assert_eq!(s.auth, AuthMethod::Krb5);
        assert_eq!(s.service_principal, None);
        let s = ClientSettings::from_text(
            "cta.endpoint h:1\ngrpc.tls.chain_cert_path /ca\ngrpc.service_principal cta/fe@R\n",
            None,
            Path::new("c"),
        )
        .unwrap();
        assert_eq!(
            (s.auth, s.service_principal.as_deref()),
            (AuthMethod::Krb5, Some("cta/fe@R"))
        );
    }

    #[test]
    fn connect_timeout_is_read_and_checked() {
        let base = "cta.endpoint h:1\ngrpc.tls.chain_cert_path /ca\n";
        let s = ClientSettings::from_text(base, None, Path::new("c")).unwrap();
        assert_eq!(
            (s.connect_timeout, s.timeout),
            (DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(300))
        );
        let s =
            ClientSettings::from_text(&format!("{base}grpc.connect_timeout_secs 2.5\n"), None, Path::new("c")).unwrap();
        assert_eq!(s.connect_timeout, Duration::from_millis(2500));
        for bad in ["0", "-1", "ten", "nan", "inf", "1e9"] {
            let text = format!("{base}grpc.connect_timeout_secs {bad}\n");
            let e = ClientSettings::from_text(&text, None, Path::new("c")).unwrap_err();
            assert_eq!(e.code(), "GRPC_CONFIG");
            assert!(e.to_string().contains("grpc.connect_timeout_secs"), "{e}");
        }
    }

    #[test]
    fn refuses_incomplete_files() {
        for (text, want) in [
            ("grpc.tls.chain_cert_path /ca\n", "cta.endpoint"),
            ("cta.endpoint h:1\n", "grpc.tls.chain_cert_path"),
            (
                "cta.endpoint h:1\ngrpc.tls.chain_cert_path /ca\ngrpc.cta_admin_auth_method jwt\n",
                "grpc.jwt_token_path",
            ),
            (
                "cta.endpoint h:1\ngrpc.tls.chain_cert_path /ca\ngrpc.cta_admin_auth_method sss\n",
                "unknown",
            ),
        ] {
            let e = ClientSettings::from_text(text, None, Path::new("c")).unwrap_err();
            assert_eq!(e.code(), "GRPC_CONFIG");
            assert!(e.to_string().contains(want), "{e}");
        }
        assert!(ClientSettings::from_cta_cli_conf(Path::new("/nonexistent/cta-cli.conf")).is_err());
    }
}
