//! Which admin authentication methods `ctaops sim serve` offers, from the instance's optional
//! `DIR/cta-frontend.conf` with CTA's frontend keys (spec §5.3): `grpc.admin.auth_methods`
//! (space-separated `jwt`, `kerberos`; default `jwt`), `grpc.keytab` and
//! `grpc.service_principal`. Kerberos needs the `kerberos` feature; without it, or without
//! `kerberos` in the list, `Negotiation/Negotiate` answers `UNIMPLEMENTED`, as CTA's does.

use std::path::{Path, PathBuf};

use ctaops_grpc::negotiate::ServerAuth;

use crate::error::{Result, SimError};
use crate::instance::{Instance, caller};

/// CTA's default keytab (`grpc.keytab`).
pub const DEFAULT_KEYTAB: &str = "/etc/cta/cta-frontend.keytab";

/// `DIR/cta-frontend.conf`: the simulator frontend's settings, in CTA's format.
#[must_use]
pub fn frontend_conf(inst: &Instance) -> PathBuf {
    inst.dir.join("cta-frontend.conf")
}

/// The parsed Kerberos-related settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    pub jwt: bool,
    pub kerberos: bool,
    pub keytab: PathBuf,
    pub service_principal: String,
}

/// Reads the settings from the file's text (`origin` only names it in messages). A CTA
/// `grpc.admin.auth_methods` line lists all its values, so the whole line is read here.
pub fn parse(text: &str, origin: &Path) -> Result<AuthSettings> {
    let mut methods: Option<Vec<String>> = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        if words.next() == Some("grpc.admin.auth_methods") {
            methods = Some(words.map(str::to_owned).collect());
        }
    }
    let kv = ctaops_grpc::config::first_values(text);
    let get = |k: &str| kv.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let methods = methods.unwrap_or_else(|| vec!["jwt".to_owned()]);
    let (mut jwt, mut kerberos) = (false, false);
    for m in &methods {
        match m.as_str() {
            "jwt" => jwt = true,
            "kerberos" => kerberos = true,
            other => {
                return Err(SimError::Usage(format!(
                    "{}: unknown grpc.admin.auth_methods value '{other}' (jwt, kerberos)",
                    origin.display()
                )));
            }
        }
    }
    if !jwt && !kerberos {
        return Err(SimError::Usage(format!(
            "{}: grpc.admin.auth_methods lists no method (jwt, kerberos)",
            origin.display()
        )));
    }
    let (_, host) = caller();
    let short = host.split('.').next().unwrap_or(&host).to_owned();
    Ok(AuthSettings {
        jwt,
        kerberos,
        keytab: get("grpc.keytab").map_or_else(|| PathBuf::from(DEFAULT_KEYTAB), PathBuf::from),
        service_principal: get("grpc.service_principal").unwrap_or_else(|| format!("cta/{short}")),
    })
}

/// The instance's settings; no file means CTA's default (`jwt` only).
pub fn settings(inst: &Instance) -> Result<AuthSettings> {
    let path = frontend_conf(inst);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => parse("", &path),
        Err(e) => Err(SimError::Usage(format!("cannot read {}: {e}", path.display()))),
    }
}

/// What `serve` hands to the gRPC server.
pub fn server_auth(inst: &Instance) -> Result<ServerAuth> {
    let s = settings(inst)?;
    Ok(ServerAuth {
        jwt: s.jwt,
        kerberos: kerberos(&s)?,
    })
}

#[cfg(feature = "kerberos")]
fn kerberos(s: &AuthSettings) -> Result<Option<std::sync::Arc<ctaops_grpc::negotiate::KerberosServer>>> {
    use std::sync::Arc;
    if !s.kerberos {
        return Ok(None);
    }
    let acceptor = ctaops_grpc::kerberos::GssAcceptor::new(&s.keytab, &s.service_principal)
        .map_err(|e| SimError::Usage(format!("Kerberos: {e}")))?;
    tracing::info!(spn = %s.service_principal, keytab = %s.keytab.display(), "Kerberos enabled");
    Ok(Some(Arc::new(ctaops_grpc::negotiate::KerberosServer::new(Arc::new(
        acceptor,
    )))))
}

#[cfg(not(feature = "kerberos"))]
fn kerberos(s: &AuthSettings) -> Result<Option<std::sync::Arc<ctaops_grpc::negotiate::KerberosServer>>> {
    if s.kerberos {
        tracing::warn!(
            "grpc.admin.auth_methods lists kerberos, but this build has no Kerberos support: Negotiate will answer UNIMPLEMENTED"
        );
        if !s.jwt {
            return Err(SimError::Usage(
                "grpc.admin.auth_methods lists only kerberos, and this build has no Kerberos support".into(),
            ));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ctas_frontend_keys() {
        let s = parse(
            "grpc.admin.auth_methods jwt kerberos # both\ngrpc.keytab /k.keytab\ngrpc.service_principal cta/fe@TEST.CTA\n",
            Path::new("f"),
        )
        .unwrap();
        assert!(s.jwt && s.kerberos);
        assert_eq!(s.keytab, PathBuf::from("/k.keytab"));
        assert_eq!(s.service_principal, "cta/fe@TEST.CTA");
        let d = parse("", Path::new("f")).unwrap();
        assert!(d.jwt && !d.kerberos);
        assert_eq!(d.keytab, PathBuf::from(DEFAULT_KEYTAB));
        assert!(d.service_principal.starts_with("cta/"));
        let e = parse("grpc.admin.auth_methods sss\n", Path::new("f")).unwrap_err();
        assert!(
            e.to_string().contains("unknown grpc.admin.auth_methods value 'sss'"),
            "{e}"
        );
        assert!(parse("grpc.admin.auth_methods\n", Path::new("f")).is_err());
    }
}
