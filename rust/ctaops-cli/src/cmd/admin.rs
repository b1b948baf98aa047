//! `ctaops admin [--transport cta-admin|grpc] WORDS…`: one cta-admin command through either
//! transport. Listings print CTA's JSON (an array, as `cta-admin --json`); other commands print
//! the reply text. Exit 0 ok, 2 when CTA refused the request (user error), 1 otherwise.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use ctaops_core::admin::{AdminCommand, AdminError, Records, Runner, RunnerSettings};
use ctaops_core::config::{AdminTransport, Config};
use ctaops_grpc::{Client, ClientSettings, GrpcError, Outcome};

use crate::exit::Exit;
use crate::output;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// Spawn `global.binaries.cta-admin` (works with `cta-admin` and `cta-admin-grpc`).
    #[value(name = "cta-admin")]
    CtaAdmin,
    /// Native gRPC to `cta.endpoint` of the `cta-cli.conf` in `global.tape.cta-admin_config`.
    Grpc,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Ops config file (default: $CTAOPS_CONFIG, then /etc/cta-ops/cta-ops-config.yaml).
    #[arg(short = 'C', long = "config-file", value_name = "CONFIG_FILE")]
    config_file: Option<PathBuf>,
    /// How to reach CTA (default: `global.tape.cta-admin_transport`, then `cta-admin`).
    #[arg(long, value_enum)]
    transport: Option<Transport>,
    /// The cta-admin command line, e.g. `tape ls --vid V00001` (put `--` before it).
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
}

enum Failure {
    User(String),
    Other(String),
}

impl From<AdminError> for Failure {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::User { .. } => Self::User(e.to_string()),
            other => Self::Other(other.to_string()),
        }
    }
}

impl From<GrpcError> for Failure {
    fn from(e: GrpcError) -> Self {
        let text = format!("[{}] {e}", e.code());
        if e.exit_status() == 2 {
            Self::User(text)
        } else {
            Self::Other(text)
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Self::Other(e.to_string())
    }
}

pub fn run(args: &Args) -> Exit {
    finish(run_inner(args))
}

/// One command line through the gRPC transport with the client settings of `cta_cli_conf`: what
/// the simulator's `cta-admin-grpc` runs.
pub fn run_grpc_words(cta_cli_conf: &Path, words: &[String]) -> Exit {
    finish(
        AdminCommand::raw(words)
            .map_err(Failure::from)
            .and_then(|c| grpc(cta_cli_conf, None, &c)),
    )
}

fn finish(result: Result<(), Failure>) -> Exit {
    match result {
        Ok(()) => Exit::Success,
        Err(Failure::User(m)) => {
            output::error(&m);
            Exit::Code(2)
        }
        Err(Failure::Other(m)) => {
            output::error(&m);
            Exit::Failure
        }
    }
}

/// The client settings of the gRPC transport, from the ops config's `cta-cli.conf`.
pub fn grpc_settings(cta_cli_conf: &Path) -> Result<ClientSettings, GrpcError> {
    ClientSettings::from_cta_cli_conf(cta_cli_conf)
}

fn run_inner(args: &Args) -> Result<(), Failure> {
    let cfg = Config::load(args.config_file.as_deref()).map_err(|e| Failure::Other(e.to_string()))?;
    let global = cfg.global_for("admin").map_err(|e| Failure::Other(e.to_string()))?;
    let command = AdminCommand::raw(&args.words)?;
    let cta_cli_conf = PathBuf::from(&global.tape.cta_admin_config);
    // `global.tape.cta_version` replaces asking the frontend which CTA it runs.
    let cta_version = Some(global.tape.cta_version.trim().to_owned()).filter(|v| !v.is_empty());
    let transport = args.transport.unwrap_or(match global.tape.cta_admin_transport {
        AdminTransport::CtaAdmin => Transport::CtaAdmin,
        AdminTransport::Grpc => Transport::Grpc,
    });
    match transport {
        Transport::Grpc => grpc(&cta_cli_conf, cta_version, &command),
        Transport::CtaAdmin => {
            let runner = Runner::new(RunnerSettings {
                binary: PathBuf::from(&global.binaries.cta_admin),
                config: cta_cli_conf.is_file().then_some(cta_cli_conf),
                cta_version,
                ..RunnerSettings::default()
            });
            if command.record_kind().is_some() {
                print_records(&runner.records(&command)?)
            } else {
                print_text(&runner.action(&command)?)
            }
        }
    }
}

fn grpc(cta_cli_conf: &Path, cta_version: Option<String>, command: &AdminCommand) -> Result<(), Failure> {
    let mut settings = grpc_settings(cta_cli_conf)?;
    settings.cta_version = cta_version;
    let client = Client::new(settings)?;
    match client.run(command)? {
        Outcome::Records(r) => print_records(&r),
        Outcome::Message(m) => print_text(&m),
    }
}

fn print_records(r: &Records) -> Result<(), Failure> {
    let mut out = io::BufWriter::new(output::Stdout);
    serde_json::to_writer(&mut out, r).map_err(|e| Failure::Other(e.to_string()))?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

fn print_text(m: &str) -> Result<(), Failure> {
    let mut out = output::Stdout;
    out.write_all(m.as_bytes())?;
    if !m.is_empty() && !m.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}
