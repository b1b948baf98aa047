//! The `ctaops` command line: `ctaops <noun> <verb> …`.
//!
//! It is a library so that the Python wheel can run the very same code as a console script
//! (`ctaops._core.cli_main`) without shipping a second binary.

mod cmd;
mod cta;
mod exit;
mod logging;
mod output;
mod progress;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use exit::Exit;

/// ctaops: the CERN Tape Archive operator toolkit.
///
/// Exit status: 0 success, 1 failure, 2 usage error.
#[derive(Debug, Parser)]
#[command(name = "ctaops", version = ctaops_core::VERSION, propagate_version = true, max_term_width = 100)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Log lines as JSON (for Fluentd) instead of text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checksum files as CTA does (Adler-32 by default, printed like xrdadler32).
    Checksum(cmd::checksum::Args),
    /// Validate and inspect the ops config file (/etc/cta-ops/cta-ops-config.yaml).
    Config(cmd::config::Args),
    /// Read, verify, label and write CTA tapes (SIMH image files or st drives).
    Tape(cmd::tape::Args),
    /// Drive a SCSI tape library like cta-smc (query, mount, dismount, export, import).
    Smc(Box<cmd::smc::Args>),
    /// The CTA simulator: a cta-admin compatible instance with a virtual library and tape images.
    Sim(cmd::sim::Args),
    /// Run one cta-admin command through the cta-admin binary or native gRPC.
    Admin(cmd::admin::Args),
    /// ATRESYS operator tool (cta-ops-repack-manager): list and steer repack jobs.
    RepackManager(Box<cmd::repack_manager::Args>),
}

/// Runs the CLI with the given arguments (the first is the program name) and returns the exit code.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ExitCode::from(run(args).code())
}

/// Like [`main_with_args`] but returns the typed outcome, for embedding.
pub fn run<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // Children (cta-admin, cta-smc) go when this process is told to go (issue 17, item 19).
    ctaops_core::children::forward_termination();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            // clap prints help/version to stdout and usage errors to stderr itself.
            let _ = e.print();
            return if usage { Exit::Usage } else { Exit::Success };
        }
    };
    // `cta-ops-repack-manager -V` is upstream's verbose flag (`-V` is --version elsewhere).
    let extra = match &cli.command {
        Command::RepackManager(a) => a.verbose_upper,
        _ => 0,
    };
    logging::init(cli.verbose.saturating_add(extra), cli.log_json);
    match cli.command {
        Command::Checksum(args) => cmd::checksum::run(&args),
        Command::Config(args) => cmd::config::run(&args),
        Command::Tape(args) => cmd::tape::run(&args),
        Command::Smc(args) => cmd::smc::run(&args),
        Command::Sim(args) => cmd::sim::run(&args),
        Command::Admin(args) => cmd::admin::run(&args),
        Command::RepackManager(args) => cmd::repack_manager::run(&args),
    }
}
