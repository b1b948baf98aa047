//! `ctaops admin [--transport cta-admin|grpc] [--json] [--dry-run] WORDS…`: one cta-admin
//! command through either transport. Listings print a table in `global.table_format` for people,
//! or with `--json` CTA's JSON array unchanged (as `cta-admin --json`); other commands print the
//! reply text. `--dry-run` prints the command and runs nothing. Exit 0 ok, 2 for a usage error or
//! when CTA refused the request (user error), 1 otherwise.

mod render;

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
    /// Print listings as CTA's JSON array (for scripts) instead of a table.
    #[arg(long)]
    json: bool,
    /// Print the command that would run and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// The cta-admin command line, e.g. `tape ls --vid V00001` (put `--` before it).
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
}

enum Failure {
    Usage(String),
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
            .and_then(|c| grpc(cta_cli_conf, None, &c, &Show::json())),
    )
}

fn finish(result: Result<(), Failure>) -> Exit {
    match result {
        Ok(()) => Exit::Success,
        Err(Failure::User(m) | Failure::Usage(m)) => {
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

/// What the user asked for after the words are sorted: `--json` and `--dry-run` are ours
/// wherever they are written (cta-admin would read a second `--json` as a command word).
struct Request {
    words: Vec<String>,
    json: bool,
    dry_run: bool,
}

fn request(args: &Args) -> Result<Request, Failure> {
    let mut req = Request {
        words: Vec::with_capacity(args.words.len()),
        json: args.json,
        dry_run: args.dry_run,
    };
    for word in &args.words {
        match word.as_str() {
            "--json" if req.json => {
                return Err(Failure::Usage(
                    "--json given twice: ctaops admin adds it to cta-admin itself".into(),
                ));
            }
            "--json" => req.json = true,
            "--dry-run" if req.dry_run => return Err(Failure::Usage("--dry-run given twice".into())),
            "--dry-run" => req.dry_run = true,
            _ => req.words.push(word.clone()),
        }
    }
    Ok(req)
}

fn run_inner(args: &Args) -> Result<(), Failure> {
    let req = request(args)?;
    let cfg = Config::load(args.config_file.as_deref()).map_err(|e| Failure::Other(e.to_string()))?;
    let global = cfg.global_for("admin").map_err(|e| Failure::Other(e.to_string()))?;
    let command = AdminCommand::raw(&req.words)?;
    let cta_cli_conf = PathBuf::from(&global.tape.cta_admin_config);
    // `global.tape.cta_version` replaces asking the frontend which CTA it runs.
    let cta_version = Some(global.tape.cta_version.trim().to_owned()).filter(|v| !v.is_empty());
    let transport = args.transport.unwrap_or(match global.tape.cta_admin_transport {
        AdminTransport::CtaAdmin => Transport::CtaAdmin,
        AdminTransport::Grpc => Transport::Grpc,
    });
    let show = Show {
        json: req.json,
        style: global.table_format.clone(),
        max_width: global.table_max_col_width,
    };
    if req.dry_run {
        let via = match transport {
            Transport::Grpc => " (over gRPC)",
            Transport::CtaAdmin => "",
        };
        return print_text(&format!("would run: cta-admin {command}{via}\n"));
    }
    match transport {
        Transport::Grpc => grpc(&cta_cli_conf, cta_version, &command, &show),
        Transport::CtaAdmin => {
            let runner = Runner::new(RunnerSettings {
                binary: PathBuf::from(&global.binaries.cta_admin),
                config: cta_cli_conf.is_file().then_some(cta_cli_conf),
                cta_version,
                ..RunnerSettings::default()
            });
            if command.record_kind().is_some() {
                print_records(&runner.records(&command)?, &show)
            } else {
                print_text(&runner.action(&command)?)
            }
        }
    }
}

/// How listings are printed.
struct Show {
    json: bool,
    style: String,
    max_width: usize,
}

impl Show {
    /// What `cta-admin-grpc` in the simulator prints: CTA's JSON.
    fn json() -> Self {
        Self {
            json: true,
            style: String::new(),
            max_width: 0,
        }
    }
}

fn grpc(cta_cli_conf: &Path, cta_version: Option<String>, command: &AdminCommand, show: &Show) -> Result<(), Failure> {
    let mut settings = grpc_settings(cta_cli_conf)?;
    settings.cta_version = cta_version;
    let client = Client::new(settings)?;
    match client.run(command)? {
        Outcome::Records(r) => print_records(&r, show),
        Outcome::Message(m) => print_text(&m),
    }
}

fn print_records(r: &Records, show: &Show) -> Result<(), Failure> {
    let mut out = io::BufWriter::new(output::Stdout);
    if !show.json {
        let text = render::records_table(&ctaops_core::config::to_value(r), &show.style, show.max_width);
        out.write_all(text.as_bytes())?;
        out.flush()?;
        return Ok(());
    }
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
