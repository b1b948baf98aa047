//! How a native tool reaches CTA, as the ops config says (`global.tape.cta-admin_transport`):
//! spawning `cta-admin` with the configured binary, client config and keytab, or talking to the
//! gRPC frontend named in that client config. Both give the same typed records.

use std::path::PathBuf;
use std::time::Duration;

use ctaops_core::admin::{AdminCommand, Records, Runner, RunnerSettings};
use ctaops_core::config::{AdminTransport, Global};
use ctaops_grpc::{Client, ClientSettings};

pub enum Cta {
    Spawn(Runner),
    Grpc(Box<Client>),
}

impl Cta {
    /// The transport `global` names, with `timeout` per command.
    ///
    /// # Errors
    /// The gRPC client config cannot be read (one line naming the file).
    pub fn from_global(g: &Global, timeout: Duration) -> Result<Self, String> {
        let cta_version = Some(g.tape.cta_version.trim().to_owned()).filter(|v| !v.is_empty());
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| PathBuf::from(s));
        match g.tape.cta_admin_transport {
            AdminTransport::CtaAdmin => Ok(Self::Spawn(Runner::new(RunnerSettings {
                binary: PathBuf::from(&g.binaries.cta_admin),
                config: nonempty(&g.tape.cta_admin_config),
                sss_keytab: nonempty(&g.default_user.sss_keytab_file).filter(|p| p.exists()),
                timeout,
                cta_version,
            }))),
            AdminTransport::Grpc => {
                let mut settings = ClientSettings::from_cta_cli_conf(&PathBuf::from(&g.tape.cta_admin_config))
                    .map_err(|e| format!("[{}] {e}", e.code()))?;
                settings.cta_version = cta_version;
                settings.timeout = timeout;
                Client::new(settings)
                    .map(|c| Self::Grpc(Box::new(c)))
                    .map_err(|e| format!("[{}] {e}", e.code()))
            }
        }
    }

    /// The records of a listing.
    ///
    /// # Errors
    /// CTA's refusal or any failure, as one line.
    pub fn records(&self, cmd: &AdminCommand) -> Result<Records, String> {
        match self {
            Self::Spawn(r) => r.records(cmd).map_err(|e| e.to_string()),
            Self::Grpc(c) => c.list(cmd).map_err(|e| format!("[{}] {e}", e.code())),
        }
    }
}
