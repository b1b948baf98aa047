//! The `ctaops` command line: `ctaops <noun> <verb> …`.
//!
//! It is a library so that the Python wheel can run the very same code as a console script
//! (`ctaops._core.cli_main`) without shipping a second binary.

mod cmd;
mod conventions;
mod cta;
mod exit;
mod logging;
mod output;
mod progress;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use exit::Exit;

/// ctaops: the CERN Tape Archive operator toolkit.
///
/// Exit status: 0 success, 1 failure, 2 usage error; `ctaops admin` and `ctaops sim cta-admin`
/// exit as cta-admin does, `ctaops smc` as cta-smc does.
#[derive(Debug, Parser)]
#[command(name = "ctaops", version = ctaops_core::versions::version_line(), propagate_version = true, max_term_width = 100)]
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

/// The whole `ctaops` command tree with the conventions every subcommand follows.
fn command() -> clap::Command {
    conventions::apply(Cli::command())
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
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if conventions::is_repack_manager(&args) {
        return run_repack_manager(args);
    }
    let mut command = command();
    if let Some(help) = conventions::pass_through_help(&mut command, &args) {
        return match output::print(&help) {
            Ok(()) | Err(Exit::Success) => Exit::Success,
            Err(e) => e,
        };
    }
    let cli = match command
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    // `ctaops repack-manager -V` is upstream's verbose flag (-V is never the version).
    let extra = match &cli.command {
        Command::RepackManager(a) => a.verbose_upper,
        _ => 0,
    };
    logging::init(cli.verbose.saturating_add(extra), cli.log_json);
    let exit = match cli.command {
        Command::Checksum(args) => cmd::checksum::run(&args),
        Command::Config(args) => cmd::config::run(&args),
        Command::Tape(args) => cmd::tape::run(&args),
        Command::Smc(args) => cmd::smc::run(&args),
        Command::Sim(args) => cmd::sim::run(&args),
        Command::Admin(args) => cmd::admin::run(&args),
        Command::RepackManager(args) => cmd::repack_manager::run(&args),
    };
    quiet_if_unread(exit)
}

/// A reader that closed the pipe (`ctaops … | head -1`) chose to stop: exit 0, as if the
/// output had been read (issue 18: never a panic, a "Broken pipe" line or exit 1 for it).
fn quiet_if_unread(exit: Exit) -> Exit {
    if output::stdout_closed() { Exit::Success } else { exit }
}

/// The exit for what clap stopped at: help and version on stdout (success, printed by clap),
/// usage errors as one `error:` line on stderr (exit 2), like every other error: cron mail and
/// log scrapers read one line per problem.
fn clap_exit(e: &clap::Error) -> Exit {
    if !e.use_stderr() {
        let _ = e.print();
        return Exit::Success;
    }
    output::error(&one_line_usage_error(&e.render().to_string()));
    Exit::Usage
}

/// clap's usage error (message, indented details, tip, usage, "For more information") as one line.
fn one_line_usage_error(rendered: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut usage = None;
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("For more information") {
            continue;
        }
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u);
        } else if usage.is_none() {
            parts.push(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    let mut message = parts.join(" ");
    if let Some(u) = usage {
        message.push_str(&format!("; usage: {u} (see --help)"));
    }
    message
}

/// `cta-ops-repack-manager …`: `ctaops repack-manager …` under upstream's program name.
fn run_repack_manager(args: Vec<OsString>) -> Exit {
    let Some(command) = conventions::standalone(&Cli::command(), "repack-manager", conventions::REPACK_MANAGER) else {
        output::error(&"the repack-manager subcommand is missing from this build");
        return Exit::Failure;
    };
    let matches = match command.try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => return clap_exit(&e),
    };
    let args = match cmd::repack_manager::Args::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => return clap_exit(&e),
    };
    let verbose = matches.get_count("verbose").saturating_add(args.verbose_upper);
    logging::init(verbose, matches.get_flag("log_json"));
    quiet_if_unread(cmd::repack_manager::run(&args))
}

#[cfg(test)]
mod usage_error_tests {
    use super::one_line_usage_error;

    #[test]
    fn details_tip_and_usage_fold_into_one_line() {
        let clap = "error: the following required arguments were not provided:\n  --vid <VID>\n\n\
                    Usage: ctaops tape verify --vid <VID> --image <IMAGE>\n\n\
                    For more information, try '--help'.\n";
        assert_eq!(
            one_line_usage_error(clap),
            "the following required arguments were not provided: --vid <VID>; \
             usage: ctaops tape verify --vid <VID> --image <IMAGE> (see --help)"
        );
    }
}
