//! The `ctaops._core` extension module: type conversion and error mapping only.
//! Logic lives in `ctaops-core` (and the other pure-Rust crates).

mod admin;
mod admin_frames;
mod admin_grpc;
mod atresys;
mod buffer;
mod checksum;
mod children;
mod cli;
mod config;
mod datamon;
mod eos;
mod errors;
mod logging;
mod scsi;
mod tape;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logging::register(m)?;
    m.add("__version__", ctaops_core::VERSION)?;
    m.add("build_info", build_info())?;
    admin::register(m)?;
    admin_grpc::register(m)?;
    atresys::register(m)?;
    checksum::register(m)?;
    children::register(m)?;
    cli::register(m)?;
    config::register(m)?;
    datamon::register(m)?;
    eos::register(m)?;
    tape::register(m)?;
    scsi::register(m)?;
    Ok(())
}

fn build_info() -> String {
    format!(
        "ctaops-core {} ({} build, {})",
        ctaops_core::VERSION,
        if cfg!(debug_assertions) { "debug" } else { "release" },
        std::env::consts::ARCH
    )
}
