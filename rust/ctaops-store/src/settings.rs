//! Database settings from `tools.cta-ops-repack-automation.database` (ops-tools §6.5).
//!
//! Upstream keys (`username`, `password`, `host`, `port`, `name`, `repack_table_name`) keep their
//! meaning; ctaops adds `backend` (`postgresql` or `sqlite`), `path` (the SQLite file),
//! `password_file` and `lease_seconds`. Without `backend`, a configured `host` (anything but the
//! placeholder `changeme`) means PostgreSQL, else the embedded SQLite file is used.

use std::path::{Path, PathBuf};

use ctaops_core::config::tools::RepackAutomation;
use ctaops_core::config::{Config, Value};

use crate::error::{Result, StoreError};
use crate::pgpass;
use crate::tls::Tls;

/// Where the embedded database lives when the config does not say.
pub const DEFAULT_SQLITE_PATH: &str = "/var/lib/cta-ops/repack/atresys.sqlite";
/// Placeholder upstream ships for every credential.
const PLACEHOLDER: &str = "changeme";

/// Which database holds the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite { path: PathBuf },
    Postgres(PgSettings),
}

/// libpq-style connection parameters. `Debug` masks the password, so `{:?}` in a log or error
/// cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct PgSettings {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub dbname: String,
    /// `sslmode` / `sslrootcert` (ctaops additions; default: no TLS).
    pub tls: Tls,
}

impl std::fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("dbname", &self.dbname)
            .field("tls", &self.tls)
            .finish()
    }
}

impl PgSettings {
    /// `host:port/db` for messages (never the password).
    #[must_use]
    pub fn target(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host, self.port, self.dbname)
    }
}

/// Everything needed to open the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    pub backend: Backend,
    /// `database.repack_table_name` (default `REPACK_STATUS`).
    pub table: String,
}

fn raw_str(section: Option<&Value>, key: &str) -> Option<String> {
    match section?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl StoreSettings {
    /// Reads the settings from a loaded config.
    ///
    /// # Errors
    /// [`StoreError::Config`] for a wrong type, [`StoreError::InvalidArgument`] for a bad value.
    pub fn from_config(cfg: &Config) -> Result<Self> {
        let tool: RepackAutomation = cfg.tool()?;
        let db = &tool.database;
        let raw = cfg
            .tool_raw("cta-ops-repack-automation")
            .and_then(|t| t.get("database"));
        let backend = raw_str(raw, "backend");
        let host = db.host.0.clone();
        let use_pg = match backend.as_deref() {
            Some("postgresql" | "postgres") => true,
            Some("sqlite") => false,
            Some(other) => {
                return Err(StoreError::InvalidArgument(format!(
                    "tools.cta-ops-repack-automation.database.backend: {other:?} is neither postgresql nor sqlite"
                )));
            }
            None => !host.is_empty() && host != PLACEHOLDER,
        };
        let backend = if use_pg {
            let port = db.port.0.parse::<u16>().map_err(|_| {
                StoreError::InvalidArgument(format!(
                    "tools.cta-ops-repack-automation.database.port: {:?} is not a port number",
                    db.port.0
                ))
            })?;
            let mut pg = PgSettings {
                host,
                port,
                user: db.username.0.clone(),
                password: None,
                dbname: db.name.0.clone(),
                tls: Tls {
                    mode: raw_str(raw, "sslmode").as_deref().unwrap_or("disable").parse()?,
                    root_cert: raw_str(raw, "sslrootcert").filter(|p| !p.is_empty()).map(PathBuf::from),
                },
            };
            pg.password = resolve_password(&pg, &db.password.0, raw_str(raw, "password_file").as_deref())?;
            Backend::Postgres(pg)
        } else {
            let path = raw_str(raw, "path").unwrap_or_else(|| DEFAULT_SQLITE_PATH.to_owned());
            Backend::Sqlite { path: path.into() }
        };
        Ok(Self {
            backend,
            table: tool.database.repack_table_name,
        })
    }
}

/// Password order: `password_file`, then an explicit `password` (not the placeholder), then
/// `$PGPASSFILE` / `~/.pgpass` as libpq reads them.
fn resolve_password(pg: &PgSettings, password: &str, file: Option<&str>) -> Result<Option<String>> {
    if let Some(f) = file.filter(|f| !f.is_empty()) {
        let text = std::fs::read_to_string(f).map_err(|e| ctaops_core::Error::io(f, e))?;
        return Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()));
    }
    if !password.is_empty() && password != PLACEHOLDER {
        return Ok(Some(password.to_owned()));
    }
    let passfile = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")));
    Ok(passfile.and_then(|p| pgpass::lookup(&p, pg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> Result<StoreSettings> {
        StoreSettings::from_config(&Config::from_yaml(yaml, "test.yaml")?)
    }

    #[test]
    fn backend_choice_and_passwords() {
        let s = settings("{}").expect("defaults");
        assert_eq!(
            s.backend,
            Backend::Sqlite {
                path: DEFAULT_SQLITE_PATH.into()
            }
        );
        assert_eq!(s.table, "REPACK_STATUS");

        let dir = tempfile::tempdir().expect("tempdir");
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "s3cret\n").expect("write");
        let yaml = format!(
            "tools: {{cta-ops-repack-automation: {{database: {{host: db1, port: 5433, username: u, name: n, \
             password_file: {}, repack_table_name: repack_status_prod}}}}}}",
            pw.display()
        );
        let s = settings(&yaml).expect("pg");
        let Backend::Postgres(pg) = s.backend else {
            panic!("host set: PostgreSQL expected");
        };
        assert_eq!(
            (pg.host.as_str(), pg.port, pg.password.as_deref()),
            ("db1", 5433, Some("s3cret"))
        );
        let shown = format!("{pg:?}");
        assert!(!shown.contains("s3cret") && shown.contains("***"), "{shown}");
        assert_eq!(s.table, "repack_status_prod");

        let explicit = settings(
            "tools: {cta-ops-repack-automation: {database: {backend: sqlite, host: db1, path: /tmp/x.sqlite}}}",
        )
        .expect("sqlite");
        assert_eq!(
            explicit.backend,
            Backend::Sqlite {
                path: "/tmp/x.sqlite".into()
            }
        );

        let tls = settings(
            "tools: {cta-ops-repack-automation: {database: {host: h, port: 5432, sslmode: verify-full, \
             sslrootcert: /etc/pki/ca.pem}}}",
        )
        .expect("tls");
        let Backend::Postgres(pg) = tls.backend else {
            panic!("host set: PostgreSQL expected");
        };
        assert_eq!(pg.tls.mode, crate::SslMode::VerifyFull);
        assert_eq!(pg.tls.root_cert.as_deref(), Some(Path::new("/etc/pki/ca.pem")));
        let bad_tls = settings("tools: {cta-ops-repack-automation: {database: {host: h, port: 5432, sslmode: on}}}");
        assert!(matches!(bad_tls, Err(StoreError::InvalidArgument(_))));

        let bad = settings("tools: {cta-ops-repack-automation: {database: {backend: oracle}}}");
        assert!(matches!(bad, Err(StoreError::InvalidArgument(_))));
        let bad_port = settings("tools: {cta-ops-repack-automation: {database: {host: h, port: changeme}}}");
        assert!(matches!(bad_port, Err(StoreError::InvalidArgument(_))));
    }
}
