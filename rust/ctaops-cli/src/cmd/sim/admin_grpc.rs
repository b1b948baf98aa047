//! `ctaops sim cta-admin-grpc`: what `DIR/bin/cta-admin-grpc` execs. A gRPC client of
//! `ctaops sim serve`, as CTA's `cta-admin-grpc` is of `cta-frontend-grpc`, so a tool pointed at it
//! goes through the simulator's frontend (the server's command code) instead of the catalogue.

use std::path::PathBuf;

use ctaops_sim::serve::cta_cli_conf;
use ctaops_sim::{Instance, SimError};

use crate::cmd::admin::run_grpc_words;
use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct AdminGrpcArgs {
    /// The instance directory.
    #[arg(long)]
    instance: PathBuf,
    /// `[--json] [--config FILE] WORDS…` as `cta-admin` takes them; the client settings come from
    /// FILE (default DIR/cta-cli.conf, which `sim serve` points at itself).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn run(a: &AdminGrpcArgs) -> Result<Exit, SimError> {
    let mut conf = cta_cli_conf(&Instance::open(&a.instance)?);
    let mut words = a.args.as_slice();
    loop {
        match words {
            // Listings are always printed as `--json` would print them: the simulator renders
            // tables only on its in-process path.
            [flag, rest @ ..] if flag == "--json" => words = rest,
            [flag, file, rest @ ..] if flag == "--config" => {
                conf = PathBuf::from(file);
                words = rest;
            }
            [flag] if flag == "--config" => {
                output::error(&"cta-admin-grpc: --config needs a file");
                return Ok(Exit::Code(2));
            }
            _ => break,
        }
    }
    if words.is_empty() {
        output::error(&"cta-admin-grpc: no command given (e.g. `tape ls --all`)");
        return Ok(Exit::Code(2));
    }
    Ok(run_grpc_words(&conf, words))
}
