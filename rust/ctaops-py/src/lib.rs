//! The `ctaops._core` extension module: type conversion and error mapping only.
//! Logic lives in `ctaops-core` (and the other pure-Rust crates).

mod admin;
mod buffer;
mod checksum;
mod cli;
mod errors;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Rust `log` records (and `tracing` events, through tracing's `log` feature) reach Python's logging.
    let _ = pyo3_log::try_init();
    m.add("__version__", ctaops_core::VERSION)?;
    m.add("build_info", build_info())?;
    admin::register(m)?;
    checksum::register(m)?;
    cli::register(m)?;
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
