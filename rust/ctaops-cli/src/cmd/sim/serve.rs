//! `ctaops sim serve`, `ctaops sim serve-eos` and `ctaops sim token`: the simulator's gRPC
//! frontend, its EOS HTTPS interface and metrics.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use ctaops_grpc::ServerLimits;
use ctaops_sim::serve::{DEFAULT_LISTEN, DEFAULT_TOKEN_SECONDS, Servers, mint_token, serve as run_server};
use ctaops_sim::{Instance, SimError};

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The instance directory.
    dir: PathBuf,
    /// Address to listen on (port 0: any free port). DIR/cta-cli.conf is rewritten to point here.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    listen: String,
    /// Connections open at once (lowered to what `ulimit -n` allows).
    #[arg(long, default_value_t = ServerLimits::default().max_connections as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// Seconds a connection may take to complete its TLS handshake.
    #[arg(long, default_value_t = ServerLimits::default().handshake_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    handshake_timeout: u64,
    /// Seconds a connection may stay without any traffic before it is closed.
    #[arg(long, default_value_t = ServerLimits::default().idle_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86_400))]
    idle_timeout: u64,
    /// Address of the EOS HTTPS interface (port 0: any free port; DIR/eos.rest.keytab.yaml is
    /// rewritten to point here).
    #[arg(long, default_value = "127.0.0.1:0")]
    eos_listen: String,
    /// Do not serve the EOS HTTPS interface.
    #[arg(long)]
    no_eos: bool,
    /// Address of the plain-HTTP Prometheus endpoint `/metrics`.
    #[arg(long, default_value = "127.0.0.1:0")]
    metrics_listen: String,
}

#[derive(Debug, clap::Args)]
pub struct ServeEosArgs {
    /// The instance directory.
    dir: PathBuf,
    /// Address to listen on (port 0: any free port). DIR/eos.rest.keytab.yaml is rewritten to
    /// point here.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Address of the plain-HTTP Prometheus endpoint `/metrics`.
    #[arg(long, default_value = "127.0.0.1:0")]
    metrics_listen: String,
}

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// The instance directory.
    dir: PathBuf,
    /// Subject (`sub`) of the token; default: the current user.
    #[arg(long)]
    user: Option<String>,
    /// Lifetime in seconds (negative: already expired).
    #[arg(long, default_value_t = DEFAULT_TOKEN_SECONDS as i64, allow_hyphen_values = true)]
    expires_in: i64,
}

/// Prints `listening on ADDR` on stdout once the socket is bound, then serves.
pub fn serve(a: &ServeArgs) -> Result<Exit, SimError> {
    let limits = ServerLimits {
        handshake_timeout: Duration::from_secs(a.handshake_timeout),
        idle_timeout: Duration::from_secs(a.idle_timeout),
        max_connections: usize::try_from(a.max_connections).unwrap_or(usize::MAX),
    };
    let servers = Servers {
        grpc: Some((a.listen.clone(), limits)),
        eos: (!a.no_eos).then(|| a.eos_listen.clone()),
        metrics: Some(a.metrics_listen.clone()),
    };
    run_server(&a.dir, &servers, |ends| announce(ends.grpc_addr))?;
    Ok(Exit::Success)
}

/// Prints `listening on ADDR` on stdout once the sockets are bound (DIR/serve.json has the rest).
fn announce(addr: Option<std::net::SocketAddr>) {
    let mut out = std::io::stdout().lock();
    if let Some(addr) = addr {
        let _ = writeln!(out, "listening on {addr}");
    }
    let _ = out.flush();
}

pub fn serve_eos(a: &ServeEosArgs) -> Result<Exit, SimError> {
    let servers = Servers {
        grpc: None,
        eos: Some(a.listen.clone()),
        metrics: Some(a.metrics_listen.clone()),
    };
    run_server(&a.dir, &servers, |ends| announce(ends.eos_addr))?;
    Ok(Exit::Success)
}

pub fn token(a: &TokenArgs) -> Result<Exit, SimError> {
    let inst = Instance::open(&a.dir)?;
    let user = a.user.clone().unwrap_or_else(|| ctaops_sim::instance::caller().0);
    let t = mint_token(&inst, &user, a.expires_in)?;
    writeln!(std::io::stdout().lock(), "{t}")?;
    Ok(Exit::Success)
}
